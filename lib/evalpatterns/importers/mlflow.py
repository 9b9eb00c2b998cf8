"""MLflow tracking stores: a SQL store's ``mlflow.db`` (read with the standard library's sqlite3, read-only) or
a file store's ``mlruns/`` folder.

One row per run and step, a column per metric key; each run's parameters as ``params.KEY`` and its tags as
``tags.KEY`` (as ``mlflow.search_runs`` names them); ``run`` is the run's name (``mlflow.runName``), or its id
when it has none. Deleted runs are left out. A metric logged more than once at a step has the value MLflow itself
takes as the latest (``latest_metrics``): the latest timestamp, then the larger value.

The SQL store's tables used: ``runs`` (run_uuid, name, lifecycle_stage), ``metrics`` (key, value, step, run_uuid,
is_nan), ``params`` and ``tags`` (key, value, run_uuid). The file store: ``EXPERIMENT/RUN/meta.yaml``
(run_id, run_name, lifecycle_stage), ``metrics/KEY`` (lines ``timestamp value step``; a KEY with ``/`` in it is a
sub-folder), ``params/KEY`` and ``tags/KEY`` (the value).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from ..progress import progress
from .mapping import SOURCE, ImportFailure, Mapping

TARGETS = ("distillation",)


def read(paths: list[Path], mapping: Mapping) -> pd.DataFrame:
    frames = []
    for path in progress(paths, "reading MLflow stores"):
        if path.is_dir():
            metrics, attrs = _file_store(path)
        elif path.is_file():
            metrics, attrs = _sql_store(path)
        else:
            raise ImportFailure(f"{path}: no such file or folder")
        frames.append(_wide(metrics, attrs, path))
    return pd.concat(frames, ignore_index=True, sort=False)


def _wide(metrics: pd.DataFrame, attrs: pd.DataFrame, path: Path) -> pd.DataFrame:
    """metrics (run_id, key, value, step, timestamp) and attrs (run_id, column, value) as one row per run and
    step."""
    if metrics.empty:
        raise ImportFailure(f"{path}: the tracking store holds no metrics")
    metrics = metrics.sort_values(["timestamp", "value"], kind="stable")  # "last" below: MLflow's latest
    wide = metrics.pivot_table(index=["run_id", "step"], columns="key", values="value", aggfunc="last")
    wide.columns.name = None
    wide = wide.reset_index()
    if not attrs.empty:
        per_run = attrs.pivot_table(index="run_id", columns="column", values="value", aggfunc="last")
        per_run.columns.name = None
        wide = wide.merge(per_run.reset_index(), on="run_id", how="left")
    names = wide.get("tags.mlflow.runName", pd.Series(None, index=wide.index, dtype=object))
    if "_name" in wide:
        names = wide.pop("_name").where(lambda s: s.notna() & (s != ""), names)
    wide.insert(0, "run", names.where(names.notna() & (names != ""), wide["run_id"]))
    wide[SOURCE] = str(path)
    return wide


def _sql_store(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ImportFailure(f"{path}: cannot open it as an SQLite database ({exc})") from None
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"runs", "metrics"} <= tables:
            raise ImportFailure(f"{path}: expected an MLflow tracking database (tables runs and metrics); its "
                                f"tables: {', '.join(sorted(tables)) or 'none'}")
        live = "SELECT run_uuid FROM runs WHERE lifecycle_stage IS NULL OR lifecycle_stage != 'deleted'"
        metrics = pd.read_sql_query(
            f"SELECT run_uuid AS run_id, key, CASE WHEN is_nan THEN NULL ELSE value END AS value, step, timestamp "
            f"FROM metrics WHERE run_uuid IN ({live})", con)
        attrs = [pd.read_sql_query(f"SELECT run_uuid AS run_id, '_name' AS column, name AS value FROM runs "
                                   f"WHERE run_uuid IN ({live})", con)]
        for table in ("params", "tags"):
            if table in tables:
                attrs.append(pd.read_sql_query(
                    f"SELECT run_uuid AS run_id, '{table}.' || key AS column, value FROM {table} "
                    f"WHERE run_uuid IN ({live})", con))
    except sqlite3.DatabaseError as exc:
        raise ImportFailure(f"{path}: cannot read it as an MLflow tracking database ({exc})") from None
    finally:
        con.close()
    return metrics, pd.concat(attrs, ignore_index=True)


def _file_store(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    import yaml

    metrics, attrs = [], []
    metas = sorted(p for p in root.glob("*/*/meta.yaml") if p.parent.parent.name != ".trash")
    if not metas:
        raise ImportFailure(f"{root}: expected an MLflow file store (EXPERIMENT/RUN/meta.yaml); found no run")
    for meta_path in metas:
        run_dir = meta_path.parent
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        if meta.get("lifecycle_stage") == "deleted":
            continue
        run_id = str(meta.get("run_id") or meta.get("run_uuid") or run_dir.name)
        attrs.append((run_id, "_name", meta.get("run_name") or ""))
        for file in sorted((run_dir / "metrics").rglob("*")):
            if not file.is_file():
                continue
            key = file.relative_to(run_dir / "metrics").as_posix()
            for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                parts = line.split()
                if not parts:
                    continue
                try:
                    stamp, value, step = int(parts[0]), float(parts[1]), int(parts[2]) if len(parts) > 2 else 0
                except (IndexError, ValueError):
                    raise ImportFailure(f"{file}, line {n}: expected 'timestamp value step'; found {line!r}") from None
                metrics.append((run_id, key, value, step, stamp))
        for kind in ("params", "tags"):
            for file in sorted((run_dir / kind).rglob("*")):
                if file.is_file():
                    key = file.relative_to(run_dir / kind).as_posix()
                    attrs.append((run_id, f"{kind}.{key}", file.read_text(encoding="utf-8").strip()))
    return (pd.DataFrame(metrics, columns=["run_id", "key", "value", "step", "timestamp"]),
            pd.DataFrame(attrs, columns=["run_id", "column", "value"]))
