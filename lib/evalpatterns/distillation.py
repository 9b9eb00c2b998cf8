"""Finding 4, hybrid distillation: where the phase changes, how far KL jumps, how badly scores fall.

Every function works on the whole step log at once (grouped and vectorised), so a log of thousands of runs
costs no Python loop per run.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

RUN_COLUMNS = ["run", "family", "student", "teacher", "gap", "seed"]


def _last_per_run(frame: pd.DataFrame, column: str) -> pd.Series:
    """The last non-missing ``column`` of each run, in step order."""
    present = frame.dropna(subset=[column])
    return present.groupby("run", sort=False)[column].last()


def transitions(log: pd.DataFrame, complete_below: float = 0.01, partial_drop: float = 0.25) -> pd.DataFrame:
    """One row per run: the off- to on-policy transition and what happened across it.

    - ``transition_step``: the first on-policy step that follows an off-policy step (NA: no phase change).
    - ``kl_before``: the last KL logged at an off-policy step before it; ``kl_at``: KL at the transition step;
      ``kl_spike_ratio`` = kl_at / kl_before (NA when either is missing or kl_before is 0).
    - ``eval_before``: last off-policy eval score; ``eval_after_min`` / ``eval_after_max`` / ``eval_final``:
      eval scores from the transition step on.
    - ``severity``: ``complete`` when every score after the transition is <= ``complete_below``;
      ``partial`` when the lowest is below ``eval_before * (1 - partial_drop)``; ``none`` otherwise;
      ``no transition`` / ``no eval`` when it cannot be told.

    Example (Llama, seed 8): transition at step 50, KL 0.015 -> 5.4453 (363x), eval 0.266 -> 0.000: complete.
    """
    log = log.sort_values(["run", "step"], kind="stable")
    runs = log.groupby("run", sort=False)[[c for c in RUN_COLUMNS if c != "run"]].first()
    on = log["phase"].eq("on_policy")
    prev_off = log["phase"].shift().eq("off_policy") & log["run"].eq(log["run"].shift())
    first_switch = log[on & prev_off].groupby("run", sort=False)["step"].first()
    runs["transition_step"] = first_switch.reindex(runs.index).astype("Int64")

    step_t = log["run"].map(first_switch)
    before = log[log["phase"].eq("off_policy") & (log["step"] < step_t)]
    after = log[step_t.notna() & (log["step"] >= step_t)]
    at = log[log["step"].eq(step_t)].groupby("run", sort=False)

    runs["kl_before"] = _last_per_run(before, "kl").reindex(runs.index)
    runs["kl_at"] = at["kl"].first().reindex(runs.index)
    runs["kl_spike_ratio"] = (runs["kl_at"] / runs["kl_before"].where(runs["kl_before"] > 0))
    runs["eval_before"] = _last_per_run(before, "eval_score").reindex(runs.index)
    ev = after.dropna(subset=["eval_score"]).groupby("run", sort=False)["eval_score"]
    runs["eval_after_min"] = ev.min().reindex(runs.index)
    runs["eval_after_max"] = ev.max().reindex(runs.index)
    runs["eval_final"] = ev.last().reindex(runs.index)
    runs["eval_drop"] = runs["eval_before"] - runs["eval_after_min"]

    severity = np.select(
        [runs["transition_step"].isna().to_numpy(),
         runs["eval_after_max"].isna().to_numpy(),
         (runs["eval_after_max"] <= complete_below).to_numpy(),
         (runs["eval_after_min"] < runs["eval_before"] * (1 - partial_drop)).to_numpy()],
        ["no transition", "no eval", "complete", "partial"], default="none")
    runs["severity"] = severity
    return runs.reset_index()


def phase_steps(log: pd.DataFrame) -> pd.DataFrame:
    """First and last step of each phase of each run (for shading the phases in a figure)."""
    return (log.groupby(["run", "phase"], sort=False)["step"].agg(["min", "max"])
            .rename(columns={"min": "first_step", "max": "last_step"}).reset_index())
