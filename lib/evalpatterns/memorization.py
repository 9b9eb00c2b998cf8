"""Finding 5, supervised learning against RL: episodes to converge, advantage ratios, scaling, effect sizes.

``episodes`` with ``converged`` False is a lower bound (the run hit its budget); such values are carried as
lower bounds through every ratio and are left out of fits, never treated as measurements.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


# scipy.stats (through .stats) takes about half a second to import; it is imported on the first fit, not when
# tables or words import METHOD_LABELS from here (so `evalpatterns build` never loads it).
def power_law_fit(*args, **kwargs):
    from .stats import power_law_fit as fit

    return fit(*args, **kwargs)


def hedges_g_from_stats(*args, **kwargs):
    from .stats import hedges_g_from_stats as g

    return g(*args, **kwargs)


METHOD_LABELS = {"supervised": "Supervised", "rl_eoe": "RL-EoE", "rl_step": "RL-Step"}


def episodes_table(mem: pd.DataFrame) -> pd.DataFrame:
    """One row per (method, n_values): episodes to converge and whether that is only a lower bound.

    Aggregate rows (no seed) are taken as they are; per-seed rows are averaged (``n_seeds`` counts them),
    and the mean is a lower bound when any seed did not converge. Rows with unknown episodes are dropped.
    Where two or more seeds all converged, ``ci_low``/``ci_high`` is the t interval of the mean (95%);
    otherwise NaN. Columns: method, n_values, episodes, lower_bound, n_seeds, sd, status, ci_low, ci_high.
    """
    if (not set(_TABLE_COLUMNS) <= set(mem.columns) or mem.columns.duplicated().any()
            or isinstance(mem["status"].dtype, pd.CategoricalDtype)):
        return _episodes_table_reference(mem)  # which names the missing column as it always has
    # Only the columns needed, the known rows taken once; one grouping for every aggregate (the worst
    # status too), and the status ranks mapped per distinct status rather than per row.
    known = mem.loc[mem["episodes"].notna().to_numpy(dtype=bool), _TABLE_COLUMNS]
    known["_r"] = _map_per_distinct(known["status"], STATUS_RANK)
    out = known.groupby(["method", "n_values"], sort=True).agg(
        episodes=("episodes", "mean"), sd=("episodes", "std"), n_seeds=("seed", "count"),
        n_rows=("episodes", "size"), all_converged=("converged", "all"), _r=("_r", "max"))
    out["status"] = out["_r"].map({v: k for k, v in STATUS_RANK.items()})
    out["lower_bound"] = ~out["all_converged"].astype(bool)
    return with_mean_interval(out.reset_index()[_OUT_COLUMNS])


_OUT_COLUMNS = ["method", "n_values", "episodes", "lower_bound", "n_seeds", "sd", "status"]


def with_mean_interval(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """``table`` with the t interval of each mean of two or more converged seeds (NaN elsewhere)."""
    table = table.assign(ci_low=np.nan, ci_high=np.nan)
    seeds = (table["n_seeds"] >= 2) & ~table["lower_bound"].astype(bool) & table["sd"].notna()
    if seeds.any():
        from scipy.stats import t as _t  # only with per-seed rows: scipy.stats is slow to import

        part = table[seeds]
        half = _t.ppf(0.5 + confidence / 2, part["n_seeds"] - 1) * part["sd"] / np.sqrt(part["n_seeds"])
        table.loc[seeds, "ci_low"] = part["episodes"] - half
        table.loc[seeds, "ci_high"] = part["episodes"] + half
    return table


STATUS_RANK = {"measured": 0, "figure": 1, "illustrative": 2, "pending": 3}
_TABLE_COLUMNS = ["method", "n_values", "episodes", "seed", "converged", "status"]


def _map_per_distinct(values: pd.Series, mapping: dict) -> pd.Series:
    """``values.map(mapping)`` (same values, same dtype), looking up each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = pd.Series(uniques, dtype=object).map(mapping)
    if (codes < 0).any():
        mapped = pd.concat([mapped, pd.Series([np.nan])], ignore_index=True)  # code -1: the last entry
    if mapped.isna().any():
        mapped = mapped.astype(float)
    return pd.Series(mapped.to_numpy()[codes], index=values.index)


def _episodes_table_reference(mem: pd.DataFrame) -> pd.DataFrame:
    """:func:`episodes_table` as first written (used when a column is missing, for its error)."""
    known = mem.dropna(subset=["episodes"])
    g = known.groupby(["method", "n_values"], sort=True)
    out = g.agg(episodes=("episodes", "mean"), sd=("episodes", "std"), n_seeds=("seed", "count"),
                n_rows=("episodes", "size"), all_converged=("converged", "all"))
    worst = known.assign(_r=known["status"].map(STATUS_RANK)).groupby(["method", "n_values"])["_r"].max()
    out["status"] = worst.map({v: k for k, v in STATUS_RANK.items()})
    out["lower_bound"] = ~out["all_converged"].astype(bool)
    return with_mean_interval(out.reset_index()[_OUT_COLUMNS])


