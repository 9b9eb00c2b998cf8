"""Checks of Finding 4 (hybrid distillation), read from :class:`evalpatterns.findings.distillation.Result`."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt
from ..findings.distillation import JUDGED, family_run
from ..words.common import count, p_text
from .context import Context
from .verdicts import Check, _half_unit, unsupported

NO_KL_AT = "no run logs KL at its transition step"


def kl_spike(ctx: Context) -> Check:
    r = ctx.kl_spike_run
    if r is None:
        return unsupported(NO_KL_AT)
    if pd.isna(r["kl_spike_ratio"]):
        before = "is not logged" if pd.isna(r["kl_before"]) else "is 0"
        return unsupported(f"KL at the transition of {r['run']} is {fmt.number(r['kl_at'], 4)}, but the KL before "
                           f"it {before}, so no ratio can be computed")
    half = _half_unit(r["kl_before"])
    return Check(r["kl_spike_ratio"], fmt.ratio(r["kl_spike_ratio"]),
                 f"{fmt.number(r['kl_at'], 4)} / {fmt.number(r['kl_before'], 3)} in {r['run']}",
                 low=r["kl_at"] / (r["kl_before"] + half), high=r["kl_at"] / max(r["kl_before"] - half, 1e-12))


def kl_before(ctx: Context) -> Check:
    r = ctx.kl_spike_run
    if r is None:
        return unsupported(f"{NO_KL_AT}, so there is no spike to read the KL before it from")
    if pd.isna(r["kl_before"]):
        return unsupported(f"no off-policy KL is logged before the transition of {r['run']}")
    return Check(r["kl_before"], fmt.number(r["kl_before"], 3), f"last off-policy KL logged in {r['run']}")


def kl_at(ctx: Context) -> Check:
    r = ctx.kl_spike_run
    if r is None:
        return unsupported(NO_KL_AT)
    return Check(r["kl_at"], fmt.number(r["kl_at"], 4), f"KL at step {int(r['transition_step'])} of {r['run']}")


def transition_step(ctx: Context) -> Check:
    t = ctx.transitions.dropna(subset=["transition_step"])
    if t.empty:
        return unsupported("no run changes phase")
    steps = sorted(set(int(s) for s in t["transition_step"]))
    return Check(float(steps[0]) if len(steps) == 1 else math.nan, ", ".join(f"step {s}" for s in steps),
                 f"first on-policy step in {count(len(t), 'run')}")


def spike_at_transition(ctx: Context) -> Check:
    rises = ctx.kl_rises
    if rises.empty:
        return unsupported("no run logs KL both before its transition and at it")
    k, n = int(rises["at_transition"].sum()), len(rises)
    return Check(float(k == n), f"{k} of {count(n, 'run')}",
                 f"the rise of KL across the transition is the largest rise in {k} of {count(n, 'run')} "
                 "logging KL on both sides of it", flag=k == n)


def distillation_gap(ctx: Context, family: str) -> Check:
    r = family_run(ctx.transitions, family)
    if r is None:
        return unsupported(f"no {family} run")
    return Check(r["gap"], fmt.ratio(r["gap"]), f"{r['teacher']} / {r['student']} ({r['run']})")


def eval_after(ctx: Context, family: str, end: str) -> Check:
    r = family_run(ctx.transitions, family)
    if r is None or pd.isna(r["eval_after_min"]):
        return unsupported(f"no {family} eval score after a transition")
    v = r["eval_after_min" if end == "low" else "eval_after_max"]
    return Check(v, fmt.number(v, 3), f"{'lowest' if end == 'low' else 'highest'} eval score from the transition "
                                      f"on in {r['run']}")


def severity(ctx: Context, family: str) -> Check:
    r = family_run(ctx.transitions, family)
    if r is None:
        return unsupported(f"no {family} run")
    if r["severity"] not in JUDGED:
        why = {"no transition": "does not change phase", "no eval": "logs no eval score after its transition",
               "no eval before": "logs no eval score before its transition",
               "already collapsed": f"was already at or below {ctx.p('complete_below'):g} before its transition"
               }.get(r["severity"], f"has severity {r['severity']}")
        return unsupported(f"{r['run']} {why}, so its severity cannot be told", shown=str(r["severity"]).capitalize())
    return Check(math.nan, str(r["severity"]).capitalize(),
                 f"eval {fmt.number(r['eval_before'], 3)} before, {fmt.number(r['eval_after_min'], 3)}\u2013"
                 f"{fmt.number(r['eval_after_max'], 3)} from the transition on in {r['run']} (complete when every "
                 f"score is at most {ctx.p('complete_below'):g}, partial below a {fmt.pct(ctx.p('partial_drop'), 1)} drop)")


def severity_correlation(ctx: Context) -> Check:
    """Judged on one point per condition (its seeds' mean relative drop across the transition): seeds of one
    condition are not independent points."""
    c = ctx.gap_correlation
    points = count(c.n, c.unit)
    if c.n < c.min_runs:
        return unsupported(f"{points} with a gap and a relative drop across the transition; a correlation is judged "
                           f"on at least {c.min_runs} (min_correlation_runs)", shown=points)
    if c.rho is None:
        return unsupported(f"the gap or the relative drop is the same in all {points}", shown=points)
    return Check(c.rho, f"Spearman \u03c1 = {fmt.decimal(c.rho, 2)}",
                 f"gap against relative drop over {points}{' (seeds pooled to their mean)' if c.pooled else ''}: "
                 f"one-sided {p_text(c.p_value)} ({'exact' if c.exact else 't approximation'}) for a larger gap "
                 "giving a larger drop", flag=c.holds)
