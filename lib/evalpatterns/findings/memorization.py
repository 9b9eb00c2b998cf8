"""Finding 5: does supervised learning memorise faster than RL? One analysis, one result.

The arithmetic (episodes per method and N, advantage ratios, power-law fits, effect sizes) lives in
:mod:`evalpatterns.memorization`; this module runs it once on the loaded data and draws the conclusion.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import formatting as fmt
from .. import memorization as mem
from ..words.common import count, join
from .base import ALPHA, CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion, param

NUMBER = 5
CHAPTER = "sl-vs-rl"
DATA = ("memorization", "effect_sizes")
QUESTION = "Finding 5: does supervised learning memorise faster than RL?"
CLAIM = "For memorization tasks, supervised learning dramatically outperforms reinforcement learning."
REFERENCE = "supervised"

#: How each comparison of an RL method with supervised learning at one N comes out.
MORE, NOT_MORE, UNDETERMINED = "more", "not more", "undetermined"


@dataclass(frozen=True)
class Params:
    bars_n: int = param(100, "problem size N shown in the SL-vs-RL bar chart and at which the headline "
                        "advantage is read", 1)
    min_fit_points: int = param(4, "fewest measured points on which a power-law exponent is reported as "
                                "supported", 2)


@dataclass(frozen=True)
class Result:
    params: Params
    data: pd.DataFrame  #: memorization.csv as loaded; of a Parquet file or folder, an engine.SeedRows (not loaded)
    effect_sizes: pd.DataFrame  #: effect_sizes.csv as loaded (the published values)
    episodes: pd.DataFrame  #: memorization.episodes_table: one row per method and N, seeds aggregated
    advantage: pd.DataFrame  #: memorization.sl_advantage: RL / supervised episodes at each N
    fits: pd.DataFrame  #: memorization.scaling_fits on measured points only: the table's and the audit's fit
    seed_effects: pd.DataFrame  #: memorization.recomputed_effect_sizes: Hedges' g and Welch's p where recomputable
    comparisons: pd.DataFrame  #: one row per RL method and N with a supervised count: see compare()
    headline: pd.Series | None  #: the comparison the headline statistic reads (None without comparisons)
    conclusion: Conclusion
    n_seed_rows: int | None = None  #: the rows of ``data`` that name a seed


def _direction(r) -> str:
    """One comparison: does RL need more episodes than supervised learning here (see :func:`conclude`)?"""
    rl, sl, rl_lb, sl_lb = r["episodes"], r["reference_episodes"], r["lower_bound"], r["reference_lower_bound"]
    noise = bool(r["tested"]) and not bool(r["significant"])
    if rl_lb and sl_lb:
        return UNDETERMINED
    if sl_lb:  # supervised needed at least sl: a measured RL count at or below it is fewer
        return NOT_MORE if rl <= sl else UNDETERMINED
    if rl_lb:  # RL needed at least rl
        return MORE if rl > sl and not noise else UNDETERMINED
    if rl > sl:
        return NOT_MORE if noise else MORE
    return NOT_MORE


def compare(episodes: pd.DataFrame, advantage: pd.DataFrame, seed_effects: pd.DataFrame) -> pd.DataFrame:
    """Each RL method against supervised learning at every N where both have counts.

    Columns: those of :func:`memorization.sl_advantage`, plus ``reference_lower_bound``, ``from_figure``
    (either count read off a figure or only illustrative), ``p_value`` (Welch's t-test) and ``g_low``,
    ``g_high`` (Hedges' g's 95% interval) where :func:`memorization.recomputed_effect_sizes` has them,
    ``tested``, ``significant`` (p < ALPHA or the interval excludes 0) and ``direction``
    (``more``, ``not more`` or ``undetermined``).
    """
    ref = episodes[episodes["method"] == REFERENCE].set_index("n_values")
    out = advantage.copy()
    out["reference_lower_bound"] = out["n_values"].map(ref["lower_bound"]).astype(bool)
    status = out["n_values"].map(ref["status"])
    out["from_figure"] = ~(out["status"].eq("measured") & status.eq("measured"))
    eff = seed_effects[seed_effects["method_a"] == REFERENCE] if len(seed_effects) else seed_effects
    keyed = {(r.method_b, int(r.n_values)): r for r in eff.itertuples()} if len(eff) else {}
    p, lo, hi = [], [], []
    for r in out.itertuples():
        e = keyed.get((r.method, int(r.n_values)))
        p.append(getattr(e, "p_value", float("nan")) if e is not None else float("nan"))
        lo.append(e.ci_low if e is not None else float("nan"))
        hi.append(e.ci_high if e is not None else float("nan"))
    out["p_value"], out["g_low"], out["g_high"] = p, lo, hi
    has_p, has_g = out["p_value"].notna(), out["g_low"].notna() & out["g_high"].notna()
    out["tested"] = has_p | has_g
    out["significant"] = (has_p & (out["p_value"] < ALPHA)) | (has_g & ((out["g_low"] > 0) | (out["g_high"] < 0)))
    out["direction"] = [_direction(r) for _, r in out.iterrows()] if len(out) else pd.Series(dtype=str)
    return out


def headline_comparison(comparisons: pd.DataFrame, n: int) -> pd.Series | None:
    """The comparison at N = ``n`` with the largest advantage, among those whose ratio is bounded; at the
    largest N with such a comparison when ``n`` has none; a comparison of two lower bounds when there is
    nothing else; None without comparisons."""
    if comparisons.empty:
        return None
    bounded = comparisons[~comparisons["ratio_unbounded"].astype(bool)]
    pool = bounded if len(bounded) else comparisons
    at = pool[pool["n_values"] == n]
    if at.empty:
        at = pool[pool["n_values"] == pool["n_values"].max()]
    return at.loc[at["ratio"].idxmax()]


def shown(r: pd.Series) -> str:
    """``909x+ the supervised episodes for RL-Step at N = 100`` (with its interval where seeds exist)."""
    if bool(r["ratio_unbounded"]):
        return (f"no bounded ratio: {mem.METHOD_LABELS.get(r['method'], r['method'])} and supervised learning are "
                f"both lower bounds at N = {fmt.number(r['n_values'])}")
    text = (f"{fmt.ratio(r['ratio'], lower_bound=bool(r['ratio_is_lower_bound']))} the supervised episodes for "
            f"{mem.METHOD_LABELS.get(r['method'], r['method'])} at N = {fmt.number(r['n_values'])}")
    if bool(r["ratio_is_upper_bound"]):
        text = "at most " + text
    if pd.notna(r.get("ratio_low")) and pd.notna(r.get("ratio_high")):
        text += f", 95% CI {fmt.ratio(r['ratio_low'])} to {fmt.ratio(r['ratio_high'])}"
    return text


def conclude(comparisons: pd.DataFrame, headline: pd.Series | None) -> Conclusion:
    """The rule: compare each RL method with supervised learning at every N where both have counts.

    A comparison is *more* when RL needed more episodes than supervised learning (a lower-bound RL count above
    the supervised count counts as more) and, where per-seed counts (or published means and SDs) exist,
    Welch's t-test gives p < ALPHA or Hedges' g's 95% interval excludes 0. It is *not more* when RL needed
    fewer or as many episodes (a measured RL count at or below the supervised count, or per-seed counts that
    cannot be told apart). It is *undetermined* when lower bounds leave the order open.

    Supported when every comparison is *more*; contradicted when most (more than half) are *not more*;
    inconclusive otherwise or with no comparison. The statistic is the advantage (RL / supervised episodes)
    at ``bars_n`` for the method with the larger advantage, and the p-value its Welch's test where seeds exist.
    """
    test = (f"each RL method against supervised learning at every N with both counts: more episodes in every "
            f"comparison, with Welch's t-test or Hedges' g's interval where per-seed counts exist "
            f"(significance {ALPHA:g})")
    k = len(comparisons)
    if k == 0 or headline is None:
        return Conclusion(INCONCLUSIVE, test, None, "nothing to compare",
                          "no problem size N has counts for both supervised learning and an RL method")
    d = comparisons["direction"]
    n_more, n_not, n_open = int(d.eq(MORE).sum()), int(d.eq(NOT_MORE).sum()), int(d.eq(UNDETERMINED).sum())
    n_tested = int(comparisons["tested"].sum())
    p = headline["p_value"] if pd.notna(headline["p_value"]) else None
    stat = None if bool(headline["ratio_unbounded"]) else float(headline["ratio"])
    text = shown(headline)
    if n_more == k:
        reason = f"RL needed more episodes than supervised learning in {_all(k, 'comparison')}"
        if n_tested:
            reason += (", and the one comparison with per-seed counts differs" if n_tested == 1 else
                       f", and all {n_tested} comparisons with per-seed counts differ") + f" at the {ALPHA:g} level"
        return Conclusion(SUPPORTED, test, stat, text, reason, p)
    if n_not > k / 2:
        return Conclusion(CONTRADICTED, test, stat, text, f"RL needed as many episodes as supervised learning or "
                          f"fewer in {n_not} of {count(k, 'comparison')}", p)
    parts = [f"{n} {what}" for n, what in ((n_more, "more"), (n_not, "as many or fewer")) if n]
    open_ = f"lower bounds leave the order open in {n_open}" if n_open else ""
    why = (f"RL needed {join(parts)}" + (f", and {open_}" if open_ else "")) if parts else open_
    return Conclusion(INCONCLUSIVE, test, stat, text, f"of {count(k, 'comparison')}, {why}: not every "
                      "comparison shows RL needing more episodes, and not most show it needing no more", p)


def _all(k: int, noun: str) -> str:
    return "the only " + noun if k == 1 else f"all {count(k, noun)}"


def analyse(data: dict[str, pd.DataFrame], params: Params = Params()) -> Result:
    """Finding 5 on ``{"memorization": frame, "effect_sizes": frame}`` (effect_sizes may be missing); the
    memorization rows may be an :class:`evalpatterns.engine.seedrows.SeedRows` (a Parquet file or folder, left
    on the engine: only the aggregates come into memory)."""
    frame = data["memorization"]
    published = data.get("effect_sizes")
    if published is None:
        published = pd.DataFrame(columns=["comparison", "method_a", "method_b", "n_values", "hedges_g", "p_value"])
    if isinstance(frame, pd.DataFrame):
        episodes, seeds, n_seed_rows = mem.episodes_table(frame), None, int(frame["seed"].notna().sum())
    else:
        episodes, seeds, n_seed_rows = frame.episodes_table(), frame.effect_sizes_from_seeds(), frame.n_seed_rows()
    advantage = mem.sl_advantage(episodes, REFERENCE)
    fits = mem.scaling_fits(episodes)
    seed_effects = mem.recomputed_effect_sizes(frame if seeds is None else None, published, seeds=seeds)
    comparisons = compare(episodes, advantage, seed_effects)
    headline = headline_comparison(comparisons, int(params.bars_n))
    return Result(params, frame, published, episodes, advantage, fits, seed_effects, comparisons, headline,
                  conclude(comparisons, headline), n_seed_rows)
