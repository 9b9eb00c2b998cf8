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
        f"{folder / 'a.parquet'}, line 6, column 'run': expected text (a value is required); found an empty cell",
        f"{folder / 'a.parquet'}, line 5, column 'step': expected a whole number >= 0; found -10 "
        "(and 1 more row like it)",
        f"{folder / 'b.parquet'}, line 4, column 'phase': expected one of off_policy, on_policy; found 'sideways'",
    ]


def test_text_in_a_number_column_and_a_repeated_key(log, tmp_path):
    text = log.astype({"gap": "str"})
    text.loc[11, "gap"] = "big"
    got = [str(p) for p in validate.problems("distillation", folder_of(text, tmp_path / "text"))]
    assert got == [f"{tmp_path / 'text' / 'b.parquet'}, line 3, column 'gap': expected a number > 0; found 'big'"]
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


def both_paths(frame: pd.DataFrame, folder: Path, kind: str = "distillation") -> tuple[list, list]:
    """The problems of ``frame`` as one Parquet file, checked in SQL (the file's folder) and by pandas (the file
    itself, small enough to load): each as (file name, line, column, expected)."""
    folder.mkdir()
    frame.to_parquet(folder / f"{kind}.parquet", index=False)
    engine = validate.problems(kind, folder)
    pandas = io.check(kind, folder / f"{kind}.parquet")[1]
    return ([(Path(p.file).name, p.line, p.column, p.expected) for p in engine],
            [(Path(p.file).name, p.line, p.column, p.expected) for p in pandas])


def agree(engine: list, pandas: list) -> None:
    """The SQL check breaks the rules pandas breaks, each named at the first row pandas names for it."""
    first = {}
    for file, line, column, expected in pandas:
        first.setdefault((column, expected), (file, line, column, expected))
    assert sorted(engine, key=str) == sorted(first.values(), key=str)


def test_every_schema_column_is_checked_as_pandas_checks_it(log, tmp_path):
    bad = log.copy()
    bad["status"], bad["source"] = "guess", ""  # every row: a status outside the vocabulary, no source
    bad = bad.astype({"loss": "str"})
    bad.loc[5, "loss"] = "low"  # not a number
    engine, pandas = both_paths(bad, tmp_path / "log")
    agree(engine, pandas)
    assert {(c, e) for _, _, c, e in engine} == {
        ("status", "one of measured, figure, illustrative, pending"), ("source", "text (a value is required)"),
        ("loss", "a number")}
    got = [str(p) for p in validate.problems("distillation", tmp_path / "log")]
    assert f"{tmp_path / 'log' / 'distillation.parquet'}, line 2, column 'status': expected one of measured, " \
           f"figure, illustrative, pending; found 'guess' (and {len(log) - 1:,} more rows like it)" in got


def test_no_rows_is_a_problem(log, tmp_path):
    engine, pandas = both_paths(log.iloc[:0], tmp_path / "none")
    assert engine == [("none", None, None, "at least one data row")]  # named by the folder
    assert [e for *_, e in pandas] == ["at least one data row"]


def test_the_rules_between_columns_of_a_row(log, tmp_path):
    counts = {c: pd.array([n] * len(log), dtype="Int64") for c, n in (("n_correct", 40), ("n_eval", 50))}
    bad = log.assign(**counts, eval_score_low=0.1, eval_score_high=0.2)
    bad.loc[[3, 7], "n_correct"] = 60
    bad.loc[9, ["eval_score_low", "eval_score_high"]] = [0.5, 0.4]
    bad.loc[11, "step"] = -1  # a bad cell: that row's rules are not checked again
    bad.loc[11, "n_correct"] = 70
    engine, pandas = both_paths(bad, tmp_path / "log")
    agree(engine, pandas)
    assert {(line, c, e) for _, line, c, e in engine} == {
        (5, "n_correct", "n_correct <= n_eval"), (11, "eval_score_low", "eval_score_low <= eval_score_high"),
        (13, "step", "a whole number >= 0")}
    got = [str(p) for p in validate.problems("distillation", tmp_path / "log")]
    assert f"{tmp_path / 'log' / 'distillation.parquet'}, line 5, column 'n_correct': expected n_correct <= " \
           "n_eval; found n_correct=60, n_eval=50 (and 1 more row like it)" in got


