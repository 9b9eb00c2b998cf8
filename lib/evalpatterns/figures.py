"""The eight figures of the post, redrawn from the analysis results through one theme (:mod:`.theme`).

Each ``name(...)`` function takes results already computed by the analysis modules and returns a new
matplotlib :class:`~matplotlib.figure.Figure`, made through pyplot with whatever backend is configured (so a
notebook's inline backend can render it when it is glued); close it when done (``report.figure`` does). Each
has an axes-level companion ``draw_name(ax, ...)`` that draws into an existing
axes and returns it; :func:`summary_dashboard` is built from those. No function reads files or computes
analysis beyond selecting rows; every number written on a figure comes from the inputs through
:mod:`.formatting`.

Conventions (see :mod:`.theme`, drawn once by :func:`theme.provenance_key`): filled markers and solid cells
are measurements; hollow markers were read off the post's figures; hatched cells are not measurements
(illustrative, pending); an upward arrow or a hatched bar marks a lower bound. No mark means anything else.

Legibility: every figure is at most 10 inches wide and its smallest text is ``SMALL`` (10 pt), so that in
the book's column a point is about 0.95 CSS px. Each public figure function records what made it
(``fig.evalpatterns``: the function and the data kinds) for the caption ``report.figure`` gives it.
"""
from __future__ import annotations

import functools
import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from . import formatting as fmt
from . import theme

METHOD_ORDER = tuple(theme.METHOD_COLORS)
SINGLE = (10, 6)
DASHBOARD = (10, 22)  # four rows, the wide panels across the page: read at the page's width, not shrunk
# The smallest text, in points. A figure at most 10 inches wide shown in the book's ~690 px column keeps
# ~0.95 CSS px per point, so 10 pt is above 9 CSS px (tests/test_browser.py measures it on the page).
SMALL = theme.SMALL_PT
SEVERITY_TEXT = {"complete": "complete collapse", "partial": "partial collapse", "none": "no collapse"}


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
    """0 decimals for whole numbers (up to float noise), else 1: 7.5 stays 7.5 and 0.5 does not become 0."""
    return 0 if pd.isna(x) or round(float(x), 6) == round(float(x)) else 1


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


# --- 2. ROI scatter --------------------------------------------------------------------------------------

def _roi_category(row) -> str:
    if row["kind"] == "model_switch":
        return "model_switch"
    return "failed" if row["change_points"] < 0 else "marginal"


def _roi_point_label(row, compact: bool) -> str:
    name = row["approach"].replace("Training ", "") if compact else row["approach"]
    acc = (fmt.pct_range(row["accuracy_low"], row["accuracy_high"]) if row["is_range"]
           else fmt.pct(row["accuracy_point"], _digits(100 * row["accuracy_point"])))
    return f"{name}\n{fmt.duration(row['minutes'])}, {acc}"


def _switch_vs_training_text(summary, compact: bool) -> str:
    """The comparison the post's curved arrow stood for, with both ratios named."""
    s_gain, t_gain = _points(summary.switch_gain_points), _points(summary.training_gain_points)
    gain, roi_ratio = fmt.ratio(summary.gain_ratio), fmt.ratio(summary.roi_ratio)
    if compact:
        return (f"switch {s_gain} pts in {fmt.duration(summary.switch_minutes)}\n"
                f"training {t_gain} pts in {fmt.duration(summary.training_minutes)}\n"
                f"gain ratio {gain}, per-minute {roi_ratio}")
    return (f"Model switch: {s_gain} points in {fmt.duration(summary.switch_minutes)}\n"
            f"All {summary.training_attempts} training attempts: {t_gain} points at best,\n"
            f"    in {fmt.duration(summary.training_minutes)} in total\n"
            f"Gain ratio (points, time ignored): {gain}\n"
            f"ROI ratio (points per minute): {roi_ratio}")


