"""Finding 4's sentences, written from :class:`evalpatterns.findings.distillation.Result`."""
from __future__ import annotations


import pandas as pd

from .. import formatting as fmt
from ..findings.base import ALPHA, CONTRADICTED, SUPPORTED
from ..findings.distillation import NOT_JUDGED, Result, judged_clause, judged_text, not_judged_text
from ..many_runs import MANY_RUNS
from . import downstream
from .distillation_display import correlation_note, display_values  # noqa: F401 - correlation_note re-exported
from .common import conclusion_values, eval_set_values, count, join, missing, opening, p_text

#: How a logged step that is not a measurement is known (the ``status`` column), as the page says it.
STATUS_TEXT = {"figure": "read off a figure", "illustrative": "illustrative, with no run behind them",
               "pending": "pending: the run was not done"}
#: A run's provenance (its least certain logged step), as the page names it beside the run.
RUN_STATUS_TEXT = {"figure": "read off a figure", "illustrative": "illustrative", "pending": "pending"}
#: A run's severity (:func:`evalpatterns.distillation.transitions`) as the figures and the dashboard name it.
SEVERITY_TEXT = {"complete": "complete collapse", "partial": "partial collapse", "none": "no collapse",
                 "already collapsed": "already collapsed before the transition",
                 "no eval before": "no eval score before the transition"}
#: A KL ratio across the transition from which the dashboard calls it a jump (an order of magnitude).
JUMP = 10


def _f(x) -> float | None:
    return None if missing(x) else float(x)


def _of(k: int, n: int) -> str:
    """``1 of 3``, ``both``, ``all 4``."""
    if k == n and n == 2:
        return "both"
    if k == n and n > 2:
        return f"all {n}"
    return f"{k} of {n}"


def evidence(result: Result) -> str:
    """What the runs did across the transition, in a clause (the reason when no run can be judged)."""
    c, k, kc = result.conclusion, result.complete, result.collapsed
    if c.statistic is None:
        return c.reason
    n, cb = k.n, result.params.complete_below
    runs = judged_text(n, result.transitions, cb)
    left_out = not_judged_text(result.transitions, cb)
    note = f"; not counted for or against the claim, {left_out}" if left_out else ""
    if n == 1:
        only = result.judged.iloc[0]
        what = {"complete": "collapsed completely at the transition", "partial": "collapsed partially",
                "none": "did not collapse"}[only["severity"]]
        return f"the {runs}, {only['run']}, {what}" + note
    if kc.k == 0:
        return f"none of the {runs} collapsed" + note
    head = f"of the {runs}, {k.k} collapsed completely at the transition" if k.k else \
        f"of the {runs}, none collapsed completely"
    return head + f" and {_of(kc.k, n)} collapsed completely or partially" + note


def takeaway(result: Result) -> str:
    """The summary's takeaway: what these runs say about the switch to on-policy training."""
    v = result.conclusion.verdict
    if v == SUPPORTED:
        return "Hybrid distillation collapsed at the switch to on-policy training here: " + evidence(result) + "."
    if v == CONTRADICTED:
        return ("Hybrid distillation did not collapse at the switch to on-policy training here: "
                + evidence(result) + ".")
    return ("These data cannot say whether the switch to on-policy training makes hybrid distillation collapse: "
            + result.conclusion.reason + ".")


def excerpt_rule_text(result: Result) -> str:
    """Which run's log the page shows and by what rule."""
    run, origin = result.excerpt_run, result.excerpt_origin
    if origin == "switching":
        return ("among the runs that switch phase, the one with the largest KL spike at its transition (when none "
                "has a spike, the largest eval drop; when none has that either, the one that switches first; "
                f"ties to the first run name), {run}")
    rule = "the run with the largest KL spike at its transition"
    if origin == "spike" and not pd.isna(result.spike["kl_spike_ratio"]):
        return f"{rule}, {run}"
    if origin == "spike":
        return (f"{rule}; as no run has a spike ratio (the KL before the transition is missing or 0), the run with "
                f"the largest KL at its transition, {run}")
    if origin == "transition":
        return f"{rule}; as no run logs KL at its transition, the first run by name that changes phase, {run}"
    if origin == "first":
        return f"{rule}; as no run changes phase, the first run by name, {run}"
    return f"{rule}, but the log holds no run"


