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

import codecs
import csv
import io as _stdio
import difflib
import mmap
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import SCHEMAS, Column, Schema

TRUE = {"true", "yes", "1"}
FALSE = {"false", "no", "0"}
NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
# A plain decimal number: the one spelling the fast numeric path parses with pyarrow, which rounds it as
# pd.to_numeric does (both correctly). Not a leading "+": pd.to_numeric rounds "+3e69" differently from "3e69",
# so such text, like any other, goes through pd.to_numeric exactly as before.
PLAIN_NUMBER = r"^-?([0-9]{1,20}(\.[0-9]{0,30})?|\.[0-9]{1,30})([eE][+-]?[0-9]{1,4})?$"
EXACT_INT = 2.0 ** 53  # beyond this pd.to_numeric may keep an int64 that a float64 would round


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
    """True when the column names pass :func:`_check_columns` (so the fast readers need no error path)."""
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


def _check_columns(name: str, names: list[str], schema: Schema) -> list[Problem]:
    problems = []
    present = set(names)
    if not present & set(schema.required_columns):
        for sep, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if any(sep in c for c in names):
                return [Problem(name, 1, None, "columns separated by commas",
                                f"a header separated by {called}; save the file as CSV with commas "
                                f"(columns {', '.join(schema.required_columns)})")]
    for col in schema.required_columns:
        if col not in present:
            near = difflib.get_close_matches(col, [c for c in names if c not in schema.names], n=1)
            found = (f"no such column, but a column '{near[0]}' (did you mean '{col}'?)" if near
                     else "no such column")
            problems.append(Problem(name, 1, col, f"a column named '{col}'", found))
    dupes = pd.Index(names)[pd.Index(names).duplicated()].tolist()
    for col in dupes:
        problems.append(Problem(name, 1, col, "each column once", "the column repeated"))
    return problems


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
    """SHA-256 of a file's bytes (what a build's content hash and the front page's manifest use)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def validate(kind: str, path: str | Path) -> list[Problem]:
    """Every problem of ``path`` against the schema of ``kind`` (empty when the file is valid)."""
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
