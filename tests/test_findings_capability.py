"""Tests of Finding 1's analysis and conclusion (evalpatterns.findings.capability).

Expected numbers are worked by hand in the comments; Fisher's exact p-values come from scipy.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from scipy import stats as st

from properties import examples
from capability_frames import capability_frames, frame
from evalpatterns import chapters, io
from evalpatterns.findings import capability as finding
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED

DATA = Path(__file__).resolve().parents[1] / "data"


def test_the_params_are_the_chapters_and_the_summarys_parameters():
    assert finding.Params() == finding.Params(small_b=3.0, large_b=8.0)
    for chapter_id in ("capability-cliff", "summary"):
        chapter = chapters.get(chapter_id)
        for f in dataclasses.fields(finding.Params):
            p = chapter.parameter(f.name)
            assert (p.default, p.type, p.minimum) == (f.default, "float", 0)
    assert chapters.get("capability-cliff").title == finding.QUESTION


def test_frames_built_here_are_typed_like_loaded_ones(tmp_path):
    built = frame(("A", 3, "base", 0.4), ("A", 8, "base", 0.95, 1, False))
    path = tmp_path / "capability.csv"
    built.to_csv(path, index=False)
    loaded = io.load("capability", path)
    # the loader adds the optional columns the file leaves out, empty; the others are typed alike
    assert [c for c in loaded.columns if c in built.columns] == list(built.columns)
    assert dict(loaded[built.columns].dtypes.astype(str)) == dict(built.dtypes.astype(str))
    assert finding.analyse(loaded).gaps.equals(finding.analyse(built).gaps)


def test_the_posts_data_is_inconclusive_one_task_at_both_sizes():
    result = finding.analyse({"capability": io.load("capability", DATA / "capability.csv")})
    # only structured output is measured at both 3B (0.40) and 8B (0.95): 1 task, which shows the cliff
    assert list(result.gaps["task"]) == ["Structured output (judging)"]
    g = result.gaps.iloc[0]
    assert g["gap_points"] == pytest.approx(55.0) and g["advantage_points"] == pytest.approx(55.0)
    assert bool(g["cliff"]) and result.n_cliff == 1 and result.n_small_as_good == 0
    c = result.conclusion
    assert c.verdict == INCONCLUSIVE and c.statistic == 1 and c.p_value is None
    assert c.reason == "only 1 task is measured at both 3B and 8B, and a consistent cliff needs at least 2"
    assert "55 points on Structured output (judging), is in favour of 8B over 3B" in c.shown
    # the training change is the 3B model's, 0.54 -> 0.37: -17 points, regressed
    ch = result.changes.iloc[0]
    assert (ch["params_b"], ch["change_points"], bool(ch["regressed"])) == (3.0, pytest.approx(-17.0), True)
    assert len(result.matrix) == 12
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n_cliff = 2


def test_every_task_failing_small_and_passing_large_is_supported():
    # A: 0.30 -> 0.90, B: 0.48 -> 0.81: both below half at 3B and at or above it at 8B
    result = finding.analyse(frame(("A", 3, "base", 0.30), ("A", 8, "base", 0.90),
                                   ("B", 3, "base", 0.48), ("B", 8, "base", 0.81)))
    c = result.conclusion
    assert (c.verdict, c.statistic) == (SUPPORTED, 2)
    assert c.shown == "2 of 2 tasks show the cliff; the largest gap, 60 points on A, is in favour of 8B over 3B"
    assert result.largest["task"] == "A"


def test_the_opposite_story_is_contradicted():
    # 3B at least as good as 8B on every task: no cliff anywhere
    result = finding.analyse(frame(("A", 3, "base", 0.82), ("A", 8, "base", 0.80),
                                   ("B", 3, "base", 0.70), ("B", 8, "base", 0.66)))
    c = result.conclusion
    assert (c.verdict, c.statistic, result.n_small_as_good) == (CONTRADICTED, 0, 2)
    assert c.reason == "no task fails at 3B and passes at 8B"
    # the largest gap by size is B's 4 points, and it favours the smaller model
    assert "4 points on B, is in favour of 3B over 8B" in c.shown


def test_a_cliff_on_one_task_but_the_small_model_as_good_on_most_is_contradicted():
    # A: cliff (0.3 -> 0.7); B: 0.8 -> 0.7 (3B better); C: 0.6 -> 0.6 (as good): 2 of 3 > half
    result = finding.analyse(frame(("A", 3, "base", 0.3), ("A", 8, "base", 0.7), ("B", 3, "base", 0.8),
                                   ("B", 8, "base", 0.7), ("C", 3, "base", 0.6), ("C", 8, "base", 0.6)))
    c = result.conclusion
    assert (c.verdict, c.statistic, result.n_small_as_good) == (CONTRADICTED, 1, 2)
    assert c.reason == "the 3B model is at least as good as the 8B on 2 of 3 tasks"


def test_a_mix_is_inconclusive():
    # A, B: cliff; C: 0.6 -> 0.9, both pass: 2 of 3 show it, the large model better on all three
    result = finding.analyse(frame(("A", 3, "base", 0.3), ("A", 8, "base", 0.7), ("B", 3, "base", 0.2),
                                   ("B", 8, "base", 0.9), ("C", 3, "base", 0.6), ("C", 8, "base", 0.9)))
    c = result.conclusion
    assert (c.verdict, c.statistic) == (INCONCLUSIVE, 2)
    assert c.reason == "2 of 3 tasks show the cliff and 1 does not: the cliff is not consistent"


@pytest.mark.parametrize("rows, reason", [
    ((), "no task is measured at both 3B and 8B"),
    ((("A", 3, "base", 0.3), ("A", 8, "trained", 0.9)), "no task is measured at both 3B and 8B"),  # other stages
    ((("A", 3, "base", 0.3), ("A", 8, "base", 0.9, 1, None, "pending")), "no task is measured at both 3B and 8B"),
])
def test_no_task_at_both_sizes_is_inconclusive_without_a_statistic(rows, reason):
    c = finding.analyse(frame(*rows)).conclusion
    assert (c.verdict, c.statistic, c.reason) == (INCONCLUSIVE, None, reason)


def test_sizes_in_the_wrong_order_are_inconclusive():
    data = frame(("A", 3, "base", 0.3), ("A", 8, "base", 0.9), ("B", 3, "base", 0.3), ("B", 8, "base", 0.9))
    c = finding.analyse(data, finding.Params(small_b=8, large_b=3)).conclusion
    assert c.verdict == INCONCLUSIVE and "must be below" in c.reason


@pytest.mark.parametrize("small, large, cliff", [
    (0.49, 0.50, True),    # below half marks, then at half marks: the large model passes
    (0.50, 0.90, False),   # the small model at half marks passes
    (0.10, 0.49, False),   # the large model below half marks fails
])
def test_half_marks_boundary(small, large, cliff):
    g = finding.analyse(frame(("A", 3, "base", small), ("A", 8, "base", large))).gaps.iloc[0]
    assert bool(g["cliff"]) is cliff


def test_a_lower_is_better_task_reads_fail_pass_and_gap_the_other_way():
    # break rate 65% at 3B, 35% at 8B, lower better: 3B has 35% of full marks (fails), 8B 65% (passes);
    # the raw gap is 35 - 65 = -30 points, the larger model's lead +30
    data = frame(("Break", 3, "base", 0.65, 1, False), ("Break", 8, "base", 0.35, 1, None),
                 ("A", 3, "base", 0.2), ("A", 8, "base", 0.7))
    result = finding.analyse(data)
    g = result.gaps.set_index("task").loc["Break"]
    assert g["gap_points"] == pytest.approx(-30.0) and g["advantage_points"] == pytest.approx(30.0)
    assert not g["higher_is_better"] and bool(g["cliff"])
    assert result.conclusion.verdict == SUPPORTED
    # read as higher-better, the same numbers would be 3B passing and 8B failing: no cliff
    flipped = finding.analyse(data.assign(higher_is_better=None))
    assert flipped.gaps.set_index("task").loc["Break", "cliff"] == False  # noqa: E712
    assert flipped.conclusion.verdict == INCONCLUSIVE


def test_a_scale_other_than_one_is_read_as_a_share_of_it():
    # 2.8 of 10 at 3B, 6.5 of 10 at 8B: 0.28 and 0.65, a 37-point gap and a cliff
    result = finding.analyse(frame(("Orig", 3, "trained", 2.8, 10), ("Orig", 8, "trained", 6.5, 10),
                                   ("A", 3, "trained", 0.1), ("A", 8, "trained", 0.6)))
    g = result.gaps.set_index("task").loc["Orig"]
    assert (g["small"], g["large"], g["gap_points"]) == (pytest.approx(0.28), pytest.approx(0.65), pytest.approx(37.0))
    assert result.conclusion.verdict == SUPPORTED


def test_fisher_tells_a_counted_cliff_from_noise():
    # A: 12/40 at 3B, 30/40 at 8B; B: 4/10 at 3B, 6/10 at 8B: both cliffs, but B's cannot be told apart
    data = frame(("A", 3, "base", 0.3, 1, None, "measured", 12, 40), ("A", 8, "base", 0.75, 1, None, "measured", 30, 40),
                 ("B", 3, "base", 0.4, 1, None, "measured", 4, 10), ("B", 8, "base", 0.6, 1, None, "measured", 6, 10),
                 counts=True)
    result = finding.analyse(data)
    p = result.gaps.set_index("task")["p_value"]
    assert p["A"] == pytest.approx(st.fisher_exact([[30, 10], [12, 28]]).pvalue, rel=1e-12)
    assert p["B"] == pytest.approx(st.fisher_exact([[6, 4], [4, 6]]).pvalue, rel=1e-12)
    assert p["A"] < 0.05 <= p["B"]
    c = result.conclusion
    assert c.verdict == INCONCLUSIVE and c.p_value == pytest.approx(p["B"])
    assert c.reason == "every task shows the cliff, but Fisher's exact test cannot tell the two sizes apart on B"
    # with 40 + 40 questions on B too, both differences are told apart: supported, p the larger of the two
    strong = data.copy()
    strong.loc[strong["task"] == "B", ["n_correct", "n_eval"]] = [[8, 40], [32, 40]]
    strong.loc[strong["task"] == "B", "value"] = [0.2, 0.8]
    r2 = finding.analyse(strong)
    assert r2.conclusion.verdict == SUPPORTED
    assert r2.conclusion.p_value == pytest.approx(max(st.fisher_exact([[30, 10], [12, 28]]).pvalue,
                                                      st.fisher_exact([[32, 8], [8, 32]]).pvalue))


def test_counts_at_one_size_only_are_not_tested():
    data = frame(("A", 3, "base", 0.3, 1, None, "measured", 12, 40), ("A", 8, "base", 0.75),
                 ("B", 3, "base", 0.2), ("B", 8, "base", 0.8), counts=True)
    result = finding.analyse(data)
    assert result.gaps["p_value"].isna().all() and result.conclusion.verdict == SUPPORTED
    assert result.conclusion.p_value is None


def test_training_change_follows_the_direction_of_better():
    # break rate 65% -> 35% at 8B, lower better: -30 points, improved (not regressed)
    ch = finding.analyse(frame(("Break", 8, "base", 0.65, 1, False), ("Break", 8, "trained", 0.35, 1, False))).changes
    r = ch.iloc[0]
    assert r["params_b"] == 8.0 and r["change_points"] == pytest.approx(-30.0)
    assert bool(r["improved"]) and not bool(r["regressed"])
    assert r["relative_change"] == pytest.approx(-0.30 / 0.65)


def test_training_change_from_zero_has_no_relative_change():
    r = finding.analyse(frame(("A", 3, "base", 0.0), ("A", 3, "trained", 0.2))).changes.iloc[0]
    assert r["change_points"] == pytest.approx(20.0) and pd.isna(r["relative_change"]) and bool(r["improved"])


@settings(max_examples=examples(60), deadline=None)
@given(capability_frames())
def test_analyse_never_raises_and_its_conclusion_follows_the_stated_rule(data):
    result = finding.analyse(data)
    gaps, c = result.gaps, result.conclusion
    # the cliff, worked independently: each task's shares of full marks in its direction of better
    direction = {t: next((bool(v) for v in d["higher_is_better"] if v is not None), True)
                 for t, d in data.groupby("task")}
    measured = data[data["status"] == "measured"]
    expected = 0
    pairs = 0
    for (task, stage), d in measured.groupby(["task", "stage"]):
        s, l = d[d["params_b"] == 3.0], d[d["params_b"] == 8.0]
        if len(s) and len(l):
            pairs += 1
            to_marks = (lambda x: x) if direction[task] else (lambda x: 1 - x)
            small = to_marks(s["value"].iloc[0] / s["scale_max"].iloc[0])
            large = to_marks(l["value"].iloc[0] / l["scale_max"].iloc[0])
            expected += small < 0.5 <= large
    assert len(gaps) == pairs and result.n_cliff == expected
    if pairs == 0:
        assert c.verdict == INCONCLUSIVE and c.statistic is None
        return
    assert c.statistic == expected
    if pairs < 2:
        assert c.verdict == INCONCLUSIVE
    elif expected == 0 or result.n_small_as_good > pairs / 2:
        assert c.verdict == CONTRADICTED
    elif expected < pairs:
        assert c.verdict == INCONCLUSIVE
    else:
        assert c.verdict in (SUPPORTED, INCONCLUSIVE)
        noisy = gaps["p_value"].dropna() >= 0.05
        assert (c.verdict == SUPPORTED) == (not noisy.any())


def _post_capability(**sets) -> pd.DataFrame:
    """The post's capability.csv with an eval_set column: ``sets`` by size in billions (as text), others empty."""
    df = io.load("capability", DATA / "capability.csv")
    df["eval_set"] = df["params_b"].map(lambda b: sets.get(f"{b:g}"))
    return df


