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
from .memorization import METHOD_LABELS


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


def memorization_values(table: pd.DataFrame, advantage: pd.DataFrame, fits: pd.DataFrame, n: int) -> dict:
    """Finding 5: the SL advantage at N = ``n`` and the fitted exponents."""
    v = {"bars_n": int(n), "bars_n_text": fmt.number(n)}
    at = table[table["n_values"] == n].set_index("method")
    adv = advantage[advantage["n_values"] == n].set_index("method")
    for m in METHOD_LABELS:
        if m in at.index:
            v[f"{m}_episodes"] = _f(at.loc[m, "episodes"])
            v[f"{m}_episodes_text"] = fmt.episodes(at.loc[m, "episodes"], bool(at.loc[m, "lower_bound"]))
        else:
            v[f"{m}_episodes"], v[f"{m}_episodes_text"] = None, fmt.NA
        if m in adv.index:
            v[f"{m}_advantage"] = _f(adv.loc[m, "ratio"])
            v[f"{m}_advantage_text"] = fmt.ratio(adv.loc[m, "ratio"], lower_bound=bool(adv.loc[m, "ratio_is_lower_bound"]))
            v[f"{m}_advantage_is_lower_bound"] = bool(adv.loc[m, "ratio_is_lower_bound"])
        elif m != "supervised":
            v[f"{m}_advantage"], v[f"{m}_advantage_text"] = None, fmt.NA
    for r in fits.itertuples():
        v[f"{r.method}_fit_text"] = (f"exponent {fmt.decimal(r.exponent, 2)}, {r.complexity} ({r.reason})" if r.fitted
                                     else r.reason)
        v[f"{r.method}_exponent"] = _f(r.exponent)
        v[f"{r.method}_exponent_text"] = fmt.decimal(r.exponent, 2)
        v[f"{r.method}_complexity"] = r.complexity
        v[f"{r.method}_fit_note"] = r.reason
    v["n_lower_bounds"] = int(table["lower_bound"].sum())
    v["n_points"] = int(len(table))
    v["all_rl_censored"] = bool(table.loc[table["method"] != "supervised", "lower_bound"].all())
    sup = table[table["method"] == "supervised"]["episodes"]
    v["supervised_constant"] = bool(len(sup) > 0 and sup.nunique() == 1)
    v["supervised_episodes_range_text"] = (fmt.number(sup.min()) if sup.nunique() == 1
                                           else f"{fmt.number(sup.min())}\u2013{fmt.number(sup.max())}")
    return v


def effect_size_values(published: pd.DataFrame, recomputed: pd.DataFrame, mem: pd.DataFrame) -> dict:
    """Finding 5's effect sizes: recomputed from per-seed rows where they exist, else only published."""
    n_seed_rows = int(mem["seed"].notna().sum())
    if len(recomputed):
        text = (f"Hedges' g is recomputed from the {fmt.number(n_seed_rows)} per-seed rows, with a 95% confidence "
                f"interval, for {len(recomputed)} comparison{'s' if len(recomputed) != 1 else ''}")
    else:
        text = ("There are no per-seed episode counts to recompute Hedges' g from, so the published values are shown "
                "as published, without an interval")
    return {"n_seed_rows": n_seed_rows, "n_recomputed": int(len(recomputed)), "n_published": int(len(published)),
            "effect_size_text": text}


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
