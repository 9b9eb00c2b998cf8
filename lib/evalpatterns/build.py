"""Execute chapters with papermill (parallel, cached by content hash) and build the book with Jupyter Book.

The flow: resolve and type-check parameters -> validate every data file -> stop at once if the book's
content key (every input) is the one the current HTML was built from -> start Sphinx's set-up for the book
in its own process (:mod:`evalpatterns.render`) -> execute each chapter's MyST source (converted in memory
with jupytext) with papermill, in warm kernels (:mod:`evalpatterns.kernels`), one worker per core, costliest
first, reusing a cached executed notebook when the chapter source, the library, the data and the parameters
are unchanged -> stage the executed notebooks beside ``_config.yml`` / ``_toc.yml`` -> render as
``jupyter-book build -n -W --keep-going`` with execution off -> swap the new HTML into place only when
everything succeeded. ``chapters/`` is never written.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import chapters as registry
from .io import file_sha256, validate
from .kernels import KernelError, WarmKernel
from .render import Renderer, RenderError
from .report import META_KEY

ROOT = registry.ROOT
LIB = Path(__file__).resolve().parent
BOOK_DIRS = ("_static",)


class BuildError(RuntimeError):
    """A build step failed; the message says which chapter, which cell, or which file."""


@contextlib.contextmanager
def _reported(chapter_id: str = ""):
    """Turn a kernel's failure (naming ``chapter_id``) or the renderer's into a BuildError."""
    try:
        yield
    except KernelError as exc:
        raise BuildError(f"chapter '{chapter_id}' could not be executed: {exc}") from None
    except RenderError as exc:
        raise BuildError(str(exc)) from None


@dataclass(frozen=True)
class Job:
    chapter: str
    parameters: dict
    key: str


# -- parameters -------------------------------------------------------------------------------------------

def resolve_parameters(chapter_id: str, overrides: dict | None = None, data_dir: str | Path | None = None,
                       base: Path | None = None) -> dict:
    """Final parameter values of a chapter: defaults, then ``data_dir`` for data files, then ``overrides``.

    Data paths become absolute (relative ones are taken from ``base``, default the current directory;
    defaults from the repository root). Unknown names and badly typed values raise ValueError listing the
    valid names.
    """
    chapter = registry.get(chapter_id)
    base = Path(base or os.getcwd())
    values = {}
    for p in chapter.parameters:
        value = p.default
        in_dir = Path(data_dir).resolve() / Path(str(p.default)).name if (p.data and data_dir) else None
        if in_dir is not None and (in_dir.exists() or not p.keep_default):
            value = str(in_dir)
        elif p.type == "path":
            value = str(ROOT / p.default)
        values[p.name] = value
    for name, raw in (overrides or {}).items():
        try:
            p = chapter.parameter(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        try:
            value = p.parse(raw)
        except ValueError as exc:
            valid = ", ".join(q.name for q in chapter.parameters)
            raise ValueError(f"chapter '{chapter.id}': {exc}; valid names: {valid}") from None
        values[name] = str((base / value).resolve()) if p.type == "path" else value
    return values


def split_book_overrides(pairs: list[tuple[str, str]]) -> dict[str, dict]:
    """``[("mode-collapse.collapse_accuracy", "0.2")]`` -> per-chapter overrides.

    A parameter set on a finding chapter also applies to ``summary`` when it has one of that name, so that
    the dashboard agrees with the chapter.
    """
    out: dict[str, dict] = {c.id: {} for c in registry.CHAPTERS}
    for dotted, value in pairs:
        if "." not in dotted:
            raise ValueError(f"book parameter '{dotted}' must be written CHAPTER.NAME, "
                             f"e.g. mode-collapse.collapse_accuracy")
        chapter_id, name = dotted.split(".", 1)
        try:
            chapter = registry.get(chapter_id)
            chapter.parameter(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        out[chapter_id][name] = value
    summary = registry.get("summary")
    names = {p.name for p in summary.parameters}
    for chapter_id, values in list(out.items()):
        if chapter_id != "summary":
            for name, value in values.items():
                if name in names and name not in out["summary"]:
                    out["summary"][name] = value
    return out


def check_data(chapter_id: str, parameters: dict) -> list:
    """Every problem in the data files a chapter reads."""
    problems = []
    for p in registry.get(chapter_id).data_parameters:
        problems += validate(p.data, parameters[p.name])
    return problems


# -- hashing and caching ------------------------------------------------------------------------------------

def library_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(LIB.rglob("*.py")):
        h.update(path.relative_to(LIB).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def job_key(chapter_id: str, parameters: dict, lib_digest: str | None = None) -> str:
    """Content hash of everything a chapter's output depends on: its source, the library, its data files
    (by content, not path or timestamp) and its other parameters."""
    chapter = registry.get(chapter_id)
    h = hashlib.sha256()
    h.update(chapter.source.read_bytes())
    h.update((lib_digest or library_digest()).encode())
    for p in chapter.parameters:
        value = parameters[p.name]
        h.update(p.name.encode())
        h.update((file_sha256(value) if p.type == "path" else json.dumps(value)).encode())
    return h.hexdigest()[:20]


# -- execution ----------------------------------------------------------------------------------------------

def _hide_injected(nb) -> None:
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")


def _source_code_cell(source_nb, executed_index: int, injected: bool) -> tuple[int, str]:
    """Map a cell index of the executed notebook (which has papermill's injected-parameters cell after the
    parameters cell) to (number among the source's code cells, its first line)."""
    tagged = [i for i, c in enumerate(source_nb.cells) if "parameters" in c.metadata.get("tags", [])]
    index = executed_index - 1 if injected and tagged and executed_index > tagged[0] else executed_index
    code = [i for i, c in enumerate(source_nb.cells[:index + 1]) if c.cell_type == "code"]
    lines = source_nb.cells[index].source.strip().splitlines() if index < len(source_nb.cells) else [""]
    return len(code), (lines[0] if lines else "")


def execute_chapter(chapter_id: str, parameters: dict, output: Path, kernel=None) -> Path:
    """Execute one chapter with papermill and write the executed notebook to ``output``.

    ``kernel`` is a :class:`evalpatterns.kernels.WarmKernel` to execute in (from a fresh state); without one,
    papermill starts a new kernel. Raises BuildError naming the chapter and the failing cell.
    """
    import jupytext
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    chapter = registry.get(chapter_id)
    nb = jupytext.read(chapter.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    try:
        with _reported(chapter_id):
            if kernel is None:
                executed = papermill.execute_notebook(nb, None, parameters=parameters,
                                                      cwd=str(chapter.source.parent), kernel_name="python3",
                                                      progress_bar=False, log_output=False)
            else:
                executed = kernel.execute(nb, parameters, chapter.source.parent)
    except PapermillExecutionError as exc:
        number, first_line = _source_code_cell(nb, exc.cell_index, bool(parameters))
        raise BuildError(f"chapter '{chapter_id}' failed in code cell {number} of {chapter.source.name} "
                         f"(starting `{first_line}`): {exc.ename}: {exc.evalue}") from None
    _hide_injected(executed)
    for number, cell in enumerate(executed.cells):  # jupytext and papermill draw random ids; the same source
        cell.id = f"cell-{number}"                  # and data now give the same notebook
    # papermill records its input, here the whole notebook it was handed; the source file says the same.
    executed.metadata["papermill"]["input_path"] = f"chapters/{chapter.source.name}"
    executed.metadata[META_KEY] = {"kernel": "new" if kernel is None else "warm"}
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".partial")
    nbformat.write(executed, str(tmp))
    os.replace(tmp, output)
    return output


def fresh_kernels_default(choice: bool | None = None) -> bool:
    """Whether every chapter gets a new kernel: ``choice`` when given, else EVALPATTERNS_FRESH_KERNELS set to
    1/true/yes."""
    if choice is not None:
        return choice
    return os.environ.get("EVALPATTERNS_FRESH_KERNELS", "").strip().lower() in ("1", "true", "yes")


@contextlib.contextmanager
def kernel_stderr_to(log_path: Path):
    """Send this process's stderr (which the kernel inherits and chatters on: TCP warnings, shutdown
    notices) to ``log_path`` instead of the user's terminal."""
    saved = os.dup(2)
    with open(log_path, "w") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _run_job(job: Job, cache_dir: str, kernel=None) -> tuple[str, str, bool]:
    target = Path(cache_dir) / f"{job.chapter}-{job.key}.ipynb"
    if target.exists():
        return job.chapter, str(target), False
    with kernel_stderr_to(Path(cache_dir) / f"{job.chapter}.kernel.log"):
        execute_chapter(job.chapter, job.parameters, target, kernel=kernel)
    return job.chapter, str(target), True


_WORKER_KERNEL = None


def _worker_kernel(cache_dir: str):
    """This worker process's warm kernel, started on its first chapter and shut down when the worker exits."""
    global _WORKER_KERNEL
    if _WORKER_KERNEL is None:
        import multiprocessing
        from multiprocessing import util

        with kernel_stderr_to(Path(cache_dir) / f"kernel-{os.getpid()}.log"):
            _WORKER_KERNEL = WarmKernel(registry.ROOT / "chapters")
        if multiprocessing.parent_process() is not None:  # a pool worker: shut the kernel down when the worker exits
            util.Finalize(None, _close_worker_kernel, exitpriority=10)
    return _WORKER_KERNEL


def _close_worker_kernel() -> None:
    global _WORKER_KERNEL
    if _WORKER_KERNEL is not None:
        _WORKER_KERNEL.close()
        _WORKER_KERNEL = None


def _job_in_worker(job: Job, cache_dir: str, fresh: bool) -> tuple[str, str, bool]:
    with _reported(job.chapter):
        kernel = None if fresh else _worker_kernel(cache_dir)
    return _run_job(job, cache_dir, kernel)


def execute_all(jobs: list[Job], cache_dir: Path, workers: int | None = None, log=print,
                fresh_kernels: bool | None = None) -> dict[str, Path]:
    """Execute jobs concurrently (one worker per core, each with its warm kernel, see
    :mod:`evalpatterns.kernels`), skipping those whose executed notebook is cached. ``fresh_kernels`` starts a
    new kernel for every chapter instead (default: :func:`fresh_kernels_default`)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fresh = fresh_kernels_default(fresh_kernels)
    todo = [j for j in jobs if not (cache_dir / f"{j.chapter}-{j.key}.ipynb").exists()]
    todo.sort(key=lambda j: -registry.get(j.chapter).cost)  # longest first: the workers finish together
    done = {j.chapter: cache_dir / f"{j.chapter}-{j.key}.ipynb" for j in jobs}
    for j in jobs:
        if j not in todo:
            log(f"  {j.chapter}: unchanged, cached")
    if not todo:
        return done
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    for old_log in cache_dir.glob("kernel-*.log"):  # the warm kernels' logs of the last build that executed
        old_log.unlink()
    errors = []
    if workers == 1:
        try:
            for j in todo:
                try:
                    _job_in_worker(j, str(cache_dir), fresh)
                    log(f"  {j.chapter}: executed")
                except BuildError as exc:
                    errors.append(str(exc))
        finally:
            _close_worker_kernel()
    else:
        pool = ProcessPoolExecutor(max_workers=workers)
        try:
            futures = {pool.submit(_job_in_worker, j, str(cache_dir), fresh): j for j in todo}
            for fut, j in futures.items():
                try:
                    fut.result()
                    log(f"  {j.chapter}: executed")
                except BuildError as exc:
                    errors.append(str(exc))
        except BaseException:  # Ctrl-C: run no further chapter
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    if errors:
        raise BuildError("\n".join(errors))
    return done


# -- results ------------------------------------------------------------------------------------------------

def notebook_results(path: Path) -> dict:
    """Every value a chapter glued (name -> value) and every table it showed (name -> records)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    results: dict = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {})
            if "scrapbook" in meta:
                name = meta["scrapbook"].get("name")
                prefix = meta["scrapbook"].get("mime_prefix", "")
                data = out.get("data", {})
                text = data.get(prefix + "text/plain")
                if name and text is not None and prefix + "image/png" not in data:
                    try:
                        results[name] = ast.literal_eval(text)
                    except (ValueError, SyntaxError):
                        results[name] = text
            if META_KEY in meta and "table" in meta[META_KEY]:
                results[meta[META_KEY]["table"]] = meta[META_KEY]["records"]
    return results


