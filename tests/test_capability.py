"""Finding 1's arithmetic (evalpatterns.capability) on the real data and on small synthetic data.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments)."""
from __future__ import annotations


import pandas as pd
import pytest

from evalpatterns import capability
from datafiles import load_text, real, row, unchanged


@pytest.fixture(scope="module")
def cap():
    return real("capability")


def test_performance_is_value_over_scale(cap):
    perf = capability.performance(cap)
    # GAN jokes originality 2.8 on 0..10 -> 0.28; structured output 0.40 on 0..1 -> 0.40
    gan = (cap["project"] == "GAN Jokes") & (cap["params_b"] == 3) & cap["task"].str.startswith("Creative")
    assert perf[gan].item() == pytest.approx(0.28)
    so = (cap["task"] == "Structured output (judging)") & (cap["params_b"] == 3)
    assert perf[so].item() == pytest.approx(0.40)


def test_size_gaps_structured_output_is_55_points(cap):
    gaps = unchanged(capability.size_gaps, cap)
    # only measured rows: the structured-output task is the one task measured at both 3B and 8B
    assert len(gaps) == 1
    g = gaps.iloc[0]
    assert g["task"] == "Structured output (judging)"
    assert g["stage"] == "base"
    assert g["small"] == pytest.approx(0.40)
    assert g["large"] == pytest.approx(0.95)
    # 100 * (0.95 - 0.40) = 55 percentage points
    assert g["gap_points"] == pytest.approx(55.0)


def test_size_gaps_with_pending_values_includes_figure_only_cells(cap):
    gaps = capability.size_gaps(cap, statuses=("measured", "pending"))
    by_task = gaps.set_index("task")["gap_points"]
    # character distillation, trained: 100 * (0.70 - 0.37) = 33; creative: 100 * (6.5/10 - 2.8/10) = 37
    assert by_task["Character distillation"] == pytest.approx(33.0)
    assert by_task["Creative generation (originality score)"] == pytest.approx(37.0)
    assert by_task["Structured output (judging)"] == pytest.approx(55.0)
    assert len(gaps) == 3


def test_size_gaps_other_sizes(cap):
    # 1B (illustrative, figure 5 only) against 3B, when illustrative rows are allowed:
    #   structured output base 100 * (0.40 - 0.20) = 20; character distillation trained 100 * (0.37 - 0.20) = 17
    #   creative trained 100 * (0.28 - 0.15) = 13; repetition avoidance trained 100 * (0.55 - 0.30) = 25
    gaps = capability.size_gaps(cap, small_b=1, large_b=3, statuses=("measured", "illustrative"))
    got = gaps.set_index("task")["gap_points"].sort_index()
    assert got.to_dict() == {
        "Character distillation": pytest.approx(17.0),
        "Creative generation (originality score)": pytest.approx(13.0),
        "Repetition avoidance": pytest.approx(25.0),
        "Structured output (judging)": pytest.approx(20.0),
    }
    # with measured rows only there is no 1B row at all
    assert capability.size_gaps(cap, small_b=1, large_b=3).empty


def test_training_change_is_a_17_point_regression(cap):
    tc = unchanged(capability.training_change, cap)
    assert len(tc) == 1
    r = tc.iloc[0]
    assert r["task"] == "Character distillation" and r["params_b"] == 3
    assert r["base"] == pytest.approx(0.54) and r["trained"] == pytest.approx(0.37)
    # 100 * (0.37 - 0.54) = -17 points; relative (0.37 - 0.54) / 0.54 = -0.17 / 0.54 = -0.314815
    assert r["change_points"] == pytest.approx(-17.0)
    assert r["relative_change"] == pytest.approx(-0.3148, abs=1e-4)
    assert r["relative_change"] == pytest.approx(-0.17 / 0.54, rel=1e-12)
    assert bool(r["regressed"]) is True


def test_training_change_without_both_stages_is_empty(cap):
    only_base = cap[cap["stage"] == "base"]
    tc = capability.training_change(only_base)
    assert tc.empty
    assert {"change_points", "relative_change", "improved", "regressed", "higher_is_better"} <= set(tc.columns)


