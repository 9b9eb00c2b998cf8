"""The same Ibis expressions on Apache Spark (a local session, ``local[2]``) give DuckDB's results.

One Spark session for the module (starting it takes several seconds); small data. Spark needs Java, which
``.ci/run`` installs when it is missing.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalpatterns import engine, io
from evalpatterns.engine import backends

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic  # noqa: E402

# Without Java the module is skipped on a developer's machine, and fails where CI is set (as the browser tests).
pytestmark = pytest.mark.skipif(shutil.which("java") is None and not os.environ.get("CI"),
                                reason="Spark needs Java (.ci/run installs it)")


@pytest.fixture(scope="module")
def spark():
    con = backends.spark("local[2]", **{"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false",
                                        "spark.driver.memory": "1g"})
    yield con
    con._session.stop()


@pytest.fixture(scope="module")
def duck():
    return backends.duckdb(memory_limit="1GB", threads=2)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("spark")
    synthetic.distillation_frame(20_000).to_parquet(folder / "distillation.parquet", index=False)
    synthetic.memorization_frame(3_000).to_parquet(folder / "memorization.parquet", index=False)
    return folder


def test_transitions_on_spark_are_duckdbs(spark, duck, files):
    path = files / "distillation.parquet"
    got = engine.transitions(path, engine="spark", con=spark)
    assert len(got) == 200 and got["severity"].nunique() == 4
    pd.testing.assert_frame_equal(got, engine.transitions(path, engine="duckdb", con=duck), check_exact=True)


def test_transitions_of_the_books_data_on_spark(spark):
    log = io.load("distillation", ROOT / "data" / "distillation.csv")
    pd.testing.assert_frame_equal(engine.transitions(log, engine="spark", con=spark),
                                  engine.transitions(log, engine="pandas"), check_exact=True)


def test_per_seed_analysis_on_spark_is_duckdbs(spark, duck, files):
    path = files / "memorization.parquet"
    pd.testing.assert_frame_equal(engine.episodes_table(path, engine="spark", con=spark),
                                  engine.episodes_table(path, engine="duckdb", con=duck),
                                  check_exact=False, rtol=1e-12)
    got = engine.effect_sizes_from_seeds(path, engine="spark", con=spark)
    assert len(got) >= 10
    pd.testing.assert_frame_equal(got, engine.effect_sizes_from_seeds(path, engine="duckdb", con=duck),
                                  check_exact=False, rtol=1e-10)


def test_the_finding_on_a_parquet_log_on_spark_is_the_finding_on_the_loaded_log(spark, files):
    from evalpatterns import many_runs
    from evalpatterns.engine.steplog import StepLog
    from evalpatterns.findings import distillation as finding
    from evalpatterns.words import distillation as words

    path = files / "distillation.parquet"
    got = finding.analyse(StepLog(path, engine="spark", con=spark))
    want = finding.analyse(io.load("distillation", path))
    assert got.many and len(got.transitions) == 200
    pd.testing.assert_frame_equal(got.transitions, want.transitions, check_exact=True)
    pd.testing.assert_frame_equal(got.rises, want.rises.reset_index(drop=True), check_exact=True)
    assert got.steps.to_dict() == want.steps.to_dict() and words.values(got) == words.values(want)
    pd.testing.assert_frame_equal(many_runs.phase_curves(got.log, got.transitions, "kl"),
                                  many_runs.phase_curves(want.log, want.transitions, "kl"),
                                  check_dtype=False, check_exact=False, rtol=1e-12)
