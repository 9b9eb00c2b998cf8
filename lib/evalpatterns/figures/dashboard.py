"""The five findings on one page: :func:`summary_dashboard` and its key-numbers panel, which draws the lines it
is given (their words are :func:`evalpatterns.words.summary.key_numbers`)."""
from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .. import formatting as fmt
from .. import theme
from ._common import DASHBOARD, _made_from
from ..capability import heatmap_tasks
from .capability import draw_capability_heatmap
from .collapse import draw_mode_collapse_heatmap
from .distillation import draw_phase_transition
from .memorization import draw_sl_vs_rl_bars
from .roi import draw_roi_scatter

# --- 8. dashboard ----------------------------------------------------------------------------------------

def draw_key_numbers(ax, lines: Sequence[str], width: int = 44):
    """A text panel of key numbers: ``lines`` as given (:func:`evalpatterns.words.summary.key_numbers` writes
    them from the findings' results), one bullet each, wrapped at ``width`` characters."""
    ax.axis("off")
    body = "\n".join(textwrap.fill(line, width, initial_indent="\u2022 ", subsequent_indent="   ",
                                   break_on_hyphens=False) for line in lines)
    ax.text(0.0, 1.0, "Key numbers", transform=ax.transAxes, ha="left", va="top", fontsize=13, weight="bold")
    ax.text(0.0, 0.9, body, transform=ax.transAxes, ha="left", va="top", fontsize=10.5, linespacing=1.45,
            bbox=theme.NOTE_BOX)
    return ax


@_made_from('memorization', 'roi', 'distillation', 'mode_collapse', 'capability')
def summary_dashboard(episodes_table, advantage, roi_table, summary, log, transitions, grid, matrix,
                      key_numbers: Sequence[str], n_values: int = 100, sizes: tuple[float, float] = (3, 8),
                      many_runs: bool = False, gaps=None) -> Figure:
    """Figure: the five findings on one page (four rows; the ROI scatter and the capability map span both columns), each panel drawn by its ``draw_*`` function.

    Inputs are those of the single figures: episodes table and SL advantage (finding 5, at ``n_values``),
    ROI table and :class:`roi.SwitchVsTraining` (3), step log and transitions (4), collapse grid (2) and
    capability matrix (1) with the two model ``sizes`` compared; ``key_numbers``, the lines of the key-numbers
    panel (:func:`evalpatterns.words.summary.key_numbers`), drawn as given. With ``many_runs`` (Finding 4's
    ``Result.many``) the eval-score panel is drawn as per-family bands around the transition
    (:func:`evalpatterns.figures_many.draw_phase_bands`), as its chapter draws it, not one line per run; ``log``
    may then be an engine step log that is never loaded. With Finding 1's ``gaps`` (``Result.gaps``) and more
    than :data:`~evalpatterns.capability.MANY_TASKS` tasks, the capability panel draws the tasks
    :func:`~evalpatterns.capability.heatmap_tasks` chooses, one row each, as its chapter's figure does.
    """
    theme.set_theme()
    fig = plt.figure(figsize=DASHBOARD, layout="constrained")
    # One subfigure per row, so that each row lays out its own margins: in one grid, the capability map's long
    # task names (many tasks) widened the left margin of every panel in the first column and squeezed them.
    rows = fig.subfigures(4, 1, height_ratios=[1, 0.9, 1, 1.15])
    bars, collapse_ax = rows[0].subplots(1, 2)
    roi_ax = rows[1].subplots()
    phase, key = rows[2].subplots(1, 2)
    capability_ax = rows[3].subplots()
    draw_sl_vs_rl_bars(bars, episodes_table, advantage, n_values, compact=True)
    draw_roi_scatter(roi_ax, roi_table, summary, compact=True)
    if many_runs:
        from ..figures_many import draw_phase_bands  # it builds on this package's helpers

        draw_phase_bands(phase, log, transitions, "eval_score")
    else:
        draw_phase_transition(phase, log, transitions, "eval_score", compact=True)
    draw_mode_collapse_heatmap(collapse_ax, grid, compact=True)
    few = gaps is None or (cap_tasks := heatmap_tasks(matrix, gaps)) is None
    draw_capability_heatmap(capability_ax, matrix, sizes, compact=True, tasks=None if few else cap_tasks)
    draw_key_numbers(key, key_numbers, width=34)
    titles = {bars: f"SL vs RL at N = {fmt.number(n_values)}", roi_ax: "Model switch vs training",
              phase: "Hybrid distillation: eval score", collapse_ax: "Mode collapse",
              capability_ax: "Capability by model size" if few else
              f"Capability by model size: {fmt.number(len(cap_tasks))} of {fmt.number(matrix['task'].nunique())} tasks"}
    for ax, title in titles.items():
        ax.set_title(title, fontsize=12)
    fig.suptitle("The five patterns at a glance")
    return fig
