"""Finding 2's sentences (evalpatterns.words.collapse): on the post's data they say what its numbers say, and on
data with another story no opening or takeaway asserts the post's pattern."""
from __future__ import annotations

from pathlib import Path

import pytest
from scipy import stats as st

from evalpatterns import io
from evalpatterns.findings import collapse as finding
from evalpatterns.words import collapse as words

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = ("attempt,model,learning_rate,lora_rank,samples,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,"
          "sample_output,status,source\n")
ASSERTS = ("set in at a learning-rate threshold here", "The data support")


def values_of(tmp_path: Path, *rows: str, **params) -> dict:
    path = tmp_path / "mode_collapse.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return words.values(finding.analyse(io.load("mode_collapse", path), finding.Params(**params)))


def run(attempt, lr, acc, k="", low="", high="", out=""):
    return f"{attempt},M,{lr},32,100,{acc},{low},{high},{k},{'' if k == '' else 200},{out},measured,s"


@pytest.fixture(scope="module")
def post() -> dict:
    return words.values(finding.analyse(io.load("mode_collapse", DATA / "mode_collapse.csv")))


def test_post_opening_and_takeaway_say_inconclusive_with_the_numbers(post):
    assert post["opening_text"] == (
        "The data cannot settle the post's claim: every collapsed run was trained at a higher learning rate than "
        "every converged run, but 3 runs cannot rule out chance (a 10x bracket, 5e-6 converged to 5e-5 "
        "collapsed; 2 collapsed, 1 converged; p = 0.33).")
    assert post["takeaway_text"].startswith("These data cannot say whether mode collapse sets in")
    assert "Fisher's exact p = 0.33" in post["takeaway_text"]
    assert post["verdict"] == "inconclusive" and post["verdict_p_value"] == pytest.approx(1 / 3)


def test_post_counts_and_bracket(post):
    assert post["outcomes_text"] == "2 runs collapsed and 1 run converged"
    assert post["bracket_text"].startswith("a threshold, if there is one, lies between 5e-6 (the largest rate that "
                                           "converged) and 5e-5 (the smallest that collapsed), a 10x bracket")
    assert post["cells_text"] == ('3 cells of its 9 have a run, and the other 6 are drawn as "no run"; the original '
                                  "figure painted those 6 cells (the data's illustrative rows) as collapsed")
    assert post["complete_text"] == "Both collapsed runs collapsed completely (accuracy at or below 5%)"
    assert post["range_text"] == "Every run reported a single accuracy"
    assert post["changed_settings_text"].startswith("LoRA rank, training samples, LoRA alpha, RSLoRA, epochs and "
                                                    "effective batch size changed with it")


def test_post_sampling_noise_is_judged_by_fishers_exact_test(post):
    # 4/200 against 0/200: Fisher's p = 0.12, so neither "larger than the sampling noise" nor a rise beyond it
    assert post["mc_overlap_text"] == ("Fisher's exact test cannot tell attempt 2 and attempt 3 (p = 0.12) apart "
                                       "at the 0.05 level")
    assert "larger than the sampling noise" not in post["mc_overlap_text"]
    assert post["trend_text"].endswith("Fisher's exact test cannot tell the rise from sampling noise at the 0.05 level")
    assert "rises from 0% at 5e-5 to 2% at 2e-4 (p = 0.12)" in post["trend_text"]


@pytest.mark.parametrize("rows, reason", [
    ([run(1, "1e-4", 0.7, 140), run(2, "3e-5", 0.72, 144), run(3, "1e-5", 0.74, 148)],
     "no run collapsed at any rate tried, from 1e-5 to 1e-4"),
    ([run(1, "1e-4", 0.7, 140), run(2, "3e-5", 0.0, 0), run(3, "1e-5", 0.74, 148), run(4, "3e-6", 0.01, 2)],
     "no single threshold separates the runs"),
])
def test_contradicted_never_asserts_the_pattern(tmp_path, rows, reason):
    v = values_of(tmp_path, *rows)
    assert v["verdict"] == "contradicted"
    assert v["opening_text"].startswith("The data contradict the post's claim: " + reason)
    assert v["takeaway_text"].startswith("These data do not show mode collapse setting in at one learning-rate "
                                         "threshold: " + reason)
    for text in (v["opening_text"], v["takeaway_text"]):
        assert not any(a in text for a in ASSERTS)
    assert "0x" not in v["opening_text"] and "p = 1" not in v["opening_text"]


