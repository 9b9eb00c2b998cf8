"""The one visual theme of the book: palette, named colours, status styles, legend helpers.

Every figure takes its colours and its way of drawing a value's provenance (``status``) from here, so a
colour or a style is changed in one place. The palette is Okabe-Ito, which stays distinguishable under the
common colour-vision deficiencies; the heat-map colormap is ``cividis`` for the same reason (never red-green).

Status styles (how a value's ``status`` is drawn):

- ``measured``: solid filled marker, solid line, full-colour cell;
- ``figure`` (read off one of the post's figures): hollow marker, cell dotted in white ``..``;
- ``illustrative`` (drawn with no run behind it): hollow faded marker, white cell hatched ``///`` in the
  value's colour;
- ``pending`` (the run has not been done): hollow faded marker, white cell hatched ``xx`` in the value's
  colour.

A grid cell with no run that the original drew anyway is an ``illustrative`` value. A lower bound is an
upward arrow on a marker, or a bar hatched ``//`` in white. These marks mean the same in every figure and in
no figure anything else (a value before a change is drawn with :data:`BEFORE_MARKER`, a bar, never a hollow
marker); :func:`provenance_key` draws them all once, and every figure's caption links to that key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.ticker
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

# --- palette ---------------------------------------------------------------------------------------------

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "sky_blue",
                                  "reddish_purple", "yellow", "black")]

INK = "#222222"          # text and outlines
MUTED = "#6E6E6E"        # reference lines, secondary text
NOTE_FACE = "#F4F4F4"    # background of annotation boxes

# --- named colours ---------------------------------------------------------------------------------------

METHOD_COLORS = {"supervised": OKABE_ITO["bluish_green"], "rl_eoe": OKABE_ITO["blue"],
                 "rl_step": OKABE_ITO["vermillion"]}
METHOD_MARKERS = {"supervised": "o", "rl_eoe": "s", "rl_step": "^"}
METHOD_LABELS = {"supervised": "Supervised", "rl_eoe": "RL end-of-episode", "rl_step": "RL step-level"}

ROI_COLORS = {"failed": OKABE_ITO["vermillion"],      # training attempt that lost accuracy
              "marginal": OKABE_ITO["orange"],        # training attempt at or above the baseline
              "model_switch": OKABE_ITO["bluish_green"]}

FAMILY_COLORS = {"Llama": OKABE_ITO["vermillion"], "Qwen": OKABE_ITO["orange"]}
FAMILY_MARKERS = {"Llama": "o", "Qwen": "s"}
SEVERITY_COLORS = {"complete": OKABE_ITO["vermillion"], "partial": OKABE_ITO["orange"],
                   "none": OKABE_ITO["bluish_green"], "no transition": MUTED, "no eval": MUTED,
                   # not judged, as the two above (hatched where drawn as shares), but told apart from them
                   "no eval before": OKABE_ITO["sky_blue"], "already collapsed": OKABE_ITO["reddish_purple"]}

COLLAPSE_COLORS = {"collapsed": OKABE_ITO["vermillion"], "converged": OKABE_ITO["bluish_green"],
                   "unknown": OKABE_ITO["yellow"]}  # unknown: a range of accuracies across the collapse line



def collapse_share_color(share) -> tuple:
    """The colour of a grid cell in which ``share`` of the attempts with an outcome collapsed: the converged
    colour at 0, the collapsed colour at 1, and between them mixed in proportion (RGB, linearly), so a cell
    of one attempt keeps its outcome's colour; NaN (no attempt with an outcome) is the unknown colour.

    Example: 2 of 3 collapsed: 1/3 of #009E73 (0, 158, 115) and 2/3 of #D55E00 (213, 94, 0) is
    (142, 115.3, 38.3) / 255."""
    if share is None or share != share:
        return mcolors.to_rgba(COLLAPSE_COLORS["unknown"])
    lo, hi = (mcolors.to_rgba(COLLAPSE_COLORS[k]) for k in ("converged", "collapsed"))
    return tuple(a + float(share) * (b - a) for a, b in zip(lo, hi))


PHASE_COLORS = {"off_policy": OKABE_ITO["sky_blue"], "on_policy": OKABE_ITO["orange"]}
PHASE_ALPHA = 0.10

HEATMAP_CMAP = "cividis"  # perceptually uniform and colour-blind safe

_FALLBACK = [OKABE_ITO[k] for k in ("blue", "reddish_purple", "sky_blue", "bluish_green", "black")]


def family_color(family: str, index: int = 0) -> str:
    """The colour of a distillation model family; unknown families take ``index`` into a fallback list."""
    return FAMILY_COLORS.get(family, _FALLBACK[index % len(_FALLBACK)])


def family_marker(family: str, index: int = 0) -> str:
    """The marker of a distillation model family; unknown families take ``index`` into a fallback list."""
    return FAMILY_MARKERS.get(family, "DvP^"[index % 4])


def ink_for(color) -> str:
    """Black or white, whichever reads better on ``color`` (by relative luminance)."""
    r, g, b = mcolors.to_rgb(color)
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return INK if lum > 0.45 else "white"


# --- status styles ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusStyle:
    """How values of one ``status`` are drawn.

    ``filled``: marker face filled (else hollow); ``alpha``: marker/line opacity; ``linestyle`` for lines.
    Cells and bars: ``hatch`` (``None``: none); ``hatch_in_color`` draws the hatch in the value's colour on a
    white face (so the colour scale is never given to a value that was not measured), otherwise the face
    keeps the value's colour and the hatch is white. ``tag`` is the word written in a cell under its value
    ('' for none); ``label`` explains the status in a legend.
    """

    filled: bool
    alpha: float
    linestyle: str
    hatch: str | None
    hatch_in_color: bool
    tag: str
    label: str


STATUS_STYLES = {
    "measured": StatusStyle(True, 1.0, "-", None, False, "", "measured"),
    "figure": StatusStyle(False, 1.0, "-", "..", False, "", "read off the original figure (approximate)"),
    "illustrative": StatusStyle(False, 0.6, ":", "///", True, "illustrative", "illustrative: no run behind it"),
    "pending": StatusStyle(False, 0.6, ":", "xx", True, "pending",
                           "pending: run not done, value as drawn in the original"),
}
STATUS_ORDER = tuple(STATUS_STYLES)
#: How a count of values of a status reads where values are counted (a grid cell of several attempts: "1 pending").
STATUS_COUNT_WORDS = {"measured": "measured", "figure": "read off a figure", "illustrative": "illustrative",
                      "pending": "pending"}


def status_style(status: str) -> StatusStyle:
    """The :class:`StatusStyle` of ``status`` (an unknown status is drawn like ``illustrative``)."""
    return STATUS_STYLES.get(status, STATUS_STYLES["illustrative"])


def marker_kwargs(color, status: str) -> dict:
    """Keyword arguments for ``ax.plot`` markers of ``color`` drawn in the style of ``status``."""
    st = status_style(status)
    return dict(markerfacecolor=color if st.filled else "white", markeredgecolor=color, alpha=st.alpha)


def cell_kwargs(color, status: str) -> dict:
    """Keyword arguments for a ``Rectangle`` or bar of ``color`` drawn in the style of ``status``.

    ``facecolor`` is always a colour (white for the hatched-in-colour statuses), so text on it can be
    given a readable ink with :func:`ink_for`.
    """
    st = status_style(status)
    kwargs = dict(facecolor=mcolors.to_rgba(color), edgecolor="white", linewidth=1.5)
    if st.hatch:
        kwargs.update(hatch=st.hatch, hatchcolor=mcolors.to_rgba(color) if st.hatch_in_color else "white")
        if st.hatch_in_color:
            kwargs["facecolor"] = mcolors.to_rgba("white")
    return kwargs


def status_handles(statuses: Iterable[str], kind: str = "marker", color=MUTED,
                   always: bool = False) -> list:
    """Legend handles explaining the statuses in ``statuses``, in the canonical order.

    ``kind`` is ``"marker"`` (filled/hollow markers) or ``"cell"`` (filled/hatched patches). When every
    value is ``measured`` there is nothing to tell apart, and no handle is returned unless ``always``.
    """
    present = [s for s in STATUS_ORDER if s in set(statuses)]
    if present == ["measured"] and not always:
        return []
    handles = []
    for s in present:
        st = status_style(s)
        if kind == "cell":
            handles.append(Patch(label=st.label, **cell_kwargs(color, s)))
        else:
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=8, label=st.label,
                                  markeredgewidth=1.5, **marker_kwargs(color, s)))
    return handles


def lower_bound_handle(color=MUTED) -> Line2D:
    """Legend handle for a lower bound (an upward arrow: the true value is at least this)."""
    return Line2D([], [], linestyle="none", marker=r"$\uparrow$", markersize=13, color=color,
                  label="lower bound (budget hit)")


LOWER_BOUND_HATCH = "//"  # a bar whose height is only a lower bound


def lower_bound_bar_handle(color=MUTED) -> Patch:
    """Legend handle for a bar whose height is only a lower bound (hatched)."""
    return Patch(facecolor=color, hatch=LOWER_BOUND_HATCH, edgecolor=INK, hatchcolor="white",
                 label="lower bound (budget hit)")


NO_RUN_LABEL = "illustrative: no run (the original drew these as collapsed)"


BEFORE_MARKER = "_"  # a value before a change (e.g. the last eval before a switch): a bar, not a provenance mark


def provenance_key():
    """Figure: the book's marks for a value's provenance, each drawn as the figures draw it -- markers
    (filled, hollow, faded), cells (solid, dotted, hatched in colour, grey for no run) and lower bounds."""
    import matplotlib.pyplot as plt

    set_theme()
    fig = plt.figure(figsize=(7.5, 6), layout="constrained")
    markers, cells = fig.subplots(nrows=2)
    color = PALETTE[0]
    marker_handles = status_handles(STATUS_ORDER, "marker", color) + [lower_bound_handle(color)]
    cell_handles = status_handles(STATUS_ORDER, "cell", color) + [lower_bound_bar_handle(color)]
    for ax, handles, title in ((markers, marker_handles, "Points and lines"),
                               (cells, cell_handles, "Cells and bars")):
        ax.set(xticks=[], yticks=[])
        ax.axis("off")
        ax.set_title(title)
        ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=11, handleheight=1.8,
                  handlelength=2.6)
    fig.suptitle("How a value's provenance is drawn in every figure")
    return fig


NOTE_BOX = dict(boxstyle="round,pad=0.45", facecolor=NOTE_FACE, edgecolor="#BBBBBB", linewidth=0.8)


# --- the theme -------------------------------------------------------------------------------------------

SMALL_PT = 10  # the smallest text on any figure, in points (legends, annotations, cell labels)

RC = {
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11.5,
    "axes.edgecolor": "#BBBBBB",
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "legend.frameon": True,
    "legend.framealpha": 0.92,
    "figure.titlesize": 15,
    "figure.titleweight": "bold",
    "figure.dpi": 150,  # crisp in the book (the inline backend renders at figure.dpi)
    "savefig.dpi": 150,
    "hatch.linewidth": 1.1,
    "lines.linewidth": 2.2,
    "lines.markersize": 8,
    "font.family": "sans-serif",
    "text.color": INK,
    "axes.labelcolor": INK,
}


def set_theme() -> None:
    """Apply the book's theme (seaborn white grid, Okabe-Ito palette, readable sizes) to matplotlib.

    Idempotent: calling it again gives the same settings. It does not choose a backend.
    """
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, rc=RC)


# --- text from data, drawn as text --------------------------------------------------------------------------

#: The longest line (in characters) and the most lines any text of a figure shows; longer text from the data
#: is cut with an ellipsis (a 2 MB cell would otherwise make an image millions of pixels wide).
TEXT_MAX_CHARS = 80
TEXT_MAX_LINES = 8


def short_text(text, limit: int = TEXT_MAX_CHARS, max_lines: int = TEXT_MAX_LINES) -> str:
    """``text`` with each line cut to ``limit`` characters and at most ``max_lines`` lines, marked with '…'."""
    lines = str(text).split("\n")
    cut = [line if len(line) <= limit else line[:limit - 1] + "\u2026" for line in lines[:max_lines]]
    if len(lines) > max_lines:
        cut[-1] = cut[-1][:limit - 1] + "\u2026"
    return "\n".join(cut)


class _ShortFormatter(matplotlib.ticker.Formatter):
    """A tick formatter whose labels are cut by :func:`short_text` (category names come from the data)."""

    def __init__(self, inner):
        self.inner = inner

    def set_axis(self, axis):
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs):
        self.inner.set_locs(locs)

    def __call__(self, x, pos=None):
        return short_text(self.inner(x, pos))

    def format_ticks(self, values):
        return [short_text(label) for label in self.inner.format_ticks(values)]

    def get_offset(self):
        return self.inner.get_offset()

    def format_data(self, value):
        return self.inner.format_data(value)

    def format_data_short(self, value):
        return self.inner.format_data_short(value)


def literal_texts(fig) -> None:
    """Make every text of ``fig`` literal and short: no text is parsed as mathtext (a '$' in the data stays a
    dollar sign), and each is cut by :func:`short_text`, tick labels included. Draw the figure inside
    :func:`drawing_literally` so that the tick labels made while drawing are literal too."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
        value = text.get_text()
        short = short_text(value)
        if short != value:
            text.set_text(short)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, set_ in ((axis.get_major_formatter, axis.set_major_formatter),
                              (axis.get_minor_formatter, axis.set_minor_formatter)):
                if not isinstance(get(), _ShortFormatter):
                    set_(_ShortFormatter(get()))


def drawing_literally():
    """A context in which texts made while a figure is drawn (tick labels) are not parsed as mathtext."""
    return matplotlib.rc_context({"text.parse_math": False})
