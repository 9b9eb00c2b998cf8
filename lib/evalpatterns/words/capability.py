"""Finding 1's sentences, written from :class:`evalpatterns.findings.capability.Result`.

Every comparison is read in its task's direction of better (``higher_is_better``): a break rate falling
from 65% to 35% "improved", and a gap says which size it favours. A sentence whose value is missing is
rewritten, never filled with "n/a".
"""
from __future__ import annotations

import pandas as pd

from .. import formatting as fmt
from ..capability import MANY_TASKS, heatmap_tasks, higher_is_better, measured_at_both
from ..findings.base import ALPHA, CONTRADICTED, SUPPORTED
from ..findings.capability import FISHER, Z_TEST, Result, gap_unit
from .common import conclusion_values, eval_set_values, count, join, opening, p_text, plural


def _f(x) -> float | None:
    try:
        return None if x is None or pd.isna(x) else float(x)
    except (TypeError, ValueError):
        return None


def change_word(improved: bool, regressed: bool) -> str:
    """What training did, in the task's direction of better: ``improved``, ``regressed`` or ``left unchanged``."""
    return "improved" if improved else "regressed" if regressed else "left unchanged"


def better_label(advantage: float, better: str, worse: str) -> str:
    """Which side is better: ``better`` when ``advantage`` > 0, ``worse`` when < 0, ``the same`` at 0."""
    return better if advantage > 0 else worse if advantage < 0 else "the same"


def points_text(x: float) -> str:
    """The size of a gap in points: whole points, or two significant digits below one (``0.4``, never ``0``)."""
    x = abs(float(x))
    return fmt.number(x, 0 if x >= 1 or x == 0 else min(fmt.significant_decimals(x, 2), 4))


def lower_note(higher_is_better: bool) -> str:
    """`` (lower is better)`` for a task whose lower scores are better, '' otherwise."""
    return "" if higher_is_better else " (lower is better)"


def cliff_legend(small_b: float, n_both: int, n_tasks: int, large_b: float = 8) -> str:
    """The heat map's legend for the cliff line: how many of its tasks are measured at both sizes. The post's
    name for it ('3B cliff') only for the post's sizes, 3B against 8B."""
    of = f"{fmt.number(n_both)} of {fmt.number(n_tasks)} tasks" if n_tasks > 1 else "its one task" if n_both else "no task"
    name = ("the post's '3B cliff'" if (float(small_b), float(large_b)) == (3.0, 8.0)
            else f"a cliff between {fmt.size(small_b)} and {fmt.size(large_b)}")
    return f"{name}: measured at both sizes for {of}"


def sizes(result: Result) -> tuple[str, str]:
    return fmt.size(result.params.small_b), fmt.size(result.params.large_b)


def gap_text(result: Result) -> str:
    """The largest gap by size, the size it favours, and the two scores."""
    small, large = sizes(result)
    g = result.largest
    if g is None:
        return f"No task is measured at both {small} and {large}, so no gap between the sizes can be computed"
    adv = float(g["advantage_points"])
    scores = f"{fmt.pct(g['large'])} at {large} against {fmt.pct(g['small'])} at {small}"
    task = f"{g['task']}{lower_note(bool(g['higher_is_better']))}"
    ahead, behind = (large, small) if adv > 0 else (small, large)
    if adv == 0:
        lead = f"the two sizes score the same: {scores}"
    else:
        lead = f"{ahead} is {points_text(adv)} percentage points better than {behind} ({scores})"
    if len(result.gaps) == 1:
        return f"On {task}, the one task measured at both sizes, {lead}"
    return (f"The largest gap among the {count(len(result.gaps), gap_unit(result.gaps))} measured at both sizes is "
            f"on {task}: {lead}")


