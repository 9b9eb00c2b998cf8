"""Finding 4 as one analysis (evalpatterns.findings.distillation): the result on the post's data, the conclusion's
rule on hand-made logs (supported, contradicted, inconclusive), the correlation judged by Spearman's rho with its
one-sided p-value and a minimum of runs, the run the page quotes, and a property test on random logs."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_
from scipy import stats as st

from properties import examples
from evalpatterns import chapters, io
from evalpatterns.findings import distillation as finding
from evalpatterns.findings.base import CONTRADICTED, INCONCLUSIVE, SUPPORTED
from evalpatterns.words import distillation as words

import distlogs as dl

ROOT = Path(__file__).resolve().parents[1]
POST = io.load("distillation", ROOT / "data" / "distillation.csv")


@pytest.fixture(scope="module")
def post() -> finding.Result:
    return finding.analyse({"distillation": POST})


# -- the post's data -------------------------------------------------------------------------------------------

def test_post_data_support_the_claim(post):
    c = post.conclusion
    assert c.verdict == SUPPORTED
    # Llama: every score from step 50 on is 0.000 <= 0.01: complete; Qwen: lowest 0.057 < 0.518 x 0.75: partial
    assert (post.complete.k, post.complete.n, post.collapsed.k) == (1, 2, 2)
    assert c.statistic == pytest.approx(0.5)
    # Wilson, 1 of 2, z = 1.95996: centre (0.5 + z^2/4) / (1 + z^2/2) = 0.5;
    # half = z sqrt(0.25/2 + z^2/16) / (1 + z^2/2) = 1.95996 x 0.60424 / 2.92072 = 0.40547
    assert (post.complete.low, post.complete.high) == (pytest.approx(0.09453, abs=1e-5), pytest.approx(0.90547, abs=1e-5))
    assert c.shown == "complete in 1 of 2 runs, Wilson 95% interval 9% to 91%; largest KL spike 363x in llama-hybrid-seed8"


def test_post_data_spike_excerpt_and_rises(post):
    # KL 0.015 at step 40 -> 5.4453 at step 50: 5.4453 / 0.015 = 363.02, larger than Qwen's 0.2299 / 0.02 = 11.495
    assert post.spike["run"] == "llama-hybrid-seed8" and post.spike["kl_spike_ratio"] == pytest.approx(363.02)
    assert (post.excerpt_run, post.excerpt_origin) == ("llama-hybrid-seed8", "spike")
    rises = post.rises.set_index("run")
    # Llama: the rise 5.4453 - 0.015 = 5.4303 is the only one (4.80, 4.40, 4.3808 fall)
    assert rises.loc["llama-hybrid-seed8", "rise_at"] == pytest.approx(5.4303)
    assert pd.isna(rises.loc["llama-hybrid-seed8", "largest_other_rise"])
    # Qwen: 0.2299 - 0.02 = 0.2099 against later rises 0.17, 0.20, 0.20, 0.15
    assert rises.loc["qwen-hybrid", "rise_at"] == pytest.approx(0.2099)
    assert rises.loc["qwen-hybrid", "largest_other_rise"] == pytest.approx(0.20)
    assert rises["at_transition"].tolist() == [True, True]
    assert rises["before_step"].tolist() == [40.0, 40.0]


def test_post_data_has_too_few_runs_for_a_correlation(post):
    c = post.correlation
    assert (c.n, c.min_runs, c.judged, c.holds, c.pooled) == (2, 5, False, False, False)


def test_post_data_conditions_are_its_two_runs(post):
    cond = post.conditions
    assert cond["family"].tolist() == ["Llama", "Qwen"] and cond["n_seeds"].tolist() == [1, 1]
    # Llama: 1 - 0.000 / 0.266 = 1; Qwen: 1 - 0.057 / 0.518 = 0.88996; one seed each: no interval
    assert cond["mean_drop"].tolist() == [pytest.approx(1.0), pytest.approx(1 - 0.057 / 0.518)]
    assert cond["ci_low"].isna().all() and cond["ci_high"].isna().all()
    assert (cond["n_complete"].tolist(), cond["n_partial"].tolist()) == ([1, 0], [0, 1])
    assert cond["status"].tolist() == ["figure", "figure"]  # each run has steps read off the post's figure 3


def test_params_are_the_chapters_parameters():
    names = {p.name: p.default for p in chapters.get("hybrid-distillation").parameters if not p.data}
    assert names == {"complete_below": 0.01, "partial_drop": 0.25, "min_correlation_runs": 5}
    summary = {p.name: p.default for p in chapters.get("summary").parameters}
    assert {k: summary[k] for k in names} == names


# -- the conclusion's rule -------------------------------------------------------------------------------------

def test_no_collapse_contradicts():
    log = dl.log(dl.collapsing("a", before=0.30, after=(0.33, 0.35)), dl.collapsing("b", before=0.50, after=(0.45,)),
                 dl.collapsing("c", before=0.55, after=(0.56,)))
    r = finding.analyse(log)
    assert r.conclusion.verdict == CONTRADICTED
    assert r.transitions["severity"].tolist() == ["none", "none", "none"]  # 0.45 is not below 0.50 x 0.75
    # Wilson, 0 of 3: centre = half = (z^2/6) / (1 + z^2/3) = 0.64026 / 2.28051 = 0.28075; high 0.56150
    assert (r.complete.low, r.complete.high) == (pytest.approx(0.0, abs=1e-12), pytest.approx(0.56150, abs=1e-5))
    assert r.conclusion.reason.startswith(
        "none of the 3 runs that change phase and log an eval score on both sides of it collapsed")


def test_mixed_runs_are_inconclusive_and_the_majority_rule_is_strict():
    complete, none = dl.collapsing("a", after=(0.0,)), dl.collapsing("b", before=0.5, after=(0.5,))
    # one complete of two: collapsed 1, not more than half
    assert finding.analyse(dl.log(complete, none)).conclusion.verdict == INCONCLUSIVE
    # one complete and one partial of three: 2 > 1.5
    partial = dl.collapsing("c", before=0.5, after=(0.2,))
    assert finding.analyse(dl.log(complete, none, partial)).conclusion.verdict == SUPPORTED
    # partial collapses only: no run collapsed completely
    r = finding.analyse(dl.log(partial, dl.collapsing("d", before=0.5, after=(0.1,))))
    assert r.conclusion.verdict == INCONCLUSIVE
    assert r.conclusion.reason == ("no run collapsed completely, though 2 of the 2 runs that change phase and log an "
                                   "eval score on both sides of it collapsed partially")


def test_runs_already_at_zero_before_the_switch_are_not_judged():
    # the reviewer's repro: 0.000 -> 0.000 and 0.005 -> 0.004; both <= 0.01 before the switch, so neither fell at it
    r = finding.analyse(dl.log(dl.collapsing("a", before=0.0, after=(0.0,)),
                               dl.collapsing("b", before=0.005, after=(0.004,))))
    assert r.transitions["severity"].tolist() == ["already collapsed", "already collapsed"]
    assert r.judged.empty and r.conclusion.verdict == INCONCLUSIVE  # was supported, "2 of 2 runs collapsed"
    assert r.conclusion.reason == ("no run that changes phase can be judged, as 2 runs were already at or below "
                                   "0.01 before their transition")
    # next to a run that does collapse (0.4 -> 0.0): judged alone, and the reason counts the one left out
    r = finding.analyse(dl.log(dl.collapsing("a", before=0.0, after=(0.0,)), dl.collapsing("c", before=0.4)))
    assert (r.conclusion.verdict, r.complete.k, r.complete.n) == (SUPPORTED, 1, 1)
    assert r.conclusion.reason == (
        "the one run that changes phase and logs an eval score on both sides of it and above 0.01 before it collapsed "
        "completely at the transition (every eval score from it on at or below 0.01); not counted for or against "
        "the claim, 1 run was already at or below 0.01 before its transition")


def test_a_run_without_an_eval_score_before_the_switch_is_not_judged():
    # the reviewer's repro: no off-policy eval score, 0.40 and 0.30 after; it was judged "none" and contradicted
    r = finding.analyse(dl.log(dl.collapsing("a", before=None, after=(0.4,)),
                               dl.collapsing("b", before=None, after=(0.3,))))
    assert r.transitions["severity"].tolist() == ["no eval before", "no eval before"]
    assert r.conclusion.verdict == INCONCLUSIVE
    assert r.conclusion.reason == ("no run that changes phase can be judged, as 2 runs log no eval score before "
                                   "their transition")
    # beside a judged run that kept its score (0.5 -> 0.45 is within 25%) and one with no score after the switch
    r = finding.analyse(dl.log(dl.collapsing("a", before=None, after=(0.0,)), dl.collapsing("b", before=0.5,
                                                                                           after=(0.45,))))
    assert r.conclusion.verdict == CONTRADICTED
    assert r.conclusion.reason == (
        "the one run that changes phase and logs an eval score on both sides of it did not collapse: its lowest "
        "eval score after the transition stayed within 25% of its last off-policy score; not counted for or "
        "against the claim, 1 run logs no eval score before its transition")
    both = finding.analyse(dl.log(dl.collapsing("a", before=None), dl.collapsing("b", before=0.3, after=(None,))))
    assert both.conclusion.reason == ("no run that changes phase can be judged, as 1 run logs no eval score before "
                                      "its transition and 1 run logs no eval score after its transition")


@pytest.mark.parametrize("runs, reason", [
    ((dl.run("a", on=()),), "no run changes from off-policy to on-policy"),
    ((dl.run("a", on=((50, 0.5, None),)),), "no run that changes phase logs an eval score after the change"),
])
def test_nothing_to_judge_is_inconclusive(runs, reason):
    c = finding.analyse(dl.log(*runs)).conclusion
    assert (c.verdict, c.reason, c.statistic) == (INCONCLUSIVE, reason, None)


def test_a_run_ending_at_zero_is_complete_only_when_every_score_from_the_transition_is():
    r = finding.analyse(dl.log(dl.collapsing("zeros", after=(0.0, 0.0, 0.0)),
                               dl.collapsing("late", after=(0.2, 0.05, 0.0))))
    sev = r.transitions.set_index("run")["severity"]
    assert (sev["zeros"], sev["late"]) == ("complete", "partial")
    sheet = (ROOT / "data" / "README.md").read_text()
    assert "**Complete collapse**: every eval score logged from the transition step on" in sheet
    assert "`complete_below` (default 0.01)" in sheet
    assert finding.Params().complete_below == 0.01


def test_the_thresholds_are_the_params():
    log = dl.log(dl.collapsing("a", before=0.5, after=(0.2, 0.2)))
    assert finding.analyse(log).transitions["severity"].iloc[0] == "partial"
    assert finding.analyse(log, finding.Params(complete_below=0.25)).transitions["severity"].iloc[0] == "complete"
    assert finding.analyse(log, finding.Params(partial_drop=0.7)).transitions["severity"].iloc[0] == "none"


# -- the correlation with the gap ------------------------------------------------------------------------------

def _gap_runs(gaps, finals):
    return dl.log(*[dl.collapsing(f"r{i:03d}", gap=g, before=0.6, after=(e,)) for i, (g, e) in enumerate(zip(gaps, finals))])


def _drops(finals, before=0.6):
    """The relative drop of each run of _gap_runs: 1 - final / 0.6 (its one score after is also its lowest)."""
    return [1 - e / before for e in finals]


def test_correlation_holds_when_significant_in_the_claimed_direction():
    gaps, finals = [2, 4, 8, 16, 32, 64], [0.4, 0.5, 0.3, 0.2, 0.0, 0.1]
    c = finding.analyse(_gap_runs(gaps, finals)).correlation
    # severity is the relative drop 1 - final / 0.6: 0.333 0.167 0.5 0.667 1 0.833, ranks 2 1 3 4 6 5 against gap
    # ranks 1..6: d^2 = 1+1+0+0+1+1 = 4, rho = 1 - 6 x 4 / 210 = +0.8857 (the final scores gave -0.8857)
    assert c.rho == pytest.approx(1 - 6 * 4 / 210)
    # exact one-sided p: the share of the 720 orderings of the drops whose rho is at least 0.8857 (sum d^2 <= 4),
    # counted here with scipy one ordering at a time: 12 / 720
    above = sum(st.spearmanr(gaps, order).statistic >= c.rho - 1e-12 for order in itertools.permutations(_drops(finals)))
    assert above == 12 and c.p_value == pytest.approx(12 / 720) and c.exact
    assert c.p_value < 0.05 and c.judged and c.holds and not c.pooled and c.unit == "run"


def test_exact_p_where_the_t_approximation_calls_a_perfect_order_certain():
    # rho = +1 over 3 runs (drops 0.5, 0.667, 0.833): 1 ordering of 6 is as high (p = 0.167, not the t
    # approximation's 0); over 5 runs 1 / 120
    three = finding.correlation_of(finding.analyse(_gap_runs([2, 4, 8], [0.3, 0.2, 0.1])).conditions, 3)
    assert (three.rho, three.p_value, three.holds) == (pytest.approx(1.0), pytest.approx(1 / 6), False)
    five = finding.correlation_of(finding.analyse(_gap_runs([2, 4, 8, 16, 32], [0.5, 0.4, 0.3, 0.2, 0.1])).conditions, 5)
    assert (five.p_value, five.holds) == (pytest.approx(1 / 120), True)


def test_a_positive_rho_near_zero_does_not_hold():
    gaps = list(range(1, 121))
    finals = [((i * 17) % 121) / 1000 for i in gaps]
    c = finding.analyse(_gap_runs(gaps, finals)).correlation
    expected = st.spearmanr(gaps, _drops(finals), alternative="greater")
    assert c.n == 120 and c.rho == pytest.approx(0.01176, abs=1e-5) and c.rho == pytest.approx(expected.statistic)
    assert c.p_value == pytest.approx(expected.pvalue) and c.p_value > 0.4 and not c.exact  # t approximation
    assert c.judged and not c.holds


def test_a_drop_shrinking_with_the_gap_does_not_hold_and_few_runs_are_not_judged():
    c = finding.analyse(_gap_runs([2, 4, 8, 16, 32], [0.0, 0.1, 0.2, 0.3, 0.4])).correlation
    assert c.rho == pytest.approx(-1.0) and not c.holds  # drops 1, 0.833, ..., 0.333: smaller with the gap
    few = finding.analyse(_gap_runs([2, 4, 8, 16], [0.4, 0.3, 0.2, 0.1])).correlation
    assert few.rho == pytest.approx(1.0) and not few.judged and not few.holds
    fewer = finding.analyse(_gap_runs([2, 4, 8, 16], [0.4, 0.3, 0.2, 0.1]), finding.Params(min_correlation_runs=4))
    assert fewer.correlation.holds  # rho = 1 over 4: exact p = 1 / 24 = 0.042


def test_the_drop_not_the_final_score_measures_severity():
    # Two students end at 0.10, one from 0.20 (a drop of 50%), one from 0.60 (83%): the final score calls them
    # equal; the relative drop, larger where the gap is larger, orders them with the gap.
    log = dl.log(dl.collapsing("small-gap", gap=2, before=0.20, after=(0.10,)),
                 dl.collapsing("mid-gap", gap=8, before=0.40, after=(0.10,)),
                 dl.collapsing("large-gap", gap=32, before=0.60, after=(0.10,)))
    c = finding.analyse(log, finding.Params(min_correlation_runs=3)).correlation
    # drops 1 - 0.1/0.2 = 0.5, 1 - 0.1/0.4 = 0.75, 1 - 0.1/0.6 = 0.833: in the order of the gaps, rho = 1
    assert c.n == 3 and c.rho == pytest.approx(1.0) and c.p_value == pytest.approx(1 / 6)


def test_seeds_of_one_condition_are_one_point():
    # 5 seeds of each of 2 conditions look like 10 runs; they are 2 points, too few to judge
    runs = [dl.collapsing(f"{fam}-s{s}", fam, gap, before=0.5, after=(a + 0.01 * s,), seed=s)
            for fam, gap, a in (("Small", 2, 0.3), ("Large", 70, 0.0)) for s in range(5)]
    r = finding.analyse(dl.log(*runs), finding.Params(min_correlation_runs=3))
    c = r.correlation
    assert (c.n, c.pooled, c.unit, c.rho, c.judged) == (2, True, "condition", None, False)
    assert r.conditions["n_seeds"].tolist() == [5, 5]  # the 70x condition first
    # Large: drops 1 - (0.00..0.04) / 0.5 = 1, 0.98, 0.96, 0.94, 0.92: mean 0.96; Small: 1 - (0.30..0.34) / 0.5: 0.36
    assert r.conditions["mean_drop"].tolist() == [pytest.approx(0.96), pytest.approx(0.36)]


def test_conditions_differ_by_method():
    runs = [dl.collapsing(f"{m}-s{s}", gap=10, before=0.5, after=(a,), seed=s, method=m)
            for m, a in (("hybrid", 0.0), ("off-policy", 0.45)) for s in (1, 2)]
    cond = finding.analyse(dl.log(*runs)).conditions
    assert cond["method"].tolist() == ["hybrid", "off-policy"] and cond["n_seeds"].tolist() == [2, 2]
    assert cond["n_complete"].tolist() == [2, 0] and cond["mean_drop"].tolist() == [1.0, pytest.approx(0.1)]


DROPPED = st_.lists(st_.tuples(st_.sampled_from([2, 4, 7.5, 16, 70]), st_.floats(0.05, 1).map(lambda x: round(x, 3)),
                               st_.floats(0, 1).map(lambda x: round(x, 3))), min_size=1, max_size=7)


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DROPPED)
def test_a_second_seed_of_every_run_cannot_inflate_the_correlation(conditions):
    """Pseudo-replication: a copy of every run as a second seed of its condition leaves the correlation's n and
    rho (and p) as they were."""
    once = [dl.collapsing(f"c{i}-s1", f"F{i}", gap, before, (after,), seed=1)
            for i, (gap, before, after) in enumerate(conditions)]
    twice = once + [dl.collapsing(f"c{i}-s2", f"F{i}", gap, before, (after,), seed=2)
                    for i, (gap, before, after) in enumerate(conditions)]
    a = finding.analyse(dl.log(*once), finding.Params(min_correlation_runs=3)).correlation
    b = finding.analyse(dl.log(*twice), finding.Params(min_correlation_runs=3)).correlation
    assert b.n == a.n and b.pooled and not a.pooled
    assert (a.rho is None and b.rho is None) or (b.rho == pytest.approx(a.rho) and b.p_value == pytest.approx(a.p_value))
    assert b.holds == a.holds


# -- the spike, the excerpt and the family ---------------------------------------------------------------------

def test_spike_falls_back_to_the_kl_at_the_transition_when_no_ratio_exists():
    log = dl.log(dl.run("a", off=((40, None, 0.4),), on=((50, 0.3, 0.0),)),
                 dl.run("b", off=((40, 0.0, 0.4),), on=((50, 0.9, 0.0),)))
    r = finding.analyse(log)
    assert r.spike["run"] == "b" and pd.isna(r.spike["kl_spike_ratio"])  # KL before is 0: no ratio; 0.9 > 0.3
    assert (r.excerpt_run, r.excerpt_origin) == ("b", "spike")


def test_excerpt_rule_without_kl_at_any_transition():
    r = finding.analyse(dl.log(dl.run("b", off=((0, None, 0.4),), on=((10, None, 0.0),)),
                               dl.run("a", on=())))
    assert r.spike is None and (r.excerpt_run, r.excerpt_origin) == ("b", "transition")
    flat = finding.analyse(dl.log(dl.run("b", on=()), dl.run("a", on=())))
    assert (flat.excerpt_run, flat.excerpt_origin) == ("a", "first")


def test_a_single_kl_value_does_not_crash():
    r = finding.analyse(dl.log(dl.run("one", off=((40, None, 0.4),), on=((50, 0.5, 0.0), (60, None, 0.0)))))
    assert r.rises.empty and r.spike["kl_at"] == 0.5
    assert r.conclusion.verdict == SUPPORTED


def test_a_later_rise_outweighs_a_small_jump_but_a_later_fall_does_not():
    up = dl.run("up", off=((40, 0.10, 0.4),), on=((50, 0.2, 0.0), (60, 1.0, 0.0)))
    down = dl.run("down", off=((40, 0.10, 0.4),), on=((50, 0.2, 0.0), (60, 0.05, 0.0)))
    rises = finding.analyse(dl.log(up, down)).rises.set_index("run")
    assert rises.loc["up", "largest_other_rise"] == pytest.approx(0.8) and not rises.loc["up", "at_transition"]
    assert pd.isna(rises.loc["down", "largest_other_rise"]) and rises.loc["down", "at_transition"]


def test_family_matches_without_regard_to_case():
    t = finding.analyse(dl.log(dl.collapsing("x", family="llama"), dl.collapsing("y", family=" QWEN "))).transitions
    assert finding.family_run(t, "Llama")["run"] == "x"
    assert finding.family_run(t, "qwen")["run"] == "y"
    assert finding.family_run(t, "Gemma") is None


# -- random logs -----------------------------------------------------------------------------------------------

MAYBE = st_.one_of(st_.none(), st_.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3)))


@st_.composite
def logs(draw):
    runs = []
    for i in range(draw(st_.integers(1, 4))):
        n_off, n_on = draw(st_.integers(0, 3)), draw(st_.integers(0 if i else 1, 3))
        off = [(10 * s, draw(MAYBE), draw(MAYBE)) for s in range(n_off)]
        on = [(10 * (n_off + s), draw(MAYBE), draw(MAYBE)) for s in range(n_on)]
        runs.append(dl.run(f"run{i}", draw(st_.sampled_from(["Llama", "llama", "Qwen"])),
                           draw(st_.sampled_from([2, 7.5, 70])), off, on,
                           draw(st_.sampled_from(["measured", "figure"]))))
    return dl.log(*runs)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), st_.sampled_from([0.01, 0.2]), st_.sampled_from([0.1, 0.5]))
def test_random_logs_never_raise_and_the_words_agree_with_the_numbers(log, complete_below, partial_drop):
    r = finding.analyse(log, finding.Params(complete_below=complete_below, partial_drop=partial_drop,
                                            min_correlation_runs=3))
    sev = r.transitions["severity"]
    k, kc, n = int(sev.eq("complete").sum()), int(sev.isin(["complete", "partial"]).sum()), int(sev.isin(finding.JUDGED).sum())
    assert (r.complete.k, r.collapsed.k, r.complete.n) == (k, kc, n)
    expected = (INCONCLUSIVE if n == 0 else SUPPORTED if k and kc > n / 2 else CONTRADICTED if kc == 0
                else INCONCLUSIVE)
    assert r.conclusion.verdict == expected
    v = words.values(r)
    assert (v["n_complete"], v["n_partial"], v["n_runs"]) == (k, int(sev.eq("partial").sum()), len(r.transitions))
    texts = [x for key, x in v.items() if key.endswith("_text") and isinstance(x, str)]
    assert not any("n/a" in x or "nan" in x.split() for x in texts)
    assert not any(" 1 runs" in x or " 1 steps" in x for x in texts)
    if expected != SUPPORTED:
        assert "support" not in v["opening_text"] and "collapsed at the switch" not in v["takeaway_text"]
    if r.spike is not None and not pd.isna(r.spike["kl_spike_ratio"]):
        assert v["spike_ratio_text"] in v["transition_text"]
    assert np.isfinite(r.conclusion.statistic) if n else r.conclusion.statistic is None
    if n:
        assert f"complete in {k} of {n} run" in v["opening_text"]
    if sev.nunique() > 1:
        said = v["severity_text"].split(". ")[0]
        assert said.startswith(f"Of the {len(sev)} runs, ")
        parts = said.split(", ", 1)[1].replace(" and ", ", ").split(", ")
        assert sum(int(part.split()[0]) for part in parts) == len(sev)
    k_at, m = int(r.rises["at_transition"].sum()), len(r.rises)
    if m == 1:
        assert (" is the largest rise" in v["rise_text"]) == bool(k_at)
    elif m:
        head = "both" if k_at == m == 2 else f"all {m}" if k_at == m else f"{k_at} of {m}"
        assert v["rise_text"].startswith(f"In {head} runs logging KL")


def test_an_empty_log_is_inconclusive():
    r = finding.analyse(POST.iloc[0:0])
    assert r.conclusion.verdict == INCONCLUSIVE and r.excerpt_run is None and r.spike is None
    v = words.values(r)
    assert (v["severity_text"], v["steps_text"]) == ("The log holds no run", "The log holds no step")


def _post_log(before, after) -> pd.DataFrame:
    """The post's step log with eval_set ``before`` on off-policy steps and ``after`` on on-policy ones."""
    log = io.load("distillation", ROOT / "data" / "distillation.csv")
    log["eval_set"] = log["phase"].map({"off_policy": before, "on_policy": after})
    return log


