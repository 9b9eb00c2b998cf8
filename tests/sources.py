"""Files in the formats of the tools researchers log with, with known answers, for the importer tests.

Each run is the post's Llama run in miniature: off-policy until step 50, on-policy from there; KL 0.015625 before
the transition and 5.4453125 at and after it (a 348.5x spike; both exact in float32, as TensorBoard stores
them); eval score 0.265625 before, 0 after (a complete collapse). TensorBoard event files are written by
tensorboardX; the MLflow stores and the Inspect logs here are made by hand to their documented layouts (the mlflow
and inspect-ai packages pull in too many dependencies to install for tests), for cases a test builds itself;
stores and logs those tools wrote themselves are in ``fixtures/real/`` (see its README); lm-evaluation-harness
results are its documented JSON.
"""
from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd

TRANSITION = 50
KL_BEFORE, KL_AFTER = 0.015625, 5.4453125
EVAL_BEFORE, EVAL_AFTER = 0.265625, 0.0
RUNS = {  # run: (student, teacher, seed)
    "llama-hybrid": ("Llama-3.2-1B", "Llama-3.1-70B", 8),
    "qwen-hybrid": ("Qwen2.5-0.5B", "Qwen2.5-7B", 1),
}


def curve(step: int) -> dict:
    on = step >= TRANSITION
    return {"kl": KL_AFTER if on else KL_BEFORE, "eval_score": EVAL_AFTER if on else EVAL_BEFORE,
            "loss": 2.0 - step / 100}


STEPS = list(range(0, 100, 10))


# -- Weights & Biases ---------------------------------------------------------------------------------------

def wandb_long(folder: Path, name: str = "history.csv") -> Path:
    """A history export with a ``name`` column per run, ``_step``, and metric columns named as logged; sparse:
    eval is logged on rows of its own, as ``wandb.log`` calls at one step make."""
    rows = []
    for run in RUNS:
        for step in STEPS:
            c = curve(step)
            rows.append({"name": run, "_step": step, "train/kl": c["kl"], "train/loss": c["loss"]})
            rows.append({"name": run, "_step": step, "eval/score": c["eval_score"]})
    path = folder / name
    frame = pd.DataFrame(rows)
    frame.to_parquet(path) if path.suffix == ".parquet" else frame.to_csv(path, index=False)
    return path


def wandb_runs(folder: Path) -> Path:
    """The runs table, as the UI exports it: Name, State, and config columns."""
    rows = [{"Name": run, "State": "finished", "config.student": s, "config.teacher": t, "config.seed": seed}
            for run, (s, t, seed) in RUNS.items()]
    path = folder / "runs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def wandb_wide(folder: Path) -> list[Path]:
    """The UI's chart export: one file per chart, ``Step`` and ``RUN - METRIC`` with __MIN/__MAX companions."""
    paths = []
    for metric in ("kl", "eval_score"):
        frame = pd.DataFrame({"Step": STEPS})
        for run in RUNS:
            values = [curve(s)[metric] for s in STEPS]
            frame[f"{run} - {metric}"] = values
            frame[f"{run} - {metric}__MIN"] = values
            frame[f"{run} - {metric}__MAX"] = values
        path = folder / f"wandb_export_{metric}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


# -- lm-evaluation-harness ----------------------------------------------------------------------------------

def lm_eval_results(folder: Path, model: str, task: str, acc: float, stderr: float | str, effective: int,
                    original: int, stamp: str = "2025-01-01T00-00-00.000000") -> Path:
    """``OUTPUT/MODEL/results_STAMP.json`` as lm-evaluation-harness 0.4 writes it."""
    data = {
        "results": {task: {"alias": task, "acc,none": acc, "acc_stderr,none": stderr,
                           "acc_norm,none": min(1.0, acc + 0.01), "acc_norm_stderr,none": stderr}},
        "group_subtasks": {task: []},
        "configs": {task: {"task": task, "dataset_path": "example", "num_fewshot": 0}},
        "versions": {task: 1.0}, "n-shot": {task: 0},
        "higher_is_better": {task: {"acc": True, "acc_norm": True}},
        "n-samples": {task: {"original": original, "effective": effective}},
        "config": {"model": "hf", "model_args": f"pretrained={model},dtype=bfloat16", "batch_size": 1,
                   "limit": None if effective == original else effective},
        "git_hash": "0000000", "date": 1735689600.0, "model_name": model,
        "model_name_sanitized": model.replace("/", "__"),
    }
    path = folder / model.replace("/", "__") / f"results_{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


