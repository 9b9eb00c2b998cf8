"""Finding 2's sentences, written from :class:`evalpatterns.findings.collapse.Result`."""
from __future__ import annotations

import math

from .. import collapse
from .. import formatting as fmt
from ..findings.base import ALPHA, CONTRADICTED, SUPPORTED
from ..findings.collapse import Result
from .common import conclusion_values, eval_set_values, count, join, missing, noise_values, opening, p_text, plural


def _f(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


_SPLIT = "every collapsed run was trained at a higher learning rate than every converged run"


def evidence(result: Result) -> str:
    c = result.conclusion
    if c.statistic is None or c.verdict == CONTRADICTED:
        return c.reason
    if c.verdict == SUPPORTED:
        return _SPLIT + ", and Fisher's exact test tells this split from chance"
    return _SPLIT + f", but {count(result.n_runs, 'run')} cannot rule out chance"


def takeaway(result: Result) -> str:
    """The summary's takeaway: what these data say about a learning-rate threshold for mode collapse."""
    c = result.conclusion
    test = f"Fisher's exact {p_text(c.p_value)}"
    if c.verdict == SUPPORTED:
        return f"Mode collapse set in at a learning-rate threshold here: {_SPLIT} ({c.shown}; {test})."
    if c.verdict == CONTRADICTED:
        return "These data do not show mode collapse setting in at one learning-rate threshold: " + c.reason + "."
    head = "These data cannot say whether mode collapse sets in at a learning-rate threshold: "
    if c.statistic is None:
        return head + c.reason + "."
    return head + f"{_SPLIT} ({c.shown}), but {count(result.n_runs, 'run')} cannot rule out chance ({test})."


def bracket_text(result: Result) -> str:
    b = result.bracket
    if result.n_runs == 0:
        return "no run has an outcome, so the runs do not bracket a threshold"
    if not b.n_collapsed or not b.n_converged:
        outcome = "no run collapsed" if not b.n_collapsed else "every run collapsed"
        return (f"{outcome}, so the runs do not bracket a threshold: if there is one, it lies "
                + ("above the largest rate tried" if not b.n_collapsed else "below the smallest rate tried"))
    if b.consistent:
        return (f"a threshold, if there is one, lies between {fmt.sci(b.largest_converged)} (the largest rate that "
                f"converged) and {fmt.sci(b.smallest_collapsed)} (the smallest that collapsed), a "
                f"{fmt.ratio(b.ratio)} bracket; "
                "the runs do not locate it more finely")
    return (f"no single threshold separates them: a run converged at {fmt.sci(b.largest_converged)}, at or above "
            f"{fmt.sci(b.smallest_collapsed)}, where one collapsed")


def range_text(result: Result) -> str:
    runs = result.runs
    ranged = runs[runs["is_range"]]
    if ranged.empty:
        return "Every run reported a single accuracy"
    line = fmt.pct(result.params.collapse_accuracy)
    listed = join([f"{_label(r)} ({fmt.pct_range(r['accuracy_low'], r['accuracy_high'], 1)})"
                   for _, r in ranged.iterrows()])
    text = f"{count(len(ranged), 'run')} reported only a range of accuracies: {listed}"
    unknown = ranged[ranged["outcome"] == collapse.UNKNOWN]
    if len(unknown):
        text += (f". {count(len(unknown), 'range')} {plural('straddles', len(unknown))} the collapse line "
                 f"{line}, so {'its' if len(unknown) == 1 else 'their'} outcome is unknown and "
                 f"{'it is' if len(unknown) == 1 else 'they are'} left out of the threshold")
    return text


def _label(r) -> str:
    return f"attempt {int(r['attempt'])}" if not missing(r["attempt"]) else f"the run at {fmt.sci(r['learning_rate'])}"


def _some(n: int, noun: str) -> str:
    """``count``, with "no" for none: ``no run``, ``1 run``, ``3 runs``."""
    return f"no {noun}" if n == 0 else count(n, noun)


def _every(n: int) -> str:
    return {1: "The collapsed run", 2: "Both collapsed runs"}.get(n, f"All {count(n, 'collapsed run')}")


def complete_text(result: Result) -> str:
    runs, p = result.runs, result.params
    n = result.bracket.n_collapsed
    if n == 0:
        return "No run collapsed, so none collapsed completely"
    complete = int((runs["severity"] == "complete").sum())
    partial = int((runs["severity"] == "partial").sum())
    limit = f"accuracy at or below {fmt.pct(p.complete_accuracy)}"
    if complete == n:
        return f"{_every(n)} collapsed completely ({limit})"
    if partial == n:
        return f"{_every(n)} collapsed partially: none reached {fmt.pct(p.complete_accuracy)} or below"
    parts = [f"{fmt.number(complete) if complete else 'none'} collapsed completely ({limit})",
             f"{fmt.number(partial) if partial else 'none'} partially"]
    undecided = n - complete - partial
    if undecided:
        parts.append(f"{fmt.number(undecided)} known only as a range across {fmt.pct(p.complete_accuracy)}")
    return f"Of the {count(n, 'collapsed run')}, " + join(parts)


def n_painted(grid) -> int:
    """The grid's cells without a run whose row is ``illustrative``: placeholders an original figure drew (the
    post's figure 4 painted its six as collapsed). A researcher's data with every cell run has none."""
    return int(((grid["outcome"] == collapse.NO_RUN) & (grid["status"] == "illustrative")).sum())


def _painted_text(grid, empty: int) -> str:
    """What the original figure drew in the cells without a run, only where the data holds such placeholders."""
    painted = n_painted(grid)
    if painted == 0:
        return ""
    if painted == empty:
        which = "that cell" if painted == 1 else f"those {fmt.number(painted)} cells"
        return f"; the original figure painted {which} (the data's illustrative rows) as collapsed"
    return (f"; the original figure painted {fmt.number(painted)} of them (the data's illustrative "
            f"{plural('row', painted)}) as collapsed")


def cells_text(result: Result) -> str:
    grid = result.grid
    ran = int((grid["outcome"] != collapse.NO_RUN).sum())
    empty = len(grid) - ran
    if empty == 0:
        return f"every one of its {count(len(grid), 'cell')} has a run"
    return (f"{_some(ran, 'cell')} of its {fmt.number(len(grid))} {plural('has', ran)} a run, and the other "
            f"{fmt.number(empty)} {plural('is', empty)} drawn as \"no run\"" + _painted_text(grid, empty))


def _the_illustrative(n: int) -> str:
    return "the illustrative one" if n == 1 else f"the {fmt.number(n)} illustrative ones"


def grid_caption_text(result: Result) -> str:
    """The grid figure's caption: how its cells are labelled and coloured, for the cells these data have."""
    grid = result.grid
    several = int((grid["n_attempts"] > 1).sum())
    text = "Learning rate by LoRA rank. "
    if several:
        text += (f"A cell of one run is coloured by its outcome and labelled with its accuracy; the "
                 f"{count(several, 'cell')} of several runs {plural('is', several)} labelled k/n, the k of "
                 f"{'its' if several == 1 else 'their'} n runs that collapsed, and coloured from converged to "
                 "collapsed by that share; a cell is drawn in the style of its least measured run")
    else:
        text += ("Coloured cells are runs, labelled with their accuracy (its range, where only a range is "
                 "known)")
    empty = int((grid["outcome"] == collapse.NO_RUN).sum())
    if empty:
        text += "; the hatched cells labelled \"no run\" had none"
        painted = n_painted(grid)
        if painted:
            text += (" (the original figure drew them as collapsed)" if painted == empty else
                     f" (the original figure drew {_the_illustrative(painted)} as collapsed)")
    return text + "."


def changed_settings_text(result: Result) -> str:
    changed = [collapse.SETTING_WORDS.get(c, c) for c in result.changed]
    if not changed:
        return "no other recorded setting changed between the runs"
    return f"{join(changed)} changed with it, so the data cannot credit the learning rate alone"


def _change(c: collapse.Change, verb: str) -> str:
    p = p_text(c.p_value)
    return (f"{verb} from {fmt.pct(c.low_accuracy, 1)} at {fmt.sci(c.low_rate)} to {fmt.pct(c.high_accuracy, 1)} "
            f"at {fmt.sci(c.high_rate)}" + (f" ({p})" if p else " (no counts to test)"))


def trend_text(result: Result) -> str:
    """Whether accuracy rises and falls with the learning rate, each change judged by Fisher's exact test."""
    t = result.trend
    text = _trend_words(t)
    if t.pooled:  # many runs: the changes are between learning rates, each rate's runs pooled
        return (f"Pooling the runs at each learning rate ({count(t.n_runs, 'single accuracy')} at "
                f"{count(t.n_rates, 'rate')}), " + text[0].lower() + text[1:])
    return text


def _trend_words(t) -> str:
    if t.shape == "too few":
        return (f"With {count(t.n_runs, 'single accuracy')} at {count(t.n_rates, 'learning rate')}, the data "
                "cannot say whether accuracy rises and falls with the learning rate")
    if t.shape == "monotonic" and t.rise is None and t.fall is None:
        return "Accuracy is the same at every learning rate tried"
    if t.shape == "monotonic":
        change = t.fall or t.rise
        never = "rises" if t.rise is None else "falls"
        return f"Accuracy never {never} as the learning rate grows: it " + _change(change, "goes")
    text = "Accuracy " + _change(t.fall, "falls") + " and " + _change(t.rise, "rises")
    if t.shape == "non-monotonic":
        return text + f": both changes are larger than sampling noise (Fisher's exact test, {ALPHA:g} level)"
    noisy = [w for w, c in (("the rise", t.rise), ("the fall", t.fall)) if not t.significant(c)]
    return text + f"; Fisher's exact test cannot tell {join(noisy)} from sampling noise at the {ALPHA:g} level"


def key_number(grid) -> str:
    """The dashboard's line on Finding 2, from its grid (:func:`evalpatterns.collapse.collapse_grid`), every
    attempt of every cell counted: ``Mode collapse: 2 of 3 runs collapsed; 6 of the 9 grid cells were never
    run``."""
    runs = int(grid["n_attempts"].sum())
    collapsed, unknown = int(grid["n_collapsed"].sum()), int(grid["n_unknown"].sum())
    empty = int((grid["outcome"] == collapse.NO_RUN).sum())
    text = f"Mode collapse: {fmt.number(collapsed)} of {count(runs, 'run')} collapsed"
    if unknown:
        text += f" ({fmt.number(unknown)} with an unknown outcome)"
    if empty:
        text += f"; {fmt.number(empty)} of the {fmt.number(len(grid))} grid cells {plural('was', empty)} never run"
    return text



def key_numbers(result: Result) -> list[str]:
    """The dashboard's line on Finding 2 (:func:`key_number` of its grid)."""
    return [key_number(result.grid)]


def values(result: Result) -> dict:
    b, p, runs = result.bracket, result.params, result.runs
    grid = result.grid
    ran = grid["outcome"] != collapse.NO_RUN
    labelled = runs[runs["collapsed"].notna()].copy()
    labelled["label"] = [_label(r) for _, r in labelled.iterrows()]
    v = {
        "question": "does mode collapse set in at a learning-rate threshold",
        "bracket_text": bracket_text(result), "changed_settings_text": changed_settings_text(result),
        "collapse_accuracy": float(p.collapse_accuracy), "collapse_accuracy_text": fmt.pct(p.collapse_accuracy),
        "complete_accuracy": float(p.complete_accuracy), "complete_accuracy_text": fmt.pct(p.complete_accuracy),
        "binary_bracket": float(p.binary_bracket), "binary_bracket_text": fmt.ratio(p.binary_bracket),
        "n_runs": result.n_runs, "n_runs_text": count(result.n_runs, "run"),
        "n_collapsed": b.n_collapsed, "n_collapsed_text": count(b.n_collapsed, "run"),
        "n_converged": b.n_converged, "n_converged_text": count(b.n_converged, "run"),
        "n_unknown": result.n_unknown, "n_ranges": int(runs["is_range"].sum()),
        "n_cells": int(len(grid)), "n_cells_with_run": int(ran.sum()),
        "n_cells_without_run": int((~ran).sum()), "n_cells_painted": n_painted(grid),
        "cells_text": cells_text(result), "grid_caption_text": grid_caption_text(result),
        "outcomes_text": f"{_some(b.n_collapsed, 'run')} collapsed and {_some(b.n_converged, 'run')} converged",
        "largest_converged": _f(b.largest_converged), "smallest_collapsed": _f(b.smallest_collapsed),
        "largest_collapsed": _f(b.largest_collapsed),
        "bracket_ratio": _f(b.ratio), "bracket_ratio_text": fmt.ratio(b.ratio),
        "collapsed_span": _f(b.collapsed_span), "bracket_consistent": bool(b.consistent),
        "separation_p_value": _f(result.separation.p_value) if result.separation else None,
        "range_text": range_text(result), "complete_text": complete_text(result), "trend_text": trend_text(result),
        "trend_shape": result.trend.shape, "n_intermediate": result.n_intermediate,
    }
    v.update(noise_values(labelled, "label", "mc"))
    v.update(conclusion_values(result.conclusion))
    v.update(eval_set_values(result.eval_sets))
    v["opening_text"] = opening(result.conclusion, evidence(result))
    v["takeaway_text"] = takeaway(result)
    return v
