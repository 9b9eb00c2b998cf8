"""The book build: clean build against the naive Jupyter Book build, rebuild with nothing changed, one chapter
re-executed on new data.

    .venv/bin/python benchmarks/bench_build.py                    # all three, 3 rounds (about 6-7 minutes)
    .venv/bin/python benchmarks/bench_build.py --only clean --rounds 5
    .venv/bin/python benchmarks/bench_build.py --only rebuild run

Everything runs on a snapshot of this checkout copied to a temporary folder (two copies: one for our build,
one for the naive build), with PYTHONPATH pointing at the snapshot's lib/ so that the builds, their kernels
and the chapters all use the snapshot's library. The real repository is only read; concurrent edits to it
do not change a measurement half-way.

clean    our clean build: `evalpatterns build` (build_book, through benchmarks/_phases.py, which also times its
         steps) with the snapshot's _build/ removed first, against the naive build: `jupyter-book build .`
         with `execute_notebooks: force` in the naive copy's _config.yml (every notebook executed by
         Jupyter Book, one at a time), its _build/ removed first. Runs alternate (the order flips each
         round); the median of each is compared. Target (issue #14): ours <= 0.45 x naive.
rebuild  `evalpatterns build` again with nothing changed. Target: < 1 s, no chapter executed (counted from
         the build log's "executed" / "cached" lines).
run      `evalpatterns run model-switch-roi --data roi.csv` on a roi.csv with one value changed (a different
         change each time). Target: < 4 s.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".pytest_cache", "__pycache__", "*.ipynb_checkpoints",
                                "node_modules", ".stage-*")
TIMEOUT = 1800


def snapshot(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    return dest


def env_for(snap: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(snap / "lib") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.pop("EVALPATTERNS_REPOSITORY", None)
    env.pop("GITHUB_REPOSITORY", None)
    return env


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    return elapsed, proc


def our_build(snap: Path, env: dict, clean: bool, profile: Path | None = None) -> tuple[float, dict]:
    if clean:
        shutil.rmtree(snap / "_build", ignore_errors=True)
    cmd = [sys.executable, str(HERE / "_phases.py"), "build", str(snap / "_build")]
    if profile:
        cmd += ["--profile", str(profile)]
    elapsed, proc = timed(cmd, snap, env)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["executed"] = sum(1 for line in out["log"] if line.strip().endswith(": executed"))
    out["cached"] = sum(1 for line in out["log"] if line.strip().endswith(": unchanged, cached"))
    out["per_chapter"] = chapter_durations(snap / "_build" / ".cache" / "executed") if clean else {}
    return elapsed, out


def chapter_durations(cache: Path) -> dict[str, float]:
    """Each executed chapter's time as papermill recorded it in the notebook (kernel start to end)."""
    out = {}
    for nb in cache.glob("*.ipynb"):
        meta = json.loads(nb.read_text()).get("metadata", {}).get("papermill", {})
        if meta.get("duration") is not None:
            out[nb.stem.rsplit("-", 1)[0]] = float(meta["duration"])
    return out


def naive_build(snap: Path, env: dict) -> tuple[float, dict]:
    shutil.rmtree(snap / "_build", ignore_errors=True)
    elapsed, proc = timed([str(BIN / "jupyter-book"), "build", "."], snap, env)
    text = proc.stdout + proc.stderr
    per = {Path(m.group(1)).stem: float(m.group(2))
           for m in re.finditer(r"(\S+\.(?:md|ipynb)): Executed notebook in ([\d.]+) seconds", text)}
    if "build succeeded" not in text or re.search(r"Execution Failed|CellTimeoutError|CellExecutionError", text):
        raise SystemExit("the naive build did not succeed:\n" + text[-3000:])
    return elapsed, {"executed": len(per), "per_notebook": per}


def phase_line(phases: dict) -> str:
    order = ["plan", "check_data", "execute_all", "stage_book_files", "stage_pages", "render_book",
             "results_text", "swap_into_place", "execute_chapter", "_execute_and_render", "render_page",
             "_export_figures"]
    return ", ".join(f"{k} {phases[k]:.2f}" for k in order if k in phases)


def median_phases(runs: list[dict]) -> dict:
    keys = runs[0]["phases"].keys()
    return {k: statistics.median(r["phases"].get(k, 0.0) for r in runs) for k in keys}