def test_scores_before_and_after_the_transition_on_different_sets_are_named():
    r = finding.analyse(_post_log("heldout-50", "heldout-200"))
    assert [(m.compared, m.eval_sets) for m in r.eval_sets] == [
        ("run llama-hybrid-seed8's eval scores before against after the transition", ("heldout-50", "heldout-200")),
        ("run qwen-hybrid's eval scores before against after the transition", ("heldout-50", "heldout-200"))]
    assert r.conclusion.verdict == SUPPORTED
    assert r.conclusion.reason.endswith(
        "not directly comparable: run llama-hybrid-seed8's eval scores before against after the transition and "
        "run qwen-hybrid's eval scores before against after the transition (on heldout-50 and heldout-200)")


def test_a_log_whose_index_repeats_labels_gives_the_same_result():
    """Two halves of a log concatenated, each numbered from 0: a valid frame, once an IndexError."""
    log = _post_log("heldout-50", "heldout-200")
    half = len(log) // 2
    repeated = pd.concat([log.iloc[:half].reset_index(drop=True), log.iloc[half:].reset_index(drop=True)])
    assert repeated.index.has_duplicates
    assert finding.analyse(repeated).eval_sets == finding.analyse(log).eval_sets != ()


@pytest.mark.parametrize("before, after", [(None, None), ("heldout", "heldout"), ("heldout-50", None)])
def test_equal_or_absent_eval_sets_give_no_caveat(before, after):
    r = finding.analyse(_post_log(before, after))
    assert r.eval_sets == () and "eval set" not in r.conclusion.reason


def test_the_downstream_accuracies_are_on_the_result_when_given_and_none_when_not(tmp_path):
    from evalpatterns import findings

    given = findings.analyse("distillation")
    assert given.downstream_table[["family", "accuracy"]].values.tolist() == [["Llama", 0.0], ["Qwen", 0.135]]
    assert given.downstream_eval_sets == ()
    assert given.conclusion == findings.analyse("distillation", distillation_downstream_csv="").conclusion
    (tmp_path / "distillation.csv").write_text((ROOT / "data" / "distillation.csv").read_text())
    for absent in (findings.analyse("distillation", distillation_downstream_csv=""),
                   findings.analyse("distillation", data_dir=tmp_path)):
        assert absent.downstream is None and absent.downstream_table is None
