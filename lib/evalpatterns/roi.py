"""Finding 3, model switching against training: accuracy gained per minute spent."""
from __future__ import annotations

from typing import NamedTuple

import pandas as pd

ATTEMPT_KINDS = ("training", "model_switch")


def roi_table(roi: pd.DataFrame, baseline_accuracy: float) -> pd.DataFrame:
    """Accuracy change and ROI of every attempt against ``baseline_accuracy``.

    For each training or model-switch row: ``accuracy_point`` (the accuracy, or the midpoint of a range),
    ``change_points`` = 100 (accuracy - baseline) with ``change_low``/``change_high`` for a range, and
    ``roi`` = change_points / minutes in points per minute (``roi_low``/``roi_high`` likewise).
    Example: 92% in 5 minutes against 73%: +19 points, 3.8 points/min. A NaN baseline (none known) gives
    NaN changes. The range columns may be absent.
    """
    if not (baseline_accuracy != baseline_accuracy or 0 <= baseline_accuracy <= 1):
        raise ValueError(f"baseline_accuracy must be a fraction in [0, 1]; got {baseline_accuracy}")
    t = roi[roi["kind"].isin(ATTEMPT_KINDS)].copy()
    for c in ("accuracy_low", "accuracy_high"):
        if c not in t:
            t[c] = float("nan")
    low = t["accuracy_low"].where(t["accuracy_low"].notna(), t["accuracy"])
    high = t["accuracy_high"].where(t["accuracy_high"].notna(), t["accuracy"])
    t["accuracy_point"] = t["accuracy"].where(t["accuracy"].notna(), (low + high) / 2)
    t["is_range"] = t["accuracy"].isna()
    t["change_points"] = 100 * (t["accuracy_point"] - baseline_accuracy)
    t["change_low"] = 100 * (low - baseline_accuracy)
    t["change_high"] = 100 * (high - baseline_accuracy)
    minutes = t["minutes"].where(t["minutes"] > 0)
    t["roi"] = t["change_points"] / minutes
    t["roi_low"] = t["change_low"] / minutes
    t["roi_high"] = t["change_high"] / minutes
    return t.reset_index(drop=True)


class SwitchVsTraining(NamedTuple):
    """Totals of all training attempts against the model switch.

    ``training_gain_points`` is the best training accuracy minus the baseline (what all the training
    bought); ``roi_ratio`` = (switch gain / switch minutes) / (training gain / training minutes), the
    formula the post states; ``gain_ratio`` = switch gain / training gain (time ignored).
    """

    training_minutes: float
    training_attempts: int
    best_training_accuracy: float
    training_gain_points: float
    training_roi: float
    switch_minutes: float
    switch_accuracy: float
    switch_gain_points: float
    switch_roi: float
    roi_ratio: float
    gain_ratio: float


def switch_vs_training(table: pd.DataFrame) -> SwitchVsTraining:
    """Compare the training attempts with the best model switch in a :func:`roi_table`.

    Example (the post's data): 166.6 training minutes for +0.5 points, a 5-minute switch for +19 points:
    ROI ratio (19/5)/(0.5/166.6) = 1,266, gain ratio 19/0.5 = 38.
    """
    nan = float("nan")
    train = table[table["kind"] == "training"]
    switch = table[table["kind"] == "model_switch"]
    t_min = float(train["minutes"].sum())
    best = float(train["accuracy_point"].max()) if train["accuracy_point"].notna().any() else nan
    t_gain = float(train["change_points"].max()) if train["change_points"].notna().any() else nan
    t_roi = t_gain / t_min if t_min > 0 else nan
    switch = switch.dropna(subset=["change_points"])
    if len(switch):
        s = switch.loc[switch["change_points"].idxmax()]
        s_min, s_acc, s_gain = float(s["minutes"]), float(s["accuracy_point"]), float(s["change_points"])
    else:
        s_min = s_acc = s_gain = nan
    s_roi = s_gain / s_min if s_min > 0 else nan
    roi_ratio = s_roi / t_roi if t_roi and t_roi > 0 else nan
    gain_ratio = s_gain / t_gain if t_gain and t_gain > 0 else nan
    return SwitchVsTraining(t_min, int(len(train)), best, t_gain, t_roi, s_min, s_acc, s_gain, s_roi,
                            roi_ratio, gain_ratio)


def size_ratio(roi: pd.DataFrame) -> float:
    """How many times larger the baseline model is than the switched-to model (``params_b``); NaN if unknown."""
    if "params_b" not in roi:
        return float("nan")
    base = roi.loc[roi["kind"] == "baseline", "params_b"].dropna()
    switch = roi.loc[roi["kind"] == "model_switch", "params_b"].dropna()
    if base.empty or switch.empty:
        return float("nan")
    return float(base.iloc[0] / switch.iloc[0])