@pytest.mark.parametrize("steps, found", [
    ((10.6, 9.5), "10.6 (and 1 more row like it)"),  # DuckDB's cast would round both, the second to 10
    ((float("inf"), 1e30), "inf (and 1 more row like it)"),  # a cast would raise
    ((0.5, 2.0 ** 63), "0.5 (and 1 more row like it)"),
])
def test_a_whole_number_stored_as_a_float_is_never_rounded(log, tmp_path, steps, found):
    bad = log.astype({"step": "float64"})
    bad.loc[[2, 6], "step"] = steps
    engine, pandas = both_paths(bad, tmp_path / "log")
    agree(engine, pandas)
    assert [str(p) for p in validate.problems("distillation", tmp_path / "log")] == [
        f"{tmp_path / 'log' / 'distillation.parquet'}, line 4, column 'step': expected a whole number >= 0; "
        f"found {found}"]


def test_a_missing_step_stored_as_nan_is_a_missing_value(log, tmp_path):
    bad = log.astype({"step": "float64"})
    bad.loc[4, "step"] = float("nan")
    engine, pandas = both_paths(bad, tmp_path / "log")
    agree(engine, pandas)
    assert engine == [("distillation.parquet", 6, "step", "a whole number >= 0 (a value is required)")]


def test_memorization_seed_rows_as_pandas_checks_them(tmp_path):
    rows = io.load("memorization", ROOT / "data" / "memorization.csv")
    bad = rows.astype({"converged": "str", "n_values": "float64"})
    bad.loc[1, "converged"] = "maybe"
    bad.loc[2, "n_values"] = 4.5
    bad.loc[3, "method"] = "guessing"
    engine, pandas = both_paths(bad, tmp_path / "seeds", "memorization")
    agree(engine, pandas)
    assert {c for _, _, c, _ in engine} == {"converged", "n_values", "method"}


def test_an_engine_error_is_one_problem_naming_the_folder(log, tmp_path):
    folder = folder_of(log, tmp_path / "log")
    (folder / "c.parquet").write_bytes(b"PAR1 not really")
    got = validate.problems("distillation", folder)
    assert [(p.file, p.expected) for p in got] == [(str(folder), "readable Parquet files")]
    assert got[0].found.startswith("unreadable (")


def test_a_key_repeated_with_a_missing_seed(tmp_path):
    rows = io.load("memorization", ROOT / "data" / "memorization.csv")
    assert rows["seed"].isna().all()  # the book's rows are aggregates over seeds: no seed
    twice = pd.concat([rows, rows.iloc[[0]]], ignore_index=True)
    engine, pandas = both_paths(twice, tmp_path / "seeds", "memorization")
    agree(engine, pandas)
    got = [str(p) for p in validate.problems("memorization", tmp_path / "seeds")]
    assert got == [f"{tmp_path / 'seeds' / 'memorization.parquet'}, line {len(rows) + 2}, column 'method, n_values, "
                   "seed': expected one row per (method, n_values, seed); found a duplicate of memorization.parquet "
                   f"line 2 (method={rows.loc[0, 'method']}, n_values={rows.loc[0, 'n_values']}, seed=)"]


def test_a_nul_byte_an_infinite_number_and_a_bound_as_pandas_checks_them(log, tmp_path):
    bad = log.copy()
    bad.loc[3, "note"], bad.loc[4, "kl"], bad.loc[5, "gap"] = "a\x00b", float("inf"), 0.0
    engine, pandas = both_paths(bad, tmp_path / "log")
    agree(engine, pandas)
    assert sorted(engine) == [("distillation.parquet", 5, "note", "text without NUL bytes"),
                              ("distillation.parquet", 6, "kl", "a number >= 0"),
                              ("distillation.parquet", 7, "gap", "a number > 0")]
