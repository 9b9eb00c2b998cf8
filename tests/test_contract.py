"""The contract's published forms: data/datapackage.json and the datasheet's tables are generated from the
schema module, and a Frictionless tool checks data files against the package as ``evalpatterns validate``
does."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pytest

from evalpatterns import contract, io
from evalpatterns.schema import SCHEMAS

DATA = Path(__file__).resolve().parents[1] / "data"


def frictionless_errors(package: Path) -> list[tuple[str, str, str]]:
    """(resource, error type, field) of every error Frictionless finds in a package."""
    report = frictionless.validate(str(package))
    return [(task.name, e.type, getattr(e, "field_name", "")) for task in report.tasks for e in task.errors]


def test_committed_datapackage_is_the_one_the_schema_module_writes():
    assert (DATA / "datapackage.json").read_text(encoding="utf-8") == contract.datapackage_text(), \
        "data/datapackage.json is out of date: run python -m evalpatterns.contract"


def test_datasheet_tables_are_the_schema_modules():
    sheet = (DATA / "README.md").read_text(encoding="utf-8")
    for schema in SCHEMAS.values():
        assert f"## `{schema.filename}`\n\n{contract.datasheet_section(schema)}\n" in sheet, schema.filename


def test_every_column_is_a_field_with_its_constraints():
    package = contract.datapackage(list(SCHEMAS))
    assert [r["path"] for r in package["resources"]] == [s.filename for s in SCHEMAS.values()]
    roi = next(r for r in package["resources"] if r["path"] == "roi.csv")["schema"]
    fields = {f["name"]: f for f in roi["fields"]}
    assert list(fields) == SCHEMAS["roi"].names and roi["primaryKey"] == ["approach"]
    accuracy = {k: v for k, v in fields["accuracy"].items() if k != "description"}
    assert accuracy == {"name": "accuracy", "type": "number", "unit": "fraction",
                        "constraints": {"minimum": 0, "maximum": 1}}
    assert fields["kind"]["constraints"] == {"required": True, "enum": ["training", "model_switch", "baseline"]}
    assert fields["n_eval"]["type"] == "integer" and fields["n_eval"]["constraints"] == {"minimum": 1}
    mem = next(r for r in package["resources"] if r["path"] == "memorization.csv")["schema"]
    episodes = next(f for f in mem["fields"] if f["name"] == "episodes")
    assert episodes["constraints"] == {"exclusiveMinimum": 0}


def test_frictionless_finds_data_valid():
    assert frictionless_errors(DATA / "datapackage.json") == []


@pytest.fixture
def copy_of_data(tmp_path) -> Path:
    for p in list(DATA.glob("*.csv")) + [DATA / "datapackage.json"]:
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, error", [
    # an accuracy above 1, a status outside the vocabulary, a missing required cell, a repeated key
    ("mode_collapse.csv", "5000,0.02,", "5000,1.5,", ("mode-collapse", "constraint-error", "accuracy")),
    ("roi.csv", "32,120,,0.00,0.03,,,measured", "32,120,,0.00,0.03,,,Measured",
     ("roi", "constraint-error", "status")),
    ("roi.csv", "Training Attempt 2,training,", "Training Attempt 2,,", ("roi", "constraint-error", "kind")),
    ("roi.csv", "Training Attempt 3,", "Training Attempt 2,", ("roi", "primary-key", "")),
])
def test_frictionless_and_validate_both_reject_a_broken_file(copy_of_data, file, old, new, error):
    _edit(copy_of_data / file, old, new)
    assert frictionless_errors(copy_of_data / "datapackage.json") == [error]
    kind = file.removesuffix(".csv")
    assert len(io.validate(kind, copy_of_data / file)) == 1


def test_absent_optional_columns_pass_both_and_an_absent_required_one_fails_both(copy_of_data):
    roi = copy_of_data / "roi.csv"
    lines = roi.read_text(encoding="utf-8").splitlines()
    keep = [0, 1, 3, 4, 5, 6]  # without attempt 1, known only as a range, and without the range columns
    header = lines[0].split(",")
    cols = [j for j, c in enumerate(header) if c not in ("accuracy_low", "accuracy_high", "note")]
    rows = [[c for j, c in enumerate(lines[i].split(",")) if j in cols] for i in keep]
    assert all(len(r) == len(cols) for r in rows)  # (no quoted commas in these rows)
    roi.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    assert frictionless_errors(copy_of_data / "datapackage.json") == []
    assert io.validate("roi", roi) == []
    cols = [j for j, c in enumerate(rows[0]) if c != "minutes"]
    roi.write_text("\n".join(",".join(r[j] for j in cols) for r in rows) + "\n", encoding="utf-8")
    assert frictionless_errors(copy_of_data / "datapackage.json") == [("roi", "missing-label", "minutes")]
    assert [p.column for p in io.validate("roi", roi)] == ["minutes"]


def test_write_datapackage_for_other_kinds(tmp_path):
    path = contract.write_datapackage(tmp_path, ["distillation_downstream"])
    package = json.loads(path.read_text())
    assert [r["path"] for r in package["resources"]] == ["distillation_downstream.csv"]
    (tmp_path / "distillation_downstream.csv").write_text(
        "method,family,task,accuracy,n_correct,n_eval,status,source\nhybrid,Llama,gsm8k,0.46,23,50,measured,log\n")
    assert frictionless_errors(path) == []
