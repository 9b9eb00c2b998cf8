"""Finding 4's step-log analysis on DuckDB and Spark against the pandas path, on logs of 10^7 and 10^8 rows.

    .venv/bin/python benchmarks/bench_engine.py                       # 10^7: pandas, DuckDB, Spark; 10^8: DuckDB
    .venv/bin/python benchmarks/bench_engine.py --sizes 10000000 --engines duckdb spark
    .venv/bin/python benchmarks/bench_engine.py --profile DIR         # also cProfile each measurement into DIR

Data: benchmarks/synthetic.py's step log (runs of 100 steps), written once as one Parquet file per size by
streaming (one 10^6-row chunk at a time) into a cache folder (default /tmp/evalpatterns-bench-cache; a second
invocation reuses it). Every measurement runs in a fresh process (benchmarks/_engine_pipeline.py) that reads
the file and returns the per-run frame; the parent samples the resident memory of that process and its
children (the Spark JVM) every 0.1 s. The engines' per-run results are compared with each other (severity
counts; the full comparison is tests/test_engine.py's).

pandas is not run at 10^8 rows: it holds the whole log in memory (its peak at 10^7 rows, printed, times 10 is
beyond this machine's memory). Targets (issue 14): 10^8 rows through the analysis in <= 120 s with peak memory
<= 4 GiB.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

TARGET_ROWS, TARGET_SECONDS, TARGET_MB = 100_000_000, 120.0, 4096.0
PLAN = {10_000_000: ("pandas", "duckdb", "spark"), 100_000_000: ("duckdb",)}


def tree_rss_mb(proc: psutil.Process) -> float:
    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:  # the process has just ended
        return 0.0
    for p in family:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2 ** 20


def measure_tree(cmd: list[str], timeout: float | None = None, parse: bool = True,
                 env: dict | None = None) -> tuple[dict | None, float]:
    """Run ``cmd`` and sample the resident memory of it and its children every 0.1 s; returns its last
    output line as JSON (``parse``) and the peak in MiB. A failure ends the benchmark with its stderr."""
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    proc, peak, done = psutil.Process(child.pid), [0.0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(proc))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for p in [*proc.children(recursive=True), proc]:
            try:
                p.kill()
            except psutil.Error:
                pass
        child.communicate()
        raise
    finally:
        done.set()
        sampler.join()
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd[1:3])} failed:\n{err[-3000:]}")
    if not parse:
        return None, peak[0]
    result = json.loads(out.strip().splitlines()[-1])
    result["tree_peak_mb"] = max(peak[0], result.get("peak_mb", 0.0))
    return result, peak[0]


def measure(engine: str, path: Path, profile: Path | None) -> dict:
    cmd = [sys.executable, str(HERE / "_engine_pipeline.py"), engine, str(path)]
    if profile:
        cmd += ["--profile", str(profile / f"{engine}-{path.stem}.prof")]
    return measure_tree(cmd)[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=sorted(PLAN))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/evalpatterns-bench-cache"))
    ap.add_argument("--engines", nargs="+", choices=("pandas", "duckdb", "spark"),
                    help="only these engines (default: the plan above)")
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    results = {}
    for rows in args.sizes:
        path = args.cache / f"distillation-{rows}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            synthetic.write_distillation_parquet(path, rows)
            print(f"wrote {path} in {time.perf_counter() - t0:.0f} s")
        print(f"\n{rows:,} rows ({rows // synthetic.STEPS_PER_RUN:,} runs), {path.stat().st_size / 2**20:.0f} MiB "
              f"of Parquet")
        for engine in [e for e in PLAN.get(rows, ("duckdb",)) if not args.engines or e in args.engines]:
            load = os.getloadavg()[0]
            r = results[(rows, engine)] = measure(engine, path, args.profile)
            print(f"  {engine:7s} {r['seconds']:7.1f} s (cpu {r['cpu']:6.1f} s; start-up {r['startup']:4.1f} s)  "
                  f"peak {r['tree_peak_mb']:6.0f} MiB (python {r['peak_mb']:.0f})  load {load:.1f}  "
                  f"runs {r['runs']:,}  {r['severity']}")
        if PLAN.get(rows) and "pandas" not in PLAN[rows]:
            small = results.get((min(PLAN), "pandas"))
            if small:
                need = small["tree_peak_mb"] * rows / min(PLAN) / 1024
                print(f"  pandas  not run: it holds the whole log; {small['tree_peak_mb']:.0f} MiB at "
                      f"{min(PLAN):,} rows -> about {need:.0f} GiB here, against "
                      f"{psutil.virtual_memory().total / 2**30:.0f} GiB on this machine")
        base = results.get((rows, "pandas"))
        for engine in ("duckdb", "spark"):
            r = results.get((rows, engine))
            if base and r:
                assert r["severity"] == base["severity"], (engine, r["severity"], base["severity"])
                print(f"  {engine} / pandas: time {r['seconds'] / base['seconds']:.2f}x, "
                      f"peak memory {r['tree_peak_mb'] / base['tree_peak_mb']:.2f}x (same severity counts)")
    big = results.get((TARGET_ROWS, "duckdb"))
    if big:
        ok_t, ok_m = big["seconds"] <= TARGET_SECONDS, big["tree_peak_mb"] <= TARGET_MB
        print(f"\ntarget at 10^8 rows on DuckDB: {big['seconds']:.1f} s of {TARGET_SECONDS:.0f} "
              f"({'met' if ok_t else 'MISSED'}), peak {big['tree_peak_mb']:.0f} MiB of {TARGET_MB:.0f} "
              f"({'met' if ok_m else 'MISSED'})")
        small = results.get((10_000_000, "duckdb"))
        if small:
            print(f"growth 10^7 -> 10^8 rows on DuckDB: {big['seconds'] / small['seconds']:.1f}x time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
