"""Checks of Finding 2 (mode collapse): each reads :class:`evalpatterns.findings.collapse.Result` through the
context (``ctx.runs``, ``ctx.bracket``, ``ctx.collapse_trend``, ``ctx.collapse_confounds``) and never
reclassifies a run."""
from __future__ import annotations

import math

import pandas as pd

from .. import collapse
from .. import formatting as fmt
from ..findings.base import ALPHA
from ..stats import wilson_interval
from ..words.common import count, join, p_text
from .context import Context
from .verdicts import Check, unsupported


def _attempt(ctx: Context, attempt: str):
    runs = ctx.runs
    r = runs[runs["attempt"] == int(attempt)]
    return None if r.empty else r.iloc[0]


def _accuracy_text(r) -> str:
    """A run's accuracy as printed: ``2%``, or its range ``0–3%`` when only a range is known."""
    if bool(r.get("is_range", False)):
        return fmt.pct_range(r["accuracy_low"], r["accuracy_high"], 1)
    return fmt.pct(r["accuracy"], 1)


def _no_outcome(attempt: str, r) -> str:
    if r is None or r["outcome"] == collapse.NO_RUN:
        return f"no attempt {attempt} with an accuracy"
    return f"attempt {attempt} is known only as the range {_accuracy_text(r)}"


def attempt_accuracy(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["accuracy"]):
        return unsupported(_no_outcome(attempt, r), shown=_accuracy_text(r) if r is not None and r["is_range"]
                           else "cannot be computed")
    v = 100 * r["accuracy"]
    if pd.notna(r.get("n_correct")) and pd.notna(r.get("n_eval")):
        w = wilson_interval(int(r["n_correct"]), int(r["n_eval"]))
        return Check(v, fmt.pct(r["accuracy"], 1), f"{int(r['n_correct'])}/{int(r['n_eval'])}, 95% interval "
                     f"{fmt.pct(w.low, 1)} to {fmt.pct(w.high, 1)}")
    return Check(v, fmt.pct(r["accuracy"], 1), "no denominator recorded")


