"""The table of Finding 4's downstream accuracies (evalpatterns.tables_downstream), provenance shown."""
from __future__ import annotations

from pathlib import Path

from evalpatterns import downstream, io, tables_downstream

DATA = Path(__file__).resolve().parents[1] / "data"


def test_the_posts_table_shows_the_range_and_each_values_provenance():
    t = downstream.downstream_table(io.load("distillation_downstream", DATA / "distillation_downstream.csv"))
    shown = tables_downstream.downstream_display(t)
    assert list(shown.columns) == ["Method", "Family", "Task", "Accuracy", "Interval", "Rows", "Provenance", "Source"]
    assert shown[["Family", "Accuracy", "Interval", "Provenance"]].values.tolist() == [
        ["Llama", "0%", "\u2014", "measured"], ["Qwen", "6\u201321%", "reported range", "measured"]]
    assert shown["Source"].iloc[0].startswith("post Finding 4 gap table")


def test_an_eval_set_column_and_a_wilson_interval_where_the_data_have_them(tmp_path):
    path = tmp_path / "distillation_downstream.csv"
    path.write_text("method,family,task,accuracy,n_correct,n_eval,eval_set,status,source\n"
                    "kd,A,gsm8k,0.92,46,50,gsm8k-50,figure,fig 2\n")
    shown = tables_downstream.downstream_display(downstream.downstream_table(io.load("distillation_downstream", path)))
    assert shown[["Accuracy", "Interval", "Provenance", "Eval set"]].values.tolist() == [
        ["92%", "81.2\u201396.8% (Wilson 95% interval)", "read off a figure", "gsm8k-50"]]
