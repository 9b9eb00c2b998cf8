"""Finding 1, the capability cliff: score gaps between model sizes and the effect of training."""
from __future__ import annotations

import pandas as pd

MEASURED = ("measured",)


def performance(capability: pd.DataFrame) -> pd.Series:
    """Each row's score as a fraction of its scale (``value / scale_max``)."""
    return capability["value"] / capability["scale_max"]


def size_gaps(capability: pd.DataFrame, small_b: float = 3, large_b: float = 8,
              statuses: tuple[str, ...] = MEASURED) -> pd.DataFrame:
    """Score gap between two model sizes on each task where both were measured at the same stage.

    Returns one row per (project, task, stage): ``small``, ``large`` (fractions of the scale) and
    ``gap_points`` = 100 (large - small). Example: structured output 0.40 at 3B, 0.95 at 8B: 55 points.
    """
    df = capability[capability["status"].isin(statuses)].assign(performance=performance(capability))
    keys = ["project", "task", "stage"]
    small = df[df["params_b"] == small_b].set_index(keys)["performance"].rename("small")
    large = df[df["params_b"] == large_b].set_index(keys)["performance"].rename("large")
    both = pd.concat([small, large], axis=1, join="inner").reset_index()
    both["gap_points"] = 100 * (both["large"] - both["small"])
    return both


def training_change(capability: pd.DataFrame, statuses: tuple[str, ...] = MEASURED) -> pd.DataFrame:
    """Change from base to trained for each (project, task, size) measured at both stages.

    ``change_points`` = 100 (trained - base) / scale_max; ``relative_change`` = (trained - base) / base;
    ``regressed`` is True when training lowered the score. Example: 0.54 -> 0.37 is -17 points, -31.5%.
    """
    df = capability[capability["status"].isin(statuses)].assign(performance=performance(capability))
    keys = ["project", "task", "params_b"]
    wide = df.pivot_table(index=keys, columns="stage", values="performance", aggfunc="first")
    if not {"base", "trained"} <= set(wide.columns):
        return pd.DataFrame(columns=keys + ["base", "trained", "change_points", "relative_change", "regressed"])
    wide = wide.dropna(subset=["base", "trained"]).reset_index()
    wide.columns.name = None
    wide["change_points"] = 100 * (wide["trained"] - wide["base"])
    wide["relative_change"] = (wide["trained"] - wide["base"]) / wide["base"]
    wide["regressed"] = wide["change_points"] < 0
    return wide[keys + ["base", "trained", "change_points", "relative_change", "regressed"]]


def capability_matrix(capability: pd.DataFrame) -> pd.DataFrame:
    """One cell per (task, size): the latest stage's performance and its status, for the heat map.

    Where a size has both stages, the trained value is the cell (what training reached), as in figure 5.
    Columns: task, params_b, stage, performance, status, value, scale_max.
    """
    df = capability.assign(performance=performance(capability),
                           _order=capability["stage"].map({"base": 0, "trained": 1}))
    df = df.sort_values("_order", kind="stable").drop_duplicates(["task", "params_b"], keep="last")
    return df[["project", "task", "params_b", "stage", "performance", "status", "value", "scale_max"]]
