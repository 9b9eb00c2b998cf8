"""The headline checks (evalpatterns.audit.checks_headline): a finding's headline claim is judged by its
computed conclusion."""
from __future__ import annotations


import pytest


from audit_cases import check, mc_ctx, mc_frame, run


@pytest.mark.parametrize("rows, verdict, shown", [
    # the post's three runs: consistent with a threshold, Fisher's p = 1/3: inconclusive, the claim unsupported
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.0, 0), (2, "2e-4", 0.02, 4)], "unsupported", "inconclusive"),
    # converged at 2e-4 above a collapse at 5e-5: no single threshold: contradicted, the claim differs
    ([(4, "5e-6", 0.735, 147), (3, "5e-5", 0.0, 0), (2, "2e-4", 0.7, 140)], "differs", "contradicted"),
    # 4 collapsed above 4 converged: Fisher's p = 2/70 < 0.05: supported, the claim holds
    ([(i, lr, 0.01, 2) for i, lr in enumerate(("1e-4", "2e-4", "5e-4", "1e-3"))]
     + [(i + 4, lr, 0.7, 140) for i, lr in enumerate(("1e-6", "2e-6", "5e-6", "1e-5"))], "holds", "supported"),
])
def test_headline_follows_the_conclusion(tmp_path, rows, verdict, shown):
    row = check("f2-headline", mc_ctx(mc_frame(tmp_path, *[run(*r) for r in rows])))
    assert (row["verdict"], row["recomputed"]) == (verdict, shown)
