"""MLflow tracking stores (the SQL store's mlflow.db and a file store's mlruns/) into distillation.csv."""
from __future__ import annotations

import pytest

import sources
from evalpatterns import distillation, io
from evalpatterns.importers import ImportFailure, Mapping, import_into

MAP = {"student": "params.student", "teacher": "params.teacher", "seed": "params.seed"}


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