def cliff_text(result: Result) -> str:
    small, large = sizes(result)
    n, k, same = len(result.gaps), result.n_cliff, result.n_small_as_good
    unit = gap_unit(result.gaps)  # 'task', or 'task-stage pair' where a task is compared at both stages
    units = plural(unit, n)
    if not n:
        return f"No task is measured at both {small} and {large}"
    rule = f"below half marks at {small}, at or above them at {large}"
    if n == 1:
        return f"The one task measured at both sizes {'shows' if k else 'does not show'} the cliff ({rule})"
    if not k:
        head = f"None of the {fmt.number(n)} {units} measured at both sizes shows the cliff ({rule})"
    elif k == n:
        head = f"{'Both' if n == 2 else f'All {fmt.number(n)}'} {units} measured at both sizes show the cliff ({rule})"
    else:
        head = (f"{fmt.number(k)} of the {fmt.number(n)} {units} measured at both sizes {'shows' if k == 1 else 'show'} "
                f"the cliff ({rule})")
    if not same:
        return f"{head}; the {large} model is better on every one"
    return f"{head}; the {small} model is at least as good as the {large} on {count(same, unit)}"


def change_row(result: Result) -> pd.Series | None:
    """The training change the prose describes: the largest by size (absolute points)."""
    ch = result.changes
    if ch.empty:
        return None
    return ch.loc[ch["change_points"].astype(float).abs().idxmax()]


def change_text(result: Result) -> str:
    """What training did to the model it trained (that row's size, not the chapter's small size)."""
    c = change_row(result)
    if c is None:
        return "No task is measured both before and after training, so the data says nothing about what training changed"
    size, word = fmt.size(c["params_b"]), change_word(bool(c["improved"]), bool(c["regressed"]))
    task = f"{c['task']}{lower_note(bool(c['higher_is_better']))}"
    head = f"On {task}, training the {size} model {word} it"
    if not c["improved"] and not c["regressed"]:
        return f"{head} at {fmt.pct(c['base'])}"
    text = f"{head} from {fmt.pct(c['base'])} to {fmt.pct(c['trained'])}: {fmt.points(c['change_points'])} points"
    if _f(c["relative_change"]) is not None:
        text += f", or {fmt.pct(abs(c['relative_change']), 1)} of where it started"
    if len(result.changes) > 1:
        text += f" (the largest of the {count(len(result.changes), 'change')} measured)"
    return text + ". That is a change within one model size, not a comparison between sizes"


def direction_text(result: Result) -> str:
    lower = list(dict.fromkeys(result.data.loc[~higher_is_better(result.data), "task"]))
    if not lower:
        return "Every task is scored so that higher is better"
    if len(lower) > MANY_TASKS:
        n = len(dict.fromkeys(result.data["task"]))
        return (f"On {fmt.number(len(lower))} of the {fmt.number(n)} tasks a lower score is better (marked so in "
                "the tables), so their gaps, passes and training changes are read that way")
    return (f"On {join(lower)}, a lower score is better, so {'its' if len(lower) == 1 else 'their'} gaps, passes "
            "and training changes are read that way")


def _test_names(tested: pd.DataFrame) -> str:
    """The tests used, as one subject: "Fisher's exact test", "a two-sided z-test on the standard errors", or
    both with "where the counts are known" / "elsewhere"."""
    used = list(dict.fromkeys(tested["test"])) if "test" in tested else [FISHER]
    if used == [FISHER]:
        return FISHER
    if used == [Z_TEST]:
        return f"{Z_TEST} on the standard errors"
    return f"{FISHER} (where the counts are known) or {Z_TEST} on the standard errors (elsewhere)"


