"""The five findings on one page: :func:`summary_dashboard` and its key-numbers panel."""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .. import formatting as fmt
from .. import theme
from ._common import DASHBOARD, _gap_label, _made_from, _method_label, _points, _severity
from .capability import _measured_at_both, draw_capability_heatmap
from .collapse import draw_mode_collapse_heatmap
from .distillation import draw_phase_transition
from .memorization import draw_sl_vs_rl_bars
from .roi import draw_roi_scatter

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
    from ..words.collapse import key_number

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
