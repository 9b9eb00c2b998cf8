"""Where the time of one build or one chapter run goes (run by bench_build.py, in the snapshot's environment).

    python benchmarks/_phases.py build [BUILD_DIR]           # evalpatterns.build.build_book
    python benchmarks/_phases.py run CHAPTER FILE OUT        # evalpatterns.build.run_chapter
    python benchmarks/_phases.py build BUILD_DIR --profile OUT.prof

Wraps the build's own steps (plan (the content keys), check_data, execute_all, stage_book_files, stage_pages, render_book,
reproducibility.results_text, swap_into_place; execute_chapter, _execute_and_render, _export_figures; and
evalpatterns.render.Renderer.render as render_page, timed for a run only) with timers and prints their
totals as JSON, with the wall time of the whole call and the build's log lines. With --profile, the call also runs under
cProfile (only sensible for a rebuild, where nothing runs in a worker process).
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict


def main(argv: list[str]) -> None:
    kernel = None
    if argv[0] == "run":  # as `evalpatterns run` does: the kernel imports while this process imports the build
        from evalpatterns import cli

        kernel = cli._early_kernel(argv[1])
    from evalpatterns import build

    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    from evalpatterns.book import plan, publish, run
    from evalpatterns.render import Renderer

    # Each step is wrapped where it is called from (evalpatterns.build only re-exports them): (module,
    # attribute, name printed).
    targets = [(publish, "jobs_for", "plan"), (plan, "check_data", "check_data")]
    targets += [(publish, name, name) for name in ("execute_all", "stage_book_files", "stage_pages", "render_book",
                                                   "swap_into_place")]
    targets.append((publish.reproducibility, "results_text", "results_text"))  # results.json, from the notebooks
    targets += [(run, "execute_chapter", "execute_chapter"), (run, "_execute_and_render", "_execute_and_render"),
                (run, "export_figures", "_export_figures")]
    if argv[0] == "run":
        targets.append((Renderer, "render", "render_page"))
    for owner, attr, name in targets:
        fn = getattr(owner, attr)

        def timed(*a, __fn=fn, __name=name, **k):
            t0 = time.perf_counter()
            try:
                return __fn(*a, **k)
            finally:
                spent[__name] += time.perf_counter() - t0
                calls[__name] += 1
        setattr(owner, attr, timed)

    lines: list[str] = []
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    argv = [a for i, a in enumerate(argv) if a != "--profile" and (i == 0 or argv[i - 1] != "--profile")]
    if argv[0] == "build":
        call = (lambda: build.build_book(build_dir=argv[1] if len(argv) > 1 else None, log=lines.append))
    else:
        call = (lambda: build.run_chapter(argv[1], [argv[2]], {}, argv[3], log=lines.append, kernel=kernel))
    t0 = time.perf_counter()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.runcall(call)
        prof.dump_stats(profile)
    else:
        call()
    total = time.perf_counter() - t0
    print(json.dumps({"total": total, "phases": dict(spent), "calls": dict(calls), "log": lines}))


if __name__ == "__main__":
    main(sys.argv[1:])
