"""The mapping from a source's columns to the contract's fields: sizes and families read off model names,
--map/--set parsing, and the mapping file."""
from __future__ import annotations

import pytest

from evalpatterns.importers.mapping import (ImportFailure, Mapping, check_fields, family_of, pairs,
                                            parse_size)


@pytest.mark.parametrize("name, size", [
    ("Llama-3.1-70B", 70.0), ("meta-llama/Llama-3.2-1B-Instruct", 1.0), ("Qwen2.5-7B-Instruct", 7.0),
    ("Qwen2.5-0.5B", 0.5), ("EleutherAI/pythia-160m", 0.16), ("Llama 1B", 1.0), ("DeepSeek-R1-32B", 32.0),
])
def test_size_from_the_name(name, size):
    assert parse_size(name) == size


@pytest.mark.parametrize("name", ["gpt-4o", "my-model", "Qwen2.5"])
def test_no_size_in_the_name(name):
    assert parse_size(name) != parse_size(name)  # NaN


@pytest.mark.parametrize("name, family", [("meta-llama/Llama-3.2-1B", "Llama"), ("Qwen2.5-7B", "Qwen"),
                                          ("hf/Qwen/Qwen2.5-7B", "Qwen"), ("Llama 1B", "Llama")])
def test_family_from_the_name(name, family):
    assert family_of(name) == family


def test_pairs():
    assert pairs(["kl=train/kl", " seed = config.seed "], "--map") == {"kl": "train/kl", "seed": "config.seed"}
    assert pairs(["a=b=c"], "--set") == {"a": "b=c"}
    with pytest.raises(ImportFailure, match="--map expects FIELD=VALUE; found 'kl'"):
        pairs(["kl"], "--map")


@pytest.mark.parametrize("mapping, message", [
    (Mapping("x", "distillation", set={"status": "figure"}), "--set status: every imported row is status=measured"),
    (Mapping("x", "distillation", map={"studnt": "f"}),
     "--map studnt=...: distillation.csv has no field 'studnt' (did you mean 'student'?)"),
    (Mapping("x", "capability", set={"metrc": "acc"}), "(did you mean 'metric'?)"),
])
def test_fields_are_checked(mapping, message):
    with pytest.raises(ImportFailure) as err:
        check_fields(mapping)
    assert message in str(err.value)


def test_options_and_fields_pass():
    check_fields(Mapping("x", "capability", map={"task": "t"}, set={"metric": "acc", "project": "p"}))


def test_mapping_file_round_trip(tmp_path):
    import yaml

    m = Mapping("wandb-history", "distillation", {"kl": "train/kl"}, {"on_policy_from": "50"}, "runs.csv")
    path = tmp_path / "import-distillation.yml"
    path.write_text(yaml.safe_dump(m.to_dict(["h.csv"], ["distillation.csv"])))
    assert Mapping.from_file(path) == m
    path.write_text("- a list\n")
    with pytest.raises(ImportFailure, match="expected a mapping written by evalpatterns import"):
        Mapping.from_file(path)
