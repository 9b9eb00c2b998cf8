"""CSV to Parquet, once: a CSV step log larger than a threshold is converted by streaming (never whole in
memory), with a progress bar, and cached by the CSV's content hash so that the next run reads the Parquet
file at once.

The cache is ``_build/.cache/parquet/<kind>-<sha256 of the CSV, 16 hex digits>.parquet`` under the book's
root (``EVALPATTERNS_PARQUET_CACHE`` names another folder). A conversion writes a temporary file and renames
it when complete, so an interrupted conversion leaves nothing that looks finished.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .. import schema as schemas
from ..chapters import ROOT

THRESHOLD_BYTES = 64 << 20  # below this, the pandas loader (which validates every cell) reads the CSV
_ARROW = {"str": pa.string(), "float": pa.float64(), "int": pa.int64(), "bool": pa.string()}
_PROGRESS_AFTER_BYTES = 32 << 20  # smaller files take under a few seconds: no bar


class ConversionError(ValueError):
    """A CSV that cannot be converted; the message names the file, row and column."""


def cache_dir() -> Path:
    return Path(os.environ.get("EVALPATTERNS_PARQUET_CACHE") or ROOT / "_build" / ".cache" / "parquet")


def _bar(total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                disable=total < _PROGRESS_AFTER_BYTES, leave=False)


def content_hash(path: Path, block: int = 1 << 24) -> str:
    """SHA-256 of the file's bytes (with a progress bar for a large file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh, _bar(path.stat().st_size, f"hashing {path.name}") as bar:
        while chunk := fh.read(block):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


def parquet_for(kind: str, path: str | Path) -> Path:
    """The Parquet file holding the CSV ``path`` of schema ``kind``, converting it on first use."""
    path = Path(path)
    target = cache_dir() / f"{kind}-{content_hash(path)[:16]}.parquet"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        try:
            convert(kind, path, partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return target


def convert(kind: str, csv_path: Path, out: Path, block_size: int = 1 << 24) -> int:
    """Stream ``csv_path`` into the Parquet file ``out`` with the schema's column types; returns the rows.

    Columns the schema does not name are kept as text. Empty cells are missing values. A cell that is not
    of its column's type raises :class:`ConversionError` naming the file, the row (1 is the header) and the
    column.
    """
    schema = schemas.SCHEMAS[kind]
    header = pacsv.open_csv(csv_path, read_options=pacsv.ReadOptions(block_size=1 << 16)).schema.names
    types = {c.name: _ARROW[c.kind] for c in schema.columns if c.name in header}
    convert_options = pacsv.ConvertOptions(column_types={n: pa.string() for n in header},
                                           strings_can_be_null=True, null_values=[""],
                                           quoted_strings_can_be_null=True)
    rows = 0
    target = pa.schema([pa.field(n, types.get(n, pa.string())) for n in header])
    size = csv_path.stat().st_size
    with pa.OSFile(str(csv_path)) as source, pq.ParquetWriter(out, target) as writer, \
            _bar(size, f"converting {csv_path.name}") as bar:
        reader = pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=block_size),
                                convert_options=convert_options)
        for batch in reader:
            writer.write_batch(_typed(batch, target, csv_path, rows))
            rows += batch.num_rows
            bar.update(min(size, source.tell()) - bar.n)
        bar.update(size - bar.n)
    return rows


def _typed(batch: pa.RecordBatch, target: pa.Schema, csv_path: Path, first_row: int) -> pa.RecordBatch:
    columns = []
    for field, column in zip(target, batch.columns):
        if field.type == pa.string():
            columns.append(column)
            continue
        try:
            columns.append(_cast(pc.utf8_trim_whitespace(column), field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            text = column.to_pandas()
            bad = _first_bad(text.str.strip(), field.type)
            raise ConversionError(
                f"{csv_path}: row {first_row + bad + 2}, column '{field.name}': expected "
                f"{'a number' if field.type == pa.float64() else 'a whole number'}, found '{text.iloc[bad]}'"
            ) from None
    return pa.RecordBatch.from_arrays(columns, schema=target)


def _cast(text: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    """``text`` as ``arrow_type``; a whole number may be written as a decimal (``2.0``)."""
    try:
        return pc.cast(text, arrow_type)
    except pa.ArrowInvalid:
        if arrow_type != pa.int64():
            raise
        numbers = pc.cast(text, pa.float64())
        return pc.cast(numbers, arrow_type)  # safe cast: raises ArrowInvalid on a fraction


def _first_bad(text, arrow_type) -> int:
    import pandas as pd

    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if arrow_type == pa.int64():
        bad |= numbers.notna() & (numbers % 1 != 0)
    return int(bad.to_numpy().nonzero()[0][0])
