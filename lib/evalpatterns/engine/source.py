"""Input for the engines: a Parquet file, a folder of Parquet files (hive-partitioned or not), a CSV file
(converted to Parquet once when it is large), or a pandas frame; opened as an Ibis table with the schema's
column types.

Only the columns an analysis reads are opened, cast to the schema's types (text, float64 with NaN read as
missing, int64 never rounded: a value with a fraction, infinite or beyond int64 reads as missing; boolean
from ``true``/``false``/``yes``/``no``/``1``/``0``). A column the analysis needs that is missing, or a value
outside a column's allowed values, is reported in one message naming the file, the column, what was expected
and what was found (:class:`SourceError`), and so is an error of DuckDB, Ibis or Arrow on the data
(:class:`Guarded`); the full validation stays with :func:`evalpatterns.io.load` (pandas) and
:mod:`.validate` (SQL, for a folder or a large Parquet file).
"""
from __future__ import annotations

import itertools
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from .. import schema as schemas
from ..io import FALSE, PARQUET_SUFFIXES, TRUE
from . import convert

_views = itertools.count()
COLUMNS = {  # what each analysis reads
    "distillation": ("run", "family", "student", "teacher", "gap", "seed", "step", "phase", "kl", "eval_score"),
    "memorization": ("method", "n_values", "seed", "episodes", "converged", "status"),
}
_IBIS = {"str": "string", "float": "float64", "int": "int64", "bool": "boolean"}


class SourceError(ValueError):
    """Input an engine cannot read; the message says which file, column, what was expected and found."""


def parquet_files(path: Path) -> tuple[list[str], bool]:
    """The Parquet files of ``path`` (a file or a folder searched recursively) and whether the folder is
    hive-partitioned (sub-folders named ``key=value``)."""
    if path.is_file():
        return [str(path)], False
    files = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file())
    if not files:
        raise SourceError(f"{path}: expected Parquet files (*.parquet) in this folder, found none")
    hive = any("=" in part for f in files for part in Path(f).relative_to(path).parts[:-1])
    return files, hive


