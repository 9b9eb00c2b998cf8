"""Typing a data file's columns and checking its cells, rows and keys against the schema.

:func:`_convert` types one column vectorised, with no Python call per cell; each fast path gives exactly what
:func:`_convert_reference` gives on the column's text and hands over to it when it cannot be sure of that.
:func:`_row_rules` checks the rules between columns of a row, :func:`_check_keys` that each key is once.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .csvread import _STR
from .problems import Problem
from .schema import Column, Schema

TRUE = {"true", "yes", "1"}
FALSE = {"false", "no", "0"}
NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
# A plain decimal number: the one spelling the fast numeric path parses with pyarrow, which rounds it as
# pd.to_numeric does (both correctly). Not a leading "+": pd.to_numeric rounds "+3e69" differently from "3e69",
# so such text, like any other, goes through pd.to_numeric exactly as before.
PLAIN_NUMBER = r"^-?([0-9]{1,20}(\.[0-9]{0,30})?|\.[0-9]{1,30})([eE][+-]?[0-9]{1,4})?$"
EXACT_INT = 2.0 ** 53  # beyond this pd.to_numeric may keep an int64 that a float64 would round


def _convert(name: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Type one column vectorised; return the typed column and a problem per bad cell.

    ``raw`` is text (from a CSV file, or a Parquet text column) or a typed Parquet column. Each fast path
    gives exactly what :func:`_convert_reference` gives on the column's text, and hands over to it when it
    cannot be sure of that.
    """
    if raw.dtype == _STR:
        if not raw.isna().any():
            return _convert_text(name, raw, col)
        return _convert_reference(name, raw, col)
    if col.allowed is None and col.kind in ("int", "float") and _is_plain_number_dtype(raw.dtype):
        typed = _convert_numbers(name, raw, col)
        if typed is not None:
            return typed
    if col.kind == "bool" and raw.dtype == np.bool_:
        raw.index.to_numpy() + 2  # noqa: B018 - fails on an index that cannot give line numbers, as before
        return pd.Series(raw.to_numpy(dtype=bool), index=raw.index, name=raw.name), []
    return _convert_reference(name, _as_text(raw), col)


def _as_text(raw: pd.Series) -> pd.Series:
    """A Parquet column as the text the reference reader turns it into."""
    return raw.astype(object).where(raw.notna(), "").astype(str)


def _is_plain_number_dtype(dtype) -> bool:
    return (isinstance(dtype, np.dtype) and dtype.kind in "iuf") or str(dtype) in (
        "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64")


def _reporter(name: str, col: Column, lines: np.ndarray, found_text, problems: list[Problem]):
    """``report(mask, expected)``: a problem for each cell in ``mask``, in row order. ``found_text(rows)``
    gives the stripped text of those rows (computed for bad cells only)."""
    def report(mask, expected: str) -> None:
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not rows.size:
            return
        for line, found in zip(lines[rows], found_text(rows)):
            problems.append(Problem(name, int(line), col.name, expected, repr(found) if found else "an empty cell"))
    return report


def _check_numbers(numbers: np.ndarray, empty: np.ndarray, nonfinite: np.ndarray, col: Column, report):
    """Bad cells, then out-of-range ones, of a numeric column; returns the values (NaN where bad)."""
    with np.errstate(invalid="ignore"):
        bad = ~empty & (~np.isfinite(numbers) | nonfinite)
        if col.kind == "int":
            bad |= ~empty & ~np.isnan(numbers) & (numbers != np.round(numbers))
    report(bad, col.expectation())
    values = np.where(bad, np.nan, numbers)
    ok = ~np.isnan(values)
    out_of_range = np.zeros(len(values), dtype=bool)
    if col.minimum is not None:
        out_of_range |= ok & ((values <= col.minimum) if col.exclusive_minimum else (values < col.minimum))
    if col.maximum is not None:
        out_of_range |= ok & (values > col.maximum)
    report(out_of_range, col.expectation())
    values[out_of_range] = np.nan
    return values


def _typed(values: np.ndarray, raw: pd.Series, col: Column) -> pd.Series:
    out = pd.Series(values, index=raw.index, name=raw.name, dtype=float)
    return out.astype("Int64") if col.kind == "int" else out


def _unsafe_floats(numbers: np.ndarray) -> bool:
    """Values where a float64 might differ from what pd.to_numeric keeps: -0 and integers beyond 2**53."""
    with np.errstate(invalid="ignore"):
        magnitude = np.abs(numbers)
        return bool(((magnitude >= EXACT_INT) & (magnitude != np.inf)).any()
                    or ((numbers == 0) & np.signbit(numbers)).any())