def fisher_text(result: Result) -> str:
    """Which gaps the size test tells apart from sampling noise, naming the test: Fisher's exact test where
    both sizes have counts, else a two-sided z-test where both have standard errors. Past
    :data:`~evalpatterns.capability.MANY_TASKS` tested gaps, how many rather than which."""
    g = result.gaps
    tested = g[g["p_value"].notna()] if "p_value" in g else g.iloc[0:0]
    if tested.empty:
        return ("No task has counts (n_correct of n_eval) or standard errors at both sizes, so no gap is tested "
                "against sampling noise")
    name = _test_names(tested)
    apart_rows = tested[tested["p_value"] < ALPHA]
    if len(tested) > MANY_TASKS:
        k, n = len(apart_rows), len(tested)
        head = (f"{name[0].upper()}{name[1:]} tells the two sizes apart on {'none' if k == 0 else 'all' if k == n else fmt.number(k)} "
                f"of the {fmt.number(n)} gaps tested")
        return head + f" (significance {ALPHA:g})"
    apart = [f"{r.task} ({p_text(r.p_value)})" for r in tested.itertuples() if r.p_value < ALPHA]
    same = [f"{r.task} ({p_text(r.p_value)})" for r in tested.itertuples() if r.p_value >= ALPHA]
    subject = name[0].upper() + name[1:]
    if apart and same:
        text = f"{subject} tells the two sizes apart on {join(apart)} but not on {join(same, 'or')}"
    elif apart:
        text = f"{subject} tells the two sizes apart on {join(apart)}"
    else:
        text = f"{subject} cannot tell the two sizes apart on {join(same, 'or')}"
    return text + f" (significance {ALPHA:g})"


def _drawn_text(result: Result, tasks: list[str]) -> str:
    """What the many-tasks heat map draws (:func:`evalpatterns.capability.heatmap_tasks`)."""
    small, large = sizes(result)
    n_tasks = fmt.number(result.matrix["task"].nunique())
    if result.gaps.empty:
        return (f"With {n_tasks} tasks and none measured at both {small} and {large}, it draws the first "
                f"{fmt.number(len(tasks))}")
    return (f"With {n_tasks} tasks, it draws the {fmt.number(len(tasks))} whose {small} and {large} scores are "
            f"furthest apart in the direction of better, and below them every one of the "
            f"{count(len(result.gaps), 'gap')} as a histogram")


def cells_text(result: Result) -> str:
    """How many cells of the map are measurements (and, past MANY_TASKS tasks, which tasks it draws)."""
    m = result.matrix
    tasks = heatmap_tasks(m, result.gaps)
    if tasks is not None:
        drawn = m[m["task"].isin(tasks)]
        k = int(drawn["status"].eq("measured").sum())
        if k == len(drawn):
            return f"{_drawn_text(result, tasks)}. All {count(k, 'cell')} drawn are measurements"
        rest = len(drawn) - k
        return (f"{_drawn_text(result, tasks)}. Of the {count(len(drawn), 'cell')} drawn, {fmt.number(k)} "
                f"{'is a measurement' if k == 1 else 'are measurements'}; the other {fmt.number(rest)} "
                f"{'is' if rest == 1 else 'are'} hatched and labelled with what {'it is' if rest == 1 else 'they are'}")
    n, measured = len(m), int(m["status"].eq("measured").sum())
    if n == 0:
        return "The data has no cell to draw"
    if measured == n:
        return "Its one cell is a measurement" if n == 1 else f"All {count(n, 'cell')} are measurements"
    other = m.loc[~m["status"].eq("measured"), "status"].value_counts()
    kinds = join([f"{k} {s}" for s, k in other.items()])
    rest = n - measured
    hatched = f"{'is' if rest == 1 else 'are'} hatched and labelled with what {'it is' if rest == 1 else 'they are'}"
    if measured == 0:
        return f"No cell is a measurement: {'its one cell' if n == 1 else f'all {n} cells'} ({kinds}) {hatched}"
    return (f"Of its {count(n, 'cell')}, {measured} {'is a measurement' if measured == 1 else 'are measurements'}; "
            f"the other {'one' if rest == 1 else rest} ({kinds}) {hatched}")


def evidence(result: Result) -> str:
    return result.conclusion.reason