def open_table(con, kind: str, data, engine: str) -> tuple[ir.Table, str]:
    """``data`` (a path or a pandas frame) as a typed Ibis table on ``con``; also the name to report."""
    if isinstance(data, pd.DataFrame):
        frame = data[[c for c in COLUMNS[kind] if c in data.columns]]
        if engine == "spark":  # Spark's conversion from pandas loses nullable integers (Int64): go by Parquet
            return _typed(con.read_parquet(_parquet_copy(frame)), kind, "the data frame"), "the data frame"
        return _typed(ibis.memtable(frame), kind, "the data frame"), "the data frame"
    path = Path(data)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    name = str(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        if path.stat().st_size < convert.THRESHOLD_BYTES:
            from ..io import load

            return open_table(con, kind, load(kind, path), engine)[0], name
        path = convert.parquet_for(kind, path)
    files, hive = parquet_files(path)
    if engine == "spark":  # Spark discovers the partitions of a folder itself
        return _typed(con.read_parquet(str(path)), kind, name), name
    typed = _typed(con.read_parquet(files, hive_partitioning=hive, union_by_name=True), kind, name)
    # A view, which DuckDB inlines into each pass of an analysis: as a common table expression (Ibis's
    # form for a table used three times) it would be materialised, the whole typed log held or spilled.
    view = f"evalpatterns_{kind}_{next(_views)}"
    con.create_view(view, typed, overwrite=True)
    return con.table(view), name


def open_raw(con, data, engine: str) -> ir.Table:
    """Every column of the Parquet file or folder ``data``, as stored (for a few runs' rows and counts)."""
    path = Path(data)
    if engine == "spark":
        return con.read_parquet(str(path))
    files, hive = parquet_files(path)
    return con.read_parquet(files, hive_partitioning=hive, union_by_name=True)


def _parquet_copy(frame: pd.DataFrame) -> str:
    """``frame`` written to a temporary Parquet file (removed when the process ends)."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="evalpatterns-frame-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = f"{folder}/frame.parquet"
    frame.to_parquet(path, index=False)
    return path


def _typed(table: ir.Table, kind: str, name: str) -> ir.Table:
    """The columns :data:`COLUMNS` names, cast to the schema's types; an optional column the input leaves out
    is empty throughout (as :func:`evalpatterns.io.load` reads a CSV file without it), a required one missing
    is a :class:`SourceError`."""
    schema = schemas.SCHEMAS[kind]
    missing = [c for c in COLUMNS[kind] if c not in table.columns and schema.column(c).required]
    if missing:
        raise SourceError(f"{name}: expected the column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)} of a {kind} file, found {', '.join(table.columns) or 'none'}")
    return table.select(**{c: _cast(table[c], schema.column(c).kind) if c in table.columns
                           else ibis.null(_IBIS[schema.column(c).kind]) for c in COLUMNS[kind]})


def _cast(column: ir.Column, kind: str) -> ir.Column:
    dtype = column.type()
    if kind == "bool" and dtype.is_string():
        text = column.strip().lower()
        return ibis.cases((text.isin(sorted(TRUE)), True), (text.isin(sorted(FALSE)), False),
                          else_=ibis.null("boolean"))
    if kind == "str" and not dtype.is_string():
        return column.cast("string")
    if kind == "float":
        column = column.cast("float64")
        return ibis.ifelse(column.isnan(), ibis.null("float64"), column)  # NaN is a missing value
    if kind == "int" and dtype.is_numeric() and not dtype.is_integer():
        return whole(column.cast("float64"))[1]  # never rounded: a fraction reads as missing
    return column.try_cast(_IBIS[kind]) if kind in ("int", "bool") and not _same(dtype, kind) else column


def whole(number: ir.Column) -> tuple[ir.Column, ir.Column]:
    """For a float64 column meant to hold whole numbers: (the rows whose value is not one: infinite, with a
    fraction or beyond int64; NaN and missing are not among them), and the column as int64, missing there
    (DuckDB would round 9.5 to 10 on a cast, and fail on NaN or 1e30; Ibis's ``floor`` casts to int64 too,
    hence the remainder)."""
    bad = number.notnull() & ~number.isnan() & (number.isinf() | (number % 1.0 != 0)
                                                | (number.abs() >= 2.0 ** 63))
    return bad, ibis.ifelse(bad | number.isnan(), ibis.null("int64"), number.try_cast("int64"))


def _same(dtype, kind: str) -> bool:
    return (kind == "int" and dtype.is_int64()) or (kind == "bool" and dtype.is_boolean())


def check(con, table: ir.Table, kind: str, name: str) -> None:
    """One pass counting, per column the analysis reads, the rows that are missing a required value or hold
    a value outside the allowed ones (a boolean that is not true/false reads as missing); raises :class:`SourceError` for the first column that breaks its rule."""
    schema = schemas.SCHEMAS[kind]
    rules = {}
    for c in COLUMNS[kind]:
        col = schema.column(c)
        missing = table[c].isnull()
        if col.allowed is not None:
            rules[c] = ~table[c].isin(list(col.allowed)) | missing if col.required else \
                ~table[c].isin(list(col.allowed)) & ~missing
        elif col.required:
            rules[c] = missing
    if not rules:
        return
    counts = con.execute(table.aggregate(**{c: rule.sum() for c, rule in rules.items()}))
    for c in rules:
        n = int(counts[c].iloc[0] or 0)
        if n:
            found = con.execute(table.filter(rules[c]).select(c).limit(1))[c].iloc[0]
            col = schema.column(c)
            expected = col.expectation()
            raise SourceError(f"{name}: column '{c}': expected {expected}, found "
                              f"{'an empty cell' if pd.isna(found) else repr(found)} in {n:,} "
                              f"row{'s' if n > 1 else ''}")


def _engine_errors() -> tuple[type[BaseException], ...]:
    import duckdb
    import ibis.common.exceptions as ibis_errors
    import pyarrow as pa

    return duckdb.Error, ibis_errors.IbisError, pa.ArrowException


#: What DuckDB, Ibis and Arrow raise on data they cannot read or type (turned into one message naming the file).
ENGINE_ERRORS = _engine_errors()


class Guarded:
    """An Ibis connection whose methods (``execute``, ``read_parquet``) turn an engine's error on the data at
    ``name`` into a :class:`SourceError` naming it (one message, not a traceback from inside DuckDB); all else
    is the connection's."""

    def __init__(self, con, name: str):
        self._con, self._name = con, name

    def __getattr__(self, attr):
        value = getattr(self._con, attr)
        if not callable(value):
            return value

        def guarded(*args, **kwargs):  # execute, read_parquet, create_view, ...
            try:
                return value(*args, **kwargs)
            except ENGINE_ERRORS as exc:
                raise SourceError(f"{self._name}: {unreadable(exc)}") from None
        return guarded


def unreadable(exc: BaseException) -> str:
    """What was found, for an engine's error on the data: its kind and first line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"unreadable ({type(exc).__name__}{': ' + first[:200] if first else ''})"
