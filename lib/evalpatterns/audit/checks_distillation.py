"""Checks of Finding 4 (hybrid distillation)."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt

from .context import Context
from .verdicts import Check, _half_unit, unsupported


# -- Finding 4 -------------------------------------------------------------------------------------------

def _spike_run(ctx: Context):
    t = ctx.transitions.dropna(subset=["kl_spike_ratio"])
    return None if t.empty else t.loc[t["kl_spike_ratio"].idxmax()]


def _family_run(ctx: Context, family: str):
    t = ctx.transitions[ctx.transitions["family"] == family]
    return None if t.empty else t.iloc[0]


def kl_spike(ctx: Context) -> Check:
    r = _spike_run(ctx)
    if r is None:
        return unsupported("no run logs KL on both sides of a transition")
    half = _half_unit(r["kl_before"])
    return Check(r["kl_spike_ratio"], fmt.ratio(r["kl_spike_ratio"]),
                 f"{fmt.number(r['kl_at'], 4)} / {fmt.number(r['kl_before'], 3)} in {r['run']}",
                 low=r["kl_at"] / (r["kl_before"] + half), high=r["kl_at"] / max(r["kl_before"] - half, 1e-12))


def kl_before(ctx: Context) -> Check:
    r = _spike_run(ctx)
    if r is None:
        return unsupported("no pre-transition KL logged")
    return Check(r["kl_before"], fmt.number(r["kl_before"], 3), f"last off-policy KL logged in {r['run']}")


def kl_at(ctx: Context) -> Check:
    r = _spike_run(ctx)
    if r is None:
        return unsupported("no KL logged at a transition")
    return Check(r["kl_at"], fmt.number(r["kl_at"], 4), f"KL at step {int(r['transition_step'])} of {r['run']}")


def transition_step(ctx: Context) -> Check:
    t = ctx.transitions.dropna(subset=["transition_step"])
    if t.empty:
        return unsupported("no run changes phase")
    steps = sorted(set(int(s) for s in t["transition_step"]))
    return Check(float(steps[0]) if len(steps) == 1 else math.nan, ", ".join(f"step {s}" for s in steps),
                 f"first on-policy step in {len(t)} run(s)")


def spike_at_transition(ctx: Context) -> Check:
    log = ctx.distillation.sort_values(["run", "step"]).dropna(subset=["kl"])
    if log.empty:
        return unsupported("no KL logged")
    jumps = log.assign(jump=log.groupby("run")["kl"].diff())
    top = jumps.loc[jumps.groupby("run")["jump"].idxmax().dropna()]
    t = ctx.transitions.set_index("run")["transition_step"]
    at = top["step"].to_numpy() == top["run"].map(t).to_numpy()
    return Check(float(at.all()), f"{int(at.sum())} of {len(top)} runs",
                 f"the largest KL jump falls at the transition step in {int(at.sum())} of {len(top)} runs",
                 flag=bool(at.all()))


def distillation_gap(ctx: Context, family: str) -> Check:
    r = _family_run(ctx, family)
    if r is None:
        return unsupported(f"no {family} run")
    return Check(r["gap"], fmt.ratio(r["gap"], 1), f"{r['teacher']} / {r['student']}")


def eval_after(ctx: Context, family: str, end: str) -> Check:
    r = _family_run(ctx, family)
    if r is None or pd.isna(r["eval_after_min"]):
        return unsupported(f"no {family} eval score after a transition")
    v = r["eval_after_min" if end == "low" else "eval_after_max"]
    return Check(v, fmt.number(v, 3), f"{'lowest' if end == 'low' else 'highest'} eval score from the transition on")


def severity(ctx: Context, family: str) -> Check:
    r = _family_run(ctx, family)
    if r is None:
        return unsupported(f"no {family} run")
    return Check(math.nan, str(r["severity"]).capitalize(),
                 f"eval {fmt.number(r['eval_before'], 3)} before, {fmt.number(r['eval_after_min'], 3)}\u2013"
                 f"{fmt.number(r['eval_after_max'], 3)} after (complete at <= {ctx.p('complete_below'):g})")


def severity_correlation(ctx: Context) -> Check:
    t = ctx.transitions.dropna(subset=["eval_final"])
    if len(t) < 3:
        return unsupported(f"{len(t)} runs: a correlation needs at least three", shown=f"{len(t)} runs")
    from scipy.stats import spearmanr

    rho = spearmanr(t["gap"], t["eval_final"]).statistic
    return Check(rho, f"Spearman \u03c1 = {fmt.decimal(rho, 2)}", f"gap against final eval over {len(t)} runs",
                 flag=bool(rho < 0))
