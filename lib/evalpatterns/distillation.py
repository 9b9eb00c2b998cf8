"""Finding 4, hybrid distillation: where the phase changes, how far KL jumps, how badly scores fall.

Every function works on the whole step log at once (grouped and vectorised), so a log of thousands of runs
costs no Python loop per run; :func:`transitions` works on numpy arrays after one sort, without copying the
log (a million-row log takes well under a second).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import STATUSES as _STATUSES

RUN_COLUMNS = ["run", "family", "student", "teacher", "gap", "seed"]
#: Every severity :func:`transitions` gives a run, in the order the tables and figures show them.
SEVERITIES = ("complete", "partial", "none", "already collapsed", "no eval before", "no eval", "no transition")
#: The severities of a run whose collapse at the transition can be judged: it changes phase, logs an eval score
#: on both sides of the transition, and scored above ``complete_below`` before it. The others are not counted
#: for or against the claim.
JUDGED = SEVERITIES[:3]
_STATUS_RANK = {s: i for i, s in enumerate(_STATUSES)}


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
    - ``severity`` (:func:`severity`): ``complete``, ``partial`` or ``none`` where a collapse at the transition
      can be judged (:data:`JUDGED`); ``already collapsed``, ``no eval before``, ``no eval`` or
      ``no transition`` where it cannot.

    Example (Llama, seed 8): transition at step 50, KL 0.015 -> 5.4453 (363x), eval 0.266 -> 0.000: complete.
    """
    fast = _transitions_fast(log, complete_below, partial_drop)
    return fast if fast is not None else _transitions_reference(log, complete_below, partial_drop)


def _transitions_reference(log: pd.DataFrame, complete_below: float, partial_drop: float) -> pd.DataFrame:
    """:func:`transitions` in pandas terms: the definition :func:`_transitions_fast` must agree with. Used
    for logs the fast path does not take (missing run names or steps, non-integer steps, unusual dtypes)."""
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
    runs["severity"] = severity(runs, complete_below, partial_drop)
    return runs.reset_index()


def severity(runs: pd.DataFrame, complete_below: float, partial_drop: float) -> np.ndarray:
    """Each run's severity from its row of :func:`transitions` (the first rule that applies):

    - ``no transition``: it never changes from off-policy to on-policy;
    - ``no eval``: it logs no eval score from the transition on;
    - ``no eval before``: it logs none at an off-policy step before the transition. Not judged even when every
      score after it is at or below ``complete_below``: without a score before the switch the data cannot show
      that the run fell *at the transition* rather than before it;
    - ``already collapsed``: its last score before the transition is at or below ``complete_below``, so it had
      nothing left to lose at the switch; not judged either;
    - ``complete``: every score from the transition on is at or below ``complete_below``;
    - ``partial``: the lowest score from the transition on is below ``eval_before * (1 - partial_drop)``;
    - ``none`` otherwise.

    Example: eval 0.005 before and 0.004 after, ``complete_below`` 0.01: already collapsed, not complete.
    """
    before = runs["eval_before"]
    return np.select(
        [runs["transition_step"].isna().to_numpy(),
         runs["eval_after_max"].isna().to_numpy(),
         before.isna().to_numpy(),
         (before <= complete_below).to_numpy(),
         (runs["eval_after_max"] <= complete_below).to_numpy(),
         (runs["eval_after_min"] < before * (1 - partial_drop)).to_numpy()],
        ["no transition", "no eval", "no eval before", "already collapsed", "complete", "partial"], default="none")


def _first_in_group(mask: np.ndarray, group: np.ndarray, n_groups: int, last: bool = False) -> np.ndarray:
    """Position of the first (or last) True of ``mask`` within each group of the sorted ``group`` codes;
    -1 for a group with none."""
    pos = np.flatnonzero(mask)
    g = group[pos]
    edge = np.ones(len(g), dtype=bool)
    if last:
        edge[:-1] = g[1:] != g[:-1]
    else:
        edge[1:] = g[1:] != g[:-1]
    out = np.full(n_groups, -1, dtype=np.int64)
    out[g[edge]] = pos[edge]
    return out


