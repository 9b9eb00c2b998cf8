"""From a source's own table to a data-contract file: which source column fills which field.

A :class:`Mapping` holds what ``evalpatterns import`` was told: ``map`` (field -> source column, ``--map``),
``set`` (field or option -> value, ``--set``) and the kinds involved. It is saved next to the files it wrote
(``import-KIND.yml``) so that the import can be repeated with ``--mapping``.

:func:`to_contract` fills each field of the target schema, in this order: a value given with ``--set``; the
column given with ``--map``; a column of the field's own name (or a usual alias, such as ``_step`` for
``step``); a value derived from other fields (a model size parsed from its name, a family from the model, the
phase from the first on-policy step). Every row gets ``status = measured`` and ``source`` = the file it came
from. A column that is named but absent, or a required field that nothing fills, is one
:class:`ImportFailure` naming it and the columns that exist.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import SCHEMAS, Schema

SOURCE = "_source"  # the column every reader fills with the name of the file a row came from
# Columns a source often uses for a field, tried after the field's own name.
ALIASES = {
    "run": ("run", "name", "run_name", "Name", "run_id", "ID", "id"),
    "step": ("step", "_step", "Step", "global_step", "trainer/global_step"),
    "model": ("model", "model_name"),
    "accuracy": ("accuracy", "value"),  # an eval-result reader's rate
}
# Options that --set may give besides fields: they steer a reader or a derivation, and are not columns.
OPTIONS = {
    "metric": "lm-eval: the metric to read (e.g. acc, acc_norm, exact_match)",
    "filter": "lm-eval: the filter of the metric when a task has several (e.g. strict-match)",
    "scorer": "inspect: the scorer to read when a log has several",
    "on_policy_from": "distillation: the first on-policy step (steps before it are off-policy)",
    "runs_key": "wandb-history: the column of the --runs table that holds the run names",
}
PHASES = {"off_policy", "on_policy"}
DERIVED = {"family", "gap", "params_b", "scale_max", "phase"}  # fields _derive can fill from other fields


class ImportFailure(ValueError):
    """An import that cannot go on; the message says what was expected and what was found."""


@dataclass
class Mapping:
    source_kind: str
    target: str
    map: dict[str, str] = field(default_factory=dict)
    set: dict[str, str] = field(default_factory=dict)
    runs: str | None = None

    def to_dict(self, sources: list[str], written: list[str]) -> dict:
        out = {"evalpatterns_import": 1, "source_kind": self.source_kind, "target": self.target,
               "sources": sources, "map": dict(self.map), "set": dict(self.set), "written": written}
        if self.runs:
            out["runs"] = self.runs
        return out

    @classmethod
    def from_file(cls, path: str | Path) -> "Mapping":
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ImportFailure(f"{path}: cannot read the mapping ({exc})") from None
        if not isinstance(data, dict) or "target" not in data or "source_kind" not in data:
            raise ImportFailure(f"{path}: expected a mapping written by evalpatterns import (with source_kind "
                                f"and target); found {type(data).__name__}")
        for key in ("map", "set"):
            if not isinstance(data.get(key) or {}, dict):
                raise ImportFailure(f"{path}: expected '{key}' to be FIELD: VALUE pairs")
        return cls(str(data["source_kind"]), str(data["target"]),
                   {str(k): str(v) for k, v in (data.get("map") or {}).items()},
                   {str(k): str(v) for k, v in (data.get("set") or {}).items()}, data.get("runs"))


def pairs(items: list[str], flag: str) -> dict[str, str]:
    """``["a=b", ...]`` as a dict; ImportFailure for an item without '='."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ImportFailure(f"{flag} expects FIELD=VALUE; found {item!r}")
        out[name.strip()] = value.strip()
    return out


