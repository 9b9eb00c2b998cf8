"""Finding 1's figure: performance by model size and task, non-measurements hatched. Past
:data:`~evalpatterns.capability.MANY_TASKS` tasks it draws the most extreme tasks as the heat map and every
size gap as a distribution below it (:func:`draw_gap_distribution`), never a cell per task."""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from .. import formatting as fmt
from .. import theme
from ..capability import heatmap_tasks, marks, measured_at_both
from ._common import SMALL, _below_xlabel, _digits, _figure, _grid_axes, _made_from, _wrap

# --- 5. capability heat map ------------------------------------------------------------------------------

#: The colour bar's label: the colour is the share of full marks in the direction of better, not the raw score.
COLORBAR_LABEL = "Share of full marks, in the direction of better\n(lower-is-better scores: 1 \u2212 the share; cells show the raw score)"


def _capability_label(r, one_line: bool = False) -> str:
    """'40%' for a rate, '2.8/10' for a score on another scale, then the status tag ('pending') on a line of
    its own, or after a space with ``one_line`` (the many-tasks map's cells are wide and one line high)."""
    value = (fmt.pct(r.performance) if r.scale_max == 1
             else f"{fmt.decimal(r.value, _digits(r.value))}/{fmt.number(r.scale_max)}")
    tag = theme.status_style(r.status).tag
    return f"{value}{' ' if one_line else chr(10)}{tag}" if tag else value


def cell_marks(matrix: pd.DataFrame) -> pd.Series:
    """What each cell's colour shows: ``marks`` of :func:`capability.capability_matrix` (the performance as a
    share of full marks in the direction of better), computed from ``performance`` (and ``higher_is_better``,
    true where absent) for a matrix built without it."""
    if "marks" in matrix:
        return matrix["marks"].astype(float)
    higher = matrix["higher_is_better"].astype(bool) if "higher_is_better" in matrix else True
    return pd.Series(marks(matrix["performance"].astype(float), higher), index=matrix.index)


def draw_capability_heatmap(ax, matrix: pd.DataFrame, cliff_between: tuple[float, float] = (3, 8),
                            compact: bool = False, colorbar: bool = True, tasks: list[str] | None = None):
    """Model size (rows) by task (columns), coloured by the share of full marks in the direction of better
    (:func:`cell_marks`: a break rate of 35% is coloured as 65%), each cell labelled with its raw score.

    ``matrix``: :func:`capability.capability_matrix`. Illustrative and pending cells are white, hatched in
    their colour and tagged, so the colour scale only ever shows measurements. A dashed line marks the
    post's "cliff" between the two ``cliff_between`` sizes, with the number of tasks measured at both (of
    every task in ``matrix``). ``tasks``: draw only these tasks, one row each in this order, with the sizes
    as columns (the many-tasks figure: :func:`capability.extreme_tasks`).
    """
    from ..words.capability import cliff_legend, lower_note

    all_tasks = list(dict.fromkeys(matrix["task"]))
    rows_are_tasks = tasks is not None
    shown = matrix[matrix["task"].isin(tasks)] if rows_are_tasks else matrix
    tasks = list(tasks) if rows_are_tasks else all_tasks
    sizes = sorted(matrix["params_b"].unique())
    size_at, task_at = {s: i for i, s in enumerate(sizes)}, {t: i for i, t in enumerate(tasks)}
    cmap, norm = mpl.colormaps[theme.HEATMAP_CMAP], mpl.colors.Normalize(0, 1)
    colour = cell_marks(shown)
    for r, m in zip(shown.itertuples(), colour):
        x, y = ((size_at[r.params_b], task_at[r.task]) if rows_are_tasks
                else (task_at[r.task], size_at[r.params_b]))
        kw = theme.cell_kwargs(cmap(norm(m)), r.status)
        ax.add_patch(Rectangle((x, y), 1, 1, gid=f"cell-{r.status}", **kw))
        ax.text(x + 0.5, y + 0.5, _capability_label(r, one_line=rows_are_tasks), ha="center", va="center", weight="bold",
                fontsize=SMALL if compact or rows_are_tasks else 12, color=theme.ink_for(kw["facecolor"]),
                bbox=dict(boxstyle="round,pad=0.15", facecolor=kw["facecolor"], edgecolor="none")
                if kw.get("hatch") else None)
    size_labels = [fmt.size(s) for s in sizes]
    if rows_are_tasks:
        lower = set(shown.loc[~shown["higher_is_better"].astype(bool), "task"]) if "higher_is_better" in shown else set()
        tick_lines = 1
        _grid_axes(ax, tasks, sizes, [_wrap(t + lower_note(t not in lower), 28) for t in tasks], size_labels)
        ax.tick_params(axis="y", labelsize=SMALL)
        ax.set(xlabel="Model size", ylabel="")
    else:
        width = 11 if compact else 14
        task_labels = [_wrap(t, width) for t in tasks]
        tick_lines = max((t.count("\n") + 1 for t in task_labels), default=1)
        _grid_axes(ax, sizes, tasks, size_labels, task_labels)
        ax.tick_params(axis="x", labelsize=SMALL if compact else 10)
        ax.set(xlabel="Task", ylabel="Model size")
    handles = theme.status_handles(shown["status"], kind="cell", color=cmap(0.55), always=True)
    if all(s in sizes for s in cliff_between):
        edge = max(size_at[s] for s in cliff_between)
        (ax.axvline if rows_are_tasks else ax.axhline)(edge, color=theme.INK, linestyle="--", lw=2, zorder=5)
        both = measured_at_both(matrix, cliff_between)
        handles.append(Line2D([], [], color=theme.INK, linestyle="--", lw=2,
                              label=cliff_legend(cliff_between[0], len(both), len(all_tasks), cliff_between[1])))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=_below_xlabel(ax, tick_lines),
              ncols=1 if compact else 2, fontsize=SMALL, frameon=False, handleheight=1.6, handlelength=2.4,
              borderaxespad=0)
    if colorbar:
        cb = ax.figure.colorbar(mpl.cm.ScalarMappable(norm, cmap), ax=ax, fraction=0.05, pad=0.02)
        cb.set_label(COLORBAR_LABEL, fontsize=SMALL)
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return ax


