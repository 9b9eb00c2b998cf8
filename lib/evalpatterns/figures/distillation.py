"""Finding 4's figures: the phase transition (eval score and KL against step) and the collapse against the size gap."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import distillation
from .. import formatting as fmt
from .. import many_runs, theme
from ..words.distillation import kl_change
from ._common import SMALL, _figure, _gap_label, _made_from, _note, _severity, _sig2, _wrap

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

#: Up to this many conditions, each is labelled with its gap and severity.
LABELLED = 12


def _condition_label(c) -> str:
    """``Llama 70x gap`` (with the method where there is one: ``Llama 70x gap (hybrid)``)."""
    return _gap_label(c.family, c.gap) + ("" if c.method is None else f" ({c.method})")


def _condition_text(c) -> str:
    """A condition's label: its gap, then its one run's severity or its seeds' collapses, and its drop."""
    drop = f"drop {fmt.decimal(c.mean_drop, 2)}"
    if c.n_seeds == 1:
        severity = "complete" if c.n_complete else "partial" if c.n_partial else "none"
        return f"{_condition_label(c)}\n{_severity(severity)}, {drop}"
    return (f"{_condition_label(c)}\n{int(c.n_complete + c.n_partial)}/{int(c.n_seeds)} seeds collapsed, "
            f"mean {drop}")


def _label_conditions(ax, shown: pd.DataFrame, colors: dict) -> None:
    """A label per condition in a column right of the axes, beside its point's height, spread so that none
    overlaps another, each joined to its point by a thin line."""
    y_axes = ax.transAxes.inverted().transform(ax.transData.transform(shown[["gap", "mean_drop"]].to_numpy(float)))
    gap = 1.5 * 1.25 * 2 * SMALL / 72 * ax.figure.dpi / max(ax.get_window_extent().height, 1.0)
    placed = many_runs.spread_labels(y_axes[:, 1], 0.03, 0.97, gap)
    for c, y in zip(shown.itertuples(), placed):
        ax.annotate(_condition_text(c), (c.gap, c.mean_drop), xytext=(1.03, y), textcoords="axes fraction",
                    ha="left", va="center", fontsize=SMALL, annotation_clip=False,
                    bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=colors[c.family]),
                    arrowprops=dict(arrowstyle="-", color=colors[c.family], lw=0.7, shrinkB=5), zorder=6)


def draw_distillation_gap(ax, runs: pd.DataFrame | None, conditions: pd.DataFrame, note: str | None = None,
                          labels: bool = True):
    """Teacher/student gap (x) against the severity the correlation tests (y): the relative drop of the eval
    score across the transition (:func:`distillation.relative_drop`).

    ``runs``: the judged runs (rows of :func:`distillation.transitions`, with each run's ``status`` from
    :func:`distillation.run_labels`), each a small point (None: none drawn, as with many runs);
    ``conditions``: :func:`distillation.conditions`, each with several seeds drawn as its mean drop with its
    t interval (``ci_low`` to ``ci_high``) as an error bar (and, when no run is drawn, each with one seed as its
    one drop). Markers follow each value's provenance (:func:`theme.marker_kwargs`). ``note``: the correlation, in a line (see
    :func:`evalpatterns.words.distillation.correlation_note`). Up to :data:`LABELLED` conditions are labelled
    when ``labels``, in a column right of the axes. No trend line is drawn.
    """
    families = list(dict.fromkeys(list(conditions["family"]) + ([] if runs is None else list(runs["family"]))))
    style = {f: (theme.family_color(f, i), theme.family_marker(f, i)) for i, f in enumerate(families)}
    if runs is not None and len(runs):
        drops = distillation.relative_drop(runs)
        for r, drop in zip(runs.itertuples(), drops):
            color, marker = style[r.family]
            ax.plot([r.gap], [drop], linestyle="none", marker=marker, markersize=9, markeredgewidth=1.6, zorder=4,
                    gid=f"run-{r.run}", **theme.marker_kwargs(color, getattr(r, "status", "measured")))
    pooled = conditions[conditions["n_drops"] >= 2]
    for c in pooled.itertuples():
        color, marker = style[c.family]
        bars = ax.errorbar([c.gap], [c.mean_drop], yerr=[[c.mean_drop - c.ci_low], [c.ci_high - c.mean_drop]],
                           fmt=marker, markersize=12, markeredgewidth=2, capsize=6, elinewidth=1.8, ecolor=color,
                           zorder=3, **theme.marker_kwargs(color, c.status))
        bars.lines[0].set_gid(f"mean-{_condition_label(c)}")
        bars.lines[2][0].set_gid(f"ci-{_condition_label(c)}")
    if runs is None:  # no run drawn: a condition of one seed is its one point
        for c in conditions[conditions["n_drops"] == 1].itertuples():
            color, marker = style[c.family]
            ax.plot([c.gap], [c.mean_drop], linestyle="none", marker=marker, markersize=9, markeredgewidth=1.6,
                    zorder=4, gid=f"mean-{_condition_label(c)}", **theme.marker_kwargs(color, c.status))
    shown = conditions.dropna(subset=["gap", "mean_drop"])
    xmax = shown["gap"].max() * 1.1 if len(shown) and shown["gap"].max() > 0 else 1.0
    if note:
        _note(ax, _wrap(note, 70 if labels else 45), xy=(0.02, 0.97), ha="left", size=10)
    ax.axhline(0, color=theme.MUTED, lw=0.8, zorder=1, gid="no-drop")  # 0: no fall
    ys = pd.concat([shown["mean_drop"], pooled["ci_low"], pooled["ci_high"],
                    distillation.relative_drop(runs) if runs is not None else pd.Series(dtype=float)]).dropna()
    ax.set_xlim(0, xmax)
    ax.set_ylim(min(0.0, ys.min() if len(ys) else 0.0) - 0.08, max(1.0, ys.max() if len(ys) else 1.0) + 0.2)
    ax.set(xlabel="Teacher / student size gap (x)",
           ylabel="Relative drop of the eval score\n(1 \u2212 lowest after / last before the switch)")
    if labels and len(shown) <= LABELLED:
        _label_conditions(ax, shown, {f: c for f, (c, _) in style.items()})
    one = "a run" if runs is not None else "a condition of one seed"
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=9, color=theme.MUTED, label=one)
               ] if runs is not None or (conditions["n_drops"] == 1).any() else []
    if len(pooled):
        handles.append(Line2D([], [], marker="o", markersize=12, color=theme.MUTED,
                              label="a condition's mean, 95% t interval"))
    statuses = list(conditions["status"].dropna()) + ([] if runs is None or "status" not in runs
                                                      else list(runs["status"]))
    handles += theme.status_handles(statuses)
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                  ncols=min(len(handles), 3 if labels else 1), frameon=False)
    return ax


@_made_from('distillation')
def distillation_gap(runs: pd.DataFrame, conditions: pd.DataFrame, note: str | None = None) -> Figure:
    """Figure: the relative drop across the transition against the size gap, per run and per condition (see
    :func:`draw_distillation_gap`)."""
    fig, ax = _figure((10, 6.5))
    draw_distillation_gap(ax, runs, conditions, note)
    ax.set_title("Collapse severity (relative drop) against the teacher/student gap")
    return fig
