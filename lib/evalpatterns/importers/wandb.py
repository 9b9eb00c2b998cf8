"""Weights & Biases history exports, CSV or Parquet, in either of their two shapes.

- long: one row per logged step, a run column (``run``, ``name``, ``run_id`` ... or ``--map run=COLUMN``; a file
  without one is one run named after the file), ``_step`` and one column per metric, as ``run.history()`` or
  ``wandb.Api().runs(...)`` scripts write;
- wide: the chart export of the W&B UI, a step column (``Step``) and a column ``RUN - METRIC`` per run and
  metric (with ``__MIN``/``__MAX`` companions, which are dropped), one metric per file as a rule.

``--runs RUNS.csv`` joins the runs table (the UI's runs export, or a script's, with config columns such as
``config.student``) on the column that holds the run names (found by its values, or ``--set runs_key=COLUMN``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..progress import progress
from ._read import read_table
from .mapping import ALIASES, SOURCE, ImportFailure, Mapping, missing_column

TARGETS = ("distillation",)
WIDE_SEPARATOR = " - "


def read(paths: list[Path], mapping: Mapping) -> pd.DataFrame:
    frames = []
    for path in progress(paths, "reading W&B exports"):
        frame = read_table(path)
        if any(WIDE_SEPARATOR in c for c in frame.columns):
            frame = _long_from_wide(frame, path, mapping)
        elif not _run_column(frame, mapping):
            frame["run"] = path.stem  # a file per run
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True, sort=False)
    if mapping.runs:
        frame = join_runs(frame, Path(mapping.runs), mapping)
    return frame


def _run_column(frame: pd.DataFrame, mapping: Mapping) -> str | None:
    if "run" in mapping.map:
        return mapping.map["run"] if mapping.map["run"] in frame.columns else None
    return next((a for a in ALIASES["run"] if a in frame.columns), None)


def _long_from_wide(frame: pd.DataFrame, path: Path, mapping: Mapping) -> pd.DataFrame:
    """The chart export (``Step``, ``RUN - METRIC`` ...) as one row per run and step, a column per metric."""
    step = mapping.map.get("step") or next((a for a in ALIASES["step"] if a in frame.columns), None)
    if step is None or step not in frame.columns:
        raise missing_column(str(path), step or "Step", frame.columns, "the step of a wide W&B chart export")
    series = [c for c in frame.columns if WIDE_SEPARATOR in c and not c.endswith(("__MIN", "__MAX"))]
    long = frame[[step, *series]].melt(id_vars=[step], var_name="_column", value_name="_value").dropna(
        subset=["_value"])
    split = long["_column"].str.rsplit(WIDE_SEPARATOR, n=1, expand=True)
    long = long.assign(run=split[0].str.strip(), _metric=split[1].str.strip())
    wide = long.pivot_table(index=["run", step], columns="_metric", values="_value", aggfunc="last")
    wide.columns.name = None
    wide = wide.reset_index()
    wide[SOURCE] = str(path)
    return wide


def join_runs(history: pd.DataFrame, path: Path, mapping: Mapping) -> pd.DataFrame:
    """The history with the runs table's columns added to each of its rows (by run name)."""
    runs = read_table(path).drop(columns=[SOURCE])
    run_col = _run_column(history, mapping) or "run"
    names = set(history[run_col].astype(str))
    if "runs_key" in mapping.set:
        key = mapping.set["runs_key"]
        if key not in runs.columns:
            raise missing_column(str(path), key, runs.columns, "given with --set runs_key")
    else:
        overlap = {c: runs[c].astype(str).isin(names).sum() for c in runs.columns}
        key = max(overlap, key=overlap.get) if overlap else None
        if key is None or overlap[key] == 0:
            raise ImportFailure(f"{path}: no column holds the history's run names (such as "
                                f"'{sorted(names)[0]}'); name it with --set runs_key=COLUMN; its columns: "
                                f"{', '.join(runs.columns)}")
    runs = runs.drop_duplicates(subset=[key]).rename(
        columns={c: f"{c} (runs)" for c in runs.columns if c in history.columns and c != key})
    runs[key] = runs[key].astype(str)
    joined = history.assign(_run_name=history[run_col].astype(str)).merge(
        runs, how="left", left_on="_run_name", right_on=key, suffixes=("", " (runs)"))
    return joined.drop(columns=["_run_name"] + ([key] if key != run_col and key not in history.columns else []))
