"""The sentences of Finding 4's downstream section (evalpatterns.words.downstream): on the post's values, on
values that cannot be ordered, across eval sets, and when the file was not given."""
from __future__ import annotations

from pathlib import Path

from evalpatterns import findings, io
from evalpatterns.words import downstream as words

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "method,family,task,accuracy,accuracy_low,accuracy_high,eval_set,status,source\n"


def values(tmp_path=None, *rows) -> dict:
    if tmp_path is None:
        return words.values(findings.analyse("distillation"))
    path = tmp_path / "distillation_downstream.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return words.values(findings.analyse("distillation", distillation_downstream_csv=str(path)))


def test_the_posts_values():
    v = values()
    assert (v["downstream_given"], v["n_downstream_values"]) == (True, 2)
    assert v["downstream_text"] == (
        "The file gives 1 method and 2 families on 1 task (2 values; every value is measured; 1 value known only "
        "as a range); on held-out eval (eval_score), hybrid with Qwen is highest (6\u201321%) and hybrid with "
        "Llama lowest (0%)")


def test_not_given_says_so():
    v = words.values(findings.analyse("distillation", distillation_downstream_csv=""))
    assert (v["downstream_given"], v["n_downstream_values"]) == (False, 0)
    assert v["downstream_text"] == ("The method-level downstream accuracies were not given: this run has no "
                                    "distillation_downstream file, so the section has no table")


def test_a_range_overlapping_the_other_value_is_not_ordered_and_provenance_is_counted(tmp_path):
    v = values(tmp_path, "kd,A,gsm8k,,0.1,0.5,,figure,f", "hybrid,A,gsm8k,0.2,,,,measured,s")
    assert v["downstream_text"] == (
        "The file gives 2 methods and 1 family on 1 task (2 values; 1 read off a figure and 1 measured; 1 value "
        "known only as a range); on gsm8k, kd with A (10\u201350%) and hybrid with A (20%) cannot be ordered: a "
        "range overlaps the other value")


def test_the_eval_set_caveat_names_both_sets_and_says_nothing_when_equal(tmp_path):
    v = values(tmp_path, "kd,A,gsm8k,0.5,,,gsm8k-50,measured,s", "kd,B,gsm8k,0.8,,,gsm8k-1319,measured,s")
    assert v["downstream_eval_set_text"] == (
        "Compared values come from different eval sets: the downstream accuracies on gsm8k (on gsm8k-50 and "
        "gsm8k-1319). Values measured on different eval sets are not directly comparable, so these comparisons "
        "are only indicative.")
    v = values(tmp_path, "kd,A,gsm8k,0.5,,,gsm8k,measured,s", "kd,B,gsm8k,0.8,,,gsm8k,measured,s")
    assert v["downstream_eval_set_text"].startswith("No two downstream accuracies")
    assert v["downstream_text"].endswith("on gsm8k, kd with B is highest (80%) and kd with A lowest (50%)")
