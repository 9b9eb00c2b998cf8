"""Putting results on the page: glued values, numbered tables and figures.

A chapter calls ``glue(name, value)`` for every number its prose shows, ``table(frame, name, caption)``
for every table and ``figure(name, fig)`` for every figure (glued as PNG for the page, with an SVG copy, or
in the formats ``--figure-format`` chose, and a record of what made it, which :mod:`evalpatterns.sphinx_ext` turns into the caption's last line and the
full-size links). ``badge(verdict)`` puts a verdict into a table cell as a coloured badge. Tables are emitted as MyST ``list-table``
directives (numbered, referable with ``{numref}``), with every cell escaped so that text in the data is
shown as text and never parsed as markup. Each output also carries machine-readable metadata under the key
``evalpatterns`` so that ``results.json`` can be written from an executed notebook.
"""
from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# The formats figures are written in (``--figure-format``), re-exported from the module that reads them.
from .options import FIGURE_FORMAT_VARIABLE, FIGURE_FORMATS, figure_formats, parse_figure_formats  # noqa: F401

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


@dataclass(frozen=True)
class Markup:
    """A table cell that is MyST markup, written into the table as it is (never escaped). It is not a ``str``
    (pandas would turn it into a plain string): ``str()`` of it, and what goes into results.json, is its plain
    text ``plain``."""

    markup: str
    plain: str

    def __str__(self) -> str:
        return self.plain


VERDICTS = ("holds", "rounding", "differs", "unsupported")


