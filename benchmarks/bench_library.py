"""The library on large synthetic data: loading (CSV and Parquet) and analysis at 10^4, 10^5 and 10^6 rows.

    .venv/bin/python benchmarks/bench_library.py                 # about 2-3 minutes
    .venv/bin/python benchmarks/bench_library.py --sizes 10000 100000 --repeats 5
    .venv/bin/python benchmarks/bench_library.py --profile DIR   # also cProfile each 10^6 pipeline into DIR

Data (benchmarks/synthetic.py, written to a temporary folder and deleted afterwards):
  distillation: a step log of N/100 runs x 100 steps -> io.load + distillation.transitions
  memorization: N per-seed rows                      -> io.load + episodes_table, sl_advantage, scaling_fits,
                                                        effect_sizes_from_seeds
Each pipeline runs in a fresh process (benchmarks/_pipeline.py), --repeats times; the median time of each
stage and the largest peak RSS are printed. Targets at 10^6 rows: load + analysis <= 2 s, peak memory
<= 1 GiB, and time growing linearly with rows (about 10x per 10x rows).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

TARGET_SECONDS = 2.0
TARGET_MB = 1024.0
PIPELINES = [("distillation", "csv"), ("distillation", "parquet"), ("memorization", "csv"),
             ("memorization", "parquet")]


def run_pipeline(kind: str, path: Path, repeats: int, profile: Path | None = None) -> dict:
    runs = []
    for i in range(repeats):
        cmd = [sys.executable, str(HERE / "_pipeline.py"), kind, str(path)]
        if profile is not None and i == 0:
            cmd += ["--profile", str(profile)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        if profile is not None and i == 0:
            continue  # profiled runs are slower; they are not timed
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in runs) for k in ("load", "analysis")}
    stages = {k: statistics.median(r["stages"][k] for r in runs) for k in runs[0]["stages"]}
    return {"load": med["load"], "analysis": med["analysis"], "total": med["load"] + med["analysis"],
            "stages": stages, "peak_mb": max(r["peak_mb"] for r in runs),
            "baseline_mb": min(r["baseline_mb"] for r in runs), "runs": len(runs)}


def fmt_ratio(a: float, b: float) -> str:
    return f"{a / b:5.1f}x" if b > 0 else "  n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-extra-column", action="store_true",
                    help="skip the run on a file with a wide column no schema names")
    ap.add_argument("--profile", type=Path, help="folder for cProfile stats of each pipeline at the largest size")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="evalpatterns-bench-"))
    results: dict[tuple, dict] = {}
    try:
        print(f"synthetic data in {tmp} (median of {args.repeats} fresh processes per pipeline)")
        for n in args.sizes:
            t0 = time.perf_counter()
            folder = tmp / str(n)
            synthetic.write(synthetic.distillation_frame(n), folder, "distillation")
            synthetic.write(synthetic.memorization_frame(n), folder, "memorization")
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.iterdir()))
            print(f"\n{n:>9,} rows: generated in {time.perf_counter() - t0:.1f} s ({sizes})")
            for kind, fmt in PIPELINES:
                prof = None
                if args.profile and n == max(args.sizes):
                    args.profile.mkdir(parents=True, exist_ok=True)
                    prof = args.profile / f"{kind}-{fmt}.prof"
                r = run_pipeline(kind, folder / f"{kind}.{fmt}", args.repeats, prof)
                results[(n, kind, fmt)] = r
                stages = "  ".join(f"{k} {v:.3f}" for k, v in r["stages"].items())
                print(f"  {kind:12s} {fmt:7s} load {r['load']:6.3f} s  analysis {r['analysis']:6.3f} s  "
                      f"total {r['total']:6.3f} s  peak {r['peak_mb']:6.0f} MB (imports alone "
                      f"{r['baseline_mb']:.0f} MB)   [{stages}]")
            shutil.rmtree(folder)

        print("\nGrowth with rows (time at each size; ratio to the size before; 10x rows -> 10x is linear)")
        for kind, fmt in PIPELINES:
            parts = []
            prev = None
            for n in args.sizes:
                r = results[(n, kind, fmt)]
                ratio = "" if prev is None else (f" ({fmt_ratio(r['total'], prev['total']).strip()} total, "
                                                 f"{fmt_ratio(r['analysis'], prev['analysis']).strip()} analysis)")
                parts.append(f"{n:.0e}: {r['total']:.3f} s{ratio}")
                prev = r
            print(f"  {kind:12s} {fmt:7s} " + ";  ".join(parts))

        big = max(args.sizes)
        print(f"\nTargets at {big:,} rows: load + analysis <= {TARGET_SECONDS:g} s, peak memory <= {TARGET_MB:.0f} MB")
        worst = True
        for kind, fmt in PIPELINES:
            r = results[(big, kind, fmt)]
            ok_t, ok_m = r["total"] <= TARGET_SECONDS, r["peak_mb"] <= TARGET_MB
            worst &= ok_t and ok_m
            print(f"  {kind:12s} {fmt:7s} total {r['total']:.3f} s ({r['total'] / TARGET_SECONDS:.2f} of target, "
                  f"{'met' if ok_t else 'MISSED'}); analysis alone {r['analysis']:.3f} s; "
                  f"peak {r['peak_mb']:.0f} MB ({'met' if ok_m else 'MISSED'})")

        if not args.no_extra_column:
            n = big
            folder = tmp / "extra"
            synthetic.write(synthetic.distillation_frame(n, extra_column=True), folder, "distillation")
            size = (folder / "distillation.csv").stat().st_size / 1e6
            print(f"\nThe same {n:,}-row distillation log with a 200-character column no schema names "
                  f"(CSV {size:.0f} MB): loading reads only the schema's columns")
            for fmt in ("csv", "parquet"):
                r = run_pipeline("distillation", folder / f"distillation.{fmt}", args.repeats)
                base = results[(n, "distillation", fmt)]
                print(f"  distillation {fmt:7s} load {r['load']:6.3f} s (without the column {base['load']:.3f} s)  "
                      f"peak {r['peak_mb']:6.0f} MB (without {base['peak_mb']:.0f} MB)")
        print("\nall targets met" if worst else "\nsome targets missed (see above and benchmarks/README.md)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
