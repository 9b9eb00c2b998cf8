"""The engine (Ibis expressions on DuckDB) against the pandas path: the same per-run results, on the book's
data (exactly), on random small logs with every awkward case, on 10^5-10^6 generated rows, and read from
every kind of input (Parquet file, folder, hive-partitioned folder, large CSV converted once)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalpatterns import cli, distillation, engine, io, memorization
from evalpatterns.engine import backends, convert, source

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402


@pytest.fixture(scope="module")
def con():
    return backends.duckdb(memory_limit="1GB", threads=2)


def random_log(seed: int, n_runs: int = 40) -> pd.DataFrame:
    """Runs of 1-12 steps in shuffled row order: phases at random (so runs that switch back and forth, never
    switch, start on-policy), KL and eval scores often missing, zero KL, descriptive columns missing at the
    first steps, seeds missing for whole runs."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_runs):
        n = int(rng.integers(1, 13))
        steps = np.sort(rng.choice(1000, n, replace=False))
        seed_value = pd.NA if rng.random() < 0.3 else int(rng.integers(0, 50))
        for i, s in enumerate(steps):
            hide = i < rng.integers(0, 3)  # the first value of a run may be missing
            rows.append({
                "run": f"run-{r:03d}", "family": None if hide else f"F{r % 3}",
                "student": None if hide else "S", "teacher": "T", "gap": np.nan if hide else 1.5 + r % 4,
                "seed": pd.NA if hide else seed_value, "step": int(s),
                "phase": "on_policy" if rng.random() < 0.5 else "off_policy",
                "kl": np.nan if rng.random() < 0.3 else float(rng.choice([0.0, rng.uniform(0, 5)])),
                "eval_score": np.nan if rng.random() < 0.3 else float(np.round(rng.uniform(0, 1), 3)),
            })
    frame = pd.DataFrame(rows).sample(frac=1, random_state=seed).reset_index(drop=True)
    for c in ("run", "family", "student", "teacher", "phase"):
        frame[c] = frame[c].astype("str")
    frame["seed"] = frame["seed"].astype("Int64")
    frame["step"] = frame["step"].astype("Int64")
    return frame


def test_transitions_on_the_books_data_are_exactly_the_pandas_ones(con):
    path = ROOT / "data" / "distillation.csv"
    expected = distillation.transitions(io.load("distillation", path))
    got = engine.transitions(path, con=con, engine="duckdb")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    llama = got.set_index("run").loc["llama-hybrid-seed8"]  # the post's example: 0.015 -> 5.4453 at step 50
    assert (llama["transition_step"], llama["kl_before"], llama["kl_at"]) == (50, 0.015, 5.4453)
    assert llama["severity"] == "complete"


@pytest.mark.parametrize("seed", range(8))
def test_transitions_on_random_logs_are_the_pandas_ones(con, seed):
    log = random_log(seed)
    for complete_below, partial_drop in ((0.01, 0.25), (0.3, 0.1)):
        expected = distillation.transitions(log, complete_below, partial_drop)
        got = engine.transitions(log, complete_below, partial_drop, engine="duckdb", con=con)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert expected["severity"].nunique() >= 3  # the random logs reach several outcomes


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> dict:
    """10^6 rows of step log (10^4 runs) and 10^5 per-seed rows, as Parquet, with their pandas results."""
    folder = tmp_path_factory.mktemp("big")
    log, mem = synthetic.distillation_frame(1_000_000), synthetic.memorization_frame(100_000)
    log.to_parquet(folder / "distillation.parquet", index=False)
    mem.to_parquet(folder / "memorization.parquet", index=False)
    loaded = io.load("distillation", folder / "distillation.parquet")
    seeds = io.load("memorization", folder / "memorization.parquet")
    return {"folder": folder, "log": log, "transitions": distillation.transitions(loaded),
            "episodes": memorization.episodes_table(seeds), "effects": memorization.effect_sizes_from_seeds(seeds)}


def test_transitions_on_a_million_rows_are_the_pandas_ones(con, big):
    got = engine.transitions(big["folder"] / "distillation.parquet", con=con, engine="duckdb")
    assert len(got) == 10_000
    pd.testing.assert_frame_equal(got, big["transitions"], check_exact=True)


def test_per_seed_analysis_is_the_pandas_one(con, big):
    path = big["folder"] / "memorization.parquet"
    # means and SDs are sums in another order: equal to the last few bits
    pd.testing.assert_frame_equal(engine.episodes_table(path, engine="duckdb", con=con), big["episodes"],
                                  check_exact=False, rtol=1e-12)
    got = engine.effect_sizes_from_seeds(path, engine="duckdb", con=con)
    assert len(got) == 14  # of 2 methods x 10 sizes; RL-Step has under two converged seeds at 6 sizes
    pd.testing.assert_frame_equal(got, big["effects"], check_exact=False, rtol=1e-10)


def test_per_seed_analysis_on_the_books_data(con):
    mem = io.load("memorization", ROOT / "data" / "memorization.csv")
    pd.testing.assert_frame_equal(engine.episodes_table(mem, engine="duckdb", con=con),
                                  memorization.episodes_table(mem))
    assert engine.effect_sizes_from_seeds(mem, engine="duckdb", con=con).empty  # the book has no per-seed rows


