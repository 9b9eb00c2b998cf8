"""The counts and sentence the chapters show of the claims audit (evalpatterns.words.audit)."""
from __future__ import annotations



from evalpatterns import audit
from evalpatterns.words.audit import audit_values

from audit_cases import REGISTER


def test_audit_values_on_real_data(real_audit):
    v = audit_values(real_audit.reset_index(drop=True))
    # 90 claims of the post and the five headline claims, each judged by its finding's conclusion
    assert {k: v[f"claims_{k}"] for k in ("n", "holds", "rounding", "differs", "unsupported")} == {
        "n": 95, "holds": 64, "rounding": 3, "differs": 4, "unsupported": 24}
    assert v["claims_text"] == "Of 95 claims checked, 64 hold, 3 differ only by rounding, 4 differ and 24 are unsupported"
    assert v["claims_title_text"] == "The post's claims, recomputed from its data"
    assert sum(v[f"claims_{k}"] for k in audit.VERDICTS) == v["claims_n"]


def test_audit_values_of_one_finding_with_a_prefix(real_ctx):
    # finding 3: 23 claims; rounding: f3-roi-a1 and f3-size; differs: f3-roi-ratio; unsupported: the baseline
    # threshold and the 3 days; the other 18 hold (the headline among them)
    part = audit.audit(REGISTER, real_ctx, finding=3)
    v = audit_values(part, prefix="f3", own_data=False)
    assert (v["f3_n"], v["f3_holds"], v["f3_rounding"], v["f3_differs"], v["f3_unsupported"]) == (23, 18, 2, 1, 2)
    assert v["f3_text"] == "Of 23 claims checked, 18 hold, 2 differ only by rounding, 1 differs and 2 are unsupported"
    assert v["f3_title_text"] == "The post's claims, tested against this data"
