"""Finding 1, the capability cliff: score gaps between model sizes and the effect of training.

Every task has a direction of better: the optional ``higher_is_better`` column of ``capability.csv``
(absent or empty: true). Where a lower score is better (a break rate, a loss), "better", "passes",
"improved" and "regressed" follow it; the raw scores and differences are never flipped.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

MEASURED = ("measured",)
#: More tasks than this: the heat map draws the most extreme tasks and the rest as a distribution, and the
#: chapter's tables show their first rows with every row to download.
MANY_TASKS = 12
#: Share of full marks, counted in the direction of better, at or above which a task counts as passed.
HALF_MARKS = 0.5


def performance(capability: pd.DataFrame) -> pd.Series:
    """Each row's score as a fraction of its scale (``value / scale_max``)."""
    return capability["value"] / capability["scale_max"]


def higher_is_better(capability: pd.DataFrame) -> pd.Series:
    """Each row's direction of better: its (project, task)'s first given ``higher_is_better``, true where the
    column is absent or every row of the task leaves it empty."""
    if "higher_is_better" not in capability:
        return pd.Series(True, index=capability.index, name="higher_is_better")
    given = capability["higher_is_better"].astype(object).where(capability["higher_is_better"].notna(), None)
    per_task = (capability.assign(_hib=given).groupby(["project", "task"], sort=False)["_hib"]
                .transform(lambda s: next((bool(v) for v in s if v is not None), True)))
    return per_task.astype(bool).rename("higher_is_better")


def marks(fraction, higher: bool | pd.Series):
    """A fraction of the scale as a share of full marks in the direction of better (``1 - x`` where lower is
    better): ``marks(0.35, False) == 0.65``."""
    return np.where(higher, fraction, 1 - fraction) if isinstance(higher, pd.Series) else (
        fraction if higher else 1 - fraction)


def _measured(capability: pd.DataFrame, statuses) -> pd.DataFrame:
    out = capability.assign(performance=performance(capability), higher_is_better=higher_is_better(capability))
    if "stderr" in out:  # on the value's scale; as a share of the scale like ``performance``
        out["se"] = out["stderr"].astype(float) / out["scale_max"]
    return out[out["status"].isin(statuses)]


def size_gaps(capability: pd.DataFrame, small_b: float = 3, large_b: float = 8,
              statuses: tuple[str, ...] = MEASURED) -> pd.DataFrame:
    """Score gap between two model sizes on each task where both were measured at the same stage.

    Returns one row per (project, task, stage): ``small``, ``large`` (fractions of the scale),
    ``gap_points`` = 100 (large - small) (the raw difference), ``higher_is_better``, ``advantage_points``
    (the larger model's lead in the direction of better: ``gap_points``, negated where lower is better),
    ``small_passes``/``large_passes`` (at or above half marks in the direction of better) and ``cliff`` (the
    small model below half marks and the large at or above them). Where the data has ``n_correct`` and
    ``n_eval``, they come along as ``small_k``, ``small_n``, ``large_k``, ``large_n``, and ``stderr`` as
    ``small_se``, ``large_se`` (a share of the scale: ``stderr / scale_max``), empty where unknown.
    Example: structured output 0.40 at 3B, 0.95 at 8B: 55 points, a cliff.
    """
    df = _measured(capability, statuses)
    keys = ["project", "task", "stage"]
    cols = ["performance", "higher_is_better"] + [c for c in ("n_correct", "n_eval", "se") if c in df]
    small = df[df["params_b"] == small_b].set_index(keys)[cols]
    large = df[df["params_b"] == large_b].set_index(keys)[cols]
    both = small.join(large, how="inner", suffixes=("_small", "_large")).reset_index()
    out = both[keys].assign(small=both["performance_small"].astype(float), large=both["performance_large"].astype(float),
                            higher_is_better=both["higher_is_better_small"].astype(bool))
    out["gap_points"] = 100 * (out["large"] - out["small"])
    out["advantage_points"] = out["gap_points"].where(out["higher_is_better"], -out["gap_points"])
    out["small_passes"] = marks(out["small"], out["higher_is_better"]) >= HALF_MARKS
    out["large_passes"] = marks(out["large"], out["higher_is_better"]) >= HALF_MARKS
    out["cliff"] = ~out["small_passes"] & out["large_passes"]
    for size in ("small", "large"):
        for src, dst in (("n_correct", "k"), ("n_eval", "n"), ("se", "se")):
            out[f"{size}_{dst}"] = (both[f"{src}_{size}"].astype("Float64") if f"{src}_{size}" in both
                                    else pd.Series(pd.NA, index=out.index, dtype="Float64"))
    return out


