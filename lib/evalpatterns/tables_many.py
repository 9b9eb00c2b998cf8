"""Finding 4's tables on the page: every run's row when the runs are few; with many runs
(:func:`evalpatterns.many_runs.is_many`) a summary by family and gap, the runs with the largest KL spike, and
every run's row as a CSV file to download. results.json gets the tables' rows (the summary, not every run)."""
from __future__ import annotations

import pandas as pd

from . import formatting as fmt
from . import report, tables
from .capability import comparisons
from .distillation import JUDGED, SEVERITIES

RUNS_CSV = "hybrid-distillation-runs.csv"  # the per-run table's file, beside the page
DERIVED_CSV = "capability-cliff-derived.csv"  # Finding 1's derived rows, beside the page, with many tasks
TASKS_CSV = "capability-cliff-tasks.csv"  # Finding 1's measurements of the tasks its table lists, likewise
SEVERITY_RIGHT = ("Transition step", "KL spike", "Eval before")


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`evalpatterns.many_runs.severity_summary` as the page shows it."""
    out = pd.DataFrame({
        "Family": summary["family"].astype(str),
        "Gap": summary["gap"].map(fmt.ratio),
        "Runs": summary["runs"].map(fmt.number),
    })
    for s in SEVERITIES:  # the judged severities always; the others where some run has one
        if s in JUDGED or summary[s].any():
            out[s.capitalize()] = summary[s].map(fmt.number)
    out["Median transition step"] = summary["median_transition_step"].map(
        lambda x: fmt.NA if pd.isna(x) else fmt.number(x, 0))
    out["Median KL spike"] = summary["median_kl_spike_ratio"].map(fmt.ratio)
    out["Median eval drop"] = summary["median_eval_drop"].map(lambda x: fmt.number(x, 3))
    return out.reset_index(drop=True)


def show_severity(result, values: dict) -> None:
    """The severity table ``tbl-severity`` (every run; with many runs the summary), and with many runs the top
    runs ``tbl-top-runs`` and the per-run CSV; ``values``: the chapter's glued words (captions)."""
    if not result.many:
        report.table(tables.severity_table(result.transitions), "tbl-severity", values["severity_caption_text"],
                     data=result.transitions, align_right=SEVERITY_RIGHT)
        return
    display = summary_display(result.summary)
    report.table(display, "tbl-severity", values["severity_caption_text"], data=result.summary,
                 align_right=tuple(c for c in display.columns if c not in ("Family", "Gap")))
    report.table(tables.severity_table(result.top, by_gap=False), "tbl-top-runs", values["top_caption_text"],
                 data=result.top, align_right=SEVERITY_RIGHT)
    report.download(result.transitions, RUNS_CSV, values["runs_csv_text"])


MANY_ROWS = 12  # a table of more rows than this shows its first rows, and every row as a CSV file


def long_table(display: pd.DataFrame, name: str, caption: str, data: pd.DataFrame, csv_name: str,
               what: str = "rows", align_right: tuple[str, ...] = (), rows: int = MANY_ROWS) -> None:
    """Table ``name``: every row of ``display`` when there are at most ``rows``; else its first ``rows`` rows
    (in ``display``'s order, which the caption's reader sees in the columns) with the caption saying so, and
    every row of ``data`` as the CSV file ``csv_name`` to download. results.json gets the rows shown."""
    if len(display) <= rows:
        report.table(display, name, caption, data=data, align_right=align_right)
        return
    n = fmt.number(len(display))
    report.table(display.head(rows).reset_index(drop=True), name,
                 f"{caption} The first {fmt.number(rows)} of {n} {what}; every row is in {csv_name}.",
                 data=data.head(rows), align_right=align_right)
    report.download(data, csv_name, f"Every row ({n} {what}) as CSV")


def show_derived(result, caption: str) -> None:
    """Finding 1's derived table ``tbl-capability-derived`` (:func:`evalpatterns.tables.gap_table`) of a
    :class:`evalpatterns.findings.capability.Result`. Past :data:`MANY_ROWS` rows its first rows, and every row
    as :data:`DERIVED_CSV` in numbers (:func:`evalpatterns.capability.comparisons`: shares and points as
    floats, the provenance in ``status``), which results.json gets too; else every row, results.json getting
    the size gaps."""
    small_b, large_b = result.params.small_b, result.params.large_b
    shown = tables.gap_table(result.gaps, result.changes, small_b, large_b)
    data = result.gaps if len(shown) <= MANY_ROWS else comparisons(result.gaps, result.changes, small_b, large_b)
    long_table(shown, "tbl-capability-derived", caption, data, DERIVED_CSV, "comparisons",
               align_right=("From", "To", "Change (points)", "Relative change"))


def show_tasks(result, caption: str) -> None:
    """Finding 1's table ``tbl-capability`` (:func:`evalpatterns.tables.capability_table`) of a
    :class:`evalpatterns.findings.capability.Result`. Past :data:`MANY_ROWS` tasks its first rows, and as
    :data:`TASKS_CSV` every row of the data at the two sizes of the tasks it lists, in the data's own columns
    (numbers as numbers, provenance in ``status``), which results.json gets too; else every task, results.json
    getting the data."""
    small_b, large_b = result.params.small_b, result.params.large_b
    shown = tables.capability_table(result.data, small_b, large_b)
    data = result.data
    if len(shown) > MANY_ROWS:
        listed = data["status"].eq("measured") & data["params_b"].isin([small_b, large_b])
        tasks = set(zip(data.loc[listed, "project"], data.loc[listed, "task"]))
        keep = data["params_b"].isin([small_b, large_b]) & pd.Series(
            [key in tasks for key in zip(data["project"], data["task"])], index=data.index)
        data = data[keep].reset_index(drop=True)
    long_table(shown, "tbl-capability", caption, data, TASKS_CSV, "tasks")

