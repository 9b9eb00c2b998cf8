"""Tests of Finding 1's sentences (evalpatterns.words.capability): they follow the result, name the right
size, read each task in its direction of better, agree in number, and never print "n/a"."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings

from properties import examples
from capability_frames import capability_frames, frame
from evalpatterns import io, tables
from evalpatterns.findings import capability as finding
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from evalpatterns.words import capability as words

DATA = Path(__file__).resolve().parents[1] / "data"


def texts(values: dict) -> dict:
    return {k: v for k, v in values.items() if k.endswith("_text")}


@pytest.fixture(scope="module")
def post():
    return words.values(finding.analyse(io.load("capability", DATA / "capability.csv")))


def test_the_posts_page_says_the_data_cannot_settle_it(post):
    assert post["opening_text"] == (
        "The data cannot settle the post's claim: only 1 task is measured at both 3B and 8B, and a consistent cliff "
        "needs at least 2 (the one task at both sizes shows the cliff; the largest gap, 55 points on Structured "
        "output (judging), is in favour of 8B over 3B).")
    assert post["takeaway_text"] == (
        "These data cannot say whether there is a capability cliff between 3B and 8B: only 1 task is measured at "
        "both 3B and 8B, and a consistent cliff needs at least 2. On Structured output (judging), the one task "
        "measured at both sizes, 8B is 55 percentage points better than 3B (95% at 8B against 40% at 3B).")
    assert post["gap_text"] == ("On Structured output (judging), the one task measured at both sizes, 8B is 55 "
                                "percentage points better than 3B (95% at 8B against 40% at 3B)")
    assert post["change_text"] == ("On Character distillation, training the 3B model regressed it from 54% to 37%: "
                                   "\u221217 points, or 31.5% of where it started. That is a change within one model "
                                   "size, not a comparison between sizes")
    assert post["cells_text"] == ("Of its 12 cells, 4 are measurements; the other 8 (6 illustrative and 2 pending) "
                                  "are hatched and labelled with what they are")
    assert post["verdict"] == INCONCLUSIVE and post["verdict_statistic"] == 1
    assert (post["gap_points"], post["gap_favours"], post["change_size"]) == (pytest.approx(55), "8B", "3B")


def test_a_supported_cliff_is_stated_with_its_largest_gap():
    v = words.values(finding.analyse(frame(("A", 3, "base", 0.30), ("A", 8, "base", 0.90),
                                           ("B", 3, "base", 0.48), ("B", 8, "base", 0.81))))
    assert v["opening_text"].startswith("The data support the post's claim: each of the 2 tasks measured at both "
                                        "sizes fails below half marks at 3B and passes at 8B (2 of 2 tasks show")
    assert v["takeaway_text"].startswith("A capability cliff between 3B and 8B here:")
    assert v["gap_text"] == ("The largest gap among the 2 tasks measured at both sizes is on A: 8B is 60 percentage "
                             "points better than 3B (90% at 8B against 30% at 3B)")
    assert v["cliff_text"] == ("Both tasks measured at both sizes show the cliff (below half marks at 3B, at "
                               "or above them at 8B); the 8B model is better on every one")


def test_a_contradicted_cliff_is_never_asserted():
    result = finding.analyse(frame(("A", 3, "base", 0.82), ("A", 8, "base", 0.80),
                                   ("B", 3, "base", 0.70), ("B", 8, "base", 0.66)))
    v = words.values(result)
    assert result.conclusion.verdict == CONTRADICTED
    assert v["opening_text"].startswith("The data contradict the post's claim: no task fails at 3B and passes at 8B")
    assert v["takeaway_text"] == ("No capability cliff between 3B and 8B here: no task fails at 3B and passes at 8B. "
                                  "The largest gap among the 2 tasks measured at both sizes is on B: 3B is 4 "
                                  "percentage points better than 8B (66% at 8B against 70% at 3B).")
    assert v["cliff_text"].startswith("None of the 2 tasks measured at both sizes shows the cliff")
    assert v["cliff_text"].endswith("the 3B model is at least as good as the 8B on 2 tasks")
    # the largest gap by size favours the smaller model, and says so
    assert v["gap_text"] == ("The largest gap among the 2 tasks measured at both sizes is on B: 3B is 4 percentage "
                             "points better than 8B (66% at 8B against 70% at 3B)")
    assert v["gap_favours"] == "3B"
    for name in ("opening_text", "takeaway_text", "gap_text", "cliff_text"):
        assert "A capability cliff" not in v[name] and "data support" not in v[name]


def test_the_training_sentence_names_the_size_of_the_row_it_describes():
    # only the 8B model was trained; the chapter's small size is 3B
    v = words.values(finding.analyse(frame(("A", 3, "base", 0.2), ("A", 8, "base", 0.6), ("A", 8, "trained", 0.7))))
    assert v["change_text"].startswith("On A, training the 8B model improved it from 60% to 70%: +10 points, or 16.7% of where it started")
    assert "3B model" not in v["change_text"] and v["change_size"] == "8B"


def test_a_break_rate_falling_is_an_improvement():
    data = frame(("Break", 3, "base", 0.65, 1, False), ("Break", 3, "trained", 0.35, 1, False))
    v = words.values(finding.analyse(data))
    assert v["change_text"].startswith("On Break (lower is better), training the 3B model improved it from 65% to "
                                       "35%: \u221230 points, or 46.2% of where it started")
    assert v["change_direction"] == "improved"
    assert v["direction_text"] == ("On Break, a lower score is better, so its gaps, passes and training changes are "
                                   "read that way")
    table = tables.capability_table(data)
    assert table.loc[0, "Task"] == "Break (lower is better)"
    assert table.loc[0, "3B performance"] == "65% \u2192 35% (improved)"


def test_a_lower_is_better_gap_names_the_better_size():
    result = finding.analyse(frame(("Break", 3, "base", 0.65, 1, False), ("Break", 8, "base", 0.35, 1, False)))
    v = words.values(result)
    assert v["gap_text"] == ("On Break (lower is better), the one task measured at both sizes, 8B is 30 percentage "
                             "points better than 3B (35% at 8B against 65% at 3B)")
    shown = tables.gap_table(result.gaps, result.changes)
    assert list(shown.loc[0, ["Change (points)", "Better"]]) == ["\u221230", "8B"]


def test_missing_values_rewrite_the_sentences():
    v = words.values(finding.analyse(frame(("A", 3, "base", 0.2, 1, None, "pending"))))
    for name, text in texts(v).items():
        assert "n/a" not in text and "None" not in text and "nan" not in text, (name, text)
    assert v["gap_text"] == "No task is measured at both 3B and 8B, so no gap between the sizes can be computed"
    assert v["change_text"].startswith("No task is measured both before and after training")
    assert v["cells_text"] == "No cell is a measurement: its one cell (1 pending) is hatched and labelled with what it is"
    empty = words.values(finding.analyse(frame()))
    assert empty["cells_text"] == "The data has no cell to draw"
    assert empty["opening_text"] == ("The data cannot settle the post's claim: no task is measured at both 3B and "
                                     "8B.")
    assert empty["takeaway_text"] == ("These data cannot say whether there is a capability cliff between 3B and 8B: "
                                      "no task is measured at both 3B and 8B.")


def test_fisher_sentence_names_the_tests():
    data = frame(("A", 3, "base", 0.3, 1, None, "measured", 12, 40), ("A", 8, "base", 0.75, 1, None, "measured", 30, 40),
                 ("B", 3, "base", 0.4, 1, None, "measured", 4, 10), ("B", 8, "base", 0.6, 1, None, "measured", 6, 10),
                 counts=True)
    v = words.values(finding.analyse(data))
    assert re.fullmatch(r"Fisher's exact test tells the two sizes apart on A \(p = 0\.\d+\) but not on B "
                        r"\(p = 0\.66\) \(significance 0\.05\)", v["fisher_text"]), v["fisher_text"]
    plain = words.values(finding.analyse(frame(("A", 3, "base", 0.3), ("A", 8, "base", 0.7))))
    assert plain["fisher_text"].startswith("No task has counts")


@settings(max_examples=examples(40), deadline=None)
@given(capability_frames())
def test_sentences_agree_with_the_numbers(data):
    result = finding.analyse(data)
    v = words.values(result)
    for name, text in texts(v).items():
        assert isinstance(text, str) and text, name
        assert "n/a" not in text and not re.search(r"\bnan\b|\bNone\b(?! of)", text), (name, text)
        # agreement in number ("2 task-stage pairs" is plural: the noun is "pairs")
        assert not re.search(r"\b1 tasks\b|\b1 cells\b|\b1 changes\b|\b1 task-stage pairs\b|\b[02-9] task(?![-\w])|"
                             r"\b[02-9] task-stage pair\b", text), (name, text)
    verdict = result.conclusion.verdict
    head = {SUPPORTED: "The data support", CONTRADICTED: "The data contradict",
            INCONCLUSIVE: "The data cannot settle"}[verdict]
    assert v["opening_text"].startswith(head)
    if verdict != SUPPORTED:
        assert not v["takeaway_text"].startswith("A capability cliff")
    if result.largest is not None:
        lead = abs(float(result.largest["advantage_points"]))
        shown = words.points_text(lead)
        assert v["gap_lead_points"] == pytest.approx(lead)
        assert float(shown.replace(",", "")) == pytest.approx(lead, rel=0.05, abs=0.5)
        if round(lead) > 0:
            better = "8B" if result.largest["advantage_points"] > 0 else "3B"
            assert f"{better} is {shown} percentage points better" in v["gap_text"]
    if len(result.changes):
        # the change described is the largest; its size is its own row's, its word follows the direction of better
        c = result.changes.loc[result.changes["change_points"].abs().idxmax()]
        better = c["change_points"] * (1 if c["higher_is_better"] else -1)
        word = "improved" if better > 0 else "regressed" if better < 0 else "left unchanged"
        assert f"training the {c['params_b']:g}B model {word} it" in v["change_text"], v["change_text"]
    else:
        assert v["change_text"].startswith("No task is measured both before and after training")
    if len(result.gaps) > 1:
        n = result.n_cliff
        total = len(result.gaps)
        start = ("None of" if n == 0 else "Both tasks" if n == total == 2 else f"All {n} tasks" if n == total
                 else f"{n} of the {total} tasks")
        assert v["cliff_text"].startswith(start)


@pytest.mark.parametrize("n_both, n_tasks, text", [
    (1, 4, "the post's '3B cliff': measured at both sizes for 1 of 4 tasks"),
    (1, 1, "the post's '3B cliff': measured at both sizes for its one task"),
    (0, 1, "the post's '3B cliff': measured at both sizes for no task"),
])
def test_cliff_legend(n_both, n_tasks, text):
    assert words.cliff_legend(3, n_both, n_tasks) == text


NONE = "No two compared values are recorded as measured on different eval sets."


def test_the_eval_set_caveat_names_both_sizes_sets_and_is_empty_without_them():
    df = io.load("capability", DATA / "capability.csv")
    assert words.values(finding.analyse(df))["eval_set_caveat_text"] == NONE
    df["eval_set"] = df["params_b"].map({3.0: "judge-50", 8.0: "judge-200"})
    v = words.values(finding.analyse(df))
    assert v["eval_set_caveat_text"].startswith(
        "Compared values come from different eval sets: Structured output (judging) at 3B against 8B, before "
        "training (on judge-50 and judge-200).")
    df["eval_set"] = "judge-200"
    assert words.values(finding.analyse(df))["n_eval_set_mismatches"] == 0


def test_the_size_test_is_named_in_the_words():
    rows = [("A", 3, "base", 0.45), ("A", 8, "base", 0.55), ("B", 3, "base", 0.45), ("B", 8, "base", 0.55)]
    data = frame(*rows).assign(stderr=0.05)
    # p = 0.157 for each (test_findings_capability works it by hand)
    assert words.fisher_text(finding.analyse(data)) == (
        "A two-sided z-test on the standard errors cannot tell the two sizes apart on A (p = 0.16) or B (p = 0.16) "
        "(significance 0.05)")


def _many(n: int = 13):
    """``n`` tasks, one lower-is-better each: 0.2 at 3B and 0.2 + 0.05 i at 8B on 100 questions (i = 1..n)."""
    rows = []
    for i in range(1, n + 1):
        rows += [(f"t{i:02d}", 3, "base", 0.2, 1, False, "measured", 20, 100),
                 (f"t{i:02d}", 8, "base", 0.2 + 0.05 * i, 1, False, "measured", 20 + 5 * i, 100)]
    return finding.analyse(frame(*rows, counts=True))


def test_past_many_tasks_the_words_count_rather_than_list():
    result = _many()
    v = words.values(result)
    p = result.gaps["p_value"]
    k = int((p < 0.05).sum())
    assert v["fisher_text"] == f"Fisher's exact test tells the two sizes apart on {k} of the 13 gaps tested (significance 0.05)"
    assert v["direction_text"] == ("On 13 of the 13 tasks a lower score is better (marked so in the tables), so "
                                   "their gaps, passes and training changes are read that way")
    # every cell is measured; the map draws 12 of the 13 tasks (2 sizes each)
    assert v["cells_text"] == ("With 13 tasks, it draws the 12 whose 3B and 8B scores are furthest apart in the "
                               "direction of better, and below them every one of the 13 gaps as a histogram. All 24 "
                               "cells drawn are measurements")


def test_a_task_compared_at_both_stages_is_counted_as_task_stage_pairs():
    # A: 0.2 -> 0.8 (base) and 0.3 -> 0.9 (trained), both cliffs; B: 0.6 -> 0.7 (base), 3B already passes
    result = finding.analyse(frame(("A", 3, "base", 0.2), ("A", 8, "base", 0.8), ("A", 3, "trained", 0.3),
                                   ("A", 8, "trained", 0.9), ("B", 3, "base", 0.6), ("B", 8, "base", 0.7)))
    assert words.cliff_text(result) == ("2 of the 3 task-stage pairs measured at both sizes show the cliff (below "
                                        "half marks at 3B, at or above them at 8B); the 8B model is better on every one")
    assert result.conclusion.reason == "2 of 3 task-stage pairs show the cliff and 1 does not: the cliff is not consistent"


def test_past_many_tasks_the_key_numbers_count_the_tasks_rather_than_list_them():
    result = _many()  # every task lower-is-better: 20% at 3B is 80% of full marks, so no task shows the cliff
    assert result.n_cliff == 0
    assert words.key_numbers(result) == ["13 tasks measured at 3B and 8B; 0 of 13 gaps show the cliff",
                                         "Capability map: 26 of 26 cells are measurements"]


def test_cliff_legend_names_the_posts_cliff_only_for_the_posts_sizes():
    assert words.cliff_legend(3, 1, 2, 8).startswith("the post's '3B cliff': ")
    assert words.cliff_legend(1, 2, 2, 7) == "a cliff between 1B and 7B: measured at both sizes for 2 of 2 tasks"
