"""results.json: one chapter record for build and run, plain JSON values, and the schema that says so."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from evalpatterns import results_json
from evalpatterns.formatting import NA


def test_clean_gives_plain_json():
    raw = {"n": np.int64(3), "x": np.float64(0.25), "missing": None, "shown_missing": NA, "nan": float("nan"),
           "inf": np.inf, "na": pd.NA, "flag": np.bool_(True), "rows": [{"a": np.float32(0.5), "b": "n/a"}],
           "text": "73%"}
    clean = results_json.clean(raw)
    assert clean == {"n": 3, "x": 0.25, "missing": None, "shown_missing": None, "nan": None, "inf": None,
                     "na": None, "flag": True, "rows": [{"a": 0.5, "b": None}], "text": "73%"}
    assert type(clean["n"]) is int and type(clean["x"]) is float and type(clean["flag"]) is bool
    json.dumps(clean, allow_nan=False)  # strict JSON


def test_run_and_build_documents_share_the_chapter_record(tmp_path):
    values = {"gain_ratio": 10.0, "gain_ratio_text": "10x", "spike": math.nan,
              "tbl-roi": [{"approach": "A", "accuracy": 0.5}]}
    record = results_json.chapter_record("model-switch-roi", {"baseline_accuracy": 0.6, "roi_csv": tmp_path / "roi.csv"},
                                         values, ["figures/fig-roi.png"])
    run = results_json.run_document(record)
    book = results_json.book_document({"model-switch-roi": results_json.chapter_record(
        "model-switch-roi", {"baseline_accuracy": 0.6}, {"gain_ratio": 10.0})})
    assert results_json.problems(run) == [] and results_json.problems(book) == []
    assert run["parameters"]["roi_csv"] == str(tmp_path / "roi.csv") and run["results"]["spike"] is None
    assert {k: v for k, v in run.items() if k != "version"} == record
    written = results_json.write(tmp_path / "results.json", run)
    assert json.loads(written.read_text()) == run


@pytest.mark.parametrize("document", [
    {"version": 1, "chapter": "x", "parameters": {}, "results": {"a": "n/a"}},  # text for a missing value
    {"version": 1, "chapter": "x", "parameters": {}, "results": {"a": "0.5", "b": {"c": 1}}},  # not a value
    {"version": 2, "chapter": "x", "parameters": {}, "results": {}},  # another version
    {"version": 1, "chapter": "x", "parameters": {}},  # no results
    {"version": 1, "chapters": {"x": {"chapter": "x", "parameters": {}, "results": {"t": [{"c": [1]}]}}}},
    {"version": 1, "chapters": {}, "extra": 1},
])
def test_schema_rejects_text_for_missing_values_and_other_shapes(tmp_path, document):
    assert results_json.problems(document), document
    with pytest.raises(ValueError, match="results.json does not meet its schema"):
        results_json.write(tmp_path / "results.json", document)
    assert not (tmp_path / "results.json").exists()


def test_schema_is_versioned():
    schema = results_json.schema()
    assert schema["$id"] == f"urn:evalpatterns:results:{results_json.VERSION}"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)
