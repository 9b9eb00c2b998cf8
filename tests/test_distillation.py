"""Finding 4's arithmetic (evalpatterns.distillation) on the real log and on edited copies of it.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments)."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from evalpatterns import distillation
from datafiles import real, unchanged


@pytest.fixture(scope="module")
def log():
    return real("distillation")


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