def draw_roi_scatter(ax, roi_table: pd.DataFrame, summary, compact: bool = False):
    """Minutes invested against accuracy change (points vs baseline), one point per attempt.

    ``roi_table``: :func:`roi.roi_table`; ``summary``: :class:`roi.SwitchVsTraining`. A range of accuracy
    (``is_range``) is drawn as a vertical bar; the box gives both the gain ratio and the per-minute ratio.
    """
    failed_rank = 0
    for _, row in roi_table.sort_values("minutes").iterrows():
        cat = _roi_category(row)
        color = theme.ROI_COLORS[cat]
        x, y = row["minutes"], row["change_points"]
        filled = theme.status_style(row["status"]).filled  # hollow when not a measurement
        ax.scatter(x, y, s=320 if cat == "model_switch" else 140, marker="*" if cat == "model_switch" else "o",
                   facecolor=color if filled else "white", edgecolor=theme.INK if filled else color,
                   linewidth=1.2 if filled else 2, zorder=3)
        if row["is_range"]:  # drawn over the marker: a range of a few points is shorter than the marker
            ax.errorbar(x, y, yerr=[[y - row["change_low"]], [row["change_high"] - y]], color=theme.INK,
                        capsize=9, capthick=1.6, lw=1.6, zorder=4)
        if cat == "failed":  # alternate below/above so neighbouring labels do not collide
            dy, va = (-14, "top") if failed_rank % 2 == 0 else (14, "bottom")
            failed_rank += 1
            ax.annotate(_roi_point_label(row, compact), (x, y), xytext=(0, dy), textcoords="offset points",
                        ha="center", va=va, fontsize=SMALL)
        else:  # in a short panel the switch sits just above a marginal attempt: that label goes below
            below = compact and cat == "marginal"
            ax.annotate(_roi_point_label(row, compact), (x, y), textcoords="offset points",
                        xytext=(12, 0) if cat == "model_switch" else (10, -6 if below else 4), ha="left",
                        va="center" if cat == "model_switch" else ("top" if below else "bottom"), fontsize=SMALL,
                        weight="bold" if cat == "model_switch" else "normal")
    base = roi_table["accuracy_point"].iloc[0] - roi_table["change_points"].iloc[0] / 100
    ax.axhline(0, color=theme.MUTED, linestyle="--", lw=1.3, zorder=1)
    ax.annotate(f"baseline {fmt.pct(base)}", (1, 0), xycoords=("axes fraction", "data"), xytext=(-4, 4),
                textcoords="offset points", ha="right", va="bottom", fontsize=SMALL, color=theme.MUTED)
    _note(ax, _switch_vs_training_text(summary, compact), size=SMALL)
    ax.margins(x=0.08, y=0.2)
    ax.set(xlabel="Time invested (minutes)", ylabel="Accuracy change (points vs baseline)")
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=10, color=theme.ROI_COLORS["failed"],
                      markeredgecolor=theme.INK, label="training: below baseline"),
               Line2D([], [], linestyle="none", marker="o", markersize=10, color=theme.ROI_COLORS["marginal"],
                      markeredgecolor=theme.INK, label="training: at or above baseline"),
               Line2D([], [], linestyle="none", marker="*", markersize=15,
                      color=theme.ROI_COLORS["model_switch"], markeredgecolor=theme.INK, label="model switch")]
    if roi_table["is_range"].any():
        handles.append(Line2D([], [], color=theme.INK, marker="_", markersize=10, lw=1.4,
                              label="reported accuracy range"))
    handles += theme.status_handles(roi_table["status"])
    ax.legend(handles=handles, loc="center right", fontsize=SMALL)
    return ax


@_made_from('roi')
def roi_scatter(roi_table: pd.DataFrame, summary) -> Figure:
    """Figure: training attempts and the model switch, time against accuracy change (see :func:`draw_roi_scatter`)."""
    fig, ax = _figure()
    draw_roi_scatter(ax, roi_table, summary)
    ax.set_title("Training attempts vs a model switch: time invested and accuracy gained")
    return fig