# -- the book -----------------------------------------------------------------------------------------------

def plan(data_dir: str | Path | None = None, overrides: dict[str, dict] | None = None) -> list[Job]:
    """The execution jobs of the whole book, with resolved parameters and content keys."""
    lib = library_digest()
    resolved = {c.id: resolve_parameters(c.id, (overrides or {}).get(c.id), data_dir) for c in registry.CHAPTERS}
    # The front page records what the book was built from: every chapter's parameters.
    resolved["introduction"]["book_parameters"] = json.dumps(
        {cid: {k: v for k, v in params.items() if k != "book_parameters"} for cid, params in resolved.items()})
    return [Job(cid, params, job_key(cid, params, lib)) for cid, params in resolved.items()]


def repository_url() -> str:
    """The repository the book is published from, when known: EVALPATTERNS_REPOSITORY or, in GitHub Actions,
    GITHUB_REPOSITORY (owner/name). Empty when unknown."""
    name = os.environ.get("EVALPATTERNS_REPOSITORY") or os.environ.get("GITHUB_REPOSITORY") or ""
    return f"https://github.com/{name}" if name.count("/") == 1 else ""


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
    """Add the executed notebooks (execution off), each with download links, their MyST sources, and the
    Reproducibility page written from this build."""
    from . import reproducibility

    (stage_dir / "chapters" / "_sources").mkdir(parents=True, exist_ok=True)
    for chapter_id, path in executed.items():
        shutil.copy2(registry.get(chapter_id).source, stage_dir / "chapters" / "_sources" / f"{chapter_id}.md")
        _with_downloads(path, chapter_id, stage_dir / "chapters" / f"{chapter_id}.ipynb")
    page = reproducibility.page(parameters, executed) if parameters else (ROOT / "reproducibility.md").read_text()
    (stage_dir / "reproducibility.md").write_text(page)


