"""The audit's sentences: how many claims hold, differ or are unsupported, and the audit's title."""
from __future__ import annotations

import pandas as pd

from ..audit.verdicts import VERDICTS
from .common import count, join, plural

_VERB = {"holds": "holds", "rounding": "differs only by rounding", "differs": "differs",
         "unsupported": "is unsupported"}
_VERB_PLURAL = {"holds": "hold", "rounding": "differ only by rounding", "differs": "differ",
                "unsupported": "are unsupported"}


def counts_text(audited: pd.DataFrame) -> str:
    """``Of 8 claims checked, 5 hold, 1 differs and 2 are unsupported`` (verdicts with no claim left out)."""
    counts = audited["verdict"].value_counts()
    parts = [f"{int(counts[v])} {(_VERB if counts[v] == 1 else _VERB_PLURAL)[v]}" for v in VERDICTS
             if counts.get(v, 0)]
    if not len(audited):
        return "No claim of the post is registered for this finding"
    n = len(audited)
    if len(parts) == 1:
        return f"All {n} claims checked {parts[0].split(' ', 1)[1]}" if n > 1 else f"The one claim checked {parts[0].split(' ', 1)[1]}"
    return f"Of {n} claims checked, {join(parts)}"


def fold_text(n_hold: int) -> str:
    """The bar of the toggle that folds the claims that hold: ``1 claim holds (show)``, ``7 claims hold (show)``."""
    return f"{count(n_hold, 'claim')} {plural('holds', n_hold)} (show)"


def holds_text(n_hold: int, n_checked: int, table: str) -> str:
    """Where the claims that hold are: in ``table`` (a reference to their folded table, inserted as it is),
    and, when all ``n_checked`` hold, that no claim fails."""
    if n_hold == n_checked:
        checked = "the one claim checked holds" if n_checked == 1 else f"all {count(n_checked, 'claim')} checked hold"
        return f"No claim fails: {checked} ({table}, folded below)."
    which = "The one claim that holds is" if n_hold == 1 else f"The {count(n_hold, 'claim')} that hold are"
    return f"{which} in {table}, folded below."


FAILING_CAPTION = "The post's claims on this finding that do not hold, worst first."
HOLDING_CAPTION = "The post's claims on this finding that hold."


def audit_values(audited: pd.DataFrame, prefix: str = "claims", own_data: bool = True) -> dict:
    """Counts by verdict, the sentence, and the audit's title: the post's claims checked against the post's own
    data, or tested against the reader's."""
    counts = audited["verdict"].value_counts()
    v = {f"{prefix}_on": True, f"{prefix}_n": int(len(audited))}
    for verdict in VERDICTS:
        v[f"{prefix}_{verdict}"] = int(counts.get(verdict, 0))
    v[f"{prefix}_failing"] = int(len(audited) - v[f"{prefix}_holds"])
    v[f"{prefix}_fold_text"] = fold_text(v[f"{prefix}_holds"])
    v[f"{prefix}_text"] = counts_text(audited)
    v[f"{prefix}_title_text"] = ("The post's claims, recomputed from its data" if own_data
                                 else "The post's claims, tested against this data")
    return v
