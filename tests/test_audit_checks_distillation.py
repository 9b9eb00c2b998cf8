"""Finding 4's checks (evalpatterns.audit.checks_distillation): they read findings.distillation's Result;
the logs are built by tests/distlogs.py."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats as st

from evalpatterns import audit
from evalpatterns.findings import distillation as f4

import distlogs as dl
from audit_cases import MINUS, check
from datafiles import real


# The checks read findings.distillation's Result; the logs are built by tests/distlogs.py.

def f4_ctx(log: pd.DataFrame, **params) -> audit.Context:
    return audit.Context.from_results([f4.analyse(log, f4.Params(**params))])


def gap_runs(gaps, finals) -> pd.DataFrame:
    return dl.log(*[dl.collapsing(f"r{i:03d}", gap=g, before=0.6, after=(e,)) for i, (g, e) in enumerate(zip(gaps, finals))])


@pytest.fixture
def four_runs():
    # gaps 2, 7.5, 20, 70 with eval before 0.40, 0.52, 0.45, 0.27 and lowest after 0.30, 0.06, 0.10, 0.00;
    # Llama's KL 0.02 -> 7.22 = 361x exactly
    return dl.log(dl.collapsing("a", "Tiny", 2, 0.40, (0.35, 0.30), kl=(0.02, 0.2)),
                  dl.collapsing("b", "Qwen", 7.5, 0.52, (0.21, 0.06), kl=(0.02, 0.2)),
                  dl.collapsing("c", "Mid", 20, 0.45, (0.20, 0.10), kl=(0.02, 0.2)),
                  dl.collapsing("d", "Llama", 70, 0.27, (0.0, 0.0), kl=(0.02, 7.22)))


def test_severity_correlation_judged_by_its_one_sided_p_value(four_runs):
    # severity is the relative drop 1 - lowest after / before: 1 - 0.30/0.40 = 0.25, 1 - 0.06/0.52 = 0.885,
    # 1 - 0.10/0.45 = 0.778, 1 - 0/0.27 = 1; ranks 1 3 2 4 against gap ranks 1 2 3 4: d = 0 1 -1 0,
    # rho = 1 - 6 x 2 / (4 x 15) = 0.8 (the final scores 0.30, 0.06, 0.10, 0.00 gave -0.8)
    row = check("f4-correlates", f4_ctx(four_runs, min_correlation_runs=4))
    drops = [1 - 0.30 / 0.40, 1 - 0.06 / 0.52, 1 - 0.10 / 0.45, 1.0]
    rho = st.spearmanr([2, 7.5, 20, 70], drops, alternative="greater")
    assert rho.statistic == pytest.approx(0.8) and row["recomputed_value"] == pytest.approx(0.8)
    assert row["recomputed"] == "Spearman \u03c1 = 0.80"
    # four runs, exact: of the 24 orderings of the drops, 4 give rho >= 0.8 (sum d^2 <= 2): p = 1/6, not significant
    # (scipy's t approximation would give t = 0.8 sqrt(2 / 0.36) = 1.886 on 2 df, p = 0.1)
    assert rho.pvalue == pytest.approx(st.t.sf(0.8 * math.sqrt(2 / 0.36), 2))
    assert row["verdict"] == "differs"
    assert row["reason"] == ("gap against relative drop over 4 runs: one-sided p = 0.17 (exact) for a larger gap "
                             "giving a larger drop")
    # below min_correlation_runs (default 5) the claim is not judged
    row = check("f4-correlates", f4_ctx(four_runs))
    assert (row["verdict"], row["recomputed"]) == ("unsupported", "4 runs")


def test_severity_correlation_holds_when_significant():
    # drops 1 - (0.4, 0.3, 0.2, 0.1, 0.0) / 0.6 rise with the gap: rho = 1 over five runs, exact p = 1/120 < 0.05
    row = check("f4-correlates", f4_ctx(gap_runs([2, 4, 8, 16, 32], [0.4, 0.3, 0.2, 0.1, 0.0])))
    assert (row["verdict"], row["recomputed_value"]) == ("holds", pytest.approx(1.0))


def test_seeds_are_pooled_before_the_correlation_is_judged():
    # the five runs of test_severity_correlation_holds_when_significant, each with a second seed: still five
    # points (conditions), still rho = 1 and p = 1/120, not ten
    runs = [dl.collapsing(f"r{i}-s{s}", gap=g, before=0.6, after=(e,), seed=s)
            for i, (g, e) in enumerate(zip([2, 4, 8, 16, 32], [0.4, 0.3, 0.2, 0.1, 0.0])) for s in (1, 2)]
    row = check("f4-correlates", f4_ctx(dl.log(*runs)))
    assert (row["verdict"], row["recomputed_value"]) == ("holds", pytest.approx(1.0))
    assert row["reason"] == ("gap against relative drop over 5 conditions (seeds pooled to their mean): one-sided "
                             "p = 0.0083 (exact) for a larger gap giving a larger drop")
    row = check("f4-correlates", f4_ctx(dl.log(*runs[:8])))  # 4 conditions: fewer than 5
    assert (row["verdict"], row["recomputed"]) == ("unsupported", "4 conditions")


def test_a_tiny_positive_rho_over_many_runs_does_not_hold():
    gaps = list(range(1, 121))
    row = check("f4-correlates", f4_ctx(gap_runs(gaps, [((i * 17) % 121) / 1000 for i in gaps])))
    assert row["recomputed"] == "Spearman \u03c1 = 0.01"
    assert row["verdict"] == "differs" and "one-sided p = 0.45 (t approximation)" in row["reason"]


def test_severity_correlation_differs_when_the_drop_shrinks_with_the_gap():
    row = check("f4-correlates", f4_ctx(gap_runs([2, 7.5, 70], [0.0, 0.1, 0.2]), min_correlation_runs=3))
    assert row["recomputed_value"] == pytest.approx(-1.0)  # drops 1, 0.833, 0.667 in the order of the gaps
    assert row["verdict"] == "differs"


def test_kl_spike_holds_and_transition_and_severities(four_runs):
    ctx = f4_ctx(four_runs)
    spike = check("f4-kl-spike", ctx)
    assert (spike["verdict"], spike["recomputed_value"]) == ("holds", pytest.approx(361.0))  # 7.22 / 0.02
    assert check("f4-transition", ctx)["verdict"] == "holds"          # step 50 in every run
    assert check("f4-severity-llama", ctx)["recomputed"] == "Complete"  # 0.0, 0.0 <= 0.01
    assert check("f4-severity-qwen", ctx)["recomputed"] == "Partial"    # 0.06 < 0.52 x 0.75 = 0.39
    assert check("f4-spike-at-transition", ctx)["verdict"] == "holds"
    # d complete; b and c partial (0.06 < 0.39, 0.10 < 0.45 x 0.75 = 0.3375); a not (0.30 is not below 0.30)
    assert check("f4-headline", ctx)["verdict"] == "holds"


def test_families_match_without_regard_to_case():
    ctx = f4_ctx(dl.log(dl.collapsing("x", "llama", 70, 0.27, (0.0, 0.0)), dl.collapsing("y", "QWEN", 7.5, 0.5, (0.2,))))
    assert check("f4-severity-llama", ctx)["verdict"] == "holds"
    assert check("f4-gap-qwen", ctx)["verdict"] == "holds"
    assert "x" in check("f4-result-llama", ctx)["reason"]


def test_a_severity_not_judged_leaves_the_claim_unsupported():
    # Llama at 0.005 <= 0.01 before its switch: "already collapsed", not the post's "Complete"
    ctx = f4_ctx(dl.log(dl.collapsing("x", "Llama", 70, 0.005, (0.0, 0.0)), dl.collapsing("y", "Qwen", 7.5, None)))
    llama, qwen = check("f4-severity-llama", ctx), check("f4-severity-qwen", ctx)
    assert (llama["verdict"], llama["recomputed"]) == ("unsupported", "Already collapsed")
    assert "x was already at or below 0.01 before its transition, so its severity cannot be told" in llama["reason"]
    assert (qwen["verdict"], qwen["recomputed"]) == ("unsupported", "No eval before")
    assert "y logs no eval score before its transition" in qwen["reason"]


def test_kl_at_the_transition_is_found_without_a_kl_before_it():
    # KL logged at step 50 only: the KL at the transition is known (not "no KL logged at a transition"); no ratio
    ctx = f4_ctx(dl.log(dl.run("solo", "Llama", 70, off=((40, None, 0.27),), on=((50, 5.4453, 0.0), (60, None, 0.0)))))
    at = check("f4-kl-at", ctx)
    assert (at["verdict"], at["recomputed"]) == ("holds", "5.4453")
    spike = check("f4-kl-spike", ctx)
    assert spike["verdict"] == "unsupported" and "the KL before it is not logged" in spike["reason"]
    assert check("f4-kl-before", ctx)["reason"] == "no off-policy KL is logged before the transition of solo"
    # a single KL value in the run: nothing to compare, no crash
    row = check("f4-spike-at-transition", ctx)
    assert row["verdict"] == "unsupported"


def test_spike_is_judged_at_the_transition_not_on_a_later_fall():
    # KL 0.02 -> 0.5 at step 50, then falls: the jump at the transition is the largest rise; a run logging KL only
    # after its transition is not judged at all
    ctx = f4_ctx(dl.log(dl.collapsing("a"), dl.run("b", off=((40, None, 0.4),), on=((50, 0.5, 0.0), (60, 0.4, 0.0)))))
    row = check("f4-spike-at-transition", ctx)
    assert (row["verdict"], row["recomputed"]) == ("holds", "1 of 1 run")
    # a later rise larger than the jump at the transition makes it differ
    ctx = f4_ctx(dl.log(dl.run("c", off=((40, 0.1, 0.4),), on=((50, 0.2, 0.0), (60, 1.0, 0.0)))))
    assert check("f4-spike-at-transition", ctx)["verdict"] == "differs"


def test_severity_follows_its_parameters():
    # real Qwen: highest eval after the transition 0.211; with "complete" at <= 0.25 it counts as complete
    row = check("f4-severity-qwen", f4_ctx(real("distillation"), complete_below=0.25))
    assert (row["verdict"], row["recomputed"]) == ("differs", "Complete")
    # and with partial meaning a 95% drop (0.057 is not below 0.518 x 0.05 = 0.0259) Qwen shows no collapse
    row = check("f4-severity-qwen", f4_ctx(real("distillation"), partial_drop=0.95))
    assert (row["verdict"], row["recomputed"]) == ("differs", "None")