def stage(executed: dict[str, Path], stage_dir: Path, parameters: dict[str, dict] | None = None) -> None:
    """Lay out a complete Jupyter Book source folder of executed notebooks: :func:`stage_book_files`, then
    :func:`stage_pages`."""
    stage_book_files(stage_dir)
    stage_pages(executed, stage_dir, parameters)


def start_renderer(stage_dir: Path, out_dir: Path) -> Renderer:
    """Start setting Sphinx up for the book staged by :func:`stage_book_files` (see :mod:`evalpatterns.render`)."""
    return Renderer.for_book(stage_dir, out_dir)


def renderer_ready(renderer: Renderer) -> None:
    """Wait for the renderer's set-up (done long before in a build that executes chapters); BuildError if it
    failed."""
    with _reported():
        renderer.wait_ready()


def render_book(renderer: Renderer) -> Path:
    """Render the staged book as ``jupyter-book build -n -W --keep-going`` would; returns the HTML folder;
    BuildError on any warning."""
    with _reported():
        return renderer.render()


def swap_into_place(new_html: Path, target: Path) -> None:
    """Replace ``target`` with ``new_html`` so that a reader never sees a half-written book."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    shutil.move(str(new_html), str(target))
    if old.exists():
        shutil.rmtree(old)


BUILD_KEY = ".evalpatterns-build-key"
BOOK_INPUTS = ("_config.yml", "_toc.yml", "reproducibility.md", "requirements.txt", "CITATION.cff")


def book_key(jobs: list[Job]) -> str:
    """Content hash of everything the rendered book depends on: every chapter's job key (source, library,
    data, parameters), the book's configuration and static files, the commit and the repository link."""
    from .reproducibility import commit

    h = hashlib.sha256()
    for j in jobs:
        h.update(f"{j.chapter}:{j.key};".encode())
    for name in BOOK_INPUTS:
        h.update(name.encode() + (ROOT / name).read_bytes())
    for path in sorted(p for d in BOOK_DIRS for p in (ROOT / d).rglob("*") if p.is_file()):
        h.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    h.update(f"{commit()};{repository_url()}".encode())
    return h.hexdigest()


