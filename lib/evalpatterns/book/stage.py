"""The Jupyter Book source folder a build renders, and the staging folders builds and runs work in.

A staging folder (``.stage-*`` in the build folder, ``.run-*`` in a run's output folder) holds a lock for as
long as its build lives; one whose lock is free was left by a build that was killed, and the next build or
run removes it (:func:`remove_stale`).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

from .. import chapters as registry
from .plan import BOOK_DIRS, ROOT, repository_url
from .results import export_files

STAGE_LOCK = ".evalpatterns-stage"


@contextlib.contextmanager
def staging_folder(parent: Path, prefix: str):
    """A new folder ``parent/PREFIXxxxx``, locked while the block runs and removed after it."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    fd = os.open(path / STAGE_LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def remove_stale(parent: Path, prefix: str, min_age: float = 60.0) -> list[Path]:
    """Remove the staging folders ``parent/PREFIX*`` that no live build holds; returns them. A folder without
    a lock file (killed before it was made) is removed once it is ``min_age`` seconds old."""
    removed = []
    if not parent.is_dir():
        return removed
    for path in parent.glob(f"{prefix}*"):
        if not path.is_dir() or path.is_symlink():
            continue
        lock = path / STAGE_LOCK
        if not lock.exists():
            if time.time() - path.stat().st_mtime > min_age:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            continue
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a live build holds it
            os.close(fd)
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def _book_config(stage_dir: Path) -> None:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = repository_url()
    if url:
        config.setdefault("repository", {})["url"] = url
        config.setdefault("html", {})["use_repository_button"] = True
    (stage_dir / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def _with_downloads(path: Path, chapter_id: str, target: Path) -> None:
    """Copy an executed notebook, ending it with links to download itself and its MyST source."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f"---\n\nThis chapter as {{download}}`an executed notebook <{chapter_id}.ipynb>` or as "
        f"{{download}}`its MyST source <_sources/{chapter_id}.md>`."))
    nbformat.write(nb, str(target))


def stage_book_files(stage_dir: Path) -> None:
    """Lay out what the renderer needs before any chapter has executed: ``_config.yml`` (with the repository
    link when known), ``_toc.yml`` and the static files."""
    _book_config(stage_dir)
    shutil.copy2(ROOT / "_toc.yml", stage_dir / "_toc.yml")
    for name in BOOK_DIRS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, stage_dir / name)


def stage_pages(executed: dict[str, Path], stage_dir: Path, parameters: dict[str, dict] | None = None) -> None:
    """Add the executed notebooks (execution off), each with download links and the files it attached for
    download, their MyST sources, and the Reproducibility page written from this build."""
    from .. import reproducibility

    (stage_dir / "chapters" / "_sources").mkdir(parents=True, exist_ok=True)
    for chapter_id, path in executed.items():
        shutil.copy2(registry.get(chapter_id).source, stage_dir / "chapters" / "_sources" / f"{chapter_id}.md")
        _with_downloads(path, chapter_id, stage_dir / "chapters" / f"{chapter_id}.ipynb")
        export_files(path, stage_dir / "chapters")
    page = reproducibility.page(parameters, executed) if parameters else (ROOT / "reproducibility.md").read_text()
    (stage_dir / "reproducibility.md").write_text(page)


def stage(executed: dict[str, Path], stage_dir: Path, parameters: dict[str, dict] | None = None) -> None:
    """Lay out a complete Jupyter Book source folder of executed notebooks: :func:`stage_book_files`, then
    :func:`stage_pages`."""
    stage_book_files(stage_dir)
    stage_pages(executed, stage_dir, parameters)
