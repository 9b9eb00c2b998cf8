"""Tests of Finding 5's analysis (evalpatterns.findings.memorization): its result and its conclusion.

The post's data must be ``supported``; a hand-made frame where RL needs fewer episodes ``contradicted``; too
little data ``inconclusive``. Per-seed tests are checked against scipy (Welch's t-test); a hypothesis test draws
valid memorization data and checks that the analysis never raises and that its conclusion follows its rule.
"""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from scipy import stats as st

from properties import examples
from evalpatterns import io
from evalpatterns.findings import memorization as finding
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from evalpatterns.stats import ratio_of_means

from memorization_frames import mem_frame, memorization_rows, rl_faster, run, seeds

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def post() -> finding.Result:
    data = {k: io.load(k, DATA / f"{k}.csv") for k in finding.DATA}
    return finding.analyse(data)


def test_module_constants():
    assert (finding.NUMBER, finding.CHAPTER, finding.DATA) == (5, "sl-vs-rl", ("memorization", "effect_sizes"))
    assert finding.QUESTION.startswith("Finding 5: ") and finding.QUESTION.endswith("?")
    assert finding.Params() == finding.Params(bars_n=100, min_fit_points=4)


# -- the post's data ---------------------------------------------------------------------------------------------

def test_post_data_is_supported(post):
    c = post.conclusion
    assert c.verdict == SUPPORTED
    # 6 N x 2 RL methods; every RL count (or lower bound) is above 11 supervised episodes
    assert len(post.comparisons) == 12
    assert set(post.comparisons["direction"]) == {finding.MORE}
    assert c.reason == "RL needed more episodes than supervised learning in all 12 comparisons"
    # the headline: at N = 100, RL-Step's 10,000+ / 11 = 909.09x+ beats RL-EoE's 301 / 11 = 27.4x
    assert c.statistic == pytest.approx(10000 / 11)
    assert c.shown == "909x+ the supervised episodes for RL-Step at N = 100"
    assert c.p_value is None  # no per-seed rows: no test
    # 6 comparisons use a value read off figure 1 (N = 25, 50, 250 for both RL methods)
    assert int(post.comparisons["from_figure"].sum()) == 6


def test_post_data_fits_measured_points_only(post):
    """Issue 10: the RL-EoE exponent was 0.42 in the table (figure points included) and 0.39 in the claims
    table. The one fit now rests on the measured points: log10 N = 1, 2, 2.699 against 101, 301, 451."""
    fits = post.fits.set_index("method")
    ref = st.linregress(np.log10([10, 100, 500]), np.log10([101, 301, 451]))
    assert fits.loc["rl_eoe", "exponent"] == pytest.approx(ref.slope, rel=1e-12)
    assert round(ref.slope, 2) == 0.39
    assert fits.loc["rl_eoe", "n_points"] == 3 and fits.loc["rl_eoe", "n_figure_points"] == 0
    # three converged values read off the figure (N = 25, 50, 250) are left out, and said to be
    assert fits.loc["rl_eoe", "n_figure_left_out"] == 3
    assert fits.loc["rl_step", "n_lower_bounds_left_out"] == 2 and not bool(fits.loc["rl_step", "fitted"])
    # RL-Step's three values read off the figure (lower bounds at N = 25, 50, 250) are left out too, and counted
    assert fits.loc["rl_step", "n_figure_left_out"] == 3


def test_post_data_result_holds_the_published_effect_sizes_and_no_recomputed_ones(post):
    assert len(post.effect_sizes) == 3 and post.seed_effects.empty
    assert post.params == finding.Params()


# -- the opposite story and too little data -----------------------------------------------------------------------

def test_rl_faster_is_contradicted(tmp_path):
    r = run(mem_frame(tmp_path, rl_faster()))
    c = r.conclusion
    assert c.verdict == CONTRADICTED
    assert set(r.comparisons["direction"]) == {finding.NOT_MORE}
    assert c.reason == "RL needed as many episodes as supervised learning or fewer in 6 of 6 comparisons"
    # at N = 100: RL-EoE 40 / 200 = 0.2x, RL-Step 120 / 200 = 0.6x; the larger is RL-Step's
    assert c.statistic == pytest.approx(0.6)
    assert c.shown == "0.6x the supervised episodes for RL-Step at N = 100"


