"""Finding 2's checks (evalpatterns.audit.checks_collapse): on the real data and on small mode-collapse data
sets that produce each verdict on purpose."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from evalpatterns import audit

from audit_cases import check, claim, mc_ctx, mc_frame, run
from datafiles import DATA, real


def test_real_lr_credit_lists_every_other_changed_setting(real_audit):
    # attempt 3 (5e-5) against attempt 4 (5e-6): rank 64 / 32, samples 6000 / 100, alpha 128 / 32, RSLoRA
    # true / false, epochs 1 / 5, batch 16 / 1. Dropout is known only for attempt 4 and target modules for
    # neither, so neither is a recorded change.
    reason = real_audit.loc["f2-lr-credit", "reason"]
    assert reason == ("between the runs at 5e-6 and 5e-5, LoRA rank, training samples, LoRA alpha, RSLoRA, "
                      "epochs, effective batch size changed too")
    assert "dropout" not in reason and "target modules" not in reason


def test_lr_bracket_has_no_rounding_interval(real_ctx):
    """Learning rates are settings typed exactly (5e-5 is 5e-5, not 4.5e-5 .. 5.5e-5), so the bracket ratio
    5e-5 / 5e-6 = 10 carries no rounding interval, and a "14x" claim simply differs."""
    b = audit.lr_bracket_ratio(real_ctx)
    assert b.value == pytest.approx(10.0)
    assert math.isnan(b.low) and math.isnan(b.high)
    assert audit.verdict(claim("f2-10x", claimed=14.0, claimed_text="14x"), b)[0] == "differs"


def test_lr_credit_holds_when_only_the_learning_rate_changed(tmp_path):
    # the bracketing runs (5e-6 converged, 5e-5 collapsed) share every setting; the 2e-4 run's rank 128 is
    # outside the bracket and is not a confound of it
    mc = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(3, "5e-5", 0.0, 0, "10000000"),
                  run(2, "2e-4", 0.02, 4, "10000000", rank=128))
    row = check("f2-lr-credit", mc_ctx(mc))
    assert row["verdict"] == "holds"
    assert row["recomputed"] == "only the learning rate changed"


def test_lr_credit_names_the_one_confound(tmp_path):
    mc = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(3, "5e-5", 0.0, 0, "10000000", rank=64))
    row = check("f2-lr-credit", mc_ctx(mc))
    assert row["verdict"] == "unsupported"
    assert row["reason"] == "between the runs at 5e-6 and 5e-5, LoRA rank changed too"


def test_lr_credit_without_a_bracket_is_unsupported(tmp_path):
    mc = mc_frame(tmp_path, run(3, "5e-5", 0.0, 0, "10000000"), run(2, "2e-4", 0.02, 4, "10000000"))
    row = check("f2-lr-credit", mc_ctx(mc))
    assert row["verdict"] == "unsupported"
    assert row["reason"] == "no pair of a converged and a collapsed run"
    assert check("f2-10x", mc_ctx(mc))["verdict"] == "unsupported"
    assert check("f2-binary", mc_ctx(mc))["verdict"] == "unsupported"


@pytest.mark.parametrize("converged_lr, verdict, ratio", [
    ("5e-6", "holds", 10.0),     # 5e-5 / 5e-6
    ("1e-5", "differs", 5.0),    # 5e-5 / 1e-5 = 5 (rates are exact settings: no rounding interval)
    ("2e-6", "differs", 25.0),   # 5e-5 / 2e-6 = 25
])
def test_lr_bracket_ratio_each_verdict(tmp_path, converged_lr, verdict, ratio):
    mc = mc_frame(tmp_path, run(4, converged_lr, 0.735, 147), run(3, "5e-5", 0.0, 0, "10000000"))
    row = check("f2-10x", mc_ctx(mc))
    assert row["verdict"] == verdict
    assert row["recomputed_value"] == pytest.approx(ratio)


def test_collapse_binary_intermediate_run_inside_the_bracket_makes_the_claim_differ(tmp_path):
    """Bug: collapse_binary can never find a run inside the bracket. The bracket is (largest converged rate,
    smallest collapsed rate) and every run with an accuracy is either converged or collapsed, so no run can
    lie strictly between them: ``inside`` is always empty and the verdict always unsupported; the ``gradual``
    branch is dead code.

    Here 2e-5 reached 30%: above the 10% collapse line and below half of the converged 73.5% (36.75%), an
    intermediate accuracy between a converged rate (5e-6) and a collapsed one (5e-5): gradual degradation,
    which contradicts "binary, not gradual"."""
    mc = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(5, "2e-5", 0.30, 60),
                  run(3, "5e-5", 0.0, 0, "10000000"), run(2, "2e-4", 0.02, 4, "10000000"))
    row = check("f2-binary", mc_ctx(mc))
    assert row["verdict"] == "differs", row["reason"]
    assert row["recomputed"] == "gradual"


@pytest.mark.parametrize("acc, k", [(0.72, 144), (0.01, 2)])
def test_collapse_binary_clean_run_inside_the_gap_is_not_gradual(tmp_path, acc, k):
    # a run at 2e-5 that converged (72%) or collapsed (1%): nothing at an intermediate accuracy, so the data
    # never contradicts "binary"; whether a 2.5x bracket is fine enough to confirm it is the library's call
    mc = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(5, "2e-5", acc, k),
                  run(3, "5e-5", 0.0, 0, "10000000"))
    row = check("f2-binary", mc_ctx(mc))
    assert row["verdict"] in ("holds", "unsupported")
    assert row["recomputed"] != "gradual"


@pytest.mark.parametrize("params, verdict, shown", [
    ({}, "holds", "complete"),                              # 2% <= 5% and one repeated output
    ({"complete_accuracy": 0.01}, "differs", "partial"),    # 2% > 1%: collapsed (<= 10%) but not complete
    ({"complete_accuracy": 0.02}, "holds", "complete"),     # 2% <= 2%
    ({"collapse_accuracy": 0.01, "complete_accuracy": 0.01}, "differs", "none"),  # 2% > 1%: not collapsed
])
def test_complete_versus_partial_collapse_follows_its_parameter(params, verdict, shown):
    ctx = mc_ctx(real("mode_collapse"), **params)
    row = check("f2-complete", ctx, args="attempt=2")
    assert row["verdict"] == verdict
    assert row["recomputed"] == shown
    limit = params.get("complete_accuracy", 0.05)
    assert f"the complete-collapse limit {100 * limit:g}%" in row["reason"]


def test_a_run_ending_at_zero_is_a_complete_collapse_without_a_repeated_output(tmp_path):
    """Complete collapse as the datasheet defines it: accuracy at or below complete_accuracy; a run ending at
    0.000 meets it whatever else is recorded, and is never labelled partial (a reported defect)."""
    mc = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(3, "5e-5", 0.0, 0, ""))
    for params in ({}, {"complete_accuracy": 0.0}):
        row = check("f2-complete", mc_ctx(mc, **params))
        assert (row["verdict"], row["recomputed"]) == ("holds", "complete")
        assert "no single repeated output recorded" in row["reason"]


def test_datasheet_defines_complete_collapse_so_that_zero_meets_it():
    sheet = (DATA / "README.md").read_text()
    assert "**Complete collapse**: a collapsed run whose accuracy" in sheet
    assert "An accuracy of 0 (0.000) is always a complete collapse" in sheet


@pytest.mark.parametrize("low, high, verdict, shown, reason", [
    (0.0, 0.03, "holds", "YES", "accuracy 0\u20133% <= 10%"),     # high end 3% <= 10%: collapsed
    (0.05, 0.30, "unsupported", "unknown", "straddles the collapse line 10%"),  # across 10%: unknown
])
def test_a_range_only_attempt_is_kept_and_judged_by_its_range(tmp_path, low, high, verdict, shown, reason):
    mc = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(3, "5e-5", 0.0, 0, "10000000"))
    mc = pd.concat([mc, mc.iloc[[1]].assign(attempt=2, learning_rate=2e-4, accuracy=float("nan"),
                                             accuracy_low=low, accuracy_high=high, n_correct=pd.NA, n_eval=pd.NA)],
                   ignore_index=True)
    row = check("f2-a2-collapsed", mc_ctx(mc))
    assert (row["verdict"], row["recomputed"]) == (verdict, shown)
    assert reason in row["reason"]
    acc = check("f2-a2-acc", mc_ctx(mc))
    assert acc["verdict"] == "unsupported" and "known only as the range" in acc["reason"]


def test_collapsed_label_follows_the_collapse_parameter():
    ctx = mc_ctx(real("mode_collapse"), collapse_accuracy=0.01)
    row = check("f2-a2-collapsed", ctx)  # 2% > 1%
    assert (row["verdict"], row["recomputed"]) == ("differs", "NO")
    assert row["reason"] == "accuracy 2% > 1%"


@pytest.mark.parametrize("rows, verdict, shown", [
    # 73.5% (5e-6), 0.5% (5e-5, 1/200), 1% (2e-4, 2/200): Wilson 1/200 = 0.09% .. 2.78% holds 1%, and
    # 2/200 = 0.27% .. 3.57% holds 0.5%: the only rise is within noise
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.005, 1), (2, "2e-4", 0.01, 2)], "unsupported", "within noise"),
    # 73.5%, 0%, 2%: the intervals of 0/200 (to 1.88%) and 4/200 (from 0.78%) do not overlap, but Fisher's exact
    # test gives p = 0.12: the rise is not told from noise (interval overlap alone would call it non-monotonic)
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.0, 0), (2, "2e-4", 0.02, 4)], "unsupported", "within noise"),
    # 73.5%, 0%, 20%: 0/200 against 40/200, Fisher's p < 0.0001, and the fall 147/200 -> 0/200 too: non-monotonic
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.0, 0), (2, "2e-4", 0.2, 40)], "holds", "non-monotonic"),
    # 73.5%, 2%, 0%: accuracy only falls as the rate grows
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.02, 4), (2, "2e-4", 0.0, 0)], "differs", "monotonic"),
    # two runs are too few to tell
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.0, 0)], "unsupported", "cannot be computed"),
])
def test_nonmonotonic_each_verdict(tmp_path, rows, verdict, shown):
    mc = mc_frame(tmp_path, *[run(*r) for r in rows])
    row = check("f2-nonmonotonic", mc_ctx(mc))
    assert (row["verdict"], row["recomputed"]) == (verdict, shown)


def test_collapsed_span(tmp_path):
    one = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(3, "5e-5", 0.0, 0))
    assert check("f2-4x", mc_ctx(one))["verdict"] == "unsupported"  # one collapsed run
    three = mc_frame(tmp_path, run(4, "5e-6", 0.735, 147), run(3, "5e-5", 0.0, 0), run(2, "1e-4", 0.0, 0))
    row = check("f2-4x", mc_ctx(three))
    assert (row["verdict"], row["recomputed_value"]) == ("differs", pytest.approx(2.0))  # 1e-4 / 5e-5
