"""Checks of Finding 5 (supervised learning against RL): each reads the finding's result (its episodes,
advantage ratios, fits and recomputed effect sizes) and recomputes nothing itself."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt
from .. import memorization
from ..words.common import count, p_text
from .context import Context
from .verdicts import Check, unsupported


# -- Finding 5 -------------------------------------------------------------------------------------------

def _ep(ctx: Context, method: str, n: str):
    e = ctx.episodes
    r = e[(e["method"] == method) & (e["n_values"] == int(n))]
    return None if r.empty else r.iloc[0]


def episodes(ctx: Context, method: str, n: str) -> Check:
    r = _ep(ctx, method, n)
    if r is None:
        return unsupported(f"no {method} count at N = {n}")
    return Check(r["episodes"], fmt.episodes(r["episodes"], bool(r["lower_bound"])) + " ep",
                 "lower bound: the budget was hit" if r["lower_bound"] else f"{r['status']}",
                 lower_bound=bool(r["lower_bound"]))


def advantage(ctx: Context, method: str, n: str) -> Check:
    a = ctx.advantage
    r = a[(a["method"] == method) & (a["n_values"] == int(n))]
    if r.empty:
        return unsupported(f"no {method} / supervised pair at N = {n}")
    r = r.iloc[0]
    if r["ratio_unbounded"]:
        return unsupported("both counts are lower bounds, so the ratio is not bounded either way")
    if r["ratio_is_upper_bound"]:
        return unsupported("the supervised count is only a lower bound, so the ratio is only an upper bound",
                           value=r["ratio"], shown=fmt.ratio(r["ratio"]) + " at most")
    lb = bool(r["ratio_is_lower_bound"])
    return Check(r["ratio"], fmt.ratio(r["ratio"], lower_bound=lb),
                 f"{fmt.episodes(r['episodes'], bool(r['lower_bound']))} / {fmt.number(r['reference_episodes'])}",
                 lower_bound=lb)


def percent_more_efficient(ctx: Context, method: str, n: str) -> Check:
    adv = advantage(ctx, method, n)
    if not adv.supported:
        return adv
    pct = 100 * (adv.value - 1)
    return Check(pct, fmt.number(pct) + "%" + ("+" if adv.lower_bound else ""),
                 f"a {fmt.ratio(adv.value, lower_bound=adv.lower_bound)} ratio is (ratio \u2212 1) \u00d7 100% more",
                 lower_bound=adv.lower_bound, matches=f"the ratio itself, {fmt.ratio(adv.value)}, written as a percent")


def hedges_g(ctx: Context, method: str, n: str) -> Check:
    e = ctx.seed_effects
    r = e[(e["method_a"] == "supervised") & (e["method_b"] == method) & (e["n_values"] == int(n))]
    if r.empty:
        return unsupported("no per-seed episode counts or published means and SDs to recompute g from")
    r = r.iloc[0]
    return Check(r["hedges_g"], fmt.decimal(r["hedges_g"], 1),
                 f"from {r['basis']}, {int(r['n_a'])} + {int(r['n_b'])} seeds, 95% CI {fmt.decimal(r['ci_low'], 1)} to "
                 f"{fmt.decimal(r['ci_high'], 1)}")


def p_value(ctx: Context, method: str, n: str) -> Check:
    e = ctx.seed_effects
    r = e[(e["method_a"] == "supervised") & (e["method_b"] == method) & (e["n_values"] == int(n))] if len(e) else e
    if r.empty or "p_value" not in r or pd.isna(r.iloc[0]["p_value"]):
        return unsupported("no per-seed episode counts or published means and SDs to test")
    r = r.iloc[0]
    p = float(r["p_value"])
    return Check(p, p_text(p), f"Welch's t-test on {int(r['n_a'])} + {int(r['n_b'])} seeds, from {r['basis']}",
                 flag=p < 0.001)


def _fit(ctx: Context, method: str):
    """The finding's fit of ``method`` (the one its scaling table shows), or None."""
    f = ctx.fits
    rows = f[f["method"] == method]
    return None if rows.empty else rows.iloc[0]


