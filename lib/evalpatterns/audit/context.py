"""What a check reads: the findings' results (one analysis each), never a computation of its own.

A check asks the context for a finding's tables (``ctx.runs``, ``ctx.roi_table`` ...) and parameters
(``ctx.p("collapse_accuracy")``); each comes from that finding's ``Result``. A finding whose result is not
in the context raises KeyError, which the audit reports as "the data this needs is not available".
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import pandas as pd

# finding number -> the Result attribute each context name reads
_FIELDS = {
    1: {"capability": "data", "gaps": "gaps", "changes": "changes", "matrix": "matrix"},
    2: {"mode_collapse": "data", "runs": "runs", "bracket": "bracket", "collapse_trend": "trend",
        "collapse_confounds": "bracket_changed"},
    3: {"roi": "data", "roi_table": "table", "switch": "summary", "baseline": "baseline"},
    4: {"distillation": "log", "transitions": "transitions", "kl_spike_run": "spike", "kl_rises": "rises",
        "gap_correlation": "correlation"},
    5: {"memorization": "data", "effect_sizes": "effect_sizes", "episodes": "episodes", "advantage": "advantage",
        "fits": "fits", "seed_effects": "seed_effects"},
}
_WHERE = {name: (number, attr) for number, names in _FIELDS.items() for name, attr in names.items()}


def finding_number(result) -> int:
    """The post's number of the finding a Result belongs to (its module's ``NUMBER``)."""
    return int(sys.modules[type(result).__module__].NUMBER)


@dataclass
class Context:
    """The results a chapter audits, by finding number."""

    results: dict = field(default_factory=dict)

    @classmethod
    def from_results(cls, results) -> "Context":
        return cls({finding_number(r): r for r in results})

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in _WHERE:
            raise AttributeError(name)
        number, attr = _WHERE[name]
        return getattr(self.results[number], attr)

    def p(self, name: str):
        """The parameter ``name`` of whichever finding has it."""
        for r in self.results.values():
            if hasattr(r.params, name):
                return getattr(r.params, name)
        raise KeyError(f"no finding in this audit has the parameter {name}")

    def conclusion(self, number: int):
        return self.results[int(number)].conclusion


def frame(x) -> pd.DataFrame:
    return x if isinstance(x, pd.DataFrame) else pd.DataFrame(x)