def test_nothing_collapsed_reads_without_zero_counts(tmp_path):
    v = values_of(tmp_path, run(1, "1e-4", 0.7, 140), run(2, "1e-5", 0.74, 148))
    assert v["outcomes_text"] == "no run collapsed and 2 runs converged"
    assert v["complete_text"] == "No run collapsed, so none collapsed completely"
    assert v["bracket_text"] == ("no run collapsed, so the runs do not bracket a threshold: if there is one, it "
                                 "lies above the largest rate tried")
    assert v["cells_text"] == "every one of its 2 cells has a run"


def test_inconclusive_with_too_few_runs_says_why(tmp_path):
    v = values_of(tmp_path, run(1, "1e-4", 0.0, 0))
    assert v["verdict"] == "inconclusive"
    assert v["opening_text"] == ("The data cannot settle the post's claim: only 1 run has an outcome, so no "
                                 "threshold can be located.")
    assert not any(a in v["takeaway_text"] for a in ASSERTS)
    assert v["trend_text"] == ("With 1 single accuracy at 1 learning rate, the data cannot say whether accuracy "
                               "rises and falls with the learning rate")


def test_supported_takeaway_states_the_split_and_test(tmp_path):
    rows = [run(i, lr, 0.01, 2) for i, lr in enumerate(("1e-4", "2e-4", "5e-4", "1e-3"))]
    rows += [run(i + 4, lr, 0.7, 140) for i, lr in enumerate(("1e-6", "2e-6", "5e-6", "1e-5"))]
    v = values_of(tmp_path, *rows)
    assert v["verdict"] == "supported"
    # Fisher's exact p = 2 / C(8, 4) = 2/70 = 0.029
    assert v["takeaway_text"] == (
        "Mode collapse set in at a learning-rate threshold here: every collapsed run was trained at a higher "
        "learning rate than every converged run (a 10x bracket, 1e-5 converged to 1e-4 collapsed; 4 collapsed, "
        "4 converged; Fisher's exact p = 0.029).")


def test_ranges_are_named_and_an_unknown_outcome_is_said(tmp_path):
    v = values_of(tmp_path, run(1, "2e-4", "", low=0.0, high=0.03), run(2, "5e-5", "", low=0.05, high=0.3),
                  run(3, "5e-6", 0.735, 147))
    assert v["range_text"] == ("2 runs reported only a range of accuracies: attempt 1 (0–3%) and attempt 2 "
                               "(5–30%). 1 range straddles the collapse line 10%, so its outcome is unknown and "
                               "it is left out of the threshold")
    assert v["n_unknown"] == 1 and v["n_runs"] == 2
    assert v["outcomes_text"] == "1 run collapsed and 1 run converged"


def test_complete_and_partial_are_counted(tmp_path):
    v = values_of(tmp_path, run(1, "2e-4", 0.0, 0), run(2, "1e-4", 0.08, 16), run(3, "5e-6", 0.735, 147))
    assert v["complete_text"] == ("Of the 2 collapsed runs, 1 collapsed completely (accuracy at or below 5%) and "
                                  "1 partially")


def test_key_number_counts_runs_and_cells(post, tmp_path):
    r = finding.analyse(io.load("mode_collapse", DATA / "mode_collapse.csv"))
    assert words.key_number(r.grid) == "Mode collapse: 2 of 3 runs collapsed; 6 of the 9 grid cells were never run"
    path = tmp_path / "mode_collapse.csv"
    path.write_text(HEADER + run(1, "2e-4", "", low=0.05, high=0.3) + "\n" + run(2, "5e-6", 0.735, 147) + "\n"
                    + ",M,5e-6,64,,,,,,,,illustrative,s\n")
    grid = finding.analyse(io.load("mode_collapse", path)).grid
    assert words.key_number(grid) == ("Mode collapse: 0 of 2 runs collapsed (1 with an unknown outcome); 1 of the "
                                      "3 grid cells was never run")