def test_equal_counts_are_not_more(tmp_path):
    rows = [("supervised", 10, None, 50, True, "measured"), ("rl_eoe", 10, None, 50, True, "measured")]
    r = run(mem_frame(tmp_path, rows), bars_n=10)
    assert r.conclusion.verdict == CONTRADICTED
    assert r.conclusion.reason.endswith("in 1 of 1 comparison")
    assert r.conclusion.statistic == pytest.approx(1.0)


def test_only_supervised_is_inconclusive(tmp_path):
    r = run(mem_frame(tmp_path, [("supervised", 10, None, 11, True, "measured")]))
    assert r.conclusion.verdict == INCONCLUSIVE
    assert r.conclusion.statistic is None and r.headline is None
    assert "no problem size N has counts for both" in r.conclusion.reason


def test_rl_and_supervised_at_different_n_is_inconclusive(tmp_path):
    r = run(mem_frame(tmp_path, [("supervised", 10, None, 11, True, "measured"),
                                 ("rl_eoe", 100, None, 301, True, "measured")]))
    assert r.conclusion.verdict == INCONCLUSIVE and r.comparisons.empty


def test_half_and_half_is_inconclusive(tmp_path):
    rows = [("supervised", 10, None, 10, True, "measured"), ("supervised", 100, None, 10, True, "measured"),
            ("rl_eoe", 10, None, 100, True, "measured"), ("rl_eoe", 100, None, 5, True, "measured")]
    c = run(mem_frame(tmp_path, rows)).conclusion
    assert c.verdict == INCONCLUSIVE
    assert c.reason == ("of 2 comparisons, RL needed 1 more and 1 as many or fewer: not every comparison shows "
                        "RL needing more episodes, and not most show it needing no more")
    assert c.statistic == pytest.approx(0.5)  # at N = 100: 5 / 10


@pytest.mark.parametrize("rl, rl_conv, sl, sl_conv, direction", [
    (500, False, 11, True, finding.MORE),          # a lower bound above the supervised count: more
    (5, False, 11, True, finding.UNDETERMINED),    # RL at least 5, supervised 11: the order is open
    (5, True, 11, False, finding.NOT_MORE),        # supervised at least 11, RL 5: RL fewer
    (50, True, 11, False, finding.UNDETERMINED),   # supervised at least 11, RL 50: open
    (50, False, 11, False, finding.UNDETERMINED),  # both lower bounds
    (11, True, 11, True, finding.NOT_MORE),        # as many
])
def test_direction_with_lower_bounds(tmp_path, rl, rl_conv, sl, sl_conv, direction):
    rows = [("supervised", 10, None, sl, sl_conv, "measured"), ("rl_step", 10, None, rl, rl_conv, "measured")]
    r = run(mem_frame(tmp_path, rows), bars_n=10)
    assert list(r.comparisons["direction"]) == [direction]


def test_two_lower_bounds_give_no_statistic(tmp_path):
    # supervised 3+ and RL-Step 661+ at N = 10: 661 / 3 = 220 bounds nothing, so it is not the headline number
    rows = [("supervised", 10, None, 3, False, "measured"), ("rl_step", 10, None, 661, False, "measured"),
            ("rl_eoe", 10, None, 1, False, "measured")]
    c = run(mem_frame(tmp_path, rows), bars_n=10).conclusion
    assert c.verdict == INCONCLUSIVE and c.statistic is None
    assert c.reason == ("of 2 comparisons, lower bounds leave the order open in 2: not every comparison shows "
                        "RL needing more episodes, and not most show it needing no more")
    assert c.shown.startswith("no bounded ratio")


def test_headline_prefers_a_bounded_ratio(tmp_path):
    # at N = 10: RL-Step 661+ against supervised 3+ (unbounded, 220x) and RL-EoE 30 against 3+ (at most 10x)
    rows = [("supervised", 10, None, 3, False, "measured"), ("rl_step", 10, None, 661, False, "measured"),
            ("rl_eoe", 10, None, 30, True, "measured")]
    c = run(mem_frame(tmp_path, rows), bars_n=10).conclusion
    assert c.statistic == pytest.approx(10.0) and c.shown.startswith("at most 10x the supervised episodes")


def test_headline_falls_back_to_the_largest_n_with_comparisons(tmp_path):
    r = run(mem_frame(tmp_path, rl_faster((10, 20))), bars_n=100)
    # nothing at N = 100: the headline is read at N = 20 (RL-Step 120 / 200 = 0.6x)
    assert int(r.headline["n_values"]) == 20 and r.headline["method"] == "rl_step"
    assert r.conclusion.shown.endswith("at N = 20")


