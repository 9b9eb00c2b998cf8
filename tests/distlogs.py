"""Small distillation step logs for the tests of Finding 4, written as CSV and read through ``io.load`` so they
are typed exactly like the book's data.

``run(name, family, gap, off, on)`` gives the CSV rows of one run: ``off`` and ``on`` are (step, kl, eval_score)
tuples of its off-policy and on-policy steps (None for a value not logged); ``log(*runs)`` loads them.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from evalpatterns import io

HEADER = "run,family,student,teacher,gap,seed,step,phase,loss,score,kl,eval_score,status,source,method\n"


def _cell(x) -> str:
    return "" if x is None else repr(float(x))


def run(name: str, family: str = "Fam", gap: float = 10, off=((40, 0.02, 0.4),), on=((50, 0.5, 0.0),),
        status: str = "measured", seed: int = 1, method: str = "") -> str:
    rows = [f"{name},{family},{family} S,{family} T,{gap},{seed},{step},{phase},,,{_cell(kl)},{_cell(ev)},{status},test,"
            f"{method}"
            for phase, steps in (("off_policy", off), ("on_policy", on)) for step, kl, ev in steps]
    return "\n".join(rows) + "\n"


def log(*runs: str) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "distillation.csv"
        path.write_text(HEADER + "".join(runs), encoding="utf-8")
        return io.load("distillation", path)


def collapsing(name: str, family: str = "Fam", gap: float = 10, before: float = 0.4, after=(0.0, 0.0),
               kl=(0.02, 0.5), seed: int = 1, method: str = "", status: str = "measured") -> str:
    """A run with one off-policy step (40) and on-policy steps from 50, KL ``kl[0]`` then ``kl[1]`` falling by
    a tenth each step after; eval ``before`` then ``after``; ``seed`` and ``method`` name its condition's seed."""
    on = [(50 + 10 * i, kl[1] * 0.9 ** i, e) for i, e in enumerate(after)]
    return run(name, family, gap, off=((40, kl[0], before),), on=on, status=status, seed=seed, method=method)
