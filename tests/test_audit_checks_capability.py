"""Finding 1's checks (evalpatterns.audit.checks_capability): they read the finding's result, on the real
data and on small capability data sets."""
from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from evalpatterns import audit
from evalpatterns.findings import capability as cap_finding

from audit_cases import REAL, REASON_WORDS, audit_one, check, claim
from datafiles import load_text, real


CAP_HEADER = "project,task,params_b,stage,value,scale_max,status,source\n"


def cap_ctx(cap: pd.DataFrame, **params) -> audit.Context:
    """The audit's context on Finding 1's result for ``cap`` (the checks read that result, nothing else)."""
    return audit.Context.from_results([cap_finding.analyse(cap, cap_finding.Params(**params))])


@pytest.mark.parametrize("claim_id, verdict, value, shown", [r for r in REAL if r[0].startswith("f1-")],
                         ids=[r[0] for r in REAL if r[0].startswith("f1-")])
def test_real_capability_claims_on_the_findings_result(claim_id, verdict, value, shown):
    row = check(claim_id, cap_ctx(real("capability")))
    assert (row["verdict"], row["recomputed"]) == (verdict, shown), row["reason"]
    if math.isnan(value):
        assert math.isnan(row["recomputed_value"])
    else:
        assert row["recomputed_value"] == pytest.approx(value, rel=1e-9)
    for claim_id_, words in REASON_WORDS:
        if claim_id_ == claim_id:
            assert all(w in row["reason"] for w in words), (words, row["reason"])


@pytest.mark.parametrize("b_at_3, verdict", [(0.2, "holds"), (0.6, "differs")])
def test_capability_threshold_decidable_with_two_tasks(tmp_path, b_at_3, verdict):
    # task A: 30% at 3B, 90% at 8B; task B: 20% (or 60%) at 3B, 80% at 8B; a measured 1B row too.
    # both fail below half marks at 3B and pass at 8B -> holds; B passing at 3B -> 1 of 2 -> differs
    cap = load_text(tmp_path, "capability", CAP_HEADER + "P,A,1,base,0.1,1,measured,s\nP,A,3,base,0.3,1,measured,s\n"
                    f"P,A,8,base,0.9,1,measured,s\nP,B,3,base,{b_at_3},1,measured,s\nP,B,8,base,0.8,1,measured,s\n")
    row = check("f1-threshold", cap_ctx(cap))
    assert row["verdict"] == verdict
    assert row["recomputed"] == ("2 of 2 tasks" if verdict == "holds" else "1 of 2 tasks")


def test_capability_threshold_counts_task_stage_pairs_where_a_task_is_compared_twice(tmp_path):
    # A at 3B and 8B before (0.3 -> 0.9) and after training (0.4 -> 0.95): two pairs; B (0.6 -> 0.8): a third
    cap = load_text(tmp_path, "capability", CAP_HEADER + "P,A,1,base,0.1,1,measured,s\nP,A,3,base,0.3,1,measured,s\n"
                    "P,A,8,base,0.9,1,measured,s\nP,A,3,trained,0.4,1,measured,s\nP,A,8,trained,0.95,1,measured,s\n"
                    "P,B,3,base,0.6,1,measured,s\nP,B,8,base,0.8,1,measured,s\n")
    assert check("f1-threshold", cap_ctx(cap))["recomputed"] == "2 of 3 task-stage pairs"


def test_capability_checks_read_the_result_not_their_own_computation(tmp_path):
    cap = load_text(tmp_path, "capability", CAP_HEADER + "P,A,1,base,0.1,1,measured,s\nP,A,3,base,0.3,1,measured,s\n"
                    "P,A,8,base,0.9,1,measured,s\nP,B,3,base,0.2,1,measured,s\nP,B,8,base,0.8,1,measured,s\n")
    result = cap_finding.analyse(cap)
    # a result whose gaps say task B has no cliff: the threshold check follows the result
    edited = dataclasses.replace(result, gaps=result.gaps.assign(cliff=result.gaps["task"].eq("A")))
    row = audit_one(claim("f1-threshold"), audit.Context.from_results([edited]))
    assert (row["verdict"], row["recomputed"]) == ("differs", "1 of 2 tasks")
    # the finding's own sizes (1B and 3B here), not defaults: A's gap is 100 (0.3 - 0.1) = 20 points
    row = check("f1-gap", cap_ctx(cap, small_b=1.0, large_b=3.0), args="task=A")
    assert row["recomputed_value"] == pytest.approx(20.0) and "3B is better" in row["reason"]


@pytest.mark.parametrize("trained, verdict, value", [
    (0.37, "holds", 17.0),                 # 54 - 37 = 17 points: "17%" of a percentage is points
    (0.4482, "differs", 100 * (0.54 - 0.4482)),  # 9.18 points
    (0.71, "differs", -17.0),              # training improved it by 17 points: a regression of -17
])
def test_training_regression_in_points(tmp_path, trained, verdict, value):
    cap = load_text(tmp_path, "capability", CAP_HEADER + "P,Character distillation,3,base,0.54,1,measured,s\n"
                    f"P,Character distillation,3,trained,{trained},1,measured,s\n")
    row = check("f1-regression", cap_ctx(cap))
    assert row["verdict"] == verdict
    assert row["recomputed_value"] == pytest.approx(value)


@pytest.mark.parametrize("trained, verdict, value", [
    # (0.54 - 0.4482) / 0.54 = 17.0% relative: a claim marked unit=relative holds
    (0.4482, "holds", 100 * (0.54 - 0.4482) / 0.54),
    (0.37, "differs", 100 * 17 / 54),       # 31.5%
])
def test_training_regression_relative_when_the_claim_says_so(tmp_path, trained, verdict, value):
    cap = load_text(tmp_path, "capability", CAP_HEADER + "P,Character distillation,3,base,0.54,1,measured,s\n"
                    f"P,Character distillation,3,trained,{trained},1,measured,s\n")
    row = check("f1-regression", cap_ctx(cap), args="task=Character distillation;params_b=3;unit=relative")
    assert row["verdict"] == verdict
    assert row["recomputed_value"] == pytest.approx(value)


def test_training_regression_follows_the_direction_of_better(tmp_path):
    # a break rate (lower is better) rising from 20% to 37% is a 17-point regression
    cap = load_text(tmp_path, "capability", "project,task,params_b,stage,value,scale_max,higher_is_better,status,"
                    "source\nP,Break,3,base,0.20,1,false,measured,s\nP,Break,3,trained,0.37,1,false,measured,s\n")
    row = check("f1-regression", cap_ctx(cap), args="task=Break;params_b=3")
    assert (row["verdict"], row["recomputed_value"]) == ("holds", pytest.approx(17.0))


def test_capability_value_of_a_figure_row_is_unsupported_with_the_value_shown(tmp_path):
    cap = load_text(tmp_path, "capability", CAP_HEADER + "P,Structured output (judging),3,base,0.4,1,figure,s\n")
    row = check("f1-so-3b", cap_ctx(cap))
    assert row["verdict"] == "unsupported"
    assert row["recomputed_value"] == pytest.approx(40.0)
    assert row["reason"] == "the value is figure, not a measurement"
