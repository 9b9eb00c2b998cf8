"""Finding 3's sentences, written from :class:`evalpatterns.findings.roi.Result`."""
from __future__ import annotations

import math

from .. import formatting as fmt
from ..findings.base import CONTRADICTED, SUPPORTED
from ..findings.roi import Result
from .common import conclusion_values, eval_set_values, count, noise_values, opening


def _f(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def baseline_text(result: Result) -> str:
    b = result.baseline
    if b.origin == "parameter":
        return f"the baseline_accuracy parameter, {fmt.pct(b.accuracy, 1)}"
    if b.origin == "data":
        return f"the data's baseline row ({b.row}), {fmt.pct(b.accuracy, 1)}"
    return "no baseline: the data has no baseline row and no baseline_accuracy was given"


def evidence(result: Result) -> str:
    s, c = result.summary, result.conclusion
    if c.statistic is None:
        return c.reason
    return (f"switching model gained {fmt.points(s.switch_gain_points, 1)} points in {fmt.duration(s.switch_minutes)}, "
            f"while the best of {count(s.training_attempts, 'training attempt')} gained "
            f"{fmt.points(s.training_gain_points, 1)} points after {fmt.duration(s.training_minutes)} of training in all")


def takeaway(result: Result) -> str:
    """The summary's takeaway: what these data say about switching against training."""
    v = result.conclusion.verdict
    if v == SUPPORTED:
        return "Switching model paid off more than training here: " + evidence(result) + "."
    if v == CONTRADICTED:
        return "Training paid off at least as well as switching model here: " + evidence(result) + "."
    return "These data cannot say whether switching model beats training: " + result.conclusion.reason + "."


def attempts_text(result: Result) -> str:
    """What the training attempts and the switch did, as sentences that leave out whatever is missing."""
    s = result.summary
    parts = []
    if s.training_attempts and _f(s.training_gain_points) is not None:
        every = "The only training attempt" if s.training_attempts == 1 else f"All {count(s.training_attempts, 'training attempt')}"
        best = "it reached" if s.training_attempts == 1 else "the best of them reached"
        parts.append(f"{every} took {fmt.duration(s.training_minutes)} and {best} "
                     f"{fmt.pct(s.best_training_accuracy, 1)}: {fmt.points(s.training_gain_points, 1)} points")
    elif s.training_attempts:
        parts.append(f"The data hold {count(s.training_attempts, 'training attempt')}, but no baseline to measure "
                     "their change from")
    else:
        parts.append("The data hold no training attempt")
    if _f(s.switch_gain_points) is not None:
        parts.append(f"switching model took {fmt.duration(s.switch_minutes)} for "
                     f"{fmt.points(s.switch_gain_points, 1)} points ({fmt.pct(s.switch_accuracy)})")
    else:
        parts.append("there is no model switch with a measured change")
    return "; ".join(parts)


def ratios_text(result: Result) -> str:
    s = result.summary
    if _f(s.roi_ratio) is None or _f(s.gain_ratio) is None:
        return ("With no positive gain on both sides, neither ratio can be formed: a ratio of gains needs both "
                "gains above zero")
    return (f"By that formula the switch returns {fmt.ratio(s.roi_ratio)} the training's ROI; the ratio of the "
            f"gains alone, time ignored, is {fmt.ratio(s.gain_ratio)}. The two are different quantities")



def key_numbers(result: Result) -> list[str]:
    """The dashboard's line on Finding 3: ``Model switch +19 points in 5m; training +0.5 in 2h 47m: gain ratio
    38x, per-minute ratio 126x``. A side without a measured change, a time or a ratio that cannot be formed (a
    gain not above zero) is said so or left out, never shown as 'n/a'."""
    s = result.summary

    def side(name: str, gain, minutes, unit: str) -> str:
        if _f(gain) is None:
            return f"{name} with no measured change"
        shown = f"{name} {fmt.points(gain, fmt.tenths(gain))}{unit}"
        return shown + (f" in {fmt.duration(minutes)}" if _f(minutes) is not None else "")

    text = (side("Model switch", s.switch_gain_points, s.switch_minutes, " points") + "; "
            + side("training", s.training_gain_points, s.training_minutes, ""))
    if _f(s.gain_ratio) is not None and _f(s.roi_ratio) is not None:
        text += f": gain ratio {fmt.ratio(s.gain_ratio)}, per-minute ratio {fmt.ratio(s.roi_ratio)}"
    return [text]


def values(result: Result) -> dict:
    s, table = result.summary, result.table
    size_ratio = result.size_ratio
    has_size = size_ratio is not None and not math.isnan(size_ratio) and size_ratio > 0
    b = result.baseline
    v = {
        "question": "switch model, or train the one you have",
        "baseline_accuracy": _f(b.accuracy), "baseline_accuracy_text": fmt.pct(b.accuracy, 1),
        "baseline_origin": b.origin, "baseline_origin_text": baseline_text(result),
        "baseline_range_text": (f"its accuracy was reported between {fmt.pct_range(b.low, b.high)}"
                                if not (math.isnan(b.low) or math.isnan(b.high)) else
                                "no range of accuracies is reported for it"),
        "training_minutes": _f(s.training_minutes), "training_time_text": fmt.duration(s.training_minutes),
        "training_minutes_text": fmt.number(s.training_minutes), "training_attempts": s.training_attempts,
        "training_attempts_text": count(s.training_attempts, "training attempt"),
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
        "n_ranges": int(table["is_range"].sum()),
        "range_text": (f"{count(int(table['is_range'].sum()), 'attempt')} reported only a range of accuracies; "
                       "its change and ROI are shown as ranges" if table["is_range"].any()
                       else "Every attempt reported a single accuracy"),
        "switch_beats_training": (bool(s.switch_roi > s.training_roi) if _f(s.roi_ratio) is not None else None),
    }
    if has_size:
        bigger = max(size_ratio, 1 / size_ratio)
        v["size_text"] = (f"The model switched to is {fmt.ratio(bigger)} "
                          f"{'smaller' if size_ratio > 1 else 'larger'} than the baseline model")
    else:
        v["size_text"] = "The data do not record both models' sizes"
    if _f(s.switch_accuracy) is not None and _f(s.best_training_accuracy) is not None:
        rel = "higher" if s.switch_accuracy > s.best_training_accuracy else "no higher"
        v["score_text"] = f"it scored {rel} than the best training attempt"
    else:
        v["score_text"] = "there is no switch and training attempt to compare its score with"
    v["attempts_text"] = attempts_text(result)
    v["ratios_text"] = ratios_text(result)
    v.update(noise_values(result.data, "approach", "roi"))
    v.update(conclusion_values(result.conclusion))
    v.update(eval_set_values(result.eval_sets))
    v["opening_text"] = opening(result.conclusion, evidence(result))
    v["takeaway_text"] = takeaway(result)
    return v
