"""Data files as the tests read them: the repository's own (``real``) and CSV text written into ``tmp_path`` and
read through the real loader (``load_text``), so that a hand-made frame is typed exactly like the real data;
and two checks on frames (``unchanged``, ``row``)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalpatterns import io


DATA = Path(__file__).resolve().parents[1] / "data"

def write_csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, kind: str, text: str) -> pd.DataFrame:
    """Load CSV ``text`` through the real loader, so the frame has the same dtypes as the real data."""
    return io.load(kind, write_csv(tmp_path, f"{kind}.csv", text))


def real(kind: str) -> pd.DataFrame:
    return io.load(kind, DATA / f"{kind}.csv")


def unchanged(func, frame: pd.DataFrame, *args, **kwargs):
    """Call ``func(frame, ...)`` and assert it did not modify ``frame``."""
    before = frame.copy(deep=True)
    out = func(frame, *args, **kwargs)
    pd.testing.assert_frame_equal(frame, before)
    return out


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k] == v
    hit = frame[mask]
    assert len(hit) == 1, (where, len(hit))
    return hit.iloc[0]
