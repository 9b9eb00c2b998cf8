"""Finding 3: does switching model return more per minute than training it? One analysis, one result.

The arithmetic of a single attempt lives in :mod:`evalpatterns.roi`; this module decides the baseline,
runs that arithmetic once and draws the conclusion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .. import roi
from ..stats import ProportionComparison, compare_proportions
from ..words.common import caveated
from .base import (ALPHA, CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion, EvalSetMismatch, eval_set_cells,
                   eval_set_mismatch, param)

NUMBER = 3
CHAPTER = "model-switch-roi"
DATA = ("roi",)
QUESTION = "Finding 3: switch model, or train the one you have?"
CLAIM = "When baseline accuracy is poor (<80%), switching models has dramatically higher ROI than training."


@dataclass(frozen=True)
class Params:
    baseline_accuracy: float | None = param(
        None, "accuracy of the model before any training, the zero of accuracy change; empty: the data's "
        "baseline row", 0, 1)


@dataclass(frozen=True)
class Baseline:
    """The accuracy every change is measured from, and where it came from (``origin``: ``parameter``,
    ``data`` or ``none``)."""

    accuracy: float
    origin: str
    low: float = math.nan
    high: float = math.nan
    row: str = ""


@dataclass(frozen=True)
class Result:
    params: Params
    data: pd.DataFrame
    baseline: Baseline
    table: pd.DataFrame  #: one row per attempt: roi.roi_table
    summary: roi.SwitchVsTraining
    size_ratio: float  #: baseline model size / switched-to model size
    comparison: ProportionComparison | None  #: the switch against the best training attempt, from counts
    conclusion: Conclusion
    eval_sets: tuple[EvalSetMismatch, ...] = ()  #: compared accuracies measured on different eval sets


def baseline_of(data: pd.DataFrame, params: Params) -> Baseline:
    """An explicit parameter wins; otherwise the data's (first) ``baseline`` row: its accuracy, or the middle
    of its range when it has only a range."""
    rows = data[data["kind"] == "baseline"]
    low = float(rows["accuracy_low"].min()) if len(rows) and "accuracy_low" in rows else math.nan
    high = float(rows["accuracy_high"].max()) if len(rows) and "accuracy_high" in rows else math.nan
    if params.baseline_accuracy is not None:
        return Baseline(float(params.baseline_accuracy), "parameter", low, high)
    if rows.empty:
        return Baseline(math.nan, "none")
    r = rows.iloc[0]
    acc = r["accuracy"]
    if pd.isna(acc):
        acc = (r.get("accuracy_low") + r.get("accuracy_high")) / 2
    return Baseline(float(acc), "data", low, high, str(r["approach"]))


def _best_training(table: pd.DataFrame):
    train = table[table["kind"] == "training"].dropna(subset=["change_points"])
    return None if train.empty else train.loc[train["change_points"].idxmax()]


def _switch(table: pd.DataFrame):
    sw = table[table["kind"] == "model_switch"].dropna(subset=["change_points"])
    return None if sw.empty else sw.loc[sw["change_points"].idxmax()]


def _counts(row) -> tuple[int, int] | None:
    if row is None or any(pd.isna(row.get(c)) for c in ("n_correct", "n_eval")):
        return None
    return int(row["n_correct"]), int(row["n_eval"])


def conclude(baseline: Baseline, summary: roi.SwitchVsTraining, comparison: ProportionComparison | None,
             n_training: int, n_switch: int) -> Conclusion:
    """Supported when the switch gained more than the best training attempt and returned more per minute
    (and, where both accuracies have counts, Fisher's exact test tells them apart at ALPHA); contradicted
    when training gained at least as much or returned at least as much per minute (and the difference is
    not noise); inconclusive otherwise."""
    test = (f"the switch against the best training attempt: gain and points per minute, with Fisher's exact "
            f"test on their accuracies where the counts are known (significance {ALPHA:g})")
    s = summary
    if math.isnan(baseline.accuracy):
        return Conclusion(INCONCLUSIVE, test, None, "no baseline", "the data has no baseline row and no "
                          "baseline_accuracy was given, so no change can be measured")
    if not n_training or not n_switch:
        missing = "no training attempt" if not n_training else "no model switch"
        return Conclusion(INCONCLUSIVE, test, None, "nothing to compare", f"the data holds {missing} to compare")
    gain_diff = s.switch_gain_points - s.training_gain_points
    p = comparison.p_value if comparison is not None else None
    noise = p is not None and p >= ALPHA
    if comparison is not None:
        shown = (f"a difference of {gain_diff:+.1f} points, 95% CI {100 * comparison.low:+.1f} to "
                 f"{100 * comparison.high:+.1f}"
                 .replace("-", "\u2212"))
    else:
        shown = f"a difference of {gain_diff:+.1f} points".replace("-", "\u2212")
    switch_ahead = gain_diff > 0 and s.switch_roi > s.training_roi
    if switch_ahead and not noise:
        return Conclusion(SUPPORTED, test, gain_diff, shown, "switching model gained more than the best training "
                          "attempt and returned more per minute", p)
    if not switch_ahead and not noise:
        why = ("training gained at least as much as switching" if gain_diff <= 0
               else "training returned at least as much per minute as switching")
        return Conclusion(CONTRADICTED, test, gain_diff, shown, why, p)
    return Conclusion(INCONCLUSIVE, test, gain_diff, shown, "the switch's and the best training attempt's "
                      "accuracies cannot be told apart by Fisher's exact test", p)


def eval_set_mismatches(frame: pd.DataFrame, table: pd.DataFrame, baseline: Baseline) -> tuple[EvalSetMismatch, ...]:
    """The comparisons whose two accuracies name different eval sets: each attempt against the data's baseline
    row (its change is measured from it) and the switch against the best training attempt."""
    out = []
    base = frame[frame["approach"] == baseline.row] if baseline.origin == "data" else frame.iloc[0:0]
    if len(base):
        for _, r in table.iterrows():
            out.append(eval_set_mismatch(f"{r['approach']} against {baseline.row}",
                                         eval_set_cells(r), eval_set_cells(base)))
    best, switch = _best_training(table), _switch(table)
    if best is not None and switch is not None:
        out.append(eval_set_mismatch(f"{switch['approach']} against {best['approach']}", eval_set_cells(switch),
                                     eval_set_cells(best)))
    return tuple(m for m in out if m is not None)


def analyse(data: dict[str, pd.DataFrame] | pd.DataFrame, params: Params = Params()) -> Result:
    """Finding 3 on a loaded ``roi`` frame (or ``{"roi": frame}``)."""
    frame = data["roi"] if isinstance(data, dict) else data
    baseline = baseline_of(frame, params)
    table = roi.roi_table(frame, baseline.accuracy)
    summary = roi.switch_vs_training(table)
    best, switch = _best_training(table), _switch(table)
    a, b = _counts(switch), _counts(best)
    comparison = compare_proportions(a[0], a[1], b[0], b[1]) if a and b else None
    n_training = int((table["kind"] == "training").sum())
    n_switch = int((table["kind"] == "model_switch").sum())
    mismatches = eval_set_mismatches(frame, table, baseline)
    conclusion = caveated(conclude(baseline, summary, comparison, n_training, n_switch), mismatches)
    return Result(params, frame, baseline, table, summary, roi.size_ratio(frame), comparison, conclusion,
                  mismatches)
