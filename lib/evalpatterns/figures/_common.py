"""What the figures share: sizes, the smallest text, small helpers, and :func:`_made_from`, which
records on a figure what made it (``report.figure`` reads it for the caption)."""
from __future__ import annotations

import functools
import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, NullLocator
from matplotlib.transforms import offset_copy

from .. import formatting as fmt
from .. import theme
from ..words.distillation import SEVERITY_TEXT

METHOD_ORDER = tuple(theme.METHOD_COLORS)
SINGLE = (10, 6)
DASHBOARD = (10, 22)  # four rows, the wide panels across the page: read at the page's width, not shrunk
# The smallest text, in points. A figure at most 10 inches wide shown in the book's ~690 px column keeps
# ~0.95 CSS px per point, so 10 pt is above 9 CSS px (tests/test_reading.py measures it on the page).
SMALL = theme.SMALL_PT


# --- small helpers ---------------------------------------------------------------------------------------

def _made_from(*kinds: str):
    """Record on each figure a function returns what made it: ``fig.evalpatterns = {"function":
    "figures.NAME", "data": kinds}``, the data kinds (schema names) its inputs are computed from.
    ``report.figure`` passes the record on, and the book's caption names the function and the files."""
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            fig = function(*args, **kwargs)
            fig.evalpatterns = {"function": f"figures.{function.__name__}", "data": kinds}
            return fig
        return wrapper
    return decorate


def _figure(figsize=SINGLE, **subplots) -> tuple[Figure, object]:
    """A themed, constrained-layout figure and its axes."""
    theme.set_theme()
    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(**subplots)


def _method_label(method: str) -> str:
    return theme.METHOD_LABELS.get(method, method)


def _methods(frame: pd.DataFrame) -> list[str]:
    """Methods in ``frame``, known ones first in the theme's order."""
    present = list(dict.fromkeys(frame["method"]))
    return [m for m in METHOD_ORDER if m in present] + [m for m in present if m not in METHOD_ORDER]


def _digits(x) -> int:
    """0 decimals for whole numbers (up to float noise), else 1 (:func:`evalpatterns.formatting.tenths`)."""
    return fmt.tenths(x)


def _points(x) -> str:
    """Signed percentage points: '+19', '+0.5', '\u221271.5'."""
    return fmt.points(x, _digits(x))


def _sig2(x) -> str:
    """``x`` to about two significant figures: 0.015, 0.23, 5.4, 36."""
    if pd.isna(x) or x == 0:
        return fmt.decimal(x, 0)
    return fmt.decimal(x, max(0, 1 - int(np.floor(np.log10(abs(float(x)))))))


def _gap_label(family: str, gap) -> str:
    """'Llama 70x gap', 'Qwen 7.5x gap'."""
    return f"{family} {fmt.ratio(gap, _digits(gap))} gap"


def _severity(severity: str) -> str:
    return SEVERITY_TEXT.get(severity, severity)


def _note(ax, text: str, xy=(0.98, 0.97), ha="right", va="top", size=SMALL, **kw):
    """A boxed note in axes coordinates."""
    return ax.text(*xy, text, transform=ax.transAxes, ha=ha, va=va, fontsize=size, bbox=theme.NOTE_BOX,
                   zorder=6, multialignment="left", **kw)


def _below_xlabel(ax, tick_lines: int = 1):
    """Axes coordinates moved down past the x tick labels (of ``tick_lines`` lines) and the x label, so that a
    legend anchored at (0, 0) starts below them whatever height the layout gives the axes (both are sized in
    points, not in the axes' height)."""
    rc = mpl.rcParams

    def size(key: str) -> float:
        return FontProperties(size=rc[key]).get_size_in_points()

    points = (rc["xtick.major.size"] + rc["xtick.major.pad"] + 1.25 * tick_lines * size("xtick.labelsize")
              + rc["axes.labelpad"] + 1.25 * size("axes.labelsize") + 6)
    return offset_copy(ax.transAxes, fig=ax.figure, y=-points, units="points")


def _wrap(text: str, width: int) -> str:
    """Wrap a tick label at spaces only (never inside a word or at a hyphen)."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _log_number_axis(axis) -> None:
    """Plain numbers (10, 1,000) instead of powers of ten on a log axis."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v)))
    axis.set_minor_locator(NullLocator())


def _lower_bound_arrow(ax, x, y, color, length=22) -> None:
    """An upward arrow above a point: the true value is at least ``y``."""
    ax.annotate("", xy=(x, y), xytext=(0, length), textcoords="offset points", zorder=4,
                arrowprops=dict(arrowstyle="<|-", color=color, lw=1.6, shrinkA=0, shrinkB=6,
                                mutation_scale=14))


def _grid_axes(ax, rows: list, cols: list, row_labels: list[str], col_labels: list[str]) -> None:
    """Cell grid axes: row 0 at the top, ticks at cell centres, no grid lines."""
    ax.set_xlim(0, len(cols))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks(np.arange(len(cols)) + 0.5, col_labels)
    ax.set_yticks(np.arange(len(rows)) + 0.5, row_labels)
    ax.grid(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
