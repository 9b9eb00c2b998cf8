"""Validation of a Parquet file or folder too large to load, in SQL on DuckDB, naming file, row and column.

:func:`problems` checks what :func:`evalpatterns.io.check` checks cell by cell on a small file, over every
column of the schema the files hold: the columns (a required one missing, an optional one misspelt), at least
one row, a required value missing, a value that is not of its column's type (a whole number stored with a
fraction is not one: it is never rounded), outside its allowed values or its bounds, the schema's rules
between the columns of a row (on the rows whose cells are valid, as :func:`evalpatterns.rowrules._row_rules`
checks them) and, when nothing else is wrong, the key repeated. Each rule is one aggregate over the files;
for a rule that is broken the first offending row is fetched, so the message names its file and row (line =
row + 2, the header being line 1, as for a small file) and how many rows break the rule. Only counts and one
row per broken rule leave DuckDB; an error of DuckDB, Ibis or Arrow on the files is one problem naming them.
"""
from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd

from .. import schema as schemas
from ..problems import Problem
from .backends import is_parquet

ENGINE_KINDS = ("distillation", "memorization")  # the kinds :data:`.source.COLUMNS` names

#: A Parquet file with more rows than this (or a folder of them) is validated here, not loaded into pandas.
IN_MEMORY_ROWS = 2_000_000

_ADDED = ("filename", "file_row_number")  # the columns DuckDB adds to say where a row is


def in_engine(kind: str, path) -> bool:
    """Whether ``path`` of ``kind`` is validated by :func:`problems`: a folder, or a Parquet file of more than
    :data:`IN_MEMORY_ROWS` rows (read from its footer), of a kind an engine analyses."""
    if kind not in ENGINE_KINDS or not is_parquet(path):
        return False
    p = Path(path)
    if p.is_dir():
        return True
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(p).metadata.num_rows > IN_MEMORY_ROWS
    except Exception:  # not readable as Parquet: the pandas reader says why
        return False


def problems(kind: str, path) -> list[Problem]:
    """Every broken rule of the Parquet file or folder ``path`` (one Problem per column and rule)."""
    from . import source

    try:
        return _problems(kind, path)
    except source.SourceError as exc:
        return [Problem(str(path), None, None, "Parquet files", str(exc).split(": ", 1)[-1])]
    except source.ENGINE_ERRORS as exc:  # DuckDB's errors for a file it cannot read or type
        return [Problem(str(path), None, None, "readable Parquet files", source.unreadable(exc))]


def _problems(kind: str, path) -> list[Problem]:
    from .. import io
    from . import backends, source

    name, schema = str(path), schemas.SCHEMAS[kind]
    con = backends.duckdb()
    files, hive = source.parquet_files(Path(path))
    raw = con.read_parquet(files, hive_partitioning=hive, union_by_name=True, filename=True,
                           file_row_number=True)
    header = io._check_columns(name, [c for c in raw.columns if c not in _ADDED], schema)
    if header:
        return header
    if not int(con.execute(raw.count())):
        return [Problem(name, None, None, "at least one data row", "no rows")]
    typed, cells = {}, []
    for c in (c for c in schema.names if c in raw.columns):  # an optional column left out is empty
        typed[c], rules = _column(raw[c], schema.column(c))
        cells += [(c, expected, rule) for expected, rule in rules]
    any_bad = ibis.literal(False)
    for _, _, rule in cells:
        any_bad = any_bad | rule.fill_null(False)
    rules = [(column, expected, rule, None) for column, expected, rule in cells]  # None: show the cell
    rules += [(column, expected, rule & ~any_bad, found) for column, expected, rule, found in _row_rules(typed, schema)]
    counts = con.execute(raw.aggregate(**{f"r{i}": rule.fill_null(False).sum() for i, (*_, rule, _) in
                                          enumerate(rules)}))
    out = []
    for i, (column, expected, rule, found_cols) in enumerate(rules):
        n = int(counts[f"r{i}"].iloc[0] or 0)
        if n:
            picked = {column: raw[column]} if found_cols is None else {c: typed[c] for c in found_cols}
            first = con.execute(raw.filter(rule.fill_null(False)).select(*_ADDED, **picked)
                                .order_by(*_ADDED).limit(1)).iloc[0]
            found = _found(first[column]) if found_cols is None else \
                ", ".join(f"{c}={_text(first[c])}" for c in found_cols)
            out.append(_problem(first, column, expected, found, n))
    key = [k for k in schema.key if k in typed]
    if key and not out:
        out += _duplicates(con, raw, typed, key)
    return out


