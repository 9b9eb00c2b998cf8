"""Finding 4's tables with many runs (evalpatterns.tables_many), Finding 1's derived table with many tasks, and the chapter run end to end on a generated
log of 300 runs x 20 steps: the many-run figures and the summary table, not a table of every run; results.json
holds the summary rows, and the per-run table is a CSV file beside the page that the page links to."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalpatterns import build, distillation, many_runs, tables_many

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic  # noqa: E402


def log_300() -> pd.DataFrame:
    """300 runs of 20 logged steps (every 5th of synthetic's 100)."""
    log = synthetic.distillation_frame(300 * 100, seed=1)
    return log[log["step"] % 50 == 0].reset_index(drop=True)


def test_summary_display_by_hand():
    runs = pd.DataFrame({"run": ["a", "b", "c"], "family": ["X", "X", "Y"], "gap": [2.0, 2.0, 10.0],
                         "severity": ["complete", "none", "no transition"],  # no run "no eval" or others
                         "transition_step": [10.0, 30.0, None], "kl_spike_ratio": [100.0, 300.0, None],
                         "eval_drop": [0.5, 0.1, None]})
    shown = tables_many.summary_display(many_runs.severity_summary(runs))
    assert shown.to_dict(orient="records") == [
        {"Family": "X", "Gap": "2x", "Runs": "2", "Complete": "1", "Partial": "0", "None": "1",
         "No transition": "0", "Median transition step": "20", "Median KL spike": "200x",
         "Median eval drop": "0.300"},
        {"Family": "Y", "Gap": "10x", "Runs": "1", "Complete": "0", "Partial": "0", "None": "0",
         "No transition": "1", "Median transition step": "n/a", "Median KL spike": "n/a",
         "Median eval drop": "n/a"}]
    # a severity not judged shows its column only where some run has it: the judged three always do
    assert "No eval" not in shown and "Already collapsed" not in shown and "Partial" in shown


@pytest.mark.parametrize("rows, shown, download", [(12, 12, False), (13, 12, True)])
def test_a_long_table_shows_its_first_rows_and_every_row_as_csv(monkeypatch, rows, shown, download):
    import IPython.display

    from evalpatterns.report import META_KEY

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None: out.append((obj, metadata)))
    data = pd.DataFrame({"attempt": range(1, rows + 1), "accuracy": [0.5] * rows})
    display = pd.DataFrame({"Attempt": data["attempt"].astype(str), "Accuracy": "50%"})
    tables_many.long_table(display, "tbl-x", "Attempts.", data, "x.csv", "attempts")
    assert len(out) == 1 + download
    table, meta = out[0]
    assert len(meta[META_KEY]["records"]) == shown  # results.json: the rows shown
    assert table.data.count("\n* - ") == shown + 1  # a list-table row per row shown, and the header
    if download:
        assert r"Attempts\. The first 12 of 13 attempts\; every row is in x\.csv\." in table.data
        link, file_meta = out[1]
        assert link.data == "{download}`Every row (13 attempts) as CSV <x.csv>`"
        assert file_meta[META_KEY]["text"] == data.to_csv(index=False)  # every row
    else:
        assert "The first" not in table.data


def _shown(monkeypatch) -> list:
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None: out.append((obj, metadata)))
    return out


def test_with_many_tasks_the_derived_csv_holds_numbers_and_their_provenance(monkeypatch):
    from io import StringIO

    from capability_frames import frame
    from evalpatterns.findings import capability as finding
    from evalpatterns.report import META_KEY

    # 13 tasks: 0.2 at 3B, 0.2 + 0.05 i at 8B (i = 1..13), and t01 trained at 3B to 0.5: 14 comparisons
    rows = [r for i in range(1, 14) for r in ((f"t{i:02d}", 3, "base", 0.2), (f"t{i:02d}", 8, "base", 0.2 + 0.05 * i))]
    result = finding.analyse(frame(*rows, ("t01", 3, "trained", 0.5)))
    out = _shown(monkeypatch)
    tables_many.show_derived(result, "Derived.")
    (_, meta), (link, file_meta) = out
    assert tables_many.DERIVED_CSV in link.data
    csv = pd.read_csv(StringIO(file_meta[META_KEY]["text"]))
    assert len(csv) == 14 and csv["comparison"].tolist() == ["size"] * 13 + ["training"]
    for column in ("from_b", "from_share", "to_b", "to_share", "change_points", "relative_change",
                   "advantage_points"):
        assert csv[column].dtype == float, column
    size, trained = csv.iloc[:13], csv.iloc[13]
    assert size["task"].tolist() == result.gaps["task"].tolist()
    assert size["from_share"].tolist() == pytest.approx(result.gaps["small"].tolist())
    assert size["to_share"].tolist() == pytest.approx([0.2 + 0.05 * i for i in range(1, 14)])
    assert size["change_points"].tolist() == pytest.approx(result.gaps["gap_points"].tolist())
    assert size["relative_change"].isna().all() and (size[["from_b", "to_b"]] == [3.0, 8.0]).all().all()
    # t01 at 3B: 0.2 -> 0.5 is +30 points, +150%
    assert (trained["from_share"], trained["to_share"]) == pytest.approx((0.2, 0.5))
    assert (trained["change_points"], trained["relative_change"]) == pytest.approx((30.0, 1.5))
    assert set(csv["status"]) == {"measured"}
    assert not csv.astype(str).apply(lambda c: c.str.contains("%|\u00b1|\u2192")).any().any()
    # results.json gets the rows shown, in the same numbers
    assert [r["change_points"] for r in meta[META_KEY]["records"]] == pytest.approx(csv["change_points"][:12].tolist())