def steps_text(log: pd.DataFrame | pd.Series) -> str:
    """How many logged steps are measurements (drawn filled) and how the others are known (drawn hollow), of
    a step log or of its counts of steps by status (``Result.steps``)."""
    counts = log if isinstance(log, pd.Series) else log["status"].value_counts()
    n = int(counts.sum())
    if not n:
        return "The log holds no step"
    measured = int(counts.get("measured", 0))
    if measured == n:
        return "Its one logged step is a measurement" if n == 1 else f"All {count(n, 'logged step')} are measurements"
    others = [s for s in counts.index if s != "measured"]
    rest = n - measured
    if len(others) == 1:
        how = f"{'was' if rest == 1 else 'were'} {STATUS_TEXT.get(others[0], 'of status ' + str(others[0]))}"
    else:
        how = "were not measured: " + join([f"{int(counts[s])} {STATUS_TEXT.get(s, 'of status ' + str(s))}"
                                            for s in others])
    if not measured:
        return f"None of its {count(n, 'logged step')} is a measurement: all {how.split(' ', 1)[1]}, drawn hollow" \
            if len(others) == 1 else f"None of its {count(n, 'logged step')} is a measurement; they {how}, drawn hollow"
    are = "is a measurement" if measured == 1 else "are measurements"
    return f"Of its {count(n, 'logged step')}, {measured} {are}, drawn filled; the other {rest} {how}, drawn hollow"


def _rounding(kl_before: float, kl_at: float) -> str:
    """How far a change in the last printed digit of a small KL before the transition moves the spike ratio."""
    text = f"{kl_before:.10g}"
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10 ** -decimals
    if kl_before - half <= 0:
        return ""
    lo, hi = kl_at / (kl_before + half), kl_at / (kl_before - half)
    return (f" The ratio hangs on the last digit of the KL before: any value from "
            f"{fmt.number(kl_before - half, decimals + 1)} to {fmt.number(kl_before + half, decimals + 1)}, which prints "
            f"as {fmt.number(kl_before, decimals)}, gives {fmt.ratio(lo)} to {fmt.ratio(hi)}")


def transition_text(result: Result) -> str:
    """Where the phase changes, and how far KL jumps across it in the run with the largest spike."""
    t = result.transitions.dropna(subset=["transition_step"])
    if t.empty:
        return "No run changes from off-policy to on-policy, so there is no transition to look at"
    steps = sorted({int(s) for s in t["transition_step"]})
    if len(steps) > MANY_RUNS:
        where = f"The runs change phase at {len(steps)} different steps, from step {steps[0]} to step {steps[-1]}"
    elif len(steps) > 1:
        where = "The runs change phase at steps " + join([str(s) for s in steps])
    elif len(t) == 1:
        where = f"It is step {steps[0]} in the one run that changes phase"
    else:
        where = f"It is step {steps[0]} in {_of(len(t), len(t))} runs that change phase"
    r = result.spike
    if r is None:
        return where + ". No run logs KL at its transition step, so no spike can be measured"
    which = "largest KL spike" if not pd.isna(r["kl_spike_ratio"]) else "largest KL at its transition"
    head = (f"{where}. In {r['run']}, the run with the {which}, the KL divergence at step "
            f"{int(r['transition_step'])} is {fmt.number(r['kl_at'], 4)}")
    if pd.isna(r["kl_spike_ratio"]):
        before = "is not logged" if pd.isna(r["kl_before"]) else "is 0"
        return head + f"; the KL before it {before}, so no spike ratio can be computed"
    rise = result.rises[result.rises["run"] == r["run"]]
    at = f"step {int(rise['before_step'].iloc[0])}" if len(rise) and not pd.isna(rise["before_step"].iloc[0]) \
        else "the last off-policy step that logs it"
    return (head + f", against {fmt.number(r['kl_before'], 3)} at {at}, the last off-policy value logged: a spike of "
            f"{fmt.ratio(r['kl_spike_ratio'])}." + _rounding(float(r["kl_before"]), float(r["kl_at"]))).rstrip(".")


