"""A chapter as a plain Jupyter notebook, for papermill or Jupyter outside the book.

The chapters are MyST-markdown notebooks (jupytext), which papermill cannot read (``NotJSONError``), and their
data paths are relative to ``chapters/``. :func:`chapter_notebook` converts a chapter with jupytext and rewrites
its ``parameters`` cell so that every data path is absolute: the file of that name in ``data_dir`` where there is
one, otherwise the book's own (``data/``). The notebook then runs from any folder::

    evalpatterns notebook model-switch-roi --data-dir my-data --to roi.ipynb
    papermill roi.ipynb roi-out.ipynb -p baseline_accuracy 0.6 -p roi_csv my-data/other-roi.csv
"""
from __future__ import annotations

from pathlib import Path

from . import chapters as registry


def chapter_notebook(chapter_id: str, data_dir: str | Path | None = None):
    """The chapter ``chapter_id`` as an nbformat notebook whose parameters cell holds absolute data paths."""
    import jupytext

    from .build import resolve_parameters

    chapter = registry.get(chapter_id)
    values = resolve_parameters(chapter_id, None, data_dir)
    nb = jupytext.read(chapter.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    cell.source = "\n".join(f"{p.name} = {values[p.name]!r}" for p in chapter.parameters)
    return nb


def write_notebook(chapter_id: str, to: str | Path, data_dir: str | Path | None = None) -> Path:
    """Write :func:`chapter_notebook` to ``to`` (an ``.ipynb`` file; its folder is created); returns the path."""
    import nbformat

    nb = chapter_notebook(chapter_id, data_dir)
    to = Path(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(to))
    return to
