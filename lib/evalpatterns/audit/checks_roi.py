"""Checks of Finding 3 (model switching against training)."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt

from .context import Context
from .verdicts import Check, _half_unit, _minutes_half_unit, _pct_half_unit, unsupported
from .. import roi
from ..stats import wilson_interval


# -- Finding 3 -------------------------------------------------------------------------------------------

def baseline_threshold(ctx: Context) -> Check:
    n = int((ctx.roi["kind"] == "baseline").sum())
    return unsupported(f"{n} baseline model: no data on where switching stops paying", shown=f"{n} baseline")


def _roi_interval(ctx: Context, row) -> tuple[float, float]:
    base = 100 * ctx.baseline.accuracy
    b_half = _half_unit(base)
    lo_acc = 100 * (row["accuracy_low"] if row["is_range"] else row["accuracy_point"])
    hi_acc = 100 * (row["accuracy_high"] if row["is_range"] else row["accuracy_point"])
    a_half = 0.0 if row["is_range"] else _half_unit(hi_acc)
    m, m_half = row["minutes"], _minutes_half_unit(row["minutes"])
    changes = [lo_acc - a_half - (base + b_half), hi_acc + a_half - (base - b_half)]
    values = [c / mm for c in changes for mm in (m - m_half, m + m_half) if mm > 0]
    return min(values), max(values)


def attempt_roi(ctx: Context, approach: str) -> Check:
    t = ctx.roi_table
    r = t[t["approach"] == approach]
    if r.empty:
        return unsupported(f"no attempt named {approach}")
    r = r.iloc[0]
    low, high = _roi_interval(ctx, r)
    if r["is_range"]:
        reason = (f"({fmt.pct_range(r['accuracy_low'], r['accuracy_high'])} \u2212 "
                  f"{fmt.pct(ctx.baseline.accuracy)}) / {fmt.duration(r['minutes'])}: "
                  f"{fmt.points(r['roi_low'], 2)} to {fmt.points(r['roi_high'], 2)}")
    else:
        reason = (f"({fmt.pct(r['accuracy_point'], 1)} \u2212 {fmt.pct(ctx.baseline.accuracy)}) / "
                  f"{fmt.duration(r['minutes'])}")
    return Check(r["roi"], fmt.points(r["roi"], 2), reason, low=low, high=high)


def attempt_minutes(ctx: Context, approach: str) -> Check:
    r = ctx.roi[ctx.roi["approach"] == approach]
    if r.empty:
        return unsupported(f"no attempt named {approach}")
    m = float(r.iloc[0]["minutes"])
    return Check(m, fmt.duration(m), f"{r.iloc[0]['status']} ({r.iloc[0]['source']})")


def attempt_accuracy_range(ctx: Context, approach: str, end: str) -> Check:
    r = ctx.roi[ctx.roi["approach"] == approach]
    if r.empty or pd.isna(r.iloc[0][f"accuracy_{end}"]):
        return unsupported(f"no accuracy range recorded for {approach}")
    v = float(r.iloc[0][f"accuracy_{end}"])
    return Check(100 * v, fmt.pct(v), f"the {'low' if end == 'low' else 'high'} end of the reported range; no "
                 "denominator recorded, so no interval")


def training_minutes(ctx: Context) -> Check:
    s = ctx.switch
    train = ctx.roi_table[ctx.roi_table["kind"] == "training"]
    half = sum(_minutes_half_unit(m) for m in train["minutes"])
    return Check(s.training_minutes, fmt.duration(s.training_minutes),
                 " + ".join(fmt.duration(m) for m in train["minutes"]),
                 low=s.training_minutes - half, high=s.training_minutes + half)


def training_gain(ctx: Context) -> Check:
    s = ctx.switch
    return Check(s.training_gain_points, fmt.points(s.training_gain_points, 1),
                 f"best training accuracy {fmt.pct(s.best_training_accuracy, 1)} \u2212 baseline "
                 f"{fmt.pct(ctx.baseline.accuracy)}, in points")


def switch_minutes(ctx: Context) -> Check:
    s = ctx.switch
    return Check(s.switch_minutes, fmt.duration(s.switch_minutes), "the switch's recorded time")


def switch_gain(ctx: Context) -> Check:
    s = ctx.switch
    return Check(s.switch_gain_points, fmt.points(s.switch_gain_points),
                 f"{fmt.pct(s.switch_accuracy)} \u2212 {fmt.pct(ctx.baseline.accuracy)}, in points")


def roi_ratio(ctx: Context) -> Check:
    s = ctx.switch
    if math.isnan(s.roi_ratio):
        return unsupported("training gained nothing, so the ratio is undefined")
    base, b_half = ctx.baseline.accuracy, _pct_half_unit(ctx.baseline.accuracy)
    t = ctx.roi_table
    train = t[t["kind"] == "training"]
    best = train.loc[train["accuracy_point"].idxmax()]
    sw = t[t["kind"] == "model_switch"].loc[lambda d: d["change_points"].idxmax()]
    tg = (100 * (best["accuracy_point"] - _pct_half_unit(best["accuracy_point"]) - base - b_half),
          100 * (best["accuracy_point"] + _pct_half_unit(best["accuracy_point"]) - base + b_half))
    sg = (100 * (sw["accuracy_point"] - _pct_half_unit(sw["accuracy_point"]) - base - b_half),
          100 * (sw["accuracy_point"] + _pct_half_unit(sw["accuracy_point"]) - base + b_half))
    tm_half = sum(_minutes_half_unit(m) for m in train["minutes"])
    tm = (s.training_minutes - tm_half, s.training_minutes + tm_half)
    sm = (s.switch_minutes - _minutes_half_unit(s.switch_minutes), s.switch_minutes + _minutes_half_unit(s.switch_minutes))
    low = (sg[0] / sm[1]) / (tg[1] / tm[0]) if tg[1] > 0 and sm[1] > 0 else math.nan
    high = (sg[1] / sm[0]) / (tg[0] / tm[1]) if tg[0] > 1e-9 and sm[0] > 0 else math.inf  # gain may be 0
    matches = f"the ratio of the gains alone, {fmt.number(s.switch_gain_points)} / " \
              f"{fmt.number(s.training_gain_points, 1)} = {fmt.ratio(s.gain_ratio)}, time ignored"
    return Check(s.roi_ratio, fmt.ratio(s.roi_ratio),
                 f"({fmt.number(s.switch_gain_points)} / {fmt.number(s.switch_minutes)}) / "
                 f"({fmt.number(s.training_gain_points, 1)} / {fmt.number(s.training_minutes, 1)}), the stated formula",
                 low=low, high=high, matches=matches)


def switch_accuracy(ctx: Context) -> Check:
    sw = ctx.roi[ctx.roi["kind"] == "model_switch"]
    if sw.empty:
        return unsupported("no model switch recorded")
    r = sw.iloc[0]
    reason = "no denominator recorded"
    if pd.notna(r.get("n_correct")) and pd.notna(r.get("n_eval")):
        w = wilson_interval(int(r["n_correct"]), int(r["n_eval"]))
        reason = (f"{int(r['n_correct'])}/{int(r['n_eval'])}, 95% interval {fmt.pct(w.low, 1)} to "
                  f"{fmt.pct(w.high, 1)}")
    return Check(100 * r["accuracy"], fmt.pct(r["accuracy"]), reason)


def baseline_range(ctx: Context, end: str) -> Check:
    base = ctx.roi[ctx.roi["kind"] == "baseline"]
    if base.empty:
        return unsupported("no baseline row")
    v = base.iloc[0]["accuracy_low" if end == "low" else "accuracy_high"]
    return Check(100 * v, fmt.pct(v), f"the baseline row's accuracy_{end}")


def size_ratio(ctx: Context) -> Check:
    r = roi.size_ratio(ctx.roi)
    if math.isnan(r):
        return unsupported("model sizes are not recorded")
    base = ctx.roi.loc[ctx.roi["kind"] == "baseline", "params_b"].iloc[0]
    sw = ctx.roi.loc[ctx.roi["kind"] == "model_switch", "params_b"].iloc[0]
    return Check(r, fmt.ratio(r, 2), f"{fmt.size(base)} / {fmt.size(sw)}",
                 low=(base - 0.5) / (sw + 0.5), high=(base + 0.5) / (sw - 0.5))
