"""Finding 4's figures for many runs: bands and distributions instead of a line, a point and a label per run.

What :mod:`.figures` draws run by run (:func:`.figures.phase_transition`, :func:`.figures.distillation_gap`)
stops being readable past a dozen runs, and drawing it costs time in proportion to the runs. These draw the
same questions from summaries whose size does not grow with the runs:

- :func:`phase_bands`: eval score and KL against the step relative to each run's transition; per family the
  median and the 10-90 % band of the runs, and the few most extreme runs as labelled lines;
- :func:`severity_overview`: per family and gap, the share of runs in each severity; per condition, the mean
  relative drop against the gap (what the correlation tests); and the distribution of the KL spike with the
  most extreme runs labelled.

Legends hold at most :data:`MAX_GROUPS` groups plus the shared entries (about a dozen in all); labels are
spread so that none overlaps another. As in :mod:`.figures`, nothing here reads files or analyses data
beyond the summaries of :mod:`.many_runs`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator, NullFormatter

from . import formatting as fmt
from . import many_runs, theme
from .distillation import JUDGED, SEVERITIES
from .figures import METRIC_LABELS, _figure, _gap_label, _note

MAX_GROUPS = 8       # families (or family-and-gap groups) drawn apart; the rest are pooled as "other"
OTHER = "other families"
EXTREMES = 3         # runs labelled on each panel
LABEL_SIZE = theme.SMALL_PT  # points: the house minimum


def _families(runs: pd.DataFrame) -> pd.Series:
    """Each run's family, with all but the :data:`MAX_GROUPS` - 1 largest pooled as :data:`OTHER` when there
    are more than :data:`MAX_GROUPS`."""
    counts = runs["family"].value_counts(sort=True)
    if len(counts) <= MAX_GROUPS:
        return runs["family"].astype(object)
    keep = set(counts.index[:MAX_GROUPS - 1])
    return runs["family"].where(runs["family"].isin(keep), OTHER).astype(object)


def _groups(runs: pd.DataFrame) -> pd.Series:
    """A label per run for the severity panels: '<family> <gap>x gap' while that makes at most
    :data:`MAX_GROUPS` groups, else the family (pooled as in :func:`_families`)."""
    pairs = runs[["family", "gap"]].drop_duplicates()
    if len(pairs) <= MAX_GROUPS:
        labels = {(r.family, r.gap): _gap_label(r.family, r.gap) for r in pairs.itertuples()}
        return pd.Series([labels[k] for k in zip(runs["family"], runs["gap"])], index=runs.index, dtype=object)
    return _families(runs)


def _color(names: list, name) -> str:
    return theme.MUTED if name == OTHER else theme.family_color(name, names.index(name))


def _label_runs(ax, points: pd.DataFrame, texts: list[str], x_text: float, ha: str = "left",
                y_range: tuple[float, float] = (0.04, 0.96)) -> None:
    """Labels at ``x_text`` (axes fraction) beside the points (x, y in data), spread within ``y_range``
    (axes fraction) so that none overlaps another."""
    if not len(points):
        return
    to_axes = ax.transAxes.inverted()
    xy = ax.transData.transform(points[["x", "y"]].to_numpy(float))
    y_axes = to_axes.transform(xy)[:, 1]
    height = ax.get_window_extent().height  # pixels; constrained layout may shrink it: a margin of 1.4
    gap = 1.4 * 2.0 * LABEL_SIZE * ax.figure.dpi / 72 / max(height, 1.0)
    placed = many_runs.spread_labels(y_axes, *y_range, gap)
    for (x, y), ty, text in zip(points[["x", "y"]].to_numpy(float), placed, texts):
        ax.annotate(text, (x, y), xytext=(x_text, ty), textcoords="axes fraction", ha=ha, va="center",
                    fontsize=LABEL_SIZE, bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor=theme.MUTED,
                                            lw=0.6),
                    arrowprops=dict(arrowstyle="-", color=theme.INK, lw=0.7, shrinkB=3), zorder=6)


def draw_phase_bands(ax, log: pd.DataFrame, runs: pd.DataFrame, metric: str = "eval_score",
                     extremes: int = EXTREMES):
    """``metric`` against the step relative to each run's transition (0 = the first on-policy step): per
    family the median (line) and the 10-90 % band of the runs that switch phase, and the ``extremes`` runs
    with the largest eval drop (``eval_score``) or KL spike (``kl``) drawn and labelled."""
    families = _families(runs)
    grouped = runs.assign(family=families)
    curves = many_runs.phase_curves(log, grouped, metric)
    names = list(dict.fromkeys(families.sort_values(key=lambda s: s.eq(OTHER), kind="stable")))
    ax.axvspan(curves["offset"].min() if len(curves) else -1, 0, color=theme.PHASE_COLORS["off_policy"],
               alpha=theme.PHASE_ALPHA, lw=0, zorder=0)
    ax.axvspan(0, curves["offset"].max() if len(curves) else 1, color=theme.PHASE_COLORS["on_policy"],
               alpha=theme.PHASE_ALPHA, lw=0, zorder=0)
    ax.axvline(0, color=theme.INK, linestyle="--", lw=1.3, zorder=1)
    for name in names:
        part = curves[curves["family"] == name]
        if part.empty:
            continue
        color = _color(names, name)
        ax.fill_between(part["offset"], part["q10"], part["q90"], color=color, alpha=0.18, lw=0, zorder=2)
        ax.plot(part["offset"], part["q50"], color=color, lw=2.2, zorder=3)
    by = "kl_spike_ratio" if metric == "kl" else "eval_drop"
    top = many_runs.top_runs(runs[runs["transition_step"].notna() & runs[by].notna()], extremes, by)
    lines = many_runs.run_curves(log, top, top["run"], metric)
    ends = []
    for name, part in lines.groupby("run", sort=False):
        ax.plot(part["offset"], part["value"], color=theme.INK, lw=0.9, alpha=0.8, zorder=4)
        at_switch = part.iloc[(part["offset"].abs()).argmin()]
        ends.append({"run": name, "x": at_switch["offset"], "y": at_switch["value"]})
    if ends:
        ends = pd.DataFrame(ends).merge(top, on="run")
        what = (lambda r: f"KL {fmt.ratio(r.kl_spike_ratio)}") if metric == "kl" else \
            (lambda r: f"drop {fmt.number(r.eval_drop, 2)}")
        # inside the panel's upper right (beside the panel there is the next one), boxed over the bands
        _label_runs(ax, ends, [f"{r.run}: {what(r)}" for r in ends.itertuples()], 0.98, "right", (0.62, 0.95))
    if curves.empty:
        _note(ax, f"no {METRIC_LABELS.get(metric, metric)} logged around a transition", size=10)
    ax.set(xlabel="Steps from the transition (0 = first on-policy step)", ylabel=METRIC_LABELS.get(metric, metric))
    return ax


def _band_handles(runs: pd.DataFrame) -> list:
    families = _families(runs)
    names = list(dict.fromkeys(families.sort_values(key=lambda s: s.eq(OTHER), kind="stable")))
    counts = families.value_counts()
    handles = [Line2D([], [], color=_color(names, n), lw=2.2, label=f"{n} (median of {fmt.number(counts[n])} runs)")
               for n in names]
    return handles + [Patch(facecolor=theme.MUTED, alpha=0.25, label="10-90 % of runs"),
                      Line2D([], [], color=theme.INK, lw=0.9, label="the most extreme runs")]


def phase_bands(log: pd.DataFrame, runs: pd.DataFrame, extremes: int = EXTREMES) -> Figure:
    """Figure: eval score and KL across the transition for many runs (see :func:`draw_phase_bands`)."""
    fig, (left, right) = _figure((15, 6), ncols=2)
    draw_phase_bands(left, log, runs, "eval_score", extremes)
    draw_phase_bands(right, log, runs, "kl", extremes)
    left.set_title("Eval score across the transition")
    right.set_title("KL divergence across the transition")
    n = int(runs["transition_step"].notna().sum())
    fig.suptitle(f"Hybrid distillation: {fmt.number(n)} of {fmt.number(len(runs))} runs switch phase")
    fig.legend(handles=_band_handles(runs), loc="outside lower center", ncols=4)
    return fig


def draw_severity_shares(ax, runs: pd.DataFrame):
    """One horizontal bar per group (family and gap): the share of its runs in each severity, with the
    number of runs at the end of the bar."""
    groups = _groups(runs)
    table = pd.crosstab(groups, runs["severity"], normalize="index").reindex(
        columns=[s for s in SEVERITIES if s in set(runs["severity"])], fill_value=0)
    counts = groups.value_counts()
    order = list(dict.fromkeys(groups.sort_values(key=lambda s: s.eq(OTHER), kind="stable")))[::-1]
    left = np.zeros(len(order))
    for severity in table.columns:
        share = table[severity].reindex(order).to_numpy()
        ax.barh(order, share, left=left, color=theme.SEVERITY_COLORS.get(severity, theme.MUTED),
                hatch=None if severity in JUDGED else "//", edgecolor="white", lw=0.8,
                label=severity)
        left += share
    for y, name in enumerate(order):
        ax.text(1.01, y, f"{fmt.number(counts[name])} runs", va="center", fontsize=LABEL_SIZE, color=theme.MUTED,
                transform=ax.get_yaxis_transform())
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: fmt.pct(v))
    ax.set(xlabel="Share of the group's runs")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=3, frameon=False)
    return ax


def draw_spike_distribution(ax, runs: pd.DataFrame, extremes: int = EXTREMES):
    """The KL spike at the transition per group, as box plots on a log axis (box: quartiles; whiskers: 5-95 %),
    with the ``extremes`` largest spikes labelled."""
    groups = _groups(runs)
    known = runs.assign(group=groups)
    known = known[known["kl_spike_ratio"].notna() & (known["kl_spike_ratio"] > 0)]
    order = [g for g in dict.fromkeys(groups.sort_values(key=lambda s: s.eq(OTHER), kind="stable"))][::-1]
    data = [known.loc[known["group"] == g, "kl_spike_ratio"].to_numpy() for g in order]
    if not len(known):
        _note(ax, "no KL spike can be computed (KL not logged on both sides of a transition)", size=10)
        return ax
    ax.boxplot([d if len(d) else [np.nan] for d in data], orientation="horizontal", whis=(5, 95),
               showfliers=False, widths=0.55, tick_labels=order,
               medianprops=dict(color=theme.INK, lw=2), boxprops=dict(color=theme.MUTED),
               whiskerprops=dict(color=theme.MUTED), capprops=dict(color=theme.MUTED))
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(lambda v, _: fmt.ratio(v))
    ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    top = many_runs.top_runs(known, extremes, "kl_spike_ratio")
    points = pd.DataFrame({"x": top["kl_spike_ratio"], "y": [order.index(g) + 1 for g in top["group"]]})
    ax.scatter(points["x"], points["y"], color=theme.SEVERITY_COLORS["complete"], edgecolor=theme.INK, zorder=5,
               s=36)
    _label_runs(ax, points, [f"{r.run}: {fmt.ratio(r.kl_spike_ratio)}" for r in top.itertuples()], 1.02)
    ax.set(xlabel="KL spike at the transition (x, log scale)")
    return ax


def severity_overview(runs: pd.DataFrame, conditions: pd.DataFrame, note: str | None = None,
                      extremes: int = EXTREMES) -> Figure:
    """Figure: severity shares by family and gap, the relative drop the correlation tests against the gap (one
    point per condition, no run drawn) and the KL spike's distribution (see :func:`draw_severity_shares`,
    :func:`.figures.draw_distillation_gap`, :func:`draw_spike_distribution`)."""
    from . import figures

    fig, (left, middle, right) = _figure((21, max(4.5, 1.0 + 0.55 * _groups(runs).nunique())), ncols=3)
    draw_severity_shares(left, runs)
    figures.draw_distillation_gap(middle, None, conditions, note, labels=False)
    draw_spike_distribution(right, runs, extremes)
    left.set_title("Collapse severity by family and gap")
    middle.set_title("Relative drop against the gap, by condition")
    right.set_title("KL spike at the transition")
    return fig


def distillation_figures(result) -> dict:
    """Finding 4's two figures for ``result`` (:class:`evalpatterns.findings.distillation.Result`), by name:
    with many runs (``result.many``) :func:`phase_bands` and :func:`severity_overview`, else
    :func:`.figures.phase_transition` and :func:`.figures.distillation_gap`, which draw every run. The gap
    figure's note is the correlation the chapter tests (:func:`.words.distillation.correlation_note`)."""
    from . import figures
    from .words.distillation import correlation_note

    note = correlation_note(result.correlation)
    if result.many:
        return {"fig-phase-transition": phase_bands(result.log, result.transitions),
                "fig-distillation-gap": severity_overview(result.transitions, result.conditions, note)}
    return {"fig-phase-transition": figures.phase_transition(result.log, result.transitions),
            "fig-distillation-gap": figures.distillation_gap(gap_runs(result), result.conditions, note)}


def gap_runs(result) -> pd.DataFrame:
    """The runs the gap figure draws: the judged runs with each run's ``status`` (and ``method``) from
    ``result.labels``."""
    judged = result.judged.drop(columns=[c for c in ("method", "status") if c in result.judged])
    return judged if result.labels is None else judged.merge(result.labels, on="run", how="left")
