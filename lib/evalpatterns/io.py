"""Load and validate the data files.

``load(kind, path)`` returns a typed DataFrame or raises :class:`DataError` listing every problem found, each
naming the file, the line, the column, what was expected and what was found. ``validate(kind, path)`` returns
that list without raising. Inputs are only read, never written.
"""
from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import SCHEMAS, Column, Schema

TRUE = {"true", "yes", "1"}
FALSE = {"false", "no", "0"}
NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file. ``line`` is the 1-based line in the file (header = line 1)."""

    file: str
    line: int | None
    column: str | None
    expected: str
    found: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: expected {self.expected}; found {self.found}"


class DataError(ValueError):
    """Raised when a data file does not meet its schema; ``problems`` lists every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV or Parquet file as strings, or report why it cannot be read."""
    name = str(path)
    if not path.exists():
        return None, [Problem(name, None, None, "a data file", "no such file")]
    if path.is_dir():
        return None, [Problem(name, None, None, "a data file", "a directory")]
    if path.suffix.lower() in {".parquet", ".pq"}:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types
            return None, [Problem(name, None, None, "a Parquet file", f"unreadable ({type(exc).__name__})")]
        frame = frame.astype(object).where(frame.notna(), "").astype(str)
    else:
        if path.stat().st_size == 0:
            return None, [Problem(name, None, None, "a CSV file with a header row", "an empty file")]
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh), [])
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                                encoding="utf-8", on_bad_lines="error", skip_blank_lines=False)
        except UnicodeDecodeError:
            return None, [Problem(name, None, None, "a UTF-8 CSV file", "binary or non-UTF-8 content")]
        except pd.errors.EmptyDataError:
            return None, [Problem(name, None, None, "a CSV file with a header row", "no columns")]
        except pd.errors.ParserError as exc:
            return None, [Problem(name, None, None, "a CSV file", f"not parseable as CSV ({exc})".strip())]
        frame.columns = [str(c).strip() for c in header] if len(header) == frame.shape[1] else frame.columns
        blank = frame.apply(lambda col: col.str.strip().eq("")).all(axis=1)
        frame = frame[~blank]  # the index still counts blank lines, so line numbers stay right
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, []


def _check_columns(name: str, frame: pd.DataFrame, schema: Schema) -> list[Problem]:
    problems = []
    present = set(frame.columns)
    for col in schema.required_columns:
        if col not in present:
            near = difflib.get_close_matches(col, [c for c in frame.columns if c not in schema.names], n=1)
            found = (f"no such column, but a column '{near[0]}' (did you mean '{col}'?)" if near
                     else "no such column")
            problems.append(Problem(name, 1, col, f"a column named '{col}'", found))
    dupes = pd.Index(frame.columns)[pd.Index(frame.columns).duplicated()].tolist()
    for col in dupes:
        problems.append(Problem(name, 1, col, "each column once", "the column repeated"))
    return problems


def _convert(name: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Type one column vectorised; return the typed column and a problem per bad cell."""
    text = raw.astype(str).str.strip()
    empty = text.eq("")
    problems: list[Problem] = []
    lines = raw.index.to_numpy() + 2

    def report(mask: np.ndarray | pd.Series, expected: str) -> None:
        for line, found in zip(lines[np.asarray(mask)], text[np.asarray(mask)]):
            problems.append(Problem(name, int(line), col.name, expected, repr(found) if found else "an empty cell"))

    if col.kind == "str":
        values = text.where(~empty, None)
    elif col.kind == "bool":
        lower = text.str.lower()
        bad = ~empty & ~lower.isin(TRUE | FALSE)
        report(bad, "true or false")
        values = lower.map(lambda v: True if v in TRUE else (False if v in FALSE else None))
    else:
        nonfinite = text.str.lower().isin(NON_FINITE)
        numbers = pd.to_numeric(text.where(~empty & ~nonfinite), errors="coerce")
        bad = ~empty & (numbers.isna() | nonfinite | ~np.isfinite(numbers.fillna(0)))
        if col.kind == "int":
            bad |= ~empty & numbers.notna() & (numbers != np.round(numbers))
        report(bad, col.expectation())
        values = numbers.where(~bad)
        ok = values.notna()
        out_of_range = pd.Series(False, index=values.index)
        if col.minimum is not None:
            out_of_range |= ok & ((values <= col.minimum) if col.exclusive_minimum else (values < col.minimum))
        if col.maximum is not None:
            out_of_range |= ok & (values > col.maximum)
        report(out_of_range, col.expectation())
        values = values.where(~out_of_range)
        values = values.astype("Int64") if col.kind == "int" else values.astype(float)
    if col.allowed is not None:
        bad = ~empty & ~text.isin(col.allowed)
        report(bad, col.expectation())
    if col.required:
        report(empty, col.expectation() + " (a value is required)")
    return values, problems


