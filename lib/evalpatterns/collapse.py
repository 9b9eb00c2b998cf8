"""Finding 2, mode collapse: which runs collapsed, and the learning-rate bracket between them.

A run's outcome comes from its accuracy or, when only a range is known (``accuracy_low``/``accuracy_high``,
such as 0-3%), from that range: it collapsed when the whole range is at or below the collapse line, converged
when the whole range is above it, and its outcome is unknown when the range straddles the line.
"""
from __future__ import annotations

import math
from itertools import combinations
from typing import NamedTuple

import numpy as np
import pandas as pd

from .schema import STATUSES

COLLAPSED, CONVERGED, UNKNOWN, NO_RUN = "collapsed", "converged", "unknown", "no run"
MIXED = "mixed"  # a grid cell whose attempts' outcomes differ
MANY_RUNS = 12  # more runs than this: the trend compares learning rates (runs pooled), not every pair of runs


def _range(runs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The low and high end of each run's accuracy: the accuracy itself, else its reported range (NaN when
    neither is known). A range given high-to-low is read low-to-high."""
    nan = pd.Series(np.nan, index=runs.index)
    acc = runs["accuracy"].astype(float)
    lo = runs["accuracy_low"].astype(float) if "accuracy_low" in runs else nan
    hi = runs["accuracy_high"].astype(float) if "accuracy_high" in runs else nan
    has_range = acc.isna() & lo.notna() & hi.notna()
    low = acc.where(~has_range, np.minimum(lo, hi))
    high = acc.where(~has_range, np.maximum(lo, hi))
    return low, high


def classify_collapse(runs: pd.DataFrame, collapse_accuracy: float = 0.10) -> pd.DataFrame:
    """Add ``outcome`` (collapsed, converged, unknown or "no run"), ``collapsed`` (True/False; NA where there
    is no run or the outcome is unknown), ``is_range`` (known only as a range) and ``accuracy_low``/
    ``accuracy_high`` (the accuracy itself when it is known).

    A run collapses when its accuracy (or the high end of its range) is at most ``collapse_accuracy`` and
    converges when its accuracy (or the low end of its range) is above it. Example: accuracies 0.02, 0.00,
    0.735 with the default 0.10 give True, True, False; a range 0-3% collapses, 5-30% is unknown.
    """
    if not 0 <= collapse_accuracy <= 1:
        raise ValueError(f"collapse_accuracy must be a fraction in [0, 1]; got {collapse_accuracy}")
    out = runs.copy()
    low, high = _range(out)
    out["is_range"] = out["accuracy"].isna() & low.notna()
    out["accuracy_low"], out["accuracy_high"] = low, high
    outcome = np.where(low.isna(), NO_RUN, np.where(high <= collapse_accuracy, COLLAPSED,
                                                    np.where(low > collapse_accuracy, CONVERGED, UNKNOWN)))
    out["outcome"] = outcome
    out["collapsed"] = pd.array(np.where(np.isin(outcome, (COLLAPSED, CONVERGED)), outcome == COLLAPSED, None),
                                dtype="boolean")
    return out


def severity(classified: pd.DataFrame, complete_accuracy: float = 0.05) -> pd.Series:
    """Each collapsed run's severity: ``complete`` when its accuracy (or its whole range) is at most
    ``complete_accuracy``, ``partial`` when it is (wholly) above it, ``none`` for a converged run, NA when
    unknown (no run, outcome unknown, or a range straddling ``complete_accuracy``).

    An accuracy of 0 is always a complete collapse (``complete_accuracy`` is never below 0); whether one
    output was repeated (``sample_output``) is reported beside it but does not decide it.
    """
    if not 0 <= complete_accuracy <= 1:
        raise ValueError(f"complete_accuracy must be a fraction in [0, 1]; got {complete_accuracy}")
    collapsed = classified["collapsed"]
    low, high = classified["accuracy_low"], classified["accuracy_high"]
    word = np.where(high <= complete_accuracy, "complete", np.where(low > complete_accuracy, "partial", None))
    word = np.where(collapsed.isna(), None, np.where(collapsed.fillna(False).to_numpy(dtype=bool), word, "none"))
    return pd.Series(word, index=classified.index, dtype="object")


def intermediate(classified: pd.DataFrame, collapse_accuracy: float = 0.10) -> pd.Series:
    """Runs neither collapsed nor cleanly converged: accuracy (its whole range) above ``collapse_accuracy``
    but below half the best converged accuracy, the mark of gradual degradation.

    Example: converged 73.5% and a run at 30% (above 10%, below 36.75%): the 30% run is intermediate.
    """
    converged = classified["outcome"] == CONVERGED
    best = classified.loc[converged, "accuracy_high"].max()
    if not converged.any() or pd.isna(best):
        return pd.Series(False, index=classified.index)
    return (converged & (classified["accuracy_low"] > collapse_accuracy)
            & (classified["accuracy_high"] < best / 2)).fillna(False).astype(bool)


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


GRID_KEYS = ["learning_rate", "lora_rank"]


def collapse_grid(classified: pd.DataFrame) -> pd.DataFrame:
    """One cell per (learning_rate, lora_rank), counting every attempt in it (a row whose outcome is not
    "no run"): ``n_attempts``, ``n_collapsed``, ``n_converged``, ``n_unknown``, ``share_collapsed`` (collapsed
    among those with an outcome; NaN without one) and ``n_<status>`` for each status of the data contract.

    ``outcome`` is the attempts' one outcome, :data:`MIXED` when they differ, "no run" without an attempt;
    ``collapsed`` is True when every attempt with an outcome collapsed, False when every one converged, NA
    otherwise; ``status`` is the least measured status among the attempts (in the contract's order measured,
    figure, illustrative, pending), so a cell is drawn as measured only when all its attempts are. ``attempt``,
    ``accuracy`` and ``is_range`` are the attempt's own in a cell of one attempt (NA with several);
    ``accuracy_low``/``accuracy_high`` span the cell's attempts. A cell without an attempt takes its row's
    status (the placeholder an original figure drew).

    Example: three attempts at (5e-5, 64), two collapsed and one converged, all measured: ``n_attempts`` 3,
    ``n_collapsed`` 2, ``share_collapsed`` 2/3, ``outcome`` "mixed", ``collapsed`` NA, ``attempt`` NA.
    """
    rank = {s: i for i, s in enumerate(STATUSES)}
    ran = classified["outcome"] != NO_RUN
    runs = classified[ran].assign(_rank=classified["status"].map(rank).fillna(len(STATUSES)),
                                  **{f"n_{o}": classified["outcome"] == o for o in (COLLAPSED, CONVERGED, UNKNOWN)},
                                  **{f"n_{s}": classified["status"] == s for s in STATUSES})
    g = runs.groupby(GRID_KEYS, sort=True, dropna=False)
    counted = [f"n_{o}" for o in (COLLAPSED, CONVERGED, UNKNOWN)] + [f"n_{s}" for s in STATUSES]
    cells = g[counted].sum().astype(int)
    cells.insert(0, "n_attempts", g.size())
    cells["accuracy_low"], cells["accuracy_high"] = g["accuracy_low"].min(), g["accuracy_high"].max()
    cells["status"] = runs.loc[g["_rank"].idxmax(), "status"].to_numpy()
    one = cells["n_attempts"] == 1
    first = g[["attempt", "accuracy", "is_range", "outcome"]].first()
    cells["attempt"], cells["accuracy"] = first["attempt"].where(one), first["accuracy"].where(one)
    cells["is_range"] = first["is_range"].astype(bool) & one
    single = cells[["n_collapsed", "n_converged", "n_unknown"]].eq(cells["n_attempts"], axis=0).any(axis=1)
    cells["outcome"] = first["outcome"].where(single, MIXED)
    known = cells["n_collapsed"] + cells["n_converged"]
    cells["share_collapsed"] = cells["n_collapsed"] / known.where(known > 0)
    cells["collapsed"] = pd.array(np.where(known == 0, None, np.where(cells["n_converged"] == 0, True,
                                           np.where(cells["n_collapsed"] == 0, False, None))), dtype="boolean")
    empty = (classified[~ran].drop_duplicates(GRID_KEYS, keep="first").set_index(GRID_KEYS)
             .drop(index=cells.index, errors="ignore"))
    empty = pd.DataFrame({"n_attempts": 0, **{c: 0 for c in counted}, "accuracy_low": np.nan,
                          "accuracy_high": np.nan, "status": empty["status"], "attempt": empty["attempt"],
                          "accuracy": np.nan, "is_range": False, "outcome": NO_RUN, "share_collapsed": np.nan,
                          "collapsed": pd.array([pd.NA] * len(empty), dtype="boolean")}, index=empty.index)
    grid = pd.concat([cells, empty]) if len(empty) else cells
    cols = ["collapsed", "outcome", "status", "attempt", "accuracy", "is_range", "accuracy_low", "accuracy_high",
            "n_attempts", "n_collapsed", "n_converged", "n_unknown", "share_collapsed"] + [f"n_{s}" for s in STATUSES]
    return grid.sort_index()[cols].reset_index()


class Separation(NamedTuple):
    """Fisher's exact test of collapsed/converged against the side of the bracket a run lies on.

    ``table`` is ((collapsed above, converged above), (collapsed below, converged below)), where "above" is
    a rate at or above the smallest collapsed rate and "below" a rate at or below the largest converged one
    (when no single threshold separates the runs, a run can be on both sides; it is counted above).
    """

    table: tuple[tuple[int, int], tuple[int, int]]
    p_value: float
    n_runs: int


def separation(classified: pd.DataFrame, bracket: "LRBracket") -> Separation | None:
    """Fisher's exact test (two-sided) on the runs with an outcome; None without a collapsed and a converged
    run. Example: 2 collapsed above, 1 converged below: table ((2, 0), (0, 1)), p = 1/3 (one of the three
    ways to choose which 2 of 3 runs collapsed puts them all above)."""
    from scipy.stats import fisher_exact

    if math.isnan(bracket.ratio):
        return None
    runs = classified[classified["collapsed"].notna()]
    above = runs["learning_rate"] >= bracket.smallest_collapsed
    bad = runs["collapsed"].astype(bool)
    table = ((int((above & bad).sum()), int((above & ~bad).sum())),
             (int((~above & bad).sum()), int((~above & ~bad).sum())))
    return Separation(table, float(fisher_exact(table).pvalue), int(len(runs)))


class Change(NamedTuple):
    """Accuracy at a lower and at a higher learning rate, with Fisher's exact p where both counts are known."""

    low_rate: float
    high_rate: float
    low_accuracy: float
    high_accuracy: float
    p_value: float  # NaN without counts


