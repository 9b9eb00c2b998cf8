"""Executing chapters: papermill, in warm kernels (:mod:`evalpatterns.kernels`), one worker process per core,
costliest first, each executed notebook cached under its content key.

A failing chapter is reported by the cell and the line that failed; an interrupted build stops its workers
and their kernels at once (:mod:`.interrupt`).
"""
from __future__ import annotations

import contextlib
import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from .. import chapters as registry
from ..options import fresh_kernels_default  # noqa: F401 - re-exported
from ..progress import progress
from ..report import META_KEY
from . import interrupt
from .errors import BuildError, reported
from .plan import Job

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")


def _hide_injected(nb) -> None:
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")


def _source_code_cell(source_nb, executed_index: int, injected: bool) -> tuple[int, list[str]]:
    """Map a cell index of the executed notebook (which has papermill's injected-parameters cell after the
    parameters cell) to (number among the source's code cells, the cell's lines)."""
    tagged = [i for i, c in enumerate(source_nb.cells) if "parameters" in c.metadata.get("tags", [])]
    index = executed_index - 1 if injected and tagged and executed_index > tagged[0] else executed_index
    code = [i for i, c in enumerate(source_nb.cells[:index + 1]) if c.cell_type == "code"]
    lines = source_nb.cells[index].source.splitlines() if index < len(source_nb.cells) else []
    return len(code), lines


def failure_message(chapter_id: str, source_name: str, source_nb, exc, injected: bool) -> str:
    """Where a chapter failed, from papermill's error: the code cell, the line in it (from IPython's
    traceback) and the error; a data error's message (file, line, column) is given whole."""
    number, lines = _source_code_cell(source_nb, exc.cell_index, injected)
    tb = ANSI.sub("", "\n".join(exc.traceback or []))
    at = [int(m) for m in CELL_LINE.findall(tb)]
    line_no = at[-1] if at and 0 < at[-1] <= len(lines) else None
    if line_no is None:
        line_no = next((i + 1 for i, text in enumerate(lines) if text.strip()), None)
    where = f"code cell {number} of {source_name}"
    if line_no is not None:
        where = f"line {line_no} of {where} (`{lines[line_no - 1].strip()}`)"
    return f"chapter '{chapter_id}' failed at {where}: {exc.ename}: {exc.evalue}"


