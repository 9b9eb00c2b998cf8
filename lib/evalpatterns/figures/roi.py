"""Finding 3's figure: training attempts and the model switch, time against accuracy change."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from .. import formatting as fmt
from .. import theme
from ._common import SINGLE, SMALL, _below_xlabel, _digits, _figure, _made_from, _note, _points, _wrap

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
            f"All {fmt.number(summary.training_attempts)} training attempts: {t_gain} points at best,\n"
            f"    in {fmt.duration(summary.training_minutes)} in total\n"
            f"Gain ratio (points, time ignored): {gain}\n"
            f"ROI ratio (points per minute): {roi_ratio}")


MANY_POINTS = 12  # more attempts than this: one marker layer per kind, and only the best of each kind labelled


def _draw_each(ax, roi_table: pd.DataFrame, compact: bool) -> None:
    """Every attempt its own marker and label (a few attempts)."""
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


def _draw_many(ax, roi_table: pd.DataFrame, compact: bool) -> None:
    """Many attempts: the markers of each category and provenance drawn at once (smaller, translucent), the
    ranges as one bar layer, and only the attempt with the largest change of each kind labelled."""
    cat = pd.Series(np.where(roi_table["kind"] == "model_switch", "model_switch",
                             np.where(roi_table["change_points"] < 0, "failed", "marginal")), index=roi_table.index)
    filled = roi_table["status"].map(lambda s: theme.status_style(s).filled)
    for (c, f), part in roi_table.groupby([cat, filled], sort=True):
        color = theme.ROI_COLORS[c]
        ax.scatter(part["minutes"], part["change_points"], s=80 if c == "model_switch" else 24,
                   marker="*" if c == "model_switch" else "o", facecolor=color if f else "white",
                   edgecolor=theme.INK if f else color, linewidth=0.5 if f else 1, alpha=0.7, zorder=3)
    ranged = roi_table[roi_table["is_range"]]
    if len(ranged):
        ax.errorbar(ranged["minutes"], ranged["change_points"],
                    yerr=[ranged["change_points"] - ranged["change_low"], ranged["change_high"] - ranged["change_points"]],
                    fmt="none", color=theme.INK, capsize=3, lw=1, zorder=4)
    _label_best(ax, roi_table, compact)


LABEL_WIDTH = 48  # characters: a longer label wraps, so that it fits across a narrow panel


def _label_best(ax, roi_table: pd.DataFrame, compact: bool) -> None:
    """Label the attempt with the largest change of each kind, in a band kept empty at the top of the axes:
    the leftmost of the two points labelled at the left, the other below it at the right, each joined to its
    point by a line; so no label can cover another, the baseline's label or a mark, however the points fall."""
    best = []
    for kind in ("model_switch", "training"):
        rows = roi_table[roi_table["kind"] == kind].dropna(subset=["change_points"])
        if len(rows):
            row = rows.loc[rows["change_points"].idxmax()]
            text = ("best " + ("switch" if kind == "model_switch" else "training") + ": "
                    + _roi_point_label(row, compact).replace("\n", ", "))
            best.append((row, _wrap(text, LABEL_WIDTH)))
    if not best:
        return
    lines = sum(text.count("\n") + 1 for _, text in best)  # one row each: two never meet, however wide
    band = (0.08 if not compact else 0.12) * lines + 0.02  # of the axes' height
    lo, hi = _change_extent(roi_table)
    pad = 0.08 * ((hi - lo) or 1.0)
    bottom, top = lo - pad, hi + pad
    ax.set_ylim(bottom, top + band / (1 - band) * (top - bottom))
    best.sort(key=lambda b: b[0]["minutes"])
    sides = [(0.01, "left"), (0.99, "right")] if len(best) == 2 else [
        (0.01, "left") if _left_half(roi_table, best[0][0]) else (0.99, "right")]
    down = 0.0  # points below the band's top
    for (row, text), (x, ha) in zip(best, sides):
        ax.annotate(text, (row["minutes"], row["change_points"]), xytext=(x, 0.985), va="top",
                    textcoords=offset_copy(ax.transAxes, fig=ax.figure, y=-down, units="points"),
                    ha=ha, fontsize=SMALL, weight="bold", zorder=6,
                    arrowprops=dict(arrowstyle="-", color=theme.MUTED, lw=0.8),
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.85))
        down += (text.count("\n") + 1) * 1.25 * SMALL + 5


