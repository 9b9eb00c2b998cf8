"""The register of the post's claims (evalpatterns.audit.register): every claim names a computation that
accepts its arguments, and the audit on the real data gives each claim the verdict, value and reason worked by
hand in tests/audit_cases.py (REAL, REASON_WORDS); verdict counts; auditing one finding; missing data."""
from __future__ import annotations

import inspect
import math

import pandas as pd
import pytest

from evalpatterns import audit

from audit_cases import REAL, REASON_WORDS, REGISTER, audit_one, claim, roi_ctx
from datafiles import real


def test_every_claim_names_an_existing_computation_whose_arguments_are_accepted():
    assert len(REGISTER) == 95  # the post's 90 claims and its five headlines
    assert REGISTER["id"].is_unique
    for row in REGISTER.itertuples():
        fn = audit.COMPUTATIONS.get(row.computation)
        assert fn is not None, f"{row.id}: no computation {row.computation!r}"
        args = audit.register._args(row.args)
        inspect.signature(fn).bind(None, **args)  # raises TypeError when an argument is not accepted
        assert all(isinstance(v, str) and v for v in args.values()), row.id


def test_args_parsing():
    assert audit.register._args(float("nan")) == {}
    assert audit.register._args(None) == {}
    assert audit.register._args("  ") == {}
    assert audit.register._args("method=rl_step;n=100") == {"method": "rl_step", "n": "100"}
    # only the first '=' splits: a value may hold one
    assert audit.register._args("what=a=b") == {"what": "a=b"}


def test_computations_registry_is_every_check_function():
    for name, fn in audit.COMPUTATIONS.items():
        assert fn.__name__ == name
        assert list(inspect.signature(fn).parameters)[0] == "ctx"


def test_real_audit_shape_and_verdict_vocabulary(real_audit):
    assert list(real_audit.columns) == ["id", "finding", "source", "quote", "claimed", "claimed_value",
                                        "recomputed", "recomputed_value", "verdict", "reason"]
    assert len(real_audit) == len(REGISTER)
    assert list(real_audit["id"]) == list(REGISTER["id"])
    assert set(real_audit["verdict"]) <= set(audit.VERDICTS)
    assert audit.VERDICTS == ("holds", "rounding", "differs", "unsupported")
    # every claim carries a reason in words (nothing is left blank)
    assert (real_audit["reason"].str.len() > 0).all()


def test_verdict_counts_on_real_data(real_audit):
    counts = audit.verdict_counts(real_audit)
    assert list(counts.columns) == ["Verdict", "Claims"]
    assert list(counts["Verdict"]) == list(audit.VERDICTS)
    assert int(counts["Claims"].sum()) == len(REGISTER) == 95
    # the tally of REAL below, claim by claim: 64 hold, 3 differ by rounding, 4 differ, 24 unsupported
    expected = pd.Series([r[1] for r in REAL]).value_counts().to_dict()
    assert expected == {"holds": 64, "rounding": 3, "differs": 4, "unsupported": 24}
    assert dict(zip(counts["Verdict"], counts["Claims"])) == expected


def test_verdict_counts_lists_every_verdict_with_zeros():
    counts = audit.verdict_counts(pd.DataFrame({"verdict": ["holds", "holds", "unsupported"]}))
    assert list(counts["Verdict"]) == list(audit.VERDICTS)
    assert list(counts["Claims"]) == [2, 0, 0, 1]
    empty = audit.verdict_counts(pd.DataFrame({"verdict": pd.Series([], dtype=object)}))
    assert list(empty["Claims"]) == [0, 0, 0, 0]


def test_real_table_covers_every_claim():
    assert [r[0] for r in REAL] == list(REGISTER["id"])


@pytest.mark.parametrize("claim_id, verdict, value, shown", REAL, ids=[r[0] for r in REAL])
def test_real_claim_verdict_and_value(real_audit, claim_id, verdict, value, shown):
    row = real_audit.loc[claim_id]
    assert row["verdict"] == verdict, row["reason"]
    if math.isnan(value):
        assert math.isnan(row["recomputed_value"])
    else:
        assert row["recomputed_value"] == pytest.approx(value, rel=1e-9, abs=1e-12)
    assert row["recomputed"] == shown


@pytest.mark.parametrize("claim_id, words", REASON_WORDS)
def test_real_claim_reason_names_its_arithmetic(real_audit, claim_id, words):
    reason = real_audit.loc[claim_id, "reason"]
    for w in words:
        assert w in reason, (w, reason)


def test_audit_of_one_finding_and_missing_data(real_ctx):
    part = audit.audit(REGISTER, real_ctx, finding=3)
    assert set(part["finding"]) == {3}
    assert len(part) == int((REGISTER["finding"] == 3).sum()) == 23
    # a context with only the ROI data: finding 3 is audited as with everything, the rest is unsupported
    only_roi = audit.audit(REGISTER, roi_ctx(real("roi")))
    full = audit.audit(REGISTER, real_ctx)
    f3 = only_roi["finding"] == 3
    assert list(only_roi.loc[f3, "verdict"]) == list(full.loc[f3, "verdict"])
    assert (only_roi.loc[~f3, "verdict"] == "unsupported").all()
    assert only_roi.loc[only_roi["id"] == "f1-so-3b", "reason"].iloc[0] == \
        "the data this needs is not available (KeyError)"  # no result of Finding 1 in the context


def test_unknown_computation_is_unsupported(real_ctx):
    row = audit_one(claim("f3-qwen", computation="no_such_thing"), real_ctx)
    assert row["verdict"] == "unsupported"
    assert row["reason"] == "no computation named no_such_thing"
