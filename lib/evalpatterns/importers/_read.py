"""Reading source files as they are (tables, JSON, the files in folders), with one message when one cannot be read."""
from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from .mapping import SOURCE, ImportFailure


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame, with a ``_source`` column naming it."""
    if not path.is_file():
        raise ImportFailure(f"{path}: no such file" + (" (a folder)" if path.is_dir() else ""))
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, low_memory=False)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        kind = "Parquet" if path.suffix.lower() in (".parquet", ".pq") else "CSV"
        raise ImportFailure(f"{path}: cannot read it as {kind} ({str(exc).splitlines()[0]})") from None
    frame.columns = [str(c) for c in frame.columns]
    frame[SOURCE] = str(path)
    return frame


def files(paths: list[Path], patterns: tuple[str, ...]) -> list[Path]:
    """The files named, and the files matching one of ``patterns`` under the folders named (recursively)."""
    out = []
    for path in paths:
        if path.is_dir():
            found = sorted({p for pattern in patterns for p in path.rglob(pattern) if p.is_file()})
            if not found:
                raise ImportFailure(f"{path}: expected files named {' or '.join(patterns)} in it; found none")
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise ImportFailure(f"{path}: no such file or folder")
    return out


def read_json(path: Path) -> dict:
    """A JSON file holding one object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailure(f"{path}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ImportFailure(f"{path}: expected a JSON object; found {type(data).__name__}")
    return data


ZSTD = 93  # the zip compression method of Zstandard; Python's zipfile reads it only from 3.14 (ZIP_ZSTANDARD)


def zip_member(path: Path, archive: zipfile.ZipFile, name: str) -> bytes:
    """The bytes of member ``name`` of the zip ``archive`` opened from ``path``, Zstandard-compressed members
    included (Inspect writes its ``.eval`` logs so): those are read raw and decompressed with pyarrow's zstd
    codec, and checked against the member's CRC-32. zipfile.BadZipFile when the bytes do not match."""
    info = archive.getinfo(name)
    if info.compress_type != ZSTD or hasattr(zipfile, "ZIP_ZSTANDARD"):
        return archive.read(name)
    import pyarrow as pa

    with open(path, "rb") as raw:
        raw.seek(info.header_offset)
        local = raw.read(30)  # the local file header: signature ... name length, extra length
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"no local header for {name}")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        raw.seek(info.header_offset + 30 + name_len + extra_len)
        packed = raw.read(info.compress_size)
    try:
        data = pa.CompressedInputStream(pa.BufferReader(packed), "zstd").read()
    except (OSError, pa.ArrowException) as exc:
        raise zipfile.BadZipFile(f"{name}: not valid Zstandard data ({exc})") from None
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"{name}: CRC-32 does not match")
    return data