# --- 3. phase transition ---------------------------------------------------------------------------------

METRIC_LABELS = {"eval_score": "Eval score", "kl": "KL divergence (student || teacher)"}


def _shade_phases(ax, log: pd.DataFrame, transitions: pd.DataFrame, compact: bool) -> None:
    """Shade the off- and on-policy phases and draw a dashed line at each transition step."""
    steps = sorted(int(s) for s in transitions["transition_step"].dropna().unique())
    if not steps:
        return
    lo, hi = float(log["step"].min()), float(log["step"].max())
    ax.axvspan(lo, steps[0], color=theme.PHASE_COLORS["off_policy"], alpha=theme.PHASE_ALPHA, lw=0, zorder=0)
    ax.axvspan(steps[-1], hi, color=theme.PHASE_COLORS["on_policy"], alpha=theme.PHASE_ALPHA, lw=0, zorder=0)
    for s in steps:
        ax.axvline(s, color=theme.INK, linestyle="--", lw=1.5, zorder=1)
    on_text = "on-policy" if compact else f"on-policy from step {', '.join(fmt.number(s) for s in steps)}"
    trans = ax.get_xaxis_transform()
    for x, text in (((lo + steps[0]) / 2, "off-policy"), ((steps[-1] + hi) / 2, on_text)):
        ax.text(x, 0.985, text, transform=trans, ha="center", va="top", fontsize=SMALL,
                color=theme.MUTED, weight="bold")


def _run_handles(transitions: pd.DataFrame) -> list:
    return [Line2D([], [], color=theme.family_color(r.family, i), marker=theme.family_marker(r.family, i),
                   label=f"{_gap_label(r.family, r.gap)}: {_severity(r.severity)}")
            for i, r in enumerate(transitions.itertuples())]


def draw_phase_transition(ax, log: pd.DataFrame, transitions: pd.DataFrame, metric: str = "eval_score",
                          compact: bool = False, legend: bool = True):
    """``metric`` (``eval_score`` or ``kl``) against step, one line per run, phases shaded.

    ``log``: the distillation step log; ``transitions``: :func:`distillation.transitions`. Missing values
    are skipped (the line joins the logged points); hollow markers were read off the post's figure. On the
    ``kl`` panel the run with the largest KL spike is annotated with its ratio.
    """
    _shade_phases(ax, log, transitions, compact)
    for i, r in enumerate(transitions.itertuples()):
        part = log[log["run"] == r.run].sort_values("step").dropna(subset=[metric])
        color, marker = theme.family_color(r.family, i), theme.family_marker(r.family, i)
        ax.plot(part["step"], part[metric], color=color, zorder=2)
        for status, pts in part.groupby("status"):
            ax.plot(pts["step"], pts[metric], linestyle="none", marker=marker, markersize=8 if not compact else 6,
                    markeredgewidth=1.6, zorder=4 if status == "measured" else 3,  # measurements on top
                    **theme.marker_kwargs(color, status))
    if metric == "kl":
        _annotate_kl_spike(ax, transitions)
    ax.set(xlabel="Training step", ylabel=METRIC_LABELS.get(metric, metric))
    top, bottom = log[metric].max(), log[metric].min()
    if pd.isna(top):  # nothing logged for this metric: say so instead of drawing empty axes
        _note(ax, f"no {METRIC_LABELS.get(metric, metric)} logged", size=10)
        top, bottom = 1.0, 0.0
    top = top if top > 0 else 1.0
    ax.set_ylim(min(0, bottom) - 0.05 * top, top * 1.2)
    if legend:
        ax.legend(handles=_run_handles(transitions) + theme.status_handles(log["status"]), loc="upper center",
                  bbox_to_anchor=(0.5, -0.14), ncols=1 if compact else 2, fontsize=SMALL,
                  frameon=False)
    return ax


