"""The hybrid-distillation chapter end to end on a Parquet step log (the engine's path: DuckDB) against the same
log as CSV (the pandas path, which loads the whole log), in the same invocation.

    .venv/bin/python benchmarks/bench_chapter_parquet.py                     # 10^6 both paths, 10^7 Parquet
    .venv/bin/python benchmarks/bench_chapter_parquet.py --rows 1000000 10000000 100000000 --pandas-max 1000000

For each size, benchmarks/synthetic.py's log (runs of 100 steps) as one Parquet file (written once by streaming
into --cache, as bench_engine.py writes it) and, up to --pandas-max rows, the same rows as CSV. Each is run
through ``evalpatterns run hybrid-distillation -p distillation_csv FILE`` in a fresh process tree (the kernel
included) whose resident memory is sampled every 0.1 s. Printed: wall and CPU seconds (of the whole tree) and peak MiB per path, the load
average, the ratios engine / pandas at the sizes both ran, growth per 10x rows, and whether both paths wrote
the same results.json values (all but the words naming the file).
Targets (issue 14): 10^8 rows through the finding in <= 120 s with <= 4 GiB (bench_engine.py measures the
analysis alone); the chapter must not hold the log in memory, so its peak must not grow with the rows.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402
from bench_engine import measure_tree  # noqa: E402

NAMING_THE_FILE = {"data_files_text", "book_data", "claims_title_text", "claims_text"}


def chapter(path: Path, out: Path, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "evalpatterns.cli", "run", "hybrid-distillation", "-p", "distillation_csv",
           str(path), "--output", str(out)]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "lib")}  # this checkout's library, in the kernel too
    load, t0, cpu0 = os.getloadavg()[0], time.perf_counter(), _children_cpu()
    try:
        _, peak = measure_tree(cmd, timeout=timeout, parse=False, env=env)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timeout": timeout, "load": load}
    results = json.loads((out / "results.json").read_text())["results"]
    return {"seconds": time.perf_counter() - t0, "cpu": _children_cpu() - cpu0, "peak_mb": peak, "load": load,
            "results": results}


def _children_cpu() -> float:
    """CPU seconds (user + system) of every ended child process and its descendants (the kernel included)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def differing(a: dict, b: dict) -> list[str]:
    return [k for k in sorted(set(a) | set(b)) if k not in NAMING_THE_FILE and a.get(k) != b.get(k)]


def shown(r: dict) -> str:
    if r["seconds"] is None:
        return f"stopped after {r['timeout']:.0f} s (load {r['load']:.1f})"
    return (f"{r['seconds']:7.1f} s (cpu {r['cpu']:6.1f} s)  peak {r['peak_mb']:6.0f} MiB  (load average "
            f"{r['load']:.1f} at start)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--pandas-max", type=int, default=1_000_000)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/evalpatterns-bench-cache"))
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="evalpatterns-chapter-parquet-"))
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}; "
          f"DuckDB memory limit {os.environ.get('EVALPATTERNS_DUCKDB_MEMORY', '2GB')}")
    results: dict = {}
    try:
        for rows in args.rows:
            parquet = args.cache / f"distillation-{rows}.parquet"
            if not parquet.exists():
                synthetic.write_distillation_parquet(parquet, rows)
            print(f"\n{rows:,} rows ({rows // synthetic.STEPS_PER_RUN:,} runs x {synthetic.STEPS_PER_RUN} steps; "
                  f"{parquet.stat().st_size / 2**20:.0f} MiB of Parquet)")
            r = results[(rows, "engine")] = chapter(parquet, tmp / f"{rows}-engine", args.timeout)
            print(f"  Parquet (engine, DuckDB)  {shown(r)}")
            if rows <= args.pandas_max:
                csv = tmp / "distillation.csv"
                synthetic.distillation_frame(rows).to_csv(csv, index=False)  # the same rows (chunk 0 is this)
                p = results[(rows, "pandas")] = chapter(csv, tmp / f"{rows}-pandas", args.timeout)
                csv.unlink()
                print(f"  CSV (pandas)              {shown(p)}")
                if r["seconds"] and p["seconds"]:
                    print(f"  engine / pandas: {r['seconds'] / p['seconds']:.2f}x time, {r['cpu'] / p['cpu']:.2f}x "
                          f"cpu, {r['peak_mb'] / p['peak_mb']:.2f}x peak memory")
                    diff = differing(r["results"], p["results"])
                    print("  results.json: " + ("the same values" if not diff else "differs in " + ", ".join(diff)))
            else:
                print(f"  CSV (pandas)              not run (over --pandas-max {args.pandas_max:,})")
            for path in tmp.glob(f"{rows}-*"):
                shutil.rmtree(path, ignore_errors=True)
        sizes = [n for n in args.rows if results.get((n, "engine"), {}).get("seconds")]
        print("\ngrowth of the Parquet path per 10x rows (10x time is linear; memory should stay flat)")
        for a, b in zip(sizes, sizes[1:]):
            ra, rb = results[(a, "engine")], results[(b, "engine")]
            print(f"  {a:,} -> {b:,}: {rb['seconds'] / ra['seconds']:.1f}x time, {rb['cpu'] / ra['cpu']:.1f}x cpu, "
                  f"{rb['peak_mb'] / ra['peak_mb']:.2f}x peak memory")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