def top_functions(prof: Path, n: int = 10) -> list[str]:
    """The build's own functions by cumulative time, then what the rest of the time is: imports, notebook
    reading and writing, waiting for the renderer process."""
    import pstats

    stats = pstats.Stats(str(prof)).stats
    rows = sorted(stats.items(), key=lambda kv: kv[1][3], reverse=True)  # cumulative time
    out = []
    for (file, line, func), (cc, nc, tt, ct, callers) in rows:
        if "/evalpatterns/" in file and len(out) < n:
            out.append(f"{ct:6.2f} s  {nc:5d} call(s)  evalpatterns/{Path(file).name}:{line} {func}")

    def cum(pred) -> float:
        return max((v[3] for k, v in stats.items() if pred(k)), default=0.0)
    out.append(f"{cum(lambda k: k[2] == '_find_and_load'):6.2f} s  in imports (modules loaded on first use)")
    out.append(f"{cum(lambda k: 'nbformat' in k[0] and k[2] == 'read'):6.2f} s  in nbformat.read, "
               f"{cum(lambda k: 'nbformat' in k[0] and k[2] == 'write'):.2f} s in nbformat.write")
    out.append(f"{cum(lambda k: k[0].endswith('subprocess.py') and k[2] == 'communicate'):6.2f} s  waiting for "
               f"the renderer (a separate process: Sphinx reads, renders and writes every page)")
    return out