# -- per-seed rows: Welch's t-test and the interval of the ratio -------------------------------------------------

def test_seeds_clearly_apart_are_supported_with_welch_p_and_a_ratio_interval(tmp_path):
    sl, rl = [10, 11, 12, 13], [101, 95, 110, 99]
    r = run(mem_frame(tmp_path, seeds("supervised", sl) + seeds("rl_eoe", rl)), bars_n=10)
    c = r.conclusion
    assert c.verdict == SUPPORTED
    welch = st.ttest_ind(sl, rl, equal_var=False)
    assert c.p_value == pytest.approx(welch.pvalue, rel=1e-10)
    assert c.p_value < 0.05
    # ratio 101.25 / 11.5 = 8.804; its interval is stats.ratio_of_means on the seeds' means and SDs
    q = ratio_of_means(np.mean(sl), np.std(sl, ddof=1), 4, np.mean(rl), np.std(rl, ddof=1), 4)
    h = r.headline
    assert h["ratio"] == pytest.approx(101.25 / 11.5)
    assert (h["ratio_low"], h["ratio_high"]) == (pytest.approx(q.low), pytest.approx(q.high))
    assert q.low < h["ratio"] < q.high
    assert c.shown == "8.8x the supervised episodes for RL-EoE at N = 10, 95% CI " \
        f"{q.low:.3g}x to {q.high:.3g}x"
    assert c.reason == ("RL needed more episodes than supervised learning in the only comparison, and the one "
                        "comparison with per-seed counts differs at the 0.05 level")


def test_seeds_that_cannot_be_told_apart_are_not_more(tmp_path):
    sl, rl = [10, 11, 12], [11, 12, 13]
    r = run(mem_frame(tmp_path, seeds("supervised", sl) + seeds("rl_eoe", rl)), bars_n=10)
    p = st.ttest_ind(sl, rl, equal_var=False).pvalue
    assert p > 0.05  # t = -1.22, about 0.29
    cmp_ = r.comparisons.iloc[0]
    assert cmp_["p_value"] == pytest.approx(p, rel=1e-10) and bool(cmp_["tested"]) and not bool(cmp_["significant"])
    assert cmp_["direction"] == finding.NOT_MORE  # RL's mean is higher, but not distinguishable: "as many"
    assert r.conclusion.verdict == CONTRADICTED


def test_episodes_of_seeds_are_the_mean_with_its_t_interval(tmp_path):
    sl = [10, 11, 12, 13]
    r = run(mem_frame(tmp_path, seeds("supervised", sl) + seeds("rl_eoe", [101, 95, 110, 99])), bars_n=10)
    e = r.episodes.set_index("method").loc["supervised"]
    lo, hi = st.t.interval(0.95, 3, loc=np.mean(sl), scale=st.sem(sl))
    assert e["episodes"] == pytest.approx(11.5) and e["n_seeds"] == 4
    assert (e["ci_low"], e["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))


# -- property: valid data never makes the analysis raise, and its verdict follows its rule ------------------------

@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=memorization_rows(), bars_n=hs.sampled_from((10, 100, 250)))
def test_property_analyse_never_raises_and_follows_its_rule(rows, bars_n):
    with tempfile.TemporaryDirectory() as tmp:
        r = run(mem_frame(Path(tmp), rows), bars_n=bars_n)
    c, d = r.conclusion, r.comparisons
    k = len(d)
    if k == 0:
        assert c.verdict == INCONCLUSIVE and c.statistic is None
        return
    n_more, n_not = int(d["direction"].eq(finding.MORE).sum()), int(d["direction"].eq(finding.NOT_MORE).sum())
    expected = SUPPORTED if n_more == k else CONTRADICTED if n_not > k / 2 else INCONCLUSIVE
    assert c.verdict == expected
    # a comparison counted as more never has RL at or below supervised
    more = d[d["direction"] == finding.MORE]
    assert (more["episodes"] > more["reference_episodes"]).all()
    # the statistic is the largest bounded ratio at bars_n (or at the largest N with one); none without one
    bounded = d[~d["ratio_unbounded"].astype(bool)]
    if bounded.empty:
        assert c.statistic is None
        return
    at = bounded[bounded["n_values"] == bars_n]
    at = at if len(at) else bounded[bounded["n_values"] == bounded["n_values"].max()]
    assert c.statistic == pytest.approx(at["ratio"].max())
    assert math.isfinite(c.statistic) and c.statistic > 0
