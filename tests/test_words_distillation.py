"""Finding 4's sentences (evalpatterns.words.distillation): what they say on the post's data, and that they never
assert the post's pattern when the runs contradict it or cannot settle it."""
from __future__ import annotations

from pathlib import Path

import pytest

from evalpatterns import io
from evalpatterns.findings import distillation as finding
from evalpatterns.words import distillation as words

import distlogs as dl

ROOT = Path(__file__).resolve().parents[1]


def values(log, **params) -> dict:
    return words.values(finding.analyse(log, finding.Params(**params)))


@pytest.fixture(scope="module")
def post() -> dict:
    return values(io.load("distillation", ROOT / "data" / "distillation.csv"))


def test_post_opening_takeaway_and_transition(post):
    assert post["opening_text"] == (
        "The data support the post's claim: of the 2 runs that change phase and log an eval score on both sides of it, 1 "
        "collapsed completely at the transition and both collapsed completely or partially (complete in 1 of 2 "
        "runs, Wilson 95% interval 9% to 91%; largest KL spike 363x in llama-hybrid-seed8).")
    assert post["takeaway_text"].startswith("Hybrid distillation collapsed at the switch to on-policy training here")
    # 5.4453 / 0.015 = 363.02; the KL before printed as 0.015 lies in [0.0145, 0.0155]: 5.4453 / 0.0155 = 351.3,
    # 5.4453 / 0.0145 = 375.5
    assert post["transition_text"] == (
        "It is step 50 in both runs that change phase. In llama-hybrid-seed8, the run with the largest KL spike, the "
        "KL divergence at step 50 is 5.4453, against 0.015 at step 40, the last off-policy value logged: a spike of "
        "363x. The ratio hangs on the last digit of the KL before: any value from 0.0145 to 0.0155, which prints as "
        "0.015, gives 351x to 376x")
    assert post["excerpt_rule_text"] == "the run with the largest KL spike at its transition, llama-hybrid-seed8"
    assert post["severity_text"] == "Of the 2 runs, 1 collapsed completely and 1 collapsed partially"
    # 20 rows: 5 with status measured, 15 read off figure 3
    assert post["steps_text"] == ("Of its 20 logged steps, 5 are measurements, drawn filled; the other 15 were read off "
                                  "a figure, drawn hollow")
    assert post["correlation_text"].startswith("With 2 runs that change phase and log an eval score on both sides "
                                               "of it, fewer than the 5 on which a correlation is judged")
    # one seed per condition: no table of conditions, no sentence over it
    assert (post["conditions_text"], post["n_conditions"], post["correlation_unit"]) == ("", 2, "run")
    assert post["verdict"] == "supported"


def test_contradicted_never_asserts_the_pattern():
    v = values(dl.log(dl.collapsing("a", before=0.3, after=(0.33,), kl=(0.02, 0.029)),
                      dl.collapsing("b", before=0.5, after=(0.52,), kl=(0.02, 0.0245))))
    assert v["verdict"] == "contradicted"
    assert v["opening_text"].startswith("The data contradict the post's claim: none of the 2 runs that change phase")
    assert v["takeaway_text"].startswith("Hybrid distillation did not collapse at the switch")
    assert v["severity_text"] == "None of the 2 runs collapsed"
    # 0.029 / 0.02 = 1.45: three significant digits, never "1x"
    assert v["spike_ratio_text"] == "1.45x" and "a spike of 1.45x" in v["transition_text"]


@pytest.mark.parametrize("runs, reason", [
    ((dl.run("a", on=()), dl.run("b", on=())), "no run changes from off-policy to on-policy"),
    ((dl.collapsing("a", before=0.5, after=(0.2,)),),
     "the one run that changes phase and logs an eval score on both sides of it collapsed partially, not completely"),
])
def test_inconclusive_says_it_cannot_tell(runs, reason):
    v = values(dl.log(*runs))
    assert v["opening_text"].startswith("The data cannot settle the post's claim")
    assert v["takeaway_text"] == ("These data cannot say whether the switch to on-policy training makes hybrid "
                                  f"distillation collapse: {reason}.")


