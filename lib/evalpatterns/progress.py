"""Progress bars (tqdm) for work that can take more than a few seconds: the chapters a build executes, the
files an import reads (a CSV's conversion to Parquet has its own, by bytes: :mod:`evalpatterns.engine.convert`).

A bar appears only on a terminal (stderr is a TTY) and only once the work has taken :data:`DELAY` seconds, so
that quick work, logs and tests stay quiet; it is removed when done.
"""
from __future__ import annotations

import sys

DELAY = 2.0  # seconds before a bar appears


def progress(iterable=None, desc: str = "", total: int | None = None, unit: str = "file", file=None):
    """``iterable`` wrapped in a bar on ``file`` (default stderr), or without one a bar to ``update`` by hand;
    the same items."""
    from tqdm.auto import tqdm

    file = sys.stderr if file is None else file
    return tqdm(iterable, desc=desc, total=total, unit=unit, delay=DELAY, leave=False,
                disable=not _terminal(file), file=file)


def _terminal(file) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):  # an object without isatty, or closed
        return False
