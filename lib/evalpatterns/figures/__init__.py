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

Layout: :mod:`._common` (sizes, the smallest text, shared helpers, :func:`._made_from`), one module per
finding's figures (:mod:`.capability`, :mod:`.collapse`, :mod:`.roi`, :mod:`.distillation`,
:mod:`.memorization`) and :mod:`.dashboard` (:func:`summary_dashboard`, the key-numbers panel). Every name is
re-exported here, so ``figures.X`` reads as it did when this was one module.
"""
from ._common import (  # noqa: F401
    DASHBOARD,
    METHOD_ORDER,
    SEVERITY_TEXT,
    SINGLE,
    SMALL,
    _digits,
    _figure,
    _gap_label,
    _grid_axes,
    _log_number_axis,
    _lower_bound_arrow,
    _made_from,
    _method_label,
    _methods,
    _note,
    _points,
    _severity,
    _sig2,
    _wrap,
)
from .capability import (  # noqa: F401
    _capability_label,
    capability_heatmap,
    draw_capability_heatmap,
)
from .collapse import (  # noqa: F401
    draw_mode_collapse_heatmap,
    mode_collapse_heatmap,
)
from .dashboard import (  # noqa: F401
    draw_key_numbers,
    summary_dashboard,
)
from .distillation import (  # noqa: F401
    LABELLED,
    METRIC_LABELS,
    _annotate_kl_spike,
    _run_handles,
    _shade_phases,
    distillation_gap,
    draw_distillation_gap,
    draw_phase_transition,
    phase_transition,
)
from .memorization import (  # noqa: F401
    _advantage_text,
    _annotate_constant,
    _fit_labels,
    draw_sl_vs_rl_bars,
    draw_sl_vs_rl_scaling,
    sl_vs_rl_bars,
    sl_vs_rl_scaling,
)
from .roi import (  # noqa: F401
    _roi_category,
    _roi_point_label,
    _switch_vs_training_text,
    draw_roi_scatter,
    roi_scatter,
)

__all__ = [
    "METHOD_ORDER",
    "SINGLE",
    "DASHBOARD",
    "SMALL",
    "SEVERITY_TEXT",
    "draw_sl_vs_rl_scaling",
    "sl_vs_rl_scaling",
    "draw_roi_scatter",
    "roi_scatter",
    "METRIC_LABELS",
    "draw_phase_transition",
    "phase_transition",
    "draw_mode_collapse_heatmap",
    "mode_collapse_heatmap",
    "draw_capability_heatmap",
    "capability_heatmap",
    "draw_sl_vs_rl_bars",
    "sl_vs_rl_bars",
    "LABELLED",
    "draw_distillation_gap",
    "distillation_gap",
    "draw_key_numbers",
    "summary_dashboard",
]