def rise_text(result: Result) -> str:
    """Whether the jump at the transition is each run's largest rise of KL."""
    rises = result.rises
    if rises.empty:
        return "No run logs KL both before its transition and at it, so no jump across the transition can be compared"
    k, n = int(rises["at_transition"].sum()), len(rises)
    if n == 1:
        verb = "is" if k else "is not"
        return (f"In {rises['run'].iloc[0]}, the one run logging KL on both sides of the transition, the jump across "
                f"it {verb} the largest rise of KL between logged steps")
    return (f"In {_of(k, n)} runs logging KL on both sides of the transition, the jump across it is the largest "
            "rise of KL between logged steps")


def severity_text(result: Result) -> str:
    """How many runs collapsed completely, partially or not at all, and the runs the definitions leave out."""
    t, cb = result.transitions, f"{result.params.complete_below:g}"
    sev = t["severity"].value_counts()
    parts = []
    for key, one, many in (("complete", "collapsed completely", "collapsed completely"),
                           ("partial", "collapsed partially", "collapsed partially"),
                           ("none", "did not collapse", "did not collapse"),
                           *((key, one.format(cb=cb), many.format(cb=cb)) for key, (one, many) in NOT_JUDGED.items()),
                           ("no transition", "never changes phase", "never change phase"),
                           ("no eval", "logs no eval score after its transition",
                            "log no eval score after their transition")):
        k = int(sev.get(key, 0))
        if k:
            parts.append(f"{fmt.number(k)} {one if k == 1 else many}")
    if not parts:
        return "The log holds no run"
    if len(parts) == 1 and len(t) > 1:
        key = sev.index[0]
        whole = {"complete": "collapsed completely", "partial": "collapsed partially", "none": "collapsed",
                 "already collapsed": f"were already at or below {cb} before their transition",
                 "no eval before": "log no eval score before their transition",
                 "no transition": "changes phase", "no eval": "logs an eval score after its transition"}[key]
        none_of = key in ("none", "no transition", "no eval")
        return (f"None of the {count(len(t), 'run')} {whole}" if none_of else
                f"{'Both' if len(t) == 2 else 'All ' + str(len(t))} runs {whole}") + _ended(result) \
            + _not_judged(result)
    text = "Of the " + count(len(t), "run") + ", " + join(parts) if len(t) > 1 else \
        f"The one run, {t['run'].iloc[0]}, " + parts[0].split(" ", 1)[1]
    return text + _ended(result) + _not_judged(result)


def _not_judged(result: Result) -> str:
    """A sentence naming the runs that change phase and log an eval score after it but are not judged (already
    at or below ``complete_below`` before the transition, or with no eval score before it), each with its
    provenance where it is not a measurement; with many runs, their count only."""
    t = result.transitions
    left = t[t["severity"].isin(list(NOT_JUDGED))]
    if left.empty:
        return ""
    if len(left) > MANY_RUNS:
        return (f". These {fmt.number(len(left))} runs are counted neither for nor against the claim: the data "
                "cannot show a collapse at the transition in them")
    status = ({} if result.labels is None else result.labels.set_index("run")["status"].to_dict())

    def name(run) -> str:
        s = status.get(run, "measured")
        return str(run) + ("" if s == "measured" else f" ({RUN_STATUS_TEXT.get(s, 'of status ' + str(s))})")

    names = join([name(r) for r in left["run"]])
    return (f". {names} {'is' if len(left) == 1 else 'are'} counted neither for nor against the claim: the data "
            "cannot show a collapse at the transition in " + ("it" if len(left) == 1 else "them"))


