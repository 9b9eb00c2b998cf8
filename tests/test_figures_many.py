"""Figures for many runs (evalpatterns.figures_many): few legend entries, no overlapping labels, the bands
drawn from the data, on a generated log of 200 runs in 20 families."""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from evalpatterns import distillation, figures_many, many_runs  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic  # noqa: E402


@pytest.fixture(scope="module")
def data():
    log = synthetic.distillation_frame(20_000)
    log["family"] = log["run"].str.slice(0, 2) + (log["run"].str.slice(-2).astype(int) % 5).astype(str)
    runs = distillation.transitions(log)
    assert runs["family"].nunique() == 20
    return log, runs


def _texts_overlap(fig, texts) -> bool:
    """Whether any two labels' boxes (the text with its frame, not the arrow to its point) overlap."""
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in texts]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_phase_bands_pool_families_past_eight_and_keep_the_legend_short(data):
    log, runs = data
    fig = figures_many.phase_bands(log, runs)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(labels) == figures_many.MAX_GROUPS + 2 <= 12
    assert any(t.startswith(figures_many.OTHER) for t in labels)
    for ax in fig.axes:
        annotations = [c for c in ax.texts if c.get_text().startswith(("ll", "qw", "ge", "mi"))]
        assert len(annotations) == figures_many.EXTREMES and not _texts_overlap(fig, annotations)
    plt.close(fig)


def test_phase_band_medians_are_the_runs_medians(data):
    log, runs = data
    family = runs["family"].value_counts().index[0]  # the largest family is drawn on its own, never pooled
    curves = many_runs.phase_curves(log, runs, "kl")
    mine = curves[curves["family"] == family]
    at_switch = mine[mine["offset"] == 0].iloc[0]
    t = runs.set_index("run")["transition_step"]
    logged = log[log["family"].eq(family) & (log["step"] == log["run"].map(t))]
    assert at_switch["q50"] == pytest.approx(np.nanmedian(logged["kl"].to_numpy(dtype=float)))
    fig, ax = plt.subplots()
    figures_many.draw_phase_bands(ax, log, runs, "kl")
    drawn = [line for line in ax.lines if np.array_equal(line.get_xdata(), mine["offset"].to_numpy())]
    assert any(np.allclose(line.get_ydata(), mine["q50"].to_numpy()) for line in drawn)
    plt.close(fig)


def test_severity_overview_has_one_bar_per_group_and_labels_that_do_not_overlap(data):
    log, runs = data
    conditions = distillation.conditions(runs[runs["severity"].isin(["complete", "partial", "none"])],
                                         distillation.run_labels(log))
    fig = figures_many.severity_overview(runs, conditions, "a note")
    fig.canvas.draw()
    shares, drops, spikes = fig.axes
    assert len(shares.get_yticklabels()) == figures_many.MAX_GROUPS
    assert len(shares.get_legend().get_texts()) <= 5
    labels = [t for t in spikes.texts if ":" in t.get_text()]
    assert len(labels) == figures_many.EXTREMES and not _texts_overlap(fig, labels)
    top = many_runs.top_runs(runs, 1)["run"].iloc[0]
    assert any(t.get_text().startswith(f"{top}:") for t in labels)
    plt.close(fig)


def test_distillation_figures_pick_bands_for_many_runs_and_every_run_for_few():
    from evalpatterns import figures
    from evalpatterns.findings import distillation as finding
    from evalpatterns.words import distillation as words

    log = synthetic.distillation_frame(300 * 100, seed=1)
    many = finding.analyse(log[log["step"] % 50 == 0])
    assert many.many and len(many.transitions) == 300
    figs = figures_many.distillation_figures(many)
    phase = figs["fig-phase-transition"]
    assert phase._suptitle.get_text() == "Hybrid distillation: 290 of 300 runs switch phase"
    entries = [t.get_text() for leg in phase.legends for t in leg.get_texts()]
    assert 0 < len(entries) <= 12 and "10-90 % of runs" in entries
    gap = figs["fig-distillation-gap"]
    assert [ax.get_title() for ax in gap.axes] == ["Collapse severity by family and gap",
                                                   "Relative drop against the gap, by condition",
                                                   "KL spike at the transition"]
    # the middle panel: one point per condition at its mean relative drop, no run drawn, the correlation noted
    drawn = sorted(float(ln.get_ydata()[0]) for ln in gap.axes[1].lines if str(ln.get_gid()).startswith("mean-"))
    assert drawn == pytest.approx(sorted(many.conditions["mean_drop"].dropna()))
    assert not [ln for ln in gap.axes[1].lines if str(ln.get_gid()).startswith("run-")]
    assert words.correlation_note(many.correlation) in [" ".join(t.get_text().split()) for t in gap.axes[1].texts]
    assert all(len(ax.get_legend().get_texts()) <= 12 for ax in gap.axes if ax.get_legend())
    plt.close("all")
    few = finding.analyse(log[log["run"].isin(log["run"].unique()[:5])])
    assert not few.many
    got = figures_many.distillation_figures(few)
    want = {"fig-phase-transition": figures.phase_transition(few.log, few.transitions),
            "fig-distillation-gap": figures.distillation_gap(figures_many.gap_runs(few), few.conditions)}
    for name in want:
        assert [ax.get_title() for ax in got[name].axes] == [ax.get_title() for ax in want[name].axes]
        assert [len(ax.lines) for ax in got[name].axes] == [len(ax.lines) for ax in want[name].axes]
    plt.close("all")


def test_at_ten_thousand_runs_no_box_overlaps_another_and_legends_stay_short():
    """10,000 runs (every tenth logged step): each figure drawn once; no two boxes (labels, notes, legends,
    ticks, titles) overlap, none leaves the figure, no legend has more than a dozen entries, and no text is
    smaller than the house minimum (theme.SMALL_PT; the labels were 8.5 pt)."""
    from evalpatterns import report, theme
    from evalpatterns.findings import distillation as finding
    from figurecheck import outside_figure, overlapping_texts

    log = synthetic.distillation_frame(10_000 * 100, seed=1)
    result = finding.analyse(log[log["step"] % 100 == 0])
    assert result.many and len(result.transitions) == 10_000
    for name, fig in figures_many.distillation_figures(result).items():
        assert overlapping_texts(fig) == [] and outside_figure(fig) == [], name
        assert report.smallest_font_pt(fig) >= theme.SMALL_PT, name
        legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
        assert legends and all(len(legend.get_texts()) <= 12 for legend in legends), name
        plt.close(fig)


def test_severity_shares_hatch_and_tell_apart_the_runs_not_judged():
    import pandas as pd

    from evalpatterns import theme

    runs = pd.DataFrame({"run": list("abcd"), "family": ["X"] * 4, "gap": [2.0] * 4,
                         "severity": ["complete", "already collapsed", "no eval before", "no eval"]})
    fig, ax = plt.subplots()
    figures_many.draw_severity_shares(ax, runs)
    bars = {c.get_label(): c.patches[0] for c in ax.containers}
    assert list(bars) == ["complete", "already collapsed", "no eval before", "no eval"]  # SEVERITIES' order
    assert [b.get_width() for b in bars.values()] == [0.25] * 4  # one run of four each
    assert not bars["complete"].get_hatch() and all(bars[s].get_hatch() for s in list(bars)[1:])
    colors = {s: theme.SEVERITY_COLORS[s] for s in bars}
    assert len(set(colors.values())) == 4
    plt.close(fig)