def sl_advantage(table: pd.DataFrame, reference: str = "supervised") -> pd.DataFrame:
    """How many times more episodes each method needs than ``reference`` at each problem size.

    ``ratio`` = episodes(method) / episodes(reference); ``ratio_is_lower_bound`` when the method's count is a
    lower bound; ``ratio_is_upper_bound`` when the reference's is (then the ratio is not bounded below).
    Where both counts are means of two or more converged seeds, ``ratio_low``/``ratio_high`` is the 95%
    interval of :func:`evalpatterns.stats.ratio_of_means` (NaN otherwise).
    Example: 10,000+ RL-Step episodes against 11 supervised at N=100: 909x, a lower bound.
    """
    ref = table[table["method"] == reference].set_index("n_values")
    others = table[table["method"] != reference].copy()
    ref_eps = others["n_values"].map(ref["episodes"])
    # through a dict: a Series lookup keeps n_values' nullable integer dtype, which cannot hold False
    ref_lb = others["n_values"].map(ref["lower_bound"].astype(bool).to_dict()).astype(object).fillna(False).astype(bool)
    others["reference_episodes"] = ref_eps
    others["ratio"] = others["episodes"] / ref_eps
    others["ratio_is_lower_bound"] = others["lower_bound"] & ~ref_lb
    others["ratio_is_upper_bound"] = ref_lb & ~others["lower_bound"]
    others["ratio_unbounded"] = ref_lb & others["lower_bound"]
    others = others.dropna(subset=["ratio"]).reset_index(drop=True)
    others["ratio_low"], others["ratio_high"] = np.nan, np.nan
    if "n_seeds" in others and len(others):
        for i, r in others.iterrows():
            if r["n_values"] not in ref.index:
                continue
            a = ref.loc[r["n_values"]]
            if (r["n_seeds"] >= 2 and a["n_seeds"] >= 2 and not r["lower_bound"] and not a["lower_bound"]
                    and pd.notna(r["sd"]) and pd.notna(a["sd"]) and r["episodes"] > 0 and a["episodes"] > 0):
                from .stats import ratio_of_means

                q = ratio_of_means(a["episodes"], a["sd"], int(a["n_seeds"]), r["episodes"], r["sd"],
                                   int(r["n_seeds"]))
                others.loc[i, ["ratio_low", "ratio_high"]] = q.low, q.high
    return others


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


def scaling_fits(table: pd.DataFrame, statuses: tuple[str, ...] = ("measured",),
                 confidence: float = 0.95) -> pd.DataFrame:
    """Power-law exponent of episodes against N for each method, on converged points only.

    By default only measured points are fitted; pass ``statuses=("measured", "figure")`` to fit values read
    off a figure too, which ``n_figure_points`` then counts (so a table can say so); ``n_figure_left_out``
    counts the values read off a figure that were not fitted (lower bounds among them). Lower bounds are left
    out (``n_lower_bounds_left_out`` counts those of a fitted status) and statuses outside ``statuses`` too.
    Columns: method, exponent, ci_low, ci_high, r_squared, n_points, n_lower_bounds_left_out, fitted, reason,
    complexity, prefactor, n_figure_points, n_figure_left_out.
    """
    rows = []
    for method, part in table.groupby("method", sort=False):
        usable = part[part["status"].isin(statuses)]
        points = usable[~usable["lower_bound"]]
        fit = power_law_fit(points["n_values"].to_numpy(float), points["episodes"].to_numpy(float), confidence)
        rows.append({"method": method, **fit._asdict(),
                     "n_lower_bounds_left_out": int(usable["lower_bound"].sum()),
                     "complexity": complexity_label(fit.exponent),
                     "n_figure_points": int(points["status"].eq("figure").sum()),
                     "n_figure_left_out": int((part["status"].eq("figure") & ~part["status"].isin(statuses)).sum())})
    cols = ["method", "exponent", "ci_low", "ci_high", "r_squared", "n_points", "n_lower_bounds_left_out",
            "fitted", "reason", "complexity", "prefactor", "n_figure_points", "n_figure_left_out"]
    order = {m: i for i, m in enumerate(METHOD_LABELS)}
    out = pd.DataFrame(rows, columns=[c for c in cols])
    return out.sort_values("method", key=lambda s: s.map(order).fillna(99)).reset_index(drop=True)


def effect_sizes_from_seeds(mem: pd.DataFrame, reference: str = "supervised",
                            confidence: float = 0.95) -> pd.DataFrame:
    """Hedges' g of ``reference`` against each other method at each N, from per-seed rows.

    Only converged seeds with known episodes count; a comparison needs two seeds per side. Columns:
    method_a, method_b, n_values, hedges_g, ci_low, ci_high, n_a, n_b, p_value (Welch's t-test, two-sided,
    ``scipy.stats.ttest_ind(..., equal_var=False)``). Empty when no per-seed data exists.
    """
    return effect_sizes_from_seed_stats(seed_stats(mem), reference, confidence)