def _ended(result: Result) -> str:
    """A sentence on runs that ended at or below ``complete_below`` without meeting complete collapse."""
    p, j = result.params, result.judged
    ended = j[(j["severity"] != "complete") & (j["eval_final"] <= p.complete_below)]
    if ended.empty:
        return ""
    if len(ended) > MANY_RUNS:
        return (f". {fmt.number(len(ended))} runs ended at or below {p.complete_below:g} but scored higher after the "
                f"transition (at most {fmt.number(ended['eval_after_max'].max(), 3)}), so they do not meet the "
                "definition of complete collapse")
    names = join([str(x) for x in ended["run"]])
    return (f". {names} ended at or below {p.complete_below:g} but scored higher after the transition (at most "
            f"{join([fmt.number(x, 3) for x in ended['eval_after_max']])}), so "
            + ("it does" if len(ended) == 1 else "they do") + " not meet the definition of complete collapse")


#: The severity the correlation measures (:func:`evalpatterns.distillation.relative_drop`), as the page names it.
DROP_TEXT = ("the relative drop of the eval score across the transition (1 \u2212 the lowest score from the "
             "transition on / the last off-policy score)")


def _points(c) -> str:
    """``5 runs``, or where seeds were pooled ``3 conditions (the seeds of each pooled to their mean drop)``."""
    return count(c.n, c.unit) + (" (the seeds of each pooled to their mean drop)" if c.pooled else "")


def correlation_text(result: Result) -> str:
    """The correlation of severity (the relative drop) with the gap: judged by Spearman's rho and its one-sided
    p-value, over one point per condition when seeds were pooled."""
    c = result.correlation
    points = _points(c)
    if not c.n:
        return ("No run changes phase and logs an eval score on both sides of it (a positive one before), so the "
                "data cannot test it")
    if c.n < c.min_runs:
        what = "" if c.pooled else " " + judged_clause(c.n, result.transitions, result.params.complete_below)
        return (f"With {points}{what}, fewer than the {c.min_runs} on which a correlation "
                "is judged (the min_correlation_runs parameter), the data cannot test it")
    if c.rho is None:
        return f"Over {points}, the gap or the relative drop does not vary, so no correlation can be measured"
    what = ("the data show it: a larger gap goes with a larger drop" if c.holds else
            f"the data do not show it at the {ALPHA:g} level")
    how = f"exact, over every ordering of the {c.unit}s" if c.exact else "from the t approximation"
    return (f"Over {points}, Spearman's \u03c1 between the gap and {DROP_TEXT} is {fmt.decimal(c.rho, 2)} "
            f"(one-sided {p_text(c.p_value)}, {how}, testing the claimed direction: a larger gap, a larger drop); "
            + what)


def conditions_values(result: Result) -> dict:
    """The sentence and caption over the table of conditions, where some condition has more than one seed
    (``conditions_text`` empty otherwise: the page then shows no such table)."""
    cond = result.conditions
    pooled = cond[cond["n_seeds"] > 1]
    out = {"n_conditions": int(len(cond)), "n_pooled_conditions": int(len(pooled)),
           "conditions_text": "", "conditions_caption_text": ""}
    if pooled.empty:
        return out
    if len(cond) == 1:
        seeds = f"it has {count(int(cond['n_seeds'].iloc[0]), 'seed')}"
    else:
        k = len(pooled)
        who = _of(k, k) if k == len(cond) else f"{k} of them"
        seeds = f"{who} {'has' if k == 1 else 'have'} more than one seed"
    out["conditions_text"] = (
        f"The {judged_text(int(cond['n_seeds'].sum()), result.transitions, result.params.complete_below)} belong to "
        f"{count(len(cond), 'condition')} (runs sharing method, family, student, teacher and gap); {seeds}. The table "
        f"below pools the seeds of each condition: the mean of {DROP_TEXT}, its 95% t interval (none with one "
        "seed), how many seeds collapsed and the least certain provenance of the condition's logged steps")
    out["conditions_caption_text"] = ("Each condition's seeds pooled: mean relative drop of the eval score across "
                                      "the transition, its 95% t interval, the seeds that collapsed.")
    return out


