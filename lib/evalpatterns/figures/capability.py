"""Finding 1's figure: performance by model size and task, non-measurements hatched."""
from __future__ import annotations

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from .. import formatting as fmt
from .. import theme
from ..capability import measured_at_both
from ._common import SMALL, _digits, _figure, _grid_axes, _made_from, _wrap

# --- 5. capability heat map ------------------------------------------------------------------------------

def _capability_label(r) -> str:
    """'40%' for a rate, '2.8/10' for a score on another scale, then the status tag ('pending')."""
    value = (fmt.pct(r.performance) if r.scale_max == 1
             else f"{fmt.decimal(r.value, _digits(r.value))}/{fmt.number(r.scale_max)}")
    tag = theme.status_style(r.status).tag
    return f"{value}\n{tag}" if tag else value


def draw_capability_heatmap(ax, matrix: pd.DataFrame, cliff_between: tuple[float, float] = (3, 8),
                            compact: bool = False, colorbar: bool = True):
    """Model size (rows) by task (columns), coloured by ``performance`` (fraction of the scale).

    ``matrix``: :func:`capability.capability_matrix`. Illustrative and pending cells are white, hatched in
    their colour and tagged, so the colour scale only ever shows measurements. A dashed line marks the
    post's "cliff" between the two ``cliff_between`` sizes, with the number of tasks measured at both.
    """
    from ..words.capability import cliff_legend

    sizes, tasks = sorted(matrix["params_b"].unique()), list(dict.fromkeys(matrix["task"]))
    cmap, norm = mpl.colormaps[theme.HEATMAP_CMAP], mpl.colors.Normalize(0, 1)
    for r in matrix.itertuples():
        x, y = tasks.index(r.task), sizes.index(r.params_b)
        kw = theme.cell_kwargs(cmap(norm(r.performance)), r.status)
        ax.add_patch(Rectangle((x, y), 1, 1, gid=f"cell-{r.status}", **kw))
        ax.text(x + 0.5, y + 0.5, _capability_label(r), ha="center", va="center", weight="bold",
                fontsize=SMALL if compact else 12, color=theme.ink_for(kw["facecolor"]),
                bbox=dict(boxstyle="round,pad=0.15", facecolor=kw["facecolor"], edgecolor="none")
                if kw.get("hatch") else None)
    width = 11 if compact else 14
    _grid_axes(ax, sizes, tasks, [fmt.size(s) for s in sizes], [_wrap(t, width) for t in tasks])
    ax.tick_params(axis="x", labelsize=SMALL if compact else 10)
    ax.set(xlabel="Task", ylabel="Model size")
    handles = theme.status_handles(matrix["status"], kind="cell", color=cmap(0.55), always=True)
    if all(s in sizes for s in cliff_between):
        y = max(sizes.index(s) for s in cliff_between)
        ax.axhline(y, color=theme.INK, linestyle="--", lw=2, zorder=5)
        both = measured_at_both(matrix, cliff_between)
        handles.append(Line2D([], [], color=theme.INK, linestyle="--", lw=2,
                              label=cliff_legend(cliff_between[0], len(both), len(tasks))))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16 if not compact else -0.2),
              ncols=1 if compact else 2, fontsize=SMALL, frameon=False, handleheight=1.6,
              handlelength=2.4)
    if colorbar:
        cb = ax.figure.colorbar(mpl.cm.ScalarMappable(norm, cmap), ax=ax, fraction=0.05, pad=0.02)
        cb.set_label("Performance (share of the score's scale)")
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return ax


@_made_from('capability')
def capability_heatmap(matrix: pd.DataFrame) -> Figure:
    """Figure: performance by model size and task, non-measurements hatched (see :func:`draw_capability_heatmap`)."""
    fig, ax = _figure((10, 7))
    draw_capability_heatmap(ax, matrix)
    ax.set_title("Task performance by model size")
    return fig
