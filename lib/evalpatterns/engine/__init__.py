"""The step-log and per-seed analyses on an engine that reads data larger than memory.

    from evalpatterns import engine
    runs = engine.transitions("logs/")                 # a Parquet file or folder, DuckDB embedded
    runs = engine.transitions("logs/", engine="spark", spark_master="spark://host:7077")
    table = engine.episodes_table("memorization.parquet")

Each returns the same frame (columns, dtypes, order, values) as the pandas function it stands for
(:func:`evalpatterns.distillation.transitions`, :func:`evalpatterns.memorization.episodes_table`,
:func:`evalpatterns.memorization.effect_sizes_from_seeds`); ``engine="pandas"`` calls that function. The
expressions are in :mod:`.expressions`, the connections in :mod:`.backends`, the input in :mod:`.source`.
"""
from __future__ import annotations

import pandas as pd

from .. import distillation, memorization
from .backends import ENGINES, default_engine

__all__ = ["ENGINES", "default_engine", "transitions", "episodes_table", "effect_sizes_from_seeds",
           "seed_stats"]

TRANSITION_DTYPES = {"run": "str", "family": "str", "student": "str", "teacher": "str", "gap": "float64",
                     "seed": "Int64", "transition_step": "Int64", "kl_before": "float64", "kl_at": "float64",
                     "kl_spike_ratio": "float64", "eval_before": "float64", "eval_after_min": "float64",
                     "eval_after_max": "float64", "eval_final": "float64", "eval_drop": "float64"}
EPISODE_DTYPES = {"method": "str", "n_values": "Int64", "episodes": "float64", "lower_bound": "bool",
                  "n_seeds": "Int64", "sd": "float64", "status": "str"}


def _execute(kind: str, data, build, engine: str | None, spark_master: str | None, con=None) -> pd.DataFrame:
    from . import backends, expressions, source

    engine = engine or default_engine(data)
    con = con or backends.connect(engine, spark_master)
    con = source.Guarded(con, "the data frame" if isinstance(data, pd.DataFrame) else str(data))
    table, name = source.open_table(con, kind, data, engine)
    if not isinstance(data, pd.DataFrame):  # a frame is taken as it is, as the pandas functions take it
        source.check(con, table, kind, name)
    return con.execute(build(table, con.name) if build is expressions.transitions else build(table))


def _load(kind: str, data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    from ..io import load

    return load(kind, data)


def _typed(frame: pd.DataFrame, dtypes: dict) -> pd.DataFrame:
    return frame.reset_index(drop=True).astype(dtypes)[list(dtypes)]


def transitions(data, complete_below: float = 0.01, partial_drop: float = 0.25, engine: str | None = None,
                spark_master: str | None = None, con=None) -> pd.DataFrame:
    """:func:`evalpatterns.distillation.transitions` of the step log ``data`` (a path or a frame) on
    ``engine`` (default :func:`default_engine`: pandas for a frame or a small CSV, DuckDB otherwise); ``con``
    reuses an Ibis connection."""
    if (engine or default_engine(data)) == "pandas":
        return distillation.transitions(_load("distillation", data), complete_below, partial_drop)
    from . import expressions

    runs = _typed(_execute("distillation", data, expressions.transitions, engine, spark_master, con),
                  TRANSITION_DTYPES)
    runs["severity"] = distillation.severity(runs, complete_below, partial_drop)
    return runs


def episodes_table(data, engine: str | None = None, spark_master: str | None = None, con=None) -> pd.DataFrame:
    """:func:`evalpatterns.memorization.episodes_table` of the per-seed rows ``data`` on ``engine``."""
    if (engine or default_engine(data)) == "pandas":
        return memorization.episodes_table(_load("memorization", data))
    from . import expressions

    table = _typed(_execute("memorization", data, expressions.episodes, engine, spark_master, con), EPISODE_DTYPES)
    return memorization.with_mean_interval(table)  # the t interval of each mean, as the pandas path adds it


def seed_stats(data, engine: str | None = None, spark_master: str | None = None, con=None) -> pd.DataFrame:
    """Mean, sample SD and count of converged seeds per (method, n_values), indexed by both."""
    if (engine or default_engine(data)) == "pandas":
        return memorization.seed_stats(_load("memorization", data))
    from . import expressions

    stats = _execute("memorization", data, expressions.seed_stats, engine, spark_master, con)
    stats = stats.astype({"n_values": "int64", "mean": "float64", "std": "float64", "count": "int64"})
    return stats.set_index(["method", "n_values"])[["mean", "std", "count"]]


def effect_sizes_from_seeds(data, reference: str = "supervised", confidence: float = 0.95,
                            engine: str | None = None, spark_master: str | None = None, con=None) -> pd.DataFrame:
    """:func:`evalpatterns.memorization.effect_sizes_from_seeds` with the per-seed aggregation on ``engine``."""
    stats = seed_stats(data, engine, spark_master, con)
    return memorization.effect_sizes_from_seed_stats(stats, reference, confidence)