def check_fields(mapping: Mapping) -> None:
    """Every --map and --set names a field of the target (or, for --set, an option)."""
    schema = SCHEMAS[mapping.target]
    for flag, names, extra in (("--map", mapping.map, ()), ("--set", mapping.set, tuple(OPTIONS))):
        for name in names:
            if name in ("status", "source"):
                raise ImportFailure(f"{flag} {name}: every imported row is status=measured, with source naming "
                                    "the file it came from; these are not set by hand")
            if name not in schema.names and name not in extra:
                valid = schema.names + list(extra)
                near = difflib.get_close_matches(name, valid, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                raise ImportFailure(f"{flag} {name}=...: {schema.filename} has no field '{name}'{hint}; its fields: "
                                    f"{', '.join(schema.names)}" + (f"; options: {', '.join(extra)}" if extra else ""))


def missing_column(what: str, column: str, columns, why: str) -> ImportFailure:
    """The one message for a source column that is not there: its name, why it was wanted, what exists."""
    columns = [str(c) for c in columns if c != SOURCE]
    near = difflib.get_close_matches(column, columns, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return ImportFailure(f"{what}: no column '{column}'{hint} ({why}); its columns: {', '.join(columns)}")


def to_contract(frame: pd.DataFrame, mapping: Mapping, what: str) -> pd.DataFrame:
    """The source ``frame`` as rows of the target schema (typed, in the schema's column order)."""
    schema = SCHEMAS[mapping.target]
    out = pd.DataFrame(index=frame.index)
    for col in schema.columns:
        if col.name in ("status", "source"):
            continue
        if col.name in mapping.set:
            out[col.name] = mapping.set[col.name]
        elif col.name in mapping.map:
            source = mapping.map[col.name]
            if source not in frame.columns:
                raise missing_column(what, source, frame.columns, f"mapped to {col.name} with --map")
            out[col.name] = frame[source]
        else:
            found = next((a for a in (col.name, *ALIASES.get(col.name, ())) if a in frame.columns), None)
            if found is not None:
                out[col.name] = frame[found]
    _derive(out, frame, schema, mapping, what)
    out["status"] = "measured"
    out["source"] = frame[SOURCE].map(lambda p: Path(str(p)).name) if SOURCE in frame else what
    missing = [c.name for c in schema.columns if c.required and c.name not in out.columns]
    if missing:  # a field the others derive from first: its absence is the cause
        name = sorted(missing, key=lambda n: n in DERIVED)[0]
        raise ImportFailure(
            f"{what}: nothing fills the required field '{name}' of {schema.filename}: map a column with --map "
            f"{name}=COLUMN or give a value with --set {name}=VALUE; its columns: "
            f"{', '.join(str(c) for c in frame.columns if c != SOURCE)}")
    out = out[[c.name for c in schema.columns if c.name in out.columns]]
    return _combine_rows(_typed(out, schema), schema)


def _derive(out: pd.DataFrame, frame: pd.DataFrame, schema: Schema, mapping: Mapping, what: str) -> None:
    """Fill fields that the source does not hold as such but that follow from what it holds."""
    names = set(schema.names)
    model = next((frame[a] for a in ALIASES["model"] if a in frame.columns), None)
    if "student" in names and "student" not in out and model is not None and schema.name != "distillation":
        out["student"] = model
    if "params_b" in names and "params_b" not in out and model is not None:
        out["params_b"] = model.map(parse_size)
        unsized = sorted(set(model[out["params_b"].isna()].astype(str)))
        if unsized:
            raise ImportFailure(f"{what}: cannot tell the size of model '{unsized[0]}' from its name (expected a "
                                "size such as 7B or 160M in it); give it with --set params_b=SIZE_IN_BILLIONS "
                                "or --map params_b=COLUMN")
    if "family" in names and "family" not in out:
        base = out["student"] if "student" in out else model
        if base is not None:
            out["family"] = base.map(family_of)
    if "gap" in names and "gap" not in out and {"student", "teacher"} <= set(out.columns):
        out["gap"] = out["teacher"].map(parse_size) / out["student"].map(parse_size)
        unsized = out["gap"].isna()
        if unsized.any():
            row = out[unsized].iloc[0]
            raise ImportFailure(f"{what}: cannot compute gap (teacher size / student size) from '{row['teacher']}' "
                                f"and '{row['student']}': give sizes in the names (such as 70B and 1B), or the "
                                "gap with --set gap=RATIO or --map gap=COLUMN")
    if "scale_max" in names and "scale_max" not in out and "value" in out:
        values = pd.to_numeric(out["value"], errors="coerce")
        if values.max() <= 1:
            out["scale_max"] = 1.0
    if "phase" in names:
        if "phase" in out:
            out["phase"] = out["phase"].map(_phase_name)
            bad = sorted(set(out["phase"].dropna()) - PHASES)
            if bad:
                raise ImportFailure(f"{what}: phase values must be off_policy or on_policy (or off-policy, "
                                    f"on-policy); found '{bad[0]}'")
        elif "on_policy_from" in mapping.set and "step" in out:
            first = _number(mapping.set["on_policy_from"], "on_policy_from")
            out["phase"] = np.where(pd.to_numeric(out["step"]) >= first, "on_policy", "off_policy")


def _phase_name(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return value
    return re.sub(r"[\s-]+", "_", str(value).strip().lower()).replace("offpolicy", "off_policy").replace(
        "onpolicy", "on_policy")


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ImportFailure(f"--set {name} expects a number; found {text!r}") from None


SIZE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*([bBmM])(?![a-zA-Z])")


def parse_size(name) -> float:
    """A model's size in billions of parameters read off its name: 'Llama-3.1-70B' -> 70.0,
    'pythia-160m' -> 0.16, 'Qwen2.5-7B-Instruct' -> 7.0; NaN when the name holds no size."""
    sizes = SIZE.findall(str(name).rsplit("/", 1)[-1])
    if not sizes:
        return float("nan")
    number, unit = sizes[-1]
    return float(number) / (1000.0 if unit in "mM" else 1.0)


def family_of(name) -> str:
    """A model's family: the leading letters of its name ('meta-llama/Llama-3.2-1B' -> 'Llama')."""
    match = re.match(r"[A-Za-z]+", str(name).rsplit("/", 1)[-1].strip())
    return match.group(0) if match else str(name)


def _typed(out: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Numbers as numbers and whole numbers without '.0', so that the file reads back as the source held it."""
    for col in schema.columns:
        if col.name not in out or col.kind == "str":
            continue
        if col.kind == "bool":
            out[col.name] = out[col.name].map(
                lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                else ("true" if str(v).strip().lower() in ("true", "1", "yes", "1.0") else "false"))
            continue
        numbers = pd.to_numeric(out[col.name], errors="coerce")
        if col.kind == "int":
            whole = numbers.dropna()
            if (whole == np.round(whole)).all():
                numbers = numbers.round().astype("Int64")
        out[col.name] = numbers.where(numbers.notna() | out[col.name].isna(), out[col.name])
    return out


def _combine_rows(out: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """In a step log, rows of one (run, step) (a step logged in several history rows, or several files) as one
    row: the first value of each column that has one, and every file it came from. Elsewhere a repeated key is
    left for the validator."""
    key = [k for k in schema.key if k in out.columns]
    if "step" not in key or not out.duplicated(key).any():
        return out.reset_index(drop=True)
    groups = out.groupby(key, sort=True, dropna=False)
    combined = groups.first()
    combined["source"] = groups["source"].agg(lambda s: "; ".join(sorted(set(s))))
    return combined.reset_index()[list(out.columns)]
