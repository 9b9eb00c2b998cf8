"""Finding 4: does the switch to on-policy training make hybrid distillation collapse? One analysis, one result.

The per-run arithmetic (the transition, the KL spike, the severity) lives in :mod:`evalpatterns.distillation`;
this module runs it once, picks the run the page and the audit quote (the largest KL spike), measures the
correlation of severity with the teacher/student gap, and draws the conclusion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import distillation, downstream, many_runs
from .. import formatting as fmt
from ..stats import wilson_interval
from ..words.common import caveated
from .base import (ALPHA, CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion, EvalSetMismatch, eval_set_cells,
                   eval_set_mismatch, param)

NUMBER = 4
CHAPTER = "hybrid-distillation"
DATA = ("distillation",)
#: Optional inputs: a chapter run without them says they were not given.
OPTIONAL_DATA = ("distillation_downstream",)
QUESTION = "Finding 4: does the switch to on-policy training make hybrid distillation collapse?"
CLAIM = "Hybrid distillation (off-policy \u2192 on-policy) causes complete collapse at the transition point."

#: The severities of a run whose collapse can be judged (:data:`evalpatterns.distillation.JUDGED`).
JUDGED = distillation.JUDGED


@dataclass(frozen=True)
class Params:
    complete_below: float = param(
        0.01, "eval score at or below which every post-transition step means complete collapse (a run already "
        "at or below it before the transition is not judged)", 0)
    partial_drop: float = param(
        0.25, "relative drop of eval score across the transition that counts as partial collapse", 0, 1)
    min_correlation_runs: int = param(
        5, "fewest runs (changing phase, with an eval score on both sides of it) on which a correlation of "
        "severity with the teacher/student gap is judged; conditions, where several seeds of one are pooled", 3)


#: With many runs, the page's table of extreme runs holds this many.
TOP = 10

#: Up to this many runs the p-value of Spearman's rho is exact (every ordering of the runs is counted);
#: above it, scipy's t approximation.
EXACT_UP_TO = 8


@dataclass(frozen=True)
class Correlation:
    """Spearman's rho between the teacher/student gap and the severity of the fall across the transition (the
    relative drop of the eval score, :func:`evalpatterns.distillation.relative_drop`) over ``n`` points: one per
    condition, its seeds' mean drop (``pooled`` when some condition has more than one seed; else one per run),
    so that seeds of one condition never count as independent points. The p-value is one-sided in the claimed
    direction (a larger gap, a larger drop: rho > 0), exact up to EXACT_UP_TO points (``exact``). ``rho`` and
    ``p_value`` are None with fewer than three points or when either does not vary; ``judged`` is False when
    ``n`` is below ``min_runs`` (the conditions, or runs, it takes); ``holds`` when judged, rho > 0 and
    p < ALPHA."""

    n: int
    min_runs: int
    rho: float | None = None
    p_value: float | None = None
    exact: bool = False
    pooled: bool = False

    @property
    def judged(self) -> bool:
        return self.n >= self.min_runs and self.rho is not None

    @property
    def holds(self) -> bool:
        return self.judged and self.rho > 0 and self.p_value < ALPHA

    @property
    def unit(self) -> str:
        """What each point is: ``condition`` when seeds were pooled, else ``run``."""
        return "condition" if self.pooled else "run"


@dataclass(frozen=True)
class Share:
    """``k`` of ``n`` runs, with the Wilson 95% interval of the proportion (NaN when ``n`` is 0)."""

    k: int
    n: int
    low: float = math.nan
    high: float = math.nan

    @property
    def proportion(self) -> float:
        return self.k / self.n if self.n else math.nan


@dataclass(frozen=True)
class Result:
    params: Params
    log: pd.DataFrame  #: the step log as loaded; with many runs of a Parquet log, an engine.StepLog (not loaded)
    transitions: pd.DataFrame  #: one row per run: distillation.transitions
    judged: pd.DataFrame  #: the rows of ``transitions`` whose severity can be judged (JUDGED)
    spike: pd.Series | None  #: the run the KL claims are read from (see spike_run); None: no KL at any transition
    rises: pd.DataFrame  #: distillation.kl_rises: is the jump at the transition the run's largest rise of KL?
    correlation: Correlation  #: severity (the mean relative drop of each condition) against the gap
    conditions: pd.DataFrame  #: distillation.conditions: the judged runs by condition, seeds pooled
    complete: Share  #: runs that collapsed completely, of the judged runs
    collapsed: Share  #: runs that collapsed completely or partially, of the judged runs
    excerpt_run: str | None  #: the run whose log the page shows (see excerpt_of)
    excerpt_origin: str  #: "spike", "transition", "first", "switching" or "none": which rule picked it
    conclusion: Conclusion
    many: bool = False  #: too many runs to show one by one (many_runs.is_many): summaries instead
    summary: pd.DataFrame | None = None  #: when many: many_runs.severity_summary of ``transitions``
    top: pd.DataFrame | None = None  #: when many: the TOP runs with the largest KL spike (many_runs.top_runs)
    steps: pd.Series | None = None  #: the number of logged steps by status
    excerpt: pd.DataFrame | None = None  #: the logged steps of ``excerpt_run``
    eval_sets: tuple[EvalSetMismatch, ...] = ()  #: compared eval scores measured on different eval sets
    downstream: pd.DataFrame | None = None  #: distillation_downstream.csv as loaded; None: not given
    downstream_table: pd.DataFrame | None = None  #: downstream.downstream_table: by method, family and task
    downstream_eval_sets: tuple[EvalSetMismatch, ...] = ()  #: tasks whose accuracies span different eval sets
    labels: pd.DataFrame | None = None  #: distillation.run_labels: each run's method and least certain status


def spike_run(transitions: pd.DataFrame) -> pd.Series | None:
    """The run with the largest KL spike: among runs that log KL at their transition step, the largest
    ``kl_spike_ratio``; runs without a ratio (no KL before, or 0) come after, by the KL at the transition.
    None when no run logs KL at its transition."""
    t = transitions.dropna(subset=["transition_step", "kl_at"])
    if t.empty:
        return None
    order = t.assign(_has=t["kl_spike_ratio"].notna(), _r=t["kl_spike_ratio"].fillna(-math.inf))
    return order.sort_values(["_has", "_r", "kl_at", "run"], ascending=[False, False, False, True],
                             kind="stable").drop(columns=["_has", "_r"]).iloc[0]


def excerpt_of(transitions: pd.DataFrame, spike: pd.Series | None) -> tuple[str | None, str]:
    """The run whose log excerpt the page shows (the post's "exact log"), and the rule that chose it: the run
    with the largest KL spike; else the first run (by name) that changes phase; else the first run."""
    if spike is not None:
        return str(spike["run"]), "spike"
    runs = transitions.sort_values("run")
    switching = runs.dropna(subset=["transition_step"])
    if len(switching):
        return str(switching["run"].iloc[0]), "transition"
    if len(runs):
        return str(runs["run"].iloc[0]), "first"
    return None, "none"


def family_run(transitions: pd.DataFrame, family: str) -> pd.Series | None:
    """The run of ``family`` (matched without regard to case or surrounding spaces): of several, the first
    by name that changes phase and logs an eval score after it, else the first by name."""
    key = str(family).strip().casefold()
    t = transitions[transitions["family"].astype(str).str.strip().str.casefold() == key]
    if t.empty:
        return None
    t = t.assign(_judged=t["severity"].isin(JUDGED)).sort_values(["_judged", "run"], ascending=[False, True])
    return t.drop(columns="_judged").iloc[0]


def spearman_less(x, y) -> tuple[float, float, bool]:
    """Spearman's rho of ``x`` and ``y`` and the one-sided p-value of a rho this low or lower under no
    association: exact for at most EXACT_UP_TO pairs (the share of all n! orderings of ``y`` against ``x``
    whose rho is at most the observed one; ties keep their mid-ranks), else scipy.stats.spearmanr's t
    approximation (alternative='less'). Returns (rho, p, exact).

    Example: rho = -1 over 5 pairs has exact p = 1/120 = 0.0083 (the t approximation gives p = 0).
    """
    from scipy.stats import rankdata, spearmanr

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rho = float(spearmanr(x, y).statistic)
    if len(x) > EXACT_UP_TO:
        return rho, float(spearmanr(x, y, alternative="less").pvalue), False
    from itertools import permutations

    rx, ry = rankdata(x), rankdata(y)
    orderings = ry[np.array(list(permutations(range(len(ry)))))]
    cx = rx - rx.mean()
    cy = orderings - orderings.mean(axis=1, keepdims=True)
    rhos = (cy @ cx) / np.sqrt((cx ** 2).sum() * (cy ** 2).sum(axis=1))
    return rho, float(np.mean(rhos <= rho + 1e-12)), True


def spearman_greater(x, y) -> tuple[float, float, bool]:
    """Spearman's rho of ``x`` and ``y`` and the one-sided p-value of a rho this high or higher under no
    association: :func:`spearman_less` of ``x`` and ``-y`` (whose rho is minus this one), so exact in the same
    way. Returns (rho, p, exact)."""
    rho, p, exact = spearman_less(x, -np.asarray(y, dtype=float))
    return -rho, p, exact


def correlation_of(conditions: pd.DataFrame, min_runs: int) -> Correlation:
    """Spearman's rho of the gap against the mean relative drop over the conditions (rows of
    :func:`evalpatterns.distillation.conditions`) that have both, with the one-sided p-value for rho > 0
    (:func:`spearman_greater`): one point per condition, however many seeds it has."""
    both = conditions.dropna(subset=["gap", "mean_drop"])
    n, pooled = len(both), bool((conditions["n_seeds"] > 1).any())
    if n < 3 or both["gap"].nunique() < 2 or both["mean_drop"].nunique() < 2:
        return Correlation(n, int(min_runs), pooled=pooled)
    rho, p, exact = spearman_greater(both["gap"].astype(float), both["mean_drop"].astype(float))
    return Correlation(n, int(min_runs), rho, p, exact, pooled)


def _share(k: int, n: int) -> Share:
    if not n:
        return Share(k, n)
    w = wilson_interval(k, n)
    return Share(int(k), int(n), float(w.low), float(w.high))


def _runs(n: int) -> str:
    return f"{n} run" + ("" if n == 1 else "s")


#: The runs that change phase and log an eval score after it but are not judged, by severity: what the reason
#: says of one of them and of several (``{cb}``: ``complete_below``).
NOT_JUDGED = {"already collapsed": ("was already at or below {cb} before its transition",
                                    "were already at or below {cb} before their transition"),
              "no eval before": ("logs no eval score before its transition",
                                 "log no eval score before their transition")}


def not_judged_text(transitions: pd.DataFrame, complete_below: float) -> str:
    """The runs left out of the verdict although they change phase and log an eval score after it, counted by
    why (:data:`NOT_JUDGED`): ``1 run was already at or below 0.01 before its transition and 2 runs log no eval
    score before their transition``; "" when there is none."""
    sev = transitions["severity"].value_counts()
    parts = [f"{_runs(int(sev[key]))} {(one if sev[key] == 1 else many).format(cb=f'{complete_below:g}')}"
             for key, (one, many) in NOT_JUDGED.items() if sev.get(key, 0)]
    return " and ".join(parts)


def judged_clause(n: int, transitions: pd.DataFrame, complete_below: float) -> str:
    """What makes ``n`` runs judged: ``that change phase and log an eval score on both sides of it``, adding
    `` and above 0.01 before it`` where a run already at or below that is left out."""
    verbs = "changes phase and logs" if n == 1 else "change phase and log"
    above = (f" and above {complete_below:g} before it" if transitions["severity"].eq("already collapsed").any()
             else "")
    return f"that {verbs} an eval score on both sides of it{above}"


def judged_text(n: int, transitions: pd.DataFrame, complete_below: float) -> str:
    """The judged runs counted by what makes them judged: ``2 runs that change phase and log an eval score on
    both sides of it`` (``one run that changes ...``; see :func:`judged_clause`)."""
    return f"{'one run' if n == 1 else _runs(n)} {judged_clause(n, transitions, complete_below)}"


def conclude(transitions: pd.DataFrame, params: Params, spike: pd.Series | None = None) -> Conclusion:
    """The verdict on "hybrid distillation causes complete collapse at the transition", over the runs that
    change phase, log an eval score on both sides of it and scored above ``complete_below`` before it
    (severity in JUDGED; see :func:`evalpatterns.distillation.severity`):

    - inconclusive when there is no such run;
    - supported when at least one collapses completely (every eval score from the transition on at or below
      ``complete_below``) and more than half collapse, completely or partially;
    - contradicted when none collapses (every severity is "none");
    - inconclusive otherwise (a mixed picture).

    A run already at or below ``complete_below`` before its transition, or with no eval score before it, counts
    neither for nor against the claim; the reason says how many there are (:func:`not_judged_text`).
    The statistic is the share that collapsed completely, shown as k of n with its Wilson 95% interval, and
    the largest KL spike at a transition.
    """
    cb = f"{params.complete_below:g}"
    test = ("the severity of each run that changes phase and logs an eval score on both sides of it and above "
            f"{cb} before it (supported when at least one collapses completely and more than half collapse, "
            "completely or partially; contradicted when none collapses; inconclusive otherwise)")
    judged = transitions[transitions["severity"].isin(JUDGED)]
    n = len(judged)
    left_out = not_judged_text(transitions, params.complete_below)
    if not n:
        no_eval = int(transitions["severity"].eq("no eval").sum())
        why = ("no run changes from off-policy to on-policy" if transitions["transition_step"].isna().all()
               else "no run that changes phase logs an eval score after the change" if not left_out
               else "no run that changes phase can be judged, as " + " and ".join(
                   [left_out] + ([f"{_runs(no_eval)} {'logs' if no_eval == 1 else 'log'} no eval score after "
                                  f"{'its' if no_eval == 1 else 'their'} transition"] if no_eval else [])))
        return Conclusion(INCONCLUSIVE, test, None, "no run to judge", why)
    note = f"; not counted for or against the claim, {left_out}" if left_out else ""
    k = int((judged["severity"] == "complete").sum())
    kc = k + int((judged["severity"] == "partial").sum())
    share = _share(k, n)
    shown = f"complete in {k} of {_runs(n)}, Wilson 95% interval {fmt.pct(share.low)} to {fmt.pct(share.high)}"
    if spike is not None and not pd.isna(spike["kl_spike_ratio"]):
        shown += f"; largest KL spike {fmt.ratio(spike['kl_spike_ratio'])} in {spike['run']}"
    runs = judged_text(n, transitions, params.complete_below)
    if k and kc > n / 2:
        how = f"collapsed completely at the transition (every eval score from it on at or below {cb})"
        return Conclusion(SUPPORTED, test, share.proportion, shown,
                          (f"the {runs} {how}" if n == 1 else
                           f"{k} of the {runs} {how} and {kc} of {n} collapsed completely or partially") + note)
    drop = f"{100 * params.partial_drop:g}%"
    if kc == 0:
        return Conclusion(CONTRADICTED, test, share.proportion, shown,
                          (f"none of the {runs} collapsed: each kept its lowest eval score after the transition "
                           f"within {drop} of its last off-policy score" if n > 1 else
                           f"the {runs} did not collapse: its lowest eval score after the transition stayed "
                           f"within {drop} of its last off-policy score") + note)
    if n == 1:
        return Conclusion(INCONCLUSIVE, test, share.proportion, shown,
                          f"the {runs} collapsed partially, not completely" + note)
    why = (f"no run collapsed completely, though {kc} of the {runs} collapsed partially" if not k else
           f"{k} of the {runs} collapsed completely, but only {kc} of {n} collapsed at all, not more than half")
    return Conclusion(INCONCLUSIVE, test, share.proportion, shown, why + note)


def eval_set_mismatches(sides: pd.DataFrame, correlation: Correlation) -> tuple[EvalSetMismatch, ...]:
    """The comparisons whose eval scores name different eval sets, from ``sides``
    (:func:`evalpatterns.distillation.eval_set_sides`): a judged run's scores before against after its
    transition, and (where a correlation is computed) the judged runs' scores after it against each other."""
    if sides.empty:
        return ()
    out = [eval_set_mismatch(f"run {run}'s eval scores before against after the transition",
                             eval_set_cells(rows[~rows["after"]]), eval_set_cells(rows[rows["after"]]))
           for run, rows in sides.groupby("run", sort=True)]
    if correlation.rho is not None:
        out.append(eval_set_mismatch("the runs' eval scores after the transition, compared across teacher/student gaps",
                                     eval_set_cells(sides[sides["after"]])))
    return tuple(m for m in out if m is not None)


