"""The values each chapter's prose shows, computed from analysis results.

Each ``*_values`` function returns a flat dict ``name -> value``: raw numbers for machines (they go into
``results.json``) and ``*_text`` strings formatted for people (what ``{glue:text}`` shows), plus a few
words that depend on the data (``regressed`` or ``improved``), so that prose re-executed on other data says
what that data shows.
"""
from __future__ import annotations

import math

import pandas as pd

from . import formatting as fmt


def _count(n: int, noun: str) -> str:
    """``_count(1, 'run') == '1 run'``, ``_count(3, 'run') == '3 runs'``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _f(x) -> float:
    return float("nan") if x is None or pd.isna(x) else float(x)


def capability_values(gaps: pd.DataFrame, changes: pd.DataFrame, matrix: pd.DataFrame,
                      small_b: float, large_b: float) -> dict:
    """Finding 1: the largest size gap, the training change, and how many heat-map cells are not measured."""
    v = {"small_size_text": fmt.size(small_b), "large_size_text": fmt.size(large_b),
         "n_gap_tasks": int(len(gaps)), "n_cells": int(len(matrix)),
         "n_cells_measured": int(matrix["status"].eq("measured").sum())}
    v["n_cells_not_measured"] = v["n_cells"] - v["n_cells_measured"]
    other = matrix.loc[~matrix["status"].eq("measured"), "status"].value_counts()
    v["not_measured_text"] = (", ".join(f"{n} {s}" for s, n in other.items()) if len(other)
                              else "none: every cell is a measurement")
    if len(gaps):
        g = gaps.loc[gaps["gap_points"].abs().idxmax()]
        v.update(gap_task=str(g["task"]), gap_points=_f(g["gap_points"]), gap_points_text=fmt.number(g["gap_points"]),
                 gap_small=_f(g["small"]), gap_small_text=fmt.pct(g["small"]), gap_large=_f(g["large"]),
                 gap_large_text=fmt.pct(g["large"]))
    else:
        v.update(gap_task="none", gap_points=None, gap_points_text=fmt.NA, gap_small_text=fmt.NA,
                 gap_large_text=fmt.NA)
    if len(changes):
        c = changes.iloc[0]
        v.update(change_task=str(c["task"]), change_points=_f(c["change_points"]),
                 change_points_text=fmt.number(abs(c["change_points"])),
                 change_relative=_f(c["relative_change"]), change_relative_text=fmt.pct(abs(c["relative_change"]), 1),
                 change_direction="regressed" if c["regressed"] else "improved",
                 change_base_text=fmt.pct(c["base"]), change_trained_text=fmt.pct(c["trained"]))
    else:
        v.update(change_task="none", change_points=None, change_points_text=fmt.NA, change_relative_text=fmt.NA,
                 change_direction="did not change measurably", change_base_text=fmt.NA, change_trained_text=fmt.NA)
    return v


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def collapse_values(bracket, classified: pd.DataFrame, collapse_accuracy: float) -> dict:
    """Finding 2: the learning-rate bracket and the reduction that separated collapse from convergence."""
    from .collapse import SETTING_WORDS, changed_settings

    runs = classified[classified["collapsed"].notna()]
    cells_without_run = classified[classified["collapsed"].isna()]
    changed = [SETTING_WORDS.get(c, c) for c in changed_settings(classified)]
    if not bracket.n_collapsed or not bracket.n_converged:
        outcome = "no run collapsed" if not bracket.n_collapsed else "every run collapsed"
        bracket_text = (f"{outcome}, so the runs do not bracket a threshold: it lies "
                        + ("above the largest rate tried" if not bracket.n_collapsed else "below the smallest rate tried"))
    elif bracket.consistent:
        bracket_text = (f"the threshold lies between {fmt.sci(bracket.largest_converged)} (the largest rate that "
                        f"converged) and {fmt.sci(bracket.smallest_collapsed)} (the smallest that collapsed), "
                        f"a {fmt.ratio(bracket.ratio)} bracket; the runs do not locate it more finely")
    else:
        bracket_text = (f"no single threshold separates them: a run converged at {fmt.sci(bracket.largest_converged)}, "
                        f"above {fmt.sci(bracket.smallest_collapsed)}, where one collapsed")
    return {
        "bracket_text": bracket_text, "n_cells": int(len(classified.drop_duplicates(["learning_rate", "lora_rank"]))),
        "changed_settings_text": (f"{_words(changed)} changed with it, so the data cannot credit the learning rate "
                                  "alone" if changed else "no other recorded setting changed between the runs"),
        "collapse_accuracy": float(collapse_accuracy), "collapse_accuracy_text": fmt.pct(collapse_accuracy),
        "n_runs": int(len(runs)), "n_collapsed": bracket.n_collapsed, "n_converged": bracket.n_converged,
        "n_cells_without_run": int(len(cells_without_run)),
        "largest_converged": _f(bracket.largest_converged), "largest_converged_text": fmt.sci(bracket.largest_converged),
        "smallest_collapsed": _f(bracket.smallest_collapsed),
        "smallest_collapsed_text": fmt.sci(bracket.smallest_collapsed),
        "largest_collapsed_text": fmt.sci(bracket.largest_collapsed),
        "bracket_ratio": _f(bracket.ratio), "bracket_ratio_text": fmt.ratio(bracket.ratio),
        "collapsed_span": _f(bracket.collapsed_span), "collapsed_span_text": fmt.ratio(bracket.collapsed_span),
        "bracket_consistent": bool(bracket.consistent),
        "bracket_consistent_text": "a single threshold separates them" if bracket.consistent
        else "no single threshold separates them: a run converged above a rate that collapsed",
    }


def roi_values(data: pd.DataFrame, table: pd.DataFrame, summary, baseline_accuracy: float) -> dict:
    """Finding 3: totals of training, the switch, the two ratios, and the baseline model's reported range and
    size against the switched-to model (from the ``baseline`` rows of ``data``, the loaded roi.csv)."""
    from .roi import size_ratio as _size_ratio

    s = summary
    size_ratio = _size_ratio(data)
    base = data[data["kind"] == "baseline"]
    baseline_low, baseline_high = base["accuracy_low"].min(), base["accuracy_high"].max()
    return {
        "baseline_accuracy": float(baseline_accuracy), "baseline_accuracy_text": fmt.pct(baseline_accuracy),
        "baseline_range_text": fmt.pct_range(baseline_low, baseline_high),
        "training_minutes": _f(s.training_minutes), "training_time_text": fmt.duration(s.training_minutes),
        "training_minutes_text": fmt.number(s.training_minutes), "training_attempts": s.training_attempts,
        "training_gain_points": _f(s.training_gain_points), "training_gain_text": fmt.points(s.training_gain_points, 1),
        "best_training_accuracy_text": fmt.pct(s.best_training_accuracy, 1),
        "switch_minutes": _f(s.switch_minutes), "switch_time_text": fmt.duration(s.switch_minutes),
        "switch_accuracy_text": fmt.pct(s.switch_accuracy), "switch_gain_points": _f(s.switch_gain_points),
        "switch_gain_text": fmt.points(s.switch_gain_points), "switch_roi": _f(s.switch_roi),
        "switch_roi_text": fmt.number(s.switch_roi, 1), "training_roi": _f(s.training_roi),
        "training_roi_text": fmt.number(s.training_roi, 4),
        "roi_ratio": _f(s.roi_ratio), "roi_ratio_text": fmt.ratio(s.roi_ratio),
        "gain_ratio": _f(s.gain_ratio), "gain_ratio_text": fmt.ratio(s.gain_ratio),
        "size_ratio": _f(size_ratio),
        "size_ratio_text": fmt.ratio(max(size_ratio, 1 / size_ratio), 1) if size_ratio and not math.isnan(_f(size_ratio))
        else fmt.NA,
        "n_ranges": int(table["is_range"].sum()),
        "range_text": (f"{_count(int(table['is_range'].sum()), 'attempt')} reported only a range of accuracies; "
                       "its change and ROI are shown as ranges" if table["is_range"].any()
                       else "Every attempt reported a single accuracy"),
        "switch_beats_training": bool(s.switch_roi > s.training_roi) if not math.isnan(_f(s.roi_ratio)) else None,
        "size_relation": ("smaller" if size_ratio > 1 else "larger") if not math.isnan(_f(size_ratio)) else "n/a",
        "score_relation": ("higher" if s.switch_accuracy > s.best_training_accuracy else "no higher"),
    }


def distillation_values(transitions: pd.DataFrame, log: pd.DataFrame | None = None) -> dict:
    """Finding 4: the run with the largest KL spike and the severity of every run."""
    v = {"n_runs": int(len(transitions)), "n_runs_text": _count(len(transitions), "run"),
         "excerpt_run": str(transitions["run"].iloc[0]) if len(transitions) else "none",
         "n_steps_total": int(len(log)) if log is not None else None,
         "n_steps_measured": int(log["status"].eq("measured").sum()) if log is not None else None,
         "n_steps_other": int((~log["status"].eq("measured")).sum()) if log is not None else None,
         "n_with_transition": int(transitions["transition_step"].notna().sum()),
         "n_complete": int(transitions["severity"].eq("complete").sum()),
         "n_partial": int(transitions["severity"].eq("partial").sum())}
    spikes = transitions.dropna(subset=["kl_spike_ratio"])
    if len(spikes):
        r = spikes.loc[spikes["kl_spike_ratio"].idxmax()]
        v.update(spike_run=str(r["run"]), spike_family=str(r["family"]), spike_gap_text=fmt.ratio(r["gap"]),
                 spike_ratio=_f(r["kl_spike_ratio"]), spike_ratio_text=fmt.ratio(r["kl_spike_ratio"]),
                 spike_kl_before_text=fmt.number(r["kl_before"], 3), spike_kl_at_text=fmt.number(r["kl_at"], 4),
                 spike_step_text=str(int(r["transition_step"])),
                 spike_eval_before_text=fmt.number(r["eval_before"], 3),
                 spike_eval_after_text=fmt.number(r["eval_after_max"], 3), spike_severity=str(r["severity"]))
        v["excerpt_run"] = str(r["run"])
        v["transition_text"] = (f"In {r['run']} it is step {int(r['transition_step'])}. Across it the KL divergence "
                                f"goes from {fmt.number(r['kl_before'], 3)} to {fmt.number(r['kl_at'], 4)} in one "
                                f"logged step: a spike of {fmt.ratio(r['kl_spike_ratio'])}. The ratio divides by a "
                                "small pre-transition KL, so rounding that value moves it a lot")
    else:
        with_t = transitions.dropna(subset=["transition_step"])
        v["transition_text"] = ("No run changes from off-policy to on-policy, so there is no transition to look at"
                                if with_t.empty else
                                f"KL is not logged on both sides of the transition in any run, so no spike ratio "
                                f"can be computed (the first transition is at step {int(with_t['transition_step'].iloc[0])})")
        v.update(spike_run="none", spike_family="none", spike_gap_text=fmt.NA, spike_ratio=None,
                 spike_ratio_text=fmt.NA, spike_kl_before_text=fmt.NA, spike_kl_at_text=fmt.NA,
                 spike_step_text=fmt.NA, spike_eval_before_text=fmt.NA, spike_eval_after_text=fmt.NA,
                 spike_severity="unknown")
    return v


def claims_values(audited: pd.DataFrame, prefix: str = "claims") -> dict:
    """How many claims of a finding (or of the post) hold, and so on, as numbers and a sentence."""
    counts = audited["verdict"].value_counts()
    v = {f"{prefix}_n": int(len(audited))}
    for verdict in ("holds", "rounding", "differs", "unsupported"):
        v[f"{prefix}_{verdict}"] = int(counts.get(verdict, 0))
    parts = [f"{v[f'{prefix}_{k}']} {w}" for k, w in (("holds", "hold"), ("rounding", "differ only by rounding"),
                                                       ("differs", "differ"), ("unsupported", "are unsupported"))]
    v[f"{prefix}_text"] = f"Of {len(audited)} claims checked, " + ", ".join(parts[:-1]) + " and " + parts[-1]
    return v


def interval_values(frame: pd.DataFrame, label: str, prefix: str) -> dict:
    """Which accuracies cannot be told apart: pairs each inside the other's Wilson 95% interval."""
    from .stats import within_each_others_interval

    confidence = {f"{prefix}_confidence_text": fmt.pct(0.95)}  # the level every interval in the book uses
    if "n_correct" not in frame or frame["n_correct"].isna().all():
        return {f"{prefix}_overlap_text": "No denominators are recorded, so no interval can be drawn",
                f"{prefix}_n_overlap": 0, **confidence}
    pairs = within_each_others_interval(frame[label], frame["n_correct"], frame["n_eval"])
    if not pairs:
        text = ("No two accuracies with known denominators lie within each other's 95% interval: each "
                "difference is larger than the sampling noise")
    else:
        text = ("; ".join(f"{a} and {b}" for a, b in pairs) + " lie within each other's 95% interval, so the data "
                "cannot tell " + ("them" if len(pairs) == 1 else "each pair") + " apart")
    return {f"{prefix}_overlap_text": text, f"{prefix}_n_overlap": len(pairs), **confidence}
