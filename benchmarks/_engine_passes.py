"""Where DuckDB's time goes in Finding 4's analysis: the CPU and wall time of the input check and of the
analysis cut after each of its three passes, on one Parquet step log.

    python benchmarks/_engine_passes.py /tmp/evalpatterns-bench-cache/distillation-10000000.parquet

CPU time is the process's user + system time (DuckDB's threads included); a pass's own cost is the
difference between consecutive lines.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _engine_pipeline import cpu  # noqa: E402


def main(path: str) -> None:
    from evalpatterns.engine import backends, expressions, source

    con = backends.duckdb()
    log, name = source.open_table(con, "distillation", path, "duckdb")
    first_off = log.group_by("run").aggregate(first_off=log.step.min(where=log.phase == "off_policy"))
    j1 = log.select("run", "step", "phase").inner_join(first_off, "run")
    switch = j1.group_by("run").aggregate(
        transition_step=j1.step.min(where=(j1.phase == "on_policy") & (j1.step > j1.first_off)))
    steps = [("the input check (one pass)", lambda: source.check(con, log, "distillation", name)),
             ("pass 1: each run's first off-policy step", lambda: con.execute(first_off.count())),
             ("passes 1-2: the transition step", lambda: con.execute(switch.count())),
             ("passes 1-3: the whole analysis", lambda: con.execute(expressions.transitions(log, "duckdb")))]
    for label, fn in steps:
        c, t = cpu(), time.perf_counter()
        fn()
        print(f"{label}: cpu {cpu() - c:.1f} s, wall {time.perf_counter() - t:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