def analyse(data: dict[str, pd.DataFrame] | pd.DataFrame, params: Params = Params()) -> Result:
    """Finding 4 on a loaded ``distillation`` step log (or ``{"distillation": log}``, with the optional
    ``"distillation_downstream"`` frame of method-level downstream accuracies), or on an
    :class:`evalpatterns.engine.StepLog` (a Parquet log, left on the engine: only the per-run results, the
    counts by status and the rows of the runs the page draws come into memory; with few runs, every row)."""
    log = data["distillation"] if isinstance(data, dict) else data
    down = data.get("distillation_downstream") if isinstance(data, dict) else None
    on_engine = not isinstance(log, pd.DataFrame)
    if on_engine:
        transitions = log.transitions(params.complete_below, params.partial_drop)
        rises, steps, labels = log.kl_rises(transitions), log.status_counts(), log.run_labels()
    else:
        transitions = distillation.transitions(log, params.complete_below, params.partial_drop)
        rises, steps = distillation.kl_rises(log, transitions), log["status"].value_counts()
        labels = distillation.run_labels(log)
    judged = transitions[transitions["severity"].isin(JUDGED)]
    conditions = distillation.conditions(judged, labels)
    spike = spike_run(transitions)
    k = int((judged["severity"] == "complete").sum())
    kc = k + int((judged["severity"] == "partial").sum())
    many = many_runs.is_many(transitions)
    if on_engine and not many:  # a few runs: the figures draw every logged step of each
        log = log.rows(transitions["run"])
    excerpt, origin = excerpt_of(transitions, spike)
    if many and many_runs.excerpt_run(transitions) is not None:
        excerpt, origin = many_runs.excerpt_run(transitions), "switching"
    rows = log[log["run"] == excerpt] if isinstance(log, pd.DataFrame) else log.rows([excerpt])
    correlation = correlation_of(conditions, params.min_correlation_runs)
    sides = (distillation.eval_set_sides(log, judged) if isinstance(log, pd.DataFrame)
             else log.eval_set_sides(judged))
    mismatches = eval_set_mismatches(sides, correlation)
    return Result(params, log, transitions, judged, spike, rises, correlation, conditions, _share(k, len(judged)),
                  _share(kc, len(judged)), excerpt, origin,
                  caveated(conclude(transitions, params, spike), mismatches), many,
                  many_runs.severity_summary(transitions) if many else None,
                  many_runs.top_runs(transitions, TOP) if many else None, steps=steps, excerpt=rows,
                  eval_sets=mismatches, downstream=down,
                  downstream_table=downstream.downstream_table(down) if down is not None else None,
                  downstream_eval_sets=downstream.eval_set_mismatches(down), labels=labels)
