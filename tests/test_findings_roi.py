"""Finding 3 as one analysis: the baseline it uses, the arithmetic on the post's data, and the conclusion
on data that tell the post's story, the opposite one, and too little of either."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import fisher_exact

from properties import examples
from evalpatterns import io
from evalpatterns.findings import roi
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from evalpatterns.words import roi as words

DATA = Path(__file__).resolve().parents[1] / "data"
COLUMNS = ["approach", "kind", "model", "params_b", "minutes", "accuracy", "accuracy_low", "accuracy_high",
           "n_correct", "n_eval", "status", "source", "note"]


def frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS[:len(rows[0])] if rows else COLUMNS)
    for c in COLUMNS:
        if c not in df:
            df[c] = None
    for c in ("params_b", "minutes", "accuracy", "accuracy_low", "accuracy_high", "n_correct", "n_eval"):
        df[c] = pd.to_numeric(df[c]).astype(float)
    return df[COLUMNS]


def attempts(baseline=(0.5, 100, 200), training=((30, 0.8, 160, 200),), switch=((5, 0.52, 26, 50),)):
    rows = []
    if baseline is not None:
        acc, k, n = baseline
        rows.append(["base", "baseline", "M", 8, 0, acc, None, None, k, n, "measured", "t", ""])
    for i, (minutes, acc, k, n) in enumerate(training):
        rows.append([f"train {i}", "training", "M", 8, minutes, acc, None, None, k, n, "measured", "t", ""])
    for i, (minutes, acc, k, n) in enumerate(switch):
        rows.append([f"switch {i}", "model_switch", "N", 8, minutes, acc, None, None, k, n, "measured", "t", ""])
    return frame(rows)


@pytest.fixture(scope="module")
def post():
    return roi.analyse(io.load("roi", DATA / "roi.csv"))


def test_post_data_baseline_comes_from_its_baseline_row(post):
    assert post.baseline.origin == "data" and post.baseline.accuracy == 0.73
    assert post.baseline.row == "DeepSeek-R1-32B baseline"
    assert words.values(post)["baseline_origin_text"].startswith("the data's baseline row")


def test_an_explicit_parameter_wins_over_the_baseline_row():
    r = roi.analyse(io.load("roi", DATA / "roi.csv"), roi.Params(baseline_accuracy=0.6))
    assert r.baseline.origin == "parameter" and r.baseline.accuracy == 0.6
    # the switch: 92% - 60% = +32 points
    assert r.summary.switch_gain_points == pytest.approx(32)
    assert "parameter" in words.values(r)["baseline_origin_text"]


def test_post_data_numbers_and_conclusion(post):
    s = post.summary
    # 120 + 33 + 11 + 2.6 = 166.6 minutes; best 73.5% - 73% = +0.5; switch 92% - 73% = +19 in 5 minutes
    assert s.training_minutes == pytest.approx(166.6)
    assert s.training_gain_points == pytest.approx(0.5)
    assert s.switch_gain_points == pytest.approx(19)
    assert s.roi_ratio == pytest.approx((19 / 5) / (0.5 / 166.6))
    c = post.conclusion
    assert c.verdict == SUPPORTED
    # the switch (46/50) against the best training attempt (147/200)
    assert c.p_value == pytest.approx(fisher_exact([[46, 4], [147, 53]]).pvalue)
    assert c.statistic == pytest.approx(18.5)
    assert post.comparison.low < 0.185 < post.comparison.high


def test_opposite_story_is_contradicted():
    r = roi.analyse(attempts())
    # training +30 points in 30 min, switch +2 in 5 min
    assert r.summary.training_gain_points == pytest.approx(30)
    assert r.summary.switch_gain_points == pytest.approx(2)
    assert r.conclusion.verdict == CONTRADICTED
    assert r.conclusion.p_value == pytest.approx(fisher_exact([[26, 24], [160, 40]]).pvalue)
    v = words.values(r)
    assert v["opening_text"].startswith("The data contradict the post's claim")
    assert "Training paid off at least as well" in v["takeaway_text"]


def test_differences_within_noise_are_inconclusive():
    # 52/100 against 50/100 after training: the switch looks ahead, but Fisher's exact test cannot tell them apart
    r = roi.analyse(attempts(training=((30, 0.50, 50, 100),), switch=((5, 0.52, 52, 100),)))
    assert r.conclusion.verdict == INCONCLUSIVE
    assert r.conclusion.p_value == pytest.approx(fisher_exact([[52, 48], [50, 50]]).pvalue)
    assert "cannot say" in words.values(r)["takeaway_text"]


def test_only_a_baseline_row_gives_a_page_saying_there_is_nothing_to_compare():
    r = roi.analyse(attempts(training=(), switch=()))
    assert r.conclusion.verdict == INCONCLUSIVE
    assert "no training attempt" in r.conclusion.reason
    v = words.values(r)
    sentences = ("opening_text", "takeaway_text", "attempts_text", "ratios_text", "size_text", "score_text",
                 "baseline_origin_text", "baseline_range_text", "range_text", "roi_overlap_text")
    assert "n/a" not in " ".join(v[k] for k in sentences)
    assert v["attempts_text"] == "The data hold no training attempt; there is no model switch with a measured change"


def test_no_baseline_row_and_no_parameter_is_inconclusive_not_a_crash():
    r = roi.analyse(attempts(baseline=None))
    assert r.baseline.origin == "none" and math.isnan(r.baseline.accuracy)
    assert r.conclusion.verdict == INCONCLUSIVE
    assert "no baseline row" in words.values(r)["baseline_origin_text"]


def test_range_columns_may_be_absent():
    df = attempts().drop(columns=["accuracy_low", "accuracy_high"])
    assert roi.analyse(df).conclusion.verdict == CONTRADICTED


accuracy = st.floats(0, 1, allow_nan=False)
attempt = st.tuples(st.floats(0.5, 500), st.integers(1, 400), st.integers(0, 400)).map(
    lambda t: (t[0], min(t[2], t[1]) / t[1], min(t[2], t[1]), t[1]))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.one_of(st.none(), accuracy), training=st.lists(attempt, max_size=4),
       switch=st.lists(attempt, max_size=2))
def test_any_valid_data_gives_a_result_whose_words_agree_with_its_numbers(base, training, switch):
    r = roi.analyse(attempts(None if base is None else (base, None, None), training, switch))
    v = words.values(r)
    c = r.conclusion
    assert v["verdict"] == c.verdict
    for k in ("opening_text", "takeaway_text", "attempts_text", "ratios_text", "size_text", "score_text"):
        assert "n/a" not in v[k], (k, v[k])
    if c.verdict == SUPPORTED:
        assert r.summary.switch_gain_points > r.summary.training_gain_points
        assert r.summary.switch_roi > r.summary.training_roi
        assert v["opening_text"].startswith("The data support")
    elif c.verdict == CONTRADICTED:
        assert (r.summary.switch_gain_points <= r.summary.training_gain_points
                or r.summary.switch_roi <= r.summary.training_roi)
        assert v["opening_text"].startswith("The data contradict")
    else:
        assert v["opening_text"].startswith("The data cannot settle")
    if c.p_value is not None and c.p_value >= 0.05:
        assert c.verdict == INCONCLUSIVE


def _post_roi(**sets) -> pd.DataFrame:
    """The post's roi.csv with an eval_set column: ``sets`` by approach, others empty."""
    df = io.load("roi", DATA / "roi.csv")
    df["eval_set"] = df["approach"].map(sets)
    return df