def seed_stats(mem: pd.DataFrame) -> pd.DataFrame:
    """Mean, sample SD and count of the episodes of converged seeds (known episodes), indexed by (method,
    n_values): what :func:`effect_sizes_from_seeds` compares (:mod:`evalpatterns.engine` computes the same
    on DuckDB or Spark)."""
    keep = mem["seed"].notna() & mem["episodes"].notna() & mem["converged"].astype(bool)
    grouped = ["method", "n_values", "episodes"]
    if set(grouped) <= set(mem.columns) and not mem.columns.duplicated().any():
        seeds = mem.loc[keep.to_numpy(dtype=bool), grouped]  # only the columns grouped, not a copy of all
    else:
        seeds = mem[keep]
    return seeds.groupby(["method", "n_values"])["episodes"].agg(["mean", "std", "count"])


def effect_sizes_from_seed_stats(stats: pd.DataFrame, reference: str = "supervised",
                                 confidence: float = 0.95) -> pd.DataFrame:
    """:func:`effect_sizes_from_seeds` from :func:`seed_stats` (mean, std, count by method and n_values)."""
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
                         "ci_low": g.ci_low, "ci_high": g.ci_high, "n_a": g.n_a, "n_b": g.n_b,
                         "p_value": welch_p(r["mean"], r["std"], int(r["count"]), s["mean"], s["std"],
                                            int(s["count"]))})
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


EFFECT_COLUMNS = ["method_a", "method_b", "n_values", "hedges_g", "ci_low", "ci_high", "n_a", "n_b", "p_value"]


def welch_p(mean_a, sd_a, n_a, mean_b, sd_b, n_b) -> float:
    """Two-sided p of Welch's t-test from two groups' means, SDs (ddof=1) and sizes; the same p as
    ``scipy.stats.ttest_ind(a, b, equal_var=False)`` on the values themselves."""
    from scipy.stats import ttest_ind_from_stats

    return float(ttest_ind_from_stats(mean_a, sd_a, n_a, mean_b, sd_b, n_b, equal_var=False).pvalue)


STAT_COLUMNS = ("mean_a", "sd_a", "n_a", "mean_b", "sd_b", "n_b")


def effect_sizes_from_stats(published: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Hedges' g and its interval, and Welch's p, from published group means, SDs and sizes, where
    ``effect_sizes.csv`` has them (optional columns mean_a, sd_a, n_a, mean_b, sd_b, n_b). Same columns as
    :func:`effect_sizes_from_seeds`; empty when no row has all six."""
    cols = EFFECT_COLUMNS
    if not set(STAT_COLUMNS) <= set(published.columns):
        return pd.DataFrame(columns=cols)
    rows = []
    for r in published.dropna(subset=list(STAT_COLUMNS)).itertuples():
        g = hedges_g_from_stats(r.mean_a, r.sd_a, int(r.n_a), r.mean_b, r.sd_b, int(r.n_b), confidence)
        rows.append([r.method_a, r.method_b, int(r.n_values), g.g, g.ci_low, g.ci_high, g.n_a, g.n_b,
                     welch_p(r.mean_a, r.sd_a, int(r.n_a), r.mean_b, r.sd_b, int(r.n_b))])
    return pd.DataFrame(rows, columns=cols)


def effect_size_rows(published: pd.DataFrame, recomputed: pd.DataFrame) -> pd.DataFrame:
    """The effect sizes a reader is shown: every recomputed g, then each published g not recomputed."""
    done = set(zip(recomputed["method_a"], recomputed["method_b"], recomputed["n_values"]))
    keys = zip(published.get("method_a", pd.Series([None] * len(published))),
               published.get("method_b", pd.Series([None] * len(published))), published["n_values"])
    left = published[[k not in done for k in keys]]
    return pd.concat([recomputed.assign(kind="recomputed"), left.assign(kind="published")], ignore_index=True)


def recomputed_effect_sizes(mem: pd.DataFrame | None, published: pd.DataFrame, confidence: float = 0.95,
                            seeds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hedges' g recomputed from per-seed rows where they exist, else from published means and SDs; the
    ``basis`` column says which. Empty when neither exists. ``seeds``: :func:`effect_sizes_from_seeds` of
    ``mem`` when it is already computed (on an engine, with ``mem`` None)."""
    seeds = (effect_sizes_from_seeds(mem, confidence=confidence) if seeds is None else seeds).assign(
        basis="per-seed rows")
    stats = effect_sizes_from_stats(published, confidence).assign(basis="published means and SDs")
    done = set(zip(seeds["method_b"], seeds["n_values"]))
    stats = stats[[(m, n) not in done for m, n in zip(stats["method_b"], stats["n_values"])]]
    return pd.concat([seeds, stats], ignore_index=True) if len(stats) else seeds
