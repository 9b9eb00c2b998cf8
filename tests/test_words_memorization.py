"""Tests of Finding 5's sentences (evalpatterns.words.memorization): they follow the result's numbers, agree
with their counts, never print "n/a" inside a sentence, and never assert the post's pattern when the data
contradict it or cannot settle it."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hs

from properties import examples
from evalpatterns import formatting as fmt
from evalpatterns import io
from evalpatterns.findings import memorization as finding
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from evalpatterns.words import memorization as words

from memorization_frames import mem_frame, memorization_rows, rl_faster, run, seeds

DATA = Path(__file__).resolve().parents[1] / "data"
#: The values the chapter shows inside its sentences.
PROSE = ("opening_text", "comparisons_text", "bars_text", "fit_basis_text", "supervised_text", "fits_text",
         "effect_size_text", "verdict_reason_text", "verdict_test_text", "takeaway_text")
PATTERN = "fewer episodes than RL"  # the takeaway's wording of the post's pattern


@pytest.fixture(scope="module")
def post_values() -> dict:
    data = {k: io.load(k, DATA / f"{k}.csv") for k in finding.DATA}
    return words.values(finding.analyse(data))


@pytest.mark.parametrize("ratio, lower, upper, text", [
    (27.3636, False, False, "27.4x as many"),
    (1.45, False, False, "1.45x as many"),                            # never "1x" for 1.45
    (1.0, False, False, "about as many (1x)"),                        # no advantage asserted at a ratio of 1
    (1.002, False, False, "about as many (1x)"),
    (0.28, False, False, "0.28x as many: fewer than supervised learning"),  # never "0x"
    (0.004, False, False, "0.004x as many: fewer than supervised learning"),
    (10000 / 11, True, False, "909x+ as many, a lower bound: the run hit its budget"),
    (0.5, True, False, "at least 0.5x as many: the run hit its budget, so the order is open"),
    (3.2, False, True, "at most 3.2x as many: the supervised count is only a lower bound"),
])
def test_relation_follows_the_ratio(ratio, lower, upper, text):
    assert words.relation(ratio, lower, upper) == text


def test_post_values(post_values):
    v = post_values
    assert v["opening_text"] == ("The data support the post's claim: RL needed more episodes than supervised "
                                 "learning in all 12 comparisons (909x+ the supervised episodes for RL-Step at "
                                 "N = 100).")
    assert v["bars_text"] == ("At N = 100, supervised learning needed 11 episodes; RL with an end-of-episode reward "
                              "needed 301 (27.4x as many) and step-level RL 10,000+ (909x+ as many, a lower bound: "
                              "the run hit its budget)")
    # 301 / 11 = 27.36 keeps three significant digits; 10,000 / 11 = 909.09 is a lower bound
    assert (v["rl_eoe_advantage_text"], v["rl_step_advantage_text"]) == ("27.4x", "909x+")
    assert v["comparisons_text"] == ("Of 12 comparisons of an RL method with supervised learning at the same N, RL "
                                     "needed more episodes in every one (6 of them rest on values read off a "
                                     "figure)")
    # the fit the chapter states is the claims audit's: measured points only, and the text says so
    assert v["fit_basis_text"] == ("Each fit uses measured points only: the 9 values read off the post's figure are "
                                   "drawn but not fitted, and the claims audit below uses the same fits")
    assert v["rl_eoe_exponent_text"] == "0.39"
    assert v["rl_eoe_fit_text"].startswith("exponent 0.39 (95% CI \u22120.40 to 1.17), O(n^0.39), on 3 measured "
                                           "points, too few")
    assert v["supervised_text"] == "Supervised learning needed 11 episodes at every N"
    assert v["verdict"] == SUPPORTED and v["verdict_statistic"] == pytest.approx(10000 / 11)
    assert v["takeaway_text"].startswith("Supervised learning memorised with fewer episodes than RL here")


def test_contradicted_words_never_assert_the_pattern(tmp_path):
    v = words.values(run(mem_frame(tmp_path, rl_faster())))
    assert v["verdict"] == CONTRADICTED
    assert v["opening_text"].startswith("The data contradict the post's claim: RL needed as many episodes")
    assert PATTERN not in v["takeaway_text"]
    assert v["takeaway_text"].startswith("RL did not need more episodes than supervised learning here")
    # at N = 100: supervised 200, RL-EoE 40 (0.2x), RL-Step 120 (0.6x)
    assert v["bars_text"] == ("At N = 100, supervised learning needed 200 episodes; RL with an end-of-episode reward "
                              "needed 40 (0.2x as many: fewer than supervised learning) and step-level RL 120 (0.6x "
                              "as many: fewer than supervised learning)")
    assert v["comparisons_text"] == ("Of 6 comparisons of an RL method with supervised learning at the same N, RL "
                                     "needed as many episodes as supervised learning or fewer in every one")


def test_inconclusive_words(tmp_path):
    v = words.values(run(mem_frame(tmp_path, [("supervised", 10, None, 11, True, "measured")])))
    assert v["verdict"] == INCONCLUSIVE
    assert v["opening_text"] == ("The data cannot settle the post's claim: no problem size N has counts for both "
                                 "supervised learning and an RL method.")
    assert PATTERN not in v["takeaway_text"]
    assert v["bars_text"] == "No method has an episode count at N = 100, so the bar chart is empty"
    assert v["supervised_text"] == "Supervised learning has one count, 11 episodes at N = 10"


def test_counts_agree_with_nouns(tmp_path):
    rows = [("supervised", 10, None, 11, True, "measured"), ("rl_eoe", 10, None, 101, True, "figure")]
    v = words.values(run(mem_frame(tmp_path, rows), bars_n=10))
    assert v["comparisons_text"] == ("Of 1 comparison of an RL method with supervised learning at the same N, RL "
                                     "needed more episodes in the only one (it rests on values read off a figure)")
    assert "1 comparisons" not in " ".join(v[k] for k in PROSE)
    assert v["opening_text"].startswith("The data support the post's claim: RL needed more episodes than supervised "
                                        "learning in the only comparison")
    assert "1 values" not in v["fit_basis_text"]


def test_mixed_comparisons_are_counted_by_kind(tmp_path):
    # N = 10: RL-EoE 100 > 10 (more); N = 100: RL-EoE 5 < 10 (fewer); RL-Step 5+ against 10 at N = 100 (open)
    rows = [("supervised", 10, None, 10, True, "measured"), ("supervised", 100, None, 10, True, "measured"),
            ("rl_eoe", 10, None, 100, True, "measured"), ("rl_eoe", 100, None, 5, True, "measured"),
            ("rl_step", 100, None, 5, False, "measured")]
    v = words.values(run(mem_frame(tmp_path, rows)))
    assert v["comparisons_text"] == ("Of 3 comparisons of an RL method with supervised learning at the same N, RL "
                                     "needed more episodes in 1 and as many or fewer in 1, and lower bounds leave the "
                                     "order open in 1")
    assert v["verdict"] == INCONCLUSIVE


def test_no_supervised_count_at_bars_n(tmp_path):
    rows = [("supervised", 10, None, 11, True, "measured"), ("rl_step", 100, None, 5000, False, "measured")]
    v = words.values(run(mem_frame(tmp_path, rows)))
    assert v["bars_text"] == ("At N = 100 there is no supervised count to compare with: step-level RL 5,000+ "
                              "episodes")


def test_seed_words_name_welch_and_the_interval(tmp_path):
    sl, rl = [10, 11, 12, 13], [101, 95, 110, 99]
    v = words.values(run(mem_frame(tmp_path, seeds("supervised", sl) + seeds("rl_eoe", rl)), bars_n=10))
    assert v["effect_size_text"] == ("Hedges' g is recomputed from the 8 per-seed rows, with a 95% confidence "
                                     "interval and Welch's t-test, for 1 comparison")
    # 101.25 / 11.5 = 8.80x; Welch's p is below 0.0001 (see test_findings_memorization for the values)
    assert v["opening_text"].endswith("(8.8x the supervised episodes for RL-EoE at N = 10, 95% CI 7.44x to 10.4x; "
                                      "p < 0.0001).")


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=memorization_rows(), bars_n=hs.sampled_from((10, 100, 250)))
# found by hypothesis: a mean of seeds below the supervised count (402 / 5,235 = 0.0768x), the seeds' note after it
@example(rows=[("supervised", 10, None, 3, False, "measured"), ("supervised", 100, None, 1, False, "measured"),
               ("rl_eoe", 10, None, 1, False, "measured"), ("rl_step", 10, None, 661, False, "measured")], bars_n=10)
@example(rows=[("rl_step", 100, 1, 175, True, "measured"), ("rl_step", 100, 2, 338, True, "measured"),
               ("rl_step", 100, 3, 693, True, "measured"), ("supervised", 100, None, 5235, True, "measured")],
         bars_n=100)
def test_property_sentences_agree_with_numbers(rows, bars_n):
    with tempfile.TemporaryDirectory() as tmp:
        r = run(mem_frame(Path(tmp), rows), bars_n=bars_n)
    v = words.values(r)
    prose = " ".join(v[k] for k in PROSE)
    assert fmt.NA not in prose and not re.search(r"(?<![\d.,])0x", prose) and " 1 comparisons" not in prose
    assert not re.search(r"\b0 (more|as many)", prose)  # no zero counts in the reasons
    if r.conclusion.verdict != SUPPORTED:
        assert PATTERN not in v["takeaway_text"]
        assert not v["opening_text"].startswith("The data support")
    # each RL method at bars_n: "fewer" exactly where its measured ratio is below 1 against a measured count
    adv = r.advantage[r.advantage["n_values"] == bars_n]
    for a in adv.itertuples():
        label = words.METHOD_WORDS[a.method]
        if not (a.ratio_is_lower_bound or a.ratio_is_upper_bound or a.ratio_unbounded):
            shown = fmt.ratio(a.ratio)
            assert f"{label} needed" in v["bars_text"] or f"{label} " in v["bars_text"]
            fewer = f"({shown} as many: fewer than supervised learning" in v["bars_text"]
            assert fewer == (a.ratio < 1 and shown != "1x")


def test_bar_chart_note_follows_the_ratio(tmp_path):
    # the post: 10,000+ / 11 at N = 100, the largest ratio, a lower bound
    post = finding.analyse({k: io.load(k, DATA / f"{k}.csv") for k in finding.DATA})
    assert words.advantage_note(post.advantage, 100) == ("RL-Step needs 909x+\nthe episodes of supervised learning"
                                                         "\n(+: it hit its budget, so this is a lower bound)")
    assert words.advantage_note(post.advantage, 100, compact=True) == ("RL-Step needs 909x+\nthe episodes of "
                                                                       "supervised learning")
    assert words.advantage_note(post.advantage, 7) == ""
    # RL faster: 120 / 200 = 0.6x at N = 100 is fewer, never an advantage; 1.45x keeps its digits; 1.002 is 1x
    assert words.advantage_note(run(mem_frame(tmp_path, rl_faster())).advantage, 100) == (
        "RL-Step needs 0.6x the episodes\nof supervised learning: fewer")
    for rl, note in ((145, "RL-EoE needs 1.45x\nthe episodes of supervised learning"),
                     (1002, "RL-EoE needs about as many\nepisodes as supervised learning")):
        sl = 100 if rl == 145 else 1000
        rows = [("supervised", 10, None, sl, True, "measured"), ("rl_eoe", 10, None, rl, True, "measured")]
        assert words.advantage_note(run(mem_frame(tmp_path, rows)).advantage, 10) == note
