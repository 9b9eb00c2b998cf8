"""Finding 5's figures: episodes to converge against problem size, and per method at one size."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator

from .. import formatting as fmt
from .. import theme
from ._common import (
    SMALL,
    _figure,
    _log_number_axis,
    _lower_bound_arrow,
    _made_from,
    _method_label,
    _methods,
    _note,
    _wrap,
)

# --- 1. SL vs RL scaling ---------------------------------------------------------------------------------

def _fit_labels(fits: pd.DataFrame) -> dict[str, str]:
    """method -> fitted complexity, or 'no fit'."""
    return {r.method: (r.complexity if bool(r.fitted) else "no fit") for r in fits.itertuples()}


def draw_sl_vs_rl_scaling(ax, episodes_table: pd.DataFrame, fits: pd.DataFrame):
    """Episodes to converge against N (log-log), one line per method.

    ``episodes_table``: :func:`memorization.episodes_table` (method, n_values, episodes, lower_bound, status).
    ``fits``: :func:`memorization.scaling_fits` (method, fitted, complexity). Segments that touch a lower
    bound are dashed; lower bounds get an upward arrow; hollow markers were read off the post's figure.
    """
    labels = _fit_labels(fits)
    handles = []
    for method in _methods(episodes_table):
        part = episodes_table[episodes_table["method"] == method].sort_values("n_values")
        color, marker = theme.METHOD_COLORS.get(method, theme.MUTED), theme.METHOD_MARKERS.get(method, "D")
        x, y = part["n_values"].to_numpy(float), part["episodes"].to_numpy(float)
        lb = part["lower_bound"].to_numpy(bool)
        for i in range(len(x) - 1):
            ax.plot(x[i:i + 2], y[i:i + 2], color=color, zorder=2, linestyle="--" if lb[i] or lb[i + 1] else "-")
        for xi, yi, st, is_lb in zip(x, y, part["status"], lb):
            ax.plot(xi, yi, marker=marker, markersize=9, markeredgewidth=1.8, linestyle="none", zorder=3,
                    **theme.marker_kwargs(color, st))
            if is_lb:
                _lower_bound_arrow(ax, xi, yi, color)
        fit = labels.get(method, "no fit")
        handles.append(Line2D([], [], color=color, marker=marker, label=f"{_method_label(method)}: {fit}"))
    _annotate_constant(ax, episodes_table)
    ax.set(xscale="log", yscale="log", xlabel="Problem size N (values to memorise)",
           ylabel="Episodes to converge")
    ax.xaxis.set_major_locator(FixedLocator(sorted(episodes_table["n_values"].unique())))
    _log_number_axis(ax.xaxis)
    _log_number_axis(ax.yaxis)
    ax.set_ylim(episodes_table["episodes"].min() / 3, episodes_table["episodes"].max() * 6)
    handles += theme.status_handles(episodes_table["status"]) + [theme.lower_bound_handle()]
    if episodes_table["lower_bound"].any():
        handles.append(Line2D([], [], color=theme.MUTED, linestyle="--", label="segment to a lower bound"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), title="Method: fitted scaling")
    return ax


def _annotate_constant(ax, episodes_table: pd.DataFrame) -> None:
    """Label a method whose episodes do not change with N ('11 episodes at every N')."""
    for method in _methods(episodes_table):
        part = episodes_table[episodes_table["method"] == method].sort_values("n_values")
        if part["episodes"].nunique() == 1 and len(part) > 1 and not part["lower_bound"].any():
            ax.annotate(f"{fmt.episodes(part['episodes'].iloc[0])} episodes at every N",
                        (part["n_values"].iloc[-1], part["episodes"].iloc[-1]), xytext=(0, -16),
                        textcoords="offset points", ha="right", va="top", fontsize=10,
                        color=theme.METHOD_COLORS.get(method, theme.INK))


@_made_from('memorization')
def sl_vs_rl_scaling(episodes_table: pd.DataFrame, fits: pd.DataFrame) -> Figure:
    """Figure: episodes to converge against problem size, per method, log-log (see :func:`draw_sl_vs_rl_scaling`)."""
    fig, ax = _figure()
    draw_sl_vs_rl_scaling(ax, episodes_table, fits)
    ax.set_title("Supervised learning vs RL: episodes to converge as N grows")
    return fig


# --- 6. SL vs RL bars ------------------------------------------------------------------------------------

def _advantage_text(advantage: pd.DataFrame, n_values: int, compact: bool) -> str:
    """The note on the largest ratio at ``n_values`` (its words: :func:`evalpatterns.words.memorization.advantage_note`)."""
    from ..words.memorization import advantage_note

    return advantage_note(advantage, n_values, compact)


def draw_sl_vs_rl_bars(ax, episodes_table: pd.DataFrame, advantage: pd.DataFrame, n_values: int = 100,
                       compact: bool = False):
    """Episodes to converge per method at one problem size ``n_values``, log scale.

    ``episodes_table``: :func:`memorization.episodes_table`; ``advantage``: :func:`memorization.sl_advantage`.
    A bar that is only a lower bound is labelled '10,000+' and marked with an upward arrow; a measured one is
    hatched ``//``, one read off a figure shows that status's dots and the ``//`` together.
    """
    rows = episodes_table[episodes_table["n_values"] == n_values].set_index("method")
    methods = _methods(rows.reset_index())
    for i, method in enumerate(methods):
        r = rows.loc[method]
        color, lb = theme.METHOD_COLORS.get(method, theme.MUTED), bool(r["lower_bound"])
        kw = theme.cell_kwargs(color, r["status"])
        if lb:
            st = theme.status_style(r["status"])
            if st.hatch is None:  # a measured lower bound
                kw.update(hatch=theme.LOWER_BOUND_HATCH, hatchcolor="white")
            elif not st.hatch_in_color:  # read off a figure and a lower bound: both patterns, white on colour
                kw["hatch"] = st.hatch + theme.LOWER_BOUND_HATCH
            # illustrative or pending: the status keeps its hatch; the arrow and the '+' mark the bound
        ax.bar(i, r["episodes"], width=0.7, gid=f"bar-{method}", **{**kw, "edgecolor": theme.INK, "linewidth": 1.2})
        label = fmt.episodes(r["episodes"], lower_bound=lb)
        if lb:
            _lower_bound_arrow(ax, i, r["episodes"], theme.INK, length=26)
            label += "\nbudget hit,\ndid not converge" if not compact else "\nbudget hit"
        ax.annotate(label, (i, r["episodes"]), xytext=(0, 30 if lb else 4), textcoords="offset points",
                    ha="center", va="bottom", fontsize=SMALL if compact else 11, weight="bold", gid=f"label-{method}")
    ax.set_xticks(range(len(methods)), [_wrap(_method_label(m), 12) for m in methods])
    ax.set_yscale("log")
    _log_number_axis(ax.yaxis)
    if rows.empty:
        _note(ax, f"no episode counts at N = {fmt.number(n_values)}", size=10)
        return ax
    ax.set_ylim(rows["episodes"].min() / 2, rows["episodes"].max() * (60 if not compact else 120))
    ax.set_ylabel("Episodes to converge")
    ax.grid(axis="x", visible=False)
    text = _advantage_text(advantage, n_values, compact)
    if text:
        _note(ax, text, xy=(0.03, 0.97), ha="left", size=SMALL if compact else 10)
    return ax


@_made_from('memorization')
def sl_vs_rl_bars(episodes_table: pd.DataFrame, advantage: pd.DataFrame, n_values: int = 100) -> Figure:
    """Figure: episodes to converge per method at one problem size (see :func:`draw_sl_vs_rl_bars`)."""
    fig, ax = _figure((8.5, 6.5))
    draw_sl_vs_rl_bars(ax, episodes_table, advantage, n_values)
    ax.set_title(f"Episodes to memorise N = {fmt.number(n_values)} values")
    return fig