# -- TensorBoard --------------------------------------------------------------------------------------------

def tensorboard_run(folder: Path, steps: int = 10_200, transition: int = 6_000, eval_every: int = 100) -> Path:
    """``folder/llama-hybrid``, written by tensorboardX: ``train/kl`` at every step (more points than the 10,000
    TensorBoard's default reservoir keeps), ``eval/score`` every ``eval_every`` steps."""
    from tensorboardX import SummaryWriter

    writer = SummaryWriter(str(folder / "llama-hybrid"))
    for step in range(steps):
        on = step >= transition
        writer.add_scalar("train/kl", KL_AFTER if on else KL_BEFORE, step)
        if step % eval_every == 0:
            writer.add_scalar("eval/score", EVAL_AFTER if on else EVAL_BEFORE, step)
    writer.close()
    return folder


# -- MLflow -------------------------------------------------------------------------------------------------

SQL_SCHEMA = """
CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256) NOT NULL UNIQUE,
    artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT);
CREATE TABLE runs (run_uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(250), source_type VARCHAR(20),
    source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9),
    start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20),
    artifact_uri VARCHAR(200), experiment_id INTEGER, deleted_time BIGINT);
CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
    run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
    PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));
CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL,
    is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    PRIMARY KEY (key, run_uuid));
CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
    PRIMARY KEY (key, run_uuid));
"""


def _mlflow_runs():
    """(run id, name, params, [(key, value, step)]) of each run, and a deleted run that must not be read."""
    out = []
    for i, (run, (student, teacher, seed)) in enumerate(RUNS.items()):
        points = [(key, curve(step)[key], step) for step in STEPS for key in ("kl", "eval_score")]
        out.append((f"{i:032x}", run, {"student": student, "teacher": teacher, "seed": str(seed)}, points, "active"))
    out.append((f"{99:032x}", "deleted-run", {"student": "X-1B", "teacher": "X-2B", "seed": "0"},
                [("kl", 1.0, 0)], "deleted"))
    return out


def mlflow_db(folder: Path) -> Path:
    """``mlflow.db``: a SQL tracking store with MLflow's tables (the columns the importer reads, and others)."""
    path = folder / "mlflow.db"
    con = sqlite3.connect(path)
    con.executescript(SQL_SCHEMA)
    con.execute("INSERT INTO experiments VALUES (1, 'distill', 'mlruns/1', 'active', 0, 0)")
    for run_id, name, params, points, stage in _mlflow_runs():
        con.execute("INSERT INTO runs VALUES (?, ?, 'LOCAL', 'train.py', '', 'me', 'FINISHED', 0, 1, '', ?, "
                    "'mlruns/1/x/artifacts', 1, NULL)", (run_id, name, stage))
        con.executemany("INSERT INTO params VALUES (?, ?, ?)", [(k, v, run_id) for k, v in params.items()])
        con.execute("INSERT INTO tags VALUES ('mlflow.runName', ?, ?)", (name, run_id))
        con.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, 0)",
                        [(k, v, 1000 + s, run_id, s) for k, v, s in points])
    con.commit()
    con.close()
    return path


