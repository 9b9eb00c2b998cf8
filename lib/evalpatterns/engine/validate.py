"""Validation of a Parquet file or folder too large to load, in SQL on DuckDB, naming file, row and column.

:func:`problems` checks, over the columns an analysis reads (:data:`.source.COLUMNS`), what
:func:`evalpatterns.io.check` checks cell by cell on a small file: a required value missing, a value that is
not of its column's type, outside its allowed values or below its minimum, and the key (one row per
``(run, step)``) repeated. Each rule is one aggregate over the files; for a rule that is broken the first
offending row is fetched, so the message names its file and row (line = row + 2, the header being line 1, as
for a small file) and how many rows break the rule. Only counts and one row per broken rule leave DuckDB.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import schema as schemas
from ..problems import Problem
from .backends import is_parquet

ENGINE_KINDS = ("distillation", "memorization")  # the kinds :data:`.source.COLUMNS` names

#: A Parquet file with more rows than this (or a folder of them) is validated here, not loaded into pandas.
IN_MEMORY_ROWS = 2_000_000


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
    from . import backends, source

    name, schema = str(path), schemas.SCHEMAS[kind]
    con = backends.duckdb()
    try:
        files, hive = source.parquet_files(Path(path))
        raw = con.read_parquet(files, hive_partitioning=hive, union_by_name=True, filename=True,
                               file_row_number=True)
    except source.SourceError as exc:
        return [Problem(name, None, None, "Parquet files", str(exc).split(": ", 1)[-1])]
    except Exception as exc:  # noqa: BLE001 - DuckDB's errors for an unreadable file
        return [Problem(name, None, None, "readable Parquet files", f"unreadable ({type(exc).__name__})")]
    missing = [c for c in source.COLUMNS[kind] if c not in raw.columns and schema.column(c).required]
    if missing:
        return [Problem(name, 1, c, f"a column named '{c}'", "no such column") for c in missing]
    rules, typed = {}, {}
    for c in (c for c in source.COLUMNS[kind] if c in raw.columns):  # an optional column left out is empty
        col = schema.column(c)
        value = source._cast(raw[c].try_cast(source._IBIS[col.kind]) if col.kind in ("float", "int")
                             and not raw[c].type().is_numeric() else raw[c], col.kind)
        typed[c] = value
        if col.kind in ("float", "int") and not raw[c].type().is_numeric():
            rules[(c, f"a {'whole ' if col.kind == 'int' else ''}number")] = raw[c].notnull() & value.isnull() & \
                (raw[c].cast("string").strip() != "")
        if col.required:
            rules[(c, "a value")] = raw[c].isnull() | (raw[c].cast("string").strip() == "")
        if col.allowed is not None:
            rules[(c, col.expectation())] = value.notnull() & ~value.isin(list(col.allowed))
        if col.minimum is not None:
            rules[(c, col.expectation())] = value < col.minimum if not col.exclusive_minimum else \
                value <= col.minimum
    counts = con.execute(raw.aggregate(**{f"r{i}": rule.sum() for i, rule in enumerate(rules.values())}))
    out = []
    for i, ((column, expected), rule) in enumerate(rules.items()):
        n = int(counts[f"r{i}"].iloc[0] or 0)
        if n:
            first = con.execute(raw.filter(rule).select("filename", "file_row_number", column)
                                .order_by("filename", "file_row_number").limit(1)).iloc[0]
            cell = first[column]
            found = "an empty cell" if pd.isna(cell) or str(cell).strip() == "" else \
                repr(cell) if isinstance(cell, str) else str(getattr(cell, "item", lambda: cell)())
            out.append(_problem(first, column, expected, found, n))
    key = [k for k in schema.key if k in typed]
    if key and not out:
        out += _duplicates(con, raw, typed, key)
    return out


def _problem(first, column: str, expected: str, found: str, n: int) -> Problem:
    more = f" (and {n - 1:,} more row{'s' if n > 2 else ''} like it)" if n > 1 else ""
    return Problem(str(first["filename"]), int(first["file_row_number"]) + 2, column, expected, found + more)


def _duplicates(con, raw, typed: dict, key: list[str]) -> list[Problem]:
    keyed = raw.select("filename", "file_row_number", **{k: typed[k] for k in key})
    groups = keyed.group_by(key).aggregate(rows=keyed.count())
    dupes = groups.filter(groups.rows > 1)
    n = int(con.execute(dupes.aggregate(n=dupes.rows.sum() - dupes.count()))["n"].iloc[0] or 0)
    if not n:
        return []
    one = dupes.order_by(*key).limit(1)
    rows = con.execute(keyed.inner_join(one, key).order_by("filename", "file_row_number").limit(2))
    values = ", ".join(f"{k}={rows[k].iloc[1]}" for k in key)
    first = f"{Path(rows['filename'].iloc[0]).name} line {int(rows['file_row_number'].iloc[0]) + 2}"
    return [_problem(rows.iloc[1], ", ".join(key), f"one row per ({', '.join(key)})",
                     f"a duplicate of {first} ({values})", n)]

