"""Weights & Biases history exports (long, wide, CSV, Parquet, with the runs table) into distillation.csv."""
from __future__ import annotations

import pytest

import sources
from evalpatterns import distillation, io
from evalpatterns.importers import ImportFailure, Mapping, import_into

LONG_MAP = {"kl": "train/kl", "loss": "train/loss", "eval_score": "eval/score", "student": "config.student",
            "teacher": "config.teacher", "seed": "config.seed"}


def _imported(tmp_path, sources_, **mapping):
    done = import_into("wandb-history", sources_, tmp_path / "out", Mapping("wandb-history", "distillation", **mapping))
    return io.load("distillation", done.data_file)


def _assert_llama_transition(log):
    t = distillation.transitions(log).set_index("run")
    llama = t.loc["llama-hybrid"]
    # transition at step 50; KL 0.015625 -> 5.4453125 = 348.5x; eval 0.265625 -> 0 (complete collapse)
    assert llama["transition_step"] == sources.TRANSITION
    assert (llama["kl_before"], llama["kl_at"]) == (sources.KL_BEFORE, sources.KL_AFTER)
    assert llama["kl_spike_ratio"] == pytest.approx(348.5, rel=1e-12)
    assert llama["severity"] == "complete"


@pytest.mark.parametrize("name", ["history.csv", "history.parquet"])
def test_long_history_joined_to_the_runs_table(tmp_path, name):
    history = sources.wandb_long(tmp_path, name)
    log = _imported(tmp_path, [history], map=LONG_MAP, set={"on_policy_from": "50"},
                    runs=str(sources.wandb_runs(tmp_path)))
    assert len(log) == 2 * len(sources.STEPS)  # the eval rows of a step merged into its train row
    llama = log[log["run"] == "llama-hybrid"]
    # family and gap derived from the config's model names: Llama, 70B / 1B
    assert set(llama["family"]) == {"Llama"} and set(llama["gap"]) == {70.0} and set(llama["seed"]) == {8}
    assert set(log.loc[log["run"] == "qwen-hybrid", "gap"]) == {14.0}  # 7B / 0.5B
    assert (log["status"] == "measured").all() and set(log["source"]) == {name}
    assert llama.loc[llama["step"] == 90, "loss"].item() == pytest.approx(1.1)
    _assert_llama_transition(log)


def test_wide_chart_export_one_file_per_metric(tmp_path):
    log = _imported(tmp_path, sources.wandb_wide(tmp_path), runs=str(sources.wandb_runs(tmp_path)),
                    map={"student": "config.student", "teacher": "config.teacher"}, set={"on_policy_from": "50"})
    assert set(log["source"]) == {"wandb_export_eval_score.csv; wandb_export_kl.csv"}  # each row from both files
    assert len(log) == 2 * len(sources.STEPS) and log["loss"].isna().all()
    _assert_llama_transition(log)


def test_phase_from_a_column(tmp_path):
    import pandas as pd

    path = sources.wandb_long(tmp_path)
    frame = pd.read_csv(path)
    frame["stage"] = ["off-policy" if s < 50 else "On-Policy" for s in frame["_step"]]
    frame.to_csv(path, index=False)
    log = _imported(tmp_path, [path], map={**LONG_MAP, "phase": "stage"}, runs=str(sources.wandb_runs(tmp_path)))
    assert log.groupby("phase")["step"].min().to_dict() == {"off_policy": 0, "on_policy": 50}


@pytest.mark.parametrize("mapping, message", [
    ({"map": {**LONG_MAP, "kl": "train/kll"}}, "no column 'train/kll' (did you mean 'train/kl'?) (mapped to kl"),
    ({"map": {k: v for k, v in LONG_MAP.items() if k != "student"}, "set": {"on_policy_from": "50"}},
     "nothing fills the required field 'student' of distillation.csv: map a column with --map student=COLUMN"),
    ({"map": LONG_MAP}, "nothing fills the required field 'phase'"),
    ({"map": LONG_MAP, "set": {"on_policy_from": "fifty"}}, "--set on_policy_from expects a number; found 'fifty'"),
    ({"map": {**LONG_MAP, "klx": "train/kl"}},
     "--map klx=...: distillation.csv has no field 'klx' (did you mean 'kl'?)"),
])
def test_a_missing_or_misspelt_column_is_one_message_naming_it_and_the_columns(tmp_path, mapping, message):
    history = sources.wandb_long(tmp_path)
    with pytest.raises(ImportFailure) as err:
        _imported(tmp_path, [history], runs=str(sources.wandb_runs(tmp_path)), **mapping)
    assert message in str(err.value)
    if "its columns" in str(err.value):  # the columns that exist, history's and the runs table's
        assert "train/kl, train/loss" in str(err.value) and "config.student" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_runs_table_without_the_run_names(tmp_path):
    history = sources.wandb_long(tmp_path)
    runs = tmp_path / "runs.csv"
    runs.write_text("Name,config.student\nother,Llama-1B\n")
    with pytest.raises(ImportFailure, match="no column holds the history's run names .* --set runs_key=COLUMN; "
                                            "its columns: Name, config.student"):
        _imported(tmp_path, [history], map=LONG_MAP, runs=str(runs))