def test_no_phase_change_and_no_kl():
    flat = values(dl.log(dl.run("a", on=()), dl.run("b", on=())))
    assert flat["transition_text"] == "No run changes from off-policy to on-policy, so there is no transition to look at"
    assert flat["severity_text"] == "None of the 2 runs changes phase"
    assert flat["excerpt_rule_text"].endswith("as no run changes phase, the first run by name, a")
    assert flat["correlation_text"] == ("No run changes phase and logs an eval score on both sides of it (a positive "
                                        "one before), so the data cannot test it")
    nokl = values(dl.log(dl.run("g", off=((20, None, 0.43),), on=((30, None, 0.004), (40, None, 0.0)))))
    assert nokl["transition_text"] == ("It is step 30 in the one run that changes phase. No run logs KL at its "
                                       "transition step, so no spike can be measured")
    assert nokl["rise_text"].startswith("No run logs KL both before its transition and at it")


def test_kl_logged_at_the_transition_without_a_value_before_it():
    v = values(dl.log(dl.run("z", off=((40, None, 0.4),), on=((50, 0.5, 0.2), (60, None, 0.0)))))
    assert v["transition_text"] == (
        "It is step 50 in the one run that changes phase. In z, the run with the largest KL at its transition, the KL "
        "divergence at step 50 is 0.5000; the KL before it is not logged, so no spike ratio can be computed")
    # ended at 0.000 after 0.2 at step 50: partial, and the page says why
    assert v["severity_text"] == ("The one run, z, collapsed partially. z ended at or below 0.01 but scored higher "
                                  "after the transition (at most 0.200), so it does not meet the definition of "
                                  "complete collapse")


def test_runs_not_judged_are_counted_and_named_with_their_provenance():
    # b was at 0.005 <= 0.01 before the switch (illustrative), c logs no eval score before it; a collapses 0.4 -> 0
    v = values(dl.log(dl.collapsing("a", before=0.4), dl.collapsing("b", before=0.005, status="illustrative"),
                      dl.collapsing("c", before=None, after=(0.0,))))
    assert v["verdict"] == "supported" and v["n_judged"] == 1
    assert v["severity_text"] == (
        "Of the 3 runs, 1 collapsed completely, 1 was already at or below 0.01 before its transition and 1 logs no "
        "eval score before its transition. b (illustrative) and c are counted neither for nor against the claim: "
        "the data cannot show a collapse at the transition in them")
    assert v["opening_text"].startswith(
        "The data support the post's claim: the one run that changes phase and logs an eval score on both sides of "
        "it and above 0.01 before it, a, collapsed completely at the transition; not counted for or against the "
        "claim, 1 run was already at or below 0.01 before its transition and 1 run logs no eval score before its "
        "transition")
    assert (v["n_already_collapsed"], v["n_no_eval_before"]) == (1, 1)


def test_correlation_sentence_states_rho_and_its_one_sided_p():
    gaps, finals = [2, 4, 8, 16, 32, 64], [0.4, 0.5, 0.3, 0.2, 0.0, 0.1]
    v = values(dl.log(*[dl.collapsing(f"r{i}", gap=g, before=0.6, after=(e,)) for i, (g, e) in
                        enumerate(zip(gaps, finals))]))
    # drops 1 - final / 0.6: rho = 1 - 6 x 4 / 210 = 0.886; exact one-sided p = 12 / 720 = 0.017 (see
    # test_findings_distillation)
    assert v["correlation_text"] == (
        "Over 6 runs, Spearman's \u03c1 between the gap and the relative drop of the eval score across the transition "
        "(1 \u2212 the lowest score from the transition on / the last off-policy score) is 0.89 (one-sided p = 0.017, "
        "exact, over every ordering of the runs, testing the claimed direction: a larger gap, a larger drop); "
        "the data show it: a larger gap goes with a larger drop")


