"""Inspect AI eval logs: ``.eval`` files (zip archives, Zstandard-compressed by recent Inspect versions:
``header.json`` and ``samples/ID_epoch_N.json``) or
``.json`` logs (one object with ``eval``, ``results`` and ``samples``), or folders of them.

One row per log: ``model`` and ``task`` (from ``eval``), ``value`` (the accuracy: the mean of the samples'
scores, C = 1, I = 0, P = 0.5, N = 0, numbers as they are), ``n_eval`` (the questions scored: a question run for several
epochs counts once, since the epochs of one question are not independent draws), ``n_correct`` (the samples scored
correct, when every score is correct or incorrect and each question ran once; with several epochs it is left
empty, and an interval comes from ``stderr``, which Inspect clusters by question), ``stderr`` (the log's own
``stderr`` metric for that scorer, where it has one) and ``eval_set`` (the dataset's name). The scorer is the
one the samples carry, or ``--set scorer=NAME`` when they carry several.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd

from ..progress import progress
from ._read import files, read_json, zip_member
from .mapping import SOURCE, ImportFailure, Mapping

TARGETS = ("capability", "distillation_downstream")
SCORE = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}


def read(paths: list[Path], mapping: Mapping) -> pd.DataFrame:
    named = {p for p in paths if p.is_file()}
    rows = []
    for path in progress(files(paths, ("*.eval", "*.json")), "reading Inspect logs"):
        if path not in named and path.suffix == ".json" and not _is_log(path):
            continue  # another JSON file in a folder of logs
        rows.append(_row(path, *_load(path), mapping.set.get("scorer")))
    if not rows:
        raise ImportFailure(f"{', '.join(map(str, paths))}: expected Inspect logs (*.eval, *.json); found none")
    return pd.DataFrame(rows)


def _is_log(path: Path) -> bool:
    try:
        return "eval" in read_json(path)
    except ImportFailure:
        return False


def _load(path: Path) -> tuple[dict, list[dict]]:
    """(the log's header: eval, results ...; its samples)."""
    if path.suffix == ".eval":
        try:
            with zipfile.ZipFile(path) as z:
                header = json.loads(zip_member(path, z, "header.json"))
                samples = [json.loads(zip_member(path, z, n)) for n in sorted(z.namelist())
                           if n.startswith("samples/") and n.endswith(".json")]
        except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, OSError, NotImplementedError) as exc:
            raise ImportFailure(f"{path}: cannot read it as an Inspect .eval log ({exc})") from None
        return header, samples
    data = read_json(path)
    if "eval" not in data:
        raise ImportFailure(f"{path}: expected an Inspect log (with 'eval' and 'samples'); found keys "
                            f"{', '.join(data) or 'none'}")
    return data, data.get("samples") or []


def _row(path: Path, header: dict, samples: list[dict], scorer: str | None) -> dict:
    ev = header.get("eval") or {}
    scorers = sorted({name for s in samples for name in (s.get("scores") or {})})
    if not samples or not scorers:
        raise ImportFailure(f"{path}: the log holds no scored samples (status {header.get('status', 'unknown')})")
    if scorer is None:
        if len(scorers) > 1:
            raise ImportFailure(f"{path}: the samples carry several scorers ({', '.join(scorers)}); choose one "
                                "with --set scorer=NAME")
        scorer = scorers[0]
    elif scorer not in scorers:
        raise ImportFailure(f"{path}: no scorer '{scorer}'; its scorers: {', '.join(scorers)}")
    scored = [s for s in samples if scorer in (s.get("scores") or {})]
    values = [_score(s["scores"][scorer].get("value"), path) for s in scored]
    questions = len({str(s.get("id", i)) for i, s in enumerate(scored)})
    binary = questions == len(values) and all(v in (0.0, 1.0) for v in values)
    stderr = None
    for score in (header.get("results") or {}).get("scores") or []:
        if score.get("name") == scorer and "stderr" in (score.get("metrics") or {}):
            stderr = score["metrics"]["stderr"].get("value")
    dataset = (ev.get("dataset") or {}).get("name") or ev.get("task")
    return {"model": ev.get("model"), "task": ev.get("task"), "value": sum(values) / len(values), "n_eval": questions,
            "n_correct": int(sum(values)) if binary else None, "stderr": stderr, "eval_set": dataset,
            SOURCE: str(path)}


def _score(value, path: Path) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value in SCORE:
        return SCORE[value]
    if isinstance(value, str) and value.strip().lower() in ("yes", "true", "correct"):
        return 1.0
    if isinstance(value, str) and value.strip().lower() in ("no", "false", "incorrect"):
        return 0.0
    raise ImportFailure(f"{path}: a sample's score {value!r} is not one of C, I, P, N or a number")
