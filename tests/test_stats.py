"""Tests of evalpatterns.stats: power-law fits, Hedges' g and Wilson intervals.

Every expected value is either computed independently with scipy or worked by hand in a comment.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from evalpatterns.stats import (compare_with_stderr, stderr_interval, HedgesG, PowerLawFit, WilsonInterval, hedges_g, hedges_g_from_stats,
                                power_law_fit, wilson_interval, within_each_others_interval)

Z95 = st.norm.ppf(0.975)  # 1.959964


# --------------------------------------------------------------------------------------------------------------
# power_law_fit
# --------------------------------------------------------------------------------------------------------------

def reference_fit(n, y, confidence=0.95):
    """The same fit done independently with scipy.stats.linregress on log10 data."""
    lx, ly = np.log10(np.asarray(n, float)), np.log10(np.asarray(y, float))
    res = st.linregress(lx, ly)
    k = len(lx)
    half = st.t.ppf(0.5 + confidence / 2, k - 2) * res.stderr
    return res.slope, 10 ** res.intercept, res.rvalue ** 2, res.slope - half, res.slope + half


@pytest.mark.parametrize("n, y", [
    # the RL-EoE points of figure 1 / the post's table
    ([10, 25, 50, 100, 250, 500], [101, 101, 151, 301, 301, 451]),
    # noisy y around 5 n^0.7
    (list(np.geomspace(2, 2000, 9)),
     list(5 * np.geomspace(2, 2000, 9) ** 0.7 * np.exp(np.random.default_rng(0).normal(0, 0.2, 9)))),
    # three points only: the smallest sample with an interval (df = 1)
    ([1, 3, 7], [2, 5, 30]),
    # repeated n values are allowed as long as there are two distinct ones
    ([10, 10, 100, 100, 1000], [8, 12, 90, 130, 900]),
])
def test_power_law_fit_matches_linregress(n, y):
    fit = power_law_fit(n, y)
    slope, prefactor, r2, lo, hi = reference_fit(n, y)
    assert isinstance(fit, PowerLawFit)
    assert fit.fitted is True
    assert fit.n_points == len(n)
    assert fit.exponent == pytest.approx(slope, rel=1e-10, abs=1e-12)
    assert fit.prefactor == pytest.approx(prefactor, rel=1e-10)
    assert fit.r_squared == pytest.approx(r2, rel=1e-10)
    assert fit.ci_low == pytest.approx(lo, rel=1e-10)
    assert fit.ci_high == pytest.approx(hi, rel=1e-10)


def test_power_law_fit_interval_half_width_is_t_times_stderr():
    n = [10, 25, 50, 100, 250, 500]
    y = [101, 101, 151, 301, 301, 451]
    res = st.linregress(np.log10(n), np.log10(y))
    fit = power_law_fit(n, y)
    # k = 6 points -> df = 4, t.ppf(0.975, 4) = 2.776445
    assert st.t.ppf(0.975, 4) == pytest.approx(2.776445, abs=1e-6)
    half = st.t.ppf(0.975, 4) * res.stderr
    assert (fit.ci_high - fit.ci_low) / 2 == pytest.approx(half, rel=1e-10)
    assert (fit.ci_high + fit.ci_low) / 2 == pytest.approx(fit.exponent, rel=1e-10)


def test_power_law_fit_other_confidence_uses_matching_t_quantile():
    n = [10, 25, 50, 100, 250, 500]
    y = [101, 101, 151, 301, 301, 451]
    res = st.linregress(np.log10(n), np.log10(y))
    fit = power_law_fit(n, y, confidence=0.90)
    half = st.t.ppf(0.95, 4) * res.stderr
    assert fit.ci_low == pytest.approx(res.slope - half, rel=1e-10)
    assert fit.ci_high == pytest.approx(res.slope + half, rel=1e-10)
    # a 90% interval is narrower than the 95% one
    wide = power_law_fit(n, y)
    assert wide.ci_high - wide.ci_low > fit.ci_high - fit.ci_low


def test_power_law_fit_exact_square_law():
    # y = 3 n^2 exactly: log10 y = log10 3 + 2 log10 n -> exponent 2, prefactor 3, residuals 0, R² = 1
    n = np.array([1, 2, 5, 10, 100])
    fit = power_law_fit(n, 3 * n ** 2)
    assert fit.exponent == pytest.approx(2.0, abs=1e-12)
    assert fit.prefactor == pytest.approx(3.0, rel=1e-12)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)
    # zero residuals -> stderr 0 -> the interval collapses on the exponent
    assert fit.ci_low == pytest.approx(2.0, abs=1e-9)
    assert fit.ci_high == pytest.approx(2.0, abs=1e-9)


def test_power_law_fit_docstring_example():
    # power_law_fit([10, 100], [10, 100]).exponent == 1.0: two points, exact line through the origin in log space
    fit = power_law_fit([10, 100], [10, 100])
    assert fit.exponent == pytest.approx(1.0, abs=1e-12)
    assert fit.prefactor == pytest.approx(1.0, rel=1e-12)
    assert fit.fitted is True
    # two points: no interval, no R²
    assert math.isnan(fit.ci_low) and math.isnan(fit.ci_high)
    assert math.isnan(fit.r_squared)
    assert fit.n_points == 2


def test_power_law_fit_inverse_law():
    # y = 1000 / n: exponent -1, prefactor 1000
    n = np.array([1.0, 10.0, 100.0, 1000.0])
    fit = power_law_fit(n, 1000 / n)
    assert fit.exponent == pytest.approx(-1.0, abs=1e-12)
    assert fit.prefactor == pytest.approx(1000.0, rel=1e-12)


def test_power_law_fit_constant_y_gives_exponent_zero_and_undefined_r2():
    # supervised learning: 11 episodes at every N -> slope 0, prefactor 11, SS_tot = 0 so R² undefined
    fit = power_law_fit([10, 25, 50, 100, 250, 500], [11] * 6)
    assert fit.fitted is True
    assert fit.exponent == pytest.approx(0.0, abs=1e-12)
    assert fit.prefactor == pytest.approx(11.0, rel=1e-12)
    assert math.isnan(fit.r_squared)
    assert fit.ci_low == pytest.approx(0.0, abs=1e-12)
    assert fit.ci_high == pytest.approx(0.0, abs=1e-12)
    assert "constant" in fit.reason


@pytest.mark.parametrize("n, y, k", [
    ([10], [5], 1),
    ([10, 10, 10], [5, 6, 7], 3),
    ([], [], 0),
])
def test_power_law_fit_without_two_distinct_n_is_not_fitted(n, y, k):
    fit = power_law_fit(n, y)
    assert fit.fitted is False
    assert fit.n_points == k
    assert "cannot fit" in fit.reason
    assert math.isnan(fit.exponent) and math.isnan(fit.prefactor) and math.isnan(fit.r_squared)
    assert math.isnan(fit.ci_low) and math.isnan(fit.ci_high)


def test_power_law_fit_one_point_reason_is_words():
    fit = power_law_fit([100], [10000])
    assert fit.reason == "cannot fit: 1 point at 1 problem size; a fit needs two"


@pytest.mark.parametrize("n, y", [
    ([0, 10, 100], [1, 2, 3]),
    ([-1, 10, 100], [1, 2, 3]),
    ([1, 10, 100], [1, 0, 3]),
    ([1, 10, 100], [1, 2, -3]),
])
def test_power_law_fit_rejects_non_positive_values(n, y):
    with pytest.raises(ValueError, match="positive"):
        power_law_fit(n, y)


def test_power_law_fit_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="length"):
        power_law_fit([1, 2, 3], [1, 2])


def test_power_law_fit_does_not_modify_its_input():
    n = np.array([10.0, 25.0, 50.0])
    y = np.array([101.0, 101.0, 151.0])
    n0, y0 = n.copy(), y.copy()
    power_law_fit(n, y)
    np.testing.assert_array_equal(n, n0)
    np.testing.assert_array_equal(y, y0)


# --------------------------------------------------------------------------------------------------------------
# Hedges' g
# --------------------------------------------------------------------------------------------------------------

def test_hedges_g_from_stats_docstring_example_by_hand():
    # means 10 and 12, SDs 2 and 2, 5 per group:
    #   s_pooled = sqrt((4*4 + 4*4) / 8) = 2;  d = (10 - 12) / 2 = -1
    #   J = 1 - 3 / (4*10 - 9) = 1 - 3/31 = 28/31 = 0.903226;  g = -0.903226
    #   se = sqrt(10/25 + g²/20) = sqrt(0.4 + 0.815818/20) = sqrt(0.440791) = 0.663921
    #   CI = g ± 1.959964 * 0.663921 = -0.903226 ± 1.301261 = (-2.204487, 0.398035)
    r = hedges_g_from_stats(10, 2, 5, 12, 2, 5)
    assert isinstance(r, HedgesG)
    assert r.d == pytest.approx(-1.0, abs=1e-12)
    assert r.correction == pytest.approx(28 / 31, rel=1e-12)
    assert r.g == pytest.approx(-28 / 31, rel=1e-12)
    assert r.g == pytest.approx(-0.903226, abs=1e-6)
    assert r.se == pytest.approx(0.663921, abs=1e-6)
    assert r.ci_low == pytest.approx(-2.204487, abs=1e-5)
    assert r.ci_high == pytest.approx(0.398035, abs=1e-5)
    assert (r.n_a, r.n_b) == (5, 5)


def test_hedges_g_per_seed_by_hand():
    # a = [11, 12, 10, 13]: mean 11.5, squared deviations 0.25+0.25+2.25+2.25 = 5, var 5/3
    # b = [101, 95, 110, 99]: mean 101.25, squared deviations 0.0625+39.0625+76.5625+5.0625 = 120.75, var 40.25
    # pooled var = (5 + 120.75) / 6 = 20.958333, s_pooled = 4.578027
    # d = (11.5 - 101.25) / 4.578027 = -19.604514;  J = 1 - 3/23 = 0.869565;  g = -17.047404
    r = hedges_g([11, 12, 10, 13], [101, 95, 110, 99])
    assert r.d == pytest.approx(-19.604514, abs=1e-6)
    assert r.correction == pytest.approx(20 / 23, rel=1e-12)
    assert r.g == pytest.approx(-17.047404, abs=1e-6)
    # se = sqrt(8/16 + g²/16) = sqrt(0.5 + 290.614/16) = sqrt(18.663388) = 4.320114
    assert r.se == pytest.approx(math.sqrt(0.5 + r.g ** 2 / 16), rel=1e-12)
    assert r.se == pytest.approx(4.320113, abs=1e-5)


@pytest.mark.parametrize("a, b", [
    ([11, 12, 10, 13], [101, 95, 110, 99]),
    ([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 4.0, 6.0]),
    (list(np.random.default_rng(1).normal(10, 3, 12)), list(np.random.default_rng(2).normal(8, 2, 7))),
    ([5, 7], [6, 9]),
])
def test_hedges_g_matches_scipy_t_statistic(a, b):
    # For equal-variance Student t: t = (mean_a - mean_b) / (s_pooled sqrt(1/na + 1/nb)),
    # so d = t sqrt(1/na + 1/nb) and g = d (1 - 3 / (4 (na + nb) - 9)).
    na, nb = len(a), len(b)
    t = st.ttest_ind(a, b, equal_var=True).statistic
    d = t * math.sqrt(1 / na + 1 / nb)
    j = 1 - 3 / (4 * (na + nb) - 9)
    g = d * j
    r = hedges_g(a, b)
    assert r.d == pytest.approx(d, rel=1e-10)
    assert r.correction == pytest.approx(j, rel=1e-12)
    assert r.g == pytest.approx(g, rel=1e-10)
    # normal-approximation interval (Hedges & Olkin 1985)
    se = math.sqrt((na + nb) / (na * nb) + g ** 2 / (2 * (na + nb)))
    assert r.se == pytest.approx(se, rel=1e-10)
    assert r.ci_low == pytest.approx(g - Z95 * se, rel=1e-10)
    assert r.ci_high == pytest.approx(g + Z95 * se, rel=1e-10)
    assert (r.n_a, r.n_b) == (na, nb)


def test_hedges_g_is_antisymmetric():
    a, b = [11, 12, 10, 13], [101, 95, 110, 99]
    ab, ba = hedges_g(a, b), hedges_g(b, a)
    assert ab.g == pytest.approx(-ba.g, rel=1e-12)
    assert ab.ci_low == pytest.approx(-ba.ci_high, rel=1e-12)


def test_hedges_g_agrees_with_hedges_g_from_stats():
    a = np.array([3.0, 4.5, 5.0, 6.5, 7.0])
    b = np.array([1.0, 2.0, 2.5, 4.0])
    r1 = hedges_g(a, b)
    r2 = hedges_g_from_stats(a.mean(), a.std(ddof=1), a.size, b.mean(), b.std(ddof=1), b.size)
    for x, y in zip(r1, r2):
        assert x == pytest.approx(y, rel=1e-12)


def test_hedges_g_confidence_level():
    r90 = hedges_g_from_stats(10, 2, 5, 12, 2, 5, confidence=0.90)
    z = st.norm.ppf(0.95)  # 1.644854
    assert r90.ci_low == pytest.approx(r90.g - z * r90.se, rel=1e-12)
    assert r90.ci_high == pytest.approx(r90.g + z * r90.se, rel=1e-12)


@pytest.mark.parametrize("a, b", [([1.0], [1.0, 2.0]), ([1.0, 2.0], [3.0]), ([4.0], [5.0])])
def test_hedges_g_needs_two_values_per_group(a, b):
    with pytest.raises(ValueError, match="at least two"):
        hedges_g(a, b)


def test_hedges_g_from_stats_needs_two_values_per_group():
    with pytest.raises(ValueError, match="at least two"):
        hedges_g_from_stats(1.0, 1.0, 1, 2.0, 1.0, 5)


def test_hedges_g_zero_variance_raises():
    with pytest.raises(ValueError, match="zero variance"):
        hedges_g([11, 11, 11], [11, 11, 11, 11])
    with pytest.raises(ValueError, match="zero variance"):
        hedges_g_from_stats(11, 0, 3, 101, 0, 3)


def test_hedges_g_one_group_constant_is_fine():
    # only one group has zero variance: pooled SD comes from the other
    # a = [11, 11, 11], b = [100, 102, 104]: pooled var = (0 + 2*4) / 4 = 2, s = 1.414214
    # d = (11 - 102) / 1.414214 = -64.346717; J = 1 - 3/15 = 0.8; g = -51.477374
    r = hedges_g([11, 11, 11], [100, 102, 104])
    assert r.d == pytest.approx(-91 / math.sqrt(2), rel=1e-12)
    assert r.g == pytest.approx(0.8 * -91 / math.sqrt(2), rel=1e-12)


# --------------------------------------------------------------------------------------------------------------
# Wilson interval
# --------------------------------------------------------------------------------------------------------------

def statsmodels_wilson(count, nobs, alpha=0.05):
    """statsmodels.stats.proportion.proportion_confint(method='wilson'), written out by hand.

    crit = norm.isf(alpha/2); denom = 1 + crit²/nobs; center = (q + crit²/(2 nobs)) / denom;
    dist = crit sqrt(q(1-q)/nobs + crit²/(4 nobs²)) / denom; (center - dist, center + dist).
    """
    count = np.asarray(count, float)
    nobs = np.asarray(nobs, float)
    q = count / nobs
    crit = st.norm.isf(alpha / 2.0)
    crit2 = crit ** 2
    denom = 1 + crit2 / nobs
    center = (q + crit2 / (2 * nobs)) / denom
    dist = crit * np.sqrt(q * (1.0 - q) / nobs + crit2 / (4.0 * nobs ** 2)) / denom
    return center - dist, center + dist


def test_wilson_46_of_50_by_hand():
    # p = 0.92, z² = 3.841459, n = 50
    # denom = 1 + 3.841459/50 = 1.076829
    # centre = (0.92 + 3.841459/100) / 1.076829 = 0.958415 / 1.076829 = 0.890034
    # half = 1.959964 * sqrt(0.92*0.08/50 + 3.841459/10000) / 1.076829
    #      = 1.959964 * sqrt(0.001472 + 0.000384146) / 1.076829 = 1.959964 * 0.043083 / 1.076829 = 0.078417
    # interval = (0.811617, 0.968450)
    r = wilson_interval(46, 50)
    assert isinstance(r, WilsonInterval)
    assert float(r.proportion) == pytest.approx(0.92, abs=1e-12)
    assert float(r.low) == pytest.approx(0.8117, abs=1e-4)
    assert float(r.high) == pytest.approx(0.9685, abs=1e-4)
    assert float(r.low) == pytest.approx(0.811617, abs=2e-6)
    assert float(r.high) == pytest.approx(0.968450, abs=2e-6)


def test_wilson_147_of_200_by_hand():
    # p = 0.735, n = 200: denom = 1 + 3.841459/200 = 1.019207
    # centre = (0.735 + 3.841459/400) / 1.019207 = 0.744604 / 1.019207 = 0.730572
    # half = 1.959964 * sqrt(0.735*0.265/200 + 3.841459/160000) / 1.019207
    #      = 1.959964 * sqrt(0.000973875 + 0.0000240091) / 1.019207 = 1.959964 * 0.031589 / 1.019207 = 0.060750
    # interval = (0.669822, 0.791322)
    r = wilson_interval(147, 200)
    assert float(r.proportion) == pytest.approx(0.735)
    assert float(r.low) == pytest.approx(0.669822, abs=5e-6)
    assert float(r.high) == pytest.approx(0.791322, abs=5e-6)


@pytest.mark.parametrize("k, n", [(46, 50), (147, 200), (4, 200), (0, 200), (200, 200), (1, 2), (7, 13)])
def test_wilson_matches_statsmodels_formula(k, n):
    lo, hi = statsmodels_wilson(k, n)
    r = wilson_interval(k, n)
    assert float(r.proportion) == pytest.approx(k / n, rel=1e-12, abs=1e-15)
    assert float(r.low) == pytest.approx(float(lo), rel=1e-10, abs=1e-12)
    assert float(r.high) == pytest.approx(float(hi), rel=1e-10, abs=1e-12)


def test_wilson_boundaries_stay_inside_unit_interval():
    # k = 0: centre = half, so low = 0; k = n: high = 1
    # upper end at 0/200: z²/n / (1 + z²/n) = 0.019207 / 1.019207 = 0.018845
    r0 = wilson_interval(0, 200)
    assert float(r0.low) == pytest.approx(0.0, abs=1e-12)
    assert float(r0.high) == pytest.approx(0.018845, abs=1e-6)
    r1 = wilson_interval(200, 200)
    assert float(r1.high) == pytest.approx(1.0, abs=1e-12)
    assert float(r1.low) == pytest.approx(1 - 0.018845, abs=1e-6)


def test_wilson_other_confidence_matches_statsmodels_formula():
    lo, hi = statsmodels_wilson(46, 50, alpha=0.10)
    r = wilson_interval(46, 50, confidence=0.90)
    assert float(r.low) == pytest.approx(float(lo), rel=1e-10)
    assert float(r.high) == pytest.approx(float(hi), rel=1e-10)
    wide = wilson_interval(46, 50)
    assert r.low > wide.low and r.high < wide.high


def test_wilson_is_vectorised():
    k = np.array([46, 147, 4, 0])
    n = np.array([50, 200, 200, 200])
    r = wilson_interval(k, n)
    lo, hi = statsmodels_wilson(k, n)
    assert np.shape(r.low) == (4,) and np.shape(r.high) == (4,) and np.shape(r.proportion) == (4,)
    np.testing.assert_allclose(r.proportion, k / n, rtol=1e-12)
    np.testing.assert_allclose(r.low, lo, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.high, hi, rtol=1e-10, atol=1e-12)
    # element by element equals the scalar call
    for i in range(4):
        s = wilson_interval(int(k[i]), int(n[i]))
        assert float(r.low[i]) == pytest.approx(float(s.low), rel=1e-12, abs=1e-15)
        assert float(r.high[i]) == pytest.approx(float(s.high), rel=1e-12, abs=1e-15)


def test_wilson_vectorised_over_lists_and_broadcast():
    r = wilson_interval([46, 23], 50)
    lo, hi = statsmodels_wilson([46, 23], [50, 50])
    np.testing.assert_allclose(r.low, lo, rtol=1e-10)
    np.testing.assert_allclose(r.high, hi, rtol=1e-10)
    # 23/50 = 0.46 lies inside its own interval
    assert r.low[1] < 0.46 < r.high[1]


# -- ratio_of_means ----------------------------------------------------------------------------------------------

def test_ratio_of_means_docstring_example_by_hand():
    from evalpatterns.stats import ratio_of_means

    # means 10 and 100, SDs 1 and 10, 5 each: v_a = 1 / (5 * 100) = 0.002 = v_b; df = 0.004² / (2 * 0.002² / 4) = 8
    r = ratio_of_means(10, 1, 5, 100, 10, 5)
    half = st.t.ppf(0.975, 8) * math.sqrt(0.004)
    assert r.ratio == 10 and r.df == pytest.approx(8)
    assert (r.low, r.high) == (pytest.approx(10 * math.exp(-half)), pytest.approx(10 * math.exp(half)))
    assert (round(r.low, 2), round(r.high, 2)) == (8.64, 11.57)


def test_ratio_of_means_without_spread_is_exact_and_rejects_bad_input():
    from evalpatterns.stats import ratio_of_means

    assert ratio_of_means(11, 0, 3, 33, 0, 3)[:3] == (3.0, 3.0, 3.0)
    with pytest.raises(ValueError):
        ratio_of_means(11, 1, 1, 33, 1, 3)
    with pytest.raises(ValueError):
        ratio_of_means(0, 1, 3, 33, 1, 3)


# --------------------------------------------------------------------------------------------------------------
# accuracies within each other's Wilson interval (within_each_others_interval)
# --------------------------------------------------------------------------------------------------------------

# Wilson 95% by hand, z = 1.959964, z^2 = 3.841459, n = 200: 1 + z^2/n = 1.0192073, z^2 / 2n = 0.0096036,
# z^2 / 4n^2 = 2.40091e-5.
# 146/200: centre (0.73 + 0.0096036) / 1.0192073 = 0.725666; half 1.959964 sqrt(0.73 x 0.27 / 200 + 2.40091e-5)
#          / 1.0192073 = 0.061100: 0.66457 .. 0.78677 (holds 0.735)
# 147/200: centre 0.730571, half 0.060747: 0.66982 .. 0.79132 (holds 0.73)
# 0/200:   centre 0.0094226, half 0.0094226: 0 .. 0.018845 (does not hold 0.02)
# 4/200:   centre 0.029046, half 0.021241: 0.007804 .. 0.050287 (does not hold 0)
WILSON = {(146, 200): (0.66457, 0.78677), (147, 200): (0.66982, 0.79132), (0, 200): (0.0, 0.018845),
          (4, 200): (0.007804, 0.050287)}


def test_wilson_hand_values():
    for (k, n), (lo, hi) in WILSON.items():
        w = wilson_interval(k, n)
        assert float(w.low) == pytest.approx(lo, abs=1e-5)
        assert float(w.high) == pytest.approx(hi, abs=1e-5)


def test_within_each_others_interval_pairs():
    assert within_each_others_interval(["a", "b"], [146, 147], [200, 200]) == [("a", "b")]
    assert within_each_others_interval(["x", "y"], [0, 4], [200, 200]) == []
    # 147/200 against 46/50 (92%, 81.2% .. 96.8%): 73.5% is outside, 92% outside 67% .. 79.1%
    assert within_each_others_interval(["a4", "switch"], [147, 46], [200, 50]) == []
    # all four at once: only the 146/147 pair
    assert within_each_others_interval(["b", "a2", "a3", "a4"], [146, 4, 0, 147], [200] * 4) == [("b", "a4")]


def test_within_each_others_interval_requires_both_directions():
    # 10/20 = 50% (Wilson 29.9% .. 70.1%) and 60/100 = 60% (50.2% .. 69.0%): 60% lies in the first interval but
    # 50% is below the second's 50.2%: not a pair
    assert float(wilson_interval(60, 100).low) > 0.50
    assert within_each_others_interval(["a", "b"], [10, 60], [20, 100]) == []


def test_within_each_others_interval_skips_unknown_denominators():
    nan = float("nan")
    # "c" would overlap both but has no denominator: skipped, not guessed
    assert within_each_others_interval(["a", "b", "c"], [146, 147, 146], [200, 200, nan]) == [("a", "b")]
    assert within_each_others_interval(["a", "c"], [146, nan], [200, nan]) == []
    assert within_each_others_interval([], [], []) == []


# -- rates known by a standard error ---------------------------------------------------------------------------

def test_stderr_interval_is_the_normal_interval_cut_to_the_scale():
    z = st.norm.ppf(0.975)
    w = stderr_interval(0.6, 0.163)
    assert (float(w.low), float(w.high)) == pytest.approx((0.6 - z * 0.163, 0.6 + z * 0.163), abs=1e-12)
    assert (float(w.low), float(w.high)) == pytest.approx((0.2805, 0.9195), abs=1e-4)
    near_one = stderr_interval(0.98, 0.05)
    assert float(near_one.high) == 1.0 and float(near_one.low) == pytest.approx(0.98 - z * 0.05)


def test_compare_with_stderr_is_a_two_sided_z_test():
    c = compare_with_stderr(0.7, 0.153, 0.6, 0.163)
    se = math.hypot(0.153, 0.163)
    assert c.difference == pytest.approx(0.1)
    assert c.p_value == pytest.approx(2 * st.norm.sf(0.1 / se), rel=1e-12)
    assert c.p_value == pytest.approx(0.6546, abs=1e-4)
    assert (c.low, c.high) == pytest.approx((0.1 - st.norm.ppf(0.975) * se, 0.1 + st.norm.ppf(0.975) * se))
    assert compare_with_stderr(0.5, 0.0, 0.5, 0.0).p_value == 1.0
