"""The hybrid-distillation chapter's library calls in a fresh process (run by bench_chapter_many.py), drawn
run by run (``per-run``: what the chapter does now) or for many runs (``many``: figures_many and many_runs),
printing each stage's time, the CPU time and the peak memory as JSON.

    python benchmarks/_chapter_pipeline.py per-run FILE OUT_DIR
    python benchmarks/_chapter_pipeline.py many FILE OUT_DIR

Stages: load (io.load), analyse (the finding's analysis), values (its words), the two figures drawn and saved
as PNG at the book's resolution, and the tables rendered to HTML (per-run: the severity table of every run
and the log excerpt; many: the summary by family and gap, the ten most extreme runs, the excerpt chosen by
many_runs.excerpt_run, and the full per-run table written as CSV).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _engine_pipeline import cpu  # noqa: E402
from _pipeline import peak_mb  # noqa: E402


def main(argv: list[str]) -> None:
    mode, path, out = argv[0], argv[1], Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalpatterns import figures, figures_many, io, many_runs, tables, theme
    from evalpatterns.findings import distillation as finding
    from evalpatterns.words import distillation as words

    theme.set_theme()
    stages: dict[str, float] = {}

    def timed(name, fn, *args):
        t0 = time.perf_counter()
        result = fn(*args)
        stages[name] = time.perf_counter() - t0
        return result

    def save(fig, name):
        fig.savefig(out / f"{name}.png")
        plt.close(fig)

    c0, t0 = cpu(), time.perf_counter()
    log = timed("load", io.load, "distillation", path)
    result = timed("analyse", finding.analyse, log)
    timed("values", words.values, result)
    runs, note = result.transitions, words.correlation_note(result.correlation)
    if mode == "per-run":
        timed("figure 1", lambda: save(figures.phase_transition(log, runs), "phase"))
        timed("figure 2", lambda: save(figures.distillation_gap(figures_many.gap_runs(result), result.conditions,
                                                                note), "gap"))
        timed("tables", lambda: (tables.severity_table(runs).to_html(),
                                 tables.log_excerpt(log, result.excerpt_run).to_html()))
    else:
        timed("figure 1", lambda: save(figures_many.phase_bands(log, runs), "phase"))
        timed("figure 2", lambda: save(figures_many.severity_overview(runs, result.conditions, note), "gap"))
        timed("tables", lambda: (many_runs.severity_summary(runs).to_html(),
                                 tables.severity_table(many_runs.top_runs(runs, 10)).to_html(),
                                 tables.log_excerpt(log, many_runs.excerpt_run(runs)).to_html(),
                                 many_runs.write_runs_csv(runs, out / "runs.csv")))
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": cpu() - c0, "peak_mb": peak_mb(),
                      "stages": stages, "runs": len(runs)}))


if __name__ == "__main__":
    main(sys.argv[1:])