def test_direction_of_better_defaults_to_higher_and_is_per_task(tmp_path):
    cap = load_text(tmp_path, "capability", "project,task,params_b,stage,value,scale_max,higher_is_better,status,"
                    "source\nP,Break,3,base,0.65,1,false,measured,s\nP,Break,8,base,0.35,1,,measured,s\n"
                    "P,A,3,base,0.3,1,,measured,s\nP,A,8,base,0.7,1,,measured,s\n")
    # Break's one given value holds for its empty row; A gives none: higher is better
    assert list(capability.higher_is_better(cap)) == [False, False, True, True]
    assert capability.higher_is_better(real("capability")).all()  # the column is absent: true
    gaps = unchanged(capability.size_gaps, cap).set_index("task")
    # Break: raw 100 (0.35 - 0.65) = -30 points; lower is better, so the 8B model leads by +30; 3B has 35% of full
    # marks (fails), 8B 65% (passes): a cliff. A: 0.3 -> 0.7, +40, a cliff.
    assert gaps.loc["Break", "gap_points"] == pytest.approx(-30.0)
    assert gaps.loc["Break", "advantage_points"] == pytest.approx(30.0)
    assert list(gaps.loc["Break", ["small_passes", "large_passes", "cliff"]]) == [False, True, True]
    assert gaps.loc["A", "advantage_points"] == pytest.approx(40.0) and gaps.loc["A", "cliff"]
    assert capability.marks(0.35, False) == pytest.approx(0.65) and capability.marks(0.35, True) == 0.35


def test_training_change_reads_the_direction_of_better(tmp_path):
    cap = load_text(tmp_path, "capability", "project,task,params_b,stage,value,scale_max,higher_is_better,status,"
                    "source\nP,Break,8,base,0.65,1,false,measured,s\nP,Break,8,trained,0.35,1,false,measured,s\n"
                    "P,A,3,base,0.5,1,,measured,s\nP,A,3,trained,0.5,1,,measured,s\n")
    tc = capability.training_change(cap).set_index("task")
    # a break rate falling 65% -> 35% improved: -30 points, relative -0.30 / 0.65 = -46.2%
    assert tc.loc["Break", "change_points"] == pytest.approx(-30.0)
    assert tc.loc["Break", "relative_change"] == pytest.approx(-0.30 / 0.65)
    assert (bool(tc.loc["Break", "improved"]), bool(tc.loc["Break", "regressed"])) == (True, False)
    # no change: neither improved nor regressed
    assert (bool(tc.loc["A", "improved"]), bool(tc.loc["A", "regressed"])) == (False, False)


def test_size_gaps_carry_counts_where_the_data_has_them(cap):
    counted = cap.assign(n_correct=pd.array([40, 95] + [None] * (len(cap) - 2), dtype="Int64"),
                         n_eval=pd.array([100, 100] + [None] * (len(cap) - 2), dtype="Int64"))
    g = capability.size_gaps(counted).iloc[0]
    assert (g["small_k"], g["small_n"], g["large_k"], g["large_n"]) == (40, 100, 95, 100)
    assert pd.isna(capability.size_gaps(cap).iloc[0]["small_k"])


def test_comparisons_are_the_gaps_then_the_changes_in_numbers(cap):
    c = capability.comparisons(capability.size_gaps(cap), capability.training_change(cap))
    # structured output 0.40 (3B) -> 0.95 (8B): +55 points; character distillation 3B 0.54 -> 0.37: -17, -31.5%
    assert c[["comparison", "task", "from_b", "to_b"]].values.tolist() == [
        ["size", "Structured output (judging)", 3.0, 8.0], ["training", "Character distillation", 3.0, 3.0]]
    assert c["from_share"].tolist() == pytest.approx([0.40, 0.54])
    assert c["to_share"].tolist() == pytest.approx([0.95, 0.37])
    assert c["change_points"].tolist() == pytest.approx([55, -17])
    assert c["relative_change"].iloc[1] == pytest.approx(-0.17 / 0.54) and pd.isna(c["relative_change"].iloc[0])
    assert c["advantage_points"].tolist() == pytest.approx([55, -17])  # higher is better: the 8B, the base
    assert c["status"].tolist() == ["measured"] * 2
    assert capability.comparisons(capability.size_gaps(cap.iloc[:0]), capability.training_change(cap.iloc[:0])).empty