def _annotate_kl_spike(ax, transitions: pd.DataFrame) -> None:
    """Arrow to the largest KL spike: 'KL jumps 363x in one step (0.015 -> 5.4)'."""
    spikes = transitions.dropna(subset=["kl_spike_ratio"])
    if spikes.empty:
        return
    r = spikes.loc[spikes["kl_spike_ratio"].idxmax()]
    text = (f"{_gap_label(r['family'], r['gap'])}: KL jumps {fmt.ratio(r['kl_spike_ratio'])}\n"
            f"in one step ({_sig2(r['kl_before'])} \u2192 {_sig2(r['kl_at'])})")
    ax.annotate(text, (float(r["transition_step"]), float(r["kl_at"])), xytext=(0.97, 0.55),
                textcoords="axes fraction", ha="right", va="center", fontsize=SMALL, bbox=theme.NOTE_BOX,
                multialignment="left",
                arrowprops=dict(arrowstyle="-|>", color=theme.INK, lw=1.2, shrinkB=6), zorder=6)


@_made_from('distillation')
def phase_transition(log: pd.DataFrame, transitions: pd.DataFrame) -> Figure:
    """Figure: eval score and KL divergence against step, phases shaded (see :func:`draw_phase_transition`)."""
    fig, (left, right) = _figure((10, 5.6), ncols=2)
    draw_phase_transition(left, log, transitions, "eval_score", legend=False)
    draw_phase_transition(right, log, transitions, "kl", legend=False)
    left.set_title("Eval score across the phase transition")
    right.set_title("KL divergence across the phase transition")
    fig.suptitle("Hybrid distillation: off-policy, then on-policy")
    fig.legend(handles=_run_handles(transitions) + theme.status_handles(log["status"]), loc="outside lower center",
               ncols=2)
    return fig


# --- 4. mode-collapse grid -------------------------------------------------------------------------------

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


