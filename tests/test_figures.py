"""Tests of evalpatterns.figures and evalpatterns.theme, on the real data in ``data/``.

Each figure is built from the analysis results and inspected: the number of axes, what its cells, bars and
labels say, and that a label follows the data (change a value, the label changes). Every figure is also
rendered and checked for overlapping text.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from evalpatterns import (capability, collapse, distillation, figures, formatting, io, memorization,  # noqa: E402
                          roi, theme)
from evalpatterns import figures_many  # noqa: E402
from evalpatterns.findings import distillation as finding  # noqa: E402
from evalpatterns.words import summary as summary_words  # noqa: E402

import distlogs as dl  # noqa: E402
from figurecheck import drawn_texts, outside_figure, overlapping_texts, rendered  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"


# --------------------------------------------------------------------------------------------------------------
# fixtures: the analysis results the figures take

@pytest.fixture(scope="module")
def episodes():
    return memorization.episodes_table(io.load("memorization", DATA / "memorization.csv"))


@pytest.fixture(scope="module")
def fits(episodes):
    return memorization.scaling_fits(episodes)


@pytest.fixture(scope="module")
def advantage(episodes):
    return memorization.sl_advantage(episodes)


@pytest.fixture(scope="module")
def roi_table():
    return roi.roi_table(io.load("roi", DATA / "roi.csv"), 0.73)


@pytest.fixture(scope="module")
def summary(roi_table):
    return roi.switch_vs_training(roi_table)


@pytest.fixture(scope="module")
def log():
    return io.load("distillation", DATA / "distillation.csv")


@pytest.fixture(scope="module")
def transitions(log):
    return distillation.transitions(log)


@pytest.fixture(scope="module")
def grid():
    return collapse.collapse_grid(collapse.classify_collapse(io.load("mode_collapse", DATA / "mode_collapse.csv")))


@pytest.fixture(scope="module")
def matrix():
    return capability.capability_matrix(io.load("capability", DATA / "capability.csv"))


@pytest.fixture(scope="module")
def key_numbers(real_results):
    """The dashboard's key numbers on the real data (their words: tests/test_words_summary.py)."""
    return summary_words.key_numbers(real_results)


@pytest.fixture
def close():
    """Collects figures and closes them after the test."""
    made = []
    yield made.append
    for fig in made:
        plt.close(fig)


# --------------------------------------------------------------------------------------------------------------
# helpers