def test_with_few_tasks_the_derived_table_shows_every_row_and_no_csv(monkeypatch):
    from capability_frames import frame
    from evalpatterns.findings import capability as finding

    out = _shown(monkeypatch)
    tables_many.show_derived(finding.analyse(frame(("A", 3, "base", 0.2), ("A", 8, "base", 0.8))), "Derived.")
    assert len(out) == 1 and "The first" not in out[0][0].data


@pytest.fixture(scope="module")
def run_300(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    log = log_300()
    log.to_csv(folder / "distillation.csv", index=False)
    out = build.run_chapter("hybrid-distillation", [str(folder / "distillation.csv")], {}, folder / "out",
                            log=lambda *a: None)
    return log, out


def test_chapter_at_300_runs_shows_the_summary_not_every_run(run_300):
    log, out = run_300
    runs = distillation.transitions(log)
    assert len(runs) == 300
    results = json.loads((out / "results.json").read_text())["results"]
    summary = many_runs.severity_summary(runs)
    assert len(summary) == 4  # synthetic's four families, one gap each
    severity = results["tbl-severity"]
    assert [(r["family"], r["gap"], r["runs"]) for r in severity] == \
        [(r.family, r.gap, r.runs) for r in summary.itertuples()]
    assert sum(r["runs"] for r in severity) == 300
    assert [r["complete"] for r in severity] == summary["complete"].tolist()
    top = many_runs.top_runs(runs, 10)
    assert [r["run"] for r in results["tbl-top-runs"]] == top["run"].tolist()
    assert results["excerpt_run"] == many_runs.excerpt_run(runs)
    assert {r["run"] for r in results["tbl-log-excerpt"]} == {many_runs.excerpt_run(runs)}
    assert "the 300 runs" in results["phase_figure_text"] and "one line per run" not in results["phase_caption_text"]
    # the full per-run table: a CSV beside the page, and the page links to its copy
    csv = pd.read_csv(out / tables_many.RUNS_CSV)
    assert len(csv) == 300 and sorted(csv["run"]) == sorted(runs["run"])
    page = (out / "hybrid-distillation_files" / "hybrid-distillation.html").read_text()
    href = re.search(r'href="([^"]*' + re.escape(tables_many.RUNS_CSV) + ')"', page).group(1)
    assert len(pd.read_csv(out / "hybrid-distillation_files" / href)) == 300
    assert "tbl-top-runs" in page


def test_with_many_tasks_the_tasks_csv_holds_the_measurements_as_numbers(monkeypatch):
    from io import StringIO

    from capability_frames import frame
    from evalpatterns.findings import capability as finding
    from evalpatterns.report import META_KEY

    # 13 tasks measured at 3B and 8B, t01 also at 1B (not a size of the table) and trained at 3B; t99 only at 1B
    rows = [r for i in range(1, 14) for r in ((f"t{i:02d}", 3, "base", 0.2), (f"t{i:02d}", 8, "base", 0.2 + 0.05 * i))]
    result = finding.analyse(frame(*rows, ("t01", 1, "base", 0.1), ("t01", 3, "trained", 0.5), ("t99", 1, "base", 0.3)))
    out = _shown(monkeypatch)
    tables_many.show_tasks(result, "Tasks.")
    (table, meta), (link, file_meta) = out
    assert tables_many.TASKS_CSV in link.data and "The first 12 of 13 tasks" in table.data
    csv = pd.read_csv(StringIO(file_meta[META_KEY]["text"]))
    assert len(csv) == 27 and set(csv["params_b"]) == {3.0, 8.0} and "t99" not in set(csv["task"])
    assert csv["value"].dtype == float and csv["params_b"].dtype == float
    t13 = csv[(csv["task"] == "t13") & (csv["params_b"] == 8)]
    assert t13["value"].tolist() == pytest.approx([0.2 + 0.05 * 13])
    assert csv.loc[(csv["task"] == "t01") & (csv["stage"] == "trained"), "value"].tolist() == [0.5]
    assert set(csv["status"]) == {"measured"}
    assert not csv.astype(str).apply(lambda c: c.str.contains("%|\u00b1|\u2192")).any().any()
    assert [r["value"] for r in meta[META_KEY]["records"]] == pytest.approx(csv["value"][:12].tolist())
