"""The check of each finding's headline claim: the finding's own computed conclusion.

``supported`` makes the claim hold, ``contradicted`` makes it differ, ``inconclusive`` leaves it
unsupported; the reason is the conclusion's.
"""
from __future__ import annotations

from ..findings.base import INCONCLUSIVE, SUPPORTED
from .context import Context
from .verdicts import Check, unsupported


def headline(ctx: Context, finding: str) -> Check:
    c = ctx.conclusion(int(finding))
    detail = f"{c.reason} ({c.shown})" if c.statistic is not None else c.reason
    if c.verdict == INCONCLUSIVE:
        return unsupported(detail, shown=c.verdict)
    return Check(shown=c.verdict, reason=detail, flag=c.verdict == SUPPORTED)
