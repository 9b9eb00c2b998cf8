"""The chapter registry and the notebooks agree: ids, order, parameters cells, names and defaults."""
from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest
import yaml

from evalpatterns import chapters as registry
from evalpatterns.build import resolve_parameters, split_book_overrides

ROOT = registry.ROOT


def parameters_cell(chapter):
    nb = jupytext.read(chapter.source)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{chapter.id} needs exactly one cell tagged parameters"
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign), f"{chapter.id}: parameters cell holds only assignments"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=lambda c: c.id)
def test_parameters_cell_matches_registry(chapter):
    declared = parameters_cell(chapter)
    assert list(declared) == [p.name for p in chapter.parameters]
    for p in chapter.parameters:
        if p.type == "path":
            assert (chapter.source.parent / declared[p.name]).resolve() == (ROOT / p.default).resolve()
        else:
            assert declared[p.name] == p.default
            assert type(declared[p.name]).__name__ == ("NoneType" if p.optional else p.type)


def test_toc_lists_every_chapter_in_the_posts_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    ids = [Path(toc["root"]).name] + [Path(c["file"]).name for c in toc["chapters"]
                                       if c["file"].startswith("chapters/")]
    assert toc["chapters"][-1]["file"] == "reproducibility"
    assert ids == [c.id for c in registry.CHAPTERS] == [
        "introduction", "capability-cliff", "mode-collapse", "model-switch-roi", "hybrid-distillation",
        "sl-vs-rl", "summary", "bring-your-own-data", "api"]


def test_unknown_chapter_and_parameter_are_refused_with_the_valid_names():
    with pytest.raises(KeyError, match="did you mean 'mode-collapse'"):
        registry.get("mode-colapse")
    with pytest.raises(ValueError, match="valid names: mode_collapse_csv, claims_csv, collapse_accuracy, complete_accuracy"):
        resolve_parameters("mode-collapse", {"collapse_acc": "0.2"})
    with pytest.raises(ValueError, match="expects a number in \\[0, 1\\]; got 'high'"):
        resolve_parameters("mode-collapse", {"collapse_accuracy": "high"})
    with pytest.raises(ValueError, match="got '1.5'"):
        resolve_parameters("mode-collapse", {"collapse_accuracy": "1.5"})


def test_parameters_are_typed_and_data_paths_absolute(tmp_path):
    params = resolve_parameters("model-switch-roi", {"baseline_accuracy": "0.5"}, data_dir=tmp_path)
    assert params == {"roi_csv": str(tmp_path / "roi.csv"), "claims_csv": str(ROOT / "data" / "claims.csv"),
                      "baseline_accuracy": 0.5}
    (tmp_path / "claims.csv").write_text("x")
    assert resolve_parameters("model-switch-roi", data_dir=tmp_path)["claims_csv"] == str(tmp_path / "claims.csv")


def test_an_optional_input_absent_from_the_data_folder_or_empty_is_not_given(tmp_path):
    assert resolve_parameters("hybrid-distillation", data_dir=tmp_path)["distillation_downstream_csv"] == ""
    (tmp_path / "distillation_downstream.csv").write_text("x")
    given = resolve_parameters("hybrid-distillation", data_dir=tmp_path)
    assert given["distillation_downstream_csv"] == str(tmp_path / "distillation_downstream.csv")
    assert resolve_parameters("hybrid-distillation")["distillation_downstream_csv"] == str(
        ROOT / "data" / "distillation_downstream.csv")
    assert resolve_parameters("hybrid-distillation", {"distillation_downstream_csv": ""})[
        "distillation_downstream_csv"] == ""
    assert [p.name for p in registry.get("hybrid-distillation").required_data] == ["distillation_csv", "claims_csv"]


def test_book_overrides_reach_the_summary():
    out = split_book_overrides([("mode-collapse.collapse_accuracy", "0.2")])
    assert out["mode-collapse"] == {"collapse_accuracy": "0.2"}
    assert out["summary"] == {"collapse_accuracy": "0.2"}
    with pytest.raises(ValueError, match="CHAPTER.NAME"):
        split_book_overrides([("collapse_accuracy", "0.2")])