def training_change(capability: pd.DataFrame, statuses: tuple[str, ...] = MEASURED) -> pd.DataFrame:
    """Change from base to trained for each (project, task, size) measured at both stages.

    ``change_points`` = 100 (trained - base) / scale_max; ``relative_change`` = (trained - base) / base (empty
    where the base is 0); ``improved`` / ``regressed``: training made the score better / worse in the
    direction of better (a break rate falling 65% -> 35% improved). Example: 0.54 -> 0.37 is -17 points,
    -31.5%, regressed.
    """
    df = _measured(capability, statuses)
    keys = ["project", "task", "params_b"]
    columns = keys + ["base", "trained", "change_points", "relative_change", "higher_is_better", "improved",
                      "regressed"]
    wide = df.pivot_table(index=keys, columns="stage", values="performance", aggfunc="first")
    if not {"base", "trained"} <= set(wide.columns):
        return pd.DataFrame(columns=columns)
    wide = wide.dropna(subset=["base", "trained"]).reset_index()
    wide.columns.name = None
    direction = df.drop_duplicates(["project", "task"]).set_index(["project", "task"])["higher_is_better"]
    wide["higher_is_better"] = [bool(direction[(p, t)]) for p, t in zip(wide["project"], wide["task"])]
    wide["change_points"] = 100 * (wide["trained"] - wide["base"])
    base = wide["base"].where(wide["base"] != 0)
    wide["relative_change"] = (wide["trained"] - wide["base"]) / base
    better = wide["change_points"].where(wide["higher_is_better"], -wide["change_points"])
    wide["improved"] = better > 0
    wide["regressed"] = better < 0
    return wide[columns]


def comparisons(gaps: pd.DataFrame, changes: pd.DataFrame, small_b: float = 3, large_b: float = 8) -> pd.DataFrame:
    """Finding 1's derived rows as numbers, the size gaps (:func:`size_gaps`) then the training changes
    (:func:`training_change`), one row each: ``project``, ``task``, ``comparison`` (``size`` or ``training``),
    ``from_b``/``from_stage``/``from_share`` and ``to_b``/``to_stage``/``to_share`` (the two scores compared,
    fractions of the scale), ``change_points`` (100 (to - from)), ``relative_change`` ((to - from) / from for a
    training change, empty for a size gap and where from is 0), ``higher_is_better``, ``advantage_points`` (the
    change in the direction of better: the ``to`` side is better when it is > 0) and ``status``, the provenance
    (both take measured rows only). Example: 0.54 -> 0.37 trained at 3B is a ``training`` row 3, base, 0.54 ->
    3, trained, 0.37: -17 points, -31.5%, advantage -17 (the base is better)."""
    size = pd.DataFrame({"project": gaps["project"], "task": gaps["task"], "comparison": "size",
                         "from_b": float(small_b), "from_stage": gaps["stage"], "from_share": gaps["small"],
                         "to_b": float(large_b), "to_stage": gaps["stage"], "to_share": gaps["large"],
                         "change_points": gaps["gap_points"], "relative_change": np.nan,
                         "higher_is_better": gaps["higher_is_better"], "advantage_points": gaps["advantage_points"]})
    sign = changes["higher_is_better"].map(lambda h: 1.0 if h else -1.0) if len(changes) else 1.0
    trained = pd.DataFrame({"project": changes["project"], "task": changes["task"], "comparison": "training",
                            "from_b": changes["params_b"], "from_stage": "base", "from_share": changes["base"],
                            "to_b": changes["params_b"], "to_stage": "trained", "to_share": changes["trained"],
                            "change_points": changes["change_points"],
                            "relative_change": changes["relative_change"],
                            "higher_is_better": changes["higher_is_better"],
                            "advantage_points": changes["change_points"] * sign})
    out = pd.concat([f for f in (size, trained) if len(f)], ignore_index=True) if len(size) + len(trained) else size
    numeric = ["from_b", "from_share", "to_b", "to_share", "change_points", "relative_change", "advantage_points"]
    out[numeric] = out[numeric].astype(float)
    out["higher_is_better"] = out["higher_is_better"].astype(bool)
    return out.assign(status=MEASURED[0])  # size_gaps and training_change read measured rows only