def _points(fit) -> str:
    """'3 measured points', '5 points, 2 of them read off a figure'."""
    k, fig = int(fit["n_points"]), int(fit.get("n_figure_points", 0) or 0)
    if fig:
        return f"{count(k, 'point')}, {fig} of them read off a figure"
    return count(k, "measured point")


def exponent(ctx: Context, method: str) -> Check:
    fit = _fit(ctx, method)
    if fit is None:
        return unsupported(f"no {method} counts to fit")
    min_points = int(ctx.p("min_fit_points"))
    if not bool(fit["fitted"]):
        return unsupported(f"{_points(fit)} and {count(int(fit['n_lower_bounds_left_out']), 'lower bound')} "
                           "left out: a fit needs two problem sizes")
    shown = fmt.decimal(fit["exponent"], 2)
    detail = _points(fit) + (f", 95% CI {fmt.decimal(fit['ci_low'], 2)} to {fmt.decimal(fit['ci_high'], 2)}"
                             if pd.notna(fit["ci_low"]) else "")
    if int(fit["n_points"]) < min_points:
        return unsupported(f"{detail}: too few points for an exponent (fewer than {min_points})",
                           value=float(fit["exponent"]), shown=shown)
    return Check(float(fit["exponent"]), shown, detail)


def r_squared(ctx: Context, method: str) -> Check:
    fit = _fit(ctx, method)
    if fit is None or not bool(fit["fitted"]):
        return unsupported(f"no fit of {method}" if fit is None else f"{_points(fit)}: cannot fit")
    k = int(fit["n_points"])
    if pd.isna(fit["r_squared"]):
        if k >= 3:
            return Check(math.nan, "undefined", "episodes do not vary with N, so R\u00b2 is 0/0")
        return unsupported(f"{count(k, 'point')}: R\u00b2 is meaningless")
    if k < int(ctx.p("min_fit_points")):
        return unsupported(f"{count(k, 'point')}: too few for R\u00b2 to mean much", value=float(fit["r_squared"]),
                           shown=fmt.decimal(fit["r_squared"], 3))
    return Check(float(fit["r_squared"]), fmt.decimal(fit["r_squared"], 3), _points(fit))


def complexity(ctx: Context, method: str) -> Check:
    e = exponent(ctx, method)
    fit = _fit(ctx, method)
    if (fit is not None and bool(fit["fitted"]) and fit["exponent"] == 0 and pd.isna(fit["r_squared"])
            and int(fit["n_points"]) >= 2):
        return Check(0.0, "O(1)", f"the same count at all {_points(fit)}", flag=True)
    if not e.supported:
        return unsupported(e.reason, shown=memorization.complexity_label(e.value) if not math.isnan(e.value) else "-")
    label = memorization.complexity_label(e.value)
    return Check(e.value, label, e.reason)


def constant_time(ctx: Context, method: str) -> Check:
    part = ctx.episodes[ctx.episodes["method"] == method]
    if len(part) < 2:
        return unsupported(count(len(part), "problem size"))
    constant = part["episodes"].nunique() == 1 and not part["lower_bound"].any()
    lo, hi = part["episodes"].min(), part["episodes"].max()
    spread = (f"{fmt.number(lo)} episodes at each of" if lo == hi else
              f"{fmt.number(lo)}\u2013{fmt.number(hi)} episodes over")
    return Check(float(constant), "constant" if constant else "varies",
                 f"{spread} {count(len(part), 'problem size')}", flag=bool(constant))


def scales_linearly(ctx: Context, method: str) -> Check:
    c = complexity(ctx, method)
    if not c.supported:
        return c
    linear = c.shown == "O(n)"
    return Check(c.value, c.shown, c.reason, flag=linear)
