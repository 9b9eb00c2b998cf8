"""Checks of a drawn figure's text, shared by tests/test_figures.py and tests/test_figures_many.py: which
texts are drawn, which boxes overlap, which leave the figure. Every check renders the figure on an Agg canvas
and reads the renderer's window extents (pixels)."""
from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from matplotlib.text import Text


def rendered(fig: Figure):
    """Draw ``fig`` on an Agg canvas and return the renderer (the figures are not attached to pyplot)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def drawn_texts(fig: Figure) -> list[Text]:
    """Visible, non-empty texts, leaving out the labels of ticks outside their axis' view (never drawn)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            tol = 1e-9 * max(abs(lo), abs(hi), 1)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - tol <= tick.get_loc() <= hi + tol:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _legend_box(legend, renderer):
    """A legend's frame when it is drawn, else what it draws (its title, entries and their marks): the
    padding of an unframed legend is not seen."""
    if legend.get_frame_on():
        return legend.get_window_extent(renderer)
    parts = [*legend.get_texts(), *legend.legend_handles]
    if legend.get_title().get_text():
        parts.append(legend.get_title())
    return Bbox.union([p.get_window_extent(renderer) for p in parts if p is not None])


def text_boxes(fig: Figure) -> list[tuple[str, object]]:
    """(name, window extent) of every box a reader sees as one: each legend whole (named ``legend: `` and its
    first entry; :func:`_legend_box`), each other drawn text with its frame when it has one (a note box, a label on a white
    ground), else the text alone."""
    renderer = rendered(fig)
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    inside = {id(t) for legend in legends for t in legend.findobj(Text)}
    boxes = [(f"legend: {legend.get_texts()[0].get_text() if legend.get_texts() else ''}",
              _legend_box(legend, renderer)) for legend in legends]
    for t in drawn_texts(fig):
        if id(t) in inside:
            continue
        frame = t.get_bbox_patch()
        box = Text.get_window_extent(t, renderer)
        if frame is not None:
            box = Bbox.union([box, frame.get_window_extent(renderer)])
        boxes.append((t.get_text(), box))
    return boxes


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of :func:`text_boxes` that overlap by more than 1 pixel each way."""
    out = []
    for (a, ba), (b, bb) in itertools.combinations(text_boxes(fig), 2):
        w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        if w > 1 and h > 1:
            out.append((a, b))
    return out


def outside_figure(fig: Figure) -> list[str]:
    """Texts (with their frames) and legends that reach beyond the figure's edges (clipped when saved)."""
    w, h = fig.bbox.width, fig.bbox.height
    return [name for name, b in text_boxes(fig) if b.x0 < -1 or b.y0 < -1 or b.x1 > w + 1 or b.y1 > h + 1]
