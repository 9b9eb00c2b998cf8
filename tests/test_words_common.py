"""The shared grammar of the book's sentences: agreement, lists, p-values, the noise sentence."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import fisher_exact

from evalpatterns import io
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion
from evalpatterns.words import common
from evalpatterns.words.audit import counts_text


@pytest.mark.parametrize("n, noun, expected", [(1, "run", "1 run"), (2, "run", "2 runs"), (0, "task", "0 tasks"),
                                               (1200, "step", "1,200 steps"), (3, "analysis", "3 analyses"),
                                               (2, "family", "2 families"), (2, "batch", "2 batches")])
def test_count_agrees_with_its_noun(n, noun, expected):
    assert common.count(n, noun) == expected


def test_join():
    assert common.join([]) == "" and common.join(["a"]) == "a"
    assert common.join(["a", "b"]) == "a and b" and common.join(["a", "b", "c"], "or") == "a, b or c"


def test_p_text():
    assert common.p_text(0.004365) == "p = 0.0044" and common.p_text(0.00001) == "p < 0.0001"
    assert common.p_text(None) == "" and common.p_text(float("nan")) == ""


@pytest.mark.parametrize("verdict, start", [(SUPPORTED, "The data support the post's claim: "),
                                            (CONTRADICTED, "The data contradict the post's claim: "),
                                            (INCONCLUSIVE, "The data cannot settle the post's claim: ")])
def test_opening_starts_with_the_verdict(verdict, start):
    c = Conclusion(verdict, "a test", 1.0, "+1 point", "a reason", 0.5)
    assert common.opening(c, "the evidence") == start + "the evidence (+1 point; p = 0.5)."


def test_noise_is_judged_by_fishers_exact_test():
    frame = pd.DataFrame({"name": ["a", "b", "c", "d"], "n_correct": [146, 147, 4, 0], "n_eval": [200] * 4})
    v = common.noise_values(frame, "name", "p")
    # 146/200 vs 147/200: p = 1; 4/200 vs 0/200: p = 0.12; every other pair p < 0.05
    assert fisher_exact([[4, 196], [0, 200]]).pvalue == pytest.approx(0.1231, abs=1e-4)
    assert v["p_n_overlap"] == 2
    assert v["p_overlap_text"] == "Fisher's exact test cannot tell a and b (p = 1) or c and d (p = 0.12) apart at the 0.05 level"


def test_noise_needs_two_known_counts():
    frame = pd.DataFrame({"name": ["a", "b"], "n_correct": [1, None], "n_eval": [10, None]})
    assert common.noise_values(frame, "name", "p")["p_n_overlap"] == 0
    assert "Fewer than two" in common.noise_values(frame.drop(columns=["n_correct", "n_eval"]), "name", "p")["p_overlap_text"]


def test_real_roi_pairs_that_cannot_be_told_apart():
    from pathlib import Path

    roi = io.load("roi", Path(__file__).resolve().parents[1] / "data" / "roi.csv")
    v = common.noise_values(roi, "approach", "roi")
    # baseline 146/200 vs attempt 4 147/200 (p = 1) and attempt 2 4/200 vs attempt 3 0/200 (p = 0.12)
    assert v["roi_n_overlap"] == 2


@pytest.mark.parametrize("verdicts, text", [
    (["holds", "holds"], "All 2 claims checked hold"),
    (["differs"], "The one claim checked differs"),
    (["holds", "differs", "holds"], "Of 3 claims checked, 2 hold and 1 differs"),
    (["unsupported", "unsupported", "rounding"], "Of 3 claims checked, 1 differs only by rounding and 2 are unsupported"),
    ([], "No claim of the post is registered for this finding"),
])
def test_audit_counts_agree_with_their_nouns(verdicts, text):
    assert counts_text(pd.DataFrame({"verdict": pd.Series(verdicts, dtype=object)})) == text


def test_eval_set_caveat_groups_comparisons_on_the_same_sets_and_is_empty_without_any():
    from evalpatterns.findings.base import EvalSetMismatch as M

    assert common.eval_set_caveat(()) == ""
    text = common.eval_set_caveat((M("A against B", ("s50", "s200")), M("C against B", ("s200", "s50")),
                                   M("D against E", ("x", "y"))))
    assert text == ("Compared values come from different eval sets: A against B and C against B (on s50 and s200); "
                    "D against E (on x and y). Values measured on different eval sets are not directly comparable, "
                    "so these comparisons are only indicative.")
    c = Conclusion(SUPPORTED, "t", 1.0, "1", "why")
    assert common.caveated(c, ()) is c
    assert common.caveated(c, (M("A against B", ("s50", "s200")),)).reason == (
        "why; note that it compares values measured on different eval sets, which are not directly comparable: "
        "A against B (on s50 and s200)")


@pytest.mark.parametrize("groups, expected", [
    ((["a"], ["b"]), ("a", "b")),
    ((["a"], ["a"]), None),
    ((["a"], [None]), None),  # absent on one side: nothing is known to differ
    ((["a", "b", float("nan")],), ("a", "b")),
    (([" a "], ["a"]), None),
])
def test_eval_set_mismatch(groups, expected):
    from evalpatterns.findings.base import eval_set_mismatch

    m = eval_set_mismatch("x", *groups)
    assert (m.eval_sets if m else None) == expected


def test_past_a_dozen_accuracies_no_pair_is_tested():
    frame = pd.DataFrame({"name": list("abcdefghijklm"), "n_correct": [100] * 13, "n_eval": [200] * 13})
    v = common.noise_values(frame, "name", "p")
    assert v["p_n_overlap"] is None
    assert v["p_overlap_text"] == ("With 13 accuracies with known counts (78 pairs), the pairs are not tested one "
                                   "by one: compare their intervals")
    assert common.noise_values(frame.iloc[:12], "name", "p")["p_n_overlap"] == 66  # 12: every pair (all p = 1)


def test_join_some_counts_what_it_leaves_out():
    assert common.join_some(list("abc")) == "a, b and c"
    assert common.join_some(list("abcdefg")) == "a, b, c, d, e and 2 more"
    assert common.join_some([str(i) for i in range(1005)], limit=2) == "0, 1 and 1,003 more"