def draw_mode_collapse_heatmap(ax, grid: pd.DataFrame, compact: bool = False):
    """Learning rate (rows) by LoRA rank (columns); one cell per setting.

    ``grid``: :func:`collapse.collapse_grid` (learning_rate, lora_rank, collapsed, status, attempt,
    accuracy). Cells with a run are coloured collapsed/converged and labelled with attempt and accuracy; cells
    with no run (``collapsed`` NA), which the original drew as collapsed, are drawn as illustrative values:
    white, hatched in the collapsed colour, labelled "no run".
    """
    lrs, ranks = sorted(grid["learning_rate"].unique()), sorted(grid["lora_rank"].unique())
    size = SMALL if compact else 11
    for r in grid.itertuples():
        x, y = ranks.index(r.lora_rank), lrs.index(r.learning_rate)
        outcome = getattr(r, "outcome", "no run" if pd.isna(r.collapsed) else "")
        if outcome == "no run":  # the original drew it collapsed: an illustrative value
            kw = theme.cell_kwargs(theme.COLLAPSE_COLORS["collapsed"], "illustrative")
            ax.add_patch(Rectangle((x, y), 1, 1, gid="no-run", **kw))
            ax.text(x + 0.5, y + 0.5, "no run", ha="center", va="center", fontsize=size, color=theme.INK,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none"))
            continue
        state = "unknown" if pd.isna(r.collapsed) else ("collapsed" if bool(r.collapsed) else "converged")
        kw = theme.cell_kwargs(theme.COLLAPSE_COLORS[state], r.status)
        ax.add_patch(Rectangle((x, y), 1, 1, gid="run", **kw))
        attempt = "" if pd.isna(r.attempt) else f"Attempt {fmt.number(r.attempt)}\n"
        accuracy = (fmt.pct_range(r.accuracy_low, r.accuracy_high, 1) if getattr(r, "is_range", False)
                    else fmt.pct(r.accuracy, 1))
        ax.text(x + 0.5, y + 0.5, f"{attempt}{accuracy}\n{state}", ha="center", va="center",
                fontsize=size, weight="bold", color=theme.ink_for(kw["facecolor"]))
    _grid_axes(ax, lrs, ranks, [fmt.sci(v) for v in lrs], [fmt.number(v) for v in ranks])
    ax.set(xlabel="LoRA rank", ylabel="Learning rate")
    handles = [Patch(facecolor=theme.COLLAPSE_COLORS["converged"], label="converged"),
               Patch(facecolor=theme.COLLAPSE_COLORS["collapsed"], label="collapsed"),
               Patch(label=theme.NO_RUN_LABEL,
                     **theme.cell_kwargs(theme.COLLAPSE_COLORS["collapsed"], "illustrative"))]
    if "outcome" in grid and (grid["outcome"] == "unknown").any():
        handles.insert(2, Patch(facecolor=theme.COLLAPSE_COLORS["unknown"], label="unknown (a range across the line)"))
    ran = grid["outcome"] != "no run" if "outcome" in grid else grid["collapsed"].notna()
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


# --- 5. capability heat map ------------------------------------------------------------------------------

def _capability_label(r) -> str:
    """'40%' for a rate, '2.8/10' for a score on another scale, then the status tag ('pending')."""
    value = (fmt.pct(r.performance) if r.scale_max == 1
             else f"{fmt.decimal(r.value, _digits(r.value))}/{fmt.number(r.scale_max)}")
    tag = theme.status_style(r.status).tag
    return f"{value}\n{tag}" if tag else value


def _measured_at_both(matrix: pd.DataFrame, sizes: tuple[float, float]) -> list[str]:
    """Tasks measured at both sizes."""
    m = matrix[(matrix["status"] == "measured") & matrix["params_b"].isin(sizes)]
    counts = m.groupby("task")["params_b"].nunique()
    return list(counts[counts == 2].index)


def draw_capability_heatmap(ax, matrix: pd.DataFrame, cliff_between: tuple[float, float] = (3, 8),
                            compact: bool = False, colorbar: bool = True):
    """Model size (rows) by task (columns), coloured by ``performance`` (fraction of the scale).

    ``matrix``: :func:`capability.capability_matrix`. Illustrative and pending cells are white, hatched in
    their colour and tagged, so the colour scale only ever shows measurements. A dashed line marks the
    post's "cliff" between the two ``cliff_between`` sizes, with the number of tasks measured at both.
    """
    from .words.capability import cliff_legend

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
        both = _measured_at_both(matrix, cliff_between)
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


# --- 6. SL vs RL bars ------------------------------------------------------------------------------------

def _advantage_text(advantage: pd.DataFrame, n_values: int, compact: bool) -> str:
    """The note on the largest ratio at ``n_values`` (its words: :func:`evalpatterns.words.memorization.advantage_note`)."""
    from .words.memorization import advantage_note

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


# --- 7. distillation gap ---------------------------------------------------------------------------------

BUBBLE_MAX, BUBBLE_NA = 2000.0, 60.0


def draw_distillation_gap(ax, transitions: pd.DataFrame):
    """Teacher/student gap (x) against the final eval score (y), one bubble per run.

    ``transitions``: :func:`distillation.transitions`. Bubble area is proportional to ``kl_spike_ratio``
    (a small fixed size where it is unknown); a bar marker (:data:`theme.BEFORE_MARKER`, never a hollow
    marker, which means 'read off a figure') and an arrow show the score before the switch.
    No trend line is drawn; with fewer than three runs a note says so.
    """
    top, xmax = transitions["kl_spike_ratio"].max(), transitions["gap"].max() * 1.45
    for i, r in enumerate(transitions.itertuples()):
        color = theme.family_color(r.family, i)
        size = BUBBLE_NA if pd.isna(r.kl_spike_ratio) else max(BUBBLE_MAX * r.kl_spike_ratio / top, 20)
        ax.scatter(r.gap, r.eval_final, s=size, color=color, alpha=0.9, edgecolor=theme.INK, lw=1.2, zorder=3,
                   gid=f"bubble-{r.run}")
        if not pd.isna(r.eval_before):
            ax.scatter(r.gap, r.eval_before, s=300, marker=theme.BEFORE_MARKER, color=color, lw=3, zorder=3,
                       gid=f"before-{r.run}")
            ax.annotate("", (r.gap, r.eval_final), xytext=(r.gap, r.eval_before), zorder=2,
                        arrowprops=dict(arrowstyle="-|>", color=color, lw=1.3, shrinkA=5, shrinkB=8))
        kl = "KL spike n/a" if pd.isna(r.kl_spike_ratio) else f"KL spike {fmt.ratio(r.kl_spike_ratio)}"
        right_half = r.gap > xmax / 2  # label beside the arrow's middle, away from the nearer edge
        y = r.eval_final if pd.isna(r.eval_before) else (r.eval_before + r.eval_final) / 2
        ax.annotate(f"{_gap_label(r.family, r.gap)}\n{_severity(r.severity)}, {kl}", (r.gap, y),
                    xytext=(-14, 0) if right_half else (14, 0), textcoords="offset points",
                    ha="right" if right_half else "left", va="center", fontsize=10,
                    bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=color))
    n = len(transitions)
    if n < 3:
        _note(ax, f"{n} run{'s' if n != 1 else ''}: too few for a trend", size=10)
    ax.set_xlim(0, xmax)
    highest = transitions[["eval_before", "eval_final"]].max().max()
    ax.set_ylim(-0.08, (0.1 if pd.isna(highest) else max(highest, 0.1)) * 1.25)
    ax.set(xlabel="Teacher / student size gap (x)", ylabel="Eval score")
    handles = [Line2D([], [], linestyle="none", marker=theme.BEFORE_MARKER, markersize=16, markeredgewidth=3,
                      color=theme.MUTED, label="last off-policy eval (before the switch)"),
               Line2D([], [], linestyle="none", marker="o", markersize=11, color=theme.MUTED,
                      label="final eval; area \u221d KL spike at the switch")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, frameon=False)
    return ax


