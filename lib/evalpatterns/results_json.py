"""``results.json``: every value a chapter shows, in one shape for ``build`` and ``run``, with a JSON Schema.

A chapter's *record* is ``{"chapter", "parameters", "results", "figures"}``: ``results`` maps each glued value's
name to the value and each table's name to its rows. ``evalpatterns run`` writes one record (with ``version``);
``evalpatterns build`` writes ``{"version", "chapters": {id: record}}``. Values are plain JSON: numbers as
numbers, ``null`` where a value is missing (the pages show "n/a" there; results.json never holds that text),
no NaN or infinity. ``results.schema.json`` beside this module is the schema (version :data:`VERSION`);
:func:`write` checks every document against it before writing.
"""
from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np

from .formatting import NA

VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


def clean(value):
    """``value`` as plain JSON: numpy scalars and arrays as Python numbers and lists, paths as text, NaN,
    infinity, pandas' NA and the "n/a" the pages show as None."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is NA or (isinstance(value, str) and value == NA):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Path):
        return str(value)
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def chapter_record(chapter_id: str, parameters: dict, results: dict, figures: list[str] | None = None) -> dict:
    """One chapter's record: its id, the parameters it ran with, its values and tables, its figure files."""
    record = {"chapter": chapter_id, "parameters": clean(parameters), "results": clean(results)}
    if figures is not None:
        record["figures"] = list(figures)
    return record


def run_document(record: dict) -> dict:
    """What ``evalpatterns run`` writes: one chapter's record."""
    return {"version": VERSION, **record}


def book_document(records: dict[str, dict]) -> dict:
    """What ``evalpatterns build`` writes: every chapter's record, by id."""
    return {"version": VERSION, "chapters": dict(records)}


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def problems(document: dict) -> list[str]:
    """Where ``document`` departs from the schema (empty when it is valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def dumps(document: dict) -> str:
    """``document`` as the text of results.json, after checking it against the schema (ValueError otherwise)."""
    found = problems(document)
    if found:
        raise ValueError("results.json does not meet its schema:\n" + "\n".join(found[:10]))
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def write(path: str | Path, document: dict) -> Path:
    """Write ``document`` as JSON to ``path`` after checking it against the schema (ValueError otherwise)."""
    path = Path(path)
    path.write_text(dumps(document), encoding="utf-8")
    return path
