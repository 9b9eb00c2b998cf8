"""Finding 3's sentences (evalpatterns.words.roi): the eval-set caveat when the switch and the baseline were
measured on different eval sets, and none when they were not."""
from __future__ import annotations

from pathlib import Path

from evalpatterns import io
from evalpatterns.findings import roi as finding
from evalpatterns.words import roi as words

DATA = Path(__file__).resolve().parents[1] / "data"


def values(**sets) -> dict:
    df = io.load("roi", DATA / "roi.csv")
    if sets:
        df["eval_set"] = df["approach"].map(sets)
    return words.values(finding.analyse(df))


def test_the_caveat_names_both_eval_sets_of_the_switch_and_the_baseline():
    v = values(**{"DeepSeek-R1-32B baseline": "gsm8k (200)", "Model Switch": "gsm8k (50 of 200)"})
    assert v["n_eval_set_mismatches"] == 1
    assert v["eval_set_caveat_text"] == (
        "Compared values come from different eval sets: Model Switch against DeepSeek-R1-32B baseline (on gsm8k "
        "(50 of 200) and gsm8k (200)). Values measured on different eval sets are not directly comparable, so "
        "these comparisons are only indicative.")
    assert v["verdict_reason_text"].endswith("Model Switch against DeepSeek-R1-32B baseline (on gsm8k (50 of 200) "
                                             "and gsm8k (200))")


NONE = "No two compared values are recorded as measured on different eval sets."


def test_no_caveat_when_the_eval_sets_are_equal_or_absent():
    for v in (values(), values(**{"DeepSeek-R1-32B baseline": "gsm8k", "Model Switch": "gsm8k"})):
        assert (v["n_eval_set_mismatches"], v["eval_set_caveat_text"]) == (0, NONE)
        assert "eval set" not in v["verdict_reason_text"]
