"""Finding 4's table of conditions: the seeds of each condition pooled (mean relative drop, its 95% t interval,
the seeds that collapsed, the provenance), shown only where some condition has more than one seed."""
from __future__ import annotations

import pandas as pd

from . import formatting as fmt
from .tables import STATUS_WORDS

COLUMNS = ["Method", "Family", "Gap", "Seeds", "Mean relative drop", "95% t interval", "Collapsed", "Provenance"]
RIGHT = ("Seeds", "Mean relative drop", "95% t interval")


def _collapsed(r) -> str:
    """``2 complete, 1 partial of 3``; ``none of 3``."""
    parts = [f"{n} {what}" for n, what in ((r.n_complete, "complete"), (r.n_partial, "partial")) if n]
    return f"{', '.join(parts) or 'none'} of {r.n_seeds}"


def conditions_display(conditions: pd.DataFrame) -> pd.DataFrame:
    """One row per condition (:func:`evalpatterns.distillation.conditions`): its method (a dash when none is
    named), family, gap with student and teacher, seeds, mean relative drop, its 95% t interval (a note instead
    with fewer than two seeds that have a drop), the seeds that collapsed and the least certain provenance."""
    rows = []
    for r in conditions.itertuples():
        interval = (fmt.pct_range(r.ci_low, r.ci_high, 1) if r.n_drops >= 2 else
                    "none: one seed" if r.n_drops == 1 else "none: no drop")
        rows.append([r.method if isinstance(r.method, str) and r.method else "\u2014", r.family,
                     f"{fmt.ratio(r.gap)} ({r.student} \u2192 {r.teacher})", fmt.number(r.n_seeds),
                     fmt.pct(r.mean_drop, 1), interval, _collapsed(r), STATUS_WORDS.get(r.status, str(r.status))])
    return pd.DataFrame(rows, columns=COLUMNS)


def show_conditions(result, values: dict) -> None:
    """Where some condition has more than one seed: the sentence ``values['conditions_text']`` and the table
    ``tbl-conditions``; nothing at all with one seed per condition."""
    from IPython.display import Markdown, display

    from . import report

    if not values.get("conditions_text"):
        return
    display(Markdown(report.escape(values["conditions_text"]) + "."))
    report.table(conditions_display(result.conditions), "tbl-conditions", values["conditions_caption_text"],
                 data=result.conditions, align_right=RIGHT)
