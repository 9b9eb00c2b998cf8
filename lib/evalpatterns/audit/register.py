"""The claims register and the audit loop.

``data/claims.csv`` registers each claim of the post (quote, claimed value, its precision, and the name of
the check that recomputes it). :func:`audit` runs every claim of a finding on the data at hand and returns
claim, claimed, recomputed, verdict and a one-line reason, all computed. Nothing is typed per claim except
in ``claims.csv``; re-run on other data, every verdict is recomputed.
"""
from __future__ import annotations

import math
from typing import Callable

import pandas as pd

from . import (checks_capability, checks_collapse, checks_distillation, checks_headline, checks_memorization,
               checks_roi)
from .context import Context
from .verdicts import VERDICTS, Check, unsupported, verdict

CHECK_MODULES = (checks_headline, checks_capability, checks_collapse, checks_roi, checks_distillation, checks_memorization)


def _checks() -> dict[str, Callable[..., Check]]:
    found = {}
    for module in CHECK_MODULES:
        for name, fn in vars(module).items():
            if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", "") == module.__name__:
                found[name] = fn
    return found


COMPUTATIONS: dict[str, Callable[..., Check]] = _checks()


def _args(text) -> dict:
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return {}
    return dict(part.split("=", 1) for part in str(text).split(";"))


def audit(claims: pd.DataFrame, ctx: Context, finding: int | None = None) -> pd.DataFrame:
    """Recompute every claim (of one finding, or all) and give each its verdict and reason."""
    rows = []
    part = claims if finding is None else claims[claims["finding"] == finding]
    for _, c in part.iterrows():
        fn = COMPUTATIONS.get(c["computation"])
        if fn is None:
            check = unsupported(f"no computation named {c['computation']}")
        else:
            try:
                check = fn(ctx, **_args(c["args"]))
            except (TypeError, KeyError, AttributeError) as exc:  # the data for this finding is absent
                check = unsupported(f"the data this needs is not available ({type(exc).__name__})")
        v, reason = verdict(c, check)
        rows.append({"id": c["id"], "finding": int(c["finding"]), "source": c["source"], "quote": c["quote"],
                     "claimed": c["claimed_text"], "claimed_value": float(c["claimed"]),
                     "recomputed": check.shown, "recomputed_value": check.value, "verdict": v, "reason": reason})
    return pd.DataFrame(rows, columns=["id", "finding", "source", "quote", "claimed", "claimed_value",
                                       "recomputed", "recomputed_value", "verdict", "reason"])


def verdict_counts(audited: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict (every verdict listed, zero included)."""
    counts = audited["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
    return pd.DataFrame({"Verdict": counts.index, "Claims": counts.to_numpy()})