def draw_gap_distribution(ax, gaps: pd.DataFrame, sizes: tuple[float, float] = (3, 8), shown: int = 0):
    """Every size gap of :func:`capability.size_gaps` (one per task and stage) as a histogram of the larger
    model's lead in points in the direction of better (``advantage_points``), the gaps that show the cliff
    stacked in their own colour; ``shown``: how many tasks the heat map above draws (said in the title)."""
    small, large = fmt.size(sizes[0]), fmt.size(sizes[1])
    lead = gaps["advantage_points"].astype(float)
    cliff = gaps["cliff"].astype(bool)
    edges = np.histogram_bin_edges(lead, bins=min(40, max(5, len(lead) // 10))) if len(lead) else [0, 1]
    ax.hist([lead[cliff], lead[~cliff]], bins=edges, stacked=True, label=["shows the cliff", "does not"],
            color=[theme.OKABE_ITO["vermillion"], theme.OKABE_ITO["sky_blue"]], edgecolor="white", linewidth=0.5)
    ax.axvline(0, color=theme.MUTED, linestyle="--", lw=1.3)
    ax.set(xlabel=f"Lead of {large} over {small}, in the direction of better (percentage points)",
           ylabel="Gaps (task and stage)")
    ax.legend(loc="upper left", fontsize=SMALL, frameon=False)
    ax.set_title(f"Every gap between the two sizes: {fmt.number(len(gaps))}, {fmt.number(int(cliff.sum()))} with "
                 "the cliff" + (f"\n(the map above draws the {fmt.number(shown)} tasks with the largest)" if shown else ""),
                 fontsize=SMALL + 1)
    return ax


@_made_from('capability')
def capability_heatmap(matrix: pd.DataFrame, gaps: pd.DataFrame | None = None,
                       cliff_between: tuple[float, float] = (3, 8)) -> Figure:
    """Figure: performance by model size and task, non-measurements hatched (see :func:`draw_capability_heatmap`).

    With more than :data:`~evalpatterns.capability.MANY_TASKS` tasks and the ``gaps``
    (:func:`capability.size_gaps` at ``cliff_between``): the heat map of the tasks
    :func:`capability.heatmap_tasks` chooses (the most extreme), one row each, above the distribution of
    every gap (:func:`draw_gap_distribution`).
    """
    tasks = None if gaps is None else heatmap_tasks(matrix, gaps)
    if tasks is None:
        fig, ax = _figure((10, 7))
        draw_capability_heatmap(ax, matrix, cliff_between)
        ax.set_title("Task performance by model size")
        return fig
    small, large, n = fmt.size(cliff_between[0]), fmt.size(cliff_between[1]), fmt.number(matrix["task"].nunique())
    height = len(tasks) * 0.55 + 1.5
    if gaps.empty:
        fig, ax = _figure((10, height + 1))
        draw_capability_heatmap(ax, matrix, cliff_between, tasks=tasks)
        ax.set_title(f"The first {fmt.number(len(tasks))} of {n} tasks (none is measured at {small} and {large})")
        return fig
    fig, (ax, dist) = _figure((10, height + 5), nrows=2, height_ratios=[height, 4])
    draw_capability_heatmap(ax, matrix, cliff_between, tasks=tasks)
    ax.set_title(f"The {fmt.number(len(tasks))} tasks with the largest gap between {small} and {large}, of {n}")
    draw_gap_distribution(dist, gaps, cliff_between, len(tasks))
    return fig
