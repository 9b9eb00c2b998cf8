"""Load and validate the data files.

``load(kind, path)`` returns a typed DataFrame or raises :class:`DataError` listing every problem found, each
naming the file, the line, the column, what was expected and what was found. ``validate(kind, path)`` returns
that list without raising. Inputs are only read, never written.

Files are CSV or Parquet (``.parquet``, ``.pq``). Only the schema's columns are read: other columns are allowed
and ignored. Every column is checked vectorised, with no Python call per cell, so a million-row file loads in
about a second; the plain reference code (:func:`_read_raw`, :func:`_convert_reference`) takes over for any
file the fast paths cannot vouch for, so problems are found and worded the same either way.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from .csvread import PARQUET_SUFFIXES, _not_a_data_file, _read, _read_raw  # noqa: F401 - re-exported
from .problems import DataError, Problem  # noqa: F401 - re-exported: the public names of this module
from .rowrules import FALSE, TRUE, _check_keys, _convert, _convert_reference, _row_rules  # noqa: F401
from .schema import SCHEMAS, Column, Schema

OPTIONAL_NEAR = 0.85  # how like an absent optional column another column's name must be to count as a misspelling


def _check_columns(name: str, names: list[str], schema: Schema) -> list[Problem]:
    problems = []
    present = set(names)
    if not present & set(schema.required_columns):
        for sep, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if any(sep in c for c in names):
                return [Problem(name, 1, None, "columns separated by commas",
                                f"a header separated by {called}; save the file as CSV with commas "
                                f"(columns {', '.join(schema.required_columns)})")]
    others = [c for c in names if c not in schema.names]
    for col in schema.names:
        if col in present:
            continue
        required = col in schema.required_columns
        # An optional column may be absent, but not misspelt: its values would be silently lost.
        near = difflib.get_close_matches(col, others, n=1, cutoff=0.6 if required else OPTIONAL_NEAR)
        if required or near:
            found = (f"no such column, but a column '{near[0]}' (did you mean '{col}'?)" if near
                     else "no such column")
            problems.append(Problem(name, 1, col, f"a column named '{col}'", found))
    dupes = pd.Index(names)[pd.Index(names).duplicated()].tolist()
    for col in dupes:
        problems.append(Problem(name, 1, col, "each column once", "the column repeated"))
    return problems


def check(kind: str, path: str | Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read ``path`` as data of ``kind`` and return (typed frame or None, every problem found)."""
    if kind not in SCHEMAS:
        raise KeyError(f"unknown data kind {kind!r}; expected one of {', '.join(SCHEMAS)}")
    schema = SCHEMAS[kind]
    path = Path(path)
    name = str(path)
    not_a_file = _not_a_data_file(path)
    if not_a_file is not None:
        return None, [not_a_file]
    names, raw, problems = _read(path, schema)
    if raw is None:
        return None, problems
    problems = _check_columns(name, names, schema)
    if problems:
        return None, problems
    if raw.empty:
        return None, [Problem(name, None, None, "at least one data row", "only a header")]
    typed = {}
    for col in schema.columns:
        if col.name in raw.columns:
            typed[col.name], bad = _convert(name, raw[col.name], col)
            problems += bad
        elif col.optional:
            typed[col.name] = pd.Series([None] * len(raw), index=raw.index, dtype=_empty_dtype(col))
    index = raw.index
    del raw  # let the raw text go before the typed frame is assembled (peak memory)
    frame = pd.DataFrame(typed, index=index)
    del typed
    # Row rules and keys are checked on the rows whose cells are all valid, so that one bad cell is
    # reported once and not again as a broken rule.
    bad_lines = {p.line for p in problems}
    clean = frame[~(frame.index.to_series() + 2).isin(bad_lines)] if bad_lines else frame
    problems += _row_rules(name, clean, schema)
    problems += _check_keys(name, clean, schema)
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return (None if problems else frame), problems


def _empty_dtype(col: Column) -> str:
    return {"str": "object", "bool": "object", "int": "Int64", "float": "float64"}[col.kind]


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (what a build's content hash and the front page's manifest use); of a
    folder (of Parquet files), of each file's path within it and bytes, in order of path."""
    import hashlib

    h = hashlib.sha256()
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            h.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def validate(kind: str, path: str | Path) -> list[Problem]:
    """Every problem of ``path`` against the schema of ``kind`` (empty when the file is valid)."""
    from .engine import validate as engine_validate

    if engine_validate.in_engine(kind, path):  # a folder or a large Parquet file: checked in SQL, not loaded
        return engine_validate.problems(kind, path)
    key = _validation_key(kind, path)
    if key is not None and key in _VALIDATED:
        return list(_VALIDATED[key])
    problems = check(kind, path)[1]
    if key is not None and _validation_key(kind, path) == key:  # unchanged while it was read
        if len(_VALIDATED) >= 256:
            _VALIDATED.pop(next(iter(_VALIDATED)))
        _VALIDATED[key] = tuple(problems)
    return problems


# A build validates each data file once per chapter that reads it (the front page and the summary read them
# all); the answer for the same kind, name and bytes is the same, so it is kept (small files only).
_VALIDATED: dict[tuple, tuple[Problem, ...]] = {}
_VALIDATED_MAX_BYTES = 1 << 22


def _validation_key(kind: str, path: str | Path) -> tuple | None:
    if kind not in SCHEMAS:
        return None
    try:
        p = Path(path)
        if not p.is_file() or p.stat().st_size > _VALIDATED_MAX_BYTES:
            return None
        import hashlib

        return kind, SCHEMAS[kind], str(path), hashlib.sha256(p.read_bytes()).digest()
    except OSError:
        return None


def load(kind: str, path: str | Path) -> pd.DataFrame:
    """Load ``path`` as data of ``kind`` (a key of :data:`evalpatterns.schema.SCHEMAS`).

    Returns a DataFrame with typed columns (floats, nullable ints, booleans, strings; missing values as NA).
    Raises :class:`DataError` naming every problem when the file does not meet the schema.
    """
    frame, problems = check(kind, path)
    if problems:
        raise DataError(problems)
    return frame