def build_book(data_dir=None, overrides: dict[str, dict] | None = None, output: str | Path | None = None,
               build_dir: str | Path | None = None, log=print, fresh_kernels: bool | None = None) -> Path:
    """Build the whole book into ``output`` (default ``_build/html``); returns the HTML folder.
    ``fresh_kernels``: a new kernel for every chapter (see :func:`execute_all`)."""
    build_dir = Path(build_dir or ROOT / "_build")
    output = Path(output or build_dir / "html")
    jobs = plan(data_dir, overrides)
    problems = [p for j in jobs for p in check_data(j.chapter, j.parameters)]
    if problems:
        unique = list(dict.fromkeys(str(p) for p in problems))
        raise BuildError("the data has problems; nothing was built:\n" + "\n".join(unique))
    key = book_key(jobs)
    stamp = output / BUILD_KEY
    if stamp.exists() and stamp.read_text() == key:
        log(f"nothing changed since the last build: {output} is current (no chapter executed, nothing rendered)")
        return output
    build_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".stage-", dir=build_dir) as tmp:
        src = Path(tmp) / "book"
        src.mkdir()
        stage_book_files(src)
        with start_renderer(src, Path(tmp) / "out") as renderer:  # Sphinx sets up while the chapters execute
            log(f"executing {len(jobs)} chapters")
            executed = execute_all(jobs, build_dir / ".cache" / "executed", log=log, fresh_kernels=fresh_kernels)
            renderer_ready(renderer)  # so that Sphinx always set up on the folder without the pages
            stage_pages(executed, src, {j.chapter: j.parameters for j in jobs})
            log("rendering with jupyter-book")
            html = render_book(renderer)
        from .reproducibility import results_json  # the Reproducibility page gives its SHA-256
        (html / "results.json").write_text(results_json(executed))
        (html / BUILD_KEY).write_text(key)
        swap_into_place(html, output)
    return output