def test_two_sizes_on_different_eval_sets_are_named_with_both():
    r = finding.analyse(_post_capability(**{"3": "judge-50", "8": "judge-200"}))
    assert [(m.compared, m.eval_sets) for m in r.eval_sets] == [
        ("Structured output (judging) at 3B against 8B, before training", ("judge-50", "judge-200"))]
    assert r.conclusion.verdict == INCONCLUSIVE
    assert r.conclusion.reason.endswith("; note that it compares values measured on different eval sets, which "
                                        "are not directly comparable: Structured output (judging) at 3B against "
                                        "8B, before training (on judge-50 and judge-200)")


def test_base_and_trained_on_different_eval_sets_are_named():
    df = io.load("capability", DATA / "capability.csv")
    df["eval_set"] = df["stage"].map({"base": "v1", "trained": "v2"})
    r = finding.analyse(df)
    assert [(m.compared, m.eval_sets) for m in r.eval_sets] == [
        ("Character distillation at 3B before against after training", ("v1", "v2"))]


@pytest.mark.parametrize("sets", [{}, {"3": "same", "8": "same"}, {"3": "judge-50"}])
def test_equal_or_absent_eval_sets_give_no_caveat(sets):
    plain = finding.analyse(io.load("capability", DATA / "capability.csv"))
    r = finding.analyse(_post_capability(**sets))
    assert r.eval_sets == () and r.conclusion == plain.conclusion


