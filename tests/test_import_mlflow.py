"""MLflow tracking stores (the SQL store's mlflow.db and a file store's mlruns/) into distillation.csv."""
from __future__ import annotations

from pathlib import Path

import pytest

import sources
from evalpatterns import distillation, findings, io
from evalpatterns.importers import ImportFailure, Mapping, import_into
from test_import import cli

MAP = {"student": "params.student", "teacher": "params.teacher", "seed": "params.seed"}
REAL = Path(__file__).parent / "fixtures" / "real"  # written by MLflow 3.17.2 itself: make_fixtures.py there
REAL_MAP = {**MAP, "kl": "train/kl", "eval_score": "eval/score", "loss": "train/loss"}


@pytest.mark.parametrize("store", [sources.mlflow_db, sources.mlflow_file_store])
def test_runs_metrics_and_params(tmp_path, store):
    path = store(tmp_path)
    done = import_into("mlflow", [path], tmp_path / "data",
                       Mapping("mlflow", "distillation", map=MAP, set={"on_policy_from": "50"}))
    log = io.load("distillation", done.data_file)
    assert sorted(set(log["run"])) == ["llama-hybrid", "qwen-hybrid"]  # the deleted run left out
    assert len(log) == 2 * len(sources.STEPS) and set(log["source"]) == {path.name}
    llama = log[log["run"] == "llama-hybrid"]
    assert (set(llama["seed"]), set(llama["gap"]), set(llama["family"])) == ({8}, {70.0}, {"Llama"})
    t = distillation.transitions(log).set_index("run").loc["llama-hybrid"]
    assert (t["transition_step"], t["kl_spike_ratio"], t["severity"]) == (50, 348.5, "complete")


def _relog_earlier(store):
    """Log llama-hybrid's eval_score at step 90 once more, last in the store but with an earlier timestamp."""
    if store.is_dir():
        with open(next(store.glob(f"1/{0:032x}/metrics/eval_score")), "a") as f:
            f.write("1089 0.5 90\n")
        return
    import sqlite3

    with sqlite3.connect(store) as con:
        con.execute("INSERT INTO metrics VALUES ('eval_score', 0.5, 1089, ?, 90, 0)", (f"{0:032x}",))


@pytest.mark.parametrize("store", [sources.mlflow_db, sources.mlflow_file_store])
def test_a_metric_logged_twice_at_a_step_has_mlflows_latest_value(tmp_path, store):
    path = store(tmp_path)
    _relog_earlier(path)  # 0.5 at 1089, after 0.0 at 1090 (1000 + step) in the file: the 0.0 is the latest
    done = import_into("mlflow", [path], tmp_path / "data",
                       Mapping("mlflow", "distillation", map=MAP, set={"on_policy_from": "50"}))
    log = io.load("distillation", done.data_file).set_index(["run", "step"])
    assert log.loc[("llama-hybrid", 90), "eval_score"] == 0.0


def test_not_a_tracking_database(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ImportFailure, match="expected an MLflow tracking database .* its tables: t"):
        import_into("mlflow", [path], tmp_path / "data", Mapping("mlflow", "distillation"))


def test_a_misspelt_param(tmp_path):
    path = sources.mlflow_db(tmp_path)
    with pytest.raises(ImportFailure) as err:
        import_into("mlflow", [path], tmp_path / "data",
                    Mapping("mlflow", "distillation", map={**MAP, "student": "params.studnt"}))
    assert "no column 'params.studnt' (did you mean 'params.student'?)" in str(err.value)
    assert "its columns: run, run_id, step, eval_score, kl, params.seed, params.student" in str(err.value)


@pytest.mark.parametrize("store", ["mlflow.db", "mlruns"])
def test_stores_written_by_mlflow(tmp_path, store):
    """The SQL store and the file store MLflow itself wrote: the same two runs, the deleted one left out."""
    done = import_into("mlflow", [REAL / store], tmp_path / "data",
                       Mapping("mlflow", "distillation", map=REAL_MAP, set={"on_policy_from": "50"}))
    assert io.validate("distillation", done.data_file) == []
    log = io.load("distillation", done.data_file)
    assert sorted(set(log["run"])) == ["llama-hybrid", "qwen-hybrid"] and len(log) == 2 * 10
    assert set(log["source"]) == {store}
    qwen = log[log["run"] == "qwen-hybrid"].set_index("step")
    assert (qwen.loc[0, ["student", "teacher", "gap", "seed", "family"]].tolist()
            == ["Qwen2.5-0.5B", "Qwen2.5-7B", 14.0, 1, "Qwen"])  # gap 7 / 0.5
    # loss 2 - step/100, and the NaN MLflow stored at step 30 (is_nan in SQL, 'nan' in a file) left empty
    assert qwen["loss"].isna().tolist() == [s == 30 for s in range(0, 100, 10)]
    assert qwen.loc[90, "loss"] == pytest.approx(1.1)
    assert qwen["phase"].tolist() == ["off_policy"] * 5 + ["on_policy"] * 5
    # llama's eval score at step 90 was logged twice, 0.125 then 0.0: the later one, as MLflow's latest_metrics
    llama = log[log["run"] == "llama-hybrid"].set_index("step")
    assert llama.loc[90, "eval_score"] == 0.0 and llama.loc[40, "eval_score"] == 0.265625
    t = distillation.transitions(log).set_index("run")
    # llama: KL 0.015625 -> 5.4453125 at step 50 (348.5x), eval 0.265625 -> 0: complete;
    # qwen: KL 0.03125 -> 0.25 (8x), eval 0.5 -> 0.25, below 0.5 * (1 - 0.25) but above 0.01: partial
    assert t.loc["llama-hybrid", ["transition_step", "kl_spike_ratio", "severity"]].tolist() == [50, 348.5, "complete"]
    assert t.loc["qwen-hybrid", ["transition_step", "kl_spike_ratio", "severity"]].tolist() == [50, 8.0, "partial"]


def test_command_line_import_validate_and_the_finding_on_mlflows_own_store(tmp_path):
    """Import and validate as a user would, then Finding 4's analysis (what its chapter shows; `evalpatterns run`
    itself is tested on an import in test_import)."""
    out = tmp_path / "data"
    maps = [a for field, column in REAL_MAP.items() for a in ("--map", f"{field}={column}")]
    proc = cli("import", "mlflow", REAL / "mlflow.db", "--to", out, *maps, "--set", "on_policy_from=50")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == (f"wrote {out / 'distillation.csv'}: 20 rows, every one status=measured; "
                                           "valid against the data contract")
    proc = cli("validate", out / "distillation.csv", "--chapter", "hybrid-distillation")
    assert (proc.returncode, proc.stdout) == (0, "1 file valid\n")
    result = findings.analyse("hybrid-distillation", distillation_csv=out / "distillation.csv")
    assert (result.spike["run"], result.spike["transition_step"]) == ("llama-hybrid", 50)
    assert result.spike["kl_spike_ratio"] == pytest.approx(348.5)
    # llama complete, qwen partial: 1 of 2 complete and 2 of 2 collapsed (more than half): supported
    assert (result.complete.k, result.complete.n, result.collapsed.k) == (1, 2, 2)
    assert result.conclusion.verdict == "supported"
