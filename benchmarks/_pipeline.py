"""One library pipeline in a fresh process (run by bench_library.py): load a data file, analyse it, and print
the time of each stage and the process's peak memory as JSON.

    python benchmarks/_pipeline.py distillation FILE     # io.load, distillation.transitions
    python benchmarks/_pipeline.py memorization FILE     # io.load, episodes_table, sl_advantage, scaling_fits,
                                                         # effect_sizes_from_seeds
    ... --profile OUT.prof                               # the same under cProfile, stats written to OUT.prof

Peak memory is the process's peak resident set (VmHWM; ru_maxrss where /proc is missing): everything it
ever held, the interpreter and the imported libraries (``baseline_mb``, measured before loading) included.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MiB: VmHWM, which (unlike ru_maxrss, which a child
    inherits from the process that forked it) starts afresh at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def call(fn, profile: str | None = None):
    """``fn()``, under cProfile with its stats written to ``profile`` when one is given."""
    if not profile:
        return fn()
    import cProfile

    prof = cProfile.Profile()
    out = prof.runcall(fn)
    prof.dump_stats(profile)
    return out


def main(argv: list[str]) -> None:
    kind, path = argv[0], argv[1]
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None

    import scipy.stats  # noqa: F401 - imported by the library on the first fit (half a second); imported here
    # so that the stages time the work, not the import

    from evalpatterns import distillation, io, memorization

    baseline = peak_mb()
    stages: dict[str, float] = {}

    def timed(name, fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        stages[name] = time.perf_counter() - t0
        return out

    def run() -> int:
        frame = timed("load", io.load, kind, path)
        if kind == "distillation":
            runs = timed("transitions", distillation.transitions, frame)
            return len(runs)
        table = timed("episodes_table", memorization.episodes_table, frame)
        timed("sl_advantage", memorization.sl_advantage, table)
        timed("scaling_fits", memorization.scaling_fits, table)
        effects = timed("effect_sizes_from_seeds", memorization.effect_sizes_from_seeds, frame)
        return len(table) + len(effects)

    rows = call(run, profile)
    print(json.dumps({"stages": stages, "load": stages["load"],
                      "analysis": sum(v for k, v in stages.items() if k != "load"),
                      "peak_mb": peak_mb(), "baseline_mb": baseline, "result_rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1:])
