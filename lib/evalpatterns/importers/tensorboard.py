"""TensorBoard event files, read with tbparse: every scalar point (no reservoir sampling).

A SOURCE is an event file or a folder of them; each sub-folder holding event files is one run, named by its
path under SOURCE (events directly in SOURCE: the run is SOURCE's name). Each scalar tag becomes a column
(``train/kl`` stays ``train/kl``: map it with ``--map kl=train/kl``); the step is ``step``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..progress import progress
from .mapping import SOURCE, ImportFailure, Mapping

TARGETS = ("distillation",)


def read(paths: list[Path], mapping: Mapping) -> pd.DataFrame:
    return pd.concat([_read_one(p) for p in progress(paths, "reading TensorBoard logs")], ignore_index=True,
                     sort=False)


def _read_one(path: Path) -> pd.DataFrame:
    from tbparse import SummaryReader

    if not path.exists():
        raise ImportFailure(f"{path}: no such file or folder")
    events = [path] if path.is_file() else sorted(path.rglob("*tfevents*"))
    if not events:
        raise ImportFailure(f"{path}: expected TensorBoard event files (events.out.tfevents.*); found none")
    # tbparse reads with EventAccumulator's size guidance at 0 for scalars: every point is kept.
    try:
        scalars = SummaryReader(str(path), extra_columns={"dir_name"}).scalars
    except Exception as exc:  # tbparse and tensorboard raise several unrelated types on a corrupt file
        raise ImportFailure(f"{path}: cannot read the event files ({exc})") from None
    if scalars.empty:
        raise ImportFailure(f"{path}: the event files hold no scalars")
    default = path.stem if path.is_file() else path.name
    scalars["run"] = scalars["dir_name"].fillna("").replace("", default)
    wide = scalars.pivot_table(index=["run", "step"], columns="tag", values="value", aggfunc="last")
    wide.columns.name = None
    wide = wide.reset_index()
    wide[SOURCE] = str(path)
    return wide
