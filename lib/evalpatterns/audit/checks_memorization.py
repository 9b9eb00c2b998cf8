"""Checks of Finding 5 (supervised learning against RL)."""
from __future__ import annotations

import math


from .. import formatting as fmt

from .context import Context
from .verdicts import Check, unsupported
from .. import memorization
from ..stats import power_law_fit


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
    return Check(r["ratio"], fmt.ratio(r["ratio"], 2 if r["ratio"] < 20 else 0, lower_bound=lb),
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
    mem = ctx.memorization
    seeds = mem[mem["seed"].notna() & (mem["n_values"] == int(n)) & mem["method"].isin(["supervised", method])
                & mem["converged"].astype(bool)]
    a = seeds.loc[seeds["method"] == "supervised", "episodes"]
    b = seeds.loc[seeds["method"] == method, "episodes"]
    if len(a) < 2 or len(b) < 2:
        return unsupported("no per-seed episode counts to test")
    from scipy.stats import ttest_ind

    p = float(ttest_ind(a, b).pvalue)
    return Check(p, f"p = {p:.2g}", f"Student's t-test on {len(a)} + {len(b)} seeds", flag=p < 0.001)


def _fit(ctx: Context, method: str):
    min_points = int(ctx.p("min_fit_points"))
    part = ctx.episodes[(ctx.episodes["method"] == method) & (ctx.episodes["status"] == "measured")]
    points = part[~part["lower_bound"]]
    fit = power_law_fit(points["n_values"], points["episodes"]) if len(points) else None
    return fit, len(points), int(part["lower_bound"].sum()), min_points


def exponent(ctx: Context, method: str) -> Check:
    fit, k, censored, min_points = _fit(ctx, method)
    if fit is None or not fit.fitted:
        return unsupported(f"{k} converged measured point(s), {censored} lower bound(s): cannot fit")
    shown = fmt.decimal(fit.exponent, 2)
    detail = f"{k} measured points" + (f", 95% CI {fmt.decimal(fit.ci_low, 2)} to {fmt.decimal(fit.ci_high, 2)}"
                                       if not math.isnan(fit.ci_low) else "")
    if k < min_points:
        return unsupported(f"{detail}: too few points for an exponent (fewer than {min_points})",
                           value=fit.exponent, shown=shown)
    return Check(fit.exponent, shown, detail)


def r_squared(ctx: Context, method: str) -> Check:
    fit, k, censored, min_points = _fit(ctx, method)
    if fit is None or not fit.fitted:
        return unsupported(f"{k} converged measured point(s): cannot fit")
    if math.isnan(fit.r_squared):
        if k >= 3:
            return Check(math.nan, "undefined", "episodes do not vary with N, so R\u00b2 is 0/0")
        return unsupported(f"{k} points: R\u00b2 is meaningless")
    if k < min_points:
        return unsupported(f"{k} points: too few for R\u00b2 to mean much", value=fit.r_squared,
                           shown=fmt.decimal(fit.r_squared, 3))
    return Check(fit.r_squared, fmt.decimal(fit.r_squared, 3), f"{k} measured points")


def complexity(ctx: Context, method: str) -> Check:
    e = exponent(ctx, method)
    fit, k, censored, min_points = _fit(ctx, method)
    if fit is not None and fit.fitted and fit.exponent == 0 and math.isnan(fit.r_squared) and k >= 2:
        return Check(0.0, "O(1)", f"the same count at all {k} measured N", flag=True)
    if not e.supported:
        return unsupported(e.reason, shown=memorization.complexity_label(e.value) if not math.isnan(e.value) else "-")
    label = memorization.complexity_label(e.value)
    return Check(e.value, label, e.reason)


def constant_time(ctx: Context, method: str) -> Check:
    part = ctx.episodes[ctx.episodes["method"] == method]
    if len(part) < 2:
        return unsupported(f"{len(part)} problem size")
    constant = part["episodes"].nunique() == 1 and not part["lower_bound"].any()
    return Check(float(constant), "constant" if constant else "varies",
                 f"{fmt.number(part['episodes'].min())}\u2013{fmt.number(part['episodes'].max())} episodes over "
                 f"{len(part)} problem sizes", flag=bool(constant))


def scales_linearly(ctx: Context, method: str) -> Check:
    c = complexity(ctx, method)
    if not c.supported:
        return c
    linear = c.shown == "O(n)"
    return Check(c.value, c.shown, c.reason, flag=linear)
