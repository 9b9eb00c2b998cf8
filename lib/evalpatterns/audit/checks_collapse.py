"""Checks of Finding 2 (mode collapse)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import formatting as fmt

from .context import Context
from .verdicts import Check, unsupported
from .. import collapse
from ..stats import wilson_interval


# -- Finding 2 -------------------------------------------------------------------------------------------

def _attempt(ctx: Context, attempt: str):
    runs = ctx.runs
    r = runs[runs["attempt"] == int(attempt)]
    return None if r.empty else r.iloc[0]


def attempt_accuracy(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["accuracy"]):
        return unsupported(f"no attempt {attempt} with an accuracy")
    v = 100 * r["accuracy"]
    if pd.notna(r.get("n_correct")) and pd.notna(r.get("n_eval")):
        w = wilson_interval(int(r["n_correct"]), int(r["n_eval"]))
        return Check(v, fmt.pct(r["accuracy"], 1), f"{int(r['n_correct'])}/{int(r['n_eval'])}, 95% interval "
                     f"{fmt.pct(w.low, 1)} to {fmt.pct(w.high, 1)}")
    return Check(v, fmt.pct(r["accuracy"], 1), "no denominator recorded")


def attempt_collapsed(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["collapsed"]):
        return unsupported(f"no attempt {attempt} with an accuracy")
    c = bool(r["collapsed"])
    return Check(float(c), "YES" if c else "NO", f"accuracy {fmt.pct(r['accuracy'], 1)} "
                 f"{'<=' if c else '>'} {fmt.pct(ctx.p('collapse_accuracy'))}", flag=c)


def collapse_complete(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["accuracy"]):
        return unsupported(f"no attempt {attempt} with an accuracy")
    limit = ctx.p("complete_accuracy")
    one_output = r.get("sample_output") is not None and pd.notna(r.get("sample_output"))
    complete = bool(r["accuracy"] <= limit and one_output)
    word = "complete" if complete else ("partial" if r["collapsed"] else "none")
    return Check(float(complete), word, f"accuracy {fmt.pct(r['accuracy'], 1)} vs the complete-collapse limit "
                 f"{fmt.pct(limit)}; {'one repeated output' if one_output else 'no single repeated output recorded'}",
                 flag=complete)


def lr_bracket_ratio(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if math.isnan(b.ratio):
        return unsupported("no pair of a converged and a collapsed run to bracket a threshold")
    # Learning rates are settings typed exactly, not measurements rounded for print: no rounding interval.
    return Check(b.ratio, fmt.ratio(b.ratio), f"{fmt.sci(b.smallest_collapsed)} / {fmt.sci(b.largest_converged)}")


def lr_credit(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if math.isnan(b.ratio):
        return unsupported("no pair of a converged and a collapsed run")
    runs = ctx.runs[ctx.runs["collapsed"].notna()]
    pair = runs[runs["learning_rate"].isin([b.largest_converged, b.smallest_collapsed])]
    changed = collapse.changed_settings(pair)
    if changed:
        words = [collapse.SETTING_WORDS.get(c, c) for c in changed]
        return unsupported(f"between the runs at {fmt.sci(b.largest_converged)} and {fmt.sci(b.smallest_collapsed)}, "
                           + ", ".join(words) + " changed too", shown="confounded")
    return Check(1.0, "only the learning rate changed", "no other recorded setting changed", flag=True)


def collapsed_span(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if b.n_collapsed < 2:
        return unsupported(f"{b.n_collapsed} collapsed run")
    return Check(b.collapsed_span, fmt.ratio(b.collapsed_span),
                 f"{fmt.sci(b.largest_collapsed)} / {fmt.sci(b.smallest_collapsed)}, both collapsed")


def collapse_binary(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if math.isnan(b.ratio):
        return unsupported("no bracket between a converged and a collapsed run")
    runs = ctx.runs[ctx.runs["collapsed"].notna()]
    best = runs.loc[~runs["collapsed"].astype(bool), "accuracy"].max()
    between = runs[(runs["accuracy"] > ctx.p("collapse_accuracy")) & (runs["accuracy"] < best / 2)]
    if len(between):
        r = between.sort_values("learning_rate").iloc[0]
        return Check(0.0, "gradual", f"the run at {fmt.sci(r['learning_rate'])} reached {fmt.pct(r['accuracy'], 1)}, "
                     f"between collapse and half the best accuracy ({fmt.pct(best, 1)})", flag=False)
    finest = ctx.p("binary_bracket")
    if b.ratio > finest:
        return unsupported(f"no run between {fmt.sci(b.largest_converged)} and {fmt.sci(b.smallest_collapsed)} "
                           f"(a {fmt.ratio(b.ratio)} gap, wider than {fmt.ratio(finest)}): the data cannot tell a jump "
                           "from a slope", shown=f"a {fmt.ratio(b.ratio)} gap")
    return Check(1.0, "binary", f"no intermediate accuracy, and the nearest converged and collapsed rates are "
                 f"{fmt.ratio(b.ratio, 1)} apart", flag=True)


def accuracy_nonmonotonic(ctx: Context) -> Check:
    runs = ctx.runs[ctx.runs["accuracy"].notna()].sort_values("learning_rate")
    if len(runs) < 3:
        return unsupported(f"{len(runs)} runs: monotonicity needs three")
    acc = runs["accuracy"].to_numpy()
    rises = np.flatnonzero(np.diff(acc) > 0)
    if rises.size == 0:
        return Check(0.0, "monotonic", "accuracy never rises as the learning rate grows", flag=False)
    i = rises[0]
    a, b = runs.iloc[i], runs.iloc[i + 1]
    if all(pd.notna(r.get(c)) for r in (a, b) for c in ("n_correct", "n_eval")):
        wa = wilson_interval(int(a["n_correct"]), int(a["n_eval"]))
        wb = wilson_interval(int(b["n_correct"]), int(b["n_eval"]))
        if wa.low <= b["accuracy"] <= wa.high and wb.low <= a["accuracy"] <= wb.high:
            return unsupported(f"the only rise, {fmt.pct(a['accuracy'], 1)} at {fmt.sci(a['learning_rate'])} to "
                               f"{fmt.pct(b['accuracy'], 1)} at {fmt.sci(b['learning_rate'])}, lies within both "
                               "accuracies' 95% intervals", shown="within noise")
    return Check(1.0, "non-monotonic", f"accuracy rises from {fmt.pct(a['accuracy'], 1)} to "
                 f"{fmt.pct(b['accuracy'], 1)} as the rate grows", flag=True)
