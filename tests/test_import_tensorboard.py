"""TensorBoard event files (written by tensorboardX) into distillation.csv: every point, no sampling."""
from __future__ import annotations

import pytest

import sources
from evalpatterns import distillation, io
from evalpatterns.importers import ImportFailure, Mapping, import_into


def test_every_point_and_the_transition(tmp_path):
    logdir = sources.tensorboard_run(tmp_path / "tb")
    done = import_into("tensorboard", [logdir], tmp_path / "data", Mapping(
        "tensorboard", "distillation", map={"kl": "train/kl", "eval_score": "eval/score"},
        set={"student": "Llama-3.2-1B", "teacher": "Llama-3.1-70B", "on_policy_from": "6000"}))
    log = io.load("distillation", done.data_file)
    # 10,200 steps: more than the 10,000 TensorBoard's default reservoir would keep; eval every 100th
    assert (len(log), log["step"].min(), log["step"].max()) == (10_200, 0, 10_199)
    assert log["kl"].notna().all() and log["eval_score"].notna().sum() == 102
    t = distillation.transitions(log).set_index("run").loc["llama-hybrid"]
    assert (t["transition_step"], t["kl_before"], t["kl_at"]) == (6_000, 0.015625, 5.4453125)
    assert (t["kl_spike_ratio"], t["severity"]) == (348.5, "complete")  # exact: both values are exact in float32
    assert set(log["gap"]) == {70.0} and set(log["source"]) == {"tb"}


def test_a_folder_without_event_files(tmp_path):
    with pytest.raises(ImportFailure, match="expected TensorBoard event files .* found none"):
        import_into("tensorboard", [tmp_path], tmp_path / "data", Mapping("tensorboard", "distillation"))


def test_a_misspelt_tag(tmp_path):
    logdir = sources.tensorboard_run(tmp_path / "tb", steps=20, transition=10)
    with pytest.raises(ImportFailure) as err:
        import_into("tensorboard", [logdir], tmp_path / "data", Mapping(
            "tensorboard", "distillation", map={"kl": "train/KL"}, set={"student": "A-1B", "teacher": "A-8B"}))
    assert str(err.value) == (f"{logdir}: no column 'train/KL' (did you mean 'train/kl'?) (mapped to kl with --map); "
                              "its columns: run, step, eval/score, train/kl")
