"""Finding 5, supervised learning against RL: episodes to converge, advantage ratios, scaling, effect sizes.

``episodes`` with ``converged`` False is a lower bound (the run hit its budget); such values are carried as
lower bounds through every ratio and are left out of fits, never treated as measurements.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import hedges_g_from_stats, power_law_fit

METHOD_LABELS = {"supervised": "Supervised", "rl_eoe": "RL-EoE", "rl_step": "RL-Step"}


def episodes_table(mem: pd.DataFrame) -> pd.DataFrame:
    """One row per (method, n_values): episodes to converge and whether that is only a lower bound.

    Aggregate rows (no seed) are taken as they are; per-seed rows are averaged (``n_seeds`` counts them),
    and the mean is a lower bound when any seed did not converge. Rows with unknown episodes are dropped.
    Columns: method, n_values, episodes, lower_bound, n_seeds, sd, status.
    """
    known = mem.dropna(subset=["episodes"])
    g = known.groupby(["method", "n_values"], sort=True)
    out = g.agg(episodes=("episodes", "mean"), sd=("episodes", "std"), n_seeds=("seed", "count"),
                n_rows=("episodes", "size"), all_converged=("converged", "all"))
    status_rank = {"measured": 0, "figure": 1, "illustrative": 2, "pending": 3}
    worst = known.assign(_r=known["status"].map(status_rank)).groupby(["method", "n_values"])["_r"].max()
    out["status"] = worst.map({v: k for k, v in status_rank.items()})
    out["lower_bound"] = ~out["all_converged"].astype(bool)
    return out.reset_index()[["method", "n_values", "episodes", "lower_bound", "n_seeds", "sd", "status"]]


def sl_advantage(table: pd.DataFrame, reference: str = "supervised") -> pd.DataFrame:
    """How many times more episodes each method needs than ``reference`` at each problem size.

    ``ratio`` = episodes(method) / episodes(reference); ``ratio_is_lower_bound`` when the method's count is a
    lower bound; ``ratio_is_upper_bound`` when the reference's is (then the ratio is not bounded below).
    Example: 10,000+ RL-Step episodes against 11 supervised at N=100: 909x, a lower bound.
    """
    ref = table[table["method"] == reference].set_index("n_values")
    others = table[table["method"] != reference].copy()
    ref_eps = others["n_values"].map(ref["episodes"])
    ref_lb = others["n_values"].map(ref["lower_bound"]).fillna(False).astype(bool)
    others["reference_episodes"] = ref_eps
    others["ratio"] = others["episodes"] / ref_eps
    others["ratio_is_lower_bound"] = others["lower_bound"] & ~ref_lb
    others["ratio_is_upper_bound"] = ref_lb & ~others["lower_bound"]
    others["ratio_unbounded"] = ref_lb & others["lower_bound"]
    return others.dropna(subset=["ratio"]).reset_index(drop=True)


def complexity_label(exponent: float, ci_low: float = np.nan, ci_high: float = np.nan, tol: float = 0.05) -> str:
    """Big-O label for a fitted exponent: O(1) near 0, O(n) near 1, O(n^b) otherwise, '-' if not fitted."""
    if not np.isfinite(exponent):
        return "-"
    tol += 1e-9  # 1.05 - 1 is 0.05000000000000004 in floating point
    if abs(exponent) <= tol:
        return "O(1)"
    if abs(exponent - 1) <= tol:
        return "O(n)"
    return f"O(n^{exponent:.2f})"


def scaling_fits(table: pd.DataFrame, statuses: tuple[str, ...] = ("measured", "figure"),
                 confidence: float = 0.95) -> pd.DataFrame:
    """Power-law exponent of episodes against N for each method, on converged points only.

    Lower bounds are left out (``n_lower_bounds_left_out`` counts them) and statuses outside ``statuses``
    too. Columns: method, exponent, ci_low, ci_high, r_squared, n_points, n_lower_bounds_left_out,
    fitted, reason, complexity.
    """
    rows = []
    for method, part in table.groupby("method", sort=False):
        usable = part[part["status"].isin(statuses)]
        points = usable[~usable["lower_bound"]]
        fit = power_law_fit(points["n_values"].to_numpy(float), points["episodes"].to_numpy(float), confidence)
        rows.append({"method": method, **fit._asdict(),
                     "n_lower_bounds_left_out": int(usable["lower_bound"].sum()),
                     "complexity": complexity_label(fit.exponent)})
    cols = ["method", "exponent", "ci_low", "ci_high", "r_squared", "n_points", "n_lower_bounds_left_out",
            "fitted", "reason", "complexity", "prefactor"]
    order = {m: i for i, m in enumerate(METHOD_LABELS)}
    out = pd.DataFrame(rows, columns=[c for c in cols])
    return out.sort_values("method", key=lambda s: s.map(order).fillna(99)).reset_index(drop=True)


def effect_sizes_from_seeds(mem: pd.DataFrame, reference: str = "supervised",
                            confidence: float = 0.95) -> pd.DataFrame:
    """Hedges' g of ``reference`` against each other method at each N, from per-seed rows.

    Only converged seeds with known episodes count; a comparison needs two seeds per side. Columns:
    method_a, method_b, n_values, hedges_g, ci_low, ci_high, n_a, n_b. Empty when no per-seed data exists.
    """
    seeds = mem[mem["seed"].notna() & mem["episodes"].notna() & mem["converged"].astype(bool)]
    stats = seeds.groupby(["method", "n_values"])["episodes"].agg(["mean", "std", "count"])
    rows = []
    if reference in stats.index.get_level_values(0):
        ref = stats.loc[reference]
        for (method, n), s in stats.drop(index=reference, level=0).iterrows():
            if n not in ref.index or s["count"] < 2 or ref.loc[n, "count"] < 2:
                continue
            r = ref.loc[n]
            try:
                g = hedges_g_from_stats(r["mean"], r["std"], int(r["count"]), s["mean"], s["std"], int(s["count"]),
                                        confidence)
            except ValueError:
                continue
            rows.append({"method_a": reference, "method_b": method, "n_values": int(n), "hedges_g": g.g,
                         "ci_low": g.ci_low, "ci_high": g.ci_high, "n_a": g.n_a, "n_b": g.n_b})
    return pd.DataFrame(rows, columns=["method_a", "method_b", "n_values", "hedges_g", "ci_low", "ci_high",
                                       "n_a", "n_b"])
