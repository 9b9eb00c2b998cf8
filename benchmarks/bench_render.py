"""The book's render alone (Sphinx as `jupyter-book build -n -W --keep-going`, through evalpatterns.render), on
chapters executed once, with the key of the marks drawn or copied from the build's cache.

    .venv/bin/python benchmarks/bench_render.py BUILD_DIR                      # 3 rounds
    .venv/bin/python benchmarks/bench_render.py BUILD_DIR --against OTHER/lib  # and another checkout's library

BUILD_DIR is a build folder whose ``.cache/executed`` holds every chapter's executed notebook (the newest of
each chapter is taken), as `evalpatterns build` leaves it. Each render runs in a process of its own: the staged
book is laid out, Sphinx set up (not timed), then the render is timed. The variants alternate within a round:

keyed     this checkout, the key copied from a cache folder that already holds it (a build after the first);
drawn     this checkout without a cache folder: the key is drawn, as before it was cached;
against   the library in --against (e.g. `git archive` of an earlier commit): its own render, whatever it does.

Prints each variant's median wall time of the render and CPU time of the Sphinx process (its set-up included,
the same in every variant), and their ratios to the slowest variant.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIB = HERE.parent / "lib"

ONE_RENDER = r"""
import inspect, json, resource, sys, tempfile, time
from pathlib import Path
from evalpatterns import build
from evalpatterns.render import Renderer

executed, cache = json.loads(sys.argv[1]), sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    src = Path(tmp) / "book"
    src.mkdir()
    build.stage(executed, src, {j.chapter: j.parameters for j in build.plan()})  # as a build stages it
    kw = {"cache_dir": cache} if cache and "cache_dir" in inspect.signature(Renderer.for_book).parameters else {}
    with Renderer.for_book(src, Path(tmp) / "out", **kw) as renderer:
        renderer.wait_ready()
        t0 = time.perf_counter()
        renderer.render()
        wall = time.perf_counter() - t0
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the Sphinx process: its set-up and the render
    print(wall, cpu.ru_utime + cpu.ru_stime)
"""


def newest_executed(build_dir: Path) -> dict[str, str]:
    out: dict[str, Path] = {}
    for path in sorted((build_dir / ".cache" / "executed").glob("*.ipynb"), key=lambda p: p.stat().st_mtime):
        out[path.stem.rsplit("-", 1)[0]] = path
    return {chapter: str(path) for chapter, path in out.items()}


def render_once(lib: Path, executed: dict[str, str], cache: str) -> tuple[float, float]:
    """(wall time of the render, CPU time of the Sphinx process, set-up included)."""
    env = {**os.environ, "PYTHONPATH": str(lib)}
    proc = subprocess.run([sys.executable, "-c", ONE_RENDER, json.dumps(executed), cache], env=env,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise SystemExit(f"render failed with {lib}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    wall, cpu = proc.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir", type=Path)
    ap.add_argument("--against", type=Path, help="another checkout's lib/ folder")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    executed = newest_executed(args.build_dir)
    if not executed:
        raise SystemExit(f"{args.build_dir}/.cache/executed holds no executed chapter: build the book first")
    with tempfile.TemporaryDirectory() as cache:
        render_once(LIB, executed, cache)  # the key drawn into the cache once, before timing
        variants = {"keyed": (LIB, cache), "drawn": (LIB, "")}
        if args.against:
            variants["against"] = (args.against.resolve(), "")
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for i in range(args.rounds):
            order = list(variants) if i % 2 == 0 else list(reversed(variants))
            for name in order:
                lib, cached = variants[name]
                times[name].append(render_once(lib, executed, cached))
                wall, cpu = times[name][-1]
                print(f"round {i + 1} {name}: {wall:.2f} s, CPU {cpu:.2f} s (load {os.getloadavg()[0]:.1f})",
                      flush=True)
    print("medians; ratios to the slowest (CPU time is the steadier measure on a shared machine):")
    for k, what in enumerate(("wall", "CPU")):
        medians = {name: statistics.median(t[k] for t in runs) for name, runs in times.items()}
        slowest = max(medians.values())
        for name, median in medians.items():
            print(f"  {what:4s} {name:8s} {median:6.2f} s  {median / slowest:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