def mlflow_file_store(folder: Path) -> Path:
    """``mlruns/``: a file store, ``EXPERIMENT/RUN/meta.yaml`` with ``metrics/``, ``params/`` and ``tags/``."""
    root = folder / "mlruns"
    (root / "1").mkdir(parents=True)
    (root / "1" / "meta.yaml").write_text("experiment_id: '1'\nname: distill\nlifecycle_stage: active\n")
    for run_id, name, params, points, stage in _mlflow_runs():
        run = root / "1" / run_id
        for sub in ("metrics", "params", "tags", "artifacts"):
            (run / sub).mkdir(parents=True)
        (run / "meta.yaml").write_text(f"run_id: {run_id}\nrun_uuid: {run_id}\nrun_name: {name}\n"
                                       f"experiment_id: '1'\nlifecycle_stage: {stage}\nstatus: 3\n")
        for key, value in params.items():
            (run / "params" / key).write_text(value)
        (run / "tags" / "mlflow.runName").write_text(name)
        for key in sorted({k for k, _, _ in points}):
            (run / "metrics" / key).write_text(
                "".join(f"{1000 + s} {v} {s}\n" for k, v, s in points if k == key))
    return root


# -- Inspect AI ---------------------------------------------------------------------------------------------

def _inspect_header(task: str, model: str, dataset: str, n: int, accuracy: float, stderr: float) -> dict:
    return {"version": 2, "status": "success",
            "eval": {"eval_id": "e1", "run_id": "r1", "created": "2025-01-01T00:00:00+00:00", "task": task,
                     "task_id": "t1", "task_version": 0, "model": model,
                     "dataset": {"name": dataset, "samples": n, "sample_ids": list(range(1, n + 1))},
                     "config": {}},
            "plan": {"name": "plan", "steps": [{"solver": "generate", "params": {}}]},
            "results": {"total_samples": n, "completed_samples": n,
                        "scores": [{"name": "match", "scorer": "match", "reducer": "mean", "params": {},
                                    "metrics": {"accuracy": {"name": "accuracy", "value": accuracy, "params": {}},
                                                "stderr": {"name": "stderr", "value": stderr, "params": {}}}}]},
            "stats": {"started_at": "2025-01-01T00:00:00+00:00", "completed_at": "2025-01-01T00:01:00+00:00",
                      "model_usage": {}}}


def _inspect_samples(n: int, correct: int) -> list[dict]:
    return [{"id": i, "epoch": 1, "input": f"question {i}", "target": "A", "messages": [],
             "output": {"model": "m", "choices": []},
             "scores": {"match": {"value": "C" if i <= correct else "I", "answer": "A", "explanation": ""}},
             "metadata": {}, "store": {}, "events": []}
            for i in range(1, n + 1)]


def inspect_eval(folder: Path, name: str = "2025-01-01_gsm8k.eval", model: str = "hf/Qwen/Qwen2.5-7B",
                 n: int = 50, correct: int = 46) -> Path:
    """A ``.eval`` log: a zip of ``header.json``, ``samples/ID_epoch_1.json``, ``summaries.json`` and the
    journal, as Inspect writes it."""
    stderr = (correct / n * (1 - correct / n) / (n - 1)) ** 0.5
    header = _inspect_header("gsm8k", model, "gsm8k-50", n, correct / n, stderr)
    samples = _inspect_samples(n, correct)
    path = folder / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("_journal/start.json", json.dumps({k: header[k] for k in ("version", "eval", "plan")}))
        for s in samples:
            z.writestr(f"samples/{s['id']}_epoch_{s['epoch']}.json", json.dumps(s))
        z.writestr("summaries.json", json.dumps([{k: s[k] for k in ("id", "epoch", "scores")} for s in samples]))
        z.writestr("header.json", json.dumps(header))
    return path


def inspect_json(folder: Path, name: str = "2025-01-01_gsm8k.json", model: str = "hf/meta-llama/Llama-3.2-3B",
                 n: int = 200, correct: int = 146) -> Path:
    """A ``.json`` log: one object with the header's fields and ``samples``."""
    stderr = (correct / n * (1 - correct / n) / (n - 1)) ** 0.5
    data = {**_inspect_header("gsm8k", model, "gsm8k-200", n, correct / n, stderr),
            "samples": _inspect_samples(n, correct)}
    path = folder / name
    path.write_text(json.dumps(data))
    return path