def texts(fig: Figure) -> list[str]:
    """Every non-empty text drawn on the figure (titles, labels, annotations, legends, ticks)."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def figure_legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def cells(ax, gid: str) -> list[Rectangle]:
    return [p for p in ax.patches if p.get_gid() == gid]


# --------------------------------------------------------------------------------------------------------------
# theme

def test_set_theme_is_idempotent():
    theme.set_theme()
    first = dict(matplotlib.rcParams)
    theme.set_theme()
    assert dict(matplotlib.rcParams) == first
    assert matplotlib.rcParams["axes.titlesize"] == theme.RC["axes.titlesize"]


def test_set_theme_does_not_change_the_backend():
    before = matplotlib.get_backend()
    theme.set_theme()
    assert matplotlib.get_backend() == before


def test_named_colours_are_valid_and_from_the_colour_blind_palette():
    named = {**theme.METHOD_COLORS, **theme.ROI_COLORS, **theme.FAMILY_COLORS, **theme.COLLAPSE_COLORS}
    assert set(named.values()) <= set(theme.OKABE_ITO.values())
    assert set(theme.METHOD_COLORS) == {"supervised", "rl_eoe", "rl_step"}
    assert set(theme.ROI_COLORS) == {"failed", "marginal", "model_switch"}
    assert theme.COLLAPSE_COLORS["collapsed"] != theme.COLLAPSE_COLORS["converged"]
    assert theme.HEATMAP_CMAP in {"viridis", "cividis"}


def test_every_status_has_a_style_and_non_measurements_are_hatched():
    assert set(theme.STATUS_STYLES) == {"measured", "figure", "illustrative", "pending"}
    assert theme.status_style("measured").filled and theme.status_style("measured").hatch is None
    assert not theme.status_style("figure").filled
    for s in ("illustrative", "pending"):
        assert theme.cell_kwargs("#000000", s)["hatch"]
        assert theme.status_style(s).tag == s


def test_status_handles_explain_only_the_statuses_present():
    handles = theme.status_handles(["figure", "measured", "figure"])
    assert [h.get_label() for h in handles] == [theme.STATUS_STYLES[s].label for s in ("measured", "figure")]
    assert theme.status_handles(["measured"]) == []
    assert len(theme.status_handles(["measured"], always=True)) == 1
    cell = theme.status_handles(["pending"], kind="cell")
    assert cell[0].get_hatch() == theme.STATUS_STYLES["pending"].hatch


def test_ink_for_picks_a_readable_text_colour():
    assert theme.ink_for("white") == theme.INK
    assert theme.ink_for("black") == "white"


# --------------------------------------------------------------------------------------------------------------
# 1. SL vs RL scaling

def test_scaling_legend_names_each_fitted_complexity(episodes, fits, close):
    fig = figures.sl_vs_rl_scaling(episodes, fits)
    close(fig)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    labels = legend_texts(fig.axes[0])
    for r in fits.itertuples():
        expected = r.complexity if r.fitted else "no fit"
        assert any(theme.METHOD_LABELS[r.method] in t and expected in t for t in labels), (r.method, labels)
    assert "lower bound (budget hit)" in labels
    assert theme.STATUS_STYLES["figure"].label in labels  # hollow markers are explained


def test_scaling_legend_follows_the_fits(episodes, fits, close):
    changed = fits.copy()
    changed.loc[changed["method"] == "rl_eoe", "complexity"] = "O(n^9.99)"
    fig = figures.sl_vs_rl_scaling(episodes, changed)
    close(fig)
    assert any("O(n^9.99)" in t for t in legend_texts(fig.axes[0]))


def test_scaling_draws_lower_bounds_with_arrows_and_hollow_figure_points(episodes, fits, close):
    fig = figures.sl_vs_rl_scaling(episodes, fits)
    close(fig)
    ax = fig.axes[0]
    arrows = [a for a in ax.texts if a.get_text() == "" and getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == int(episodes["lower_bound"].sum())
    markers = [ln for ln in ax.lines if ln.get_marker() not in ("None", None, "") and len(ln.get_xdata()) == 1]
    hollow = [ln for ln in markers if mcolors.same_color(ln.get_markerfacecolor(), "white")]
    assert len(markers) == len(episodes)
    assert len(hollow) == int((episodes["status"] == "figure").sum())


def test_scaling_labels_a_constant_method_from_the_data(episodes, fits, close):
    fig = figures.sl_vs_rl_scaling(episodes, fits)
    close(fig)
    assert "11 episodes at every N" in texts(fig)
    changed = episodes.copy()
    changed.loc[changed["method"] == "supervised", "episodes"] = 12.0
    fig2 = figures.sl_vs_rl_scaling(changed, fits)
    close(fig2)
    assert "12 episodes at every N" in texts(fig2)


# --------------------------------------------------------------------------------------------------------------
# 2. ROI scatter

def test_roi_scatter_names_both_ratios(roi_table, summary, close):
    fig = figures.roi_scatter(roi_table, summary)
    close(fig)
    assert len(fig.axes) == 1
    body = "\n".join(texts(fig))
    assert formatting.ratio(summary.gain_ratio) in body and formatting.ratio(summary.roi_ratio) in body
    assert "Gain ratio" in body and "ROI ratio" in body
    for approach in roi_table["approach"]:
        assert approach in body


def test_roi_scatter_past_a_dozen_attempts_labels_only_the_best_of_each_kind(roi_table, summary, close):
    from evalpatterns.figures.roi import MANY_POINTS

    # the post's attempts repeated to 3 x 6 = 18 rows (names made distinct): more than MANY_POINTS
    many = pd.concat([roi_table.assign(approach=roi_table["approach"] + f" #{i}") for i in range(3)],
                     ignore_index=True)
    assert len(many) > MANY_POINTS >= len(roi_table)
    fig = figures.roi_scatter(many, summary)
    close(fig)
    body = "\n".join(texts(fig))
    labels = [t for t in texts(fig) if t.startswith("best ")]
    assert len(labels) == 2 and "best switch: " in body and "best training: " in body
    assert sum(a in body for a in many["approach"]) == 2  # no other attempt is named
    points = sum(len(c.get_offsets()) for c in fig.axes[0].collections if hasattr(c, "get_offsets")
                 and not getattr(c, "get_segments", None))
    assert points >= len(many) - 3  # every attempt drawn (the baseline row and ranges aside)


def test_roi_scatter_with_many_attempts_keeps_its_legend_off_the_points(close):
    """200 attempts (benchmarks/synthetic.py's ``roi_frame``) fill the axes: the legend sits below them, and its
    box covers no point's display position; a training time past 48 hours reads in days in the note."""
    import sys

    sys.path.insert(0, str(DATA.parent / "benchmarks"))
    import synthetic

    table = roi.roi_table(synthetic.roi_frame(200), 0.73)
    summary = roi.switch_vs_training(table)
    fig = figures.roi_scatter(table, summary)
    close(fig)
    renderer, ax = rendered(fig), fig.axes[0]
    box = ax.get_legend().get_window_extent(renderer)
    points = ax.transData.transform(table[["minutes", "change_points"]].dropna().to_numpy(dtype=float))
    assert len(points) == 199 and not any(box.contains(x, y) for x, y in points)
    assert box.y1 < ax.get_window_extent(renderer).y0  # below the axes
    assert summary.training_minutes > 48 * 60 and "days" in formatting.duration(summary.training_minutes)
    assert f"in {formatting.duration(summary.training_minutes)} in total" in "\n".join(texts(fig))


@pytest.mark.parametrize("baseline", [0.73, 0.95])
@pytest.mark.parametrize("rows", [6, 200])
def test_roi_scatter_legend_lists_only_the_kinds_of_attempt_drawn(baseline, rows, close):
    """At a baseline of 73% some training attempt reaches it, at 95% none does: the key says 'at or above
    baseline' only in the first case (a key entry for marks not drawn would be a false statement)."""
    import sys

    sys.path.insert(0, str(DATA.parent / "benchmarks"))
    import synthetic

    frame = io.load("roi", DATA / "roi.csv") if rows == 6 else synthetic.roi_frame(rows)
    table = roi.roi_table(frame, baseline)
    fig = figures.roi_scatter(table, roi.switch_vs_training(table))
    close(fig)
    training = table[table["kind"] == "training"]["change_points"].dropna()
    labels = legend_texts(fig.axes[0])
    assert ("training: at or above baseline" in labels) == bool((training >= 0).any())
    assert ("training: below baseline" in labels) == bool((training < 0).any())
    assert "model switch" in labels
    assert (baseline == 0.73) == ("training: at or above baseline" in labels)  # both cases are exercised


def test_roi_scatter_annotation_follows_the_summary(roi_table, summary, close):
    fig = figures.roi_scatter(roi_table, summary._replace(gain_ratio=77.0, roi_ratio=4321.0))
    close(fig)
    body = "\n".join(texts(fig))
    assert "77x" in body and "4,321x" in body
    assert formatting.ratio(summary.gain_ratio) + "\n" not in body


def test_roi_scatter_shows_the_reported_range_as_an_error_bar(roi_table, summary, close):
    fig = figures.roi_scatter(roi_table, summary)
    close(fig)
    ax = fig.axes[0]
    ranged = roi_table[roi_table["is_range"]].iloc[0]
    segments = [seg for c in ax.collections for seg in getattr(c, "get_segments", lambda: [])()]
    spans = [(s[0][1], s[1][1]) for s in segments if len(s) == 2 and s[0][0] == s[1][0] == ranged["minutes"]]
    assert (ranged["change_low"], ranged["change_high"]) in spans
    assert "0\u20133%" in "\n".join(texts(fig))  # the range is labelled as a range
    zero = [ln for ln in ax.lines if list(ln.get_ydata()) == [0, 0] and ln.get_linestyle() == "--"]
    assert zero, "dashed zero line"


# --------------------------------------------------------------------------------------------------------------
# 3. phase transition

def test_phase_transition_has_two_panels_labelled_by_family_and_gap(log, transitions, close):
    fig = figures.phase_transition(log, transitions)
    close(fig)
    assert len(fig.axes) == 2
    labels = figure_legend_texts(fig)
    assert any(t.startswith("Llama 70x gap") for t in labels)
    assert any(t.startswith("Qwen 7.5x gap") for t in labels)
    for ax in fig.axes:
        vlines = [ln for ln in ax.lines if ln.get_linestyle() == "--" and len(set(ln.get_xdata())) == 1]
        assert {ln.get_xdata()[0] for ln in vlines} == set(transitions["transition_step"].astype(float))


def test_phase_transition_annotates_the_largest_kl_spike(log, transitions, close):
    fig = figures.phase_transition(log, transitions)
    close(fig)
    kl_texts = "\n".join(t.get_text() for t in fig.axes[1].texts)
    top = transitions.loc[transitions["kl_spike_ratio"].idxmax()]
    assert formatting.ratio(top["kl_spike_ratio"]) in kl_texts and "Llama" in kl_texts
    changed = transitions.copy()
    changed.loc[changed["family"] == "Qwen", "kl_spike_ratio"] = 9999.0
    fig2 = figures.phase_transition(log, changed)
    close(fig2)
    assert "Qwen 7.5x gap: KL jumps 9,999x" in "\n".join(t.get_text() for t in fig2.axes[1].texts)
    # the verb follows the ratio: no run's KL jumps when the largest change is a fall
    fallen = transitions.assign(kl_spike_ratio=[0.28, 0.5][: len(transitions)] + [0.1] * (len(transitions) - 2))
    fig3 = figures.phase_transition(log, fallen)
    close(fig3)
    text = "\n".join(t.get_text() for t in fig3.axes[1].texts)
    assert "KL falls to 0.5x of its value" in text and "jumps" not in text


def test_phase_transition_skips_missing_values_and_marks_statuses(log, transitions, close):
    fig = figures.phase_transition(log, transitions)
    close(fig)
    kl_ax = fig.axes[1]
    llama = log[log["run"] == "llama-hybrid-seed8"]
    lines = [ln for ln in kl_ax.lines if len(ln.get_xdata()) > 2]
    assert any(list(ln.get_xdata()) == list(llama.dropna(subset=["kl"])["step"]) for ln in lines)
    assert all(pd.notna(list(ln.get_ydata())).all() for ln in kl_ax.lines)
    assert theme.STATUS_STYLES["figure"].label in figure_legend_texts(fig)


# --------------------------------------------------------------------------------------------------------------
# 4. mode-collapse grid

def test_mode_collapse_grid_separates_runs_from_cells_never_run(grid, close):
    fig = figures.mode_collapse_heatmap(grid)
    close(fig)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    runs, empty = cells(ax, "run"), cells(ax, "no-run")
    assert len(runs) == 3 and len(empty) == 6
    assert all(p.get_hatch() for p in empty) and not any(p.get_hatch() for p in runs)
    run_colours = {mcolors.to_hex(p.get_facecolor()) for p in runs}
    assert run_colours == {theme.COLLAPSE_COLORS["collapsed"].lower(), theme.COLLAPSE_COLORS["converged"].lower()}
    # a cell never run is an illustrative value (the original drew it collapsed): white, hatched in the
    # collapsed colour, as illustrative cells are in every figure
    illustrative = theme.cell_kwargs(theme.COLLAPSE_COLORS["collapsed"], "illustrative")
    assert all(mcolors.same_color(p.get_facecolor(), "white") and p.get_hatch() == illustrative["hatch"]
               and mcolors.same_color(p._hatch_color, theme.COLLAPSE_COLORS["collapsed"]) for p in empty)
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("no run") == 6
    assert "Attempt 4\n73.5%\nconverged" in labels
    assert theme.NO_RUN_LABEL in legend_texts(ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5e-6", "5e-5", "2e-4"]


def test_mode_collapse_labels_follow_the_data(grid, close):
    changed = grid.copy()
    changed.loc[changed["attempt"] == 4, "accuracy"] = 0.5
    fig = figures.mode_collapse_heatmap(changed)
    close(fig)
    assert "Attempt 4\n50%\nconverged" in [t.get_text() for t in fig.axes[0].texts]


def test_the_mode_collapse_key_names_no_run_only_where_a_cell_has_none(grid, close):
    """The key names only marks the grid draws: every cell run, no "no run" entry (the post's grid has six)."""
    full = pd.DataFrame([(lr, rank) for lr in (5e-6, 5e-5) for rank in (16, 64)], columns=["learning_rate", "lora_rank"])
    runs = full.assign(accuracy=[0.7, 0.1, 0.72, 0.12], collapsed=[False, True, False, True], status="measured",
                       attempt=range(1, 5), source="x", note="")
    fig = figures.mode_collapse_heatmap(runs)
    close(fig)
    assert theme.NO_RUN_LABEL not in legend_texts(fig.axes[0])
    assert {"converged", "collapsed"} <= set(legend_texts(fig.axes[0]))
    post = figures.mode_collapse_heatmap(grid)
    close(post)
    assert theme.NO_RUN_LABEL in legend_texts(post.axes[0])


def test_mode_collapse_cell_of_three_attempts_shows_the_share_that_collapsed(close):
    """Attempt 3's cell (5e-5, rank 64) given two more attempts, one converged (60%) and one collapsed but
    pending: 2 of its 3 attempts collapsed."""
    post = io.load("mode_collapse", DATA / "mode_collapse.csv")
    third = post[post["attempt"] == 3]
    more = pd.concat([post, third.assign(attempt=10, accuracy=0.6, n_correct=120),
                      third.assign(attempt=11, status="pending")], ignore_index=True)
    fig = figures.mode_collapse_heatmap(collapse.collapse_grid(collapse.classify_collapse(more)))
    close(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert "2/3 collapsed\n1 pending" in labels and not any("Attempt 3" in t for t in labels)
    assert "Attempt 4\n73.5%\nconverged" in labels and labels.count("no run") == 6  # the other cells as before
    cell = next(p for p in cells(ax, "run") if p.get_xy() == (1, 1))  # rank 64 (column 1), 5e-5 (row 1)
    # 2/3 of the way from converged #009E73 (0, 158, 115) to collapsed #D55E00 (213, 94, 0): (142, 115.3, 38.3)
    share = (142 / 255, (158 - 2 / 3 * 64) / 255, (115 - 2 / 3 * 115) / 255)
    # one attempt is pending: the cell is drawn as pending cells are, white hatched "xx" in its colour
    assert cell.get_hatch() == "xx" and mcolors.same_color(cell.get_facecolor(), "white")
    assert all(abs(a - b) < 1e-9 for a, b in zip(cell._hatch_color[:3], share))
    assert "k/n: k of a cell's n attempts collapsed" in legend_texts(ax)
    assert theme.STATUS_STYLES["pending"].label in legend_texts(ax)
    assert overlapping_texts(fig) == []


def test_mode_collapse_share_colour_keeps_a_single_outcomes_colour():
    assert mcolors.same_color(theme.collapse_share_color(0.0), theme.COLLAPSE_COLORS["converged"])
    assert mcolors.same_color(theme.collapse_share_color(1.0), theme.COLLAPSE_COLORS["collapsed"])
    assert mcolors.same_color(theme.collapse_share_color(float("nan")), theme.COLLAPSE_COLORS["unknown"])


def test_mode_collapse_dense_grid_writes_only_the_numbers(close):
    """60 cells (10 rates x 6 ranks, benchmarks/synthetic.py's ``mode_collapse_frame``): "k/n" or an
    accuracy, and no two labels overlap."""
    import sys

    sys.path.insert(0, str(DATA.parent / "benchmarks"))
    import synthetic

    grid = collapse.collapse_grid(collapse.classify_collapse(synthetic.mode_collapse_frame(200)))
    fig = figures.mode_collapse_heatmap(grid)
    close(fig)
    labels = [t.get_text() for t in fig.axes[0].texts]
    several = grid[grid["n_attempts"] > 1].iloc[0]
    assert f"{several['n_collapsed']}/{several['n_attempts']}" in labels
    assert len(labels) == len(grid) == 60 and all("\n" not in t for t in labels)
    assert grid["n_attempts"].sum() == 200 and overlapping_texts(fig) == []


# --------------------------------------------------------------------------------------------------------------
# 5. capability heat map

def test_capability_heatmap_tags_cells_that_are_not_measurements(matrix, close):
    fig = figures.capability_heatmap(matrix)
    close(fig)
    assert len(fig.axes) == 2  # the map and its colour bar
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert "70%\npending" in labels  # 8B character distillation: the run had not been done
    assert "20%\nillustrative" in labels
    assert "40%" in labels and "95%" in labels  # measured cells carry no tag
    not_measured = matrix["status"].isin(["illustrative", "pending"])
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == int(not_measured.sum())
    assert len(ax.patches) == len(matrix)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1B", "3B", "8B"]


def test_capability_cliff_is_not_stated_as_measured(matrix, close):
    fig = figures.capability_heatmap(matrix)
    close(fig)
    cliff = [t for t in legend_texts(fig.axes[0]) if "cliff" in t]
    assert cliff == ["the post's '3B cliff': measured at both sizes for 1 of 4 tasks"]


def test_capability_labels_follow_the_data(matrix, close):
    changed = matrix.copy()
    pick = (changed["task"] == "Character distillation") & (changed["params_b"] == 8)
    changed.loc[pick, "performance"] = 0.61
    fig = figures.capability_heatmap(changed)
    close(fig)
    assert "61%\npending" in [t.get_text() for t in fig.axes[0].texts]


def test_capability_colour_is_marks_in_the_direction_of_better_and_the_label_the_raw_score(close):
    # a break rate (lower better) of 20% is 80% of full marks: coloured as 0.8, labelled 20%
    data = pd.DataFrame({"project": "P", "task": ["Break", "Score"], "params_b": [3.0, 3.0], "stage": "base",
                         "value": [0.2, 0.2], "scale_max": 1.0, "higher_is_better": [False, True],
                         "status": "measured"})
    fig = figures.capability_heatmap(capability.capability_matrix(data))
    close(fig)
    ax, bar = fig.axes
    cmap = matplotlib.colormaps[theme.HEATMAP_CMAP]
    faces = [mcolors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert faces == [mcolors.to_hex(cmap(0.8)), mcolors.to_hex(cmap(0.2))]
    assert [t.get_text() for t in ax.texts] == ["20%", "20%"]
    assert "direction of better" in bar.get_ylabel() and "raw score" in bar.get_ylabel()


def _many_tasks(n: int):
    """``n`` tasks at 3B and 8B (the last one's 8B illustrative): 0.2 at 3B, 0.2 + 0.05 i at 8B."""
    rows = []
    for i in range(1, n + 1):
        rows += [(f"t{i:02d}", 3.0, 0.2, "measured"), (f"t{i:02d}", 8.0, 0.2 + 0.05 * i,
                                                       "illustrative" if i == n else "measured")]
    data = pd.DataFrame(rows, columns=["task", "params_b", "value", "status"]).assign(
        project="P", stage="base", scale_max=1.0)
    return capability.capability_matrix(data), capability.size_gaps(data)


def test_past_many_tasks_the_heat_map_draws_the_extreme_tasks_above_every_gap(close):
    matrix, gaps = _many_tasks(13)
    fig = figures.capability_heatmap(matrix, gaps)
    close(fig)
    ax, hist, bar = fig.axes
    # 12 of 13 tasks (t13's 8B is illustrative, so t13 has no gap; t01 has the smallest): t12 first (+55 points)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [f"t{i:02d}" for i in range(12, 0, -1)]
    assert len(ax.patches) == 24 and len(ax.texts) == 24
    assert [t.get_text() for t in ax.get_xticklabels()] == ["3B", "8B"]
    assert len(legend_texts(ax)) <= 12
    assert legend_texts(ax)[-1] == "the post's '3B cliff': measured at both sizes for 12 of 13 tasks"
    # the histogram counts every gap once, the cliff gaps (8B at or above half marks: i >= 6) in their own colour
    heights = [sum(p.get_height() for p in c) for c in hist.containers]
    assert sum(heights) == len(gaps) == 12 and heights == [7, 5]
    assert "12 tasks" in hist.get_title() and not hist.texts


def test_the_dashboard_draws_the_same_tasks_as_the_chapter_past_many(episodes, advantage, roi_table, summary, log,
                                                                      transitions, grid, key_numbers, close):
    matrix, gaps = _many_tasks(13)
    fig = figures.summary_dashboard(episodes, advantage, roi_table, summary, log, transitions, grid, matrix,
                                    key_numbers, gaps=gaps)
    close(fig)
    ax = next(a for a in fig.axes if a.get_title().startswith("Capability"))
    assert ax.get_title() == "Capability by model size: 12 of 13 tasks"
    assert [t.get_text() for t in ax.get_yticklabels()] == capability.extreme_tasks(gaps)


def test_up_to_many_tasks_the_heat_map_draws_every_task(close):
    matrix, gaps = _many_tasks(12)
    fig = figures.capability_heatmap(matrix, gaps)
    close(fig)
    assert len(fig.axes) == 2 and len(fig.axes[0].patches) == 24


# --------------------------------------------------------------------------------------------------------------
# 6. SL vs RL bars

def test_bars_label_lower_bounds_and_the_advantage(episodes, advantage, close):
    fig = figures.sl_vs_rl_bars(episodes, advantage, n_values=100)
    close(fig)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    label = next(t for t in ax.texts if t.get_gid() == "label-rl_step").get_text()
    assert label.startswith("10,000+") and "budget hit, did not converge" in label.replace("\n", " ")
    assert next(t for t in ax.texts if t.get_gid() == "label-supervised").get_text() == "11"
    bar = next(p for p in ax.patches if p.get_gid() == "bar-rl_step")
    assert bar.get_hatch() and not next(p for p in ax.patches if p.get_gid() == "bar-rl_eoe").get_hatch()
    assert "909x+" in "\n".join(texts(fig))
    assert ax.get_yscale() == "log"


def test_a_lower_bound_read_off_a_figure_shows_both(episodes, advantage, close):
    # data/memorization.csv: RL-Step at N = 50 is 10,000 episodes, read off figure 1, a lower bound
    fig = figures.sl_vs_rl_bars(episodes, advantage, n_values=50)
    close(fig)
    bars = {p.get_gid(): p for p in fig.axes[0].patches if p.get_gid()}
    assert bars["bar-rl_step"].get_hatch() == theme.STATUS_STYLES["figure"].hatch + theme.LOWER_BOUND_HATCH
    assert bars["bar-supervised"].get_hatch() == theme.STATUS_STYLES["figure"].hatch  # read off, not a bound
    label = next(t for t in fig.axes[0].texts if t.get_gid() == "label-rl_step").get_text()
    assert label.startswith("10,000+")


def test_bars_follow_the_problem_size(episodes, advantage, close):
    fig = figures.sl_vs_rl_bars(episodes, advantage, n_values=500)
    close(fig)
    ax = fig.axes[0]
    assert next(t for t in ax.texts if t.get_gid() == "label-rl_step").get_text().startswith("50,000+")
    assert "4,545x+" in "\n".join(texts(fig))
    assert "N = 500" in ax.get_title()


# --------------------------------------------------------------------------------------------------------------
# 7. distillation gap

def _gap_figure(result) -> Figure:
    return figures_many.distillation_figures(result)["fig-distillation-gap"]


@pytest.fixture(scope="module")
def seeded() -> finding.Result:
    """Three conditions: Llama 70x with 3 seeds (before 0.5, lowest after 0.1, 0.05, 0.0: drops 0.8, 0.9,
    1.0), Gemma 20x with 2 (before 0.4, after 0.16, 0.12: drops 0.6, 0.7), Qwen 7.5x with one, read off a
    figure (before 0.5, after 0.25: drop 0.5)."""
    return finding.analyse(dl.log(
        *[dl.collapsing(f"llama-s{s}", "Llama", 70, 0.5, (a,), seed=s) for s, a in ((1, 0.1), (2, 0.05), (3, 0.0))],
        *[dl.collapsing(f"gemma-s{s}", "Gemma", 20, 0.4, (a,), seed=s) for s, a in ((1, 0.16), (2, 0.12))],
        dl.collapsing("qwen", "Qwen", 7.5, 0.5, (0.25,), status="figure")))


def unwrapped(fig: Figure) -> list[str]:
    """The figure's texts with their line breaks undone (a note is wrapped to fit)."""
    return [" ".join(t.split()) for t in texts(fig)]


def _runs_drawn(ax) -> dict:
    return {ln.get_gid()[4:]: (float(ln.get_xdata()[0]), float(ln.get_ydata()[0])) for ln in ax.lines
            if str(ln.get_gid()).startswith("run-")}


def test_distillation_gap_draws_each_runs_relative_drop_against_the_gap(seeded, close):
    fig = _gap_figure(seeded)
    close(fig)
    drawn = _runs_drawn(fig.axes[0])
    # 1 - lowest after / before: 1 - 0.1/0.5 = 0.8, 1 - 0.05/0.5 = 0.9, 1 - 0/0.5 = 1; 1 - 0.16/0.4 = 0.6,
    # 1 - 0.12/0.4 = 0.7; 1 - 0.25/0.5 = 0.5
    want = {"llama-s1": (70, 0.8), "llama-s2": (70, 0.9), "llama-s3": (70, 1.0), "gemma-s1": (20, 0.6),
            "gemma-s2": (20, 0.7), "qwen": (7.5, 0.5)}
    assert drawn == {k: pytest.approx(v) for k, v in want.items()}
    drops = distillation.relative_drop(seeded.judged.set_index("run"))
    assert all(drawn[run][1] == pytest.approx(drops[run]) for run in want)


def test_distillation_gap_draws_each_pooled_conditions_mean_and_t_interval(seeded, close):
    fig = _gap_figure(seeded)
    close(fig)
    ax = fig.axes[0]
    ci = {c.get_gid()[3:]: c.get_segments()[0] for c in ax.collections if str(c.get_gid()).startswith("ci-")}
    mean = {ln.get_gid()[5:]: float(ln.get_ydata()[0]) for ln in ax.lines if str(ln.get_gid()).startswith("mean-")}
    # Llama: mean 0.9, SD 0.1, 0.9 -/+ t(0.975, 2) 4.3027 x 0.1 / sqrt(3) = 0.65159 to 1.14841
    # Gemma: mean 0.65, SD 0.070711, 0.65 -/+ t(0.975, 1) 12.7062 x 0.070711 / sqrt(2) = 0.01469 to 1.28531
    assert set(ci) == set(mean) == {"Llama 70x gap", "Gemma 20x gap"}  # Qwen has one seed: no interval
    assert mean == {"Llama 70x gap": pytest.approx(0.9), "Gemma 20x gap": pytest.approx(0.65)}
    assert [list(p) for p in ci["Llama 70x gap"]] == [pytest.approx([70, 0.65159], abs=1e-5),
                                                      pytest.approx([70, 1.14841], abs=1e-5)]
    assert [list(p) for p in ci["Gemma 20x gap"]] == [pytest.approx([20, 0.01469], abs=1e-5),
                                                      pytest.approx([20, 1.28531], abs=1e-5)]
    cond = seeded.conditions.set_index("family")
    for family, label in (("Llama", "Llama 70x gap"), ("Gemma", "Gemma 20x gap")):
        assert ci[label][:, 1].tolist() == pytest.approx([cond.loc[family, "ci_low"], cond.loc[family, "ci_high"]])
    lowest, highest = ax.get_ylim()
    assert lowest < 0.01469 and highest > 1.28531


def test_distillation_gap_notes_the_correlation_and_marks_provenance(seeded, close):
    fig = _gap_figure(seeded)
    close(fig)
    ax = fig.axes[0]
    # gaps 70, 20, 7.5 against mean drops 0.9, 0.65, 0.5: rho 1, exact p = 1/3! = 0.17; 3 < 5 conditions
    assert "Spearman's \u03c1 = 1.00, one-sided p = 0.17, over 3 conditions (not judged: fewer than 5)" in unwrapped(fig)
    assert "Gemma 20x gap\n2/2 seeds collapsed, mean drop 0.65" in texts(fig)  # 0.6, 0.7 > 0.25
    assert "Llama 70x gap\n3/3 seeds collapsed, mean drop 0.90" in texts(fig)
    qwen = next(ln for ln in ax.lines if ln.get_gid() == "run-qwen")
    llama = next(ln for ln in ax.lines if ln.get_gid() == "run-llama-s1")
    assert qwen.get_markerfacecolor() == "white" and llama.get_markerfacecolor() != "white"  # read off a figure
    assert "read off the original figure (approximate)" in legend_texts(ax)
    assert "a condition's mean, 95% t interval" in legend_texts(ax)


def test_distillation_gap_on_the_posts_two_runs_is_two_points_and_no_correlation(log, close):
    result = finding.analyse(log)
    fig = _gap_figure(result)
    close(fig)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    # Llama: 1 - 0.000 / 0.266 = 1; Qwen: 1 - 0.057 / 0.518 = 0.88996
    assert _runs_drawn(ax) == {"llama-hybrid-seed8": (70, 1.0), "qwen-hybrid": (7.5, pytest.approx(0.88996, abs=1e-5))}
    assert [ln.get_gid() for ln in ax.lines if len(ln.get_xdata()) >= 2] == ["no-drop"]  # no fitted line
    assert not [c for c in ax.collections if str(c.get_gid()).startswith("ci-")]  # one seed each: no interval
    body = texts(fig)
    assert "2 runs, fewer than the 5 a correlation is judged on: no correlation" in unwrapped(fig)
    assert "Llama 70x gap\ncomplete collapse, drop 1.00" in body
    assert "Qwen 7.5x gap\npartial collapse, drop 0.89" in body
    assert "a condition's mean, 95% t interval" not in legend_texts(ax)


# --------------------------------------------------------------------------------------------------------------
# 8. dashboard

def test_dashboard_reuses_the_panels_and_draws_the_key_numbers_it_is_given(episodes, advantage, roi_table,
                                                                            summary, log, transitions, grid, matrix,
                                                                            key_numbers, close):
    fig = figures.summary_dashboard(episodes, advantage, roi_table, summary, log, transitions, grid, matrix,
                                    key_numbers)
    close(fig)
    assert len(fig.axes) == 7  # six panels and the colour bar of the capability map
    body = "\n".join(texts(fig)).replace("\n   ", " ").replace("\n", " ")
    for number in ("909x+", formatting.ratio(summary.gain_ratio), formatting.ratio(summary.roi_ratio), "363x",
                   "2 of 3 runs collapsed", "4 of 12 cells"):
        assert number in body, number
    # the panel draws the lines it is given, each as a bullet, and writes none of its own
    assert len(key_numbers) == 6 and all(f"\u2022 {line}" in body for line in key_numbers)
    other = figures.summary_dashboard(episodes, advantage, roi_table, summary, log, transitions, grid, matrix,
                                      ["Given line one", "Given line two"])
    close(other)
    key_panel = next(ax for ax in other.axes if any(t.get_text() == "Key numbers" for t in ax.texts))
    assert [t.get_text() for t in key_panel.texts] == ["Key numbers", "\u2022 Given line one\n\u2022 Given line two"]
    collapse_panel = next(ax for ax in fig.axes if ax.get_title() == "Mode collapse")
    assert len(cells(collapse_panel, "no-run")) == 6


def test_dashboard_draws_bands_not_one_line_per_run_when_runs_are_many(episodes, advantage, roi_table, summary,
                                                                       grid, matrix, key_numbers, close):
    """With Finding 4's many runs the eval-score panel is its chapter's bands (a median line and a 10-90 % band
    per family, the few most extreme runs drawn): 300 runs in 3 families give 3 bands, not 300 lines."""
    from evalpatterns.findings import distillation as finding

    many_log = distillation_log_of_many_runs(300)
    result = finding.analyse(many_log)
    assert result.many and result.transitions["family"].nunique() == 3
    fig = figures.summary_dashboard(episodes, advantage, roi_table, summary, result.log, result.transitions, grid,
                                    matrix, key_numbers, many_runs=True)
    close(fig)
    phase = next(ax for ax in fig.axes if ax.get_title() == "Hybrid distillation: eval score")
    assert len(phase.collections) == 3  # one 10-90 % band per family (fill_between)
    assert len(phase.get_lines()) < 20  # three medians, the transition line and the few extreme runs
    assert phase.get_xlabel().startswith("Steps from the transition")


def distillation_log_of_many_runs(n_runs: int) -> pd.DataFrame:
    """``n_runs`` runs of the benchmarks' synthetic log (20 logged steps each), put into three families."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synthetic

    log = synthetic.distillation_frame(n_runs * 100, seed=1)
    log = log[log["step"] % 5 == 0].copy()
    number = log["run"].str.extract(r"(\d+)$", expand=False).astype(int)
    log["family"] = number.mod(3).map({0: "Llama", 1: "Qwen", 2: "Gemma"})
    return log


def test_titles_carry_no_figure_numbers(episodes, fits, advantage, roi_table, summary, log, transitions, grid,
                                        matrix, key_numbers, close):
    for build in builders(episodes, fits, advantage, roi_table, summary, log, transitions, grid, matrix, key_numbers).values():
        fig = build()
        close(fig)
        titles = [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]
        assert not any(t.strip()[:1].isdigit() for t in titles), titles


def builders(episodes, fits, advantage, roi_table, summary, log, transitions, grid, matrix, key_numbers) -> dict:
    """Figure name -> a function building that figure from the real data (the dashboard with ``key_numbers``)."""
    return {
        "scaling": lambda: figures.sl_vs_rl_scaling(episodes, fits),
        "roi": lambda: figures.roi_scatter(roi_table, summary),
        "phase": lambda: figures.phase_transition(log, transitions),
        "collapse": lambda: figures.mode_collapse_heatmap(grid),
        "capability": lambda: figures.capability_heatmap(matrix),
        "bars": lambda: figures.sl_vs_rl_bars(episodes, advantage),
        "gap": lambda: _gap_figure(finding.analyse(log)),
        "dashboard": lambda: figures.summary_dashboard(episodes, advantage, roi_table, summary, log, transitions,
                                                       grid, matrix, key_numbers),
    }


@pytest.mark.parametrize("name", ["scaling", "roi", "phase", "collapse", "capability", "bars", "gap",
                                  "dashboard"])
def test_no_text_overlaps_or_leaves_the_figure(name, episodes, fits, advantage, roi_table, summary, log,
                                               transitions, grid, matrix, key_numbers, close):
    fig = builders(episodes, fits, advantage, roi_table, summary, log, transitions, grid, matrix, key_numbers)[name]()
    close(fig)
    assert overlapping_texts(fig) == []
    assert outside_figure(fig) == []


def test_figures_keep_the_backend_and_are_closed_by_the_caller(episodes, fits, close):
    backend = matplotlib.get_backend()
    before = set(plt.get_fignums())
    fig = figures.sl_vs_rl_scaling(episodes, fits)
    close(fig)
    assert matplotlib.get_backend() == backend
    assert set(plt.get_fignums()) - before == {fig.number}
    plt.close(fig)
    assert set(plt.get_fignums()) == before


@pytest.mark.parametrize("name", ["scaling", "roi", "phase", "collapse", "capability", "bars", "gap",
                                  "dashboard"])
def test_every_figure_is_at_most_ten_inches_wide_with_text_of_at_least_ten_points(
        name, episodes, fits, advantage, roi_table, summary, log, transitions, grid, matrix, key_numbers, close):
    """Shown in the book's ~690 px column, a 10-inch figure gives 690 / (72 x 10) = 0.96 CSS px per point,
    so 10-point text is 9.6 px; the browser test measures it on the page."""
    fig = builders(episodes, fits, advantage, roi_table, summary, log, transitions, grid, matrix, key_numbers)[name]()
    close(fig)
    assert fig.get_size_inches()[0] <= 10
    assert min(t.get_fontsize() for t in drawn_texts(fig)) >= theme.SMALL_PT == 10
    assert fig.evalpatterns["function"] == f"figures.{fig.evalpatterns['function'].split('.')[1]}"
    assert getattr(figures, fig.evalpatterns["function"].split(".")[1]).__name__ in fig.evalpatterns["function"]


def test_every_figure_names_the_function_and_the_data_it_comes_from(episodes, fits, roi_table, summary, grid,
                                                                    close):
    made = [(figures.sl_vs_rl_scaling(episodes, fits), "figures.sl_vs_rl_scaling", ("memorization",)),
            (figures.roi_scatter(roi_table, summary), "figures.roi_scatter", ("roi",)),
            (figures.mode_collapse_heatmap(grid), "figures.mode_collapse_heatmap", ("mode_collapse",))]
    for fig, function, data in made:
        close(fig)
        assert fig.evalpatterns == {"function": function, "data": data}


def test_the_provenance_key_draws_every_status_and_the_lower_bound(close):
    fig = theme.provenance_key()
    close(fig)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    for status in theme.STATUS_ORDER:
        assert labels.count(theme.STATUS_STYLES[status].label) == 2  # as a marker and as a cell
    assert sum("lower bound" in label for label in labels) == 2
    assert overlapping_texts(fig) == [] and outside_figure(fig) == []


def test_the_overlap_check_finds_overlaps(close):
    fig = Figure(figsize=(4, 3))
    close(fig)
    ax = fig.subplots()
    ax.text(0.5, 0.5, "first label", transform=ax.transAxes)
    ax.text(0.52, 0.51, "second label", transform=ax.transAxes)
    ax.text(1.2, 0.5, "off the page", transform=ax.transAxes)
    assert overlapping_texts(fig) == [("first label", "second label")]
    assert outside_figure(fig) == ["off the page"]


# --------------------------------------------------------------------------------------------------------------
# every figure at its many-items size (issue 14): no box overlaps another, legends of about a dozen entries

def _synthetic(kind: str, frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """``frame`` (benchmarks/synthetic.py) written as a CSV file and read back through ``io.load``, as a chapter
    reads its data."""
    path = folder / f"{kind}.csv"
    frame.to_csv(path, index=False)
    return io.load(kind, path)


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """The findings on synthetic data at their many-items sizes: 10,000 ROI attempts (and a baseline row),
    10,000 mode-collapse attempts, 1,000 capability tasks, 100,000 memorization seeds."""
    import sys

    from evalpatterns import findings

    sys.path.insert(0, str(DATA.parent / "benchmarks"))
    import synthetic

    folder = tmp_path_factory.mktemp("many")
    frames = {("roi", "roi"): synthetic.roi_frame(10_001),
              ("collapse", "mode_collapse"): synthetic.mode_collapse_frame(10_000),
              ("capability", "capability"): synthetic.capability_frame(1_000),
              ("memorization", "memorization"): synthetic.memorization_frame(100_000)}
    return {name: findings.module(name).analyse({kind: _synthetic(kind, frame, folder)})
            for (name, kind), frame in frames.items()}


def _many_builders(many) -> dict:
    """Figure name -> a function drawing it as its chapter does on the :func:`many` results (Finding 4's many
    runs: tests/test_figures_many.py)."""
    r, c, cap, m = many["roi"], many["collapse"], many["capability"], many["memorization"]
    return {
        "roi": lambda: figures.roi_scatter(r.table, r.summary),
        "collapse": lambda: figures.mode_collapse_heatmap(c.grid),
        "capability": lambda: figures.capability_heatmap(cap.matrix, cap.gaps),
        "scaling": lambda: figures.sl_vs_rl_scaling(m.episodes, m.fits),
        "bars": lambda: figures.sl_vs_rl_bars(m.episodes, m.advantage),
    }


@pytest.mark.parametrize("name", ["roi", "collapse", "capability", "scaling", "bars"])
def test_at_many_items_no_box_overlaps_another_and_legends_stay_short(name, many, close):
    """Each figure drawn once on the :func:`many` results: no two boxes (labels, annotations, notes, legends,
    ticks, titles) overlap, none leaves the figure, and no legend has more than a dozen entries."""
    fig = _many_builders(many)[name]()
    close(fig)
    assert overlapping_texts(fig) == []
    assert outside_figure(fig) == []
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    assert all(len(legend.get_texts()) <= 12 for legend in legends)


def test_the_dashboards_roi_panel_at_many_attempts_keeps_clear(many, episodes, advantage, log, transitions, grid,
                                                               matrix, key_numbers, close):
    """The summary's dashboard on the repository's data but 10,000 ROI attempts: the compact panel's labels,
    note and legend overlap no other box (every finding at its many-items size: the test below)."""
    r = many["roi"]
    fig = figures.summary_dashboard(episodes, advantage, r.table, r.summary, log, transitions, grid, matrix,
                                    key_numbers)
    close(fig)
    panel = next(ax for ax in fig.axes if ax.get_title() == "Model switch vs training")
    assert sum(t.get_text().startswith("best ") for t in panel.texts) == 2
    assert overlapping_texts(fig) == [] and outside_figure(fig) == []

@pytest.mark.parametrize("attempts", [13, 99])
def test_past_a_dozen_attempts_the_roi_labels_note_and_legend_keep_clear(attempts, close):
    """benchmarks/synthetic.py's ``roi_frame`` (a baseline row and ``attempts`` attempts, seed 2, where the note
    box used to cover the best training attempt's label at 99): the best of each kind labelled in a band above
    the points, the note box and the legend below the axes; no box overlaps another, none leaves the figure.
    The many-items test above draws 10,000 attempts."""
    import sys

    sys.path.insert(0, str(DATA.parent / "benchmarks"))
    import synthetic

    table = roi.roi_table(synthetic.roi_frame(attempts + 1, seed=2), 0.73)
    fig = figures.roi_scatter(table, roi.switch_vs_training(table))
    close(fig)
    ax = fig.axes[0]
    best = [t.get_text() for t in ax.texts if t.get_text().startswith("best ")]
    assert [b.split(":")[0] for b in best] == ["best switch", "best training"]
    training = table[table["kind"] == "training"]
    assert training.loc[training["change_points"].idxmax(), "approach"] in best[1]
    note = next(t for t in ax.texts if t.get_text().startswith("Model switch:"))
    assert f"All {attempts - (table['kind'] == 'model_switch').sum()} training attempts" in note.get_text()
    assert overlapping_texts(fig) == [] and outside_figure(fig) == []
    renderer = rendered(fig)
    assert note.get_window_extent(renderer).y1 < ax.get_window_extent(renderer).y0  # below the axes


def test_the_dashboard_with_every_finding_at_its_many_items_size_keeps_every_label_clear(many, close):
    """The summary's dashboard with every finding at its many-items size (:func:`many`; Finding 4 with 10,000
    runs, drawn in bands as its chapter draws them), issue 14: the mode-collapse panel's 60 'k/n' labels were
    wider than its half-width cells (it now writes no numbers, and its key says what the colour means); the
    bars panel's method names overlapped, squeezed by the capability panel's long task names in one shared grid
    (each row is now a subfigure with its own margins); two capability cells' two-line labels overlapped (a
    many-tasks cell is one line). No box overlaps another or leaves the figure; no text is under 10 pt."""
    from evalpatterns import report
    from evalpatterns.findings import distillation as finding

    r, c, cap, m = many["roi"], many["collapse"], many["capability"], many["memorization"]
    d = finding.analyse(distillation_log_of_many_runs(10_000))
    assert d.many and len(d.transitions) == 10_000
    fig = figures.summary_dashboard(m.episodes, m.advantage, r.table, r.summary, d.log, d.transitions, c.grid,
                                    cap.matrix, ["a key number"], many_runs=True, gaps=cap.gaps)
    close(fig)
    panel = next(ax for ax in fig.axes if ax.get_title() == "Mode collapse")
    assert "between: the share of a cell's attempts that collapsed" in legend_texts(panel)
    assert not any("/" in t.get_text() for t in panel.texts)  # no 'k/n' in the compact dense grid
    assert overlapping_texts(fig) == [] and outside_figure(fig) == []
    assert report.smallest_font_pt(fig) >= theme.SMALL_PT
    bars = next(ax for ax in fig.axes if ax.get_title().startswith("SL vs RL"))
    capability = next(ax for ax in fig.axes if ax.get_title().startswith("Capability by model size"))
    assert bars.get_position().x0 < capability.get_position().x0  # the map's task names no longer set its margin
    assert any(t.get_text().endswith("% illustrative") for t in capability.texts)  # one line: '19% illustrative'