def _seeded(conditions, seeds=3):
    """``seeds`` runs of each (family, gap, before, after) condition, the k-th seed's score after 0.01 x k higher."""
    return dl.log(*[dl.collapsing(f"{fam}-s{k}", fam, gap, before, (after + 0.01 * k,), seed=k)
                    for fam, gap, before, after in conditions for k in range(seeds)])


def test_pooled_seeds_are_counted_as_conditions():
    conditions = [("A", 2, 0.5, 0.40), ("B", 4, 0.5, 0.30), ("C", 8, 0.5, 0.20), ("D", 16, 0.5, 0.10),
                  ("E", 32, 0.5, 0.00)]
    r = finding.analyse(_seeded(conditions))
    v = words.values(r)
    # 5 conditions of 3 seeds: drops 1 - (a, a + 0.01, a + 0.02) / 0.5, mean 1 - (a + 0.01) / 0.5: 0.18, 0.38,
    # 0.58, 0.78, 0.98 in the order of the gaps: rho = 1 over 5 points, exact p = 1 / 120 = 0.0083
    assert (v["correlation_n"], v["correlation_unit"]) == (5, "condition")
    assert v["correlation_rho"] == pytest.approx(1.0) and v["correlation_p_value"] == pytest.approx(1 / 120)
    assert v["correlation_text"].startswith(
        "Over 5 conditions (the seeds of each pooled to their mean drop), Spearman's \u03c1 between the gap and the "
        "relative drop")
    assert "exact, over every ordering of the conditions" in v["correlation_text"]
    assert v["conditions_text"].startswith(
        "The 15 runs that change phase and log an eval score on both sides of it belong to 5 conditions (runs sharing method, "
        "family, student, teacher and gap); all 5 have more than one seed.")
    # with too few conditions the sentence counts conditions, not runs
    few = values(_seeded(conditions[:2]), min_correlation_runs=3)
    assert few["correlation_text"] == ("With 2 conditions (the seeds of each pooled to their mean drop), fewer than "
                                       "the 3 on which a correlation is judged (the min_correlation_runs parameter), "
                                       "the data cannot test it")
    assert few["conditions_text"].startswith("The 6 runs that change phase and log an eval score on both sides of it belong to "
                                             "2 conditions (runs sharing method, family, student, teacher and gap); "
                                             "both have more than one seed.")


def test_one_seeded_condition_among_single_runs():
    log = dl.log(dl.collapsing("a-s1", "A", 2, 0.5, (0.4,), seed=1), dl.collapsing("a-s2", "A", 2, 0.5, (0.3,), seed=2),
                 dl.collapsing("b", "B", 8, 0.5, (0.0,)), dl.collapsing("c", "C", 4, 0.5, (0.1,)))
    v = values(log)
    assert v["conditions_text"].startswith("The 4 runs that change phase and log an eval score on both sides of it belong to 3 "
                                           "conditions (runs sharing method, family, student, teacher and gap); 1 of "
                                           "them has more than one seed.")
    assert (v["n_conditions"], v["n_pooled_conditions"], v["correlation_n"]) == (3, 1, 3)


