"""Memorization frames for Finding 5's tests (test_findings_memorization.py, test_words_memorization.py): rows
``(method, N, seed or None, episodes, converged, status)`` loaded through the real loader, the result of the
analysis on them, a few stories (RL faster, per-seed rows) and a ``hypothesis`` strategy drawing valid rows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import strategies as hs

from evalpatterns import io
from evalpatterns.findings import memorization as finding

HEADER = "method,n_values,seed,episodes,converged,status,source\n"


def mem_frame(tmp_path: Path, rows) -> pd.DataFrame:
    """A memorization frame through the real loader: rows of (method, N, seed, episodes, converged, status)."""
    text = HEADER + "".join(f"{m},{n},{'' if s is None else s},{e},{str(c).lower()},{st_},synthetic\n"
                            for m, n, s, e, c, st_ in rows)
    path = tmp_path / "memorization.csv"
    path.write_text(text, encoding="utf-8")
    return io.load("memorization", path)


def run(frame: pd.DataFrame, **params) -> finding.Result:
    return finding.analyse({"memorization": frame}, finding.Params(**params))


def rl_faster(ns=(10, 100, 500)):
    return ([("supervised", n, None, 100 * (i + 1), True, "measured") for i, n in enumerate(ns)]
            + [("rl_eoe", n, None, 20 * (i + 1), True, "measured") for i, n in enumerate(ns)]
            + [("rl_step", n, None, 60 * (i + 1), True, "measured") for i, n in enumerate(ns)])


def seeds(method, values, n=10):
    return [(method, n, i + 1, v, True, "measured") for i, v in enumerate(values)]


METHODS = ("supervised", "rl_eoe", "rl_step")


@hs.composite
def memorization_rows(draw):
    cells = draw(hs.lists(hs.tuples(hs.sampled_from(METHODS), hs.sampled_from((10, 25, 100, 500))),
                          min_size=1, max_size=9, unique=True))
    rows = []
    for m, n in cells:
        k = draw(hs.sampled_from((0, 0, 2, 3)))  # an aggregate row, or a few seeds
        for s in (range(1, k + 1) if k else [None]):
            rows.append((m, n, s, draw(hs.integers(1, 60000)), draw(hs.booleans()),
                         draw(hs.sampled_from(("measured", "figure")))))
    return rows
