"""The hybrid-distillation chapter at 10^2, 10^3 and 10^4 runs of 100 steps: the chapter as it is, drawing
every run, against the many-runs figures and tables (figures_many, many_runs), in the same invocation.

    .venv/bin/python benchmarks/bench_chapter_many.py                    # ~10-20 minutes on a quiet machine
    .venv/bin/python benchmarks/bench_chapter_many.py --runs 100 1000 --per-run-max 1000 --chapter-max 100

For each size (benchmarks/synthetic.py's step log as CSV, in a temporary folder):
  - ``many`` and ``per-run``: the chapter's library calls in a fresh process (benchmarks/_chapter_pipeline.py):
    load, transitions, values, both figures drawn and saved, the tables; ``per-run`` only up to
    --per-run-max runs (at 10^4 runs it takes tens of minutes);
  - ``chapter``: ``evalpatterns run hybrid-distillation`` end to end (papermill, the book's page), up to
    --chapter-max runs, stopped after --timeout seconds.
Printed: seconds (wall), CPU seconds, peak memory, per stage; the ratio per-run / many at each size; growth
per 10x runs. Targets (issue 14): 10^4 runs end to end in <= 20 s with <= 2 GiB, time linear in runs.

The other chapters at their natural scale, end to end only (``evalpatterns run`` on synthetic.py's data, at
a hundredth, a tenth and all of it; wall time and the peak memory of the process tree; growth per 10x):

    .venv/bin/python benchmarks/bench_chapter_many.py --chapters mode-collapse sl-vs-rl capability-cliff model-switch-roi
    .venv/bin/python benchmarks/bench_chapter_many.py --chapters sl-vs-rl --scale 0.1    # a tenth of each size

mode-collapse: 10^4 training attempts; sl-vs-rl: 10^5 memorization seeds; capability-cliff: 10^3 tasks (x 4
sizes x 2 stages); model-switch-roi: 10^4 attempts. Targets: <= 20 s and <= 2 GiB each at the largest size.
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


def pipeline(mode: str, csv: Path, out: Path) -> dict:
    cmd = [sys.executable, str(HERE / "_chapter_pipeline.py"), mode, str(csv), str(out)]
    result, _ = measure_tree(cmd)
    return result


#: chapter -> (data kind, natural size, the synthetic frame of that many items)
AT_SCALE = {
    "mode-collapse": ("mode_collapse", 10_000, synthetic.mode_collapse_frame),
    "sl-vs-rl": ("memorization", 100_000, synthetic.memorization_frame),
    "capability-cliff": ("capability", 1_000, synthetic.capability_frame),
    "model-switch-roi": ("roi", 10_000, synthetic.roi_frame),
}


def chapter(csv: Path, out: Path, timeout: float, chapter_id: str = "hybrid-distillation") -> dict:
    cmd = [sys.executable, "-m", "evalpatterns.cli", "run", chapter_id, "--data", str(csv), "--output", str(out)]
    t0 = time.perf_counter()
    try:
        # this checkout's library, in the chapter's kernel too (which runs in another folder)
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "lib")}
        _, peak = measure_tree(cmd, timeout=timeout, parse=False, env=env)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timeout": timeout}
    return {"seconds": time.perf_counter() - t0, "peak_mb": peak}


def at_scale(chapter_ids: list[str], scale: float, timeout: float, tmp: Path) -> None:
    """Each chapter end to end at a hundredth, a tenth and all of its natural size (times ``scale``)."""
    for cid in chapter_ids:
        kind, natural, make = AT_SCALE[cid]
        sizes = [max(2, round(natural * scale / f)) for f in (100, 10, 1)]
        print(f"\n{cid}: {kind}.csv at {', '.join(f'{n:,}' for n in sizes)} items")
        times = []
        for n in sizes:
            csv = tmp / cid / f"{n}" / f"{kind}.csv"
            csv.parent.mkdir(parents=True)
            make(n).to_csv(csv, index=False)
            load = os.getloadavg()[0]
            r = chapter(csv, csv.parent / "out", timeout, cid)
            times.append(r["seconds"])
            print(f"  {n:>9,} items ({csv.stat().st_size / 2**20:6.1f} MiB): " + (
                f"{r['seconds']:6.1f} s, peak {r['peak_mb']:5.0f} MiB (process tree)" if r["seconds"] is not None
                else f"stopped after {r['timeout']:.0f} s") + f"  load {load:.1f}")
            shutil.rmtree(csv.parent)
        steps = [f"{b / a:.1f}x" for a, b in zip(times, times[1:]) if a and b]
        print(f"  growth per 10x items (10x is linear): {', '.join(steps) or '-'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--per-run-max", type=int, default=1000)
    ap.add_argument("--chapter-max", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--chapters", nargs="+", choices=list(AT_SCALE),
                    help="instead: these chapters end to end at their natural scale")
    ap.add_argument("--scale", type=float, default=1.0, help="with --chapters: multiply every size by this")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="evalpatterns-chapter-"))
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.1f}")
    if args.chapters:
        try:
            at_scale(args.chapters, args.scale, args.timeout, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return 0
    results = {}
    try:
        for n in args.runs:
            csv = tmp / f"{n}" / "distillation.csv"
            csv.parent.mkdir(parents=True)
            synthetic.distillation_frame(n * synthetic.STEPS_PER_RUN).to_csv(csv, index=False)
            print(f"\n{n:,} runs x {synthetic.STEPS_PER_RUN} steps ({csv.stat().st_size / 2**20:.0f} MiB of CSV)")
            modes = ["many"] + (["per-run"] if n <= args.per_run_max else [])
            for mode in modes:
                load = os.getloadavg()[0]
                r = results[(n, mode)] = pipeline(mode, csv, tmp / f"{n}" / mode)
                stages = "  ".join(f"{k} {v:.2f}" for k, v in r["stages"].items())
                print(f"  {mode:8s} {r['seconds']:7.2f} s (cpu {r['cpu']:6.2f} s)  peak {r['tree_peak_mb']:5.0f} MiB  "
                      f"load {load:.1f}   [{stages}]")
            if n > args.per_run_max:
                print(f"  per-run  not run (over --per-run-max {args.per_run_max:,})")
            if (n, "per-run") in results:
                a, b = results[(n, "per-run")], results[(n, "many")]
                print(f"  per-run / many: {a['seconds'] / b['seconds']:.1f}x time, {a['cpu'] / b['cpu']:.1f}x cpu")
            if n <= args.chapter_max:
                r = results[(n, "chapter")] = chapter(csv, tmp / f"{n}" / "chapter", args.timeout)
                print(f"  evalpatterns run hybrid-distillation (the chapter as it is): " + (
                    f"{r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MiB" if r["seconds"] is not None
                    else f"stopped after {r['timeout']:.0f} s"))
            shutil.rmtree(csv.parent)
        print("\ngrowth per 10x runs (10x is linear)")
        for mode in ("many", "per-run"):
            sizes = [n for n in args.runs if (n, mode) in results]
            steps = [f"{b:,}: {results[(b, mode)]['seconds'] / results[(a, mode)]['seconds']:.1f}x time, "
                     f"{results[(b, mode)]['cpu'] / results[(a, mode)]['cpu']:.1f}x cpu"
                     for a, b in zip(sizes, sizes[1:])]
            print(f"  {mode:8s} " + ("; ".join(steps) or "-"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
