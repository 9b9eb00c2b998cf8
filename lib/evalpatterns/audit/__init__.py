"""The audit of the post's quantitative claims: the register and loop (``register``), the verdict rules
(``verdicts``), what a check reads (``context``) and one module of checks per finding (``checks_*``).

``audit.audit(claims, ctx, finding)`` recomputes the claims; each check is also reachable by name, as
``audit.<check name>`` (the names ``data/claims.csv`` uses).
"""
from .context import Context
from .register import COMPUTATIONS, audit, verdict_counts
from .verdicts import VERDICTS, Check, unsupported, verdict

__all__ = ["COMPUTATIONS", "VERDICTS", "Check", "Context", "audit", "unsupported", "verdict", "verdict_counts"]


def __getattr__(name: str):
    if name in COMPUTATIONS:
        return COMPUTATIONS[name]
    raise AttributeError(f"module 'evalpatterns.audit' has no attribute '{name}'")
