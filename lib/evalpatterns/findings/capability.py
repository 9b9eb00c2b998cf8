"""Finding 1: is there a capability cliff between model sizes? One analysis, one result.

The arithmetic (gaps between sizes, training changes, the heat map's cells, the direction of better) lives in
:mod:`evalpatterns.capability`; this module runs it once with the chapter's sizes and draws the conclusion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .. import capability
from .. import formatting as fmt
from ..stats import compare_proportions, compare_with_stderr
from ..words.common import caveated, count, join_some
from .base import (ALPHA, CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion, EvalSetMismatch, eval_set_cells,
                   eval_set_mismatch, param)

NUMBER = 1
CHAPTER = "capability-cliff"
DATA = ("capability",)
QUESTION = "Finding 1: is there a capability cliff between model sizes?"
CLAIM = "Models below ~3B parameters consistently fail at tasks that 8B models succeed at."
#: Fewest tasks measured at both sizes on which the cliff can be called consistent.
MIN_TASKS = 2


@dataclass(frozen=True)
class Params:
    small_b: float = param(3.0, "the smaller model size compared, in billions of parameters", 0)
    large_b: float = param(8.0, "the larger model size compared, in billions of parameters", 0)


@dataclass(frozen=True)
class Result:
    params: Params
    data: pd.DataFrame  #: the capability frame as loaded
    gaps: pd.DataFrame  #: one row per task measured at both sizes: capability.size_gaps, plus size_tests' p_value and test
    changes: pd.DataFrame  #: one row per (task, size) measured before and after training: capability.training_change
    matrix: pd.DataFrame  #: one cell per (task, size) for the heat map: capability.capability_matrix
    largest: pd.Series | None  #: the row of ``gaps`` with the largest gap by size (``|advantage_points|``)
    n_cliff: int  #: tasks showing the cliff
    n_small_as_good: int  #: tasks where the small model is at least as good as the large
    conclusion: Conclusion
    eval_sets: tuple[EvalSetMismatch, ...] = ()  #: compared scores measured on different eval sets


FISHER, Z_TEST = "Fisher's exact test", "a two-sided z-test"  #: the size-gap tests, as the words name them


def _one_test(r) -> tuple[float, str | None]:
    counts = [r["large_k"], r["large_n"], r["small_k"], r["small_n"]]
    if not any(pd.isna(c) for c in counts) and r["large_n"] > 0 and r["small_n"] > 0:
        return compare_proportions(*(int(c) for c in counts)).p_value, FISHER
    se = [r.get("large_se", math.nan), r.get("small_se", math.nan)]
    if not any(pd.isna(x) for x in se):
        return compare_with_stderr(r["large"], se[0], r["small"], se[1]).p_value, Z_TEST
    return math.nan, None


def size_tests(gaps: pd.DataFrame) -> pd.DataFrame:
    """Each gap's test of the large against the small model: ``p_value`` and ``test``, the test's name.
    Fisher's exact test where both sizes have counts (``n_correct``/``n_eval``); else, where both have a
    standard error, the two-sided z-test on ``large - small`` with ``se = sqrt(small_se² + large_se²)``
    (:func:`evalpatterns.stats.compare_with_stderr`); else no test (both empty). Example: 0.70
    (se 0.153) against 0.60 (se 0.163) by z-test: p = 0.65."""
    rows = [_one_test(r) for _, r in gaps.iterrows()]
    return pd.DataFrame({"p_value": pd.Series([p for p, _ in rows], index=gaps.index, dtype=float),
                         "test": pd.Series([t for _, t in rows], index=gaps.index, dtype=object)})


def largest_gap(gaps: pd.DataFrame) -> pd.Series | None:
    """The task whose two sizes are furthest apart (by the absolute gap; its sign says which is better)."""
    if gaps.empty:
        return None
    return gaps.loc[gaps["advantage_points"].abs().idxmax()]


def gap_unit(gaps: pd.DataFrame) -> str:
    """What one row of ``gaps`` is, for the sentences: ``task`` when each task is compared at one stage, else
    ``task-stage pair`` (a task measured at both sizes before and after training is compared twice)."""
    return "task" if gaps.empty or not gaps.duplicated(["project", "task"]).any() else "task-stage pair"


def _tasks(n: int, unit: str = "task") -> str:
    return count(n, unit)


def _largest_text(g: pd.Series, small_b: float, large_b: float) -> str:
    adv = float(g["advantage_points"])
    if adv == 0:
        return f"the sizes score the same on every task, {g['task']} included"
    ahead, behind = (large_b, small_b) if adv > 0 else (small_b, large_b)
    x = abs(adv)
    return (f"the largest gap, {fmt.number(x, 0 if x >= 1 else min(fmt.significant_decimals(x, 2), 4))} points on {g['task']}, is in favour of "
            f"{fmt.size(ahead)} over {fmt.size(behind)}")


def conclude(gaps: pd.DataFrame, params: Params) -> Conclusion:
    """The verdict on the post's cliff between ``params.small_b`` and ``params.large_b``.

    The rule: over the tasks measured at both sizes at the same stage, each size's score is taken as a
    fraction of the task's scale, read in the task's direction of better (``higher_is_better``, default
    true). A task *shows the cliff* when the small model is below half marks and the large model at or above
    them. **Supported**: at least ``MIN_TASKS`` (2) tasks measured at both sizes, every one shows the cliff,
    and, where both sizes have counts (``n_correct``/``n_eval``) or standard errors (``stderr``), the test of
    :func:`size_tests` (Fisher's exact test on counts, else a two-sided z-test) tells the two sizes apart at
    ALPHA. **Contradicted**: no task shows the cliff, or the small model is at least as good as the
    large on most (more than half of the) tasks. **Inconclusive**: fewer than 2 tasks at both sizes, a mix of
    tasks with and without the cliff, or a cliff the counts cannot tell from noise. The statistic is the
    number of tasks showing the cliff (of those measured at both sizes); ``shown`` adds the largest gap by
    size and which size it favours; ``p_value`` is the largest p among the tested cliff tasks.
    """
    small_b, large_b = params.small_b, params.large_b
    test = (f"the rule that each of at least {MIN_TASKS} tasks measured at both {fmt.size(small_b)} and "
            f"{fmt.size(large_b)} scores below half marks at {fmt.size(small_b)} and at or above them at "
            f"{fmt.size(large_b)}, read in the task's direction of better (with Fisher's exact test on the two "
            f"sizes where the counts are known, else a two-sided z-test where their standard errors are, "
            f"significance {ALPHA:g})")
    if not small_b < large_b:
        return Conclusion(INCONCLUSIVE, test, None, "no comparison", f"the smaller size compared "
                          f"({fmt.size(small_b)}) must be below the larger ({fmt.size(large_b)})")
    n = len(gaps)
    if n == 0:
        return Conclusion(INCONCLUSIVE, test, None, "no task at both sizes", f"no task is measured at both "
                          f"{fmt.size(small_b)} and {fmt.size(large_b)}")
    n_cliff, unit = int(gaps["cliff"].sum()), gap_unit(gaps)
    n_small_as_good = int((gaps["advantage_points"] <= 0).sum())
    count_text = (f"the one task at both sizes {'shows' if n_cliff else 'does not show'} the cliff" if n == 1
                  else f"{fmt.number(n_cliff)} of {_tasks(n, unit)} {'shows' if n_cliff == 1 else 'show'} the cliff")
    shown = f"{count_text}; {_largest_text(largest_gap(gaps), small_b, large_b)}"
    cliff_p = gaps.loc[gaps["cliff"], "p_value"].dropna() if "p_value" in gaps else pd.Series(dtype=float)
    p = float(cliff_p.max()) if len(cliff_p) else None
    if n < MIN_TASKS:
        return Conclusion(INCONCLUSIVE, test, n_cliff, shown, f"only {_tasks(n)} {'is' if n == 1 else 'are'} "
                          f"measured at both {fmt.size(small_b)} and {fmt.size(large_b)}, and a consistent cliff "
                          f"needs at least {MIN_TASKS}", p)
    if n_cliff == 0 or n_small_as_good > n / 2:
        why = (f"no task fails at {fmt.size(small_b)} and passes at {fmt.size(large_b)}" if n_cliff == 0 else
               f"the {fmt.size(small_b)} model is at least as good as the {fmt.size(large_b)} on "
               f"{fmt.number(n_small_as_good)} of {_tasks(n, unit)}")
        return Conclusion(CONTRADICTED, test, n_cliff, shown, why, p)
    if n_cliff < n:
        return Conclusion(INCONCLUSIVE, test, n_cliff, shown, f"{fmt.number(n_cliff)} of {_tasks(n, unit)} show the cliff "
                          f"and {fmt.number(n - n_cliff)} {'does' if n - n_cliff == 1 else 'do'} not: the cliff is "
                          "not consistent", p)
    noisy = cliff_p[cliff_p >= ALPHA]
    if len(noisy):
        names = ", ".join(str(gaps.loc[i, "task"]) for i in noisy.index)
        used = list(dict.fromkeys(gaps.loc[noisy.index, "test"])) if "test" in gaps else [FISHER]
        return Conclusion(INCONCLUSIVE, test, n_cliff, shown, f"every task shows the cliff, but "
                          f"{' or '.join(used)} cannot tell the two sizes apart on {names}", p)
    return Conclusion(SUPPORTED, test, n_cliff, shown, f"each of the {_tasks(n, unit)} measured at both sizes fails below "
                      f"half marks at {fmt.size(small_b)} and passes at {fmt.size(large_b)}", p)


def eval_set_mismatches(frame: pd.DataFrame, gaps: pd.DataFrame, changes: pd.DataFrame,
                        params: Params) -> tuple[EvalSetMismatch, ...]:
    """The comparisons whose two scores name different eval sets: each task's small against large model (at
    one stage) and each task's base against trained model (at one size). The frame's ``eval_set`` cells are
    grouped once by (project, task, size, stage), so the cost grows with the rows, not rows x comparisons."""
    if "eval_set" not in frame:
        return ()
    keys = ["project", "task", "params_b", "stage"]
    cells = {key: list(part) for key, part in frame.groupby(keys, sort=False)["eval_set"]}
    out = []
    small, large = fmt.size(params.small_b), fmt.size(params.large_b)
    for g in gaps.itertuples():
        out.append(eval_set_mismatch(f"{g.task} at {small} against {large}, "
                                     f"{'before' if g.stage == 'base' else 'after'} training",
                                     cells.get((g.project, g.task, params.small_b, g.stage), []),
                                     cells.get((g.project, g.task, params.large_b, g.stage), [])))
    for c in changes.itertuples():
        out.append(eval_set_mismatch(f"{c.task} at {fmt.size(c.params_b)} before against after training",
                                     cells.get((c.project, c.task, c.params_b, "base"), []),
                                     cells.get((c.project, c.task, c.params_b, "trained"), [])))
    return tuple(m for m in out if m is not None)


def analyse(data: dict[str, pd.DataFrame] | pd.DataFrame, params: Params = Params()) -> Result:
    """Finding 1 on a loaded ``capability`` frame (or ``{"capability": frame}``)."""
    frame = data["capability"] if isinstance(data, dict) else data
    gaps = capability.size_gaps(frame, params.small_b, params.large_b)
    tested = size_tests(gaps)
    gaps = gaps.assign(p_value=tested["p_value"].to_numpy(), test=tested["test"].to_numpy())
    changes = capability.training_change(frame)
    matrix = capability.capability_matrix(frame)
    mismatches = eval_set_mismatches(frame, gaps, changes, params)
    conclusion = caveated(conclude(gaps, params), mismatches)
    return Result(params, frame, gaps, changes, matrix, largest_gap(gaps), int(gaps["cliff"].sum()),
                  int((gaps["advantage_points"] <= 0).sum()), conclusion, mismatches)
