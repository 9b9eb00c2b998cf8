"""Grammar every sentence shares: counts that agree with their nouns, lists, p-values, verdict phrases."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt
from ..findings.base import CONTRADICTED, SUPPORTED, Conclusion

_IRREGULAR = {"is": "are", "was": "were", "has": "have", "differs": "differ", "holds": "hold",
              "this": "these", "run": "runs", "analysis": "analyses"}


def plural(noun: str, n: int) -> str:
    """``noun`` agreeing with ``n``: ``plural('run', 2) == 'runs'``, ``plural('is', 2) == 'are'``."""
    if n == 1:
        return noun
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def count(n: int, noun: str) -> str:
    """``count(1, 'run') == '1 run'``, ``count(3, 'run') == '3 runs'``, ``count(1200, 'step') == '1,200 steps'``."""
    return f"{fmt.number(n)} {plural(noun, int(n))}"


def join(items: list[str], last: str = "and") -> str:
    """``join(['a', 'b', 'c']) == 'a, b and c'``; one item alone; '' for none."""
    items = [str(i) for i in items]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def join_some(items: list[str], limit: int = 5, noun: str = "more") -> str:
    """At most ``limit`` items joined, the rest counted: ``join_some(list('abcdefg')) == 'a, b, c, d, e and 2
    more'``; like :func:`join` up to ``limit`` items."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit:,} {noun}"


def p_text(p) -> str:
    """A p-value as people read it: ``p = 0.0044``, ``p < 0.0001``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "p < 0.0001" if p < 0.0001 else f"p = {p:.2g}"


def missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


VERDICT_OPENING = {
    SUPPORTED: "The data support the post's claim",
    CONTRADICTED: "The data contradict the post's claim",
}


def opening(conclusion: Conclusion, evidence: str) -> str:
    """The first sentence of a chapter: the verdict, then the evidence (a clause computed from the result)."""
    head = VERDICT_OPENING.get(conclusion.verdict, "The data cannot settle the post's claim")
    detail = conclusion.shown if conclusion.statistic is not None else ""
    stat = "; ".join(x for x in (detail, p_text(conclusion.p_value)) if x)
    return f"{head}: {evidence}" + (f" ({stat})" if stat else "") + "."


def conclusion_values(conclusion: Conclusion) -> dict:
    """The conclusion's fields under fixed names (the same in every chapter and in results.json)."""
    from ..findings.base import CONFIDENCE

    return {"confidence_text": fmt.pct(CONFIDENCE), "verdict": conclusion.verdict,
            "verdict_reason_text": conclusion.reason, "verdict_test_text": conclusion.test, "verdict_statistic": conclusion.statistic,
            "verdict_statistic_text": conclusion.shown, "verdict_p_value": conclusion.p_value}


MANY_PAIRS = 12  # more accuracies with known counts than this: no pair is tested (n_overlap None)


def noise_values(frame: pd.DataFrame, label: str, prefix: str) -> dict:
    """Which accuracies (k of n) the data cannot tell apart: every pair with known counts compared by Fisher's
    exact test (two-sided, at ALPHA); each interval in the book is a Wilson 95% interval. With more than
    :data:`MANY_PAIRS` such accuracies no pair is tested: the text says so and ``n_overlap`` is None."""
    from itertools import combinations

    from ..findings.base import ALPHA
    from ..stats import compare_proportions

    from ..findings.base import CONFIDENCE

    values = {f"{prefix}_confidence_text": fmt.pct(CONFIDENCE)}
    if "n_correct" not in frame or "n_eval" not in frame:
        known = frame.iloc[0:0]
    else:
        known = frame.dropna(subset=["n_correct", "n_eval"])
        known = known[known["n_eval"] > 0]
    if len(known) < 2:
        values.update({f"{prefix}_overlap_text": "Fewer than two accuracies have known counts, so none can be "
                       "tested against another", f"{prefix}_n_overlap": 0})
        return values
    if len(known) > MANY_PAIRS:  # every pair is n(n-1)/2 tests and as many words: past a dozen, none listed
        values.update({f"{prefix}_overlap_text": f"With {fmt.number(len(known))} accuracies with known counts "
                       f"({fmt.number(len(known) * (len(known) - 1) // 2)} pairs), the pairs are not tested one by "
                       "one: compare their intervals", f"{prefix}_n_overlap": None})
        return values
    same = []
    for (_, a), (_, b) in combinations(known.iterrows(), 2):
        c = compare_proportions(a["n_correct"], a["n_eval"], b["n_correct"], b["n_eval"])
        if c.p_value >= ALPHA:
            same.append(f"{a[label]} and {b[label]} ({p_text(c.p_value)})")
    if not same:
        text = (f"Fisher's exact test tells every pair of the {len(known)} accuracies with known counts apart "
                f"(each p < {ALPHA:g})")
    else:
        text = (f"Fisher's exact test cannot tell {join(same, 'or')} apart at the {ALPHA:g} level")
    values.update({f"{prefix}_overlap_text": text, f"{prefix}_n_overlap": len(same)})
    return values


def eval_set_phrases(mismatches) -> list[str]:
    """Eval-set mismatches (:class:`~evalpatterns.findings.base.EvalSetMismatch`) in words, those on the same
    eval sets together:
    ``['X against Y and Z against Y (on subset-50 and full-200)']``."""
    groups: dict[frozenset, tuple[list[str], tuple[str, ...]]] = {}
    for m in mismatches:
        groups.setdefault(frozenset(m.eval_sets), ([], m.eval_sets))[0].append(m.compared)
    return [f"{join(compared)} (on {join(list(sets))})" for compared, sets in groups.values()]


def eval_set_caveat(mismatches) -> str:
    """The caveat a page shows under a comparison of values from different eval sets; '' when there is none
    (the eval sets are equal or not recorded)."""
    if not mismatches:
        return ""
    return (f"Compared values come from different eval sets: {'; '.join(eval_set_phrases(mismatches))}. "
            "Values measured on different eval sets are not directly comparable, so these comparisons are only "
            "indicative.")


def caveated(conclusion: Conclusion, mismatches) -> Conclusion:
    """``conclusion`` with its reason saying which compared values come from different eval sets (unchanged
    when none do): the verdict stays, the reason names both eval sets."""
    import dataclasses

    if not mismatches:
        return conclusion
    why = (f"{conclusion.reason}; note that it compares values measured on different eval sets, which are not "
           f"directly comparable: {'; '.join(eval_set_phrases(mismatches))}")
    return dataclasses.replace(conclusion, reason=why)


NO_EVAL_SET_MISMATCH = "No two compared values are recorded as measured on different eval sets."


def eval_set_values(mismatches) -> dict:
    """The eval-set caveat under fixed names (the same in every chapter and in results.json); the page shows
    it only when there is a mismatch (:func:`evalpatterns.page.eval_set_caveat`)."""
    return {"n_eval_set_mismatches": len(mismatches),
            "eval_set_caveat_text": eval_set_caveat(mismatches) or NO_EVAL_SET_MISMATCH}