def test_key_number_and_caption_count_every_attempt_of_a_cell(post, tmp_path):
    # three attempts in rank 32 at 5e-5 (two collapsed, one converged) and one at 5e-6: 2 of 4 runs collapsed
    v = values_of(tmp_path, run(1, "5e-5", 0.0, 0), run(2, "5e-5", 0.02, 4), run(3, "5e-5", 0.6, 120),
                  run(4, "5e-6", 0.735, 147))
    grid = finding.analyse(io.load("mode_collapse", tmp_path / "mode_collapse.csv")).grid
    assert words.key_number(grid) == "Mode collapse: 2 of 4 runs collapsed"
    assert v["cells_text"] == "every one of its 2 cells has a run"
    assert v["grid_caption_text"] == (
        "Learning rate by LoRA rank. A cell of one run is coloured by its outcome and labelled with its accuracy; "
        "the 1 cell of several runs is labelled k/n, the k of its n runs that collapsed, and coloured from "
        "converged to collapsed by that share; a cell is drawn in the style of its least measured run.")
    assert post["grid_caption_text"] == (
        "Learning rate by LoRA rank. Coloured cells are runs, labelled with their accuracy (its range, where only "
        "a range is known); the hatched cells labelled \"no run\" had none (the original figure drew them as "
        "collapsed).")


def test_mode_collapse_noise_is_judged_by_fishers_exact_test_not_interval_overlap():
    v = words.values(finding.analyse(io.load("mode_collapse", DATA / "mode_collapse.csv")))
    # 4/200 and 0/200: Wilson intervals apart (0.78% > 0%, 1.88% < 2%), yet Fisher's p = 0.12
    assert v["mc_n_overlap"] == 1
    assert v["mc_overlap_text"] == "Fisher's exact test cannot tell attempt 2 and attempt 3 (p = 0.12) apart at the 0.05 level"
    assert "larger than the sampling noise" not in v["mc_overlap_text"]
    assert st.fisher_exact([[4, 196], [0, 200]]).pvalue == pytest.approx(0.1231, abs=1e-4)


NONE = "No two compared values are recorded as measured on different eval sets."


def test_the_eval_set_caveat_names_the_runs_sets_and_is_empty_without_them():
    df = io.load("mode_collapse", DATA / "mode_collapse.csv")
    assert words.values(finding.analyse(df))["eval_set_caveat_text"] == NONE
    df["eval_set"] = ["amd-200", "amd-200", "amd-50"] + [None] * (len(df) - 3)
    v = words.values(finding.analyse(df))
    assert v["n_eval_set_mismatches"] == 1
    assert v["eval_set_caveat_text"].startswith("Compared values come from different eval sets: the runs compared "
                                                "across learning rates (on amd-200 and amd-50).")
    df["eval_set"] = "amd-200"
    assert words.values(finding.analyse(df))["eval_set_caveat_text"] == NONE


def test_the_painted_cells_are_said_only_where_the_data_has_illustrative_cells_without_a_run(post, tmp_path):
    # the post's data: six illustrative rows without a run, the cells its figure 4 painted as collapsed
    assert post["n_cells_painted"] == 6 and "painted those 6 cells" in post["cells_text"]
    # a researcher's data with every cell measured: no placeholder, so nothing about a figure painting one
    v = values_of(tmp_path, run(1, "2e-4", 0.02, 4), run(2, "5e-6", 0.735, 147))
    assert v["n_cells_painted"] == 0 and "painted" not in v["cells_text"] and "original figure" not in (
        v["cells_text"] + v["grid_caption_text"])
    # an empty measured settings cell is "no run" but no figure's placeholder; of 2 empty cells, 1 is illustrative
    v = values_of(tmp_path, run(1, "2e-4", 0.02, 4), ",M,5e-6,32,,,,,,,,measured,s",
                  ",M,5e-6,64,,,,,,,,illustrative,s")
    assert v["n_cells_painted"] == 1
    assert v["cells_text"] == ('1 cell of its 3 has a run, and the other 2 are drawn as "no run"; the original '
                               "figure painted 1 of them (the data's illustrative row) as collapsed")
    assert v["grid_caption_text"].endswith('labelled "no run" had none (the original figure drew the '
                                           'illustrative one as collapsed).')
    v = values_of(tmp_path, run(1, "2e-4", 0.02, 4), ",M,5e-6,32,,,,,,,,measured,s")
    assert v["n_cells_painted"] == 0 and "painted" not in v["cells_text"]
    assert v["grid_caption_text"].endswith('labelled "no run" had none.')