def _with_stderr(data: pd.DataFrame, stderr: list) -> pd.DataFrame:
    return data.assign(stderr=pd.array(stderr, dtype="Float64"))


def test_without_counts_the_gap_is_tested_by_z_on_the_standard_errors():
    # A and B: 0.45 (se 0.05) at 3B, 0.55 (se 0.05) at 8B: d = 0.10, se = sqrt(0.05^2 + 0.05^2) = 0.070711,
    # z = 1.41421, p = 2 (1 - Phi(1.41421)) = 2 (1 - 0.921350) = 0.157299: both cliffs, neither told apart
    rows = [("A", 3, "base", 0.45), ("A", 8, "base", 0.55), ("B", 3, "base", 0.45), ("B", 8, "base", 0.55)]
    result = finding.analyse(_with_stderr(frame(*rows), [0.05] * 4))
    assert list(result.gaps["p_value"]) == pytest.approx([0.157299] * 2, abs=1e-6)
    assert list(result.gaps["test"]) == [finding.Z_TEST] * 2
    c = result.conclusion
    assert c.verdict == INCONCLUSIVE and c.p_value == pytest.approx(0.157299, abs=1e-6)
    assert c.reason == "every task shows the cliff, but a two-sided z-test cannot tell the two sizes apart on A, B"
    # se 0.01 each: z = 0.10 / 0.014142 = 7.07, p ~ 1.5e-12: supported
    assert finding.analyse(_with_stderr(frame(*rows), [0.01] * 4)).conclusion.verdict == SUPPORTED


def test_counts_win_over_standard_errors_and_one_sided_errors_are_not_tested():
    # A has counts (Fisher's test); B has a stderr at 3B only: untested
    data = frame(("A", 3, "base", 0.3, 1, None, "measured", 12, 40), ("A", 8, "base", 0.75, 1, None, "measured", 30, 40),
                 ("B", 3, "base", 0.2), ("B", 8, "base", 0.8), counts=True)
    gaps = finding.analyse(_with_stderr(data, [0.07, 0.07, 0.05, None])).gaps.set_index("task")
    assert gaps.loc["A", "test"] == finding.FISHER
    assert gaps.loc["A", "p_value"] == pytest.approx(st.fisher_exact([[30, 10], [12, 28]]).pvalue, rel=1e-12)
    assert pd.isna(gaps.loc["B", "test"]) and pd.isna(gaps.loc["B", "p_value"])
