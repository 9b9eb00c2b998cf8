"""Checks of Finding 1 (the capability cliff) and of the post as a whole (Finding 0)."""
from __future__ import annotations

import math


from .. import formatting as fmt

from .context import Context
from .verdicts import Check, unsupported
from .. import capability


# -- Finding 0 and 1 ------------------------------------------------------------------------------------

def not_in_data(ctx: Context, what: str = "this") -> Check:
    return unsupported(f"the data holds no record of {what}")


def _cap_row(ctx: Context, task: str, params_b: str, stage: str):
    cap = ctx.capability
    rows = cap[(cap["task"] == task) & (cap["params_b"] == float(params_b)) & (cap["stage"] == stage)]
    return None if rows.empty else rows.iloc[0]


def capability_value(ctx: Context, task: str, params_b: str, stage: str) -> Check:
    r = _cap_row(ctx, task, params_b, stage)
    if r is None:
        return unsupported(f"no {task} row at {fmt.size(float(params_b))} ({stage})")
    if r["status"] != "measured":
        return unsupported(f"the value is {r['status']}, not a measurement", 100 * r["value"] / r["scale_max"])
    v = 100 * r["value"] / r["scale_max"]
    return Check(v, fmt.pct(v / 100), f"{r['source']}")


def capability_score(ctx: Context, task: str, params_b: str, stage: str) -> Check:
    r = _cap_row(ctx, task, params_b, stage)
    if r is None or r["status"] != "measured":
        return unsupported(f"no measured {task} score at {fmt.size(float(params_b))}")
    return Check(float(r["value"]), f"{fmt.number(r['value'], 1)}/{fmt.number(r['scale_max'])}", r["source"])


def size_gap(ctx: Context, task: str) -> Check:
    gaps = capability.size_gaps(ctx.capability, ctx.p("small_b"), ctx.p("large_b"))
    g = gaps[gaps["task"] == task]
    if g.empty:
        return unsupported(f"{task} is not measured at both sizes")
    r = g.iloc[0]
    return Check(r["gap_points"], fmt.points(r["gap_points"]),
                 f"{fmt.pct(r['large'])} \u2212 {fmt.pct(r['small'])}")


def relative_regression(ctx: Context, task: str, params_b: str) -> Check:
    ch = capability.training_change(ctx.capability)
    ch = ch[(ch["task"] == task) & (ch["params_b"] == float(params_b))]
    if ch.empty:
        return unsupported(f"{task} is not measured before and after training")
    r = ch.iloc[0]
    rel = -100 * r["relative_change"]
    return Check(rel, fmt.pct(rel / 100, 1),
                 f"({fmt.pct(r['base'])} \u2212 {fmt.pct(r['trained'])}) / {fmt.pct(r['base'])} of the starting score",
                 matches=f"the drop in percentage points, {fmt.number(-r['change_points'])}")


def capability_threshold(ctx: Context) -> Check:
    small, large = ctx.p("small_b"), ctx.p("large_b")
    gaps = capability.size_gaps(ctx.capability, small, large)
    measured = ctx.capability[ctx.capability["status"] == "measured"]
    below = measured[measured["params_b"] < small]
    if len(gaps) < 2 or below.empty:
        return unsupported(f"{len(gaps)} task measured at both {fmt.size(small)} and {fmt.size(large)}, "
                           f"{len(below)} measurement below {fmt.size(small)}: too few to place a threshold "
                           "or call it consistent", value=small, shown=f"{len(gaps)} task(s)")
    fails = (gaps["small"] < 0.5) & (gaps["large"] >= 0.5)
    return Check(small if fails.all() else math.nan, f"{int(fails.sum())} of {len(gaps)} tasks",
                 f"{int(fails.sum())} of {len(gaps)} tasks fail below half marks at {fmt.size(small)} and pass at "
                 f"{fmt.size(large)}", flag=bool(fails.all()))