def changed_roi(src: Path, dest: Path, i: int) -> Path:
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8"))))
    j = rows[0].index("minutes")
    row = next(r for r in rows[1:] if r[rows[0].index("kind")] == "model_switch")
    row[j] = f"{float(row[j]) + i + 1:g}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    dest.write_text(buf.getvalue(), encoding="utf-8")
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=["clean", "rebuild", "run"], default=["clean", "rebuild", "run"])
    ap.add_argument("--rounds", type=int, default=3, help="runs of each build / rebuild / chapter run (>= 3)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary snapshots")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="evalpatterns-bench-build-"))
    summary = []
    try:
        ours = snapshot(tmp / "ours")
        env = env_for(ours)
        probe = subprocess.run([sys.executable, "-c", "import evalpatterns; print(evalpatterns.__file__)"],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        if not probe.startswith(str(ours)):
            raise SystemExit(f"the snapshot's library is not the one imported ({probe})")
        print(f"snapshot of {ROOT} in {tmp}; {os.cpu_count()} cores; load average "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")

        if "clean" in args.only:
            naive = snapshot(tmp / "naive")
            nenv = env_for(naive)
            config = (naive / "_config.yml").read_text()
            forced, n = re.subn(r'(execute_notebooks:\s*)"?off"?', r'\1"force"', config)
            if n != 1:
                raise SystemExit("could not set execute_notebooks: force in the naive copy's _config.yml")
            # no cell timeout (Jupyter Book's default is 30 s), so that a slow machine cannot make the naive
            # build skip work by failing a notebook
            forced = re.sub(r'(\n(\s*)execute_notebooks:[^\n]*\n)', r'\1\2timeout: -1\n', forced, count=1)
            (naive / "_config.yml").write_text(forced)
            ours_t, naive_t, ours_runs, naive_runs = [], [], [], []
            print(f"\n[clean] our clean build vs the naive build, {args.rounds} rounds, alternating")
            for r in range(args.rounds):
                for which in (("ours", "naive") if r % 2 == 0 else ("naive", "ours")):
                    if which == "ours":
                        t, info = our_build(ours, env, clean=True)
                        ours_t.append(t)
                        ours_runs.append(info)
                        print(f"  round {r + 1}: ours  {t:6.1f} s  ({info['executed']} chapters executed; "
                              f"{phase_line(info['phases'])})")
                    else:
                        t, info = naive_build(naive, nenv)
                        naive_t.append(t)
                        naive_runs.append(info)
                        slow = ", ".join(f"{k} {v:.1f}" for k, v in sorted(info["per_notebook"].items(),
                                                                            key=lambda kv: -kv[1]))
                        print(f"  round {r + 1}: naive {t:6.1f} s  ({info['executed']} notebooks executed: {slow})")
            mo, mn = statistics.median(ours_t), statistics.median(naive_t)
            ratio = mo / mn
            executed_serial = statistics.median(sum(i["per_notebook"].values()) for i in naive_runs)
            ph = median_phases(ours_runs)
            print(f"  median: ours {mo:.1f} s, naive {mn:.1f} s -> ratio {ratio:.2f} (target <= 0.45: "
                  f"{'met' if ratio <= 0.45 else 'MISSED'})")
            print(f"  naive: {executed_serial:.1f} s of its time executing notebooks one at a time, "
                  f"{mn - executed_serial:.1f} s rendering")
            print(f"  ours (median per step): {phase_line(ph)}")
            best = min(range(len(ours_runs)), key=lambda i: ours_t[i])
            per = ours_runs[best]["per_chapter"]
            if per:
                chapters = ", ".join(f"{k} {v:.1f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1]))
                print(f"  ours, per chapter (papermill, fastest round): {chapters}; sum {sum(per.values()):.1f} s "
                      f"in {ours_runs[best]['phases']['execute_all']:.1f} s of execute_all "
                      f"({sum(per.values()) / ours_runs[best]['phases']['execute_all']:.2f} chapters at a time); "
                      f"the naive build's notebooks took {executed_serial / len(naive_runs[0]['per_notebook']):.1f} s "
                      f"each on average, ours {sum(per.values()) / len(per):.1f} s")
            summary.append(("clean build / naive build", f"{ratio:.2f}x ({mo:.1f} s / {mn:.1f} s)", "<= 0.45x",
                            ratio <= 0.45))

        if "rebuild" in args.only or "run" in args.only:
            if not (ours / "_build" / ".cache").is_dir() and "rebuild" in args.only:
                print("\n(one clean build first, untimed, to fill the cache)")
                our_build(ours, env, clean=True)

        if "rebuild" in args.only:
            print(f"\n[rebuild] evalpatterns build with nothing changed, {args.rounds} runs")
            times, runs = [], []
            for r in range(args.rounds):
                t, info = our_build(ours, env, clean=False)
                times.append(t)
                runs.append(info)
                print(f"  run {r + 1}: {t:5.2f} s  (executed {info['executed']}, cached {info['cached']}; "
                      f"{phase_line(info['phases'])})")
            m = statistics.median(times)
            executed = max(i["executed"] for i in runs)
            print(f"  median {m:.2f} s (target < 1 s: {'met' if m < 1 else 'MISSED'}); chapters executed: "
                  f"{executed} (target 0: {'met' if executed == 0 else 'MISSED'})")
            print(f"  median per step: {phase_line(median_phases(runs))}")
            prof = tmp / "rebuild.prof"
            our_build(ours, env, clean=False, profile=prof)
            print("  cProfile of one more rebuild (slower than the runs above by the profiler's overhead):")
            for line in top_functions(prof):
                print("    " + line)
            summary.append(("rebuild, nothing changed", f"{m:.2f} s, {executed} executed", "< 1 s, 0 executed",
                            m < 1 and executed == 0))

        if "run" in args.only:
            print(f"\n[run] evalpatterns run model-switch-roi on a changed roi.csv, {args.rounds} runs")
            times, runs = [], []
            for r in range(args.rounds):
                data = changed_roi(ours / "data" / "roi.csv", tmp / f"mydata{r}" / "roi.csv", r)
                out = tmp / f"out{r}"
                t0 = time.perf_counter()
                elapsed, proc = timed([sys.executable, str(HERE / "_phases.py"), "run", "model-switch-roi",
                                       str(data), str(out)], ours, env)
                info = json.loads(proc.stdout.strip().splitlines()[-1])
                if not (out / "results.json").is_file():
                    raise SystemExit("evalpatterns run wrote no results.json")
                times.append(elapsed)
                runs.append(info)
                print(f"  run {r + 1}: {elapsed:5.2f} s  ({phase_line(info['phases'])})")
            m = statistics.median(times)
            print(f"  median {m:.2f} s (target < 4 s: {'met' if m < 4 else 'MISSED'})")
            print(f"  median per step: {phase_line(median_phases(runs))}")
            summary.append(("one chapter on new data", f"{m:.2f} s", "< 4 s", m < 4))

        print("\nsummary")
        for what, got, target, ok in summary:
            print(f"  {what:28s} {got:32s} target {target:20s} {'met' if ok else 'MISSED'}")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
