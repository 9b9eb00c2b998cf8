"""``evalpatterns build``: the whole book, in order, and the new book put in place of the old.

The flow: resolve and type-check parameters -> refuse an output folder the build may not write
(:mod:`.outputs`) -> take the output's lock -> remove staging folders killed builds left -> check that every
data file can be read -> stop at once if the book's content key (which hashes the data files and the code that
validates them) is the one the current book was built from -> validate every data file -> start
Sphinx's set-up in its own process (:mod:`evalpatterns.render`) -> execute the chapters (:mod:`.execute`) ->
stage the executed notebooks (:mod:`.stage`) -> render as ``jupyter-book build -n -W --keep-going`` -> put the
new book in place of the old (:func:`publish`) only when everything succeeded. ``chapters/`` is never written.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .. import reproducibility
from ..render import Renderer
from . import interrupt, outputs
from .errors import reported, writable_folder
from .execute import execute_all
from .plan import ROOT, book_key, check_book_data, check_book_files, jobs_for, repository_url, resolve_book
from .stage import remove_stale, stage_book_files, stage_pages, staging_folder

BUILD_DIR_VARIABLE = "EVALPATTERNS_BUILD_DIR"


def build_folder(choice: str | Path | None = None) -> Path:
    """The build folder (cache, staging, default output): ``choice``, else EVALPATTERNS_BUILD_DIR, else
    ``_build/`` in the checkout."""
    return Path(choice or os.environ.get(BUILD_DIR_VARIABLE) or ROOT / "_build").expanduser().absolute()


def start_renderer(stage_dir: Path, out_dir: Path, cache_dir: Path | None = None) -> Renderer:
    """Start setting Sphinx up for the book staged by :func:`stage_book_files` (see :mod:`evalpatterns.render`);
    ``cache_dir``: the build's cache folder."""
    return Renderer.for_book(stage_dir, out_dir, cache_dir)


def renderer_ready(renderer: Renderer) -> None:
    """Wait for the renderer's set-up (done long before in a build that executes chapters); BuildError if it
    failed."""
    with reported():
        renderer.wait_ready()


def render_book(renderer: Renderer) -> Path:
    """Render the staged book as ``jupyter-book build -n -W --keep-going`` would; returns the HTML folder;
    BuildError on any warning."""
    with reported():
        return renderer.render()


def _siblings(target: Path) -> tuple[Path, Path]:
    return (target.with_name(f".{target.name}.evalpatterns-new"), target.with_name(f".{target.name}.evalpatterns-old"))


def _remove_ours(folder: Path) -> None:
    """Remove a folder an earlier build of ours left (it carries our marker); leave anything else."""
    if folder.is_dir() and not folder.is_symlink() and outputs.read_marker(folder) is not None:
        shutil.rmtree(folder)


def recover(target: Path) -> None:
    """Finish what a build killed while publishing left: the old book back in place if the new one never got
    there, and the folders beside it removed. Called with the output's lock held."""
    new, old = _siblings(target)
    if old.is_dir() and not target.exists() and outputs.read_marker(old) is not None:
        os.replace(old, target)
    _remove_ours(new)
    _remove_ours(old)


def swap_into_place(new_html: Path, target: Path, key: str = "") -> None:
    """Put ``new_html`` (with its marker) in place of ``target`` so that a reader never sees a half-written
    book: it is moved (copied, from another disk) beside the target first, then two renames, with Ctrl-C and
    SIGTERM held back, swap them."""
    outputs.write_marker(new_html, "build", outputs.listing(new_html), key)
    target.parent.mkdir(parents=True, exist_ok=True)
    new, old = _siblings(target)
    recover(target)
    try:
        os.replace(new_html, new)
    except OSError:  # another disk
        shutil.copytree(new_html, new, symlinks=True)
    with interrupt.signals_blocked():
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def build_book(data_dir=None, overrides: dict[str, dict] | None = None, output: str | Path | None = None,
               build_dir: str | Path | None = None, log=print, fresh_kernels: bool | None = None) -> Path:
    """Build the whole book into ``output`` (default: the build folder's ``html/``); returns the HTML folder.
    ``build_dir``: see :func:`build_folder`. ``fresh_kernels``: a new kernel for every chapter (see
    :func:`evalpatterns.book.execute.execute_all`)."""
    build_dir = build_folder(build_dir)
    resolved = resolve_book(data_dir, overrides)
    repository_url()  # a malformed repository name is refused before anything is done
    data = [Path(v) for params in resolved.values() for k, v in params.items()
            if k.endswith("_csv") and not Path(v).is_relative_to(ROOT)]
    output = outputs.check_output(output or build_dir / "html", "build", data + ([Path(data_dir)] if data_dir else []),
                                  build_dir)
    writable_folder(build_dir, "the build folder")
    with outputs.output_lock(output, "build", log), reported():
        outputs.check_output(output, "build", build_dir=build_dir)  # again: it may have changed while we waited
        remove_stale(build_dir, ".stage-")
        recover(output)
        interrupt.hold("validate")
        check_book_files(resolved)  # each a file that can be read (or a folder of Parquet files), before hashing
        jobs = jobs_for(resolved)
        key = book_key(jobs)
        marker = outputs.read_marker(output) if output.is_dir() else None
        if marker is not None and marker["key"] == key:  # the same bytes and code that were valid then
            log(f"nothing changed since the last build: {output} is current (no chapter executed, nothing rendered)")
            return output
        check_book_data(resolved)
        build_dir.mkdir(parents=True, exist_ok=True)
        with staging_folder(build_dir, ".stage-") as tmp:
            src = tmp / "book"
            src.mkdir()
            stage_book_files(src)
            # Sphinx sets up while the chapters execute
            with start_renderer(src, tmp / "out", build_dir / ".cache") as renderer:
                log(f"executing {len(jobs)} chapters")
                executed = execute_all(jobs, build_dir / ".cache" / "executed", log=log,
                                       fresh_kernels=fresh_kernels)
                renderer_ready(renderer)  # so that Sphinx always set up on the folder without the pages
                stage_pages(executed, src, {j.chapter: j.parameters for j in jobs})
                log("rendering with jupyter-book")
                html = render_book(renderer)
            # the text whose SHA-256 the Reproducibility page gives
            (html / "results.json").write_text(
                reproducibility.results_text(executed, {j.chapter: j.parameters for j in jobs}), encoding="utf-8")
            interrupt.hold("publish")
            swap_into_place(html, output, key)
    return output