def attempt_collapsed(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    line = fmt.pct(ctx.p("collapse_accuracy"))
    if r is None or pd.isna(r["collapsed"]):
        if r is not None and r["outcome"] == collapse.UNKNOWN:
            return unsupported(f"attempt {attempt} is known only as the range {_accuracy_text(r)}, which "
                               f"straddles the collapse line {line}", shown="unknown")
        return unsupported(_no_outcome(attempt, r))
    c = bool(r["collapsed"])
    return Check(float(c), "YES" if c else "NO", f"accuracy {_accuracy_text(r)} {'<=' if c else '>'} {line}", flag=c)


def collapse_complete(ctx: Context, attempt: str) -> Check:
    """Complete collapse as the datasheet defines it: collapsed, with accuracy at or below complete_accuracy
    (an accuracy of 0 always is); a single repeated output is reported, not required."""
    r = _attempt(ctx, attempt)
    if r is None or r["outcome"] in (collapse.NO_RUN, collapse.UNKNOWN):
        return unsupported(_no_outcome(attempt, r))
    limit = fmt.pct(ctx.p("complete_accuracy"))
    one_output = r.get("sample_output") is not None and pd.notna(r.get("sample_output"))
    output = "one repeated output" if one_output else "no single repeated output recorded"
    word = r["severity"]
    if word is None or pd.isna(word):
        return unsupported(f"the range {_accuracy_text(r)} straddles the complete-collapse limit {limit}",
                           shown="complete or partial")
    return Check(float(word == "complete"), word, f"accuracy {_accuracy_text(r)} vs the complete-collapse limit "
                 f"{limit}; {output}", flag=word == "complete")


def lr_bracket_ratio(ctx: Context) -> Check:
    b = ctx.bracket
    if math.isnan(b.ratio):
        return unsupported("no pair of a converged and a collapsed run to bracket a threshold")
    # Learning rates are settings typed exactly, not measurements rounded for print: no rounding interval.
    return Check(b.ratio, fmt.ratio(b.ratio), f"{fmt.sci(b.smallest_collapsed)} / {fmt.sci(b.largest_converged)}")


def lr_credit(ctx: Context) -> Check:
    b = ctx.bracket
    if math.isnan(b.ratio):
        return unsupported("no pair of a converged and a collapsed run")
    changed = ctx.collapse_confounds
    if changed:
        words = [collapse.SETTING_WORDS.get(c, c) for c in changed]
        return unsupported(f"between the runs at {fmt.sci(b.largest_converged)} and {fmt.sci(b.smallest_collapsed)}, "
                           + ", ".join(words) + " changed too", shown="confounded")
    return Check(1.0, "only the learning rate changed", "no other recorded setting changed", flag=True)


def collapsed_span(ctx: Context) -> Check:
    b = ctx.bracket
    if b.n_collapsed < 2:
        return unsupported(f"{count(b.n_collapsed, 'collapsed run')}: a span needs two")
    return Check(b.collapsed_span, fmt.ratio(b.collapsed_span),
                 f"{fmt.sci(b.largest_collapsed)} / {fmt.sci(b.smallest_collapsed)}, both collapsed")


def collapse_binary(ctx: Context) -> Check:
    b = ctx.bracket
    if math.isnan(b.ratio):
        return unsupported("no bracket between a converged and a collapsed run")
    runs = ctx.runs
    between = runs[runs["intermediate"]]
    if len(between):
        r = between.sort_values("learning_rate").iloc[0]
        best = runs.loc[runs["outcome"] == collapse.CONVERGED, "accuracy_high"].max()
        return Check(0.0, "gradual", f"the run at {fmt.sci(r['learning_rate'])} reached {_accuracy_text(r)}, "
                     f"between collapse and half the best accuracy ({fmt.pct(best, 1)})", flag=False)
    finest = ctx.p("binary_bracket")
    if b.ratio > finest:
        return unsupported(f"no run between {fmt.sci(b.largest_converged)} and {fmt.sci(b.smallest_collapsed)} "
                           f"(a {fmt.ratio(b.ratio)} gap, wider than {fmt.ratio(finest)}): the data cannot tell a jump "
                           "from a slope", shown=f"a {fmt.ratio(b.ratio)} gap")
    return Check(1.0, "binary", f"no intermediate accuracy, and the nearest converged and collapsed rates are "
                 f"{fmt.ratio(b.ratio)} apart", flag=True)


def _change_text(c: collapse.Change, verb: str) -> str:
    p = p_text(c.p_value) or "no counts to test"
    return (f"{verb} from {fmt.pct(c.low_accuracy, 1)} at {fmt.sci(c.low_rate)} to {fmt.pct(c.high_accuracy, 1)} "
            f"at {fmt.sci(c.high_rate)} ({p})")


def accuracy_nonmonotonic(ctx: Context) -> Check:
    """Non-monotonic: accuracy both rises and falls as the rate grows, each change told apart from sampling
    noise by Fisher's exact test at ALPHA (not by interval overlap)."""
    t = ctx.collapse_trend
    if t.shape == "too few":
        return unsupported(f"{count(t.n_runs, 'run')} with an accuracy at {count(t.n_rates, 'learning rate')}: "
                           "monotonicity needs three runs at two or more rates")
    if t.shape == "monotonic":
        never = "rises or falls" if t.rise is None and t.fall is None else ("rises" if t.rise is None else "falls")
        return Check(0.0, "monotonic", f"accuracy never {never} as the learning rate grows", flag=False)
    parts = [_change_text(t.fall, "accuracy falls"), _change_text(t.rise, "rises")]
    if t.shape == "non-monotonic":
        return Check(1.0, "non-monotonic", join(parts) + f", each beyond sampling noise (Fisher's exact test, "
                     f"{ALPHA:g})", flag=True)
    noisy = [w for w, c in (("the rise", t.rise), ("the fall", t.fall)) if not t.significant(c)]
    return unsupported(join(parts) + f", but Fisher's exact test cannot tell {join(noisy)} from sampling noise "
                       f"at the {ALPHA:g} level", shown="within noise")