def test_a_switch_on_another_eval_set_than_the_baseline_is_named_with_both_sets():
    from evalpatterns.findings.base import EvalSetMismatch

    r = roi.analyse(_post_roi(**{"DeepSeek-R1-32B baseline": "gsm8k-200", "Model Switch": "gsm8k-50"}))
    assert r.eval_sets == (EvalSetMismatch("Model Switch against DeepSeek-R1-32B baseline",
                                           ("gsm8k-50", "gsm8k-200")),)
    assert r.conclusion.verdict == SUPPORTED  # the conclusion stays; its reason says why it is only indicative
    assert r.conclusion.reason == (
        "switching model gained more than the best training attempt and returned more per minute; note that it "
        "compares values measured on different eval sets, which are not directly comparable: Model Switch "
        "against DeepSeek-R1-32B baseline (on gsm8k-50 and gsm8k-200)")


def test_the_switch_against_the_best_attempt_on_other_sets_is_named():
    r = roi.analyse(_post_roi(**{"Model Switch": "subset-50", "Training Attempt 4": "full-200"}))
    assert [(m.compared, m.eval_sets) for m in r.eval_sets] == [
        ("Model Switch against Training Attempt 4", ("subset-50", "full-200"))]


@pytest.mark.parametrize("sets", [{}, {"DeepSeek-R1-32B baseline": "full", "Model Switch": "full"},
                                  {"Model Switch": "subset-50"}])
def test_equal_or_absent_eval_sets_give_no_caveat(sets):
    plain = roi.analyse(io.load("roi", DATA / "roi.csv"))
    r = roi.analyse(_post_roi(**sets))
    assert r.eval_sets == () and r.conclusion == plain.conclusion
