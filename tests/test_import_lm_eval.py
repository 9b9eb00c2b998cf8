"""lm-evaluation-harness results files into capability.csv (and the method-level downstream file)."""
from __future__ import annotations

import json

import pytest

import sources
from evalpatterns import io
from evalpatterns.importers import ImportFailure, Mapping, import_into


@pytest.fixture
def results(tmp_path):
    out = tmp_path / "lm_eval_out"
    # 146/200 on the full set; 46/50 on a 50-question subset of 1319 (--limit 50)
    sources.lm_eval_results(out, "Qwen/Qwen2.5-7B-Instruct", "arc_easy", 0.73, 0.0314, 200, 200)
    sources.lm_eval_results(out, "meta-llama/Llama-3.2-3B", "gsm8k", 0.92, "N/A", 50, 1319)
    return out


def test_one_row_per_model_and_task_with_counts_and_stderr(tmp_path, results):
    done = import_into("lm-eval", [results], tmp_path / "data",
                       Mapping("lm-eval", "capability", set={"project": "mine", "stage": "base", "metric": "acc"}))
    cap = io.load("capability", done.data_file).set_index("task")
    qwen, llama = cap.loc["arc_easy"], cap.loc["gsm8k"]
    assert qwen[["params_b", "value", "n_eval", "n_correct", "stderr"]].tolist() == [7.0, 0.73, 200, 146, 0.0314]
    assert llama[["params_b", "value", "n_eval", "n_correct"]].tolist() == [3.0, 0.92, 50, 46]
    assert pd_isna(llama["stderr"])  # "N/A" in the file
    assert (qwen["eval_set"], llama["eval_set"]) == ("arc_easy", "gsm8k (50 of 1319)")
    assert cap["higher_is_better"].tolist() == [True, True] and cap["scale_max"].tolist() == [1.0, 1.0]
    assert set(cap["project"]) == {"mine"} and set(cap["status"]) == {"measured"}
    assert set(cap["source"]) == {"results_2025-01-01T00-00-00.000000.json"}


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_another_metric_and_a_mapped_size(tmp_path, results):
    done = import_into("lm-eval", [results], tmp_path / "data", Mapping(
        "lm-eval", "capability", set={"project": "p", "stage": "trained", "metric": "acc_norm", "params_b": "1.5"}))
    cap = io.load("capability", done.data_file).set_index("task")
    assert cap.loc["arc_easy", "value"] == 0.74 and set(cap["params_b"]) == {1.5}


def test_method_level_downstream_results(tmp_path, results):
    done = import_into("lm-eval", [results], tmp_path / "data",
                       Mapping("lm-eval", "distillation_downstream", set={"method": "hybrid"}))
    down = io.load("distillation_downstream", done.data_file).set_index("task")
    assert down.loc["arc_easy", ["family", "student", "accuracy", "n_eval"]].tolist() == [
        "Qwen", "Qwen/Qwen2.5-7B-Instruct", 0.73, 200]


@pytest.mark.parametrize("mapping, message", [
    ({"project": "p", "stage": "base", "metric": "accuracy"},
     "task 'arc_easy' has no metric 'accuracy'; choose one with --set metric=NAME; its metrics: acc, acc_norm"),
    ({"stage": "base"}, "nothing fills the required field 'project' of capability.csv"),
    ({"project": "p", "stage": "baseline"}, "column 'stage': expected one of base, trained; found 'baseline'"),
])
def test_wrong_choices_are_one_message(tmp_path, results, mapping, message):
    with pytest.raises(ImportFailure) as err:
        import_into("lm-eval", [results], tmp_path / "data", Mapping("lm-eval", "capability", set=mapping))
    assert message in str(err.value)
    assert not (tmp_path / "data").exists()


def test_unsized_model_and_not_a_results_file(tmp_path):
    path = sources.lm_eval_results(tmp_path, "my-model", "arc_easy", 0.5, 0.01, 10, 10)
    with pytest.raises(ImportFailure, match="cannot tell the size of model 'my-model'.*--set params_b="):
        import_into("lm-eval", [path], tmp_path / "a",
                    Mapping("lm-eval", "capability", set={"project": "p", "stage": "base"}))
    other = tmp_path / "results_x.json"
    other.write_text(json.dumps({"accuracy": 0.5}))
    with pytest.raises(ImportFailure, match="expected lm-evaluation-harness results .* found keys accuracy"):
        import_into("lm-eval", [other], tmp_path / "b", Mapping("lm-eval", "capability"))