def _convert_text(name: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]]:
    """:func:`_convert_reference` for text with no missing values, with plain numbers parsed by pyarrow and
    booleans mapped without a Python call per cell."""
    if col.kind == "str":
        return _convert_reference(name, raw, col)
    text = raw.str.strip()
    empty = text.eq("").to_numpy(dtype=bool)
    problems: list[Problem] = []
    lines = raw.index.to_numpy() + 2
    report = _reporter(name, col, lines, lambda rows: text.iloc[rows].tolist(), problems)
    if col.kind == "bool":
        lower = text.str.lower()
        is_true = lower.isin(TRUE).to_numpy(dtype=bool)
        is_false = lower.isin(FALSE).to_numpy(dtype=bool)
        report(~empty & ~is_true & ~is_false, "true or false")
        if (is_true | is_false).all():
            values = pd.Series(is_true, index=raw.index, name=raw.name)
        else:
            cells = np.full(len(text), None, dtype=object)
            cells[is_true] = True
            cells[is_false] = False
            values = pd.Series(cells, index=raw.index, name=raw.name, dtype=object)
    else:
        import pyarrow as pa
        import pyarrow.compute as pc

        plain = text.str.fullmatch(PLAIN_NUMBER).to_numpy(dtype=bool)
        numbers = np.full(len(text), np.nan)
        numbers[plain] = pc.cast(pc.filter(text.array.__arrow_array__(), pa.array(plain)),
                                 pa.float64()).to_numpy(zero_copy_only=False)
        nonfinite = np.zeros(len(text), dtype=bool)
        other = np.flatnonzero(~empty & ~plain)
        if other.size:  # anything but a plain number: the reference's parse, on those cells only
            sub = text.iloc[other]
            sub_nonfinite = sub.str.lower().isin(NON_FINITE)
            nonfinite[other] = sub_nonfinite.to_numpy(dtype=bool)
            numbers[other] = pd.to_numeric(sub.where(~sub_nonfinite), errors="coerce").to_numpy(dtype=float)
        if _unsafe_floats(numbers):
            return _convert_reference(name, raw, col)
        values = _typed(_check_numbers(numbers, empty, nonfinite, col, report), raw, col)
    if col.allowed is not None:
        report(~empty & ~text.isin(col.allowed).to_numpy(dtype=bool), col.expectation())
    if col.required:
        report(empty, col.expectation() + " (a value is required)")
    return values, problems


def _convert_numbers(name: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]] | None:
    """:func:`_convert_reference` for a numeric Parquet column, without a round trip through text; None when
    the column holds a value whose text might parse back differently."""
    lines = raw.index.to_numpy() + 2
    empty = raw.isna().to_numpy(dtype=bool)
    numbers = raw.to_numpy(dtype=float, na_value=np.nan)
    if _unsafe_floats(numbers):  # (an integer at or beyond 2**53 stays there as a float: rounding is monotone)
        return None
    problems: list[Problem] = []

    def found_text(rows):  # the cells' text as _as_text writes it: "" where missing
        return _as_text(raw.iloc[rows]).str.strip().tolist()

    report = _reporter(name, col, lines, found_text, problems)
    values = _typed(_check_numbers(numbers, empty, np.zeros(len(raw), dtype=bool), col, report), raw, col)
    if col.required:
        report(empty, col.expectation() + " (a value is required)")
    return values, problems


def _convert_reference(name: str, raw: pd.Series, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Type one column of text; the definition every fast path must agree with."""
    text = raw.astype(str).str.strip()
    empty = text.eq("")
    problems: list[Problem] = []
    lines = raw.index.to_numpy() + 2

    def report(mask: np.ndarray | pd.Series, expected: str) -> None:
        for line, found in zip(lines[np.asarray(mask)], text[np.asarray(mask)]):
            problems.append(Problem(name, int(line), col.name, expected, repr(found) if found else "an empty cell"))

    if col.kind == "str":
        values = text.where(~empty, None)
        nul = text.str.contains("\x00", regex=False).to_numpy(dtype=bool)
        if nul.any():
            for line, found in zip(lines[nul], text[nul]):
                problems.append(Problem(name, int(line), col.name, "text without NUL bytes",
                                        f"a NUL byte in {found.replace(chr(0), '<NUL>')[:60]!r}"))
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
            if numbers.dtype.kind != "i":  # a whole number beyond int64 (1e30) is not one an Int64 can hold
                bad |= ~empty & (numbers.astype(float).abs() >= 2.0 ** 63)
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
    if "accuracy or both of accuracy_low, accuracy_high" in schema.row_rules:
        no_value = frame["accuracy"].isna() & (frame["accuracy_low"].isna() | frame["accuracy_high"].isna())
        report(no_value, "accuracy", "an accuracy, or both accuracy_low and accuracy_high",
               ["accuracy", "accuracy_low", "accuracy_high"])
    for low in [c for c in frame.columns if c.endswith("_low") and c[:-4] + "_high" in cols]:
        high = low[:-4] + "_high"
        report(frame[low] > frame[high], low, f"{low} <= {high}", [low, high])
    if "higher_is_better" in cols and {"project", "task"} <= cols:
        said = frame[frame["higher_is_better"].notna()]
        ways = said.groupby(["project", "task"])["higher_is_better"].transform("nunique")
        report((ways > 1).reindex(frame.index, fill_value=False), "higher_is_better",
               "one higher_is_better per (project, task)", ["project", "task", "higher_is_better"])
    return problems


def _check_keys(name: str, frame: pd.DataFrame, schema: Schema) -> list[Problem]:
    key = [k for k in schema.key if k in frame.columns]
    if not key:
        return []
    group = frame.groupby(key, dropna=False, sort=False).ngroup()
    if group.max() + 1 == len(group):  # every key once: nothing to report
        return []
    first_line = pd.Series(frame.index.to_numpy() + 2, index=frame.index).groupby(group).transform("first")
    dup = group.duplicated(keep="first")
    problems = []
    for idx in frame.index[dup.to_numpy()]:
        row = frame.loc[idx]
        values = ", ".join(f"{k}={'' if pd.isna(row[k]) else row[k]}" for k in key)
        problems.append(Problem(name, int(idx) + 2, ", ".join(key), f"one row per ({', '.join(key)})",
                                f"a duplicate of line {int(first_line[idx])} ({values})"))
    return problems
