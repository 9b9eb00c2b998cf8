"""A step log that stays on the engine: Finding 4's chapter on a Parquet log larger than memory.

:class:`StepLog` stands for the ``distillation`` log at a path (a Parquet file, or a folder of them,
hive-partitioned or not) on DuckDB or Spark. The finding asks it only for what is small: the per-run table
(:meth:`transitions`), each run's method and provenance (:meth:`run_labels`), the KL rises per run
(:meth:`kl_rises`), per-step bands by family (:meth:`phase_curves`), the rows of a few named runs
(:meth:`rows`) and the count of steps by status
(:meth:`status_counts`); the whole log is never read into pandas. Each gives what the pandas function it
stands for gives on the loaded log (``tests/test_engine.py`` compares them).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .backends import connect, default_engine, is_parquet  # noqa: F401 - is_parquet re-exported


class OnEngine:
    """Data of one kind at ``path`` on ``engine`` (default :func:`.backends.default_engine`; DuckDB where that
    says pandas); ``con`` reuses an Ibis connection to that engine."""

    kind = ""

    def __init__(self, path, engine: str | None = None, spark_master: str | None = None, con=None):
        self.path = str(path)
        self.engine = engine or default_engine(path)
        if self.engine == "pandas":
            self.engine = "duckdb"
        self.spark_master = spark_master
        self._con, self._table, self._raw = con, None, None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, engine={self.engine!r})"

    @property
    def con(self):
        if self._con is None:
            self._con = connect(self.engine, self.spark_master)
        from .source import Guarded

        return Guarded(self._con, self.path)  # an engine's error on the data names the file

    @property
    def table(self):
        """The typed columns the analysis reads (see :mod:`.source`)."""
        if self._table is None:
            from . import source

            self._table = source.open_table(self.con, self.kind, self.path, self.engine)[0]
        return self._table

    @property
    def raw(self):
        """Every column of the files, as stored."""
        if self._raw is None:
            from . import source

            self._raw = source.open_raw(self.con, self.path, self.engine)
        return self._raw


class StepLog(OnEngine):
    """The ``distillation`` step log at a path, left on the engine."""

    kind = "distillation"

    def transitions(self, complete_below: float = 0.01, partial_drop: float = 0.25) -> pd.DataFrame:
        from . import transitions

        return transitions(self.path, complete_below, partial_drop, self.engine, self.spark_master, self.con)

    def _runs_table(self, runs: pd.DataFrame):
        import ibis

        return ibis.memtable(runs.reset_index(drop=True))

    def kl_rises(self, transitions_: pd.DataFrame) -> pd.DataFrame:
        """:func:`evalpatterns.distillation.kl_rises` of this log."""
        from .. import distillation
        from . import expressions

        both = transitions_.dropna(subset=["transition_step", "kl_before", "kl_at"])
        if both.empty:
            return distillation.kl_rises(self.table.limit(0).execute(), transitions_)
        runs = self._runs_table(both[["run", "transition_step"]].astype({"transition_step": "int64"}))
        per_run = self.con.execute(expressions.kl_rises(self.table, runs)).set_index("run")
        out = both[["run", "transition_step", "kl_before", "kl_at"]].reset_index(drop=True)
        out.insert(2, "before_step", out["run"].map(per_run["before_step"]).astype(float))
        out["rise_at"] = out["kl_at"] - out["kl_before"]
        out["largest_other_rise"] = out["run"].map(per_run["largest_other_rise"]).astype(float)
        out["at_transition"] = ((out["rise_at"] > 0) & ~(out["largest_other_rise"] > out["rise_at"])).astype(bool)
        return out

    def phase_curves(self, runs: pd.DataFrame, metric: str, quantiles) -> pd.DataFrame:
        """:func:`evalpatterns.many_runs.phase_curves` of this log."""
        from . import expressions

        t = runs.loc[runs["transition_step"].notna(), ["run", "family", "transition_step"]]
        t = t.astype({"transition_step": "int64", "family": "str"})
        out = self.con.execute(expressions.phase_curves(self.table, self._runs_table(t), metric, quantiles))
        out = out.astype({"offset": "float64", "n": "int64"}).sort_values(["family", "offset"], kind="stable")
        return out.reset_index(drop=True)

    def rows(self, names) -> pd.DataFrame:
        """The rows of the runs ``names`` (every column), typed and checked as :func:`evalpatterns.io.load`
        types a file of them; a problem is named by this log's path (its line within the runs' rows is not the
        file's, so none is given)."""
        import dataclasses
        import tempfile

        from ..io import DataError, load

        raw = self.raw
        part = self.con.execute(raw.filter(raw.run.cast("string").isin([str(n) for n in names])))
        with tempfile.TemporaryDirectory(prefix="evalpatterns-rows-") as folder:
            path = Path(folder) / "distillation.parquet"
            part.to_parquet(path, index=False)
            try:
                rows = load("distillation", path)
            except DataError as exc:  # never the temporary file's name
                raise DataError(list(dict.fromkeys(dataclasses.replace(p, file=self.path, line=None)
                                                   for p in exc.problems))) from None
            return rows.sort_values(["run", "step"], kind="stable").reset_index(drop=True)

    def run_labels(self) -> pd.DataFrame:
        """:func:`evalpatterns.distillation.run_labels` of this log: each run's method and least certain status,
        from the log's distinct (run, status, method) combinations (``method`` where the files have it)."""
        from .. import distillation

        raw = self.raw
        keys = ["run", "status"] + (["method"] if "method" in raw.columns else [])
        pairs = self.con.execute(raw.select(*[raw[k].cast("string").name(k) for k in keys]).distinct())
        return distillation.run_labels(pairs)

    def eval_set_sides(self, judged: pd.DataFrame) -> pd.DataFrame:
        """:func:`evalpatterns.distillation.eval_set_sides` of this log, its distinct rows only: each eval set
        the judged runs' eval scores name, by run and side of the transition (no rows where the files have no
        ``eval_set`` column)."""
        from ..distillation import SIDES

        raw = self.raw
        if "eval_set" not in raw.columns or judged.empty:
            return pd.DataFrame({c: pd.Series(dtype=bool if c == "after" else object) for c in SIDES})
        runs = self._runs_table(judged[["run", "transition_step"]].astype({"run": "str", "transition_step": "int64"}))
        scored = raw.filter(raw.eval_score.cast("float64").notnull()).select(
            run=raw.run.cast("string"), step=raw.step.cast("int64"), eval_set=raw.eval_set.cast("string"))
        joined = scored.join(runs, "run")
        sides = joined.select("run", after=joined.step >= joined.transition_step, eval_set=joined.eval_set)
        out = self.con.execute(sides.distinct())
        out = out.sort_values(["run", "after"], kind="stable").reset_index(drop=True)
        return pd.DataFrame({"run": out["run"].astype(object).to_numpy(), "after": out["after"].to_numpy(dtype=bool),
                             "eval_set": out["eval_set"].astype(object).where(out["eval_set"].notna(), None).to_numpy()})

    def runs(self) -> list[str]:
        """Every run's name, sorted."""
        return sorted(self.con.execute(self.table.select("run").distinct())["run"].astype(str))

    def status_counts(self) -> pd.Series:
        """The number of logged steps by ``status`` (the most frequent first, then by name)."""
        raw = self.raw
        counts = self.con.execute(raw.group_by(status=raw.status.cast("string")).aggregate(n=raw.count()))
        counts = counts.sort_values(["n", "status"], ascending=[False, True], kind="stable")
        return pd.Series(counts["n"].astype("int64").to_numpy(), index=counts["status"].to_numpy(), name="count")
