"""lm-evaluation-harness results: ``results_*.json`` files, or folders of them (searched recursively).

One row per model and task. The metric is chosen with ``--set metric=NAME`` (default ``acc``) and, when a task
reports it under several filters (``exact_match,strict-match`` and ``exact_match,flexible-extract``), the filter
with ``--set filter=NAME``. From each file: ``model`` (``model_name``, else ``pretrained=`` of
``config.model_args``), ``value`` (the metric), ``stderr`` (``METRIC_stderr,FILTER``; none where "N/A"),
``n_eval`` (``n-samples``' ``effective`` count), ``n_correct`` (value x n_eval, where that is a whole number),
``eval_set`` (the task, with "N of M" when ``--limit`` evaluated a subset) and ``higher_is_better``.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..progress import progress
from ._read import files, read_json
from .mapping import SOURCE, ImportFailure, Mapping

TARGETS = ("capability", "distillation_downstream")


def read(paths: list[Path], mapping: Mapping) -> pd.DataFrame:
    metric = mapping.set.get("metric", "acc")
    rows = []
    for path in progress(files(paths, ("results*.json",)), "reading lm-eval results"):
        data = read_json(path)
        results = data.get("results")
        if not isinstance(results, dict) or not results:
            raise ImportFailure(f"{path}: expected lm-evaluation-harness results (a 'results' object by task); "
                                f"found keys {', '.join(data) or 'none'}")
        model = _model(data, path)
        for task, values in results.items():
            rows.append(_row(path, data, model, task, values, metric, mapping.set.get("filter")))
    return pd.DataFrame(rows)


def _model(data: dict, path: Path) -> str:
    if data.get("model_name"):
        return str(data["model_name"])
    args = (data.get("config") or {}).get("model_args")
    if isinstance(args, dict) and args.get("pretrained"):
        return str(args["pretrained"])
    if isinstance(args, str):
        for part in args.split(","):
            name, _, value = part.partition("=")
            if name.strip() == "pretrained":
                return value.strip()
    raise ImportFailure(f"{path}: cannot tell the model (no model_name, no pretrained= in config.model_args)")


def _row(path: Path, data: dict, model: str, task: str, values: dict, metric: str, filt: str | None) -> dict:
    keys = [k for k in values if k.split(",", 1)[0] == metric]
    if filt is not None:
        keys = [k for k in keys if k.partition(",")[2] == filt]
    available = sorted({k.split(",", 1)[0] for k in values if "," in k and "_stderr" not in k})
    if not keys:
        raise ImportFailure(f"{path}: task '{task}' has no metric '{metric}'"
                            + (f" with filter '{filt}'" if filt else "")
                            + f"; choose one with --set metric=NAME; its metrics: {', '.join(available)}")
    if len(keys) > 1:
        filters = ", ".join(k.partition(",")[2] for k in keys)
        raise ImportFailure(f"{path}: task '{task}' reports '{metric}' under several filters ({filters}); "
                            "choose one with --set filter=NAME")
    key = keys[0]
    name, _, filter_name = key.partition(",")
    value = _number(values[key])
    stderr = _number(values.get(f"{name}_stderr,{filter_name}" if filter_name else f"{name}_stderr"))
    counts = (data.get("n-samples") or {}).get(task) or {}
    n_eval = counts.get("effective", counts.get("original"))
    original = counts.get("original", n_eval)
    n_correct = None
    if n_eval and value is not None and abs(value * n_eval - round(value * n_eval)) < 1e-6:
        n_correct = int(round(value * n_eval))
    eval_set = task if n_eval is None or n_eval == original else f"{task} ({n_eval} of {original})"
    better = ((data.get("higher_is_better") or {}).get(task) or {}).get(name)
    return {"model": model, "task": task, "metric": key, "value": value, "stderr": stderr, "n_eval": n_eval,
            "n_correct": n_correct, "eval_set": eval_set, "higher_is_better": better, SOURCE: str(path)}


def _number(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):  # "N/A"
        return None
    return number if math.isfinite(number) else None