@_made_from('distillation')
def distillation_gap(transitions: pd.DataFrame) -> Figure:
    """Figure: severity of the hybrid-distillation collapse against the size gap (see :func:`draw_distillation_gap`)."""
    fig, ax = _figure((9, 6.5))
    draw_distillation_gap(ax, transitions)
    ax.set_title("Collapse severity against the teacher/student gap")
    return fig


# --- 8. dashboard ----------------------------------------------------------------------------------------

def _key_numbers(advantage, summary, transitions, grid, matrix, n_values: int,
                 sizes: tuple[float, float] = (3, 8)) -> list[str]:
    """Bullet lines of key numbers, every number from the inputs."""
    lines = []
    at_n = advantage[advantage["n_values"] == n_values]
    if not at_n.empty:
        r = at_n.loc[at_n["ratio"].idxmax()]
        lines.append(f"At N = {fmt.number(n_values)}, {_method_label(r['method'])} needs "
                     f"{fmt.ratio(r['ratio'], lower_bound=bool(r['ratio_is_lower_bound']))} the episodes of "
                     "supervised learning")
    lines.append(f"Model switch {_points(summary.switch_gain_points)} points in "
                 f"{fmt.duration(summary.switch_minutes)}; training {_points(summary.training_gain_points)} in "
                 f"{fmt.duration(summary.training_minutes)}: gain ratio {fmt.ratio(summary.gain_ratio)}, "
                 f"per-minute ratio {fmt.ratio(summary.roi_ratio)}")
    spikes = transitions.dropna(subset=["kl_spike_ratio"])
    if not spikes.empty:
        r = spikes.loc[spikes["kl_spike_ratio"].idxmax()]
        lines.append(f"KL jumps {fmt.ratio(r['kl_spike_ratio'])} at the phase transition "
                     f"({_gap_label(r['family'], r['gap'])}, {_severity(r['severity'])})")
    from .words.collapse import key_number

    lines.append(key_number(grid))
    small, large = sizes
    for task in _measured_at_both(matrix, sizes):
        t = matrix[matrix["task"] == task].set_index("params_b")["performance"]
        lines.append(f"{task}: {fmt.pct(t[small])} at {fmt.size(small)}, {fmt.pct(t[large])} at {fmt.size(large)}")
    measured = int((matrix["status"] == "measured").sum())
    lines.append(f"Capability map: {fmt.number(measured)} of {fmt.number(len(matrix))} cells are measurements")
    return lines


