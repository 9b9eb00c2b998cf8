"""Finding 5's arithmetic (evalpatterns.memorization) on the real data and on small synthetic data.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments) or
computed independently with scipy."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from evalpatterns import memorization
from evalpatterns.stats import hedges_g, hedges_g_from_stats, ratio_of_means
from datafiles import load_text, real, row, unchanged


@pytest.fixture(scope="module")
def mem():
    return real("memorization")


def test_episodes_table(mem):
    t = unchanged(memorization.episodes_table, mem)
    assert len(t) == 18
    r = row(t, method="rl_step", n_values=100)
    assert r["episodes"] == 10000 and bool(r["lower_bound"]) is True and r["status"] == "measured"
    r = row(t, method="rl_step", n_values=10)
    assert r["episodes"] == 6040 and bool(r["lower_bound"]) is False
    assert t.loc[t["method"] == "supervised", "episodes"].eq(11).all()
    assert int(t["lower_bound"].sum()) == 5


def test_sl_advantage(mem):
    adv = memorization.sl_advantage(memorization.episodes_table(mem))
    got = {(r.method, int(r.n_values)): (r.ratio, bool(r.ratio_is_lower_bound)) for r in adv.itertuples()}
    # 101/11 = 9.18, 301/11 = 27.36, 451/11 = 41.00 (converged: exact ratios)
    assert got[("rl_eoe", 10)] == (pytest.approx(101 / 11), False)
    assert got[("rl_eoe", 100)] == (pytest.approx(301 / 11), False)
    assert got[("rl_eoe", 500)] == (pytest.approx(41.0), False)
    assert 101 / 11 == pytest.approx(9.18, abs=5e-3) and 301 / 11 == pytest.approx(27.36, abs=5e-3)
    # 6040/11 = 549.09 (converged); 10000/11 = 909.09 and 50000/11 = 4545.45 only lower bounds
    assert got[("rl_step", 10)] == (pytest.approx(549.09, abs=5e-3), False)
    assert got[("rl_step", 100)] == (pytest.approx(909.09, abs=5e-3), True)
    assert got[("rl_step", 500)] == (pytest.approx(4545.45, abs=5e-3), True)
    assert "supervised" not in set(adv["method"])
    assert not adv["ratio_is_upper_bound"].any() and not adv["ratio_unbounded"].any()


def test_sl_advantage_reference_lower_bound_flips_the_bound(mem):
    # if the reference itself were only a lower bound, a converged method's ratio is an upper bound
    t = memorization.episodes_table(mem)
    t.loc[(t["method"] == "supervised") & (t["n_values"] == 10), "lower_bound"] = True
    adv = memorization.sl_advantage(t)
    eoe = row(adv, method="rl_eoe", n_values=10)
    assert bool(eoe["ratio_is_upper_bound"]) is True and bool(eoe["ratio_is_lower_bound"]) is False


def test_scaling_fits_with_figure_points(mem):
    fits = memorization.scaling_fits(memorization.episodes_table(mem), statuses=("measured", "figure")) \
        .set_index("method")
    assert list(fits.index) == ["supervised", "rl_eoe", "rl_step"]
    # supervised: 11 episodes at every N -> exponent 0, constant time
    sup = fits.loc["supervised"]
    assert sup["exponent"] == pytest.approx(0.0, abs=1e-12)
    assert bool(sup["fitted"]) is True and sup["complexity"] == "O(1)" and sup["n_points"] == 6
    assert math.isnan(sup["r_squared"])
    # rl_eoe: the same regression as scipy on the six measured + figure converged points
    n = [10, 25, 50, 100, 250, 500]
    y = [101, 101, 151, 301, 301, 451]
    ref = st.linregress(np.log10(n), np.log10(y))
    eoe = fits.loc["rl_eoe"]
    assert eoe["exponent"] == pytest.approx(ref.slope, rel=1e-10)
    assert eoe["r_squared"] == pytest.approx(ref.rvalue ** 2, rel=1e-10)
    assert eoe["prefactor"] == pytest.approx(10 ** ref.intercept, rel=1e-10)
    half = st.t.ppf(0.975, 4) * ref.stderr
    assert eoe["ci_low"] == pytest.approx(ref.slope - half, rel=1e-10)
    assert eoe["ci_high"] == pytest.approx(ref.slope + half, rel=1e-10)
    assert eoe["n_points"] == 6 and eoe["n_lower_bounds_left_out"] == 0
    # three of the six points were read off figure 1 (N = 25, 50, 250): the fit says so
    assert eoe["n_figure_points"] == 3 and eoe["n_figure_left_out"] == 0
    # rl_step: only N=10 converged; the 5 budget-capped runs are lower bounds and are left out
    step = fits.loc["rl_step"]
    assert bool(step["fitted"]) is False
    assert step["n_points"] == 1
    assert step["n_lower_bounds_left_out"] == 5
    assert "cannot fit" in step["reason"]
    assert math.isnan(step["exponent"]) and step["complexity"] == "-"


def test_scaling_fits_on_measured_points_only_by_default(mem):
    table = memorization.episodes_table(mem)
    fits = memorization.scaling_fits(table).set_index("method")
    pd.testing.assert_frame_equal(fits, memorization.scaling_fits(table, statuses=("measured",)).set_index("method"))
    ref = st.linregress(np.log10([10, 100, 500]), np.log10([101, 301, 451]))
    assert fits.loc["rl_eoe", "exponent"] == pytest.approx(ref.slope, rel=1e-10)
    assert fits.loc["rl_eoe", "n_points"] == 3
    # no figure point fitted; the three converged ones read off the figure are counted as left out
    assert fits.loc["rl_eoe", "n_figure_points"] == 0 and fits.loc["rl_eoe", "n_figure_left_out"] == 3
    # measured rl_step: 100 and 500 are lower bounds
    assert fits.loc["rl_step", "n_lower_bounds_left_out"] == 2


@pytest.mark.parametrize("exponent, label", [
    (0.0, "O(1)"), (0.04, "O(1)"), (-0.05, "O(1)"), (1.0, "O(n)"), (0.96, "O(n)"), (1.04, "O(n)"),
    (0.35, "O(n^0.35)"), (0.416029, "O(n^0.42)"), (2.0, "O(n^2.00)"), (0.1, "O(n^0.10)"), (float("nan"), "-"),
])
def test_complexity_label(exponent, label):
    assert memorization.complexity_label(exponent) == label


@pytest.mark.parametrize("exponent, label", [(0.00, "O(1)"), (0.35, "O(n^0.35)"), (1.05, "O(n)")])
def test_complexity_label_matches_the_posts_scaling_table(exponent, label):
    # post, Finding 5: Supervised 0.00 -> O(1); RL-EoE 0.35 -> O(n^0.35); RL-Step 1.05 -> O(n).
    # With the default tol = 0.05, |1.05 - 1| is on the boundary, which the label must include
    # (as it does for |-0.05 - 0| -> O(1)).
    assert memorization.complexity_label(exponent) == label


def per_seed_text() -> str:
    # supervised N=10: 11, 12, 10, 13; rl_eoe N=10: 101, 95, 110, 99 and a fifth seed that hit the budget
    # (500, not converged: left out of g); rl_step N=10 has one seed only (no comparison possible)
    rows = ["supervised,10,1,11,true", "supervised,10,2,12,true", "supervised,10,3,10,true",
            "supervised,10,4,13,true",
            "rl_eoe,10,1,101,true", "rl_eoe,10,2,95,true", "rl_eoe,10,3,110,true", "rl_eoe,10,4,99,true",
            "rl_eoe,10,5,500,false",
            "rl_step,10,1,6040,true",
            "supervised,100,1,11,true", "supervised,100,2,11,true", "supervised,100,3,12,true",
            "rl_eoe,100,1,290,true", "rl_eoe,100,2,301,true", "rl_eoe,100,3,312,true"]
    return "method,n_values,seed,episodes,converged,status,source\n" + "".join(
        r + ",measured,synthetic\n" for r in rows)


def test_effect_sizes_from_seeds_equal_hedges_g_by_hand(tmp_path):
    seeds = load_text(tmp_path, "memorization", per_seed_text())
    es = unchanged(memorization.effect_sizes_from_seeds, seeds)
    assert list(es.columns) == ["method_a", "method_b", "n_values", "hedges_g", "ci_low", "ci_high", "n_a", "n_b",
                                "p_value"]
    assert len(es) == 2  # rl_eoe at N=10 and N=100; rl_step has a single seed
    r10 = row(es, method_b="rl_eoe", n_values=10)
    expected = hedges_g([11, 12, 10, 13], [101, 95, 110, 99])
    # by hand (see test_stats): d = (11.5 - 101.25) / 4.578027 = -19.604514, J = 20/23, g = -17.047404
    assert r10["method_a"] == "supervised"
    assert r10["hedges_g"] == pytest.approx(expected.g, rel=1e-12)
    assert r10["hedges_g"] == pytest.approx(-17.047404, abs=1e-6)
    assert r10["ci_low"] == pytest.approx(expected.ci_low, rel=1e-12)
    assert r10["ci_high"] == pytest.approx(expected.ci_high, rel=1e-12)
    assert (r10["n_a"], r10["n_b"]) == (4, 4)
    # Welch's t-test on the converged seeds, as scipy computes it
    assert r10["p_value"] == pytest.approx(st.ttest_ind([11, 12, 10, 13], [101, 95, 110, 99], equal_var=False).pvalue,
                                           rel=1e-10)
    # N=100: a = [11, 11, 12] mean 11.3333 var 0.3333; b = [290, 301, 312] mean 301 var 121
    # pooled var = (2*0.3333 + 2*121)/4 = 60.6667, s = 7.788881; d = -289.6667/7.788881 = -37.18980
    # J = 1 - 3/15 = 0.8; g = -29.75184
    r100 = row(es, method_b="rl_eoe", n_values=100)
    assert r100["hedges_g"] == pytest.approx(hedges_g([11, 11, 12], [290, 301, 312]).g, rel=1e-12)
    assert r100["hedges_g"] == pytest.approx(0.8 * (11 + 1 / 3 - 301) / math.sqrt((2 / 3 + 242) / 4), rel=1e-12)


def test_episodes_table_from_seeds(tmp_path):
    seeds = load_text(tmp_path, "memorization", per_seed_text())
    t = memorization.episodes_table(seeds)
    eoe = row(t, method="rl_eoe", n_values=10)
    # mean of 101, 95, 110, 99, 500 = 905/5 = 181; one seed did not converge -> a lower bound
    assert eoe["episodes"] == pytest.approx(181.0)
    assert bool(eoe["lower_bound"]) is True
    assert eoe["n_seeds"] == 5
    sup = row(t, method="supervised", n_values=10)
    assert sup["episodes"] == pytest.approx(11.5)
    assert sup["sd"] == pytest.approx(math.sqrt(5 / 3))
    assert bool(sup["lower_bound"]) is False
    # the mean of four converged seeds has its t interval; a mean that is a lower bound has none
    lo, hi = st.t.interval(0.95, 3, loc=11.5, scale=math.sqrt(5 / 3) / 2)
    assert (sup["ci_low"], sup["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert math.isnan(eoe["ci_low"]) and math.isnan(eoe["ci_high"])
    # RL-EoE at N = 100 (290, 301, 312) against supervised (11, 11, 12): the ratio's interval from ratio_of_means
    adv = row(memorization.sl_advantage(t), method="rl_eoe", n_values=100)
    q = ratio_of_means(34 / 3, math.sqrt(1 / 3), 3, 301, 11, 3)
    assert adv["ratio"] == pytest.approx(301 / (34 / 3))
    assert (adv["ratio_low"], adv["ratio_high"]) == (pytest.approx(q.low), pytest.approx(q.high))
    # at N = 10 the RL-EoE mean is a lower bound: no interval on its ratio
    assert math.isnan(row(memorization.sl_advantage(t), method="rl_eoe", n_values=10)["ratio_low"])


def test_sl_advantage_when_supervised_has_no_count_at_that_n(tmp_path):
    # regression: mapping an N without a supervised count into the bound flags raised a TypeError (Int64 and False)
    text = ("method,n_values,seed,episodes,converged,status,source\n"
            "supervised,10,,11,true,measured,s\nrl_eoe,100,,301,true,measured,s\n")
    adv = memorization.sl_advantage(memorization.episodes_table(load_text(tmp_path, "memorization", text)))
    assert adv.empty


def test_effect_sizes_from_seeds_empty_without_per_seed_rows(mem):
    es = memorization.effect_sizes_from_seeds(mem)
    assert es.empty
    assert list(es.columns) == ["method_a", "method_b", "n_values", "hedges_g", "ci_low", "ci_high", "n_a", "n_b",
                                "p_value"]


def test_effect_sizes_from_seeds_skips_zero_variance(tmp_path):
    text = "method,n_values,seed,episodes,converged,status,source\n" + "".join(
        f"{m},10,{s},{e},true,measured,synthetic\n"
        for m, e in (("supervised", 11), ("rl_eoe", 101)) for s in (1, 2, 3))
    es = memorization.effect_sizes_from_seeds(load_text(tmp_path, "memorization", text))
    assert es.empty
    # the same data raises in the statistics function
    with pytest.raises(ValueError):
        hedges_g_from_stats(11, 0, 3, 101, 0, 3)
