"""Finding 4 with many runs: summaries and rules that stay readable at thousands of runs.

A chapter with a handful of runs shows every run (a line, a row, a bubble each). Past :data:`MANY_RUNS` runs it
shows these instead: the runs summarised by family and gap (:func:`severity_summary`), the few most extreme
runs (:func:`top_runs`), per-step bands (:func:`phase_curves`, drawn by :mod:`.figures_many`), the full per-run
table as a CSV file to download (:func:`write_runs_csv`), and one run's log chosen by a stated rule
(:func:`excerpt_run`). Every function takes :func:`evalpatterns.distillation.transitions`'s frame (and the
step log where it needs steps); none loops over runs in Python.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .distillation import SEVERITIES

MANY_RUNS = 12  # more runs than this: summaries and bands instead of a line, a row and a label per run
QUANTILES = (0.1, 0.5, 0.9)


def is_many(runs: pd.DataFrame) -> bool:
    """Whether ``runs`` are too many to show one by one (more than :data:`MANY_RUNS`)."""
    return len(runs) > MANY_RUNS


def severity_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (family, gap): the number of runs, how many end in each severity, and the median
    transition step, KL spike and eval drop (over the runs where each is known). Ordered by gap."""
    keys = ["family", "gap"]
    counts = pd.crosstab([runs["family"], runs["gap"]], runs["severity"]).reindex(columns=list(SEVERITIES),
                                                                                    fill_value=0)
    medians = runs.groupby(keys)[["transition_step", "kl_spike_ratio", "eval_drop"]].median()
    out = counts.join(medians.rename(columns=lambda c: f"median_{c}"))
    out.insert(0, "runs", counts.sum(axis=1))
    out = out.reset_index().sort_values(["gap", "family"], kind="stable").reset_index(drop=True)
    out.columns.name = None
    return out


def top_runs(runs: pd.DataFrame, n: int = 10, by: str = "kl_spike_ratio") -> pd.DataFrame:
    """The ``n`` runs with the largest ``by`` (runs where it is unknown come last; ties by run name)."""
    order = runs.assign(_missing=runs[by].isna()).sort_values(["_missing", by, "run"],
                                                              ascending=[True, False, True], kind="stable")
    return order.drop(columns="_missing").head(n).reset_index(drop=True)


def excerpt_run(runs: pd.DataFrame) -> str | None:
    """The run whose log the chapter shows, by this rule: among the runs that switch phase, the one with the
    largest KL spike; when no switching run has a KL spike, the one with the largest eval drop; when none has
    that either, the one that switches first. Ties go to the first run name. None when no run switches."""
    switching = runs[runs["transition_step"].notna()]
    for column, largest in (("kl_spike_ratio", True), ("eval_drop", True), ("transition_step", False)):
        known = switching[switching[column].notna()]
        if len(known):
            return str(known.sort_values([column, "run"], ascending=[not largest, True], kind="stable")
                       ["run"].iloc[0])
    return None


def write_runs_csv(runs: pd.DataFrame, path: str | Path) -> Path:
    """The full per-run table as CSV (one row per run, every column of ``runs``), for readers to download."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    runs.to_csv(path, index=False)
    return path


def phase_curves(log: pd.DataFrame, runs: pd.DataFrame, metric: str, quantiles=QUANTILES) -> pd.DataFrame:
    """``metric`` against the step relative to each run's transition, summarised per family: columns family,
    offset (step - transition step), n (runs logged there) and one column per quantile (``q10``, ``q50``,
    ``q90``). Only runs that switch phase count; missing values are skipped. ``log`` may be an
    :class:`evalpatterns.engine.StepLog`, which computes the bands where the log is."""
    if not isinstance(log, pd.DataFrame):
        return log.phase_curves(runs, metric, quantiles)
    t = runs.loc[runs["transition_step"].notna(), ["run", "family", "transition_step"]]
    part = log.loc[log[metric].notna(), ["run", "step", metric]].merge(t, on="run", how="inner")
    part["offset"] = part["step"].astype("float64") - part["transition_step"].astype("float64")
    grouped = part.groupby(["family", "offset"], sort=True)[metric]
    out = grouped.quantile(list(quantiles)).unstack()
    out.columns = [f"q{round(q * 100)}" for q in quantiles]
    out.insert(0, "n", grouped.size())
    return out.reset_index()


def run_curves(log: pd.DataFrame, runs: pd.DataFrame, names, metric: str) -> pd.DataFrame:
    """The logged ``metric`` of the runs ``names`` against the step relative to their transition (run,
    offset, value), for drawing the few runs a figure labels (of a StepLog, only those runs' rows are read)."""
    if not isinstance(log, pd.DataFrame):
        log = log.rows(list(names))
    t = runs.loc[runs["run"].isin(list(names)) & runs["transition_step"].notna(), ["run", "transition_step"]]
    part = log.loc[log["run"].isin(t["run"]) & log[metric].notna(), ["run", "step", metric]].merge(t, on="run")
    part["offset"] = part["step"].astype("float64") - part["transition_step"].astype("float64")
    return part.rename(columns={metric: "value"})[["run", "offset", "value"]].sort_values(["run", "offset"])


def spread_labels(y: np.ndarray, low: float, high: float, gap: float) -> np.ndarray:
    """Label positions near ``y`` (any order) with at least ``gap`` between neighbours, inside [low, high]
    (when they fit): pushed apart upwards, then, if the top one left the range, pushed down from the top only
    as far as needed."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(y, kind="stable")
    placed = np.clip(y[order], low, high)
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    if len(placed) and placed[-1] > high:
        placed[-1] = high
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    out = np.empty_like(placed)
    out[order] = placed
    return out
