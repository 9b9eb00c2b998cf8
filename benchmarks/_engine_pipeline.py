"""One engine measurement in a fresh process (run by bench_engine.py): Finding 4's step-log analysis of one
Parquet file on one engine, printing its times and the process's peak memory as JSON.

    python benchmarks/_engine_pipeline.py pandas FILE      # io.load + distillation.transitions
    python benchmarks/_engine_pipeline.py duckdb FILE      # engine.transitions on DuckDB (memory limit 2GB)
    python benchmarks/_engine_pipeline.py spark FILE       # engine.transitions on a local[2] Spark session
    ... --profile OUT.prof                                 # the same under cProfile

``seconds`` is the analysis from the file to the per-run frame, imports and the Spark session's start-up
(``startup``) excluded; ``cpu`` the process's user + system time over the same span (all its threads; the
Spark JVM's threads are another process, not counted). ``peak_mb`` is VmHWM of this Python process; the
parent samples the whole process tree (the JVM included) for its own peak figure.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pipeline import call, peak_mb  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(argv: list[str]) -> None:
    engine_name, path = argv[0], argv[1]
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    from evalpatterns import distillation, engine, io
    from evalpatterns.engine import backends

    t0 = time.perf_counter()
    con = None
    if engine_name == "duckdb":
        con = backends.duckdb(memory_limit="2GB")
    elif engine_name == "spark":
        con = backends.spark("local[2]", **{"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": "8",
                                            "spark.ui.enabled": "false"})
    startup = time.perf_counter() - t0
    baseline = peak_mb()

    def run():
        if engine_name == "pandas":
            return distillation.transitions(io.load("distillation", path))
        return engine.transitions(path, engine=engine_name, con=con)

    c0, t0 = cpu(), time.perf_counter()
    runs = call(run, profile)
    seconds, used = time.perf_counter() - t0, cpu() - c0
    counts = runs["severity"].value_counts().sort_index().to_dict()
    print(json.dumps({"seconds": seconds, "cpu": used, "startup": startup, "peak_mb": peak_mb(),
                      "baseline_mb": baseline, "runs": len(runs), "severity": counts}))


if __name__ == "__main__":
    main(sys.argv[1:])