def test_the_gap_figures_caption_says_what_it_draws_and_the_correlation(post):
    assert post["gap_figure_text"] == "draws the relative drop of each run against the gap; no trend line is put through them"
    assert post["gap_caption_text"] == (
        "Relative drop of the eval score across the transition against the teacher/student size gap, one point per "
        "run. 2 runs, fewer than the 5 a correlation is judged on: no correlation.")
    conditions = [("A", 2, 0.5, 0.40), ("B", 4, 0.5, 0.30), ("C", 8, 0.5, 0.20), ("D", 16, 0.5, 0.10),
                  ("E", 32, 0.5, 0.00)]
    v = values(_seeded(conditions[:4]))
    # 12 runs, drawn one by one: mean drops 0.18, 0.38, 0.58, 0.78 in the order of the gaps: rho = 1, exact
    # p = 1 / 4! = 0.042, over 4 conditions, fewer than 5
    assert v["gap_figure_text"] == ("draws the relative drop of each run against the gap, and each condition's mean "
                                    "with its 95% t interval where it has several seeds; no trend line is put "
                                    "through them")
    assert v["gap_caption_text"].endswith(
        "one point per run, and each condition's mean with its 95% t interval where it has several seeds. "
        "Spearman's \u03c1 = 1.00, one-sided p = 0.042, over 4 conditions (not judged: fewer than 5).")
    # 15 runs are many: summarised, one point per condition; rho = 1 over 5, exact p = 1 / 120 = 0.0083
    many = values(_seeded(conditions))
    assert "each condition's mean relative drop against the gap" in many["gap_figure_text"]
    assert "one point per condition (its seeds' mean, with its 95% t interval where it has several)" in \
        many["gap_caption_text"]
    assert many["gap_caption_text"].endswith("Spearman's \u03c1 = 1.00, one-sided p = 0.0083, over 5 conditions.")


def test_counts_agree_with_their_nouns():
    one = values(dl.log(dl.collapsing("a", after=(0.0,))))
    assert one["n_runs_text"] == "1 run"
    assert one["severity_text"] == "The one run, a, collapsed completely"
    assert one["steps_text"] == "All 2 logged steps are measurements"
    three = values(dl.log(dl.collapsing("a", after=(0.0,)), dl.collapsing("b", after=(0.0,)),
                          dl.run("c", on=((50, 0.5, None),))))
    assert three["severity_text"] == ("Of the 3 runs, 2 collapsed completely and 1 logs no eval score after its "
                                      "transition")


def test_many_runs_are_counted_not_listed():
    """Past many_runs.MANY_RUNS, the transition steps are given as a range and the runs that ended low
    without collapsing completely as a count."""
    import pandas as pd

    from evalpatterns.findings import distillation as finding
    from evalpatterns.words import distillation as w

    rows = []
    for i in range(20):  # run i switches at step 10 * (i + 1); eval falls to 0.005 and then rises to 0.02
        t = 10 * (i + 1)
        for step, phase, ev in ((0, "off_policy", 0.5), (t, "on_policy", 0.02), (t + 1, "on_policy", 0.005)):
            rows.append({"run": f"r{i:02d}", "family": "F", "student": "s", "teacher": "t", "gap": 2.0, "seed": i,
                         "step": step, "phase": phase, "loss": None, "score": None, "kl": 0.01, "eval_score": ev,
                         "status": "measured", "source": "x", "note": ""})
    r = finding.analyse(pd.DataFrame(rows))
    assert r.many
    assert w.transition_text(r).startswith("The runs change phase at 20 different steps, from step 10 to step 200.")
    assert w.severity_text(r).endswith(". 20 runs ended at or below 0.01 but scored higher after the transition "
                                       "(at most 0.020), so they do not meet the definition of complete collapse")


NONE = "No two compared values are recorded as measured on different eval sets."


def test_the_eval_set_caveat_names_both_sets_and_is_empty_without_them(post):
    assert (post["n_eval_set_mismatches"], post["eval_set_caveat_text"]) == (0, NONE)
    log = io.load("distillation", ROOT / "data" / "distillation.csv")
    log["eval_set"] = log["phase"].map({"off_policy": "heldout-50", "on_policy": "heldout-200"})
    v = values(log)
    assert v["n_eval_set_mismatches"] == 2
    assert v["eval_set_caveat_text"].startswith(
        "Compared values come from different eval sets: run llama-hybrid-seed8's eval scores before against "
        "after the transition and run qwen-hybrid's eval scores before against after the transition (on "
        "heldout-50 and heldout-200).")
    log["eval_set"] = "heldout"
    assert values(log)["eval_set_caveat_text"] == NONE
