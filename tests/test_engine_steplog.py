"""engine.steplog: Finding 4 on a Parquet step log left on the engine gives what it gives on the loaded log,
and the chapter run on a Parquet copy of the book's log gives the book's results.json numbers."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalpatterns import build, distillation, io, many_runs, page
from evalpatterns.engine.steplog import StepLog
from evalpatterns.findings import distillation as finding
from evalpatterns.words import distillation as words

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> dict:
    """200 runs x 100 steps (past many_runs.MANY_RUNS) as CSV, one Parquet file and a hive-partitioned folder."""
    folder = tmp_path_factory.mktemp("steplog")
    frame = synthetic.distillation_frame(20_000, seed=5)
    frame.to_csv(folder / "distillation.csv", index=False)
    frame.to_parquet(folder / "distillation.parquet", index=False)
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), folder / "hive", partition_cols=["family"])
    loaded = finding.analyse(page.load(finding.DATA, distillation_csv=folder / "distillation.csv"))
    return {"folder": folder, "loaded": loaded}


def same_values(a: dict, b: dict) -> list[str]:
    return [k for k in a if not (a[k] == b[k] or (isinstance(a[k], float) and math.isclose(a[k], b[k], rel_tol=1e-12))
                                 or (a[k] is None and b[k] is None))]


@pytest.mark.parametrize("name", ["distillation.parquet", "hive"])
def test_the_finding_on_a_parquet_log_is_the_finding_on_the_loaded_log(logs, name):
    data = page.load(finding.DATA, distillation_csv=logs["folder"] / name)
    assert isinstance(data["distillation"], StepLog)  # not read into memory
    got, want = finding.analyse(data), logs["loaded"]
    assert got.many and isinstance(got.log, StepLog) and len(got.transitions) == 200
    pd.testing.assert_frame_equal(got.transitions, want.transitions, check_exact=True)
    pd.testing.assert_frame_equal(got.rises, want.rises.reset_index(drop=True), check_exact=True)
    assert got.rises["at_transition"].sum() == want.rises["at_transition"].sum() > 0
    assert got.steps.to_dict() == want.steps.to_dict() and got.steps.sum() == 20_000
    columns = ["run", "step", "phase", "kl", "eval_score", "status"]
    pd.testing.assert_frame_equal(got.excerpt[columns].reset_index(drop=True),
                                  want.excerpt[columns].reset_index(drop=True), check_dtype=False)
    assert len(got.excerpt) == 100 and set(got.excerpt["run"]) == {want.excerpt_run}
    # the synthetic runs share their family's student, teacher and gap: seeds of one condition each
    pd.testing.assert_frame_equal(got.conditions, want.conditions, check_exact=False, rtol=1e-12)
    assert got.correlation == want.correlation and got.correlation.pooled
    assert got.conditions["n_seeds"].sum() == len(want.judged)
    assert same_values(words.values(got), words.values(want)) == []


def test_methods_seeds_and_provenance_of_a_parquet_log(tmp_path):
    """StepLog.run_labels reads each run's method and least certain status on the engine, as
    distillation.run_labels does on the loaded log, so the conditions are the same."""
    import distlogs as dl

    loaded = dl.log(*[dl.collapsing(f"{m}-s{s}", gap=10, before=0.5, after=(a + 0.02 * s,), seed=s, method=m,
                                    status="figure" if s == 2 and m == "kd" else "measured")
                      for m, a in (("hybrid", 0.0), ("kd", 0.3)) for s in (1, 2)])
    loaded.to_parquet(tmp_path / "distillation.parquet", index=False)
    engine = StepLog(tmp_path / "distillation.parquet")
    pd.testing.assert_frame_equal(engine.run_labels(), distillation.run_labels(loaded))
    got = finding.analyse({"distillation": engine}).conditions
    pd.testing.assert_frame_equal(got, finding.analyse(loaded).conditions)
    # hybrid: scores after 0.02, 0.04 from 0.5: drops 0.96, 0.92; kd: 0.32, 0.34: drops 0.36, 0.32
    assert got["method"].tolist() == ["hybrid", "kd"] and got["status"].tolist() == ["measured", "figure"]
    assert got["mean_drop"].tolist() == [pytest.approx(0.94), pytest.approx(0.34)]


def test_eval_sets_are_compared_on_the_engine_with_many_runs(tmp_path):
    """Past MANY_RUNS runs the log stays on the engine; its eval sets are still compared (they were skipped)."""
    import distlogs as dl

    loaded = dl.log(*[dl.collapsing(f"r{i:02d}", gap=10, before=0.5, after=(0.0, 0.0)) for i in range(13)])
    loaded["eval_set"] = loaded["phase"].map({"off_policy": "heldout-50", "on_policy": "heldout-200"})
    loaded.loc[loaded["run"] == "r00", "eval_set"] = "heldout-200"  # r00 scores both sides on one set
    loaded.to_parquet(tmp_path / "distillation.parquet", index=False)
    got = finding.analyse({"distillation": StepLog(tmp_path / "distillation.parquet")})
    assert got.many and isinstance(got.log, StepLog)
    # r01..r12: heldout-50 before, heldout-200 after; r00 one set; one gap, so no correlation to compare across
    assert [m.compared for m in got.eval_sets] == [f"run r{i:02d}'s eval scores before against after the transition"
                                                   for i in range(1, 13)]
    assert got.eval_sets == finding.analyse(loaded).eval_sets
    assert "different eval sets" in got.conclusion.reason
    assert words.values(got)["n_eval_set_mismatches"] == 12


def test_bands_and_labelled_runs_are_computed_on_the_engine(logs):
    log, want = StepLog(logs["folder"] / "hive"), logs["loaded"]
    runs = want.transitions
    for metric in ("kl", "eval_score"):
        expected = many_runs.phase_curves(want.log, runs, metric)
        got = log.phase_curves(runs, metric, many_runs.QUANTILES)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=False, rtol=1e-12)
        assert expected["n"].max() <= 200 and list(got.columns) == ["family", "offset", "n", "q10", "q50", "q90"]
        top = many_runs.top_runs(runs, 3, "eval_drop")
        pd.testing.assert_frame_equal(many_runs.run_curves(log, top, top["run"], metric).reset_index(drop=True),
                                      many_runs.run_curves(want.log, top, top["run"], metric).reset_index(drop=True))


def test_a_few_runs_of_a_parquet_log_are_read_whole_for_the_figures(tmp_path):
    loaded = io.load("distillation", ROOT / "data" / "distillation.csv")
    loaded.to_parquet(tmp_path / "distillation.parquet", index=False)
    got = finding.analyse(page.load(finding.DATA, distillation_csv=tmp_path / "distillation.parquet"))
    want = finding.analyse(loaded)
    assert not got.many and isinstance(got.log, pd.DataFrame) and len(got.log) == len(loaded)
    assert got.excerpt_run == want.excerpt_run == "llama-hybrid-seed8"
    assert same_values(words.values(got), words.values(want)) == []


def test_the_chapter_on_a_parquet_folder_gives_the_books_numbers(book, tmp_path):
    """The book's own log, written as a hive-partitioned Parquet folder: `run` gives the numbers and tables the
    book (built on the CSV file) holds; only the words naming the files differ."""
    loaded = io.load("distillation", ROOT / "data" / "distillation.csv")
    pq.write_to_dataset(pa.Table.from_pandas(loaded, preserve_index=False), tmp_path / "log",
                        partition_cols=["family"])
    out = build.run_chapter("hybrid-distillation", [], {"distillation_csv": str(tmp_path / "log")}, tmp_path / "out",
                            log=lambda *a: None)
    got = json.loads((out / "results.json").read_text())["results"]
    want = json.loads((book / "results.json").read_text())["chapters"]["hybrid-distillation"]["results"]
    which_files = {"data_files_text", "book_data", "claims_title_text", "claims_text"}
    assert set(got) == set(want)
    assert [k for k in got if k not in which_files and got[k] != want[k]] == []
    assert got["n_runs"] == 2 and got["excerpt_run"] == "llama-hybrid-seed8" and got["verdict"] == want["verdict"]
    assert str(tmp_path / "log") in got["data_files_text"]


def test_the_pandas_engine_loads_a_parquet_log(tmp_path, monkeypatch):
    io.load("distillation", ROOT / "data" / "distillation.csv").to_parquet(tmp_path / "d.parquet", index=False)
    monkeypatch.setenv("EVALPATTERNS_ENGINE", "pandas")
    assert isinstance(page.load(finding.DATA, distillation_csv=tmp_path / "d.parquet")["distillation"], pd.DataFrame)
    monkeypatch.setenv("EVALPATTERNS_ENGINE", "duckdb")
    assert isinstance(page.load(finding.DATA, distillation_csv=tmp_path / "d.parquet")["distillation"], StepLog)


def test_a_problem_in_the_rows_of_a_few_runs_names_the_log_not_a_temporary_file(tmp_path):
    log = io.load("distillation", Path(__file__).resolve().parents[1] / "data" / "distillation.csv")
    (tmp_path / "log").mkdir()
    log.assign(status="guess").to_parquet(tmp_path / "log" / "a.parquet", index=False)
    with pytest.raises(io.DataError) as caught:
        StepLog(tmp_path / "log").rows([log.loc[0, "run"]])
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'log'}, column 'status': expected one of measured, figure, illustrative, pending; found 'guess'"]