def _column(x, col) -> tuple:
    """``x`` typed as ``col`` says (missing where it is not valid) and the rules its cells must meet, as
    (expected, rule) pairs worded as :func:`evalpatterns.rowrules._convert` words them."""
    from . import source

    dtype = x.type()
    text = x.cast("string").strip()
    missing = x.isnull() | (text == "") if dtype.is_string() else x.isnull()
    if dtype.is_floating():
        missing = missing | x.isnan()  # NaN in a Parquet number column is a missing value, as pandas reads it
    rules = []
    if col.kind in ("int", "float"):
        number = x.cast("float64") if dtype.is_numeric() else x.try_cast("float64")
        if col.kind == "int" and dtype.is_integer():
            value = x.try_cast("int64")
            rules.append((col.expectation(), x.notnull() & value.isnull()))  # a uint64 beyond int64
        elif col.kind == "int":
            bad, value = source.whole(number)
            bad = ~missing & (number.isnull() | number.isnan() | bad)
            exact = text.try_cast("int64")  # a whole number as text, exactly (beyond 2**53 too)
            value = ibis.ifelse(bad, ibis.null("int64"), exact.fill_null(value) if dtype.is_string() else value)
            rules.append((col.expectation(), bad))
        else:
            bad = ~missing & (number.isnull() | number.isnan() | number.isinf())
            value = ibis.ifelse(bad | missing, ibis.null("float64"), number)
            rules.append((col.expectation(), bad))
        ok = value.notnull()
        if col.minimum is not None:
            rules.append((col.expectation(), ok & ((value <= col.minimum) if col.exclusive_minimum
                                                   else (value < col.minimum))))
        if col.maximum is not None:
            rules.append((col.expectation(), ok & (value > col.maximum)))
    elif col.kind == "bool":
        value = x if dtype.is_boolean() else source._cast(text, "bool")
        if not dtype.is_boolean():
            rules.append((col.expectation(), ~missing & value.isnull()))
    else:
        value = ibis.ifelse(missing, ibis.null("string"), text)
        rules.append(("text without NUL bytes", value.contains("\x00")))
    if col.allowed is not None:
        rules.append((col.expectation(), ~missing & ~text.isin(list(col.allowed))))
    if col.required:
        rules.append((col.expectation() + " (a value is required)", missing))
    return value, rules


def _row_rules(typed: dict, schema) -> list[tuple]:
    """The schema's rules between columns of a row that the columns present allow, as
    :func:`evalpatterns.rowrules._row_rules` words them: (column, expected, rule, columns shown)."""
    out = []
    for a, b in [("value", "scale_max"), ("n_correct", "n_eval")] + \
            [(c, c[:-4] + "_high") for c in typed if c.endswith("_low")]:
        if a in typed and b in typed:
            out.append((a, f"{a} <= {b}", typed[a] > typed[b], [a, b]))
    if "accuracy or both of accuracy_low, accuracy_high" in schema.row_rules and "accuracy" in typed:
        low, high = (typed.get(c, ibis.null("float64")) for c in ("accuracy_low", "accuracy_high"))
        out.append(("accuracy", "an accuracy, or both accuracy_low and accuracy_high",
                    typed["accuracy"].isnull() & (low.isnull() | high.isnull()),
                    [c for c in ("accuracy", "accuracy_low", "accuracy_high") if c in typed]))
    return out


def _text(value) -> str:
    """A typed value as the pandas path shows it in a message (missing as empty)."""
    return "" if value is None or pd.isna(value) else str(getattr(value, "item", lambda: value)())


def _found(cell) -> str:
    """A stored cell as found: its text quoted, a number as written, or an empty cell."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)) or str(cell).strip() == "":
        return "an empty cell"
    return repr(cell) if isinstance(cell, str) else _text(cell)


def _problem(first, column: str, expected: str, found: str, n: int) -> Problem:
    more = f" (and {n - 1:,} more row{'s' if n > 2 else ''} like it)" if n > 1 else ""
    return Problem(str(first["filename"]), int(first["file_row_number"]) + 2, column, expected, found + more)


def _duplicates(con, raw, typed: dict, key: list[str]) -> list[Problem]:
    keyed = raw.select(*_ADDED, **{k: typed[k] for k in key})
    groups = keyed.group_by(key).aggregate(rows=keyed.count())
    dupes = groups.filter(groups.rows > 1)
    n = int(con.execute(dupes.aggregate(n=dupes.rows.sum() - dupes.count()))["n"].iloc[0] or 0)
    if not n:
        return []
    one = dupes.order_by(*key).limit(1)
    # a key may be missing (a seed left empty): rows match when their keys are equal or both missing
    same = [keyed[k].identical_to(one[k]) for k in key]
    rows = con.execute(keyed.inner_join(one, same).select(*_ADDED, *[keyed[k] for k in key])
                       .order_by(*_ADDED).limit(2))
    values = ", ".join(f"{k}={_text(rows[k].iloc[1])}" for k in key)
    first = f"{Path(rows['filename'].iloc[0]).name} line {int(rows['file_row_number'].iloc[0]) + 2}"
    return [_problem(rows.iloc[1], ", ".join(key), f"one row per ({', '.join(key)})",
                     f"a duplicate of {first} ({values})", n)]
