"""Reading a CSV or Parquet data file into a frame of raw values, or the problems that stop it being read.

:func:`_read` reads only a schema's columns: a well-formed CSV through pyarrow as strings (with a byte-order
mark, ragged rows, a quote after a space, NUL bytes or an open quote handing over), a Parquet file keeping its
column types. :func:`_read_raw` is the plain reference reader that takes over for any file the fast paths
cannot vouch for, so problems are found and worded the same either way. Inputs are only read, never written.
"""
from __future__ import annotations

import codecs
import csv
import io as _stdio
import mmap
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import Problem
from .schema import Schema

PARQUET_SUFFIXES = {".parquet", ".pq"}


def _not_a_data_file(path: Path) -> Problem | None:
    """Why ``path`` cannot be read as a data file (missing, a folder, a FIFO, a device, a broken link,
    unreadable), checked without opening it, so that nothing waits on a FIFO; None for a readable file."""
    import stat

    name = str(path)
    try:
        os.lstat(path)
    except OSError:
        return Problem(name, None, None, "a data file", "no such file")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return Problem(name, None, None, "a data file", f"a broken link (to {os.readlink(path)})"
                       if path.is_symlink() else "a file that cannot be read")
    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe), not a file"),
             (stat.S_ISCHR, "a device, not a file"), (stat.S_ISBLK, "a device, not a file"),
             (stat.S_ISSOCK, "a socket, not a file")]
    for test, found in kinds:
        if test(mode):
            return Problem(name, None, None, "a data file", found)
    if not stat.S_ISREG(mode):
        return Problem(name, None, None, "a data file", "not a regular file")
    if not os.access(path, os.R_OK):
        return Problem(name, None, None, "a data file", "a file you may not read (permission denied)")
    return None


def _csv_shape_problems(path: Path, strict: bool = False) -> list[Problem]:
    """Rows with more fields than the header (pandas would silently take the first as an index) and, with
    ``strict``, a quote left open at the end of the file; line numbers are the file's (header = line 1)."""
    name = str(path)
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, skipinitialspace=True, strict=strict)
        header = next(reader, [])
        start = reader.line_num + 1
        try:
            for row in reader:
                if len(row) > len(header):
                    problems.append(Problem(name, reader.line_num, None,
                                            f"at most {len(header)} fields, as in the header",
                                            f"{len(row)} fields (a comma too many, or text with a comma that "
                                            f"is not in double quotes)"))
                    if len(problems) >= 20:
                        break
                start = reader.line_num + 1
        except csv.Error:
            problems.append(Problem(name, start, None, "every double quote closed",
                                    "a quoted field that starts here and does not end"))
    return problems