class Trend(NamedTuple):
    """How accuracy moves as the learning rate grows: the clearest rise and the clearest fall between two runs
    at different rates (the one with the smallest Fisher p; without counts, the largest change).

    ``shape``: ``non-monotonic`` (a rise and a fall, each told apart from noise at ``alpha``), ``monotonic``
    (accuracy never rises, or never falls), ``within noise`` (it rises and falls, but not both beyond noise),
    ``too few`` (fewer than three runs with an accuracy, or all at one rate). ``pooled``: the changes are
    between learning rates, each rate's runs pooled (more than :data:`MANY_RUNS` runs), not between runs.
    """

    n_runs: int
    n_rates: int
    rise: Change | None
    fall: Change | None
    alpha: float
    pooled: bool = False

    def significant(self, change: Change | None) -> bool:
        return change is not None and not math.isnan(change.p_value) and change.p_value < self.alpha

    @property
    def shape(self) -> str:
        if self.n_runs < 3 or self.n_rates < 2:
            return "too few"
        if self.rise is None or self.fall is None:
            return "monotonic"
        if self.significant(self.rise) and self.significant(self.fall):
            return "non-monotonic"
        return "within noise"


def pool_by_rate(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per learning rate: the runs there pooled, accuracy = sum of n_correct / sum of n_eval when every
    run at the rate has counts (and the sums as its counts), else the mean accuracy without counts."""
    g = runs.assign(_known=runs["n_correct"].notna() & runs["n_eval"].notna()).groupby("learning_rate", sort=True)
    out = g.agg(accuracy=("accuracy", "mean"), n_correct=("n_correct", "sum"), n_eval=("n_eval", "sum"),
                known=("_known", "all")).reset_index()
    counted = out["known"] & (out["n_eval"] > 0)
    out["accuracy"] = out["accuracy"].where(~counted, out["n_correct"] / out["n_eval"].where(counted))
    out[["n_correct", "n_eval"]] = out[["n_correct", "n_eval"]].where(counted)
    return out.drop(columns="known")


def _changes(points: pd.DataFrame) -> tuple[list[Change], list[Change]]:
    """Every change between two points (rows: learning_rate, accuracy, n_correct, n_eval) at different rates
    and accuracies, split into rises and falls."""
    rises, falls = [], []
    rows = points[["learning_rate", "accuracy", "n_correct", "n_eval"]].to_numpy(dtype=float)
    from .stats import compare_proportions

    for a, b in combinations(rows, 2):
        if a[0] == b[0] or a[1] == b[1]:
            continue
        known = not np.isnan([a[2], a[3], b[2], b[3]]).any()
        p = compare_proportions(int(a[2]), int(a[3]), int(b[2]), int(b[3])).p_value if known else math.nan
        c = Change(float(a[0]), float(b[0]), float(a[1]), float(b[1]), p)
        (rises if c.high_accuracy > c.low_accuracy else falls).append(c)
    return rises, falls


def accuracy_trend(classified: pd.DataFrame, alpha: float = 0.05) -> Trend:
    """The :class:`Trend` of the runs with a single accuracy (ranges are left out: their order is unknown).
    With more than :data:`MANY_RUNS` such runs the runs at each learning rate are pooled
    (:func:`pool_by_rate`) and the changes are between rates, so the tests grow with the rates, not the runs.

    Example: 73.5% (147/200) at 5e-6, 0% (0/200) at 5e-5, 2% (4/200) at 2e-4: the fall 73.5% -> 0% has
    p < 0.0001, the rise 0% -> 2% has Fisher's p = 0.12, so the shape is ``within noise``.
    """
    runs = classified[classified["accuracy"].notna()].sort_values("learning_rate", kind="stable")
    for c in ("n_correct", "n_eval"):
        if c not in runs:
            runs = runs.assign(**{c: np.nan})
    pooled = len(runs) > MANY_RUNS
    rises, falls = _changes(pool_by_rate(runs) if pooled else runs)

    def clearest(changes: list[Change]) -> Change | None:
        if not changes:
            return None
        return min(changes, key=lambda c: (math.isnan(c.p_value), c.p_value if not math.isnan(c.p_value) else 0,
                                           -abs(c.high_accuracy - c.low_accuracy)))

    return Trend(int(len(runs)), int(runs["learning_rate"].nunique()), clearest(rises), clearest(falls), alpha,
                 pooled)


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