def takeaway(result: Result) -> str:
    """The summary's takeaway, from the conclusion (never asserts a cliff the data does not show), then the
    largest gap by size and the size it favours, where there is one."""
    c, (small, large) = result.conclusion, sizes(result)
    if c.verdict == SUPPORTED:
        head = f"A capability cliff between {small} and {large} here: {c.reason}"
    elif c.verdict == CONTRADICTED:
        head = f"No capability cliff between {small} and {large} here: {c.reason}"
    else:
        head = f"These data cannot say whether there is a capability cliff between {small} and {large}: {c.reason}"
    return head + (f". {gap_text(result)}." if result.largest is not None else ".")



def key_numbers(result: Result) -> list[str]:
    """The dashboard's lines on Finding 1: each task measured at both sizes compared (``Structured output
    (judging): 21% at 3B, 76% at 8B``; past :data:`~evalpatterns.capability.MANY_TASKS` such tasks, how many
    and how many gaps show the cliff), then how many cells of the map are measurements."""
    small_b, large_b = result.params.small_b, result.params.large_b
    m, lines = result.matrix, []
    both = measured_at_both(m, (small_b, large_b))
    if len(both) > MANY_TASKS:
        lines.append(f"{fmt.number(len(both))} tasks measured at {fmt.size(small_b)} and {fmt.size(large_b)}; "
                     f"{fmt.number(result.n_cliff)} of {count(len(result.gaps), 'gap')} show the cliff")
        both = []
    for task in both:
        t = m[m["task"] == task].set_index("params_b")["performance"]
        lines.append(f"{task}: {fmt.pct(t[small_b])} at {fmt.size(small_b)}, "
                     f"{fmt.pct(t[large_b])} at {fmt.size(large_b)}")
    k = int((m["status"] == "measured").sum())
    lines.append(f"Capability map: {fmt.number(k)} of {count(len(m), 'cell')} "
                 f"{'is a measurement' if k == 1 else 'are measurements'}")
    return lines


def values(result: Result) -> dict:
    small, large = sizes(result)
    m, g, c = result.matrix, result.largest, change_row(result)
    n_measured = int(m["status"].eq("measured").sum())
    v = {
        "question": "is there a capability cliff between model sizes",
        "small_size_text": small, "large_size_text": large,
        "n_gap_tasks": int(len(result.gaps)), "n_gap_tasks_text": count(len(result.gaps), gap_unit(result.gaps)),
        "n_cliff": result.n_cliff, "n_small_as_good": result.n_small_as_good,
        "n_cells": int(len(m)), "n_cells_measured": n_measured, "n_cells_not_measured": int(len(m)) - n_measured,
        "cells_text": cells_text(result), "gap_text": gap_text(result), "cliff_text": cliff_text(result),
        "change_text": change_text(result), "direction_text": direction_text(result),
        "fisher_text": fisher_text(result),
        "gap_task": None if g is None else str(g["task"]),
        "gap_points": None if g is None else _f(g["gap_points"]),
        "gap_advantage_points": None if g is None else _f(g["advantage_points"]),
        "gap_favours": None if g is None else better_label(float(g["advantage_points"]), large, small),
        "gap_lead_points": None if g is None else abs(float(g["advantage_points"])),
        "gap_small": None if g is None else _f(g["small"]), "gap_large": None if g is None else _f(g["large"]),
        "change_task": None if c is None else str(c["task"]),
        "change_size": None if c is None else fmt.size(c["params_b"]),
        "change_points": None if c is None else _f(c["change_points"]),
        "change_relative": None if c is None else _f(c["relative_change"]),
        "change_direction": None if c is None else change_word(bool(c["improved"]), bool(c["regressed"])),
    }
    v.update(conclusion_values(result.conclusion))
    v.update(eval_set_values(result.eval_sets))
    v["opening_text"] = opening(result.conclusion, evidence(result))
    v["takeaway_text"] = takeaway(result)
    return v
