"""The sentences of Finding 4's downstream section, written from the method-level downstream accuracies on
:class:`evalpatterns.findings.distillation.Result` (``downstream_table``); the data are an optional input,
and without them the section says they were not given."""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from .common import count, eval_set_caveat, join

#: How a value that is not a measurement is known (the ``status`` column), as the section says it.
STATUS_TEXT = {"measured": "measured", "figure": "read off a figure", "illustrative": "illustrative",
               "pending": "pending"}

NOT_GIVEN = ("The method-level downstream accuracies were not given: this run has no distillation_downstream "
             "file, so the section has no table")


def accuracy_text(row) -> str:
    """A row's accuracy as the table shows it: ``0%``, or ``6\u201321%`` when only a range is known."""
    return fmt.pct_range(row["low"], row["high"]) if row["is_range"] else fmt.pct(row["accuracy"], 1)


def _label(row) -> str:
    return f"{row['method']} with {row['family']}"


def task_text(task: str, rows: pd.DataFrame) -> str:
    """One task: the only value, or the highest and the lowest (by accuracy; a range by its middle)."""
    if len(rows) == 1:
        r = rows.iloc[0]
        return f"on {task}, only {_label(r)} is given: {accuracy_text(r)}"
    order = rows.sort_values("accuracy", kind="stable")
    hi, lo = order.iloc[-1], order.iloc[0]
    if hi["accuracy"] == lo["accuracy"]:
        return f"on {task}, all {len(rows)} are level at {accuracy_text(hi)}"
    if (hi["low"] if hi["is_range"] else hi["accuracy"]) <= (lo["high"] if lo["is_range"] else lo["accuracy"]):
        return (f"on {task}, {_label(hi)} ({accuracy_text(hi)}) and {_label(lo)} ({accuracy_text(lo)}) cannot be "
                "ordered: a range overlaps the other value")
    return (f"on {task}, {_label(hi)} is highest ({accuracy_text(hi)}) and {_label(lo)} lowest "
            f"({accuracy_text(lo)})")


def provenance_text(table: pd.DataFrame) -> str:
    counts = table["status"].value_counts()
    if len(counts) == 1:
        return f"every value is {STATUS_TEXT[counts.index[0]]}"
    return join([f"{n} {STATUS_TEXT[s]}" for s, n in counts.items()])


def downstream_text(result) -> str:
    """What the downstream accuracies show, or that they were not given."""
    t = result.downstream_table
    if t is None:
        return NOT_GIVEN
    if t.empty:
        return "The distillation_downstream file holds no rows"
    parts = [f"The file gives {count(t['method'].nunique(), 'method')} and {count(t['family'].nunique(), 'family')} "
             f"on {count(t['task'].nunique(), 'task')} ({count(len(t), 'value')}; {provenance_text(t)}"
             + (f"; {count(int(t['is_range'].sum()), 'value')} known only as a range" if t["is_range"].any() else "")
             + ")"]
    parts += [task_text(task, rows) for task, rows in t.groupby("task", sort=False)]
    return "; ".join(parts)


def values(result) -> dict:
    """The downstream section's values (the same names whether or not the data were given)."""
    t = result.downstream_table
    caveat = eval_set_caveat(result.downstream_eval_sets)
    return {"downstream_given": t is not None, "n_downstream_values": 0 if t is None else int(len(t)),
            "downstream_text": downstream_text(result),
            "downstream_eval_set_text": caveat or "No two downstream accuracies of one task are recorded as "
            "measured on different eval sets."}
