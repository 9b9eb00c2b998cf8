"""Audit of the post's quantitative claims against the data.

``data/claims.csv`` registers each claim (quote, claimed value, its precision, and the name of the
computation below that recomputes it). :func:`audit` runs every claim of a finding on the data at hand and
returns claim, claimed, recomputed, verdict and a one-line reason, all computed:

- ``holds``: equal at the claim's own precision;
- ``rounding``: differs, but the claimed value is reached within the rounding of the inputs as printed;
- ``differs``: the data, or the formula as the post states it, gives another value (both are shown, and
  ``matches`` says which other formula the claimed number fits, when one does);
- ``unsupported``: the data cannot bear the claim (too few points, no per-seed values, no such data).

Nothing here is typed per claim except in ``claims.csv``; re-run on other data, every verdict is recomputed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from . import capability, collapse, distillation, memorization, roi
from . import formatting as fmt
from .stats import power_law_fit, wilson_interval

VERDICTS = ("holds", "rounding", "differs", "unsupported")


@dataclass(frozen=True)
class Check:
    """What a computation found for one claim.

    ``value`` is in the claim's units (percent for percentages, x for ratios); ``low``/``high`` bound it
    over the rounding of the inputs as printed (NaN when no rounding applies); ``flag`` is the recomputed
    truth of a label or statement claim; ``lower_bound`` marks a value that is only a lower bound.
    """

    value: float = math.nan
    shown: str = fmt.NA
    reason: str = ""
    low: float = math.nan
    high: float = math.nan
    flag: bool | None = None
    lower_bound: bool = False
    supported: bool = True
    matches: str = ""


def unsupported(reason: str, value: float = math.nan, shown: str = "cannot be computed") -> Check:
    return Check(value=value, shown=shown, reason=reason, supported=False)


@dataclass
class Context:
    """The data and parameters a chapter audits with; derived results are computed once, on demand."""

    capability: pd.DataFrame | None = None
    mode_collapse: pd.DataFrame | None = None
    roi: pd.DataFrame | None = None
    distillation: pd.DataFrame | None = None
    memorization: pd.DataFrame | None = None
    effect_sizes: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    def p(self, name: str, default):
        return self.params.get(name, default)

    def get(self, name: str, make: Callable):
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    @property
    def runs(self) -> pd.DataFrame:
        return self.get("runs", lambda: collapse.classify_collapse(self.mode_collapse, self.p("collapse_accuracy", 0.10)))

    @property
    def roi_table(self) -> pd.DataFrame:
        return self.get("roi_table", lambda: roi.roi_table(self.roi, self.p("baseline_accuracy", 0.73)))

    @property
    def switch(self):
        return self.get("switch", lambda: roi.switch_vs_training(self.roi_table))

    @property
    def transitions(self) -> pd.DataFrame:
        return self.get("transitions", lambda: distillation.transitions(
            self.distillation, self.p("complete_below", 0.01), self.p("partial_drop", 0.25)))

    @property
    def episodes(self) -> pd.DataFrame:
        return self.get("episodes", lambda: memorization.episodes_table(self.memorization))

    @property
    def advantage(self) -> pd.DataFrame:
        return self.get("advantage", lambda: memorization.sl_advantage(self.episodes))

    @property
    def seed_effects(self) -> pd.DataFrame:
        return self.get("seed_effects", lambda: memorization.recomputed_effect_sizes(
            self.memorization, self.effect_sizes if self.effect_sizes is not None else pd.DataFrame()))


def _args(text) -> dict:
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return {}
    return dict(part.split("=", 1) for part in str(text).split(";"))


def _half_unit(x: float) -> float:
    """Half of the last printed digit of a stored number: 2.6 -> 0.05, 33 -> 0.5."""
    text = f"{x:.10g}"
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals


def _pct_half_unit(fraction: float) -> float:
    """Half of the last printed digit of a fraction printed as a percentage (0.735 -> 0.0005)."""
    return _half_unit(round(100 * fraction, 6)) / 100


def _minutes_half_unit(m: float) -> float:
    """Times printed in whole hours ("2h") are good to half an hour; others to their last digit."""
    return 30.0 if m >= 60 and m % 60 == 0 else _half_unit(m)


# -- Finding 0 and 1 ------------------------------------------------------------------------------------

def not_in_data(ctx: Context, what: str = "this") -> Check:
    return unsupported(f"the data holds no record of {what}")


def _cap_row(ctx: Context, task: str, params_b: str, stage: str):
    cap = ctx.capability
    rows = cap[(cap["task"] == task) & (cap["params_b"] == float(params_b)) & (cap["stage"] == stage)]
    return None if rows.empty else rows.iloc[0]


def capability_value(ctx: Context, task: str, params_b: str, stage: str) -> Check:
    r = _cap_row(ctx, task, params_b, stage)
    if r is None:
        return unsupported(f"no {task} row at {fmt.size(float(params_b))} ({stage})")
    if r["status"] != "measured":
        return unsupported(f"the value is {r['status']}, not a measurement", 100 * r["value"] / r["scale_max"])
    v = 100 * r["value"] / r["scale_max"]
    return Check(v, fmt.pct(v / 100), f"{r['source']}")


def capability_score(ctx: Context, task: str, params_b: str, stage: str) -> Check:
    r = _cap_row(ctx, task, params_b, stage)
    if r is None or r["status"] != "measured":
        return unsupported(f"no measured {task} score at {fmt.size(float(params_b))}")
    return Check(float(r["value"]), f"{fmt.number(r['value'], 1)}/{fmt.number(r['scale_max'])}", r["source"])


def size_gap(ctx: Context, task: str) -> Check:
    gaps = capability.size_gaps(ctx.capability, ctx.p("small_b", 3.0), ctx.p("large_b", 8.0))
    g = gaps[gaps["task"] == task]
    if g.empty:
        return unsupported(f"{task} is not measured at both sizes")
    r = g.iloc[0]
    return Check(r["gap_points"], fmt.points(r["gap_points"]),
                 f"{fmt.pct(r['large'])} \u2212 {fmt.pct(r['small'])}")


def relative_regression(ctx: Context, task: str, params_b: str) -> Check:
    ch = capability.training_change(ctx.capability)
    ch = ch[(ch["task"] == task) & (ch["params_b"] == float(params_b))]
    if ch.empty:
        return unsupported(f"{task} is not measured before and after training")
    r = ch.iloc[0]
    rel = -100 * r["relative_change"]
    return Check(rel, fmt.pct(rel / 100, 1),
                 f"({fmt.pct(r['base'])} \u2212 {fmt.pct(r['trained'])}) / {fmt.pct(r['base'])} of the starting score",
                 matches=f"the drop in percentage points, {fmt.number(-r['change_points'])}")


def capability_threshold(ctx: Context) -> Check:
    small, large = ctx.p("small_b", 3.0), ctx.p("large_b", 8.0)
    gaps = capability.size_gaps(ctx.capability, small, large)
    measured = ctx.capability[ctx.capability["status"] == "measured"]
    below = measured[measured["params_b"] < small]
    if len(gaps) < 2 or below.empty:
        return unsupported(f"{len(gaps)} task measured at both {fmt.size(small)} and {fmt.size(large)}, "
                           f"{len(below)} measurement below {fmt.size(small)}: too few to place a threshold "
                           "or call it consistent", value=small, shown=f"{len(gaps)} task(s)")
    fails = (gaps["small"] < 0.5) & (gaps["large"] >= 0.5)
    return Check(small if fails.all() else math.nan, f"{int(fails.sum())} of {len(gaps)} tasks",
                 f"{int(fails.sum())} of {len(gaps)} tasks fail below half marks at {fmt.size(small)} and pass at "
                 f"{fmt.size(large)}", flag=bool(fails.all()))


# -- Finding 2 -------------------------------------------------------------------------------------------

def _attempt(ctx: Context, attempt: str):
    runs = ctx.runs
    r = runs[runs["attempt"] == int(attempt)]
    return None if r.empty else r.iloc[0]


def attempt_accuracy(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["accuracy"]):
        return unsupported(f"no attempt {attempt} with an accuracy")
    v = 100 * r["accuracy"]
    if pd.notna(r.get("n_correct")) and pd.notna(r.get("n_eval")):
        w = wilson_interval(int(r["n_correct"]), int(r["n_eval"]))
        return Check(v, fmt.pct(r["accuracy"], 1), f"{int(r['n_correct'])}/{int(r['n_eval'])}, 95% interval "
                     f"{fmt.pct(w.low, 1)} to {fmt.pct(w.high, 1)}")
    return Check(v, fmt.pct(r["accuracy"], 1), "no denominator recorded")


def attempt_collapsed(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["collapsed"]):
        return unsupported(f"no attempt {attempt} with an accuracy")
    c = bool(r["collapsed"])
    return Check(float(c), "YES" if c else "NO", f"accuracy {fmt.pct(r['accuracy'], 1)} "
                 f"{'<=' if c else '>'} {fmt.pct(ctx.p('collapse_accuracy', 0.10))}", flag=c)


def collapse_complete(ctx: Context, attempt: str) -> Check:
    r = _attempt(ctx, attempt)
    if r is None or pd.isna(r["accuracy"]):
        return unsupported(f"no attempt {attempt} with an accuracy")
    limit = ctx.p("complete_accuracy", 0.05)
    one_output = r.get("sample_output") is not None and pd.notna(r.get("sample_output"))
    complete = bool(r["accuracy"] <= limit and one_output)
    word = "complete" if complete else ("partial" if r["collapsed"] else "none")
    return Check(float(complete), word, f"accuracy {fmt.pct(r['accuracy'], 1)} vs the complete-collapse limit "
                 f"{fmt.pct(limit)}; {'one repeated output' if one_output else 'no single repeated output recorded'}",
                 flag=complete)


def lr_bracket_ratio(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if math.isnan(b.ratio):
        return unsupported("no pair of a converged and a collapsed run to bracket a threshold")
    # Learning rates are settings typed exactly, not measurements rounded for print: no rounding interval.
    return Check(b.ratio, fmt.ratio(b.ratio), f"{fmt.sci(b.smallest_collapsed)} / {fmt.sci(b.largest_converged)}")


def lr_credit(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if math.isnan(b.ratio):
        return unsupported("no pair of a converged and a collapsed run")
    runs = ctx.runs[ctx.runs["collapsed"].notna()]
    pair = runs[runs["learning_rate"].isin([b.largest_converged, b.smallest_collapsed])]
    changed = collapse.changed_settings(pair)
    if changed:
        words = [collapse.SETTING_WORDS.get(c, c) for c in changed]
        return unsupported(f"between the runs at {fmt.sci(b.largest_converged)} and {fmt.sci(b.smallest_collapsed)}, "
                           + ", ".join(words) + " changed too", shown="confounded")
    return Check(1.0, "only the learning rate changed", "no other recorded setting changed", flag=True)


def collapsed_span(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if b.n_collapsed < 2:
        return unsupported(f"{b.n_collapsed} collapsed run")
    return Check(b.collapsed_span, fmt.ratio(b.collapsed_span),
                 f"{fmt.sci(b.largest_collapsed)} / {fmt.sci(b.smallest_collapsed)}, both collapsed")


def collapse_binary(ctx: Context) -> Check:
    b = collapse.lr_bracket(ctx.runs)
    if math.isnan(b.ratio):
        return unsupported("no bracket between a converged and a collapsed run")
    runs = ctx.runs[ctx.runs["collapsed"].notna()]
    best = runs.loc[~runs["collapsed"].astype(bool), "accuracy"].max()
    between = runs[(runs["accuracy"] > ctx.p("collapse_accuracy", 0.10)) & (runs["accuracy"] < best / 2)]
    if len(between):
        r = between.sort_values("learning_rate").iloc[0]
        return Check(0.0, "gradual", f"the run at {fmt.sci(r['learning_rate'])} reached {fmt.pct(r['accuracy'], 1)}, "
                     f"between collapse and half the best accuracy ({fmt.pct(best, 1)})", flag=False)
    finest = ctx.p("binary_bracket", 2.0)
    if b.ratio > finest:
        return unsupported(f"no run between {fmt.sci(b.largest_converged)} and {fmt.sci(b.smallest_collapsed)} "
                           f"(a {fmt.ratio(b.ratio)} gap, wider than {fmt.ratio(finest)}): the data cannot tell a jump "
                           "from a slope", shown=f"a {fmt.ratio(b.ratio)} gap")
    return Check(1.0, "binary", f"no intermediate accuracy, and the nearest converged and collapsed rates are "
                 f"{fmt.ratio(b.ratio, 1)} apart", flag=True)


def accuracy_nonmonotonic(ctx: Context) -> Check:
    runs = ctx.runs[ctx.runs["accuracy"].notna()].sort_values("learning_rate")
    if len(runs) < 3:
        return unsupported(f"{len(runs)} runs: monotonicity needs three")
    acc = runs["accuracy"].to_numpy()
    rises = np.flatnonzero(np.diff(acc) > 0)
    if rises.size == 0:
        return Check(0.0, "monotonic", "accuracy never rises as the learning rate grows", flag=False)
    i = rises[0]
    a, b = runs.iloc[i], runs.iloc[i + 1]
    if all(pd.notna(r.get(c)) for r in (a, b) for c in ("n_correct", "n_eval")):
        wa = wilson_interval(int(a["n_correct"]), int(a["n_eval"]))
        wb = wilson_interval(int(b["n_correct"]), int(b["n_eval"]))
        if wa.low <= b["accuracy"] <= wa.high and wb.low <= a["accuracy"] <= wb.high:
            return unsupported(f"the only rise, {fmt.pct(a['accuracy'], 1)} at {fmt.sci(a['learning_rate'])} to "
                               f"{fmt.pct(b['accuracy'], 1)} at {fmt.sci(b['learning_rate'])}, lies within both "
                               "accuracies' 95% intervals", shown="within noise")
    return Check(1.0, "non-monotonic", f"accuracy rises from {fmt.pct(a['accuracy'], 1)} to "
                 f"{fmt.pct(b['accuracy'], 1)} as the rate grows", flag=True)


# -- Finding 3 -------------------------------------------------------------------------------------------

def baseline_threshold(ctx: Context) -> Check:
    n = int((ctx.roi["kind"] == "baseline").sum())
    return unsupported(f"{n} baseline model: no data on where switching stops paying", shown=f"{n} baseline")


def _roi_interval(ctx: Context, row) -> tuple[float, float]:
    base = 100 * ctx.p("baseline_accuracy", 0.73)
    b_half = _half_unit(base)
    lo_acc = 100 * (row["accuracy_low"] if row["is_range"] else row["accuracy_point"])
    hi_acc = 100 * (row["accuracy_high"] if row["is_range"] else row["accuracy_point"])
    a_half = 0.0 if row["is_range"] else _half_unit(hi_acc)
    m, m_half = row["minutes"], _minutes_half_unit(row["minutes"])
    changes = [lo_acc - a_half - (base + b_half), hi_acc + a_half - (base - b_half)]
    values = [c / mm for c in changes for mm in (m - m_half, m + m_half) if mm > 0]
    return min(values), max(values)


def attempt_roi(ctx: Context, approach: str) -> Check:
    t = ctx.roi_table
    r = t[t["approach"] == approach]
    if r.empty:
        return unsupported(f"no attempt named {approach}")
    r = r.iloc[0]
    low, high = _roi_interval(ctx, r)
    if r["is_range"]:
        reason = (f"({fmt.pct_range(r['accuracy_low'], r['accuracy_high'])} \u2212 "
                  f"{fmt.pct(ctx.p('baseline_accuracy', 0.73))}) / {fmt.duration(r['minutes'])}: "
                  f"{fmt.points(r['roi_low'], 2)} to {fmt.points(r['roi_high'], 2)}")
    else:
        reason = (f"({fmt.pct(r['accuracy_point'], 1)} \u2212 {fmt.pct(ctx.p('baseline_accuracy', 0.73))}) / "
                  f"{fmt.duration(r['minutes'])}")
    return Check(r["roi"], fmt.points(r["roi"], 2), reason, low=low, high=high)


def attempt_minutes(ctx: Context, approach: str) -> Check:
    r = ctx.roi[ctx.roi["approach"] == approach]
    if r.empty:
        return unsupported(f"no attempt named {approach}")
    m = float(r.iloc[0]["minutes"])
    return Check(m, fmt.duration(m), f"{r.iloc[0]['status']} ({r.iloc[0]['source']})")


def attempt_accuracy_range(ctx: Context, approach: str, end: str) -> Check:
    r = ctx.roi[ctx.roi["approach"] == approach]
    if r.empty or pd.isna(r.iloc[0][f"accuracy_{end}"]):
        return unsupported(f"no accuracy range recorded for {approach}")
    v = float(r.iloc[0][f"accuracy_{end}"])
    return Check(100 * v, fmt.pct(v), f"the {'low' if end == 'low' else 'high'} end of the reported range; no "
                 "denominator recorded, so no interval")


def training_minutes(ctx: Context) -> Check:
    s = ctx.switch
    train = ctx.roi_table[ctx.roi_table["kind"] == "training"]
    half = sum(_minutes_half_unit(m) for m in train["minutes"])
    return Check(s.training_minutes, fmt.duration(s.training_minutes),
                 " + ".join(fmt.duration(m) for m in train["minutes"]),
                 low=s.training_minutes - half, high=s.training_minutes + half)


def training_gain(ctx: Context) -> Check:
    s = ctx.switch
    return Check(s.training_gain_points, fmt.points(s.training_gain_points, 1),
                 f"best training accuracy {fmt.pct(s.best_training_accuracy, 1)} \u2212 baseline "
                 f"{fmt.pct(ctx.p('baseline_accuracy', 0.73))}, in points")


def switch_minutes(ctx: Context) -> Check:
    s = ctx.switch
    return Check(s.switch_minutes, fmt.duration(s.switch_minutes), "the switch's recorded time")


def switch_gain(ctx: Context) -> Check:
    s = ctx.switch
    return Check(s.switch_gain_points, fmt.points(s.switch_gain_points),
                 f"{fmt.pct(s.switch_accuracy)} \u2212 {fmt.pct(ctx.p('baseline_accuracy', 0.73))}, in points")


def roi_ratio(ctx: Context) -> Check:
    s = ctx.switch
    if math.isnan(s.roi_ratio):
        return unsupported("training gained nothing, so the ratio is undefined")
    base, b_half = ctx.p("baseline_accuracy", 0.73), _pct_half_unit(ctx.p("baseline_accuracy", 0.73))
    t = ctx.roi_table
    train = t[t["kind"] == "training"]
    best = train.loc[train["accuracy_point"].idxmax()]
    sw = t[t["kind"] == "model_switch"].loc[lambda d: d["change_points"].idxmax()]
    tg = (100 * (best["accuracy_point"] - _pct_half_unit(best["accuracy_point"]) - base - b_half),
          100 * (best["accuracy_point"] + _pct_half_unit(best["accuracy_point"]) - base + b_half))
    sg = (100 * (sw["accuracy_point"] - _pct_half_unit(sw["accuracy_point"]) - base - b_half),
          100 * (sw["accuracy_point"] + _pct_half_unit(sw["accuracy_point"]) - base + b_half))
    tm_half = sum(_minutes_half_unit(m) for m in train["minutes"])
    tm = (s.training_minutes - tm_half, s.training_minutes + tm_half)
    sm = (s.switch_minutes - _minutes_half_unit(s.switch_minutes), s.switch_minutes + _minutes_half_unit(s.switch_minutes))
    low = (sg[0] / sm[1]) / (tg[1] / tm[0]) if tg[1] > 0 and sm[1] > 0 else math.nan
    high = (sg[1] / sm[0]) / (tg[0] / tm[1]) if tg[0] > 1e-9 and sm[0] > 0 else math.inf  # gain may be 0
    matches = f"the ratio of the gains alone, {fmt.number(s.switch_gain_points)} / " \
              f"{fmt.number(s.training_gain_points, 1)} = {fmt.ratio(s.gain_ratio)}, time ignored"
    return Check(s.roi_ratio, fmt.ratio(s.roi_ratio),
                 f"({fmt.number(s.switch_gain_points)} / {fmt.number(s.switch_minutes)}) / "
                 f"({fmt.number(s.training_gain_points, 1)} / {fmt.number(s.training_minutes, 1)}), the stated formula",
                 low=low, high=high, matches=matches)


def switch_accuracy(ctx: Context) -> Check:
    sw = ctx.roi[ctx.roi["kind"] == "model_switch"]
    if sw.empty:
        return unsupported("no model switch recorded")
    r = sw.iloc[0]
    reason = "no denominator recorded"
    if pd.notna(r.get("n_correct")) and pd.notna(r.get("n_eval")):
        w = wilson_interval(int(r["n_correct"]), int(r["n_eval"]))
        reason = (f"{int(r['n_correct'])}/{int(r['n_eval'])}, 95% interval {fmt.pct(w.low, 1)} to "
                  f"{fmt.pct(w.high, 1)}")
    return Check(100 * r["accuracy"], fmt.pct(r["accuracy"]), reason)


def baseline_range(ctx: Context, end: str) -> Check:
    base = ctx.roi[ctx.roi["kind"] == "baseline"]
    if base.empty:
        return unsupported("no baseline row")
    v = base.iloc[0]["accuracy_low" if end == "low" else "accuracy_high"]
    return Check(100 * v, fmt.pct(v), f"the baseline row's accuracy_{end}")


def size_ratio(ctx: Context) -> Check:
    r = roi.size_ratio(ctx.roi)
    if math.isnan(r):
        return unsupported("model sizes are not recorded")
    base = ctx.roi.loc[ctx.roi["kind"] == "baseline", "params_b"].iloc[0]
    sw = ctx.roi.loc[ctx.roi["kind"] == "model_switch", "params_b"].iloc[0]
    return Check(r, fmt.ratio(r, 2), f"{fmt.size(base)} / {fmt.size(sw)}",
                 low=(base - 0.5) / (sw + 0.5), high=(base + 0.5) / (sw - 0.5))


# -- Finding 4 -------------------------------------------------------------------------------------------

def _spike_run(ctx: Context):
    t = ctx.transitions.dropna(subset=["kl_spike_ratio"])
    return None if t.empty else t.loc[t["kl_spike_ratio"].idxmax()]


def _family_run(ctx: Context, family: str):
    t = ctx.transitions[ctx.transitions["family"] == family]
    return None if t.empty else t.iloc[0]


def kl_spike(ctx: Context) -> Check:
    r = _spike_run(ctx)
    if r is None:
        return unsupported("no run logs KL on both sides of a transition")
    half = _half_unit(r["kl_before"])
    return Check(r["kl_spike_ratio"], fmt.ratio(r["kl_spike_ratio"]),
                 f"{fmt.number(r['kl_at'], 4)} / {fmt.number(r['kl_before'], 3)} in {r['run']}",
                 low=r["kl_at"] / (r["kl_before"] + half), high=r["kl_at"] / max(r["kl_before"] - half, 1e-12))


def kl_before(ctx: Context) -> Check:
    r = _spike_run(ctx)
    if r is None:
        return unsupported("no pre-transition KL logged")
    return Check(r["kl_before"], fmt.number(r["kl_before"], 3), f"last off-policy KL logged in {r['run']}")


def kl_at(ctx: Context) -> Check:
    r = _spike_run(ctx)
    if r is None:
        return unsupported("no KL logged at a transition")
    return Check(r["kl_at"], fmt.number(r["kl_at"], 4), f"KL at step {int(r['transition_step'])} of {r['run']}")


def transition_step(ctx: Context) -> Check:
    t = ctx.transitions.dropna(subset=["transition_step"])
    if t.empty:
        return unsupported("no run changes phase")
    steps = sorted(set(int(s) for s in t["transition_step"]))
    return Check(float(steps[0]) if len(steps) == 1 else math.nan, ", ".join(f"step {s}" for s in steps),
                 f"first on-policy step in {len(t)} run(s)")


def spike_at_transition(ctx: Context) -> Check:
    log = ctx.distillation.sort_values(["run", "step"]).dropna(subset=["kl"])
    if log.empty:
        return unsupported("no KL logged")
    jumps = log.assign(jump=log.groupby("run")["kl"].diff())
    top = jumps.loc[jumps.groupby("run")["jump"].idxmax().dropna()]
    t = ctx.transitions.set_index("run")["transition_step"]
    at = top["step"].to_numpy() == top["run"].map(t).to_numpy()
    return Check(float(at.all()), f"{int(at.sum())} of {len(top)} runs",
                 f"the largest KL jump falls at the transition step in {int(at.sum())} of {len(top)} runs",
                 flag=bool(at.all()))


def distillation_gap(ctx: Context, family: str) -> Check:
    r = _family_run(ctx, family)
    if r is None:
        return unsupported(f"no {family} run")
    return Check(r["gap"], fmt.ratio(r["gap"], 1), f"{r['teacher']} / {r['student']}")


def eval_after(ctx: Context, family: str, end: str) -> Check:
    r = _family_run(ctx, family)
    if r is None or pd.isna(r["eval_after_min"]):
        return unsupported(f"no {family} eval score after a transition")
    v = r["eval_after_min" if end == "low" else "eval_after_max"]
    return Check(v, fmt.number(v, 3), f"{'lowest' if end == 'low' else 'highest'} eval score from the transition on")


def severity(ctx: Context, family: str) -> Check:
    r = _family_run(ctx, family)
    if r is None:
        return unsupported(f"no {family} run")
    return Check(math.nan, str(r["severity"]).capitalize(),
                 f"eval {fmt.number(r['eval_before'], 3)} before, {fmt.number(r['eval_after_min'], 3)}\u2013"
                 f"{fmt.number(r['eval_after_max'], 3)} after (complete at <= {ctx.p('complete_below', 0.01):g})")


def severity_correlation(ctx: Context) -> Check:
    t = ctx.transitions.dropna(subset=["eval_final"])
    if len(t) < 3:
        return unsupported(f"{len(t)} runs: a correlation needs at least three", shown=f"{len(t)} runs")
    from scipy.stats import spearmanr

    rho = spearmanr(t["gap"], t["eval_final"]).statistic
    return Check(rho, f"Spearman \u03c1 = {fmt.decimal(rho, 2)}", f"gap against final eval over {len(t)} runs",
                 flag=bool(rho < 0))


# -- Finding 5 -------------------------------------------------------------------------------------------

def _ep(ctx: Context, method: str, n: str):
    e = ctx.episodes
    r = e[(e["method"] == method) & (e["n_values"] == int(n))]
    return None if r.empty else r.iloc[0]


def episodes(ctx: Context, method: str, n: str) -> Check:
    r = _ep(ctx, method, n)
    if r is None:
        return unsupported(f"no {method} count at N = {n}")
    return Check(r["episodes"], fmt.episodes(r["episodes"], bool(r["lower_bound"])) + " ep",
                 "lower bound: the budget was hit" if r["lower_bound"] else f"{r['status']}",
                 lower_bound=bool(r["lower_bound"]))


def advantage(ctx: Context, method: str, n: str) -> Check:
    a = ctx.advantage
    r = a[(a["method"] == method) & (a["n_values"] == int(n))]
    if r.empty:
        return unsupported(f"no {method} / supervised pair at N = {n}")
    r = r.iloc[0]
    if r["ratio_unbounded"]:
        return unsupported("both counts are lower bounds, so the ratio is not bounded either way")
    if r["ratio_is_upper_bound"]:
        return unsupported("the supervised count is only a lower bound, so the ratio is only an upper bound",
                           value=r["ratio"], shown=fmt.ratio(r["ratio"]) + " at most")
    lb = bool(r["ratio_is_lower_bound"])
    return Check(r["ratio"], fmt.ratio(r["ratio"], 2 if r["ratio"] < 20 else 0, lower_bound=lb),
                 f"{fmt.episodes(r['episodes'], bool(r['lower_bound']))} / {fmt.number(r['reference_episodes'])}",
                 lower_bound=lb)


def percent_more_efficient(ctx: Context, method: str, n: str) -> Check:
    adv = advantage(ctx, method, n)
    if not adv.supported:
        return adv
    pct = 100 * (adv.value - 1)
    return Check(pct, fmt.number(pct) + "%" + ("+" if adv.lower_bound else ""),
                 f"a {fmt.ratio(adv.value, lower_bound=adv.lower_bound)} ratio is (ratio \u2212 1) \u00d7 100% more",
                 lower_bound=adv.lower_bound, matches=f"the ratio itself, {fmt.ratio(adv.value)}, written as a percent")


def hedges_g(ctx: Context, method: str, n: str) -> Check:
    e = ctx.seed_effects
    r = e[(e["method_a"] == "supervised") & (e["method_b"] == method) & (e["n_values"] == int(n))]
    if r.empty:
        return unsupported("no per-seed episode counts or published means and SDs to recompute g from")
    r = r.iloc[0]
    return Check(r["hedges_g"], fmt.decimal(r["hedges_g"], 1),
                 f"from {r['basis']}, {int(r['n_a'])} + {int(r['n_b'])} seeds, 95% CI {fmt.decimal(r['ci_low'], 1)} to "
                 f"{fmt.decimal(r['ci_high'], 1)}")


def p_value(ctx: Context, method: str, n: str) -> Check:
    mem = ctx.memorization
    seeds = mem[mem["seed"].notna() & (mem["n_values"] == int(n)) & mem["method"].isin(["supervised", method])
                & mem["converged"].astype(bool)]
    a = seeds.loc[seeds["method"] == "supervised", "episodes"]
    b = seeds.loc[seeds["method"] == method, "episodes"]
    if len(a) < 2 or len(b) < 2:
        return unsupported("no per-seed episode counts to test")
    from scipy.stats import ttest_ind

    p = float(ttest_ind(a, b).pvalue)
    return Check(p, f"p = {p:.2g}", f"Student's t-test on {len(a)} + {len(b)} seeds", flag=p < 0.001)


def _fit(ctx: Context, method: str):
    min_points = int(ctx.p("min_fit_points", 4))
    part = ctx.episodes[(ctx.episodes["method"] == method) & (ctx.episodes["status"] == "measured")]
    points = part[~part["lower_bound"]]
    fit = power_law_fit(points["n_values"], points["episodes"]) if len(points) else None
    return fit, len(points), int(part["lower_bound"].sum()), min_points


def exponent(ctx: Context, method: str) -> Check:
    fit, k, censored, min_points = _fit(ctx, method)
    if fit is None or not fit.fitted:
        return unsupported(f"{k} converged measured point(s), {censored} lower bound(s): cannot fit")
    shown = fmt.decimal(fit.exponent, 2)
    detail = f"{k} measured points" + (f", 95% CI {fmt.decimal(fit.ci_low, 2)} to {fmt.decimal(fit.ci_high, 2)}"
                                       if not math.isnan(fit.ci_low) else "")
    if k < min_points:
        return unsupported(f"{detail}: too few points for an exponent (fewer than {min_points})",
                           value=fit.exponent, shown=shown)
    return Check(fit.exponent, shown, detail)


def r_squared(ctx: Context, method: str) -> Check:
    fit, k, censored, min_points = _fit(ctx, method)
    if fit is None or not fit.fitted:
        return unsupported(f"{k} converged measured point(s): cannot fit")
    if math.isnan(fit.r_squared):
        if k >= 3:
            return Check(math.nan, "undefined", "episodes do not vary with N, so R\u00b2 is 0/0")
        return unsupported(f"{k} points: R\u00b2 is meaningless")
    if k < min_points:
        return unsupported(f"{k} points: too few for R\u00b2 to mean much", value=fit.r_squared,
                           shown=fmt.decimal(fit.r_squared, 3))
    return Check(fit.r_squared, fmt.decimal(fit.r_squared, 3), f"{k} measured points")


def complexity(ctx: Context, method: str) -> Check:
    e = exponent(ctx, method)
    fit, k, censored, min_points = _fit(ctx, method)
    if fit is not None and fit.fitted and fit.exponent == 0 and math.isnan(fit.r_squared) and k >= 2:
        return Check(0.0, "O(1)", f"the same count at all {k} measured N", flag=True)
    if not e.supported:
        return unsupported(e.reason, shown=memorization.complexity_label(e.value) if not math.isnan(e.value) else "-")
    label = memorization.complexity_label(e.value)
    return Check(e.value, label, e.reason)


def constant_time(ctx: Context, method: str) -> Check:
    part = ctx.episodes[ctx.episodes["method"] == method]
    if len(part) < 2:
        return unsupported(f"{len(part)} problem size")
    constant = part["episodes"].nunique() == 1 and not part["lower_bound"].any()
    return Check(float(constant), "constant" if constant else "varies",
                 f"{fmt.number(part['episodes'].min())}\u2013{fmt.number(part['episodes'].max())} episodes over "
                 f"{len(part)} problem sizes", flag=bool(constant))


def scales_linearly(ctx: Context, method: str) -> Check:
    c = complexity(ctx, method)
    if not c.supported:
        return c
    linear = c.shown == "O(n)"
    return Check(c.value, c.shown, c.reason, flag=linear)


COMPUTATIONS: dict[str, Callable[..., Check]] = {f.__name__: f for f in (
    not_in_data, capability_value, capability_score, size_gap, relative_regression, capability_threshold,
    attempt_accuracy, attempt_collapsed, attempt_minutes, attempt_accuracy_range, collapse_complete, lr_bracket_ratio, lr_credit, collapsed_span,
    collapse_binary, accuracy_nonmonotonic, baseline_threshold, attempt_roi, training_minutes, training_gain,
    switch_minutes, switch_gain, roi_ratio, switch_accuracy, baseline_range, size_ratio, kl_spike, kl_before,
    kl_at, transition_step, spike_at_transition, distillation_gap, eval_after, severity, severity_correlation,
    episodes, advantage, percent_more_efficient, hedges_g, p_value, exponent, r_squared, complexity,
    constant_time, scales_linearly)}


def verdict(claim, check: Check) -> tuple[str, str]:
    """The verdict on one claim and its reason (see the module docstring for the four verdicts)."""
    kind = claim["kind"]
    if not check.supported:
        return "unsupported", check.reason
    if kind == "label":  # a category (YES, Complete, O(1)) compared as text
        same = str(claim["claimed_text"]).strip().lower() == check.shown.strip().lower()
        return ("holds" if same else "differs"), check.reason
    if kind in ("statement", "threshold") and check.flag is not None:
        return ("holds" if check.flag else "differs"), check.reason
    claimed, digits = float(claim["claimed"]), int(claim["decimals"])
    if math.isnan(check.value):
        return "differs", check.reason or "the data gives no value"
    if abs(round(check.value, digits) - claimed) < 0.5 * 10 ** -(digits + 3):
        if kind == "lower_bound" and not check.lower_bound:
            return "differs", f"the data has a measurement, not a lower bound; {check.reason}"
        if kind != "lower_bound" and check.lower_bound:
            return "differs", f"the data has only a lower bound, which the claim states as a value; {check.reason}"
        return "holds", check.reason
    half = 0.5 * 10 ** -digits
    if not math.isnan(check.low) and check.low - half <= claimed <= check.high + half:
        return "rounding", f"{check.reason}; the claimed value is within the rounding of the inputs"
    extra = f"; the claimed number matches {check.matches}" if check.matches else ""
    return "differs", check.reason + extra


def audit(claims: pd.DataFrame, ctx: Context, finding: int | None = None) -> pd.DataFrame:
    """Recompute every claim (of one finding, or all) and give each its verdict and reason."""
    rows = []
    part = claims if finding is None else claims[claims["finding"] == finding]
    for _, c in part.iterrows():
        fn = COMPUTATIONS.get(c["computation"])
        if fn is None:
            check = unsupported(f"no computation named {c['computation']}")
        else:
            try:
                check = fn(ctx, **_args(c["args"]))
            except (TypeError, KeyError, AttributeError) as exc:  # the data for this finding is absent
                check = unsupported(f"the data this needs is not available ({type(exc).__name__})")
        v, reason = verdict(c, check)
        rows.append({"id": c["id"], "finding": int(c["finding"]), "source": c["source"], "quote": c["quote"],
                     "claimed": c["claimed_text"], "claimed_value": float(c["claimed"]),
                     "recomputed": check.shown, "recomputed_value": check.value, "verdict": v, "reason": reason})
    return pd.DataFrame(rows, columns=["id", "finding", "source", "quote", "claimed", "claimed_value",
                                       "recomputed", "recomputed_value", "verdict", "reason"])


def verdict_counts(audited: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict (every verdict listed, zero included)."""
    counts = audited["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
    return pd.DataFrame({"Verdict": counts.index, "Claims": counts.to_numpy()})
