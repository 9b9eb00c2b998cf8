"""Finding 2's figure: which learning-rate/rank settings collapsed, and which were never run."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .. import formatting as fmt
from .. import theme
from ._common import SMALL, _figure, _grid_axes, _made_from

# --- 4. mode-collapse grid -------------------------------------------------------------------------------

DENSE = 4  # a grid with more learning rates or ranks than this labels its cells with their numbers only


def _attempts_label(r, dense: bool) -> str:
    """A cell of several attempts: the share that collapsed ("2/3 collapsed"), then how many have no outcome
    and how many are not measurements, by status ("1 unknown", "1 pending"). In a dense grid only "2/3" (the
    cell's colour and hatching show the rest)."""
    known = r.n_collapsed + r.n_converged
    if dense:
        return f"{r.n_collapsed}/{known}" if known else "?"
    lines = [f"{r.n_collapsed}/{known} collapsed" if known else "unknown"]
    if r.n_unknown and known:
        lines.append(f"{r.n_unknown} unknown")
    lines += [f"{getattr(r, f'n_{s}')} {theme.STATUS_COUNT_WORDS[s]}" for s in theme.STATUS_ORDER[1:]
              if getattr(r, f"n_{s}", 0)]
    return "\n".join(lines)


def draw_mode_collapse_heatmap(ax, grid: pd.DataFrame, compact: bool = False):
    """Learning rate (rows) by LoRA rank (columns); one cell per setting.

    ``grid``: :func:`collapse.collapse_grid`. A cell of one attempt is coloured collapsed/converged and
    labelled with attempt and accuracy; a cell of several is coloured by the share that collapsed (from the
    converged to the collapsed colour, :func:`theme.collapse_share_color`) and labelled "k/n collapsed", with
    the attempts of unknown outcome and those not measured counted beneath. A cell is drawn in the style of
    its least measured attempt (``status``). Cells with no run (``collapsed`` NA), which the original drew as
    collapsed, are drawn as illustrative values: white, hatched in the collapsed colour, labelled "no run".
    A grid of more than :data:`DENSE` rates or ranks writes only the numbers: an accuracy, or "k/n"; drawn
    ``compact`` (the dashboard's half-width panel) it writes none, at the house minimum size they do not fit
    its cells, and the key says what the colours mean (a share of the attempts collapsed, or "no run").
    """
    lrs, ranks = sorted(grid["learning_rate"].unique()), sorted(grid["lora_rank"].unique())
    dense = max(len(lrs), len(ranks)) > DENSE
    size = SMALL if compact or dense else 11
    numbers = not (compact and dense)
    for r in grid.itertuples():
        x, y = ranks.index(r.lora_rank), lrs.index(r.learning_rate)
        outcome = getattr(r, "outcome", "no run" if pd.isna(r.collapsed) else "")
        if outcome == "no run":  # the original drew it collapsed: an illustrative value
            kw = theme.cell_kwargs(theme.COLLAPSE_COLORS["collapsed"], "illustrative")
            ax.add_patch(Rectangle((x, y), 1, 1, gid="no-run", **kw))
            if numbers:
                ax.text(x + 0.5, y + 0.5, "no run", ha="center", va="center", fontsize=size, color=theme.INK,
                        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none"))
            continue
        if getattr(r, "n_attempts", 1) > 1:
            kw = theme.cell_kwargs(theme.collapse_share_color(r.share_collapsed), r.status)
            label = _attempts_label(r, dense)
        else:
            state = "unknown" if pd.isna(r.collapsed) else ("collapsed" if bool(r.collapsed) else "converged")
            kw = theme.cell_kwargs(theme.COLLAPSE_COLORS[state], r.status)
            attempt = "" if pd.isna(r.attempt) else f"Attempt {fmt.number(r.attempt)}\n"
            accuracy = (fmt.pct_range(r.accuracy_low, r.accuracy_high, 1) if getattr(r, "is_range", False)
                        else fmt.pct(r.accuracy, 1))
            label = accuracy if dense else f"{attempt}{accuracy}\n{state}"
        ax.add_patch(Rectangle((x, y), 1, 1, gid="run", **kw))
        if not numbers:
            continue
        ground = dict(boxstyle="round,pad=0.15", facecolor=kw["facecolor"], edgecolor="none") if "hatch" in kw else None
        ax.text(x + 0.5, y + 0.5, label, ha="center", va="center",  # on a hatched cell, on a plain ground
                fontsize=size, weight="bold", color=theme.ink_for(kw["facecolor"]), bbox=ground)
    _grid_axes(ax, lrs, ranks, [fmt.sci(v) for v in lrs], [fmt.number(v) for v in ranks])
    ax.set(xlabel="LoRA rank", ylabel="Learning rate")
    ran = grid["outcome"] != "no run" if "outcome" in grid else grid["collapsed"].notna()
    handles = [Patch(facecolor=theme.COLLAPSE_COLORS["converged"], label="converged"),
               Patch(facecolor=theme.COLLAPSE_COLORS["collapsed"], label="collapsed")]
    if not ran.all():  # the key names only marks the grid draws
        handles.append(Patch(label=theme.NO_RUN_LABEL,
                             **theme.cell_kwargs(theme.COLLAPSE_COLORS["collapsed"], "illustrative")))
    if "n_attempts" in grid and (grid["n_attempts"] > 1).any():
        handles.insert(2, Patch(facecolor=theme.collapse_share_color(0.5),
                                label="k/n: k of a cell's n attempts collapsed" if numbers else
                                "between: the share of a cell's attempts that collapsed"))
    if "outcome" in grid and (grid["outcome"] == "unknown").any():
        handles.insert(2, Patch(facecolor=theme.COLLAPSE_COLORS["unknown"], label="unknown (a range across the line)"))
    handles += theme.status_handles(grid.loc[ran, "status"], kind="cell")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1 if not compact else -0.13),
              ncols=2 if not compact else 1, fontsize=SMALL, frameon=False, handleheight=1.6,
              handlelength=2.4)
    return ax


@_made_from('mode_collapse')
def mode_collapse_heatmap(grid: pd.DataFrame) -> Figure:
    """Figure: which learning-rate/rank settings collapsed, and which were never run."""
    fig, ax = _figure((8.5, 7))
    draw_mode_collapse_heatmap(ax, grid)
    ax.set_title("Mode collapse by learning rate and LoRA rank")
    return fig
