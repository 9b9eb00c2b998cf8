"""The key of the marks for a value's provenance (``theme.provenance_key``) as files beside the book's figures,
drawn once for the code and formats that draw it and copied from the build's cache after that
(:mod:`evalpatterns.sphinx_ext` writes it at the end of a render). Nothing here is imported before it draws:
Sphinx loads this module with its extension."""
from __future__ import annotations

from pathlib import Path

KEY = "provenance-key"  # the files' name: provenance-key.png, provenance-key.svg
#: A ``.new-`` folder untouched for longer than this is a killed build's, removed when the cache is written;
#: a younger one may be another build drawing into it (a drawing takes seconds).
STALE_SECONDS = 3600


def key_hash(formats: tuple[str, ...]) -> str:
    """What the key's files depend on: the code that draws and writes them (theme.py, report.py), the
    versions of the libraries that draw them, and the formats."""
    import hashlib
    from importlib import metadata

    h = hashlib.sha256()
    for name in ("theme.py", "report.py"):
        h.update((Path(__file__).with_name(name)).read_bytes())
    for package in ("matplotlib", "seaborn"):
        h.update(f"{package}=={metadata.version(package)};".encode())
    h.update(",".join(formats).encode())
    return h.hexdigest()[:20]


def _draw_key(folder: Path, formats: tuple[str, ...]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .report import RenderedFigure  # the same PNG and SVG for the same figure, as the chapters' figures
    from .theme import provenance_key

    fig = provenance_key()
    rendered = RenderedFigure(KEY, fig, formats=formats)
    plt.close(fig)
    if rendered.png is not None:
        (folder / f"{KEY}.png").write_bytes(rendered.png)
    if rendered.svg is not None:
        (folder / f"{KEY}.svg").write_text(rendered.svg)


def cached_key(formats: tuple[str, ...], cache_dir: str | Path, seed: str | Path | None = None) -> Path:
    """The folder ``cache_dir/provenance-key/HASH/`` holding the key in ``formats``, drawn into it first if it is
    not there (the only folder kept there: the key of other code or formats is removed, and so is a ``.new-``
    folder a killed build left, once it is older than :data:`STALE_SECONDS`). ``seed``: another
    cache folder (the book build's, for ``evalpatterns run``), only read: its key of the same hash is copied
    instead of drawn."""
    import shutil
    import tempfile

    parent = Path(cache_dir) / KEY
    digest = key_hash(formats)
    cached = parent / digest
    if not cached.is_dir():
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".new-", dir=parent))
        try:
            if not seed:
                raise FileNotFoundError
            for ext in formats:  # FileNotFoundError also when the seed's build is pruning it right now
                shutil.copyfile(Path(seed) / KEY / digest / f"{KEY}.{ext}", tmp / f"{KEY}.{ext}")
        except OSError:
            _draw_key(tmp, formats)
        try:
            tmp.rename(cached)  # whole or not at all: a build killed half-way leaves only a .new- folder
        except OSError:  # another build wrote it first
            shutil.rmtree(tmp, ignore_errors=True)
        for old in parent.iterdir():  # the key of other code or formats, and a killed build's .new- folder
            if old != cached and (not old.name.startswith(".new-") or _stale(old)):
                shutil.rmtree(old, ignore_errors=True)
    return cached


def _stale(folder: Path) -> bool:
    """Whether ``folder`` was last changed more than :data:`STALE_SECONDS` ago (gone already: no)."""
    import time

    try:
        return time.time() - folder.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def write_key(folder: Path, formats: tuple[str, ...], cache_dir: str | Path | None = None) -> None:
    """The key of the marks, in the formats the figures were written in (the captions link its SVG, or its PNG
    where the figures have no SVG). Drawing it (importing seaborn, scipy) took a third of a render: with a
    ``cache_dir`` (the build's ``.cache``, or a run's staging folder; config ``evalpatterns_cache_dir``) it is
    drawn once per :func:`key_hash` by :func:`cached_key` and copied from there. The renderer calls
    :func:`cached_key` while it sets up, before any page is executed, so the drawing is off the critical path."""
    import shutil

    if not cache_dir:
        _draw_key(folder, formats)
        return
    cached = cached_key(formats, cache_dir)
    try:
        for ext in formats:
            shutil.copyfile(cached / f"{KEY}.{ext}", folder / f"{KEY}.{ext}")
    except FileNotFoundError:  # a build of other code sharing the cache pruned it between the two lines
        _draw_key(folder, formats)