def test_capability_matrix_one_cell_per_task_and_size(cap):
    m = unchanged(capability.capability_matrix, cap)
    # 13 rows; the 3B character-distillation row appears at both stages and keeps only the trained one
    assert len(m) == 12
    assert not m.duplicated(["task", "params_b"]).any()
    cell = row(m, task="Character distillation", params_b=3.0)
    assert cell["stage"] == "trained" and cell["performance"] == pytest.approx(0.37)


def test_measured_at_both_sizes(cap):
    m = capability.capability_matrix(cap)
    # only structured output is measured at 3B and 8B; character distillation's 8B cell is pending
    assert capability.measured_at_both(m, (3, 8)) == ["Structured output (judging)"]
    # at 1B every cell is illustrative
    assert capability.measured_at_both(m, (1, 8)) == []
    assert capability.measured_at_both(m.assign(status="measured"), (1, 3)) == sorted(m["task"].unique())


def test_size_gaps_carry_the_standard_error_as_a_share_of_the_scale():
    # A on a 0-10 scale: stderr 0.5 of 10 -> 0.05; B on 0-1: 0.02 at 3B, none at 8B (empty)
    data = pd.DataFrame({"project": "P", "task": ["A", "A", "B", "B"], "params_b": [3.0, 8.0, 3.0, 8.0],
                         "stage": "base", "value": [4.0, 6.0, 0.3, 0.7], "scale_max": [10.0, 10.0, 1.0, 1.0],
                         "status": "measured", "stderr": [0.5, 0.8, 0.02, None]})
    gaps = capability.size_gaps(data).set_index("task")
    assert gaps.loc["A", "small_se"] == pytest.approx(0.05) and gaps.loc["A", "large_se"] == pytest.approx(0.08)
    assert gaps.loc["B", "small_se"] == pytest.approx(0.02) and pd.isna(gaps.loc["B", "large_se"])
    assert capability.size_gaps(data.drop(columns="stderr"))["small_se"].isna().all()


def test_the_matrix_gives_each_cell_its_share_of_full_marks_in_the_direction_of_better():
    # a break rate (lower better) of 0.35 is 1 - 0.35 = 0.65 of full marks; a score 2.8/10 is 0.28
    data = pd.DataFrame({"project": "P", "task": ["Break", "Jokes"], "params_b": [8.0, 3.0], "stage": "base",
                         "value": [0.35, 2.8], "scale_max": [1.0, 10.0], "higher_is_better": [False, None],
                         "status": "measured"})
    m = capability.capability_matrix(data).set_index("task")
    assert m.loc["Break", "performance"] == pytest.approx(0.35) and m.loc["Break", "marks"] == pytest.approx(0.65)
    assert m.loc["Jokes", "marks"] == pytest.approx(0.28) and bool(m.loc["Jokes", "higher_is_better"])


def test_extreme_tasks_are_the_largest_gaps_in_the_direction_of_better_from_the_large_models_lead():
    gaps = pd.DataFrame({"task": ["up", "down", "flat", "up"], "advantage_points": [40.0, -55.0, 5.0, 10.0]})
    # by |lead|: down 55, up 40 (its larger stage), flat 5; the two largest, ordered +40 then -55
    assert capability.extreme_tasks(gaps, 2) == ["up", "down"]
    assert capability.extreme_tasks(gaps) == ["up", "flat", "down"]
    assert capability.extreme_tasks(gaps.iloc[0:0]) == []


@pytest.mark.parametrize("n_tasks, drawn", [(12, None), (13, 12)])
def test_past_many_tasks_the_heat_map_draws_the_extreme_ones(n_tasks, drawn):
    tasks = [f"t{i:02d}" for i in range(n_tasks)]
    matrix = pd.DataFrame({"task": tasks})
    gaps = pd.DataFrame({"task": tasks, "advantage_points": [float(i) for i in range(n_tasks)]})
    chosen = capability.heatmap_tasks(matrix, gaps)
    assert chosen is None if drawn is None else chosen == tasks[::-1][:drawn]  # t12 (12 points) ... t01
    # no task at both sizes: the first 12
    if drawn:
        assert capability.heatmap_tasks(matrix, gaps.iloc[0:0]) == tasks[:12]
