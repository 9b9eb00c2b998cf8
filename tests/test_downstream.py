"""Finding 4's method-level downstream accuracies (evalpatterns.downstream): the post's two values, seeds of
one condition aggregated, and tasks whose values come from different eval sets."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalpatterns import downstream, io

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "method,family,task,seed,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,eval_set,status,source\n"


def load(tmp_path, *rows) -> pd.DataFrame:
    path = tmp_path / "distillation_downstream.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return io.load("distillation_downstream", path)


def test_the_posts_values_hybrid_llama_at_zero_and_qwen_known_as_a_range():
    t = downstream.downstream_table(io.load("distillation_downstream", DATA / "distillation_downstream.csv"))
    assert t[["method", "family", "n_rows", "interval", "is_range", "status"]].values.tolist() == [
        ["hybrid", "Llama", 1, "", False, "measured"], ["hybrid", "Qwen", 1, "range", True, "measured"]]
    assert t["accuracy"].tolist() == pytest.approx([0.0, 0.135])  # Qwen: the middle of 0.06-0.21
    assert (t.loc[1, "low"], t.loc[1, "high"]) == (0.06, 0.21)


def test_seeds_of_one_condition_are_aggregated_with_the_pooled_wilson_interval(tmp_path):
    frame = load(tmp_path, "kd,A,gsm8k,1,0.5,,,25,50,,measured,s1", "kd,A,gsm8k,2,0.7,,,35,50,,figure,s2",
                 "kd,B,gsm8k,,0.9,,,,,,measured,s1")
    t = downstream.downstream_table(frame)
    a = t.iloc[0]
    # mean of 0.5 and 0.7; the Wilson interval of 60 of 100 pooled: 0.502 to 0.691
    assert (a["n_rows"], a["accuracy"], a["interval"], a["status"], a["source"]) == (2, pytest.approx(0.6),
                                                                                      "wilson", "figure", "s1; s2")
    assert (round(a["low"], 3), round(a["high"], 3)) == (0.502, 0.691)
    assert (t.iloc[1]["interval"], t.iloc[1]["n_rows"]) == ("", 1)


def test_seeds_without_counts_span_lowest_to_highest(tmp_path):
    t = downstream.downstream_table(load(tmp_path, "kd,A,gsm8k,1,0.5,,,,,,measured,s",
                                         "kd,A,gsm8k,2,0.8,,,,,,measured,s"))
    assert t[["accuracy", "low", "high", "interval"]].values.tolist() == [[pytest.approx(0.65), 0.5, 0.8, "seeds"]]


def test_a_task_on_different_eval_sets_is_named_with_both_and_equal_sets_are_not(tmp_path):
    frame = load(tmp_path, "kd,A,gsm8k,,0.5,,,,,gsm8k-50,measured,s", "kd,B,gsm8k,,0.8,,,,,gsm8k-1319,measured,s",
                 "kd,A,arc,,0.5,,,,,arc,measured,s", "kd,B,arc,,0.6,,,,,arc,measured,s")
    assert [(m.compared, m.eval_sets) for m in downstream.eval_set_mismatches(frame)] == [
        ("the downstream accuracies on gsm8k", ("gsm8k-50", "gsm8k-1319"))]
    assert downstream.eval_set_mismatches(None) == ()
    assert downstream.downstream_table(frame)["eval_set"].tolist() == ["gsm8k-50", "gsm8k-1319", "arc", "arc"]
