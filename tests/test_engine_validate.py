"""engine.validate: a Parquet folder (or a large Parquet file) is checked in SQL, each broken rule named by
file, line, column, what was expected and what was found, without loading it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalpatterns import io
from evalpatterns.engine import validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return io.load("distillation", ROOT / "data" / "distillation.csv")


def folder_of(frame: pd.DataFrame, folder: Path, split: int = 10) -> Path:
    """``frame`` as two Parquet files in ``folder``: rows before ``split`` in a.parquet, the rest in b.parquet."""
    folder.mkdir()
    frame.iloc[:split].to_parquet(folder / "a.parquet", index=False)
    frame.iloc[split:].to_parquet(folder / "b.parquet", index=False)
    return folder


def test_a_valid_folder_has_no_problem_and_is_checked_in_the_engine(log, tmp_path):
    folder = folder_of(log, tmp_path / "log")
    assert validate.in_engine("distillation", folder) and io.validate("distillation", folder) == []
    assert not validate.in_engine("distillation", ROOT / "data" / "distillation.csv")
    assert not validate.in_engine("roi", folder)  # no engine analysis reads it


def test_a_large_parquet_file_is_checked_in_the_engine(log, tmp_path, monkeypatch):
    log.to_parquet(tmp_path / "distillation.parquet", index=False)
    assert not validate.in_engine("distillation", tmp_path / "distillation.parquet")
    monkeypatch.setattr(validate, "IN_MEMORY_ROWS", len(log) - 1)
    assert validate.in_engine("distillation", tmp_path / "distillation.parquet")


def test_each_broken_rule_names_file_line_and_column(log, tmp_path):
    bad = log.copy()
    bad.loc[12, "phase"] = "sideways"  # b.parquet, its row 2: line 4
    bad.loc[[3, 15], "step"] = -10  # a.parquet line 5, and one more
    bad.loc[4, "run"] = None
    got = [str(p) for p in io.validate("distillation", folder_of(bad, tmp_path / "log"))]
    folder = tmp_path / "log"
    assert got == [
        f"{folder / 'a.parquet'}, line 6, column 'run': expected a value; found an empty cell",
        f"{folder / 'a.parquet'}, line 5, column 'step': expected a whole number >= 0; found -10 "
        "(and 1 more row like it)",
        f"{folder / 'b.parquet'}, line 4, column 'phase': expected one of off_policy, on_policy; found 'sideways'",
    ]


def test_text_in_a_number_column_and_a_repeated_key(log, tmp_path):
    text = log.astype({"gap": "str"})
    text.loc[11, "gap"] = "big"
    got = [str(p) for p in validate.problems("distillation", folder_of(text, tmp_path / "text"))]
    assert got == [f"{tmp_path / 'text' / 'b.parquet'}, line 3, column 'gap': expected a number; found 'big'"]
    twice = pd.concat([log, log.iloc[[2]]], ignore_index=True)
    got = [str(p) for p in validate.problems("distillation", folder_of(twice, tmp_path / "twice"))]
    run, step = log.loc[2, "run"], log.loc[2, "step"]
    assert got == [f"{tmp_path / 'twice' / 'b.parquet'}, line {len(log) - 10 + 2}, column 'run, step': expected one "
                   f"row per (run, step); found a duplicate of a.parquet line 4 (run={run}, step={step})"]


def test_a_missing_column_or_no_parquet_file(log, tmp_path):
    got = validate.problems("distillation", folder_of(log.drop(columns=["phase"]), tmp_path / "nophase"))
    assert [str(p) for p in got] == [f"{tmp_path / 'nophase'}, line 1, column 'phase': expected a column named "
                                     "'phase'; found no such column"]
    # optional columns may be left out, as of a CSV file
    assert validate.problems("distillation", folder_of(log.drop(columns=["kl", "seed"]), tmp_path / "nokl")) == []
    (tmp_path / "empty").mkdir()
    assert [p.expected for p in validate.problems("distillation", tmp_path / "empty")] == ["Parquet files"]
