"""The verdict rules (evalpatterns.audit.verdicts) on hand-made checks, and the rounding intervals the checks
carry on the real data, worked by hand."""
from __future__ import annotations

import math

import pytest

from evalpatterns import audit


def test_real_rounding_intervals_are_the_hand_worked_ones(real_ctx):
    kl = audit.kl_spike(real_ctx)
    assert kl.low == pytest.approx(5.4453 / 0.0155)   # 351.3
    assert kl.high == pytest.approx(5.4453 / 0.0145)  # 375.5
    size = audit.size_ratio(real_ctx)
    assert size.low == pytest.approx(31.5 / 7.5)      # 4.2
    assert size.high == pytest.approx(32.5 / 6.5)     # 5.0
    a1 = audit.attempt_roi(real_ctx, "Training Attempt 1")
    assert a1.low == pytest.approx(-73.5 / 90)        # 0% - 73.5%, over 2h - 30m
    assert a1.high == pytest.approx(-69.5 / 150)      # 3% - 72.5%, over 2h + 30m
    minutes = audit.training_minutes(real_ctx)
    half = 30 + 0.5 + 0.5 + 0.05                      # 2h to half an hour; 33m, 11m to half a minute; 2.6m to 0.05
    assert (minutes.low, minutes.high) == (pytest.approx(166.6 - half), pytest.approx(166.6 + half))


# --------------------------------------------------------------------------------------------------------------
# verdict() on hand-made checks: the rules themselves
# --------------------------------------------------------------------------------------------------------------

def _claim(kind="value", claimed=38.0, decimals=0, text="38x"):
    return {"kind": kind, "claimed": claimed, "decimals": decimals, "claimed_text": text}


@pytest.mark.parametrize("chk, expected", [
    (audit.Check(38.0), "holds"),
    (audit.Check(38.49), "holds"),          # rounds to 38 at 0 decimals
    (audit.Check(37.5), "holds"),           # round-half-even gives 38 too
    (audit.Check(38.51), "differs"),        # rounds to 39
    (audit.Check(40.0, low=37.0, high=41.0), "rounding"),
    (audit.Check(40.0, low=38.4, high=41.0), "rounding"),   # 38.4 - 0.5 = 37.9 <= 38
    (audit.Check(40.0, low=38.4, high=41.0, matches="x"), "rounding"),
    (audit.Check(40.0, low=38.6, high=41.0), "differs"),    # 38.6 - 0.5 = 38.1 > 38
    (audit.Check(35.0, low=30.0, high=37.5), "rounding"),   # 37.5 + 0.5 >= 38
    (audit.Check(35.0, low=30.0, high=37.4), "differs"),    # 37.4 + 0.5 < 38
    (audit.Check(50.0), "differs"),
    (audit.Check(math.nan), "unsupported"),  # no value recomputed: unsupported, never differs
    (audit.unsupported("no data"), "unsupported"),
])
def test_verdict_rules_for_a_value(chk, expected):
    assert audit.verdict(_claim(), chk)[0] == expected


def test_verdict_reasons():
    assert audit.verdict(_claim(), audit.Check(50.0, reason="r", matches="m")) == \
        ("differs", "r; the claimed number matches m")
    assert audit.verdict(_claim(), audit.Check(40.0, reason="r", low=37, high=41)) == \
        ("rounding", "r; the claimed value is within the rounding of the inputs")
    # a value that cannot be recomputed is unsupported, never "differs" (issue 10)
    assert audit.verdict(_claim(), audit.Check(math.nan)) == ("unsupported", "the data gives no value")


def test_verdict_lower_bounds_are_kept_apart_from_values():
    lb = audit.Check(909.09, lower_bound=True, reason="10,000+ / 11")
    assert audit.verdict(_claim("lower_bound", 909), lb)[0] == "holds"
    v, reason = audit.verdict(_claim("value", 909), lb)
    assert v == "differs" and reason.startswith("the data has only a lower bound")
    v, reason = audit.verdict(_claim("lower_bound", 909), audit.Check(909.09))
    assert v == "differs" and reason.startswith("the data has a measurement, not a lower bound")


def test_verdict_labels_and_statements():
    assert audit.verdict(_claim("label", 1, 0, "Complete"), audit.Check(shown="complete"))[0] == "holds"
    assert audit.verdict(_claim("label", 1, 0, "Complete"), audit.Check(shown="partial"))[0] == "differs"
    for kind in ("statement", "threshold"):
        assert audit.verdict(_claim(kind, 1, 0, "x"), audit.Check(1.0, flag=True))[0] == "holds"
        assert audit.verdict(_claim(kind, 1, 0, "x"), audit.Check(0.0, flag=False))[0] == "differs"
        assert audit.verdict(_claim(kind, 1, 0, "x"), audit.unsupported("u"))[0] == "unsupported"