# -- one chapter on a researcher's data ------------------------------------------------------------------

def data_overrides(chapter_id: str, files: list[str]) -> dict:
    """Map data files to a chapter's data parameters by file stem (``roi.csv`` -> ``roi_csv``)."""
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
    return out


def run_chapter(chapter_id: str, data_files: list[str], overrides: dict, output: str | Path,
                log=print, fresh_kernels: bool | None = None) -> Path:
    """Validate, execute one chapter with papermill, and write into ``output``: ``ID.ipynb``, ``ID.html``
    (a standalone page), the figures as PNG files and ``results.json``. Nothing is written elsewhere.
    ``fresh_kernels``: let papermill start a plain kernel instead of a warm one (see :func:`execute_all`)."""
    registry.get(chapter_id)
    params = resolve_parameters(chapter_id, {**data_overrides(chapter_id, data_files), **overrides})
    problems = check_data(chapter_id, params)
    if problems:
        raise BuildError("the data has problems; nothing was run:\n" + "\n".join(str(p) for p in problems))
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".run-", dir=output) as tmp:
        tmp = Path(tmp)
        html = _execute_and_render(chapter_id, params, tmp, fresh_kernels_default(fresh_kernels))
        nb_path = tmp / f"{chapter_id}.ipynb"
        results = notebook_results(nb_path)
        figures = _export_figures(nb_path, tmp / "figures")
        (tmp / "results.json").write_text(json.dumps({"chapter": chapter_id, "parameters": params,
                                                      "results": results, "figures": figures},
                                                     indent=2, default=str))
        for name in (f"{chapter_id}.ipynb", "results.json"):
            os.replace(tmp / name, output / name)
        if (output / "figures").exists():
            shutil.rmtree(output / "figures")
        shutil.move(str(tmp / "figures"), str(output / "figures"))
        site = output / f"{chapter_id}_files"
        if site.exists():
            shutil.rmtree(site)
        shutil.move(str(html.parent), str(site))
        (output / f"{chapter_id}.html").write_text(
            f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" '
            f'content="0; url={chapter_id}_files/{chapter_id}.html"><title>{chapter_id}</title>'
            f'<a href="{chapter_id}_files/{chapter_id}.html">{chapter_id}</a>\n')
    return output


def _execute_and_render(chapter_id: str, params: dict, tmp: Path, fresh: bool = False) -> Path:
    """Execute a chapter into ``tmp/ID.ipynb`` and render it as a standalone page; returns the HTML file.

    The page renderer (Sphinx) and the kernel start together, so that setting them up overlaps: the kernel
    imports the chapter's libraries while Sphinx loads its extensions."""
    kernel = None
    with Renderer.for_page(tmp, chapter_id, ROOT / "_config.yml") as renderer, _reported(chapter_id):
        try:
            with kernel_stderr_to(tmp / "kernel.log"):
                if not fresh:
                    kernel = WarmKernel(registry.get(chapter_id).source.parent)
                nb_path = execute_chapter(chapter_id, params, tmp / f"{chapter_id}.ipynb", kernel=kernel)
                if kernel is not None:
                    kernel.request_shutdown()  # the kernel exits while the page renders
            return renderer.render(nb_path)
        finally:
            if kernel is not None:
                kernel.close()


def _export_figures(nb_path: Path, folder: Path) -> list[str]:
    """Write every glued figure of an executed notebook as ``folder/NAME.png``."""
    import base64

    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for cell in nbformat.read(str(nb_path), as_version=4).cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            png = out.get("data", {}).get(scrap.get("mime_prefix", "") + "image/png")
            name = scrap.get("name")
            if png and name:
                (folder / f"{name}.png").write_bytes(base64.b64decode(png))
                names.append(f"figures/{name}.png")
    return names