def _row_rules(name: str, frame: pd.DataFrame, schema: Schema) -> list[Problem]:
    problems = []
    lines = frame.index.to_numpy() + 2

    def report(mask, column, expected, found_cols):
        mask = np.asarray(mask.fillna(False) if hasattr(mask, "fillna") else mask, dtype=bool)
        for i in np.flatnonzero(mask):
            found = ", ".join(f"{c}={frame[c].iloc[i]}" for c in found_cols)
            problems.append(Problem(name, int(lines[i]), column, expected, found))

    cols = set(frame.columns)
    if {"value", "scale_max"} <= cols:
        report(frame["value"] > frame["scale_max"], "value", "value <= scale_max", ["value", "scale_max"])
    if {"n_correct", "n_eval"} <= cols:
        report(frame["n_correct"] > frame["n_eval"], "n_correct", "n_correct <= n_eval", ["n_correct", "n_eval"])
    if schema.name == "roi":
        no_value = frame["accuracy"].isna() & (frame["accuracy_low"].isna() | frame["accuracy_high"].isna())
        report(no_value, "accuracy", "an accuracy, or both accuracy_low and accuracy_high",
               ["accuracy", "accuracy_low", "accuracy_high"])
        report(frame["accuracy_low"] > frame["accuracy_high"], "accuracy_low", "accuracy_low <= accuracy_high",
               ["accuracy_low", "accuracy_high"])
    return problems


def _check_keys(name: str, frame: pd.DataFrame, schema: Schema) -> list[Problem]:
    key = [k for k in schema.key if k in frame.columns]
    if not key:
        return []
    group = frame.groupby(key, dropna=False, sort=False).ngroup()
    first_line = pd.Series(frame.index.to_numpy() + 2, index=frame.index).groupby(group).transform("first")
    dup = group.duplicated(keep="first")
    problems = []
    for idx in frame.index[dup.to_numpy()]:
        row = frame.loc[idx]
        values = ", ".join(f"{k}={'' if pd.isna(row[k]) else row[k]}" for k in key)
        problems.append(Problem(name, int(idx) + 2, ", ".join(key), f"one row per ({', '.join(key)})",
                                f"a duplicate of line {int(first_line[idx])} ({values})"))
    return problems


def check(kind: str, path: str | Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read ``path`` as data of ``kind`` and return (typed frame or None, every problem found)."""
    if kind not in SCHEMAS:
        raise KeyError(f"unknown data kind {kind!r}; expected one of {', '.join(SCHEMAS)}")
    schema = SCHEMAS[kind]
    path = Path(path)
    name = str(path)
    raw, problems = _read_raw(path)
    if raw is None:
        return None, problems
    problems = _check_columns(name, raw, schema)
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
    extra = [c for c in raw.columns if c not in typed]
    frame = pd.DataFrame(typed, index=raw.index)
    for c in extra:
        frame[c] = raw[c]
    # Row rules and keys are checked on the rows whose cells are all valid, so that one bad cell is
    # reported once and not again as a broken rule.
    bad_lines = {p.line for p in problems}
    clean = frame[~(frame.index.to_series() + 2).isin(bad_lines)]
    problems += _row_rules(name, clean, schema)
    problems += _check_keys(name, clean, schema)
    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    return (None if problems else frame), problems


def _empty_dtype(col: Column) -> str:
    return {"str": "object", "bool": "object", "int": "Int64", "float": "float64"}[col.kind]


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (what a build's content hash and the front page's manifest use)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def validate(kind: str, path: str | Path) -> list[Problem]:
    """Every problem of ``path`` against the schema of ``kind`` (empty when the file is valid)."""
    return check(kind, path)[1]


def load(kind: str, path: str | Path) -> pd.DataFrame:
    """Load ``path`` as data of ``kind`` (a key of :data:`evalpatterns.schema.SCHEMAS`).

    Returns a DataFrame with typed columns (floats, nullable ints, booleans, strings; missing values as NA).
    Raises :class:`DataError` naming every problem when the file does not meet the schema.
    """
    frame, problems = check(kind, path)
    if problems:
        raise DataError(problems)
    return frame