def _read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read every column of a CSV or Parquet file as strings, or report why it cannot be read.

    The reference reader: :func:`_read` uses it whenever its fast readers cannot vouch for giving the same
    result (an unreadable or unusual file), so every problem is found and worded as here.
    """
    name = str(path)
    not_a_file = _not_a_data_file(path)
    if not_a_file is not None:
        return None, [not_a_file]
    if path.suffix.lower() in PARQUET_SUFFIXES:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types
            return None, [Problem(name, None, None, "a Parquet file", f"unreadable ({type(exc).__name__})")]
        frame = frame.astype(object).where(frame.notna(), "").astype(str)
    else:
        if path.stat().st_size == 0:
            return None, [Problem(name, None, None, "a CSV file with a header row", "an empty file")]
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:  # a byte-order mark is allowed
                header = next(csv.reader(fh), [])
            if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):  # another delimiter: the
                return pd.DataFrame(columns=[header[0].strip()]), []       # column check says which
            shape = _csv_shape_problems(path)
            if shape:
                return None, shape
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, index_col=False,
                                encoding="utf-8-sig", on_bad_lines="error", skip_blank_lines=False)
        except UnicodeDecodeError:
            return None, [Problem(name, None, None, "a UTF-8 CSV file", "binary or non-UTF-8 content")]
        except pd.errors.EmptyDataError:
            return None, [Problem(name, None, None, "a CSV file with a header row", "no columns")]
        except (pd.errors.ParserError, csv.Error):  # in our words, with the file's line numbers
            return None, (_csv_shape_problems(path, strict=True)
                          or [Problem(name, None, None, "a CSV file", "text that cannot be read as CSV")])
        frame.columns = [str(c).strip() for c in header] if len(header) == frame.shape[1] else frame.columns
        blank = frame.apply(lambda col: col.str.strip().eq("")).all(axis=1)
        frame = frame[~blank]  # the index still counts blank lines, so line numbers stay right
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, []


def _read(path: Path, schema: Schema) -> tuple[list[str] | None, pd.DataFrame | None, list[Problem]]:
    """(every column name in the file, the schema's columns it has as raw values, problems).

    Only the schema's columns are read: extra columns are allowed and ignored, and a file's wide unused
    columns cost nothing. A well-formed CSV is read by pyarrow as strings; a Parquet file keeps its column
    types. Anything else falls back to :func:`_read_raw`.
    """
    try:
        fast = (_read_parquet_fast if path.suffix.lower() in PARQUET_SUFFIXES else _read_csv_fast)(path, schema)
    except Exception:  # noqa: BLE001 - whatever went wrong, the reference reader says it properly
        fast = None
    if fast is not None:
        return fast[0], fast[1], []
    raw, problems = _read_raw(path)
    if raw is None:
        return None, None, problems
    names = list(raw.columns)
    wanted = [c for c in dict.fromkeys(names) if c in set(schema.names)]
    return names, (raw if len(set(names)) != len(names) else raw[wanted]), []


def _header_ok(names: list[str], schema: Schema) -> bool:
    """True when the column names pass :func:`evalpatterns.io._check_columns` (so the fast readers need no
    error path)."""
    return bool(names) and len(set(names)) == len(names) and set(schema.required_columns) <= set(names)


def _read_csv_fast(path: Path, schema: Schema) -> tuple[list[str], pd.DataFrame] | None:
    """Read the schema's columns of a plain CSV file with pyarrow, as strings; None when the file has
    anything the pandas reader of :func:`_read_raw` might read differently (a quoted header, a quote after
    a space, NUL bytes) or that makes pyarrow fail (ragged rows, bad UTF-8, ...)."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    if path.suffix.lower() in PARQUET_SUFFIXES or not path.is_file() or path.stat().st_size == 0:
        return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    names = [str(c).strip() for c in header]
    if not _header_ok(names, schema):
        return None
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        first_line = mm[:mm.find(b"\n") + 1 or len(mm)]
        # skipinitialspace makes pandas read ` "a,b"` as a quoted field; pyarrow would not
        if b'"' in first_line or mm.find(b"\x00") != -1 or (mm.find(b'"') != -1 and _space_then_quote(mm)):
            return None
        ends_a_line = mm[-1:] in (b"\n", b"\r")
    fields = [f"f{i}" for i in range(len(names))]
    wanted = [i for i, c in enumerate(names) if c in set(schema.names)]
    # One more row after the file's own: pandas refuses a quote left open at the end of the file, where
    # pyarrow would read it to the end; an open quote swallows this row, which is how it is noticed.
    sentinel = ",".join([_SENTINEL] * len(names)).encode()
    with open(path, "rb") as fh:
        table = pa_csv.read_csv(
            _stdio.BufferedReader(_ThenMore(fh, (b"" if ends_a_line else b"\n") + sentinel + b"\n"), 1 << 20),
            read_options=pa_csv.ReadOptions(column_names=fields, skip_rows=1, use_threads=False, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(include_columns=[fields[i] for i in wanted],
                                                  column_types={fields[i]: pa.large_string() for i in wanted},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    if not table.num_rows or any(table.column(c)[-1].as_py() != _SENTINEL for c in table.column_names):
        return None
    table = table.slice(0, table.num_rows - 1)
    extra = len(wanted) < len(names)
    if extra and not _is_utf8(path):  # pyarrow checked the columns it read; pandas checks them all
        return None
    frame = table.to_pandas()
    frame.columns = [names[i] for i in wanted]
    if not all(frame[c].dtype == _STR for c in frame.columns):
        return None
    blank = _blank_rows(frame)
    if blank.any():
        if extra:  # blank here, but perhaps not in the columns that were not read
            return None
        frame = frame[~blank]  # the index still counts blank lines, so line numbers stay right
    return names, frame


_STR = pd.StringDtype("pyarrow", na_value=np.nan)
_SENTINEL = "\x01evalpatterns-end-of-file\x01"


class _ThenMore(_stdio.RawIOBase):
    """A binary file's bytes followed by ``more``."""

    def __init__(self, fh, more: bytes):
        self._fh, self._more = fh, memoryview(more)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._fh.readinto(buffer)
        if n:
            return n
        n = min(len(buffer), len(self._more))
        buffer[:n], self._more = self._more[:n], self._more[n:]
        return n


def _space_then_quote(buffer, block: int = 1 << 24) -> bool:
    """Whether a space or tab comes right before a double quote anywhere in ``buffer``."""
    data = np.frombuffer(buffer, dtype=np.uint8)
    for start in range(0, len(data), block):
        chunk = data[max(start - 1, 0):start + block]
        quotes = np.flatnonzero(chunk[1:] == 34)
        before = chunk[quotes]
        if ((before == 32) | (before == 9)).any():
            return True
    return False


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or whitespace (what a blank line reads as), narrowing column by
    column so that only candidate rows are looked at again."""
    blank = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        rows = np.flatnonzero(blank)
        if not rows.size:
            break
        col = frame[c] if rows.size == len(frame) else frame[c].iloc[rows]
        blank[rows] = col.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
    return blank


def _read_parquet_fast(path: Path, schema: Schema) -> tuple[list[str], pd.DataFrame] | None:
    """Read the schema's columns of a Parquet file, keeping their types; None when the file's columns
    are not plain, distinct names (the reference reader then reports them)."""
    from pyarrow import parquet as pq

    if not path.is_file():
        return None
    arrow_schema = pq.read_schema(path)
    meta = arrow_schema.pandas_metadata or {}
    if len(meta.get("column_indexes", [])) > 1:
        return None
    index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
    fields = [f for f in arrow_schema.names if f not in index]
    names = [f.strip() for f in fields]
    if not _header_ok(names, schema):
        return None
    wanted = [f for f, c in zip(fields, names) if c in set(schema.names)]
    frame = pd.read_parquet(path, columns=wanted)
    if list(frame.columns) != wanted:
        return None
    frame.columns = [f.strip() for f in wanted]
    for c in frame.columns:
        if frame[c].dtype == _STR:  # text: missing values read as "", as _as_text writes them
            frame[c] = frame[c].where(frame[c].notna(), "")
    return names, frame


def release_memory() -> None:
    """Give the memory freed after reading back to the system: pyarrow's allocator (mimalloc) and glibc's
    malloc keep freed memory for reuse, so a process that validated a large file kept its peak size while the
    chapter's kernel loaded the same file (a run of 10^4 runs x 100 steps from a 116 MB CSV: 850 MiB held by the
    command for nothing; 180 MiB after this). Best effort: without glibc only pyarrow's pool is released."""
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass

