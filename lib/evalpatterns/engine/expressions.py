"""The step-log analysis of Finding 4 and the per-seed aggregation of Finding 5, written once as Ibis
expressions: the same expression runs on DuckDB (embedded, larger than memory) and on Spark (a cluster).

Each function takes an Ibis table with the schema's typed columns (see :mod:`.source`, which casts them) and
returns an Ibis table expression; nothing is computed until a backend executes it. Their definitions are
those of the pandas functions they mirror, and ``tests/test_engine.py`` pins them to those functions:

- :func:`transitions` -> :func:`evalpatterns.distillation.transitions` (before ``severity``, which
  :mod:`evalpatterns.engine` adds with the pandas rule on the per-run result);
- :func:`episodes` -> :func:`evalpatterns.memorization.episodes_table`;
- :func:`seed_stats` -> the per-(method, n_values) mean, sd and count of converged seeds that
  :func:`evalpatterns.memorization.effect_sizes_from_seeds` turns into Hedges' g.

Only aggregations and joins on the run are used (no window over the log), so that DuckDB can run them in
bounded memory, spilling to disk, and Spark can distribute them by run.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..memorization import STATUS_RANK

RUN_META = ("family", "student", "teacher", "gap", "seed")


def _at_extreme_step(backend: str):
    """``(first, last)``: the value at the lowest (highest) step of a group, among rows where ``where`` holds.

    Ibis's ``argmin``/``argmax``; on DuckDB they compile to ``FIRST(value ORDER BY step)``, an ordered
    aggregate a third slower on 10^7 rows than DuckDB's own ``arg_min(value, step)``, which is what they call
    there (the same definition: both skip the rows the filter drops)."""
    if backend != "duckdb":
        return (lambda v, key, where: v.argmin(key, where=where),
                lambda v, key, where: v.argmax(key, where=where))

    def builtin(name: str):
        def call(v, key, where):
            fn = ibis.udf.agg.builtin(lambda value, k: None, name=name, signature=((v.type(), key.type()), v.type()))
            return fn(v, key, where=where)
        return call

    return builtin("arg_min"), builtin("arg_max")


def transitions(log: ir.Table, backend: str = "duckdb") -> ir.Table:
    """One row per run (ordered by run) of the step log ``log`` on ``backend`` (``duckdb`` or ``pyspark``):
    run, family, student, teacher, gap, seed, transition_step,
    kl_before, kl_at, kl_spike_ratio, eval_before, eval_after_min, eval_after_max, eval_final, eval_drop.

    The transition is the first on-policy step that follows an off-policy step. With ``phase`` one of the two
    values and one row per (run, step) (the schema's rules), that is the first on-policy step after the run's
    first off-policy step: every row between them is off-policy, so the row just before it is too. The log
    is therefore read three times, each a grouping by run: (1) the run's first off-policy step, (2) the
    transition step, (3) the run's first value of each descriptive column and every quantity measured against
    the transition.
    """
    off = log.phase == "off_policy"
    first_off = log.group_by("run").aggregate(first_off=log.step.min(where=off))
    j1 = log.select("run", "step", "phase").inner_join(first_off, "run")
    switch = j1.group_by("run").aggregate(
        transition_step=j1.step.min(where=(j1.phase == "on_policy") & (j1.step > j1.first_off)))
    j2 = log.inner_join(switch, "run")
    t = j2.transition_step
    before = (j2.phase == "off_policy") & (j2.step < t)
    after = j2.step >= t
    first, last = _at_extreme_step(backend)
    runs = j2.group_by("run").aggregate(
        **{c: first(j2[c], j2.step, j2[c].notnull()) for c in RUN_META},
        transition_step=t.max(),
        kl_before=last(j2.kl, j2.step, before & j2.kl.notnull()),
        kl_at=j2.kl.max(where=j2.step == t),
        eval_before=last(j2.eval_score, j2.step, before & j2.eval_score.notnull()),
        eval_after_min=j2.eval_score.min(where=after),
        eval_after_max=j2.eval_score.max(where=after),
        eval_final=last(j2.eval_score, j2.step, after & j2.eval_score.notnull()),
    )
    return runs.mutate(
        kl_spike_ratio=ibis.ifelse(runs.kl_before > 0, runs.kl_at / runs.kl_before, ibis.null("float64")),
        eval_drop=runs.eval_before - runs.eval_after_min,
    ).select(*TRANSITION_COLUMNS).order_by("run")


TRANSITION_COLUMNS = ("run", *RUN_META, "transition_step", "kl_before", "kl_at", "kl_spike_ratio",
                      "eval_before", "eval_after_min", "eval_after_max", "eval_final", "eval_drop")


def _status_rank(status: ir.StringValue) -> ir.IntegerValue:
    cases = [(status == name, rank) for name, rank in STATUS_RANK.items()]
    return ibis.cases(*cases, else_=ibis.null("int64"))


def episodes(mem: ir.Table) -> ir.Table:
    """One row per (method, n_values) with known episodes: episodes (mean), sd (sample), n_seeds (rows with a
    seed), lower_bound (any row not converged) and status (the worst: measured < figure < illustrative <
    pending), ordered by method and n_values."""
    known = mem.filter(mem.episodes.notnull())
    rank = _status_rank(known.status)
    out = known.group_by("method", "n_values").aggregate(
        episodes=known.episodes.mean(), sd=known.episodes.std(how="sample"),
        n_seeds=known.seed.count(), all_converged=known.converged.all(), worst=rank.max())
    names = [(out.worst == rank_, name) for name, rank_ in STATUS_RANK.items()]
    return out.select(
        "method", "n_values", "episodes", lower_bound=~out.all_converged, n_seeds=out.n_seeds, sd=out.sd,
        status=ibis.cases(*names, else_=ibis.null("string")),
    ).order_by("method", "n_values")


def seed_stats(mem: ir.Table) -> ir.Table:
    """Per (method, n_values), over converged seeds with known episodes: mean, std (sample) and count."""
    keep = mem.filter(mem.seed.notnull() & mem.episodes.notnull() & mem.converged)
    return keep.group_by("method", "n_values").aggregate(
        mean=keep.episodes.mean(), std=keep.episodes.std(how="sample"), count=keep.episodes.count(),
    ).order_by("method", "n_values")


def kl_rises(log: ir.Table, runs: ir.Table) -> ir.Table:
    """Per run of ``runs`` (run, transition_step): ``before_step``, the last off-policy step before the
    transition that logs KL, and ``largest_other_rise``, the largest rise between consecutive logged KL values
    at any step but the transition (null when KL rises nowhere else): the per-run parts of
    :func:`evalpatterns.distillation.kl_rises`. One window over the rows that log KL, partitioned by run."""
    kl = log.filter(log.kl.notnull()).select("run", "step", "phase", "kl").inner_join(runs, "run")
    kl = kl.mutate(rise=kl.kl - kl.kl.lag().over(ibis.window(group_by="run", order_by="step")))
    t = kl.transition_step
    return kl.group_by("run").aggregate(
        before_step=kl.step.max(where=(kl.phase == "off_policy") & (kl.step < t)),
        largest_other_rise=kl.rise.max(where=(kl.step != t) & (kl.rise > 0)))


def phase_curves(log: ir.Table, runs: ir.Table, metric: str, quantiles) -> ir.Table:
    """``metric`` against the step relative to each run's transition, per family of ``runs`` (run, family,
    transition_step): offset, n and the ``quantiles`` (linear interpolation, as pandas), as
    :func:`evalpatterns.many_runs.phase_curves`."""
    part = log.filter(log[metric].notnull()).select("run", "step", value=log[metric]).inner_join(runs, "run")
    part = part.mutate(offset=(part.step - part.transition_step).cast("float64"))
    return part.group_by("family", "offset").aggregate(
        n=part.value.count(), **{f"q{round(q * 100)}": part.value.quantile(q) for q in quantiles})
