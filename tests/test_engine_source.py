"""engine.source: a Parquet input is read as a CSV file of the same rows is. An optional column of the schema
(``seed``, ``kl``) may be left out of either, and the engine's results then equal the pandas path's; a
required column left out is one message naming the file and the column."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalpatterns import distillation, engine, io, memorization
from evalpatterns.engine import backends, source

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def con():
    return backends.duckdb(memory_limit="1GB", threads=2)


def without(kind: str, columns: list[str], folder: Path) -> tuple[Path, Path]:
    """The book's ``kind`` file without ``columns``, as CSV and as Parquet (the same rows)."""
    frame = pd.read_csv(DATA / f"{kind}.csv").drop(columns=columns)
    csv, parquet = folder / f"{kind}.csv", folder / f"{kind}.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet, index=False)
    return csv, parquet


@pytest.mark.parametrize("columns", [["seed"], ["seed", "kl"]])
def test_a_step_log_without_optional_columns_gives_the_pandas_transitions(con, tmp_path, columns):
    csv, parquet = without("distillation", columns, tmp_path)
    expected = distillation.transitions(io.load("distillation", csv))
    got = engine.transitions(parquet, con=con, engine="duckdb")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["seed"].isna().all() and len(got) == len(expected) > 0
    if "kl" in columns:  # no KL logged: no run has a KL before or at its transition
        assert got["kl_at"].isna().all()
    else:  # the post's example survives: 0.015 -> 5.4453 at step 50
        assert got.set_index("run").loc["llama-hybrid-seed8", "kl_at"] == 5.4453


def test_per_seed_rows_without_the_seed_column_give_the_pandas_tables(con, tmp_path):
    csv, parquet = without("memorization", ["seed"], tmp_path)
    mem = io.load("memorization", csv)
    pd.testing.assert_frame_equal(engine.episodes_table(parquet, engine="duckdb", con=con),
                                  memorization.episodes_table(mem))
    assert engine.effect_sizes_from_seeds(parquet, engine="duckdb", con=con).empty  # no seed, no per-seed g


def test_a_required_column_left_out_is_named(con, tmp_path):
    _, parquet = without("distillation", ["phase"], tmp_path)
    with pytest.raises(source.SourceError, match=r"distillation.parquet: expected the column phase of a "
                                                 r"distillation file, found run, family"):
        engine.transitions(parquet, con=con, engine="duckdb")


@pytest.mark.parametrize("step", [9.5, float("inf"), 1e30])
def test_a_step_that_is_not_a_whole_number_is_never_rounded_nor_raised(con, tmp_path, step):
    log = pd.read_csv(DATA / "distillation.csv").astype({"step": "float64"})
    log.loc[2, "step"] = step  # DuckDB's cast would round 9.5 to 10, and fail on inf or 1e30
    log.to_parquet(tmp_path / "distillation.parquet", index=False)
    with pytest.raises(source.SourceError, match=r"distillation.parquet: column 'step': expected a whole number "
                                                 r">= 0, found an empty cell in 1 row"):
        engine.transitions(tmp_path / "distillation.parquet", con=con, engine="duckdb")


def test_whole_numbers_stored_as_floats_are_read_as_they_are(con, tmp_path):
    csv, parquet = without("distillation", [], tmp_path)
    pd.read_csv(csv).astype({"step": "float64"}).to_parquet(parquet, index=False)
    pd.testing.assert_frame_equal(engine.transitions(parquet, con=con, engine="duckdb"),
                                  distillation.transitions(io.load("distillation", csv)), check_exact=True)


def test_an_engine_error_on_the_data_names_it(con, tmp_path):
    from evalpatterns.engine.steplog import StepLog

    (tmp_path / "log").mkdir()
    pd.read_csv(DATA / "distillation.csv").to_parquet(tmp_path / "log" / "a.parquet", index=False)
    (tmp_path / "log" / "b.parquet").write_bytes(b"PAR1 not really")
    for call in (lambda: StepLog(tmp_path / "log").runs(), lambda: StepLog(tmp_path / "log").status_counts(),
                 lambda: engine.transitions(tmp_path / "log", engine="duckdb")):
        with pytest.raises(source.SourceError, match=rf"^{tmp_path / 'log'}: unreadable \("):
            call()
