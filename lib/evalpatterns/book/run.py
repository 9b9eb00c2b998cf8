"""``evalpatterns run``: one chapter on a researcher's data, into an output folder.

It writes ``ID.ipynb`` (executed), ``ID.html`` (a standalone page, with its files in ``ID_files/``), the
figures as PNG and/or SVG files (``--figure-format``) in ``figures/``, ``results.json`` and the files the
chapter attached for download (a per-run CSV), and nothing outside the output folder. The folder
must be new, empty or hold only what earlier runs wrote (:mod:`.outputs`); the run works in a staging folder
inside it and replaces only files it wrote before.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .. import results_json
from .. import chapters as registry
from ..render import Renderer
from . import interrupt, outputs
from .errors import BuildError, reported
from .execute import execute_chapter, fresh_kernels_default, kernel_stderr_to
from .plan import ROOT, check_data, resolve_parameters
from .results import export_figures, export_files, notebook_results
from .stage import remove_stale, staging_folder


def data_overrides(chapter_id: str, files: list[str]) -> dict:
    """Map data files to a chapter's data parameters by file stem (``roi.csv`` -> ``roi_csv``); an optional
    input not among them is not given ('')."""
    chapter = registry.get(chapter_id)
    by_kind = {p.data: p.name for p in chapter.data_parameters}
    out = {}
    for f in files:
        stem = Path(f).stem
        if stem not in by_kind:
            raise ValueError(f"cannot tell which data file '{f}' is: chapter '{chapter_id}' reads "
                             f"{', '.join(k + '.csv' for k in by_kind)} (name your file after one of them, "
                             f"or pass it with -p {next(iter(by_kind.values()))} FILE)")
        out[by_kind[stem]] = f
    for p in chapter.data_parameters:  # files given without an optional input: not given (never the book's own)
        if files and p.optional_data and p.name not in out:
            out[p.name] = ""
    return out


def start_kernel(chapter_id: str):
    """:func:`evalpatterns.kernels.start_quiet` for ``chapter_id`` (KeyError naming the chapters for an unknown
    one; BuildError naming it when no kernel can start)."""
    from ..kernels import start_quiet

    folder = registry.get(chapter_id).source.parent
    with reported(chapter_id):
        return start_quiet(folder)


def run_chapter(chapter_id: str, data_files: list[str], overrides: dict, output: str | Path,
                log=print, fresh_kernels: bool | None = None, kernel=None) -> Path:
    """Validate, execute one chapter with papermill, and write into ``output``: ``ID.ipynb``, ``ID.html``
    (a standalone page), the figures (PNG and/or SVG), ``results.json`` and the files the chapter attached for
    download. Nothing is written elsewhere.
    ``fresh_kernels``: let papermill start a plain kernel instead of a warm one (see
    :func:`evalpatterns.book.execute.execute_all`). ``kernel``: a warm kernel the caller started early
    (:func:`start_kernel`); this call owns it from then on. Without one (and without ``fresh_kernels``) a warm
    kernel is started first thing."""
    fresh = fresh_kernels_default(fresh_kernels)
    if fresh and kernel is not None:
        kernel.kill()
        kernel = None
    elif not fresh and kernel is None:
        kernel = start_kernel(chapter_id)
    try:
        return _run_chapter(chapter_id, data_files, overrides, output, log, kernel)
    except BaseException:
        if kernel is not None:
            kernel.kill()  # it may still be importing or running the interrupted cell
        raise
    finally:
        if kernel is not None:
            kernel.close()  # nothing left to do once killed


def _run_chapter(chapter_id: str, data_files: list[str], overrides: dict, output: str | Path, log,
                 kernel) -> Path:
    chapter = registry.get(chapter_id)
    params = resolve_parameters(chapter_id, {**data_overrides(chapter_id, data_files), **overrides})
    inputs = [Path(params[p.name]) for p in chapter.parameters if p.type == "path" and params[p.name]]
    output = outputs.check_output(output, "run", inputs)
    problems = check_data(chapter_id, params)
    if problems:
        raise BuildError("the data has problems; nothing was run:\n" + "\n".join(str(p) for p in problems))
    with outputs.output_lock(output, "run", log), reported(chapter_id):
        outputs.check_output(output, "run", inputs)  # again: it may have changed while we waited
        output.mkdir(parents=True, exist_ok=True)
        if outputs.read_marker(output) is None:  # the folder is ours from now on
            outputs.write_marker(output, "run", [])
        remove_stale(output, ".run-")
        with staging_folder(output, ".run-") as tmp:
            html = _execute_and_render(chapter_id, params, tmp, kernel)
            made = tmp / "made"
            made.mkdir()
            nb_path = tmp / f"{chapter_id}.ipynb"
            results = notebook_results(nb_path)
            figures = export_figures(nb_path, made / "figures")
            export_files(nb_path, made)
            results_json.write(made / "results.json", results_json.run_document(
                results_json.chapter_record(chapter_id, params, results, figures)))
            os.replace(nb_path, made / f"{chapter_id}.ipynb")
            shutil.move(str(html.parent), str(made / f"{chapter_id}_files"))
            (made / f"{chapter_id}.html").write_text(
                f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" '
                f'content="0; url={chapter_id}_files/{chapter_id}.html"><title>{chapter_id}</title>'
                f'<a href="{chapter_id}_files/{chapter_id}.html">{chapter_id}</a>\n')
            interrupt.hold("publish")
            _replace_ours(made, output)
    return output


def _replace_ours(made: Path, output: Path) -> None:
    """Move every entry of ``made`` into ``output``, replacing the same entry an earlier run wrote (the output
    was checked to hold nothing else), and list them in the marker; Ctrl-C and SIGTERM wait until it is done."""
    marker = outputs.read_marker(output) or {"entries": []}
    new = outputs.listing(made)
    with interrupt.signals_blocked():
        for entry in made.iterdir():
            target = output / entry.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            os.replace(entry, target)
        kept = [e for e in (marker["entries"] or []) if (output / e).exists()]
        outputs.write_marker(output, "run", kept + new)


def _execute_and_render(chapter_id: str, params: dict, tmp: Path, kernel=None) -> Path:
    """Execute a chapter into ``tmp/ID.ipynb`` (in ``kernel``, a warm kernel, or a new one papermill starts
    when None) and render it as a standalone page; returns the HTML file.

    The page renderer (Sphinx) sets up (and draws the key of the marks, or copies it from the book build's
    cache, which it only reads) while the kernel imports the chapter's libraries and executes it."""
    from .publish import build_folder  # the book build's cache: its key of the marks is copied, not drawn

    with (Renderer.for_page(tmp, chapter_id, ROOT / "_config.yml", seed_cache=build_folder() / ".cache") as renderer,
          reported(chapter_id)):
        with kernel_stderr_to(tmp / "kernel.log"):  # a kernel papermill starts inherits it
            nb_path = execute_chapter(chapter_id, params, tmp / f"{chapter_id}.ipynb", kernel=kernel)
            if kernel is not None:
                kernel.request_shutdown()  # the kernel exits while the page renders
            export_files(nb_path, renderer.src)  # files to download, beside the page
        return renderer.render(nb_path)