def runs_of(transitions: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``transitions`` for the runs in ``log`` (runs are whole: 100 rows each)."""
    return transitions[transitions["run"].isin(log["run"].unique())].reset_index(drop=True)


def test_folders_of_parquet_files_plain_and_hive_partitioned(con, big, tmp_path):
    log = big["log"].iloc[:200_000]
    expected = runs_of(big["transitions"], log)
    plain = tmp_path / "plain"
    (plain / "more").mkdir(parents=True)
    log.iloc[:70_000].to_parquet(plain / "a.parquet", index=False)
    log.iloc[70_000:].to_parquet(plain / "more" / "b.parquet", index=False)  # one run split across files
    pq.write_to_dataset(pa.Table.from_pandas(log, preserve_index=False), tmp_path / "hive",
                        partition_cols=["family"])
    assert source.parquet_files(plain)[1] is False and source.parquet_files(tmp_path / "hive")[1] is True
    for folder in (plain, tmp_path / "hive"):
        pd.testing.assert_frame_equal(engine.transitions(folder, con=con, engine="duckdb"), expected)


def test_a_large_csv_is_converted_to_parquet_once(con, big, tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "THRESHOLD_BYTES", 1 << 20)
    monkeypatch.setenv("EVALPATTERNS_PARQUET_CACHE", str(tmp_path / "cache"))
    csv = tmp_path / "distillation.csv"
    big["log"].iloc[:100_000].to_csv(csv, index=False)
    expected = runs_of(big["transitions"], big["log"].iloc[:100_000])
    pd.testing.assert_frame_equal(engine.transitions(csv, con=con, engine="duckdb"), expected)
    cached = list((tmp_path / "cache").iterdir())
    assert [p.name for p in cached] == [f"distillation-{convert.content_hash(csv)[:16]}.parquet"]
    assert pq.read_metadata(cached[0]).num_rows == 100_000
    modified = cached[0].stat().st_mtime_ns
    engine.transitions(csv, con=con, engine="duckdb")  # the second time reads the cached file
    assert cached[0].stat().st_mtime_ns == modified and len(list((tmp_path / "cache").iterdir())) == 1


def test_a_bad_cell_in_a_converted_csv_is_named(tmp_path):
    csv = tmp_path / "distillation.csv"
    log = synthetic.distillation_frame(1_000)
    log["step"] = log["step"].astype(str)
    log.loc[777, "step"] = "ten"
    log.to_csv(csv, index=False)
    with pytest.raises(convert.ConversionError,
                       match=r"distillation.csv: row 779, column 'step': expected a whole number, found 'ten'"):
        convert.convert("distillation", csv, tmp_path / "out.parquet")


def test_input_that_breaks_the_schema_is_one_message(con, tmp_path):
    log = synthetic.distillation_frame(1_000)
    log.loc[5, "phase"] = "warmup"
    log.to_parquet(tmp_path / "bad.parquet", index=False)
    with pytest.raises(source.SourceError, match=r"bad.parquet: column 'phase': expected one of off_policy, "
                                                  r"on_policy, found 'warmup' in 1 row$"):
        engine.transitions(tmp_path / "bad.parquet", con=con, engine="duckdb")
    log.drop(columns=["step"]).to_parquet(tmp_path / "nostep.parquet", index=False)  # required (kl is optional)
    with pytest.raises(source.SourceError, match=r"nostep.parquet: expected the columns? step of a distillation"):
        engine.transitions(tmp_path / "nostep.parquet", con=con, engine="duckdb")
    (tmp_path / "empty").mkdir()
    with pytest.raises(source.SourceError, match=r"empty: expected Parquet files \(\*.parquet\) in this folder"):
        engine.transitions(tmp_path / "empty", con=con, engine="duckdb")


def test_the_engine_is_chosen_by_argument_or_environment_else_by_the_input(monkeypatch, tmp_path):
    monkeypatch.delenv("EVALPATTERNS_ENGINE", raising=False)
    small, large, folder = tmp_path / "small.csv", tmp_path / "large.csv", tmp_path / "logs"
    small.write_text("run\n")
    large.write_bytes(b"x" * convert.THRESHOLD_BYTES)
    folder.mkdir()
    assert [backends.default_engine(d) for d in (random_log(0), small, large, folder, str(folder))] == \
        ["pandas", "pandas", "duckdb", "duckdb", "duckdb"]
    monkeypatch.setenv("EVALPATTERNS_ENGINE", "spark")
    assert backends.default_engine(small) == "spark"
    monkeypatch.setenv("EVALPATTERNS_ENGINE", "polars")
    with pytest.raises(ValueError, match="expected one of pandas, duckdb, spark, found 'polars'"):
        backends.default_engine(folder)
    monkeypatch.setenv("SPARK_MASTER", "spark://b:7077")
    assert backends.spark_master() == "spark://b:7077"
    monkeypatch.setenv("EVALPATTERNS_SPARK_MASTER", "spark://a:7077")
    assert backends.spark_master() == "spark://a:7077" and backends.spark_master("local[2]") == "local[2]"


def test_the_command_line_hands_the_engine_to_the_chapters(monkeypatch):
    monkeypatch.delenv("EVALPATTERNS_ENGINE", raising=False)
    monkeypatch.delenv("EVALPATTERNS_SPARK_MASTER", raising=False)
    args = cli.parser().parse_args(["run", "hybrid-distillation", "--output", "out", "--engine", "spark",
                                    "--spark-master", "spark://host:7077"])
    cli._engine(args)
    assert (backends.default_engine(), backends.spark_master()) == ("spark", "spark://host:7077")
    build = cli.parser().parse_args(["build", "--engine", "duckdb"])
    cli._engine(build)
    assert backends.default_engine() == "duckdb"
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["build", "--engine", "polars"])
