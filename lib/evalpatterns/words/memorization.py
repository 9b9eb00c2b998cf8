"""Finding 5's sentences, written from :class:`evalpatterns.findings.memorization.Result`."""
from __future__ import annotations

import math

import pandas as pd

from .. import formatting as fmt
from ..findings.base import CONTRADICTED, SUPPORTED
from ..findings.memorization import MORE, NOT_MORE, REFERENCE, UNDETERMINED, Result
from ..memorization import METHOD_LABELS
from .common import conclusion_values, count, join, opening

#: How a method is named inside a sentence.
METHOD_WORDS = {"supervised": "supervised learning", "rl_eoe": "RL with an end-of-episode reward",
                "rl_step": "step-level RL"}


def _f(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else float(x)


def _name(method: str) -> str:
    return METHOD_WORDS.get(method, METHOD_LABELS.get(method, method))


def episodes_parts(row) -> tuple[str, str]:
    """An episodes-table row as (count, interval): ``('301', '')``, ``('10,000+', '')``, or for a mean of seeds
    ``('16.5', '14.4\u201318.6')`` (one decimal where the mean has one; the 95% t interval where it exists)."""
    e, lb = row["episodes"], bool(row["lower_bound"])
    seeds = int(row.get("n_seeds", 0) or 0) >= 2
    digits = 1 if seeds and pd.notna(e) and float(e) != round(float(e)) else 0
    text = fmt.number(e, digits) + ("+" if lb else "") if pd.notna(e) else fmt.NA
    lo, hi = row.get("ci_low", float("nan")), row.get("ci_high", float("nan"))
    interval = f"{fmt.number(lo, digits)}\u2013{fmt.number(hi, digits)}" if pd.notna(lo) and pd.notna(hi) else ""
    return text, interval


def _count(row) -> tuple[str, str]:
    """A count inside a sentence, and a note on the seeds it is the mean of (empty for a single count)."""
    text, interval = episodes_parts(row)
    if interval:
        return text, f"the mean of {count(int(row['n_seeds']), 'seed')}, 95% CI {interval}"
    return text, ""


def relation(ratio: float, lower_bound: bool = False, upper_bound: bool = False) -> str:
    """An RL count against the supervised one, in words that follow the ratio: ``909x+ as many, a lower
    bound``, ``about as many (1x)``, ``0.28x as many: fewer``; never an advantage where the ratio is about 1."""
    shown = fmt.ratio(ratio, lower_bound=lower_bound)
    if upper_bound:
        return f"at most {fmt.ratio(ratio)} as many: the supervised count is only a lower bound"
    if lower_bound:
        if ratio > 1:
            return f"{shown} as many, a lower bound: the run hit its budget"
        return f"at least {fmt.ratio(ratio)} as many: the run hit its budget, so the order is open"
    if shown == "1x":
        return "about as many (1x)"
    return f"{shown} as many" if ratio > 1 else f"{shown} as many: fewer than supervised learning"


def advantage_note(advantage: pd.DataFrame, n_values: int, compact: bool = False) -> str:
    """The bar chart's note: the largest advantage at ``n_values``, in words that follow the ratio
    ('RL-Step needs 909x+\nthe episodes of supervised learning'; 'about as many' at 1x; 'fewer' below 1)."""
    at_n = advantage[advantage["n_values"] == n_values]
    if at_n.empty:
        return ""
    r = at_n.loc[at_n["ratio"].idxmax()]
    label = METHOD_LABELS.get(r["method"], r["method"])
    lb = bool(r["ratio_is_lower_bound"])
    if bool(r["ratio_unbounded"]):
        return f"{label} and supervised learning:\nboth counts are lower bounds"
    shown = fmt.ratio(r["ratio"], lower_bound=lb)
    if bool(r["ratio_is_upper_bound"]):
        text = f"{label} needs at most {fmt.ratio(r['ratio'])}\nthe episodes of supervised learning"
    elif shown == "1x" and not lb:
        text = f"{label} needs about as many\nepisodes as supervised learning"
    elif r["ratio"] < 1 and not lb:
        text = f"{label} needs {shown} the episodes\nof supervised learning: fewer"
    else:
        text = f"{label} needs {shown}\nthe episodes of supervised learning"
    if lb and not compact:
        text += "\n(+: it hit its budget, so this is a lower bound)"
    return text


def bars_text(result: Result) -> str:
    """What the bar chart shows at N = bars_n, method by method, or why there is nothing to show."""
    n = int(result.params.bars_n)
    at = result.episodes[result.episodes["n_values"] == n].set_index("method")
    adv = result.advantage[result.advantage["n_values"] == n].set_index("method")
    where = f"At N = {fmt.number(n)}"
    if at.empty:
        return f"No method has an episode count at N = {fmt.number(n)}, so the bar chart is empty"
    if REFERENCE not in at.index:
        got = join([f"{_name(m)} {_count(r)[0]}" for m, r in at.iterrows()])
        return f"{where} there is no supervised count to compare with: {got} episodes"
    sup = at.loc[REFERENCE]
    sup_count, sup_note = _count(sup)
    text = f"{where}, supervised learning needed {sup_count} episodes" + (f" ({sup_note})" if sup_note else "")
    parts = []
    verb = " needed"
    for m in METHOD_LABELS:
        if m == REFERENCE or m not in at.index:
            continue
        r = at.loc[m]
        count_text, note = _count(r)
        if m in adv.index and not bool(adv.loc[m, "ratio_unbounded"]):
            a = adv.loc[m]
            how = relation(a["ratio"], bool(a["ratio_is_lower_bound"]), bool(a["ratio_is_upper_bound"]))
            if pd.notna(a.get("ratio_low")) and pd.notna(a.get("ratio_high")):
                how += f", 95% CI {fmt.ratio(a['ratio_low'])} to {fmt.ratio(a['ratio_high'])}"
        else:
            how = "both counts are lower bounds, so they cannot be ordered"
        parts.append(f"{_name(m)}{verb} {count_text} ({how}" + (f"; {note})" if note else ")"))
        verb = ""
    if not parts:
        return text + "; no RL method has a count there"
    return text + "; " + join(parts)


def fit_text(fit: pd.Series, min_points: int) -> str:
    """One method's fit: exponent, interval, complexity, the points it rests on and what was left out."""
    if not bool(fit["fitted"]):
        text = str(fit["reason"])
    else:
        ci = (f" (95% CI {fmt.decimal(fit['ci_low'], 2)} to {fmt.decimal(fit['ci_high'], 2)})"
              if pd.notna(fit["ci_low"]) else "")
        text = f"exponent {fmt.decimal(fit['exponent'], 2)}{ci}, {fit['complexity']}, on {points_text(fit)}"
        if int(fit["n_points"]) < min_points:
            text += f", too few for the exponent to be taken as supported (the audit asks for {min_points})"
    left = []
    if int(fit["n_lower_bounds_left_out"]):
        left.append(count(int(fit["n_lower_bounds_left_out"]), "lower bound"))
    if int(fit.get("n_figure_left_out", 0) or 0):
        left.append(count(int(fit["n_figure_left_out"]), "value") + " read off a figure")
    return text + (f"; {join(left)} left out" if left else "")


def points_text(fit: pd.Series) -> str:
    k, fig = int(fit["n_points"]), int(fit.get("n_figure_points", 0) or 0)
    if fig:
        return f"{count(k, 'point')}, {fig} of them read off a figure"
    return count(k, "measured point")


def fit_basis_text(result: Result) -> str:
    """Which points the fits rest on (the table and the audit use these same fits)."""
    fits = result.fits
    fig = int(fits["n_figure_points"].sum()) if "n_figure_points" in fits else 0
    skipped = int(fits["n_figure_left_out"].sum()) if "n_figure_left_out" in fits else 0
    if fig:
        return (f"The fits include {count(fig, 'value')} read off the post's figure, marked in the table's "
                f"\"Read off a figure\" column")
    if skipped:
        return (f"Each fit uses measured points only: the {count(skipped, 'value')} read off the post's figure "
                f"{'is' if skipped == 1 else 'are'} drawn but not fitted, and the claims audit below uses the same fits")
    return "Each fit uses measured points only, and the claims audit below uses the same fits"


def supervised_text(result: Result) -> str:
    sup = result.episodes[result.episodes["method"] == REFERENCE]
    if sup.empty:
        return "The data hold no supervised counts"
    e = sup["episodes"]
    if e.nunique() == 1 and len(sup) > 1:
        return f"Supervised learning needed {fmt.number(e.iloc[0])} episodes at every N"
    if len(sup) == 1:
        return (f"Supervised learning has one count, {fmt.number(e.iloc[0])} episodes at "
                f"N = {fmt.number(sup['n_values'].iloc[0])}")
    return f"Supervised learning needed between {fmt.number(e.min())} and {fmt.number(e.max())} episodes across N"


def effect_size_text(result: Result) -> str:
    n_seed_rows = int(result.n_seed_rows)
    rec = result.seed_effects
    if len(rec):
        seeds = rec["basis"].eq("per-seed rows").sum() if "basis" in rec else len(rec)
        basis = (f"from the {count(n_seed_rows, 'per-seed row')}" if seeds == len(rec) else
                 "from per-seed rows or published means and SDs" if seeds else "from published means and SDs")
        return (f"Hedges' g is recomputed {basis}, with a 95% confidence interval and Welch's t-test, for "
                f"{count(len(rec), 'comparison')}")
    return ("There are no per-seed episode counts to recompute Hedges' g from, so the published values are shown "
            "as published, without an interval")


def comparisons_text(result: Result) -> str:
    """How the comparisons of RL with supervised learning came out, with how many rest on figure values."""
    c = result.comparisons
    if c.empty:
        return "No problem size N has counts for both supervised learning and an RL method"
    d = c["direction"]
    k = len(c)
    n_more, n_not, n_open = (int(d.eq(x).sum()) for x in (MORE, NOT_MORE, UNDETERMINED))
    text = f"Of {count(k, 'comparison')} of an RL method with supervised learning at the same N, "
    every = "the only one" if k == 1 else "every one"
    if n_more == k:
        text += f"RL needed more episodes in {every}"
    elif n_not == k:
        text += f"RL needed as many episodes as supervised learning or fewer in {every}"
    elif n_open == k:
        text += f"lower bounds leave the order open in {every}"
    else:
        parts = [f"{what} in {n}" for n, what in ((n_more, "more episodes"), (n_not, "as many or fewer")) if n]
        text += "RL needed " + join(parts)
        if n_open:
            text += f", and lower bounds leave the order open in {n_open}"
    fig = int(c["from_figure"].sum())
    if fig:
        who = ("it rests" if k == 1 else "all of them rest" if fig == k else
               f"{fig} of them {'rests' if fig == 1 else 'rest'}")
        text += f" ({who} on values read off a figure)"
    return text


def evidence(result: Result) -> str:
    """The clause after the verdict in the opening sentence: the conclusion's reason, computed from the data."""
    return result.conclusion.reason


def takeaway(result: Result) -> str:
    """The summary's takeaway: what these data say about supervised learning against RL."""
    c = result.conclusion
    if c.verdict == SUPPORTED:
        return f"Supervised learning memorised with fewer episodes than RL here: {c.reason} ({c.shown})."
    if c.verdict == CONTRADICTED:
        return f"RL did not need more episodes than supervised learning here: {c.reason} ({c.shown})."
    return f"These data cannot say whether supervised learning memorises faster than RL: {c.reason}."



def key_numbers(result: Result) -> list[str]:
    """The dashboard's line on Finding 5, the bar chart's note at N = ``bars_n`` in one line: ``At N = 100, RL-Step
    needs 909x+ the episodes of supervised learning`` ('about as many' at 1x, 'fewer' below 1); none without
    a ratio there."""
    n = int(result.params.bars_n)
    note = advantage_note(result.advantage, n, compact=True)
    return [f"At N = {fmt.number(n)}, " + " ".join(note.split())] if note else []


def values(result: Result) -> dict:
    n = int(result.params.bars_n)
    at = result.episodes[result.episodes["n_values"] == n].set_index("method")
    adv = result.advantage[result.advantage["n_values"] == n].set_index("method")
    v = {"question": "does supervised learning memorise faster than RL", "bars_n": n, "bars_n_text": fmt.number(n),
         "bars_text": bars_text(result), "min_fit_points": int(result.params.min_fit_points)}
    for m in METHOD_LABELS:
        if m in at.index:
            v[f"{m}_episodes"] = _f(at.loc[m, "episodes"])
            v[f"{m}_episodes_text"] = episodes_parts(at.loc[m])[0]
        else:
            v[f"{m}_episodes"], v[f"{m}_episodes_text"] = None, fmt.NA
        if m == REFERENCE:
            continue
        if m in adv.index:
            a = adv.loc[m]
            v[f"{m}_advantage"] = _f(a["ratio"])
            v[f"{m}_advantage_text"] = fmt.ratio(a["ratio"], lower_bound=bool(a["ratio_is_lower_bound"]))
            v[f"{m}_advantage_is_lower_bound"] = bool(a["ratio_is_lower_bound"])
            v[f"{m}_relation_text"] = relation(a["ratio"], bool(a["ratio_is_lower_bound"]),
                                               bool(a["ratio_is_upper_bound"]))
        else:
            v[f"{m}_advantage"], v[f"{m}_advantage_text"] = None, fmt.NA
    for r in result.fits.itertuples():
        fit = result.fits.loc[r.Index]
        v[f"{r.method}_fit_text"] = fit_text(fit, int(result.params.min_fit_points))
        v[f"{r.method}_exponent"] = _f(r.exponent)
        v[f"{r.method}_exponent_text"] = fmt.decimal(r.exponent, 2)
        v[f"{r.method}_complexity"] = r.complexity
        v[f"{r.method}_fit_note"] = r.reason
    v["fits_text"] = (". ".join(f"{METHOD_LABELS.get(r.method, r.method)}: {v[f'{r.method}_fit_text']}"
                                for r in result.fits.itertuples()) if len(result.fits) else "No method has counts to fit")
    v["fit_basis_text"] = fit_basis_text(result)
    table = result.episodes
    v["n_lower_bounds"] = int(table["lower_bound"].sum())
    v["n_points"] = int(len(table))
    rl = table.loc[table["method"] != REFERENCE, "lower_bound"]
    v["all_rl_censored"] = bool(len(rl) and rl.all())
    sup = table[table["method"] == REFERENCE]["episodes"]
    v["supervised_constant"] = bool(len(sup) > 0 and sup.nunique() == 1)
    v["supervised_text"] = supervised_text(result)
    v["n_seed_rows"] = int(result.n_seed_rows)
    v["n_recomputed"] = int(len(result.seed_effects))
    v["n_published"] = int(len(result.effect_sizes))
    v["effect_size_text"] = effect_size_text(result)
    c = result.comparisons
    v["n_comparisons"] = int(len(c))
    v["n_more"] = int(c["direction"].eq(MORE).sum()) if len(c) else 0
    v["n_comparisons_from_figure"] = int(c["from_figure"].sum()) if len(c) else 0
    v["comparisons_text"] = comparisons_text(result)
    v.update(conclusion_values(result.conclusion))
    v["opening_text"] = opening(result.conclusion, evidence(result))
    v["takeaway_text"] = takeaway(result)
    return v