def _pick(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` with NaN where ``at`` is -1."""
    return np.where(at >= 0, values[np.maximum(at, 0)], np.nan) if len(values) else np.full(len(at), np.nan)


def _segment_reduce(ufunc, values: np.ndarray, mask: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """``ufunc`` (np.minimum, np.maximum) of ``values[mask]`` within each group of the sorted codes; NaN
    for a group with none."""
    pos = np.flatnonzero(mask)
    out = np.full(n_groups, np.nan)
    if not pos.size:
        return out
    g = group[pos]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    out[g[starts]] = ufunc.reduceat(values[pos], starts)
    return out


def _transitions_fast(log: pd.DataFrame, complete_below: float, partial_drop: float) -> pd.DataFrame | None:
    """:func:`transitions` on numpy arrays: one sort of (run, step), then every per-run quantity from group
    boundaries, with no copy of the log and no Python loop per run or row. None when the log is not the
    plain kind this handles (then the reference computes it)."""
    needed = set(RUN_COLUMNS) | {"step", "phase", "kl", "eval_score"}
    if not len(log) or not needed <= set(log.columns) or log.columns.duplicated().any():
        return None
    run, step = log["run"], log["step"]
    if (run.dtype != object and not isinstance(run.dtype, pd.StringDtype)) or run.isna().any():
        return None
    if not (pd.api.types.is_integer_dtype(step.dtype) and not step.isna().any()):
        return None
    if any(log[c].dtype != np.float64 for c in ("kl", "eval_score")):
        return None
    try:
        group, names = pd.factorize(run, sort=True)
    except TypeError:  # mixed types that do not sort
        return None
    steps = step.to_numpy(dtype=np.int64)
    if len(steps) and (np.abs(steps).max() >= 2 ** 53):
        return None
    n_runs = len(names)
    # the order sort_values(["run", "step"], kind="stable") gives; most logs are in it already
    dg, ds = np.diff(group), np.diff(steps)
    order = None if ((dg > 0) | ((dg == 0) & (ds >= 0))).all() else np.lexsort((steps, group))

    def sorted_(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    def original(at: np.ndarray) -> np.ndarray:
        return at if order is None else np.where(at >= 0, order[np.maximum(at, 0)], -1)

    g = sorted_(group)
    s = sorted_(steps).astype(float)
    on = sorted_(log["phase"].eq("on_policy").to_numpy(dtype=bool, na_value=False))
    off = sorted_(log["phase"].eq("off_policy").to_numpy(dtype=bool, na_value=False))
    kl = sorted_(log["kl"].to_numpy())
    ev = sorted_(log["eval_score"].to_numpy())

    runs = pd.DataFrame(index=pd.Index(names, name="run"))
    for c in RUN_COLUMNS[1:]:  # groupby().first(): the first non-missing value in (run, step) order
        at = original(_first_in_group(sorted_(log[c].notna().to_numpy(dtype=bool)), g, n_runs))
        first = pd.api.extensions.take(log[c].array, at, allow_fill=True)
        if log[c].dtype == object:  # groupby().first() marks a run with no value by None here
            first = np.asarray(first, dtype=object)
            first[at < 0] = None
        runs[c] = pd.Series(first, index=runs.index, dtype=log[c].dtype)

    same_run = np.zeros(len(g), dtype=bool)
    same_run[1:] = g[1:] == g[:-1]
    prev_off = np.zeros(len(g), dtype=bool)
    prev_off[1:] = off[:-1]
    switch = _first_in_group(on & prev_off & same_run, g, n_runs)
    t_run = _pick(s, switch)  # transition step of each run (NaN: none)
    runs["transition_step"] = pd.Series(t_run, index=runs.index).astype("Int64")
    t = t_run[g]
    with np.errstate(invalid="ignore"):
        before = off & (s < t)
        after = ~np.isnan(t) & (s >= t)
        at_t = s == t
    has_kl, has_ev = ~np.isnan(kl), ~np.isnan(ev)
    kl_before = _pick(kl, _first_in_group(before & has_kl, g, n_runs, last=True))
    runs["kl_before"] = kl_before
    runs["kl_at"] = _pick(kl, _first_in_group(at_t & has_kl, g, n_runs))
    runs["kl_spike_ratio"] = (runs["kl_at"] / runs["kl_before"].where(runs["kl_before"] > 0))
    runs["eval_before"] = _pick(ev, _first_in_group(before & has_ev, g, n_runs, last=True))
    runs["eval_after_min"] = _segment_reduce(np.minimum, ev, after & has_ev, g, n_runs)
    runs["eval_after_max"] = _segment_reduce(np.maximum, ev, after & has_ev, g, n_runs)
    runs["eval_final"] = _pick(ev, _first_in_group(after & has_ev, g, n_runs, last=True))
    runs["eval_drop"] = runs["eval_before"] - runs["eval_after_min"]
    runs["severity"] = severity(runs, complete_below, partial_drop)
    return runs.reset_index()


def phase_steps(log: pd.DataFrame) -> pd.DataFrame:
    """First and last step of each phase of each run (for shading the phases in a figure)."""
    return (log.groupby(["run", "phase"], sort=False)["step"].agg(["min", "max"])
            .rename(columns={"min": "first_step", "max": "last_step"}).reset_index())


def kl_rises(log: pd.DataFrame, transitions_: pd.DataFrame) -> pd.DataFrame:
    """Is the KL jump at the transition the largest rise of KL in its run? One row per run that logs KL both
    before its transition (``kl_before``) and at it (``kl_at``).

    - ``before_step``: the step of ``kl_before`` (the last off-policy step before the transition with a KL);
    - ``rise_at``: ``kl_at - kl_before``, the rise across the transition;
    - ``largest_other_rise``: the largest rise between consecutive logged KL values at any other step (NA when
      KL rises nowhere else);
    - ``at_transition``: ``rise_at`` is positive and at least ``largest_other_rise``. A later fall of KL is no
      rise, so it never outweighs the jump at the transition; a run with fewer than two KL values has no row.

    Example (Llama, seed 8): KL 0.015 at step 40, 5.4453 at 50, then 4.80, 4.40, 4.3808: the rise at the
    transition, 5.4303, is the only positive one: at_transition.
    """
    cols = ["run", "transition_step", "before_step", "kl_before", "kl_at", "rise_at", "largest_other_rise",
            "at_transition"]
    both = transitions_.dropna(subset=["transition_step", "kl_before", "kl_at"])
    if both.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "run" else float) for c in cols})
    step_t = both.set_index("run")["transition_step"].astype(float)
    kl = log.loc[log["run"].isin(step_t.index) & log["kl"].notna(), ["run", "step", "phase", "kl"]]
    kl = kl.sort_values(["run", "step"], kind="stable")
    t = kl["run"].map(step_t).to_numpy(dtype=float)
    steps = kl["step"].to_numpy(dtype=float)
    rise = kl.groupby("run", sort=False)["kl"].diff()
    elsewhere = (steps != t) & (rise > 0).to_numpy()
    other = rise[elsewhere].groupby(kl["run"][elsewhere], sort=False).max()
    before = kl[(kl["phase"] == "off_policy").to_numpy() & (steps < t)].groupby("run", sort=False)["step"].max()
    out = both[["run", "transition_step", "kl_before", "kl_at"]].reset_index(drop=True)
    out.insert(2, "before_step", out["run"].map(before).astype(float))
    out["rise_at"] = out["kl_at"] - out["kl_before"]
    out["largest_other_rise"] = out["run"].map(other).astype(float)
    out["at_transition"] = (out["rise_at"] > 0) & ~(out["largest_other_rise"] > out["rise_at"])
    out["at_transition"] = out["at_transition"].astype(bool)
    return out[cols]


#: The columns of :func:`eval_set_sides`.
SIDES = ["run", "after", "eval_set"]


def eval_set_sides(log: pd.DataFrame, judged: pd.DataFrame) -> pd.DataFrame:
    """The ``eval_set`` of each eval score of the judged runs, with the side of the run's transition it is on
    (``after``: from the transition step on): columns :data:`SIDES`, no rows where the log records no eval set.
    :meth:`evalpatterns.engine.steplog.StepLog.eval_set_sides` gives the distinct rows of this on the engine."""
    if "eval_set" not in log or log["eval_set"].isna().all():
        return pd.DataFrame({c: pd.Series(dtype=bool if c == "after" else object) for c in SIDES})
    scored = log[log["run"].isin(judged["run"]) & log["eval_score"].notna()]
    after = scored["step"] >= scored["run"].map(judged.set_index("run")["transition_step"]).astype(float)
    return pd.DataFrame({"run": scored["run"].to_numpy(), "after": after.to_numpy(dtype=bool),
                         "eval_set": scored["eval_set"].to_numpy()})


#: The columns that name a condition: several seeds of one condition share all of them.
CONDITION = ["method", "family", "student", "teacher", "gap"]
CONDITION_COLUMNS = CONDITION + ["n_seeds", "n_drops", "mean_drop", "sd_drop", "ci_low", "ci_high", "n_complete",
                                 "n_partial", "status"]


def relative_drop(runs: pd.DataFrame) -> pd.Series:
    """The severity of each run's fall across its transition: ``1 - eval_after_min / eval_before``, the drop
    from the last off-policy eval score to the lowest score from the transition on, relative to the score
    before (0: no fall; 1: a fall to zero; negative: a rise). NaN where the score before is missing or not
    positive, or no score follows the transition. A run is a partial collapse when this exceeds
    ``partial_drop``.

    Example (Qwen): 1 - 0.057 / 0.518 = 0.890.
    """
    return runs["eval_drop"] / runs["eval_before"].where(runs["eval_before"] > 0)


def run_labels(log: pd.DataFrame) -> pd.DataFrame:
    """One row per run: its ``method`` (the first given; None when the log has none) and ``status``, the
    least certain provenance among its logged steps (measured < figure < illustrative < pending). ``log``
    needs only ``run`` and ``status`` (and ``method`` where there is one); one row per distinct combination
    is enough (what :meth:`evalpatterns.engine.StepLog.run_labels` reads from the engine)."""
    rank = log["status"].astype(str).map(_STATUS_RANK)
    status = rank.groupby(log["run"], sort=True).max().map(dict(enumerate(_STATUSES)))
    out = pd.DataFrame({"run": status.index, "method": None, "status": status.to_numpy()})
    if "method" in log:
        named = log.dropna(subset=["method"])
        method = named.groupby("run", sort=True)["method"].first()
        out["method"] = out["run"].map(method).astype(object)
        out["method"] = out["method"].where(out["method"].notna(), None)
    return out


def conditions(runs: pd.DataFrame, labels: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per condition (:data:`CONDITION`) of the judged runs ``runs`` (rows of :func:`transitions`
    whose severity is in :data:`JUDGED`), ``labels`` from :func:`run_labels`:

    - ``n_seeds``: the runs (seeds) of the condition; ``n_complete`` / ``n_partial``: those that collapsed
      completely / partially;
    - ``mean_drop``, ``sd_drop``: the mean and sample SD of their :func:`relative_drop` over the ``n_drops``
      runs that have one; ``ci_low``/``ci_high``: the t interval of the mean, ``mean_drop -/+ t(0.975,
      n_drops - 1) sd_drop / sqrt(n_drops)`` (NaN with fewer than two drops);
    - ``status``: the least certain provenance of the condition's runs.

    Rows by gap (largest first), then family and method. Example: seeds with drops 0.8, 0.9 and 1.0 give a
    mean of 0.9, SD 0.1 and 0.9 -/+ 4.303 x 0.1 / sqrt(3) = 0.652 to 1.148.
    """
    if runs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CONDITION_COLUMNS})
    t = runs.drop(columns=[c for c in ("method", "status") if c in runs]).merge(labels, on="run", how="left")
    t = t.assign(_drop=relative_drop(t), _complete=t["severity"].eq("complete"),
                 _partial=t["severity"].eq("partial"), _rank=t["status"].map(_STATUS_RANK))
    t["method"] = t["method"].astype(object).where(t["method"].notna(), None)
    out = t.groupby(CONDITION, sort=False, dropna=False).agg(
        n_seeds=("run", "size"), n_drops=("_drop", "count"), mean_drop=("_drop", "mean"),
        sd_drop=("_drop", "std"), n_complete=("_complete", "sum"), n_partial=("_partial", "sum"),
        _rank=("_rank", "max")).reset_index()
    out["status"] = out["_rank"].map(dict(enumerate(_STATUSES)))
    out["ci_low"], out["ci_high"] = np.nan, np.nan
    seeds = out["n_drops"] >= 2
    if seeds.any():
        from scipy.stats import t as t_dist

        n = out.loc[seeds, "n_drops"]
        half = t_dist.ppf(0.5 + confidence / 2, n - 1) * out.loc[seeds, "sd_drop"] / np.sqrt(n)
        out.loc[seeds, "ci_low"] = out.loc[seeds, "mean_drop"] - half
        out.loc[seeds, "ci_high"] = out.loc[seeds, "mean_drop"] + half
    out = out.astype({"n_seeds": "int64", "n_drops": "int64", "n_complete": "int64", "n_partial": "int64"})
    out["method"] = out["method"].astype(object).where(out["method"].notna(), None)
    out = out.assign(_m=out["method"].map(lambda m: "" if m is None else str(m)), _f=out["family"].astype(str))
    out = out.sort_values(["gap", "_f", "_m"], ascending=[False, True, True], kind="stable", na_position="last")
    return out[CONDITION_COLUMNS].reset_index(drop=True)