def badge(verdict) -> Markup:
    """A verdict as a badge: its word on a colour (``holds`` green, ``rounding`` blue, ``differs`` red,
    ``unsupported`` grey; any other word grey), through the ``verdict`` role of :mod:`.sphinx_ext`, whose
    colours in ``_static/book.css`` keep a contrast of at least 4.5:1 in light and dark mode."""
    text = " ".join(str(verdict).split())
    return Markup(f"{{verdict}}`{text.replace('`', '')}`" if text else "", text)



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
    return [{str(k): v.plain if isinstance(v, Markup) else plain(v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def doc_link(text: str, doc: str) -> Markup:
    """A table cell linking to chapter ``doc``, shown as ``text`` (results.json keeps the plain text)."""
    shown = " ".join(str(text).replace("`", "'").replace("<", "(").replace(">", ")").split())
    return Markup(f"{{doc}}`{shown} <{doc}>`", str(text))


def _cell(value) -> str:
    return value.markup if isinstance(value, Markup) else escape(value)


def myst_table(display: pd.DataFrame, name: str, caption: str, align_right: tuple[str, ...] = ()) -> str:
    """A MyST ``list-table`` for ``display`` (a frame of strings) with a header row, a caption and a name."""
    # A tilde fence: unlike a backtick fence, its info string (the caption) may contain backticks.
    lines = [f"~~~{{list-table}} {escape(caption)}", ":header-rows: 1", f":name: {name}"]
    classes = ["evalpatterns-table"] + [f"num-col-{i + 1}" for i, c in enumerate(display.columns)
                                        if c in align_right]
    lines += [f":class: {' '.join(classes)}", ""]
    rows = display.astype(object).values.tolist()
    body = [[v if isinstance(v, Markup) else str(v) for v in row] for row in rows]
    body = body or [["(no rows)"] + [""] * (len(display.columns) - 1)]
    for row in [list(display.columns)] + body:
        lines.append(f"* - {_cell(row[0]) or ' '}")
        lines += [f"  - {_cell(cell) or ' '}" for cell in row[1:]]
    lines.append("~~~")
    return "\n".join(lines)


def folded(summary: str, markdown: str) -> str:
    """``markdown`` folded behind a toggle (a sphinx-design dropdown, closed) whose bar reads ``summary``;
    the reader opens it with a click or the keyboard, and the print and the PDF show it open."""
    return "\n".join([f"::::{{dropdown}} {escape(summary)}", ":class-container: evalpatterns-fold", "",
                      markdown, "::::"])


def table(display: pd.DataFrame, name: str, caption: str, data: pd.DataFrame | None = None,
          align_right: tuple[str, ...] = (), fold: str | None = None):
    """Show ``display`` as numbered table ``name``; ``data`` (default ``display``) goes into results.json.
    ``fold``: fold the table behind a toggle whose bar reads ``fold`` (see :func:`folded`)."""
    from IPython.display import Markdown
    from IPython.display import display as _display

    meta = {META_KEY: {"table": name, "records": records(display if data is None else data)}}
    markdown = myst_table(display, name, caption, align_right)
    _display(Markdown(folded(fold, markdown) if fold else markdown), metadata=meta)


def download(frame: pd.DataFrame, filename: str, text: str) -> None:
    """A link to download ``frame`` as CSV file ``filename``, placed next to the page. The notebook carries
    the file's text (its output's metadata); the build and the run write it beside the page before rendering
    (:func:`evalpatterns.book.results.export_files`), so the link works in both and nothing is written into
    the chapter's own folder."""
    from IPython.display import Markdown
    from IPython.display import display as _display

    name = Path(filename).name
    label = " ".join(str(text).replace("`", "'").replace("<", "(").replace(">", ")").split())
    meta = {META_KEY: {"file": name, "text": frame.to_csv(index=False)}}
    _display(Markdown(f"{{download}}`{label} <{name}>`"), metadata=meta)


FIGURE_DPI = 150  # the PNG's pixels per inch; a point of text is FIGURE_DPI / 72 pixels of the PNG


def smallest_font_pt(fig) -> float | None:
    """The size in points of the smallest text drawn on ``fig`` (visible, not empty, inside the figure),
    or None if it has no text."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    box = fig.bbox
    sizes = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or text.get_alpha() == 0:
            continue
        if any(not a.get_visible() for a in (text.axes, text.figure) if a is not None):
            continue
        extent = text.get_window_extent(renderer)
        if extent.width <= 0 or extent.x1 < box.x0 or extent.x0 > box.x1 or extent.y1 < box.y0 or extent.y0 > box.y1:
            continue
        sizes.append(text.get_fontsize())
    return min(sizes) if sizes else None


@contextmanager
def _layout_kept(fig):
    """The figure's tight bounding box (padded as ``bbox_inches="tight"`` pads it), with its layout engine off
    while inside, so that each ``savefig`` draws the figure once on the layout the last draw made instead of
    laying it out and drawing it twice (a layout engine or ``"tight"`` makes matplotlib draw once more before
    it prints). Yields ``"tight"`` (matplotlib's own way) for a figure with an axes locator, which needs
    the renderer of that extra draw."""
    import matplotlib as mpl

    if any(ax.get_axes_locator() is not None for ax in fig.axes):
        yield "tight"
        return
    engine = fig.get_layout_engine()
    pad = mpl.rcParams["savefig.pad_inches"]
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad)
    fig.set_layout_engine(None) if engine is not None else None
    try:
        yield bbox
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


class RenderedFigure:
    """A figure rendered once in each of ``formats`` (default :func:`figure_formats`: PNG and SVG) on a white
    background, with a record of what made it; its MIME bundle is what :func:`figure` glues (the book shows
    the PNG where there is one: ``_config.yml`` ranks PNG above SVG). ``png``/``svg`` are None when not
    written; the record has each written image's SHA-256 (``png_sha256``, ``svg_sha256``)."""

    def __init__(self, name: str, fig, files=(), formats: tuple[str, ...] | None = None):
        import base64
        import hashlib
        from io import BytesIO

        import matplotlib as mpl

        formats = figure_formats() if formats is None else formats
        self.png = self.svg = None
        min_font_pt = smallest_font_pt(fig)  # lays the figure out once (constrained layout), at its dpi
        with _layout_kept(fig) as bbox_inches:  # each format then draws once, on that layout
            if "png" in formats:
                png = BytesIO()
                fig.savefig(png, format="png", dpi=FIGURE_DPI, bbox_inches=bbox_inches, facecolor="white")
                self.png = png.getvalue()
            if "svg" in formats:
                svg = BytesIO()
                # a fixed salt and no date: the same figure gives the same SVG (its ids are otherwise random)
                with mpl.rc_context({"svg.hashsalt": "evalpatterns"}):
                    fig.savefig(svg, format="svg", bbox_inches=bbox_inches, facecolor="white", metadata={"Date": None})
                self.svg = svg.getvalue().decode("utf-8")
        made = getattr(fig, "evalpatterns", {})
        self.meta = {"figure": name, "function": made.get("function"), "data": list(made.get("data", ())),
                     "files": [str(Path(f).resolve()) for f in files],
                     "min_font_pt": plain(min_font_pt), "dpi": FIGURE_DPI}
        if self.png is not None:
            self.meta["png_sha256"] = hashlib.sha256(self.png).hexdigest()
        if self.svg is not None:
            self.meta["svg_sha256"] = hashlib.sha256(self.svg.encode("utf-8")).hexdigest()
        self._png64 = base64.b64encode(self.png).decode("ascii") if self.png is not None else None

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": self._png64, "image/svg+xml": self.svg, "text/plain": f"<Figure {self.meta['figure']}>"}
        return {k: v for k, v in data.items() if v is not None}, {META_KEY: self.meta}


def figure(name: str, fig, files=()) -> None:
    """Glue a matplotlib figure under ``name`` for ``{glue:figure}`` (PNG, SVG or both: see
    :class:`RenderedFigure`), and close it. Its texts are drawn literally and cut to a sane length
    (:func:`evalpatterns.theme.literal_texts`): they may come from the data. ``files``: the data files it
    was drawn from, when they are not the chapter's ``KIND_csv`` parameters (its caption names them)."""
    import matplotlib.pyplot as plt  # in a kernel, importing pyplot registers the PNG formatter for figures
    from myst_nb import glue as _glue

    from . import theme

    theme.literal_texts(fig)
    with theme.drawing_literally():
        _glue(name, RenderedFigure(name, fig, files), display=False)
    plt.close(fig)
