"""The table of Finding 4's method-level downstream accuracies, with each value's provenance."""
from __future__ import annotations

import pandas as pd

from . import formatting as fmt
from .tables import STATUS_WORDS

INTERVAL_WORDS = {"range": "reported range", "wilson": "Wilson 95% interval", "seeds": "lowest to highest seed",
                  "": "\u2014"}


def downstream_display(table: pd.DataFrame) -> pd.DataFrame:
    """One row per method, family and task (:func:`evalpatterns.downstream.downstream_table`): the accuracy
    (a range where only a range is known), its interval and what kind it is, the rows aggregated, the
    provenance and the source; an ``Eval set`` column where any row names one."""
    rows = []
    for _, r in table.iterrows():
        interval = "" if r["is_range"] or pd.isna(r["low"]) else fmt.pct_range(r["low"], r["high"], 1)
        rows.append({"Method": r["method"], "Family": r["family"], "Task": r["task"],
                     "Accuracy": fmt.pct_range(r["low"], r["high"]) if r["is_range"] else fmt.pct(r["accuracy"], 1),
                     "Interval": f"{interval} ({INTERVAL_WORDS[r['interval']]})" if interval
                     else INTERVAL_WORDS[r["interval"]],
                     "Rows": fmt.number(r["n_rows"]), "Provenance": STATUS_WORDS[r["status"]], "Source": r["source"],
                     "Eval set": r["eval_set"] or "\u2014"})
    out = pd.DataFrame(rows, columns=["Method", "Family", "Task", "Accuracy", "Interval", "Rows", "Provenance",
                                      "Source", "Eval set"])
    return out if (table["eval_set"] != "").any() else out.drop(columns="Eval set")


def show_downstream(result) -> None:
    """The section's table, numbered ``tbl-downstream``, and the sentence that refers to it; nothing when the
    data were not given."""
    from . import report

    if result.downstream_table is None:
        return
    from IPython.display import Markdown, display

    display(Markdown("{numref}`tbl-downstream` gives each value with its interval and provenance."))
    report.table(downstream_display(result.downstream_table), "tbl-downstream",
                 "Downstream accuracy by method, family and task, with each value's provenance.",
                 data=result.downstream_table, align_right=("Accuracy", "Interval", "Rows"))
