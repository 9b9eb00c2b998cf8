"""Finding 4's arithmetic (evalpatterns.distillation) on the real log and on edited copies of it.

Expected numbers are worked by hand from the post / meta-analysis (the arithmetic is in the comments)."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from evalpatterns import distillation
import distlogs as dl
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


@pytest.mark.parametrize("before, after, severity", [
    (0.000, (0.000, 0.000), "already collapsed"),  # at zero before the switch: nothing fell at it
    (0.005, (0.004,), "already collapsed"),        # 0.005 <= 0.01 before: not a collapse at the transition
    (0.010, (0.000,), "already collapsed"),        # "at or below": 0.010 is the threshold itself
    (0.011, (0.000,), "complete"),                 # above 0.01 before, every score after at or below it
    (None, (0.000,), "no eval before"),            # at zero after, but no score before to fall from
    (None, (0.400,), "no eval before"),            # was "none" (NaN < x is False) and judged
    (0.400, (None,), "no eval"),
])
def test_severity_needs_a_score_above_the_threshold_before_the_switch(before, after, severity):
    run = dl.log(dl.collapsing("a", before=before, after=after))
    assert distillation.transitions(run).iloc[0]["severity"] == severity
    # the reference definition, which the fast path must agree with, gives the same
    assert distillation._transitions_reference(run, 0.01, 0.25).iloc[0]["severity"] == severity
    assert (severity in distillation.JUDGED) == (severity == "complete")


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


# -- seeds pooled by condition ---------------------------------------------------------------------------------

def _judged_runs(rows):
    """Judged runs as distillation.transitions gives them: (run, family, gap, eval_before, eval_after_min,
    severity)."""
    t = pd.DataFrame(rows, columns=["run", "family", "gap", "eval_before", "eval_after_min", "severity"])
    return t.assign(student=t["family"] + " S", teacher=t["family"] + " T",
                    eval_drop=t["eval_before"] - t["eval_after_min"])


def test_relative_drop_of_the_real_log(log):
    t = distillation.transitions(log).set_index("run")
    drop = distillation.relative_drop(t)
    # Llama: 1 - 0.000 / 0.266 = 1; Qwen: 1 - 0.057 / 0.518 = 0.88996
    assert drop["llama-hybrid-seed8"] == pytest.approx(1.0)
    assert drop["qwen-hybrid"] == pytest.approx(1 - 0.057 / 0.518)
    # no score before, or a score before of 0: no relative drop
    none = _judged_runs([("a", "F", 2, np.nan, 0.1, "none"), ("b", "F", 2, 0.0, 0.0, "complete")])
    assert distillation.relative_drop(none).isna().all()


def test_conditions_mean_and_t_interval_by_hand():
    from scipy import stats

    runs = _judged_runs([
        ("a1", "A", 10, 0.5, 0.10, "partial"), ("a2", "A", 10, 0.5, 0.05, "partial"),   # drops 0.8, 0.9
        ("a3", "A", 10, 0.5, 0.00, "complete"),                                          # drop 1.0
        ("b1", "B", 2, 0.4, 0.36, "none"), ("b2", "B", 2, 0.4, 0.28, "partial"),         # drops 0.1, 0.3
        ("c1", "C", 5, 0.6, 0.30, "partial"),                                            # drop 0.5, one seed
    ])
    labels = pd.DataFrame({"run": runs["run"], "method": None,
                           "status": ["measured", "figure", "measured", "measured", "measured", "pending"]})
    cond = distillation.conditions(runs, labels).set_index("family")
    assert cond.index.tolist() == ["A", "C", "B"]  # by gap, largest first
    assert cond["n_seeds"].tolist() == [3, 1, 2] and cond["n_drops"].tolist() == [3, 1, 2]
    # A: mean 0.9, SD 0.1, t(0.975, 2) = 4.3027: 0.9 -/+ 4.3027 x 0.1 / sqrt(3) = 0.6516 to 1.1484
    a = cond.loc["A"]
    assert a["mean_drop"] == pytest.approx(0.9) and a["sd_drop"] == pytest.approx(0.1)
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(0.65159, abs=1e-5), pytest.approx(1.14841, abs=1e-5))
    low, high = stats.t.interval(0.95, 2, loc=0.9, scale=stats.sem([0.8, 0.9, 1.0]))
    assert (a["ci_low"], a["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # B: mean 0.2, SD 0.1414, t(0.975, 1) = 12.706: 0.2 -/+ 12.706 x 0.1414 / sqrt(2) = 0.2 -/+ 1.2706
    b = cond.loc["B"]
    assert (b["mean_drop"], b["ci_low"], b["ci_high"]) == (pytest.approx(0.2), pytest.approx(-1.07062, abs=1e-5),
                                                           pytest.approx(1.47062, abs=1e-5))
    # C: one seed, no interval
    assert cond.loc["C", "mean_drop"] == pytest.approx(0.5) and np.isnan(cond.loc["C", "ci_low"])
    assert cond["n_complete"].tolist() == [1, 0, 0] and cond["n_partial"].tolist() == [2, 1, 1]
    # the least certain status of each condition's runs
    assert cond["status"].tolist() == ["figure", "pending", "measured"]


def test_run_labels_take_the_least_certain_status_and_the_method():
    log = pd.DataFrame({"run": ["x", "x", "y", "y", "z"], "status": ["measured", "illustrative", "figure", "measured",
                                                                    "measured"],
                        "method": ["hybrid", "hybrid", None, None, "kd"]})
    labels = distillation.run_labels(log).set_index("run")
    assert labels["status"].to_dict() == {"x": "illustrative", "y": "figure", "z": "measured"}
    assert labels["method"].to_dict() == {"x": "hybrid", "y": None, "z": "kd"}
    without = distillation.run_labels(log.drop(columns="method"))
    assert without["method"].isna().all() and without["status"].tolist() == ["illustrative", "figure", "measured"]
