"""Finding 2: does mode collapse set in at a learning-rate threshold? One analysis, one result.

The arithmetic (classifying runs, the learning-rate bracket, the test) lives in :mod:`evalpatterns.collapse`;
this module runs it once and draws the conclusion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .. import collapse
from .. import formatting as fmt
from ..words.common import caveated
from .base import (ALPHA, CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion, EvalSetMismatch, eval_set_cells,
                   eval_set_mismatch, param)

NUMBER = 2
CHAPTER = "mode-collapse"
DATA = ("mode_collapse",)
QUESTION = "Finding 2: does mode collapse set in at a learning-rate threshold?"
CLAIM = "Mode collapse occurs instantaneously at a hyperparameter threshold, not as gradual degradation."


@dataclass(frozen=True)
class Params:
    collapse_accuracy: float = param(0.10, "accuracy at or below which a run counts as collapsed", 0, 1)
    complete_accuracy: float = param(
        0.05, "accuracy at or below which a collapsed run counts as a complete collapse (an accuracy of 0 "
        "always does)", 0, 1)
    binary_bracket: float = param(
        2.0, "the widest ratio of the smallest collapsed to the largest converged learning rate within which "
        "the runs can show the change to be binary rather than gradual", 1)


@dataclass(frozen=True)
class Result:
    params: Params
    data: pd.DataFrame  #: the mode_collapse frame as loaded
    runs: pd.DataFrame  #: collapse.classify_collapse, with severity and intermediate columns
    bracket: collapse.LRBracket
    grid: pd.DataFrame  #: collapse.collapse_grid: one cell per learning rate and LoRA rank
    changed: tuple[str, ...]  #: settings other than the learning rate that differ between the runs
    bracket_changed: tuple[str, ...]  #: ... between the runs that bound the bracket
    trend: collapse.Trend  #: the clearest rise and fall of accuracy as the rate grows
    separation: collapse.Separation | None  #: Fisher's exact test of collapsed/converged against the bracket
    conclusion: Conclusion
    eval_sets: tuple[EvalSetMismatch, ...] = ()  #: the compared runs' accuracies span different eval sets

    @property
    def n_runs(self) -> int:
        """Runs with an outcome (collapsed or converged)."""
        return int(self.runs["collapsed"].notna().sum())

    @property
    def n_unknown(self) -> int:
        """Runs known only as a range that straddles the collapse line."""
        return int((self.runs["outcome"] == collapse.UNKNOWN).sum())

    @property
    def n_intermediate(self) -> int:
        return int(self.runs["intermediate"].sum())


TEST = (f"a single learning-rate threshold separating the converged runs from the collapsed ones, with "
        f"Fisher's exact test of collapsed or converged against the side of the threshold (significance "
        f"{ALPHA:g})")


def _shown(bracket: collapse.LRBracket) -> str:
    return (f"a {fmt.ratio(bracket.ratio)} bracket, {fmt.sci(bracket.largest_converged)} converged to "
            f"{fmt.sci(bracket.smallest_collapsed)} collapsed; {bracket.n_collapsed} collapsed, "
            f"{bracket.n_converged} converged")


def _accuracy(r) -> str:
    return fmt.pct_range(r["accuracy_low"], r["accuracy_high"], 1) if r["is_range"] else fmt.pct(r["accuracy"], 1)


def conclude(runs: pd.DataFrame, bracket: collapse.LRBracket, sep: collapse.Separation | None) -> Conclusion:
    """The verdict on the post's claim, from the runs with an outcome (an accuracy, or a range wholly on one
    side of the collapse line).

    - inconclusive: fewer than 2 runs, or all at one learning rate, or every run collapsed (no threshold
      within the rates tried);
    - contradicted: no run collapsed at any rate tried; or no single threshold separates them (a run
      converged at a rate at or above one that collapsed); or accuracy degrades gradually (a run above the
      collapse line but below half the best converged accuracy);
    - supported: a single threshold separates converged from collapsed runs and Fisher's exact test of
      collapsed/converged against above/below the bracket gives p < ALPHA;
    - otherwise inconclusive: consistent with a threshold, but too few runs to rule out chance.

    The statistic is the bracket's ratio (smallest collapsed rate / largest converged rate).
    """
    known = runs[runs["collapsed"].notna()]
    n, rates = len(known), known["learning_rate"].nunique()
    if n < 2 or rates < 2:
        why = (f"only {n} {'run has' if n == 1 else 'runs have'} an outcome" if n < 2
               else f"every run is at the one learning rate {fmt.sci(known['learning_rate'].iloc[0])}")
        return Conclusion(INCONCLUSIVE, TEST, None, "too few runs", why + ", so no threshold can be located")
    lo, hi = fmt.sci(known["learning_rate"].min()), fmt.sci(known["learning_rate"].max())
    if bracket.n_collapsed == 0:
        return Conclusion(CONTRADICTED, TEST, None, "no collapse",
                          f"no run collapsed at any rate tried, from {lo} to {hi}")
    if bracket.n_converged == 0:
        return Conclusion(INCONCLUSIVE, TEST, None, "every run collapsed",
                          f"every run collapsed, from {lo} to {hi}: no threshold lies within the rates tried")
    shown = _shown(bracket)
    p = sep.p_value if sep is not None else None
    if not bracket.consistent:
        shown = (f"converged up to {fmt.sci(bracket.largest_converged)}, collapsed from "
                 f"{fmt.sci(bracket.smallest_collapsed)}; {bracket.n_collapsed} collapsed, "
                 f"{bracket.n_converged} converged")
        return Conclusion(CONTRADICTED, TEST, bracket.ratio, shown,
                          f"no single threshold separates the runs, since a run converged at "
                          f"{fmt.sci(bracket.largest_converged)}, at or above {fmt.sci(bracket.smallest_collapsed)}, "
                          "where one collapsed")
    gradual = runs[runs["intermediate"]]
    if len(gradual):
        r = gradual.sort_values("learning_rate").iloc[0]
        return Conclusion(CONTRADICTED, TEST, bracket.ratio, shown,
                          f"accuracy degrades gradually, since the run at {fmt.sci(r['learning_rate'])} reached "
                          f"{_accuracy(r)}, above the collapse line and below half the best converged accuracy")
    if p is not None and p < ALPHA:
        return Conclusion(SUPPORTED, TEST, bracket.ratio, shown,
                          f"a single threshold between {fmt.sci(bracket.largest_converged)} and "
                          f"{fmt.sci(bracket.smallest_collapsed)} separates all {n} runs, more cleanly than "
                          "chance would", p)
    return Conclusion(INCONCLUSIVE, TEST, bracket.ratio, shown,
                      f"the runs are consistent with a threshold between {fmt.sci(bracket.largest_converged)} and "
                      f"{fmt.sci(bracket.smallest_collapsed)}, but {n} runs cannot rule out chance "
                      f"(Fisher's exact p = {p:.2g})", p)


def analyse(data: dict[str, pd.DataFrame] | pd.DataFrame, params: Params = Params()) -> Result:
    """Finding 2 on a loaded ``mode_collapse`` frame (or ``{"mode_collapse": frame}``)."""
    frame = data["mode_collapse"] if isinstance(data, dict) else data
    runs = collapse.classify_collapse(frame, params.collapse_accuracy)
    runs["severity"] = collapse.severity(runs, params.complete_accuracy)
    runs["intermediate"] = collapse.intermediate(runs, params.collapse_accuracy)
    bracket = collapse.lr_bracket(runs)
    sep = collapse.separation(runs, bracket)
    known = runs[runs["collapsed"].notna()]
    pair = (known[known["learning_rate"].isin([bracket.largest_converged, bracket.smallest_collapsed])]
            if not math.isnan(bracket.ratio) else known.iloc[0:0])
    mismatch = eval_set_mismatch("the runs compared across learning rates", eval_set_cells(known))
    mismatches = (mismatch,) if mismatch is not None else ()
    return Result(params, frame, runs, bracket, collapse.collapse_grid(runs),
                  tuple(collapse.changed_settings(runs)), tuple(collapse.changed_settings(pair)),
                  collapse.accuracy_trend(runs, ALPHA), sep, caveated(conclude(runs, bracket, sep), mismatches),
                  mismatches)