def kl_change(ratio: float) -> str:
    """How KL moves across a transition, from its ratio (after / before): ``jumps 363x`` from 10x (an order of
    magnitude), ``rises 1.45x`` above 1x, ``stays about the same (1x)`` at about 1x, ``falls to 0.28x of its
    value`` below it."""
    shown = fmt.ratio(ratio)
    return ("stays about the same (1x)" if shown == "1x" else f"jumps {shown}" if ratio >= JUMP
            else f"rises {shown}" if ratio > 1 else f"falls to {shown} of its value")


def key_numbers(result: Result) -> list[str]:
    """The dashboard's line on Finding 4, from the run with the largest KL spike: ``KL jumps 363x at the phase
    transition (Llama 70x gap, complete collapse)``. The verb follows the ratio: a jump from 10x (an order of
    magnitude), a rise above 1x, no change at about 1x, a fall below it; no line when no run has a spike
    ratio."""
    r = result.spike
    if r is None or missing(r["kl_spike_ratio"]):
        return []
    how = kl_change(float(r["kl_spike_ratio"]))
    who = [str(r["family"]) + (f" {fmt.ratio(r['gap'])} gap" if not missing(r["gap"]) else "")]
    who.append(SEVERITY_TEXT.get(r["severity"], str(r["severity"])))
    return [f"KL {how} at the phase transition ({', '.join(who)})"]


def values(result: Result) -> dict:
    t, log, p, r, c = result.transitions, result.log, result.params, result.spike, result.correlation
    has_ratio = r is not None and not pd.isna(r["kl_spike_ratio"])
    steps = result.steps if result.steps is not None else log["status"].value_counts()
    measured, n_steps = int(steps.get("measured", 0)), int(steps.sum())
    v = {
        "question": "does the switch to on-policy training make hybrid distillation collapse",
        "n_runs": int(len(t)), "n_runs_text": count(len(t), "run"),
        "n_with_transition": int(t["transition_step"].notna().sum()), "n_judged": int(len(result.judged)),
        "n_complete": int(t["severity"].eq("complete").sum()), "n_partial": int(t["severity"].eq("partial").sum()),
        "n_none": int(t["severity"].eq("none").sum()),
        "n_already_collapsed": int(t["severity"].eq("already collapsed").sum()),
        "n_no_eval_before": int(t["severity"].eq("no eval before").sum()),
        "complete_share": _f(result.complete.proportion), "complete_low": _f(result.complete.low),
        "complete_high": _f(result.complete.high),
        "complete_below": float(p.complete_below), "complete_below_text": f"{p.complete_below:g}",
        "partial_drop": float(p.partial_drop), "partial_drop_text": fmt.pct(p.partial_drop, 1),
        "min_correlation_runs": int(p.min_correlation_runs),
        "excerpt_run": result.excerpt_run or "none", "excerpt_rule_text": excerpt_rule_text(result),
        "n_steps_total": n_steps, "n_steps_measured": measured, "n_steps_other": n_steps - measured,
        "steps_text": steps_text(steps),
        "transition_text": transition_text(result), "rise_text": rise_text(result),
        "severity_text": severity_text(result), "correlation_text": correlation_text(result),
        "correlation_n": int(c.n), "correlation_rho": c.rho, "correlation_p_value": c.p_value,
        "spike_run": str(r["run"]) if r is not None else None,
        "spike_ratio": _f(r["kl_spike_ratio"]) if r is not None else None,
        "spike_ratio_text": fmt.ratio(r["kl_spike_ratio"]) if has_ratio else None,
        "spike_step": int(r["transition_step"]) if r is not None else None,
        "spike_severity": str(r["severity"]) if r is not None else None,
    }
    v.update(conclusion_values(result.conclusion))
    v.update(eval_set_values(result.eval_sets))
    v.update(downstream.values(result))
    v.update(display_values(result))
    v.update(conditions_values(result))
    v["correlation_unit"] = c.unit
    v["opening_text"] = opening(result.conclusion, evidence(result))
    v["takeaway_text"] = takeaway(result)
    return v
