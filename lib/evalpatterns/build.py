"""The build's public names in one place, for chapters, tests and scripts: ``from evalpatterns import build``.

The code lives in :mod:`evalpatterns.book`, one module per concern (see its docstring): the plan and cache
keys, execution, results, staging, output folders, publishing the book, and ``run``.
"""
from __future__ import annotations

from .book.errors import BuildError
from .book.execute import execute_all, execute_chapter, fresh_kernels_default, kernel_stderr_to
from .book.plan import (BOOK_DIRS, BOOK_INPUTS, LIB, ROOT, Job, book_key, check_data, job_key, library_digest, plan,
                        repository_name, repository_url, resolve_parameters, split_book_overrides)
from .book.publish import (build_book, build_folder, render_book, renderer_ready, start_renderer,
                           swap_into_place)
from .book.results import export_figures, notebook_results
from .book.run import data_overrides, run_chapter
from .book.stage import stage, stage_book_files, stage_pages

__all__ = ["BOOK_DIRS", "BOOK_INPUTS", "LIB", "ROOT", "BuildError", "Job", "book_key", "build_book", "build_folder",
           "check_data", "data_overrides", "execute_all", "execute_chapter", "export_figures",
           "fresh_kernels_default", "job_key", "kernel_stderr_to", "library_digest", "notebook_results", "plan",
           "render_book", "renderer_ready", "repository_name", "repository_url", "resolve_parameters",
           "run_chapter", "split_book_overrides", "stage", "stage_book_files", "stage_pages", "start_renderer",
           "swap_into_place"]
