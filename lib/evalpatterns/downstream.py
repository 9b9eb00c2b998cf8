"""Method-level downstream accuracy of a distillation study (``distillation_downstream.csv``, Finding 4): one
row per method, family and task, the seeds of one condition aggregated.

The finding (:mod:`evalpatterns.findings.distillation`) calls :func:`downstream_table` and
:func:`eval_set_mismatches`; the page shows the table through :mod:`evalpatterns.tables_downstream`.
"""
from __future__ import annotations

import math

import pandas as pd

from .findings.base import EvalSetMismatch, eval_set_cells, eval_set_mismatch, eval_sets
from .schema import STATUSES
from .stats import wilson_interval

KEYS = ["method", "family", "task"]
COLUMNS = KEYS + ["n_rows", "accuracy", "low", "high", "interval", "is_range", "higher_is_better", "status",
                  "source", "eval_set"]


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    return rows[name] if name in rows else pd.Series([math.nan] * len(rows), index=rows.index)


def _interval(rows: pd.DataFrame, point: pd.Series) -> tuple[float, float, str]:
    """The group's interval and what it is: ``range`` (only a reported range), ``wilson`` (the pooled counts'
    Wilson 95% interval, when every row has counts), ``seeds`` (the lowest to the highest of several rows'
    accuracies) or ``''`` (none)."""
    low, high = _column(rows, "accuracy_low"), _column(rows, "accuracy_high")
    if point.isna().all():
        return float(low.min()), float(high.max()), "range"
    k, n = _column(rows, "n_correct"), _column(rows, "n_eval")
    if k.notna().all() and n.notna().all() and float(n.sum()) > 0:
        w = wilson_interval(float(k.sum()), float(n.sum()))
        return float(w.low), float(w.high), "wilson"
    if point.notna().sum() > 1:
        return float(point.min()), float(point.max()), "seeds"
    return math.nan, math.nan, ""


def _least_certain(statuses: pd.Series) -> str:
    """The least certain provenance among the rows (measured < figure < illustrative < pending)."""
    return max(statuses.astype(str), key=STATUSES.index)


def downstream_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (method, family, task), in the file's order: ``n_rows`` (rows aggregated: seeds),
    ``accuracy`` (the mean of the rows' accuracies; the middle of the range when only a range is known),
    ``low``/``high`` and ``interval`` (see :func:`_interval`), ``is_range``, ``higher_is_better`` (empty
    means true), ``status`` (the least certain of the rows'), ``source`` and ``eval_set`` (the rows' distinct
    values, joined by '; ').

    Example: Qwen's hybrid run known only as 0.06-0.21 gives accuracy 0.135, low 0.06, high 0.21, a range.
    """
    if frame is None or frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = []
    for key, rows in frame.groupby(KEYS, sort=False, dropna=False):
        point = _column(rows, "accuracy").astype(float)
        low, high, kind = _interval(rows, point)
        acc = float(point.mean()) if point.notna().any() else (low + high) / 2
        better = _column(rows, "higher_is_better").dropna()
        out.append(dict(zip(KEYS, key), n_rows=len(rows), accuracy=acc, low=low, high=high, interval=kind,
                        is_range=kind == "range", higher_is_better=bool(better.iloc[0]) if len(better) else True,
                        status=_least_certain(rows["status"]), source="; ".join(eval_sets(rows["source"])),
                        eval_set="; ".join(eval_sets(_column(rows, "eval_set")))))
    return pd.DataFrame(out, columns=COLUMNS)


def eval_set_mismatches(frame: pd.DataFrame | None) -> tuple[EvalSetMismatch, ...]:
    """The tasks whose downstream accuracies (across methods and families) name different eval sets."""
    if frame is None or frame.empty:
        return ()
    out = [eval_set_mismatch(f"the downstream accuracies on {task}", eval_set_cells(rows))
           for task, rows in frame.groupby("task", sort=False)]
    return tuple(m for m in out if m is not None)