def draw_key_numbers(ax, advantage, summary, transitions, grid, matrix, n_values: int = 100,
                     sizes: tuple[float, float] = (3, 8), width: int = 44):
    """A text panel of key numbers (see :func:`summary_dashboard` for the inputs)."""
    ax.axis("off")
    lines = _key_numbers(advantage, summary, transitions, grid, matrix, n_values, sizes)
    body = "\n".join(textwrap.fill(line, width, initial_indent="\u2022 ", subsequent_indent="   ",
                                   break_on_hyphens=False) for line in lines)
    ax.text(0.0, 1.0, "Key numbers", transform=ax.transAxes, ha="left", va="top", fontsize=13, weight="bold")
    ax.text(0.0, 0.9, body, transform=ax.transAxes, ha="left", va="top", fontsize=10.5, linespacing=1.45,
            bbox=theme.NOTE_BOX)
    return ax


@_made_from('memorization', 'roi', 'distillation', 'mode_collapse', 'capability')
def summary_dashboard(episodes_table, advantage, roi_table, summary, log, transitions, grid, matrix,
                      n_values: int = 100, sizes: tuple[float, float] = (3, 8)) -> Figure:
    """Figure: the five findings on one page (four rows; the ROI scatter and the capability map span both columns), each panel drawn by its ``draw_*`` function.

    Inputs are those of the single figures: episodes table and SL advantage (finding 5, at ``n_values``),
    ROI table and :class:`roi.SwitchVsTraining` (3), step log and transitions (4), collapse grid (2) and
    capability matrix (1) with the two model ``sizes`` compared.
    """
    theme.set_theme()
    fig = plt.figure(figsize=DASHBOARD, layout="constrained")
    grid_spec = fig.add_gridspec(4, 2, height_ratios=[1, 0.9, 1, 1.15])
    bars, collapse_ax = fig.add_subplot(grid_spec[0, 0]), fig.add_subplot(grid_spec[0, 1])
    roi_ax = fig.add_subplot(grid_spec[1, :])
    phase, key = fig.add_subplot(grid_spec[2, 0]), fig.add_subplot(grid_spec[2, 1])
    capability_ax = fig.add_subplot(grid_spec[3, :])
    draw_sl_vs_rl_bars(bars, episodes_table, advantage, n_values, compact=True)
    draw_roi_scatter(roi_ax, roi_table, summary, compact=True)
    draw_phase_transition(phase, log, transitions, "eval_score", compact=True)
    draw_mode_collapse_heatmap(collapse_ax, grid, compact=True)
    draw_capability_heatmap(capability_ax, matrix, sizes, compact=True)
    draw_key_numbers(key, advantage, summary, transitions, grid, matrix, n_values, sizes, width=34)
    titles = {bars: f"SL vs RL at N = {fmt.number(n_values)}", roi_ax: "Model switch vs training",
              phase: "Hybrid distillation: eval score", collapse_ax: "Mode collapse",
              capability_ax: "Capability by model size"}
    for ax, title in titles.items():
        ax.set_title(title, fontsize=12)
    fig.suptitle("The five patterns at a glance")
    return fig
