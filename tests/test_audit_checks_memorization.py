"""Finding 5's checks (evalpatterns.audit.checks_memorization): episodes, lower bounds, exponents, effect
sizes, on the real data and on small memorization data sets. Expected numbers are worked by hand or computed
independently with scipy."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from evalpatterns import audit
from evalpatterns.findings import memorization as mem_finding

from audit_cases import MINUS, check
from datafiles import load_text, real


def test_real_exponent_matches_linregress_and_its_interval(real_ctx):
    # RL-EoE measured points: log10 N = 1, 2, 2.699; log10 episodes = 2.0043, 2.4786, 2.6542
    lx, ly = np.log10([10, 100, 500]), np.log10([101, 301, 451])
    res = st.linregress(lx, ly)
    half = st.t.ppf(0.975, 1) * res.stderr
    c = audit.exponent(real_ctx, "rl_eoe")
    assert c.supported is False
    assert c.value == pytest.approx(res.slope, rel=1e-12)  # 0.3888, shown though unsupported
    assert "0.39" == c.shown
    r2 = audit.r_squared(real_ctx, "rl_eoe")
    assert r2.value == pytest.approx(res.rvalue ** 2, rel=1e-12)  # 0.9754
    assert f"95% CI {MINUS}0.40 to 1.17" in c.reason
    assert res.slope - half == pytest.approx(-0.3951, abs=1e-3) and res.slope + half == pytest.approx(1.1727, abs=1e-3)


# -- Finding 5: episodes, lower bounds, exponents, effect sizes -----------------------------------------------

MEM_HEADER = "method,n_values,seed,episodes,converged,status,source\n"


def mem_frame(tmp_path, rows) -> pd.DataFrame:
    """``rows``: (method, n_values, seed or '', episodes, converged, status)."""
    text = MEM_HEADER + "".join(f"{m},{n},{s},{e},{str(c).lower()},{st_},s\n" for m, n, s, e, c, st_ in rows)
    return load_text(tmp_path, "memorization", text)


def f5_ctx(mem: pd.DataFrame, effect_sizes: pd.DataFrame | None = None, **params) -> audit.Context:
    """The audit's context of Finding 5's result on ``mem`` (and ``effect_sizes``) with ``params``."""
    data = {"memorization": mem} if effect_sizes is None else {"memorization": mem, "effect_sizes": effect_sizes}
    return audit.Context.from_results([mem_finding.analyse(data, mem_finding.Params(**params))])


def sl_constant(ns=(10, 100, 1000, 10000)):
    return [("supervised", n, "", 11, True, "measured") for n in ns]


def test_lower_bound_claims(tmp_path):
    mem = mem_frame(tmp_path, sl_constant((10, 100)) + [("rl_step", 100, "", 10000, False, "measured"),
                                                         ("rl_step", 10, "", 6040, True, "measured")])
    ctx = f5_ctx(mem)
    # claimed as a lower bound (10,000+) and the data has one: holds
    assert check("f5-step-100", ctx)["verdict"] == "holds"
    # claimed as a value: the data has only a lower bound
    row = check("f5-step-100", ctx, kind="value")
    assert row["verdict"] == "differs"
    assert row["reason"].startswith("the data has only a lower bound, which the claim states as a value")
    # a lower-bound claim on a measurement: 6,040 converged
    row = check("f5-step-10", ctx, kind="lower_bound")
    assert row["verdict"] == "differs"
    assert row["reason"].startswith("the data has a measurement, not a lower bound")
    # the lower bound carries through the ratio: 10,000+ / 11 = 909x+
    row = check("f5-adv-step-100", ctx)
    assert (row["verdict"], row["recomputed"]) == ("holds", "909x+")


def test_ratio_over_a_reference_lower_bound_is_not_a_value(tmp_path):
    """Bug: advantage() ignores sl_advantage's ``ratio_is_upper_bound``. When the supervised count is itself a
    lower bound (11+, not converged) and RL-EoE converged at 301, 301 / 11+ = 27.4 is only an upper bound on
    the advantage; the audit shows it as a plain value and lets "27x" hold."""
    mem = mem_frame(tmp_path, [("supervised", 100, "", 11, False, "measured"),
                               ("rl_eoe", 100, "", 301, True, "measured")])
    row = check("f5-adv-eoe-100", f5_ctx(mem))
    assert row["recomputed_value"] == pytest.approx(301 / 11)
    assert row["verdict"] in ("differs", "unsupported"), row["reason"]


def test_ratio_of_two_lower_bounds_is_unsupported(tmp_path):
    """Bug: when both counts are lower bounds (11+ and 10,000+) the ratio is bounded neither way
    (sl_advantage's ``ratio_unbounded``), but advantage() reports it as a measurement: the lower-bound claim
    "909x+" gets "differs" with the reason "the data has a measurement, not a lower bound", which is false."""
    mem = mem_frame(tmp_path, [("supervised", 100, "", 11, False, "measured"),
                               ("rl_step", 100, "", 10000, False, "measured")])
    row = check("f5-adv-step-100", f5_ctx(mem))
    assert row["verdict"] == "unsupported", row["reason"]


EOE_HOLDS = [100, 230, 480, 1130]  # at N = 10, 100, 1000, 10000


def eoe_rows(episodes, ns=(10, 100, 1000, 10000)):
    return [("rl_eoe", n, "", e, True, "measured") for n, e in zip(ns, episodes)]


def linregress_fit(ns, ys):
    res = st.linregress(np.log10(ns), np.log10(ys))
    half = st.t.ppf(0.975, len(ns) - 2) * res.stderr
    return res.slope, res.rvalue ** 2, res.slope - half, res.slope + half


def test_exponent_on_four_measured_points_holds_with_its_interval(tmp_path):
    # log10 N = 1, 2, 3, 4 (mean 2.5, Sxx = 5); log10 episodes = 2, 2.36173, 2.68124, 3.05308:
    # slope = (-1.5 x 2 - 0.5 x 2.36173 + 0.5 x 2.68124 + 1.5 x 3.05308) / 5 = 1.73937 / 5 = 0.34787 -> 0.35
    ns = [10, 100, 1000, 10000]
    slope, r2, lo, hi = linregress_fit(ns, EOE_HOLDS)
    assert slope == pytest.approx(0.34787, abs=1e-5)
    ctx = f5_ctx(mem_frame(tmp_path, sl_constant() + eoe_rows(EOE_HOLDS)))
    row = check("f5-beta-eoe", ctx)
    assert row["verdict"] == "holds"
    assert row["recomputed_value"] == pytest.approx(slope, rel=1e-12)
    assert row["recomputed"] == "0.35"
    assert row["reason"] == f"4 measured points, 95% CI {lo:.2f} to {hi:.2f}"  # 0.32 to 0.38
    c = audit.exponent(ctx, "rl_eoe")
    assert math.isnan(c.low) and math.isnan(c.high)  # a confidence interval is not input rounding
    # the label O(n^0.35) holds too, and R^2 = 0.99922 against the claimed 0.892 differs
    assert check("f5-o-eoe", ctx)["verdict"] == "holds"
    r2_row = check("f5-r2-eoe", ctx)
    assert (r2_row["verdict"], r2_row["recomputed_value"]) == ("differs", pytest.approx(r2, rel=1e-12))
    # at 0.99922 the claimed value 0.999 holds at 3 decimals
    assert check("f5-r2-eoe", ctx, claimed=0.999, claimed_text="0.999")["verdict"] == "holds"


def test_exponent_differs_when_outside_its_interval(tmp_path):
    # 40, 100, 200, 1000 at N = 16, 100, 400, 10000 is 10 sqrt(N) exactly: slope 0.5, interval of zero width
    ns = [16, 100, 400, 10000]
    ctx = f5_ctx(mem_frame(tmp_path, sl_constant() + eoe_rows([40, 100, 200, 1000], ns)))
    row = check("f5-beta-eoe", ctx)
    assert row["recomputed_value"] == pytest.approx(0.5)
    assert row["verdict"] == "differs"
    assert check("f5-o-eoe", ctx)["recomputed"] == "O(n^0.50)"


def test_exponent_within_its_confidence_interval_is_not_a_rounding_difference(tmp_path):
    """Bug: exponent() passes the 95% CI as the Check's low/high, which the Check defines as the rounding of
    the inputs as printed; so a claim that differs from the fit but lies in the CI gets "rounding" and the
    reason "the claimed value is within the rounding of the inputs", which is not what happened.

    100, 400, 300, 2000 at N = 10 .. 10000: slope 0.378 -> 0.38, not 0.35; 95% CI -0.15 to 0.91 (wide)."""
    ns = [10, 100, 1000, 10000]
    slope, _, lo, hi = linregress_fit(ns, [100, 400, 300, 2000])
    assert round(slope, 2) == 0.38 and lo < 0.35 < hi
    ctx = f5_ctx(mem_frame(tmp_path, sl_constant() + eoe_rows([100, 400, 300, 2000])))
    row = check("f5-beta-eoe", ctx)
    assert row["recomputed_value"] == pytest.approx(slope)
    assert row["verdict"] == "differs", row["reason"]
    assert "rounding of the inputs" not in row["reason"]


def test_exponent_on_three_points_is_unsupported_but_shown(tmp_path):
    # 100, 224, 501 at N = 10, 100, 1000: slope (log10 501 - log10 100) / 2 = (2.69984 - 2) / 2 = 0.34992 -> 0.35
    ys = [100, 224, 501]
    ctx = f5_ctx(mem_frame(tmp_path, sl_constant() + eoe_rows(ys, (10, 100, 1000))))
    slope, *_ = linregress_fit([10, 100, 1000], ys)
    assert slope == pytest.approx(0.34992, abs=1e-5)
    row = check("f5-beta-eoe", ctx)
    assert row["verdict"] == "unsupported"  # the value agrees, but three points cannot bear an exponent
    assert row["recomputed_value"] == pytest.approx(slope)
    assert row["recomputed"] == "0.35"
    assert "3 measured points" in row["reason"]
    assert "too few points for an exponent (fewer than 4)" in row["reason"]
    assert check("f5-r2-eoe", ctx)["verdict"] == "unsupported"
    # the minimum is a parameter: with min_fit_points 3 the same fit is used and the claim holds
    ctx3 = f5_ctx(ctx.memorization, min_fit_points=3)
    assert check("f5-beta-eoe", ctx3)["verdict"] == "holds"


def test_exponent_leaves_out_lower_bounds_and_figure_points(tmp_path):
    # RL-Step: 600 N exactly at four measured converged N (slope 1.00 -> O(n), linear); a lower bound at 50 and a
    # figure point at 30 that would pull the fit are left out
    rows = sl_constant() + [("rl_step", n, "", 600 * n, True, "measured") for n in (10, 100, 1000, 10000)]
    rows += [("rl_step", 50, "", 100, False, "measured"), ("rl_step", 30, "", 5, True, "figure")]
    ctx = f5_ctx(mem_frame(tmp_path, rows))
    beta = check("f5-beta-step", ctx)
    assert beta["recomputed_value"] == pytest.approx(1.0)
    assert beta["verdict"] == "differs"           # 1.00 against the claimed 1.05
    assert "4 measured points" in beta["reason"]
    assert check("f5-o-step", ctx)["verdict"] == "holds"   # O(n)
    assert check("f5-linear", ctx)["verdict"] == "holds"
    assert check("f5-r2-step", ctx)["verdict"] == "differs"  # exact fit: R^2 = 1.000, not 0.967
    # supervised: 11 at four measured N: exponent 0.00 with a zero-width interval, O(1), constant time
    assert check("f5-beta-sl", ctx)["verdict"] == "holds"
    assert check("f5-o-sl", ctx)["verdict"] == "holds"
    assert check("f5-constant", ctx)["verdict"] == "holds"
    assert check("f5-r2-sl", ctx)["recomputed"] == "undefined"  # R^2 = 1 - 0/0


def test_claim_and_table_use_one_fit_and_say_which_points(real_ctx, real_audit):
    """Issue 10: the RL-EoE exponent was 0.42 in the scaling table (figure points fitted) and 0.39 in the claims
    table. Both now read the finding's one fit, on measured points, and the table says the figure values were
    left out; a fit that does use figure values says so in the claim's reason and in the table."""
    import dataclasses

    from evalpatterns import memorization, tables

    shown = tables.scaling_display(real_ctx.fits).set_index("Method")
    assert shown.loc["RL-EoE", "Exponent (\u03b2)"] == real_audit.loc["f5-beta-eoe", "recomputed"] == "0.39"
    assert shown.loc["RL-EoE", "Read off a figure"] == "3 left out"
    result = real_ctx.results[5]
    with_figure = dataclasses.replace(result, fits=memorization.scaling_fits(result.episodes,
                                                                              statuses=("measured", "figure")))
    ctx = audit.Context.from_results([with_figure])
    c = audit.exponent(ctx, "rl_eoe")
    assert c.shown == "0.42" and c.reason.startswith("6 points, 3 of them read off a figure")
    assert tables.scaling_display(with_figure.fits).set_index("Method").loc["RL-EoE", "Read off a figure"] == "3 fitted"


SL_SEEDS = [100, 100, 110, 120, 120]  # mean 110, SD sqrt((100 + 100 + 0 + 100 + 100) / 4) = 10


def seeds(method, values, n=10):
    return [(method, n, i + 1, v, True, "measured") for i, v in enumerate(values)]


def test_hedges_g_from_per_seed_rows_holds(tmp_path):
    # RL-EoE 191, 191, 201, 211, 211: mean 201, SD 10. d = (110 - 201) / 10 = -9.1; J = 1 - 3 / (4 x 10 - 9)
    # = 28 / 31 = 0.90323; g = -8.2194 -> -8.2. se = sqrt(10 / 25 + g^2 / 20) = sqrt(0.4 + 3.37789) = 1.94368;
    # 95% CI -8.2194 -/+ 1.95996 x 1.94368 = -12.029 .. -4.410
    mem = mem_frame(tmp_path, seeds("supervised", SL_SEEDS) + seeds("rl_eoe", [191, 191, 201, 211, 211]))
    ctx = f5_ctx(mem, real("effect_sizes"))
    row = check("f5-g-eoe-10", ctx)
    assert row["verdict"] == "holds"
    assert row["recomputed_value"] == pytest.approx(-9.1 * 28 / 31)
    assert row["recomputed"] == f"{MINUS}8.2"
    assert row["reason"] == f"from per-seed rows, 5 + 5 seeds, 95% CI {MINUS}12.0 to {MINUS}4.4"
    c = audit.hedges_g(ctx, "rl_eoe", "10")
    assert math.isnan(c.low) and math.isnan(c.high)  # the CI (-12.0289 .. -4.4098) is in the reason only
    # Welch's t-test on the same seeds: t = -91 / (10 sqrt(2/5)) = -14.39; equal SDs and sizes give Welch's
    # df = 8, Student's: p = 5.3e-7 < 0.001
    p = check("f5-p", ctx)
    assert p["verdict"] == "holds"
    assert p["recomputed_value"] == pytest.approx(
        st.ttest_ind(SL_SEEDS, [191, 191, 201, 211, 211], equal_var=False).pvalue)
    assert p["recomputed_value"] == pytest.approx(5.319e-7, rel=1e-3)


def test_hedges_g_from_per_seed_rows_differs(tmp_path):
    # RL-EoE mean 310: d = -20, g = -20 x 28 / 31 = -18.06; se = sqrt(0.4 + 326.3 / 20) = 4.0886,
    # CI -26.08 .. -10.05: -8.2 is outside it
    mem = mem_frame(tmp_path, seeds("supervised", SL_SEEDS) + seeds("rl_eoe", [300, 300, 310, 320, 320]))
    row = check("f5-g-eoe-10", f5_ctx(mem))
    assert row["verdict"] == "differs"
    assert row["recomputed_value"] == pytest.approx(-20 * 28 / 31)


def test_hedges_g_inside_its_interval_is_not_a_rounding_difference(tmp_path):
    """Bug: hedges_g() passes the 95% CI as the Check's low/high (meant for the rounding of printed inputs),
    so a g that differs from the claim but whose CI holds it is called "rounding", with the reason "the
    claimed value is within the rounding of the inputs". RL-EoE mean 210: d = -10, g = -9.032 -> -9.0, not
    -8.2; CI -13.18 .. -4.88 holds -8.2. Per-seed values are not rounded inputs: the claim differs."""
    mem = mem_frame(tmp_path, seeds("supervised", SL_SEEDS) + seeds("rl_eoe", [200, 200, 210, 220, 220]))
    row = check("f5-g-eoe-10", f5_ctx(mem))
    assert row["recomputed_value"] == pytest.approx(-10 * 28 / 31)
    assert row["verdict"] == "differs", row["reason"]
    assert "rounding of the inputs" not in row["reason"]


def test_p_value_differs_when_the_seeds_overlap(tmp_path):
    mem = mem_frame(tmp_path, seeds("supervised", [10, 11, 12]) + seeds("rl_eoe", [11, 12, 13]))
    p = check("f5-p", f5_ctx(mem))
    # t = -1 / (1 x sqrt(2/3)) = -1.2247 on 4 df (Welch's df is 4 too, the SDs being equal): p = 0.288
    assert p["recomputed_value"] == pytest.approx(st.ttest_ind([10, 11, 12], [11, 12, 13], equal_var=False).pvalue)
    assert p["recomputed_value"] == pytest.approx(0.288, abs=1e-3)
    assert p["verdict"] == "differs"


def test_p_value_is_welchs_not_students(tmp_path):
    # unequal spreads: supervised 10..14 (mean 12, var 2.5), RL-EoE 50, 100, 150 (mean 100, var 2500).
    # Welch: se = sqrt(2.5/5 + 2500/3) = 28.876, t = -88 / 28.876 = -3.047, df = 833.83^2 / (0.5^2/4 + 833.33^2/2)
    # = 2.002, p = 0.0928. Student's would pool: var 835, se = sqrt(835 (1/5 + 1/3)) = 21.103, t = -4.170 on 6 df,
    # p = 0.0059. The audit reads Welch's from the result.
    sl, rl = [10, 11, 12, 13, 14], [50, 100, 150]
    welch, student = (st.ttest_ind(sl, rl, equal_var=v).pvalue for v in (False, True))
    assert welch == pytest.approx(0.0928, abs=1e-4) and student == pytest.approx(0.0059, abs=1e-4)
    mem = mem_frame(tmp_path, seeds("supervised", sl) + seeds("rl_eoe", rl))
    p = check("f5-p", f5_ctx(mem))
    assert p["recomputed_value"] == pytest.approx(welch, rel=1e-10)
    assert p["reason"] == "Welch's t-test on 5 + 3 seeds, from per-seed rows"


ES_HEADER = ("comparison,method_a,method_b,n_values,hedges_g,p_value,p_value_bound,mean_a,sd_a,n_a,mean_b,sd_b,n_b,"
             "status,source\n")


def test_hedges_g_from_published_means_and_sds(tmp_path):
    # supervised 11 +/- 1 (10 seeds), RL-EoE 101 +/- 10 (10 seeds) at N = 100:
    # s_pooled = sqrt((9 x 1 + 9 x 100) / 18) = sqrt(50.5) = 7.1063; d = -90 / 7.1063 = -12.6648;
    # J = 1 - 3 / (4 x 20 - 9) = 68 / 71 = 0.95775; g = -12.1296 -> -12.1 (the meta-analysis's value)
    # se = sqrt(20 / 100 + g^2 / 40) = sqrt(0.2 + 3.6782) = 1.96931: CI -15.99 .. -8.27
    es = load_text(tmp_path, "effect_sizes", ES_HEADER
                   + "Supervised vs RL-EoE,supervised,rl_eoe,100,-12.1,0.001,upper,11,1,10,101,10,10,measured,s\n")
    mem = mem_frame(tmp_path, sl_constant((10, 100)) + eoe_rows([101, 301], (10, 100)))
    ctx = f5_ctx(mem, es)
    row = check("f5-g-eoe-100", ctx)
    assert row["verdict"] == "holds"
    assert row["recomputed_value"] == pytest.approx(-90 / math.sqrt(50.5) * 68 / 71)
    assert row["recomputed_value"] == pytest.approx(-12.1296, abs=1e-4)
    assert row["reason"] == f"from published means and SDs, 10 + 10 seeds, 95% CI {MINUS}16.0 to {MINUS}8.3"
    # no such statistics for N = 10: still unsupported
    assert check("f5-g-eoe-10", ctx)["verdict"] == "unsupported"


def test_hedges_g_per_seed_rows_take_precedence_over_published_stats(tmp_path):
    es = load_text(tmp_path, "effect_sizes", ES_HEADER
                   + "Supervised vs RL-EoE,supervised,rl_eoe,10,-8.2,0.001,upper,11,1,10,101,10,10,measured,s\n")
    mem = mem_frame(tmp_path, seeds("supervised", SL_SEEDS) + seeds("rl_eoe", [191, 191, 201, 211, 211]))
    row = check("f5-g-eoe-10", f5_ctx(mem, es))
    assert row["recomputed_value"] == pytest.approx(-9.1 * 28 / 31)
    assert row["reason"].startswith("from per-seed rows")


def test_hedges_g_claim_uses_only_the_comparison_with_supervised(tmp_path):
    """Bug: hedges_g() picks the recomputed effect size by method_b and N only, never checking method_a. The
    claim "Supervised vs RL-Step (N=10)" is then recomputed from an RL-EoE vs RL-Step comparison when that is
    the one row with published statistics; it should be unsupported (no supervised vs RL-Step statistics)."""
    es = load_text(tmp_path, "effect_sizes", ES_HEADER
                   + "RL-EoE vs RL-Step,rl_eoe,rl_step,10,-15.3,0.001,upper,101,10,10,6040,500,10,measured,s\n")
    mem = mem_frame(tmp_path, sl_constant((10,)) + eoe_rows([101], (10,)))
    row = check("f5-g-step-10", f5_ctx(mem, es))
    assert row["verdict"] == "unsupported", (row["recomputed"], row["reason"])


def test_percent_more_efficient(tmp_path):
    # RL-Step 100 converged at N = 100 against supervised 10: ratio 10x, (10 - 1) x 100% = 900% more
    mem = mem_frame(tmp_path, [("supervised", 100, "", 10, True, "measured"),
                               ("rl_step", 100, "", 100, True, "measured")])
    ctx = f5_ctx(mem)
    row = check("f5-909pct", ctx, claimed=900.0, claimed_text="900%")
    assert (row["verdict"], row["recomputed_value"], row["recomputed"]) == ("holds", pytest.approx(900.0), "900%")
    row = check("f5-909pct", ctx)  # the claimed 909%
    assert row["verdict"] == "differs"
    assert "the ratio itself, 10x, written as a percent" in row["reason"]
