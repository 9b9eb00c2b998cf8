"""Putting results on the page: glued values, numbered tables and figures.

A chapter calls ``glue(name, value)`` for every number its prose shows, ``table(frame, name, caption)``
for every table and ``figure(name, fig)`` for every figure. Tables are emitted as MyST ``list-table``
directives (numbered, referable with ``{numref}``), with every cell escaped so that text in the data is
shown as text and never parsed as markup. Each output also carries machine-readable metadata under the key
``evalpatterns`` so that ``results.json`` can be written from an executed notebook.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

META_KEY = "evalpatterns"
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def plain(value):
    """Numpy scalars and pandas NA as plain Python values (numpy 2 scalars break ``{glue:text}`` formats)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def escape(text) -> str:
    """Backslash-escape every ASCII punctuation character, so MyST shows the text literally."""
    return _PUNCT.sub(r"\\\1", " ".join(str(text).split()))


def glue(name: str, value):
    """Glue ``value`` (a Python float, int, bool or str) under ``name`` for ``{glue:text}`` in the prose."""
    from myst_nb import glue as _glue

    value = plain(value)
    if value is None:
        value = "n/a"
    _glue(name, value, display=False)
    return value


def glue_all(values: dict) -> dict:
    """Glue every item of ``values``; returns the plain values."""
    return {k: glue(k, v) for k, v in values.items()}


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON-ready records (NaN and NA as None)."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


class Link(str):
    """A table cell that links to a chapter: shown as ``text``, linked to document ``doc``."""

    def __new__(cls, text: str, doc: str):
        obj = super().__new__(cls, text)
        obj.doc = doc
        return obj


def _cell(value) -> str:
    if isinstance(value, Link):
        text = " ".join(str(value).replace("`", "'").replace("<", "(").replace(">", ")").split())
        return f"{{doc}}`{text} <{value.doc}>`"
    return escape(value)


def myst_table(display: pd.DataFrame, name: str, caption: str, align_right: tuple[str, ...] = ()) -> str:
    """A MyST ``list-table`` for ``display`` (a frame of strings) with a header row, a caption and a name."""
    # A tilde fence: unlike a backtick fence, its info string (the caption) may contain backticks.
    lines = [f"~~~{{list-table}} {escape(caption)}", ":header-rows: 1", f":name: {name}"]
    classes = ["evalpatterns-table"] + [f"num-col-{i + 1}" for i, c in enumerate(display.columns)
                                        if c in align_right]
    lines += [f":class: {' '.join(classes)}", ""]
    body = [[v if isinstance(v, Link) else str(v) for v in row] for row in display.values.tolist()]
    body = body or [["(no rows)"] + [""] * (len(display.columns) - 1)]
    for row in [list(display.columns)] + body:
        lines.append(f"* - {_cell(row[0]) or ' '}")
        lines += [f"  - {_cell(cell) or ' '}" for cell in row[1:]]
    lines.append("~~~")
    return "\n".join(lines)


def table(display: pd.DataFrame, name: str, caption: str, data: pd.DataFrame | None = None,
          align_right: tuple[str, ...] = ()):
    """Show ``display`` as numbered table ``name``; ``data`` (default ``display``) goes into results.json."""
    from IPython.display import Markdown
    from IPython.display import display as _display

    meta = {META_KEY: {"table": name, "records": records(display if data is None else data)}}
    _display(Markdown(myst_table(display, name, caption, align_right)), metadata=meta)


def figure(name: str, fig) -> None:
    """Glue a matplotlib figure under ``name`` for ``{glue:figure}``, and close it. Its texts are drawn
    literally and cut to a sane length (:func:`evalpatterns.theme.literal_texts`): they may come from the data."""
    import matplotlib.pyplot as plt  # in a kernel, importing pyplot registers the PNG formatter for figures
    from myst_nb import glue as _glue

    from . import theme

    theme.literal_texts(fig)
    with theme.drawing_literally():
        _glue(name, fig, display=False)
    plt.close(fig)