def _change_extent(roi_table: pd.DataFrame) -> tuple[float, float]:
    """The lowest and highest accuracy change drawn (ranges included), and 0, where the baseline is drawn."""
    values = pd.concat([roi_table[c] for c in ("change_points", "change_low", "change_high")]).dropna()
    if values.empty:
        return 0.0, 0.0
    return min(float(values.min()), 0.0), max(float(values.max()), 0.0)


def _left_half(roi_table: pd.DataFrame, row) -> bool:
    lo, hi = roi_table["minutes"].min(), roi_table["minutes"].max()
    return hi == lo or row["minutes"] <= (lo + hi) / 2


_CATEGORY_KEYS = {"failed": ("o", 10, "training: below baseline"),
                  "marginal": ("o", 10, "training: at or above baseline"),
                  "model_switch": ("*", 15, "model switch")}


def _category_handles(roi_table: pd.DataFrame) -> list:
    """A key entry for each kind of mark drawn, none for a kind no attempt has (words follow the data)."""
    drawn = roi_table.dropna(subset=["change_points"])
    present = {_roi_category(row) for _, row in drawn.iterrows()}
    return [Line2D([], [], linestyle="none", marker=marker, markersize=size, color=theme.ROI_COLORS[cat],
                   markeredgecolor=theme.INK, label=label)
            for cat, (marker, size, label) in _CATEGORY_KEYS.items() if cat in present]


def draw_roi_scatter(ax, roi_table: pd.DataFrame, summary, compact: bool = False):
    """Minutes invested against accuracy change (points vs baseline), one point per attempt.

    ``roi_table``: :func:`roi.roi_table`; ``summary``: :class:`roi.SwitchVsTraining`. A range of accuracy
    (``is_range``) is drawn as a vertical bar; the box gives both the gain ratio and the per-minute ratio.
    """
    many = len(roi_table) > MANY_POINTS
    if many:
        _draw_many(ax, roi_table, compact)
    else:
        _draw_each(ax, roi_table, compact)
    base = roi_table["accuracy_point"].iloc[0] - roi_table["change_points"].iloc[0] / 100
    ax.axhline(0, color=theme.MUTED, linestyle="--", lw=1.3, zorder=1)
    lo, hi = _change_extent(roi_table)
    below = many and -lo > hi  # many: on the side of the line with more room, away from the labels' band
    ax.annotate(f"baseline {fmt.pct(base)}", (1, 0), xycoords=("axes fraction", "data"),
                xytext=(-4, -4 if below else 4), textcoords="offset points", ha="right",
                va="top" if below else "bottom", fontsize=SMALL, color=theme.MUTED)
    ax.margins(x=0.08, y=0.2)
    ax.set(xlabel="Time invested (minutes)", ylabel="Accuracy change (points vs baseline)")
    handles = _category_handles(roi_table)
    if roi_table["is_range"].any():
        handles.append(Line2D([], [], color=theme.INK, marker="_", markersize=10, lw=1.4,
                              label="reported accuracy range"))
    handles += theme.status_handles(roi_table["status"])
    note = _switch_vs_training_text(summary, compact)
    if many:  # the cloud can reach any part of the axes: the legend and the note go below them, side by side
        legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0),
                           bbox_transform=_below_xlabel(ax), fontsize=SMALL,
                           frameon=False, borderaxespad=0)
        ax.annotate(note, (1, 1), xycoords=legend, xytext=(18, 0), textcoords="offset points", ha="left",
                    va="top", fontsize=SMALL, bbox=theme.NOTE_BOX, multialignment="left")
    else:
        _note(ax, note, size=SMALL)
        ax.legend(handles=handles, loc="center right", fontsize=SMALL)
    return ax


@_made_from('roi')
def roi_scatter(roi_table: pd.DataFrame, summary) -> Figure:
    """Figure: training attempts and the model switch, time against accuracy change (see :func:`draw_roi_scatter`)."""
    fig, ax = _figure(SINGLE if len(roi_table) <= MANY_POINTS else (SINGLE[0], SINGLE[1] + 1.5))  # room for the key
    draw_roi_scatter(ax, roi_table, summary)
    ax.set_title("Training attempts vs a model switch: time invested and accuracy gained")
    return fig
