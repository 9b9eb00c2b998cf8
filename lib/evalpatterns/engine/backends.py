"""Where the Ibis expressions run: DuckDB embedded in this process (the default), or Apache Spark.

- ``duckdb``: an in-memory database with a memory limit (``EVALPATTERNS_DUCKDB_MEMORY``, default 2GB);
  beyond it DuckDB spills to a temporary folder, so a log larger than memory still runs.
- ``spark``: a Spark session on the master URL given (``--spark-master``), else ``EVALPATTERNS_SPARK_MASTER``,
  else ``SPARK_MASTER``, else ``local[*]`` (Spark inside this machine's JVM). For a cluster, e.g.
  ``spark://host:7077`` or ``yarn``; the data path must then be readable by the executors.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..options import ENGINE_VARIABLE

ENGINES = ("pandas", "duckdb", "spark")


def default_engine(data=None) -> str:
    """``EVALPATTERNS_ENGINE`` (set by ``evalpatterns run/build --engine``); else ``pandas`` for a frame or a
    CSV file below the conversion threshold (:data:`.convert.THRESHOLD_BYTES`), ``duckdb`` for anything
    else (Parquet files and folders, large CSV files)."""
    engine = os.environ.get(ENGINE_VARIABLE)
    if engine:
        if engine not in ENGINES:
            raise ValueError(f"{ENGINE_VARIABLE}: expected one of {', '.join(ENGINES)}, found '{engine}'")
        return engine
    if data is None or not isinstance(data, (str, os.PathLike)):
        return "pandas"
    from . import convert

    path = Path(data)
    small_csv = path.suffix.lower() == ".csv" and path.is_file() and path.stat().st_size < convert.THRESHOLD_BYTES
    return "pandas" if small_csv else "duckdb"


def is_parquet(path) -> bool:
    """Whether ``path`` names a Parquet file or a folder (of Parquet files): the input the engine reads."""
    from ..csvread import PARQUET_SUFFIXES

    if not isinstance(path, (str, os.PathLike)):
        return False
    p = Path(path)
    return p.is_dir() or (p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES)


def spark_master(master: str | None = None) -> str:
    return (master or os.environ.get("EVALPATTERNS_SPARK_MASTER") or os.environ.get("SPARK_MASTER")
            or "local[*]")


def duckdb(memory_limit: str | None = None, threads: int | None = None):
    """An Ibis DuckDB connection (in memory, spilling to a temporary folder beyond ``memory_limit``; its
    progress bar shown in a terminal)."""
    import ibis

    config = {"memory_limit": memory_limit or os.environ.get("EVALPATTERNS_DUCKDB_MEMORY") or "2GB",
              "preserve_insertion_order": False,
              "temp_directory": os.path.join(tempfile.gettempdir(), f"evalpatterns-duckdb-{os.getpid()}")}
    if threads:
        config["threads"] = threads
    con = ibis.duckdb.connect(**config)
    # DuckDB's own progress bar for a query over 2 s, in a terminal (not into a notebook's output)
    try:
        con.raw_sql(f"SET enable_progress_bar = {'true' if sys.stdout.isatty() else 'false'}")
    except Exception:  # noqa: BLE001 - in a Jupyter kernel (where it is off) DuckDB refuses any change of it
        pass
    return con


def spark(master: str | None = None, **conf: str):
    """An Ibis PySpark connection on a Spark session for ``master`` (see :func:`spark_master`); ``conf`` adds
    Spark settings (e.g. ``{"spark.driver.memory": "4g"}``). An existing session is reused."""
    import ibis
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(spark_master(master)).appName("evalpatterns")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.showConsoleProgress", "false"))
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def connect(engine: str, spark_master_url: str | None = None):
    if engine == "duckdb":
        return duckdb()
    if engine == "spark":
        return spark(spark_master_url)
    raise ValueError(f"engine: expected duckdb or spark, found '{engine}'")