def measured_at_both(matrix: pd.DataFrame, sizes: tuple[float, float]) -> list[str]:
    """The tasks of a :func:`capability_matrix` whose cells at both ``sizes`` are measurements."""
    m = matrix[(matrix["status"] == "measured") & matrix["params_b"].isin(sizes)]
    counts = m.groupby("task")["params_b"].nunique()
    return list(counts[counts == 2].index)


def capability_matrix(capability: pd.DataFrame) -> pd.DataFrame:
    """One cell per (task, size): the latest stage's performance and its status, for the heat map.

    Where a size has both stages, the trained value is the cell (what training reached), as in figure 5.
    Columns: project, task, params_b, stage, performance, status, value, scale_max, higher_is_better and
    ``marks`` (:func:`marks`: the performance as a share of full marks in the direction of better, what the
    heat map colours; a break rate of 0.35 is 0.65 of full marks).
    """
    df = capability.assign(performance=performance(capability), higher_is_better=higher_is_better(capability),
                           _order=capability["stage"].map({"base": 0, "trained": 1}))
    df = df.sort_values("_order", kind="stable").drop_duplicates(["task", "params_b"], keep="last")
    df = df.assign(marks=marks(df["performance"], df["higher_is_better"]))
    return df[["project", "task", "params_b", "stage", "performance", "status", "value", "scale_max",
               "higher_is_better", "marks"]]


def extreme_tasks(gaps: pd.DataFrame, n: int = MANY_TASKS) -> list[str]:
    """The ``n`` tasks of :func:`size_gaps` whose sizes are furthest apart in the direction of better (each
    task by its largest ``|advantage_points|`` over stages; ties by task name), ordered from the larger
    model's largest lead to the smaller model's. Example: leads of +40, -55, +5 points and n = 2 give the
    +40 task, then the -55 task."""
    if gaps.empty:
        return []
    g = gaps.assign(_abs=gaps["advantage_points"].abs())
    per_task = g.sort_values(["_abs", "task"], ascending=[False, True], kind="stable").drop_duplicates("task")
    top = per_task.head(n)
    return [str(t) for t in top.sort_values(["advantage_points", "task"], ascending=[False, True],
                                            kind="stable")["task"]]


def heatmap_tasks(matrix: pd.DataFrame, gaps: pd.DataFrame, n: int = MANY_TASKS) -> list[str] | None:
    """The tasks the heat map draws when it cannot draw them all: None for at most ``n`` tasks in ``matrix``
    (every task is drawn); else :func:`extreme_tasks` of ``gaps``, or, where no task is measured at both
    sizes, the first ``n`` tasks of the matrix."""
    tasks = list(dict.fromkeys(matrix["task"]))
    if len(tasks) <= n:
        return None
    return extreme_tasks(gaps, n) or tasks[:n]
