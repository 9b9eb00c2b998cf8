"""Finding 2, mode collapse: which runs collapsed, and the learning-rate bracket between them."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd


def classify_collapse(runs: pd.DataFrame, collapse_accuracy: float = 0.10) -> pd.DataFrame:
    """Add ``collapsed``: True when accuracy <= ``collapse_accuracy``, NA where no run exists (no accuracy).

    Example: accuracies 0.02, 0.00, 0.735 with the default 0.10 give True, True, False.
    """
    if not 0 <= collapse_accuracy <= 1:
        raise ValueError(f"collapse_accuracy must be a fraction in [0, 1]; got {collapse_accuracy}")
    out = runs.copy()
    acc = out["accuracy"]
    out["collapsed"] = pd.array(np.where(acc.isna(), None, acc <= collapse_accuracy), dtype="boolean")
    return out


class LRBracket(NamedTuple):
    """Where the learning-rate threshold lies, from the runs that exist.

    ``largest_converged`` and ``smallest_collapsed`` bound the threshold; ``ratio`` is their quotient
    (the reduction that separated collapse from convergence). ``consistent`` is False when some run
    converged at a rate above one that collapsed (then no single threshold explains the runs).
    ``collapsed_span`` is the ratio of the largest to the smallest collapsed rate.
    """

    largest_converged: float
    smallest_collapsed: float
    ratio: float
    consistent: bool
    n_collapsed: int
    n_converged: int
    collapsed_span: float
    largest_collapsed: float


def lr_bracket(classified: pd.DataFrame) -> LRBracket:
    """The learning-rate bracket of runs classified by :func:`classify_collapse`.

    Example: converged at 5e-6, collapsed at 5e-5 and 2e-4: bracket (5e-6, 5e-5), ratio 10, span 4.
    A side with no runs is NaN (all collapsed: no largest_converged; none collapsed: no smallest_collapsed).
    """
    runs = classified[classified["collapsed"].notna()]
    collapsed = runs.loc[runs["collapsed"].astype(bool), "learning_rate"]
    converged = runs.loc[~runs["collapsed"].astype(bool), "learning_rate"]
    nan = float("nan")
    hi_ok = float(converged.max()) if len(converged) else nan
    lo_bad = float(collapsed.min()) if len(collapsed) else nan
    hi_bad = float(collapsed.max()) if len(collapsed) else nan
    ratio = lo_bad / hi_ok if len(collapsed) and len(converged) else nan
    consistent = bool(not (len(collapsed) and len(converged)) or hi_ok < lo_bad)
    span = hi_bad / lo_bad if len(collapsed) else nan
    return LRBracket(hi_ok, lo_bad, ratio, consistent, int(len(collapsed)), int(len(converged)), span, hi_bad)


def collapse_grid(classified: pd.DataFrame) -> pd.DataFrame:
    """One cell per (learning_rate, lora_rank): collapsed (NA where no run), status, attempt, accuracy."""
    cols = ["learning_rate", "lora_rank", "collapsed", "status", "attempt", "accuracy"]
    return (classified.sort_values(["learning_rate", "lora_rank"])[cols]
            .drop_duplicates(["learning_rate", "lora_rank"], keep="first").reset_index(drop=True))


SETTING_WORDS = {"lora_rank": "LoRA rank", "samples": "training samples", "lora_alpha": "LoRA alpha",
                 "rslora": "RSLoRA", "epochs": "epochs", "effective_batch": "effective batch size",
                 "dropout": "dropout", "target_modules": "target modules"}

SETTINGS = ("lora_rank", "samples", "lora_alpha", "rslora", "epochs", "effective_batch", "dropout", "target_modules")


def changed_settings(classified: pd.DataFrame, settings: tuple[str, ...] = SETTINGS) -> list[str]:
    """Settings other than the learning rate that differ between the runs (cells with a run), i.e. what
    the learning rate cannot be credited alone for. A setting unknown for some runs counts as changed when
    the known values differ."""
    runs = classified[classified["collapsed"].notna()]
    return [c for c in settings if c in runs and runs[c].dropna().astype(str).nunique() > 1]
