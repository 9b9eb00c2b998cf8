"""Finding 2's arithmetic (evalpatterns.collapse) on the real data and on small synthetic data.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments) or
computed independently with scipy."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats as st

from evalpatterns import collapse
from datafiles import DATA, load_text, real, row, unchanged


@pytest.fixture(scope="module")
def runs():
    return real("mode_collapse")


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


def test_collapse_grid_with_one_attempt_per_cell_counts_one(runs):
    grid = collapse.collapse_grid(collapse.classify_collapse(runs))
    ran = grid[grid["outcome"] != "no run"]
    assert ran["n_attempts"].tolist() == [1, 1, 1] and ran["attempt"].tolist() == [4, 3, 2]
    assert ran["share_collapsed"].tolist() == [0.0, 1.0, 1.0] and ran["n_measured"].tolist() == [1, 1, 1]
    assert (grid.loc[grid["outcome"] == "no run", "n_attempts"] == 0).all()


MC_CELL = ("attempt,model,learning_rate,lora_rank,samples,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,sample_output,status,source\n"
           "1,M,5e-5,64,,0.00,,,0,200,,measured,s\n"      # collapsed
           "2,M,5e-5,64,,0.02,,,4,200,,pending,s\n"       # collapsed, not yet run: the cell is pending
           "3,M,5e-5,64,,0.60,,,120,200,,measured,s\n"    # converged
           "4,M,5e-5,64,,,0.05,0.30,,,,measured,s\n"      # a range across 10%: unknown
           ",M,5e-5,64,,,,,,,,illustrative,s\n"          # a placeholder in a cell that has runs: not counted
           "5,M,5e-6,64,,0.70,,,140,200,,figure,s\n")


def test_collapse_grid_counts_every_attempt_in_a_cell(tmp_path):
    grid = collapse.collapse_grid(collapse.classify_collapse(load_text(tmp_path, "mode_collapse", MC_CELL)))
    assert len(grid) == 2
    cell = row(grid, learning_rate=5e-5, lora_rank=64)
    # 4 attempts: 2 collapsed, 1 converged, 1 unknown; share 2 / (2 + 1) = 2/3 of those with an outcome
    assert (cell["n_attempts"], cell["n_collapsed"], cell["n_converged"], cell["n_unknown"]) == (4, 2, 1, 1)
    assert cell["share_collapsed"] == pytest.approx(2 / 3)
    assert cell["outcome"] == "mixed" and pd.isna(cell["collapsed"]) and pd.isna(cell["attempt"])
    assert pd.isna(cell["accuracy"]) and not cell["is_range"]
    # accuracies span 0% (attempt 1) to 60% (attempt 3); the range 5-30% lies within
    assert (cell["accuracy_low"], cell["accuracy_high"]) == (0.0, 0.60)
    # 3 measured, 1 pending: the cell is as measured as its least measured attempt
    assert (cell["n_measured"], cell["n_pending"], cell["status"]) == (3, 1, "pending")
    one = row(grid, learning_rate=5e-6, lora_rank=64)
    assert (one["n_attempts"], one["attempt"], one["accuracy"], one["status"]) == (1, 5, 0.70, "figure")
    assert one["outcome"] == "converged" and bool(one["collapsed"]) is False


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
