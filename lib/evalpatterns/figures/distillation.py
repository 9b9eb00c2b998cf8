"""Finding 4's figures: the phase transition (eval score and KL against step) and the collapse against the size gap."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import formatting as fmt
from .. import theme
from ..words.distillation import kl_change
from ._common import SMALL, _figure, _gap_label, _made_from, _note, _severity, _sig2

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
    """Arrow to the largest KL spike: 'KL jumps 363x in one step (0.015 -> 5.4)', the verb following the ratio
    (:func:`evalpatterns.words.distillation.kl_change`: 'KL rises 1.45x', 'KL falls to 0.28x of its value')."""
    spikes = transitions.dropna(subset=["kl_spike_ratio"])
    if spikes.empty:
        return
    r = spikes.loc[spikes["kl_spike_ratio"].idxmax()]
    text = (f"{_gap_label(r['family'], r['gap'])}: KL {kl_change(float(r['kl_spike_ratio']))}\n"
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
