"""Tests of the five findings' analysis modules on the real data and on small synthetic data.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments) or
computed independently with scipy.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from evalpatterns import capability, collapse, distillation, io, memorization, roi
from evalpatterns.stats import hedges_g, hedges_g_from_stats, ratio_of_means

DATA = Path(__file__).resolve().parents[1] / "data"


# --------------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------------

def write_csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, kind: str, text: str) -> pd.DataFrame:
    """Load CSV ``text`` through the real loader, so the frame has the same dtypes as the real data."""
    return io.load(kind, write_csv(tmp_path, f"{kind}.csv", text))


def real(kind: str) -> pd.DataFrame:
    return io.load(kind, DATA / f"{kind}.csv")


def unchanged(func, frame: pd.DataFrame, *args, **kwargs):
    """Call ``func(frame, ...)`` and assert it did not modify ``frame``."""
    before = frame.copy(deep=True)
    out = func(frame, *args, **kwargs)
    pd.testing.assert_frame_equal(frame, before)
    return out


@pytest.fixture(scope="module")
def cap():
    return real("capability")


@pytest.fixture(scope="module")
def runs():
    return real("mode_collapse")


@pytest.fixture(scope="module")
def roi_data():
    return real("roi")


@pytest.fixture(scope="module")
def log():
    return real("distillation")


@pytest.fixture(scope="module")
def mem():
    return real("memorization")


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k] == v
    hit = frame[mask]
    assert len(hit) == 1, (where, len(hit))
    return hit.iloc[0]


# --------------------------------------------------------------------------------------------------------------
# Finding 1: capability
# --------------------------------------------------------------------------------------------------------------

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


def test_capability_matrix_one_cell_per_task_and_size(cap):
    m = unchanged(capability.capability_matrix, cap)
    # 13 rows; the 3B character-distillation row appears at both stages and keeps only the trained one
    assert len(m) == 12
    assert not m.duplicated(["task", "params_b"]).any()
    cell = row(m, task="Character distillation", params_b=3.0)
    assert cell["stage"] == "trained" and cell["performance"] == pytest.approx(0.37)


# --------------------------------------------------------------------------------------------------------------
# Finding 2: mode collapse
# --------------------------------------------------------------------------------------------------------------

def test_classify_collapse_on_the_real_runs(runs):
    c = unchanged(collapse.classify_collapse, runs)
    attempts = c[c["attempt"].notna()].set_index("attempt")["collapsed"]
    # accuracies 0.02, 0.00, 0.735 against 0.10: collapsed, collapsed, converged
    assert attempts.to_dict() == {2: True, 3: True, 4: False}
    # the six settings cells with no run have no accuracy and no verdict
    assert c.loc[c["attempt"].isna(), "collapsed"].isna().all()
    assert c["collapsed"].isna().sum() == 6


def test_lr_bracket_on_the_real_runs(runs):
    b = collapse.lr_bracket(collapse.classify_collapse(runs))
    assert b.largest_converged == pytest.approx(5e-6)
    assert b.smallest_collapsed == pytest.approx(5e-5)
    # 5e-5 / 5e-6 = 10: "just a 10x reduction"
    assert b.ratio == pytest.approx(10.0)
    # both 2e-4 and 5e-5 collapsed: 2e-4 / 5e-5 = 4
    assert b.collapsed_span == pytest.approx(4.0)
    assert b.largest_collapsed == pytest.approx(2e-4)
    assert b.consistent is True
    assert (b.n_collapsed, b.n_converged) == (2, 1)


def test_threshold_change_flips_a_classification(runs):
    # at 0.01 the 2% run (attempt 2, lr 2e-4) is no longer "collapsed"
    strict = collapse.classify_collapse(runs, collapse_accuracy=0.01)
    attempts = strict[strict["attempt"].notna()].set_index("attempt")["collapsed"]
    assert attempts.to_dict() == {2: False, 3: True, 4: False}
    b = collapse.lr_bracket(strict)
    # converged at 2e-4 but collapsed at 5e-5: no single threshold explains the runs
    assert b.consistent is False
    assert b.largest_converged == pytest.approx(2e-4)
    assert b.smallest_collapsed == pytest.approx(5e-5)
    assert b.ratio == pytest.approx(0.25)  # 5e-5 / 2e-4
    assert b.collapsed_span == pytest.approx(1.0)


def test_threshold_is_inclusive(runs):
    # accuracy <= threshold collapses: at exactly 0.02 attempt 2 still collapses
    c = collapse.classify_collapse(runs, collapse_accuracy=0.02)
    assert bool(c.loc[c["attempt"] == 2, "collapsed"].item()) is True


def test_all_collapsed_gives_nan_converged_side(runs):
    c = collapse.classify_collapse(runs, collapse_accuracy=0.8)  # 0.735 now counts as collapsed
    b = collapse.lr_bracket(c)
    assert (b.n_collapsed, b.n_converged) == (3, 0)
    assert math.isnan(b.largest_converged)
    assert math.isnan(b.ratio)
    assert b.smallest_collapsed == pytest.approx(5e-6)
    assert b.collapsed_span == pytest.approx(40.0)  # 2e-4 / 5e-6
    assert b.consistent is True


def test_none_collapsed_gives_nan_collapsed_side(tmp_path, runs):
    text = (DATA / "mode_collapse.csv").read_text()
    text = text.replace(",0.02,4,200,", ",0.90,180,200,").replace(",0.00,0,200,", ",0.85,170,200,")
    fine = load_text(tmp_path, "mode_collapse", text)
    c = collapse.classify_collapse(fine)
    b = collapse.lr_bracket(c)
    assert (b.n_collapsed, b.n_converged) == (0, 3)
    assert math.isnan(b.smallest_collapsed)
    assert math.isnan(b.largest_collapsed)
    assert math.isnan(b.ratio)
    assert math.isnan(b.collapsed_span)
    assert b.largest_converged == pytest.approx(2e-4)
    assert b.consistent is True


def test_no_runs_at_all_gives_nan_everywhere(runs):
    c = collapse.classify_collapse(runs[runs["attempt"].isna()])
    b = collapse.lr_bracket(c)
    assert (b.n_collapsed, b.n_converged) == (0, 0)
    assert all(math.isnan(x) for x in (b.largest_converged, b.smallest_collapsed, b.ratio, b.collapsed_span))


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_collapse_threshold_must_be_a_fraction(runs, bad):
    with pytest.raises(ValueError, match="fraction"):
        collapse.classify_collapse(runs, collapse_accuracy=bad)


def test_collapse_grid(runs):
    grid = collapse.collapse_grid(collapse.classify_collapse(runs))
    assert len(grid) == 9  # 3 learning rates x 3 ranks
    cell = row(grid, learning_rate=5e-6, lora_rank=32)
    assert bool(cell["collapsed"]) is False and cell["accuracy"] == pytest.approx(0.735)
    assert pd.isna(row(grid, learning_rate=5e-6, lora_rank=128)["collapsed"])
    assert grid["learning_rate"].is_monotonic_increasing
    assert (grid["outcome"] == "no run").sum() == 6 and not grid["is_range"].any()


MC_RANGE = ("attempt,model,learning_rate,lora_rank,samples,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,sample_output,status,source\n"
            "1,M,2e-4,32,,,0.00,0.03,,,,measured,s\n"     # 0-3%: high end 3% <= 10%: collapsed
            "2,M,1e-4,32,,,0.05,0.30,,,,measured,s\n"     # 5-30%, across 10%: unknown
            "3,M,5e-5,32,,,0.12,0.20,,,,measured,s\n"     # 12-20%: low end > 10%: converged
            "4,M,5e-6,32,,0.735,,,147,200,,measured,s\n"
            ",M,5e-6,64,,,,,,,,illustrative,s\n")


def test_classify_collapse_keeps_range_only_accuracies(tmp_path):
    c = unchanged(collapse.classify_collapse, load_text(tmp_path, "mode_collapse", MC_RANGE))
    assert c["outcome"].tolist() == ["collapsed", "unknown", "converged", "converged", "no run"]
    assert c["collapsed"].tolist() == [True, pd.NA, False, False, pd.NA]
    assert c["is_range"].tolist() == [True, True, True, False, False]
    assert (c.loc[1, "accuracy_low"], c.loc[1, "accuracy_high"]) == (0.05, 0.30)
    assert (c.loc[3, "accuracy_low"], c.loc[3, "accuracy_high"]) == (0.735, 0.735)  # a point is its own range
    # the unknown run is left out of the bracket: converged up to 5e-5, collapsed from 2e-4
    b = collapse.lr_bracket(c)
    assert (b.largest_converged, b.smallest_collapsed, b.n_collapsed, b.n_converged) == (5e-5, 2e-4, 1, 2)


def test_severity_complete_partial_and_unknown(tmp_path):
    c = collapse.classify_collapse(load_text(tmp_path, "mode_collapse", MC_RANGE))
    # 0-3% is wholly at or below 5%: complete; a straddling or no run: NA; converged: none
    assert collapse.severity(c, 0.05).tolist() == ["complete", None, "none", "none", None]
    # at a 2% limit, 0-3% straddles it: unknown severity, never "partial"
    assert collapse.severity(c, 0.02).tolist()[0] is None
    real_runs = collapse.classify_collapse(real("mode_collapse"))
    # 2% and 0% against 1%: 2% is partial, 0% complete (an accuracy of 0 is always complete)
    sev = collapse.severity(real_runs, 0.01)
    assert sev[real_runs["attempt"] == 2].item() == "partial" and sev[real_runs["attempt"] == 3].item() == "complete"
    assert collapse.severity(real_runs, 0.0)[real_runs["attempt"] == 3].item() == "complete"
    with pytest.raises(ValueError, match="fraction"):
        collapse.severity(real_runs, -0.1)


def test_intermediate_marks_gradual_degradation(tmp_path):
    text = ("attempt,model,learning_rate,lora_rank,samples,accuracy,sample_output,status,source\n"
            "1,M,5e-6,32,,0.735,,measured,s\n2,M,2e-5,32,,0.30,,measured,s\n3,M,3e-5,32,,0.40,,measured,s\n"
            "4,M,5e-5,32,,0.0,,measured,s\n")
    c = collapse.classify_collapse(load_text(tmp_path, "mode_collapse", text))
    # half the best converged accuracy: 0.735 / 2 = 0.3675; 30% is below it (and above 10%), 40% is not
    assert collapse.intermediate(c, 0.10).tolist() == [False, True, False, False]


def test_separation_is_fishers_exact_test_against_the_bracket(runs):
    c = collapse.classify_collapse(runs)
    s = collapse.separation(c, collapse.lr_bracket(c))
    assert s.table == ((2, 0), (0, 1)) and s.n_runs == 3
    assert s.p_value == pytest.approx(st.fisher_exact([[2, 0], [0, 1]]).pvalue) == pytest.approx(1 / 3)
    all_collapsed = collapse.classify_collapse(runs, collapse_accuracy=0.8)
    assert collapse.separation(all_collapsed, collapse.lr_bracket(all_collapsed)) is None


def test_accuracy_trend_picks_the_clearest_rise_and_fall(runs, tmp_path):
    t = collapse.accuracy_trend(collapse.classify_collapse(runs))
    # fall 147/200 at 5e-6 -> 0/200 at 5e-5 (the smallest p of the two falls); rise 0/200 -> 4/200
    assert (t.fall.low_rate, t.fall.high_rate) == (5e-6, 5e-5)
    assert t.fall.p_value == pytest.approx(st.fisher_exact([[147, 53], [0, 200]]).pvalue)
    assert (t.rise.low_accuracy, t.rise.high_accuracy) == (0.0, 0.02)
    assert t.rise.p_value == pytest.approx(st.fisher_exact([[0, 200], [4, 196]]).pvalue)
    assert t.shape == "within noise"  # the rise's p = 0.12 >= 0.05
    assert collapse.accuracy_trend(collapse.classify_collapse(runs), alpha=0.2).shape == "non-monotonic"
    # without counts a change cannot be tested: the clearest is the largest, and the shape stays within noise
    text = ("attempt,model,learning_rate,lora_rank,samples,accuracy,sample_output,status,source\n"
            "1,M,1e-6,32,,0.7,,measured,s\n2,M,1e-5,32,,0.0,,measured,s\n3,M,1e-4,32,,0.5,,measured,s\n"
            "4,M,1e-3,32,,0.1,,measured,s\n")
    t = collapse.accuracy_trend(collapse.classify_collapse(load_text(tmp_path, "mode_collapse", text)))
    assert (t.rise.low_accuracy, t.rise.high_accuracy) == (0.0, 0.5) and math.isnan(t.rise.p_value)
    assert (t.fall.low_accuracy, t.fall.high_accuracy) == (0.7, 0.0)
    assert t.shape == "within noise"
    mono = ("attempt,model,learning_rate,lora_rank,samples,accuracy,sample_output,status,source\n"
            "1,M,1e-6,32,,0.7,,measured,s\n2,M,1e-5,32,,0.5,,measured,s\n3,M,1e-4,32,,0.0,,measured,s\n")
    t = collapse.accuracy_trend(collapse.classify_collapse(load_text(tmp_path, "mode_collapse", mono)))
    assert t.rise is None and t.shape == "monotonic"
    assert collapse.accuracy_trend(collapse.classify_collapse(runs[runs["attempt"] != 2])).shape == "too few"


def test_accuracy_trend_pools_the_runs_at_each_rate_past_many_runs():
    # 13 runs: 5 at 1e-5 with 140/200 each, 4 at 1e-4 with 2/200, 4 at 1e-3 with 10/200
    rates = [1e-5] * 5 + [1e-4] * 4 + [1e-3] * 4
    k = [140] * 5 + [2] * 4 + [10] * 4
    runs = pd.DataFrame({"learning_rate": rates, "n_correct": k, "n_eval": [200] * 13,
                         "accuracy": [x / 200 for x in k]})
    pooled = collapse.pool_by_rate(runs)
    assert pooled["n_correct"].tolist() == [700, 8, 40] and pooled["n_eval"].tolist() == [1000, 800, 800]
    assert pooled["accuracy"].tolist() == [0.7, 0.01, 0.05]
    t = collapse.accuracy_trend(runs)
    assert t.pooled and (t.n_runs, t.n_rates) == (13, 3)
    # the rise 8/800 at 1e-4 -> 40/800 at 1e-3, tested on the pooled counts
    assert (t.rise.low_rate, t.rise.high_rate, t.rise.low_accuracy, t.rise.high_accuracy) == (1e-4, 1e-3, 0.01, 0.05)
    assert t.rise.p_value == pytest.approx(st.fisher_exact([[8, 792], [40, 760]]).pvalue)
    assert t.fall.low_rate == 1e-5 and t.shape == "non-monotonic"
    # a rate with a run without counts: its mean accuracy, untested
    runs.loc[0, ["n_correct", "n_eval"]] = None
    assert math.isnan(collapse.pool_by_rate(runs)["n_correct"].iloc[0])
    assert collapse.pool_by_rate(runs)["accuracy"].iloc[0] == pytest.approx(0.7)
    fall = collapse.accuracy_trend(runs).fall  # both falls start at 1e-5: untested, the larger one is clearest
    assert math.isnan(fall.p_value) and (fall.low_rate, fall.high_rate) == (1e-5, 1e-4)
    assert not collapse.accuracy_trend(runs.iloc[:12]).pooled  # 12 runs: every pair of runs


# --------------------------------------------------------------------------------------------------------------
# Finding 3: ROI
# --------------------------------------------------------------------------------------------------------------

def test_roi_table_changes_and_roi(roi_data):
    t = unchanged(roi.roi_table, roi_data, 0.73).set_index("approach")
    assert list(t.index) == ["Training Attempt 1", "Training Attempt 2", "Training Attempt 3",
                             "Training Attempt 4", "Model Switch"]
    # against the 73% baseline, in points:
    #   attempt 1: range 0-3% -> midpoint 1.5% -> 1.5 - 73 = -71.5 (range -73 .. -70); ROI -71.5/120 = -0.596
    #   attempt 2: 2% -> -71; -71/33 = -2.152
    #   attempt 3: 0% -> -73; -73/11 = -6.636
    #   attempt 4: 73.5% -> +0.5; 0.5/2.6 = 0.192
    #   switch: 92% -> +19; 19/5 = 3.8
    expected_change = [-71.5, -71.0, -73.0, 0.5, 19.0]
    expected_roi = [-71.5 / 120, -71 / 33, -73 / 11, 0.5 / 2.6, 19 / 5]
    np.testing.assert_allclose(t["change_points"], expected_change, atol=1e-9)
    np.testing.assert_allclose(t["roi"], expected_roi, rtol=1e-9)
    np.testing.assert_allclose(t["roi"], [-0.596, -2.152, -6.636, 0.192, 3.8], atol=5e-4)
    a1 = t.loc["Training Attempt 1"]
    assert bool(a1["is_range"]) is True
    assert a1["accuracy_point"] == pytest.approx(0.015)
    assert a1["change_low"] == pytest.approx(-73.0) and a1["change_high"] == pytest.approx(-70.0)
    assert a1["roi_low"] == pytest.approx(-73 / 120) and a1["roi_high"] == pytest.approx(-70 / 120)
    assert not t.loc[["Training Attempt 2", "Model Switch"], "is_range"].any()
    # a point value has a degenerate range
    assert t.loc["Model Switch", "change_low"] == pytest.approx(19.0)


def test_roi_table_rounds_to_the_posts_table(roi_data):
    t = roi.roi_table(roi_data, 0.73)
    # the post prints -0.5, -2.2, -6.6, +0.2, +3.8
    assert [round(x, 1) for x in t["roi"]] == [-0.6, -2.2, -6.6, 0.2, 3.8]


def test_roi_table_other_baseline(roi_data):
    t = roi.roi_table(roi_data, baseline_accuracy=0.0).set_index("approach")
    # against 0%: switch +92 points, 92/5 = 18.4 per minute
    assert t.loc["Model Switch", "change_points"] == pytest.approx(92.0)
    assert t.loc["Model Switch", "roi"] == pytest.approx(18.4)


@pytest.mark.parametrize("bad", [-0.01, 73])
def test_roi_baseline_must_be_a_fraction(roi_data, bad):
    with pytest.raises(ValueError, match="fraction"):
        roi.roi_table(roi_data, baseline_accuracy=bad)


def test_switch_vs_training(roi_data):
    s = roi.switch_vs_training(roi.roi_table(roi_data, 0.73))
    # 120 + 33 + 11 + 2.6 = 166.6 minutes ("2h 47m")
    assert s.training_minutes == pytest.approx(166.6)
    assert s.training_attempts == 4
    assert s.best_training_accuracy == pytest.approx(0.735)
    # best training 73.5% against 73%: +0.5 points
    assert s.training_gain_points == pytest.approx(0.5)
    assert s.training_roi == pytest.approx(0.5 / 166.6)
    assert s.switch_minutes == pytest.approx(5.0)
    assert s.switch_accuracy == pytest.approx(0.92)
    assert s.switch_gain_points == pytest.approx(19.0)
    assert s.switch_roi == pytest.approx(3.8)
    # the post's "38x" is the gain ratio 19 / 0.5 = 38
    assert s.gain_ratio == pytest.approx(38.0)
    # the formula the post states, (19/5) / (0.5/166.6) = 3.8 / 0.0030012 = 1266.16
    assert s.roi_ratio == pytest.approx((19 / 5) / (0.5 / 166.6))
    assert s.roi_ratio == pytest.approx(1266.16, abs=1e-6)


def test_switch_vs_training_without_a_switch(roi_data):
    t = roi.roi_table(roi_data[roi_data["kind"] != "model_switch"], 0.73)
    s = roi.switch_vs_training(t)
    assert s.training_minutes == pytest.approx(166.6)
    assert math.isnan(s.switch_gain_points) and math.isnan(s.roi_ratio) and math.isnan(s.gain_ratio)


def test_size_ratio(roi_data):
    # DeepSeek-R1-32B against Qwen2.5-7B: 32 / 7 = 4.571 ("4.5x smaller")
    assert roi.size_ratio(roi_data) == pytest.approx(32 / 7)


def test_size_ratio_unknown_sizes(roi_data):
    assert math.isnan(roi.size_ratio(roi_data.drop(columns="params_b")))
    assert math.isnan(roi.size_ratio(roi_data.assign(params_b=np.nan)))


# --------------------------------------------------------------------------------------------------------------
# Finding 4: distillation
# --------------------------------------------------------------------------------------------------------------

def test_transitions_on_the_real_log(log):
    tr = unchanged(distillation.transitions, log).set_index("run")
    llama, qwen = tr.loc["llama-hybrid-seed8"], tr.loc["qwen-hybrid"]
    assert llama["transition_step"] == 50 and qwen["transition_step"] == 50
    # Llama: KL 0.015 at step 40 -> 5.4453 at step 50: 5.4453 / 0.015 = 363.02
    assert llama["kl_before"] == pytest.approx(0.015)
    assert llama["kl_at"] == pytest.approx(5.4453)
    assert llama["kl_spike_ratio"] == pytest.approx(5.4453 / 0.015)
    assert llama["kl_spike_ratio"] == pytest.approx(363.02, abs=1e-9)
    # Qwen: 0.02 -> 0.2299: 11.495
    assert qwen["kl_spike_ratio"] == pytest.approx(0.2299 / 0.02)
    assert llama["severity"] == "complete"
    assert qwen["severity"] == "partial"
    # eval scores from step 50 on: Llama all 0.000; Qwen 0.211 down to 0.057
    assert (llama["eval_after_min"], llama["eval_after_max"]) == (0.0, 0.0)
    assert (qwen["eval_after_min"], qwen["eval_after_max"]) == (pytest.approx(0.057), pytest.approx(0.211))
    assert llama["eval_before"] == pytest.approx(0.266)
    assert qwen["eval_before"] == pytest.approx(0.518)
    assert qwen["eval_final"] == pytest.approx(0.057)
    # 0.518 - 0.057 = 0.461
    assert qwen["eval_drop"] == pytest.approx(0.461)
    assert llama["gap"] == 70 and qwen["gap"] == 7.5


def test_transitions_do_not_depend_on_row_order(log):
    shuffled = log.sample(frac=1.0, random_state=3)
    a = distillation.transitions(log).set_index("run").sort_index()
    b = distillation.transitions(shuffled).set_index("run").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_log_without_phase_change(log):
    flat = log[log["run"] == "qwen-hybrid"].assign(phase="off_policy")
    tr = distillation.transitions(flat)
    assert len(tr) == 1
    r = tr.iloc[0]
    assert pd.isna(r["transition_step"])
    assert r["severity"] == "no transition"
    assert pd.isna(r["kl_spike_ratio"]) and pd.isna(r["eval_after_min"])


def test_log_without_phase_change_next_to_a_normal_run(log):
    flat = log[log["run"] == "qwen-hybrid"].assign(phase="off_policy", run="qwen-flat")
    tr = distillation.transitions(pd.concat([log, flat], ignore_index=True)).set_index("run")
    assert tr.loc["qwen-flat", "severity"] == "no transition"
    assert pd.isna(tr.loc["qwen-flat", "transition_step"])
    # the other runs are unaffected
    assert tr.loc["llama-hybrid-seed8", "severity"] == "complete"
    assert tr.loc["qwen-hybrid", "kl_spike_ratio"] == pytest.approx(11.495)


def test_run_without_kl_has_no_ratio(log):
    nokl = log[log["run"] == "qwen-hybrid"].assign(kl=np.nan)
    r = distillation.transitions(nokl).iloc[0]
    assert r["transition_step"] == 50
    assert pd.isna(r["kl_before"]) and pd.isna(r["kl_at"]) and pd.isna(r["kl_spike_ratio"])
    # the eval-based severity still works
    assert r["severity"] == "partial"


def test_zero_kl_before_gives_no_ratio(log):
    run = log[log["run"] == "qwen-hybrid"].copy()
    run.loc[run["step"] == 40, "kl"] = 0.0
    r = distillation.transitions(run).iloc[0]
    assert r["kl_before"] == 0.0
    assert pd.isna(r["kl_spike_ratio"])


def test_run_without_eval_after_transition(log):
    run = log[log["run"] == "llama-hybrid-seed8"].copy()
    run.loc[run["phase"] == "on_policy", "eval_score"] = np.nan
    assert distillation.transitions(run).iloc[0]["severity"] == "no eval"


def test_severity_thresholds(log):
    # Qwen's lowest score after the switch, 0.057, is below 0.518 * (1 - 0.25) = 0.3885 -> partial;
    # with partial_drop 0.95 the bar is 0.518 * 0.05 = 0.0259 and 0.057 is above it -> none
    qwen = log[log["run"] == "qwen-hybrid"]
    assert distillation.transitions(qwen, partial_drop=0.95).iloc[0]["severity"] == "none"
    # with complete_below 0.25 every Qwen score after the switch (max 0.211) counts as collapse
    assert distillation.transitions(qwen, complete_below=0.25).iloc[0]["severity"] == "complete"


def test_kl_rises_on_the_real_log(log):
    rises = distillation.kl_rises(log, distillation.transitions(log)).set_index("run")
    # Llama: KL 0.015 (step 40) -> 5.4453 (step 50) = +5.4303, then 4.80, 4.40, 4.3808: only falls after it
    llama, qwen = rises.loc["llama-hybrid-seed8"], rises.loc["qwen-hybrid"]
    assert (llama["before_step"], llama["rise_at"]) == (40, pytest.approx(5.4303))
    assert pd.isna(llama["largest_other_rise"]) and llama["at_transition"]
    # Qwen: 0.02 -> 0.2299 = +0.2099 against 0.01, 0.01, 0.00 before and 0.17, 0.20, 0.20, 0.15 after
    assert (qwen["rise_at"], qwen["largest_other_rise"]) == (pytest.approx(0.2099), pytest.approx(0.20))
    assert qwen["at_transition"]


def test_kl_rises_skips_runs_without_kl_on_both_sides(log):
    only_after = log[log["run"] == "qwen-hybrid"].assign(kl=lambda f: f["kl"].where(f["step"] >= 50))
    rises = distillation.kl_rises(only_after, distillation.transitions(only_after))
    assert rises.empty and list(rises.columns) == ["run", "transition_step", "before_step", "kl_before", "kl_at",
                                                   "rise_at", "largest_other_rise", "at_transition"]


def test_phase_steps(log):
    ps = distillation.phase_steps(log).set_index(["run", "phase"])
    assert tuple(ps.loc[("llama-hybrid-seed8", "off_policy")]) == (0, 40)
    assert tuple(ps.loc[("llama-hybrid-seed8", "on_policy")]) == (50, 90)
    assert len(ps) == 4


# --------------------------------------------------------------------------------------------------------------
# Finding 5: memorization
# --------------------------------------------------------------------------------------------------------------

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
