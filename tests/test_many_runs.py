"""Summaries and rules for many runs (evalpatterns.many_runs), on hand-made runs with the answers worked out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalpatterns import many_runs


def runs_frame(rows) -> pd.DataFrame:
    cols = ["run", "family", "gap", "transition_step", "kl_spike_ratio", "eval_drop", "severity"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["transition_step"] = frame["transition_step"].astype("Int64")
    return frame


RUNS = runs_frame([
    ("a", "Llama", 70.0, 50, 363.0, 0.266, "complete"),
    ("b", "Llama", 70.0, 40, 100.0, 0.100, "partial"),
    ("c", "Llama", 70.0, None, None, None, "no transition"),
    ("d", "Qwen", 7.5, 50, None, 0.461, "partial"),
    ("e", "Qwen", 7.5, 60, 20.0, 0.010, "none"),
])


def test_severity_summary_counts_and_medians_by_family_and_gap():
    s = many_runs.severity_summary(RUNS).set_index("family")
    assert list(s.index) == ["Qwen", "Llama"]  # by gap: 7.5 before 70
    assert s.loc["Llama", ["runs", "complete", "partial", "none", "no transition"]].tolist() == [3, 1, 1, 0, 1]
    assert s.loc["Qwen", ["runs", "complete", "partial", "none"]].tolist() == [2, 0, 1, 1]
    # medians over the runs where known: Llama steps 50, 40 -> 45; spikes 363, 100 -> 231.5
    assert s.loc["Llama", "median_transition_step"] == 45
    assert s.loc["Llama", "median_kl_spike_ratio"] == pytest.approx(231.5)
    assert s.loc["Qwen", "median_eval_drop"] == pytest.approx((0.461 + 0.010) / 2)


def test_top_runs_put_unknown_values_last():
    assert many_runs.top_runs(RUNS, 4)["run"].tolist() == ["a", "b", "e", "c"]
    assert many_runs.top_runs(RUNS, 2, by="eval_drop")["run"].tolist() == ["d", "a"]


@pytest.mark.parametrize("rows, expected", [
    ([("a", 50, 363.0, 0.2), ("b", 40, 400.0, 0.1), ("c", None, None, None)], "b"),   # largest spike
    ([("a", 50, None, 0.2), ("b", 40, None, 0.3), ("c", None, None, None)], "b"),     # no spike: largest drop
    ([("a", 50, None, None), ("b", 40, None, None)], "b"),                             # neither: switches first
    ([("z", 50, 9.0, None), ("y", 40, 9.0, None)], "y"),                               # a tie: first name
    ([("c", None, None, 0.5)], None),                                                   # no run switches
])
def test_the_excerpt_comes_from_a_run_that_switches_phase(rows, expected):
    runs = runs_frame([(r, "F", 1.0, t, k, d, "x") for r, t, k, d in rows])
    assert many_runs.excerpt_run(runs) == expected


def test_phase_curves_summarise_steps_around_each_transition():
    log = pd.DataFrame({"run": ["a"] * 3 + ["b"] * 3 + ["c"] * 2,
                        "step": [0, 10, 20, 0, 10, 20, 0, 10],
                        "eval_score": [0.5, 0.1, 0.0, 0.7, 0.3, np.nan, 0.9, 0.9]})
    runs = pd.DataFrame({"run": ["a", "b", "c"], "family": ["F", "F", "F"],
                         "transition_step": pd.array([10, 20, pd.NA], dtype="Int64")})
    curves = many_runs.phase_curves(log, runs, "eval_score").set_index("offset")
    # a: offsets -10, 0, 10 (0.5, 0.1, 0.0); b: -20, -10 (0.7, 0.3; its 20 is missing); c never switches
    assert curves["n"].to_dict() == {-20.0: 1, -10.0: 2, 0.0: 1, 10.0: 1}
    assert curves.loc[-10.0, "q50"] == pytest.approx(0.4)  # median of 0.5 and 0.3
    assert curves.loc[-10.0, "q10"] == pytest.approx(0.3 + 0.1 * 0.2)  # linear between the two
    got = many_runs.run_curves(log, runs, ["b"], "eval_score")
    assert got[["offset", "value"]].to_numpy().tolist() == [[-20.0, 0.7], [-10.0, 0.3]]


def test_spread_labels_keep_a_gap_inside_the_range():
    y = np.array([0.5, 0.5, 0.51, 0.95, 0.96, 0.2])
    placed = many_runs.spread_labels(y, 0.0, 1.0, 0.1)
    ordered = np.sort(placed)
    assert np.all(np.diff(ordered) >= 0.1 - 1e-12)
    assert ordered[0] >= 0.0 and ordered[-1] <= 1.0 + 1e-12
    assert placed[5] == pytest.approx(0.2)  # a label with room stays where its point is


def test_many_is_past_a_dozen_and_the_csv_holds_every_run(tmp_path):
    assert not many_runs.is_many(RUNS)
    assert many_runs.is_many(pd.concat([RUNS] * 3))
    path = many_runs.write_runs_csv(RUNS, tmp_path / "out" / "runs.csv")
    back = pd.read_csv(path)
    assert back["run"].tolist() == list("abcde") and list(back.columns) == list(RUNS.columns)