def execute_chapter(chapter_id: str, parameters: dict, output: Path, kernel=None) -> Path:
    """Execute one chapter with papermill and write the executed notebook to ``output``.

    ``kernel`` is a :class:`evalpatterns.kernels.WarmKernel` to execute in (from a fresh state); without one,
    papermill starts a new kernel. Raises BuildError naming the chapter, the failing cell and line.
    """
    import jupytext
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    chapter = registry.get(chapter_id)
    nb = jupytext.read(chapter.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    try:
        with reported(chapter_id):
            if kernel is None:
                executed = papermill.execute_notebook(nb, None, parameters=parameters,
                                                      cwd=str(chapter.source.parent), kernel_name="python3",
                                                      progress_bar=False, log_output=False)
            else:
                executed = kernel.execute(nb, parameters, chapter.source.parent)
    except PapermillExecutionError as exc:
        raise BuildError(failure_message(chapter_id, chapter.source.name, nb, exc, bool(parameters))) from None
    _hide_injected(executed)
    for number, cell in enumerate(executed.cells):  # jupytext and papermill draw random ids; the same source
        cell.id = f"cell-{number}"                  # and data now give the same notebook
    # papermill records its input, here the whole notebook it was handed; the source file says the same.
    executed.metadata["papermill"]["input_path"] = f"chapters/{chapter.source.name}"
    executed.metadata[META_KEY] = {"kernel": "new" if kernel is None else "warm"}
    with reported(chapter_id):
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(f"{output.name}.{os.getpid()}.partial")
        try:
            nbformat.write(executed, str(tmp))
            os.replace(tmp, output)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return output


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


def cached_path(cache_dir: Path, job: Job) -> Path:
    return Path(cache_dir) / f"{job.chapter}-{job.key}.ipynb"


def _run_job(job: Job, cache_dir: str, kernel=None) -> tuple[str, str, bool]:
    target = cached_path(Path(cache_dir), job)
    if target.exists():
        return job.chapter, str(target), False
    with kernel_stderr_to(Path(cache_dir) / f"{job.chapter}.kernel.log"):
        execute_chapter(job.chapter, job.parameters, target, kernel=kernel)
    return job.chapter, str(target), True


_WORKER_KERNEL = None


def _worker_kernel(cache_dir: str):
    """This worker process's warm kernel, started on its first chapter and shut down when the worker exits
    (killed, when the worker is stopped by a signal)."""
    global _WORKER_KERNEL
    if _WORKER_KERNEL is None:
        import multiprocessing
        from multiprocessing import util

        from ..kernels import WarmKernel

        with kernel_stderr_to(Path(cache_dir) / f"kernel-{os.getpid()}.log"):
            _WORKER_KERNEL = WarmKernel(registry.ROOT / "chapters")
        if multiprocessing.parent_process() is not None:  # a pool worker: shut the kernel down when the worker exits
            util.Finalize(None, _close_worker_kernel, exitpriority=10)
            interrupt.on_terminate(_WORKER_KERNEL.kill)
    return _WORKER_KERNEL


def _close_worker_kernel(kill: bool = False) -> None:
    global _WORKER_KERNEL
    if _WORKER_KERNEL is not None:
        kernel, _WORKER_KERNEL = _WORKER_KERNEL, None
        kernel.kill() if kill else kernel.close()


def _job_in_worker(job: Job, cache_dir: str, fresh: bool) -> tuple[str, str, bool]:
    with reported(job.chapter):
        kernel = None if fresh else _worker_kernel(cache_dir)
    return _run_job(job, cache_dir, kernel)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def execute_all(jobs: list[Job], cache_dir: Path, workers: int | None = None, log=print,
                fresh_kernels: bool | None = None) -> dict[str, Path]:
    """Execute jobs concurrently (one worker per core, each with its warm kernel, see
    :mod:`evalpatterns.kernels`), skipping those whose executed notebook is cached. ``fresh_kernels`` starts a
    new kernel for every chapter instead (default: :func:`fresh_kernels_default`). Interrupted (Ctrl-C,
    SIGTERM), it stops every worker and kernel before it returns."""
    cache_dir = Path(cache_dir)
    with reported():
        cache_dir.mkdir(parents=True, exist_ok=True)
    fresh = fresh_kernels_default(fresh_kernels)
    todo = [j for j in jobs if not cached_path(cache_dir, j).exists()]
    todo.sort(key=lambda j: -registry.get(j.chapter).cost)  # longest first: the workers finish together
    done = {j.chapter: cached_path(cache_dir, j) for j in jobs}
    for j in jobs:
        if j not in todo:
            log(f"  {j.chapter}: unchanged, cached")
    if not todo:
        return done
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    with reported():
        for old in cache_dir.glob("kernel-*.log"):  # the warm kernels' logs of the last build that executed
            old.unlink()
        for partial in cache_dir.glob("*.partial"):  # half written by a build that was killed
            if not _alive(partial.name.split(".")[-2]):
                partial.unlink(missing_ok=True)
    errors = []
    if workers == 1:
        try:
            for j in progress(todo, desc="executing chapters", unit="chapter"):
                try:
                    _job_in_worker(j, str(cache_dir), fresh)
                    log(f"  {j.chapter}: executed")
                except BuildError as exc:
                    errors.append((todo.index(j), str(exc)))
        except BaseException:
            _close_worker_kernel(kill=True)  # it may still be running the interrupted cell
            raise
        _close_worker_kernel()
    else:
        with interrupt.signals_blocked():  # the workers start with the signals blocked, then set up their own
            pool = ProcessPoolExecutor(max_workers=workers, initializer=interrupt.worker_started,
                                       initargs=(os.getpid(),))
            futures = {pool.submit(_job_in_worker, j, str(cache_dir), fresh): j for j in todo}
        try:
            with progress(total=len(todo), desc="executing chapters", unit="chapter") as bar:
                for fut in as_completed(futures):  # as they finish, for the bar
                    j = futures[fut]
                    try:
                        fut.result()
                        log(f"  {j.chapter}: executed")
                    except BuildError as exc:
                        errors.append((todo.index(j), str(exc)))
                    bar.update(1)
        except BaseException:  # Ctrl-C, SIGTERM: stop the workers (and so their kernels) now
            processes = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            interrupt.stop_processes(processes)
            raise
        pool.shutdown(wait=True)
    if errors:  # in the order the chapters were started, whatever order they failed in
        raise BuildError("\n".join(text for _, text in sorted(errors)))
    return done
