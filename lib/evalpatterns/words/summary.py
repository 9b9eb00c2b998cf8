"""The summary's sentences, written from the five findings' results: the overview, the dashboard's title and
key numbers, and one takeaway per finding (each finding's own ``takeaway`` and ``key_numbers``)."""
from __future__ import annotations

import importlib
import sys

from ..findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from .common import count, join


def _words(result):
    name = type(result).__module__.rsplit(".", 1)[1]
    return importlib.import_module(f"{__package__}.{name}")


def _module(result):
    return sys.modules[type(result).__module__]


def overview(results) -> str:
    """``Of the post's 5 patterns, these data support 3, contradict 1 and cannot settle 1.``"""
    verdicts = [r.conclusion.verdict for r in results]
    parts = []
    for v, words in ((SUPPORTED, "support"), (CONTRADICTED, "contradict"), (INCONCLUSIVE, "cannot settle")):
        n = verdicts.count(v)
        if n:
            parts.append(f"{words} {n}")
    return f"Of the post's {count(len(results), 'pattern')}, these data {join(parts)}"


def dashboard_title(results) -> str:
    verdicts = [r.conclusion.verdict for r in results]
    if all(v == SUPPORTED for v in verdicts):
        return f"The {count(len(results), 'pattern')} of the post, each supported by these data"
    n = verdicts.count(SUPPORTED)
    return f"The post's {count(len(results), 'pattern')} against these data: {n} supported"


#: The order of the dashboard's key numbers, by finding number (its panels' order: 5, 3, 4, 2, then 1).
KEY_NUMBER_ORDER = (5, 3, 4, 2, 1)


def key_numbers(results) -> list[str]:
    """The dashboard's key numbers: each finding's lines (its words module's ``key_numbers``) in
    :data:`KEY_NUMBER_ORDER`; a finding with nothing to show gives no line."""
    by_number = {_module(r).NUMBER: r for r in results}
    return [line for n in KEY_NUMBER_ORDER if n in by_number
            for line in _words(by_number[n]).key_numbers(by_number[n])]


def values(results) -> dict:
    v = {"overview_text": overview(results), "dashboard_title_text": dashboard_title(results),
         "n_supported": sum(r.conclusion.verdict == SUPPORTED for r in results),
         "n_contradicted": sum(r.conclusion.verdict == CONTRADICTED for r in results),
         "n_inconclusive": sum(r.conclusion.verdict == INCONCLUSIVE for r in results)}
    for r in results:
        n = _module(r).NUMBER
        v[f"f{n}_verdict"] = r.conclusion.verdict
        v[f"f{n}_takeaway_text"] = _words(r).takeaway(r)
    return v
