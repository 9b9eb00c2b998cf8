"""Checks of Finding 1 (the capability cliff) and of the post as a whole (Finding 0)."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt
from ..findings.capability import gap_unit
from ..words.common import count
from .context import Context
from .verdicts import Check, unsupported


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
    """The raw gap between the finding's two sizes on ``task``, in percentage points (large - small), read from
    the finding's result; the reason says which size is better in the task's direction of better."""
    g = ctx.gaps[ctx.gaps["task"] == task]
    if g.empty:
        return unsupported(f"{task} is not measured at both sizes")
    r = g.iloc[0]
    small, large = fmt.size(ctx.p("small_b")), fmt.size(ctx.p("large_b"))
    better = large if r["advantage_points"] > 0 else small if r["advantage_points"] < 0 else "neither size"
    return Check(r["gap_points"], fmt.points(r["gap_points"]),
                 f"{fmt.pct(r['large'])} \u2212 {fmt.pct(r['small'])}; {better} is better"
                 + ("" if r["higher_is_better"] else " (lower is better)"))


def training_regression(ctx: Context, task: str, params_b: str, unit: str = "points") -> Check:
    """How much training made ``task`` worse at ``params_b`` (in the task's direction of better; negative: it
    improved), read from the finding's result.

    The rule for points against percent, the same in every finding: a claim written with "%" about a change
    in a score that is itself a percentage means a change in percentage points (the post's "+19%" and
    "+0.5%" of Finding 3 and its "17% regression" here are all differences of two percentages), unless the
    claim's text says the change is relative ("of its starting score", "relative"); the register marks such a
    claim with ``unit=relative``, and the change is then divided by the starting score.
    """
    ch = ctx.changes
    ch = ch[(ch["task"] == task) & (ch["params_b"] == float(params_b))]
    if ch.empty:
        return unsupported(f"{task} is not measured before and after training")
    r = ch.iloc[0]
    sign = 1 if r["higher_is_better"] else -1
    points = -sign * float(r["change_points"])
    arithmetic = f"{fmt.pct(r['base'])} \u2212 {fmt.pct(r['trained'])}"
    relative = -sign * float(r["relative_change"]) * 100 if not pd.isna(r["relative_change"]) else math.nan
    if unit == "relative":
        if math.isnan(relative):
            return unsupported("the starting score is 0, so no change relative to it can be computed")
        return Check(relative, fmt.pct(relative / 100, 1), f"({arithmetic}) / {fmt.pct(r['base'])} of the starting "
                     "score", matches=f"the change in percentage points, {fmt.number(points)}")
    why = f"{arithmetic} = {fmt.number(points)} percentage points (a change of a percentage written with % is read as points)"
    if not math.isnan(relative):
        why += f"; relative to the starting score it is {fmt.pct(relative / 100, 1)}"
    return Check(points, f"{fmt.number(points)} points", why)


def capability_threshold(ctx: Context) -> Check:
    """The post's "below ~3B ... consistently fail": the finding's cliff count (``ctx.gaps``), which needs a
    measurement below the smaller size as well to place a threshold there."""
    small, large = ctx.p("small_b"), ctx.p("large_b")
    gaps = ctx.gaps
    measured = ctx.capability[ctx.capability["status"] == "measured"]
    n_below = int((measured["params_b"] < small).sum())
    n, k, unit = len(gaps), int(gaps["cliff"].sum()), gap_unit(gaps)  # task-stage pairs where a task has two
    if n < 2 or not n_below:
        return unsupported(f"{count(n, unit)} measured at both {fmt.size(small)} and {fmt.size(large)}, "
                           f"{count(n_below, 'measurement')} below {fmt.size(small)}: too few to place a threshold "
                           "or call it consistent", value=small, shown=count(n, unit))
    return Check(small if k == n else math.nan, f"{fmt.number(k)} of {count(n, unit)}",
                 f"{fmt.number(k)} of {count(n, unit)} fail below half marks at {fmt.size(small)} and pass at "
                 f"{fmt.size(large)}, in each task's direction of better", flag=k == n)
