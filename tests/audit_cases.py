"""Shared by the tests of the claims audit (tests/test_audit_*.py): the register of the post's claims, the
audit of one claim, small contexts built from hand-made CSV, and the table of every claim's verdict on the
real data worked by hand (REAL, REASON_WORDS).

Synthetic frames are written as CSV into ``tmp_path`` and read with ``io.load``, so they are typed exactly
like the real data."""
from __future__ import annotations

import math

import pandas as pd

from evalpatterns import audit, io
from evalpatterns.findings import collapse as collapse_finding
from evalpatterns.findings import roi as roi_finding

from datafiles import DATA, load_text


MINUS = "\u2212"


REGISTER = io.load("claims", DATA / "claims.csv")


def claim(claim_id: str, **changes) -> pd.Series:
    """One row of the register, optionally with some fields changed (another claimed value, other args)."""
    row = REGISTER.loc[REGISTER["id"] == claim_id].iloc[0].copy()
    for k, v in changes.items():
        row[k] = v
    return row


def audit_one(row: pd.Series, ctx: audit.Context) -> pd.Series:
    """The audit of one claim row on ``ctx``: id, claimed, recomputed, recomputed_value, verdict, reason."""
    out = audit.audit(pd.DataFrame([row]).reset_index(drop=True), ctx)
    assert len(out) == 1
    return out.iloc[0]


def check(claim_id: str, ctx: audit.Context, **changes) -> pd.Series:
    return audit_one(claim(claim_id, **changes), ctx)


NAN = math.nan

#: (claim id, verdict, recomputed value (NaN: none), recomputed as shown), each worked by hand.
REAL = [
    # Finding 0: the data has no record of the runs themselves
    ("f0-runs", "unsupported", NAN, "cannot be computed"),
    ("f0-projects", "unsupported", NAN, "cannot be computed"),  # no project column in any data file
    # Finding 1. Only structured output is measured at both 3B and 8B (the other 8B cells are pending), and the
    # 1B rows are illustrative: one task, no measurement below 3B: too few to call a threshold consistent, and
    # the finding's conclusion (the cliff on every one of at least 2 tasks) is inconclusive.
    ("f1-headline", "unsupported", NAN, "inconclusive"),
    ("f1-threshold", "unsupported", 3.0, "1 task"),
    ("f1-so-3b", "holds", 40.0, "40%"),        # 0.40 / 1 = 40%
    ("f1-so-8b", "holds", 95.0, "95%"),        # 0.95 / 1 = 95%
    ("f1-cd-base", "holds", 54.0, "54%"),
    ("f1-cd-trained", "holds", 37.0, "37%"),
    ("f1-gan", "holds", 2.8, "2.8/10"),        # the raw score on its 0-10 scale
    ("f1-gap", "holds", 55.0, "+55"),          # 100 (0.95 - 0.40) = 55 points
    # the one rule for a change in a percentage written with %: percentage points. 54 - 37 = 17 points (relative
    # to the start it would be 17 / 54 = 31.48%), as "+19%" and "+0.5%" of Finding 3 are points
    ("f1-regression", "holds", 17.0, "17 points"),
    # Finding 2. Headline: 2 collapsed above the 5e-6..5e-5 bracket, 1 converged below; Fisher's exact p = 1/3
    # (one of the C(3, 2) = 3 placements of two collapses puts both above): consistent, but inconclusive
    ("f2-headline", "unsupported", NAN, "inconclusive"),
    ("f2-a2-acc", "holds", 2.0, "2%"),         # 4 / 200
    ("f2-a3-acc", "holds", 0.0, "0%"),         # 0 / 200
    ("f2-a4-acc", "holds", 73.5, "73.5%"),     # 147 / 200
    ("f2-a2-collapsed", "holds", 1.0, "YES"),  # 2% <= 10%
    ("f2-a3-collapsed", "holds", 1.0, "YES"),  # 0% <= 10%
    ("f2-a4-collapsed", "holds", 0.0, "NO"),   # 73.5% > 10%
    ("f2-complete", "holds", 1.0, "complete"),  # 0% <= 5% (one repeated output, "10000000", reported beside)
    ("f2-10x", "holds", 10.0, "10x"),          # 5e-5 / 5e-6 = 10
    ("f2-lr-credit", "unsupported", NAN, "confounded"),
    ("f2-4x", "holds", 4.0, "4x"),             # 2e-4 / 5e-5 = 4
    ("f2-binary", "unsupported", NAN, "a 10x gap"),
    # sorted by rate: 73.5% (5e-6), 0% (5e-5), 2% (2e-4): a rise from 0/200 to 4/200. The two Wilson intervals
    # do not overlap, but Fisher's exact test gives p = 0.12 >= 0.05: the rise is not told from sampling noise
    ("f2-nonmonotonic", "unsupported", NAN, "within noise"),
    # Finding 3 (baseline 73%)
    # the switch (46/50) against the best training attempt (147/200): +18.5 points, Fisher's exact p = 0.0044
    ("f3-headline", "holds", NAN, "supported"),
    ("f3-baseline-threshold", "unsupported", NAN, "1 baseline"),
    # the table's times and attempt 1's range, as transcribed: 120 min = 2h, 33, 11, 2.6 min; 0 and 3%
    ("f3-time-a1", "holds", 120.0, "2h"),
    ("f3-time-a2", "holds", 33.0, "33m"),
    ("f3-time-a3", "holds", 11.0, "11m"),
    ("f3-time-a4", "holds", 2.6, "2.6m"),
    ("f3-acc-a1-low", "holds", 0.0, "0%"),
    ("f3-acc-a1-high", "holds", 3.0, "3%"),
    # attempt 1 reported only 0-3%: midpoint (1.5 - 73) / 120 = -0.596, printed -0.60 (not -0.5); the range is
    # (0 - 73) / 120 = -0.608 to (3 - 73) / 120 = -0.583. The inputs as printed ("2h" good to half an hour,
    # 73% to half a point) reach (0 - 73.5) / 90 = -0.817 .. (3 - 72.5) / 150 = -0.463, which holds -0.5.
    ("f3-roi-a1", "rounding", -71.5 / 120, f"{MINUS}0.60"),
    ("f3-roi-a2", "holds", -71 / 33, f"{MINUS}2.15"),     # (2 - 73) / 33 = -2.15 -> -2.2
    ("f3-roi-a3", "holds", -73 / 11, f"{MINUS}6.64"),     # (0 - 73) / 11 = -6.64 -> -6.6
    ("f3-roi-a4", "holds", 0.5 / 2.6, "+0.19"),           # (73.5 - 73) / 2.6 = 0.192 -> 0.2
    ("f3-roi-switch", "holds", 19 / 5, "+3.80"),          # (92 - 73) / 5 = 3.8
    ("f3-total-time", "holds", 166.6, "2h 47m"),          # 120 + 33 + 11 + 2.6 = 166.6 min -> 167
    ("f3-training-gain", "holds", 0.5, "+0.5"),           # best training 73.5% - 73%
    ("f3-switch-time", "holds", 5.0, "5m"),
    ("f3-switch-gain", "holds", 19.0, "+19"),             # 92% - 73%
    # the stated formula (19/5) / (0.5/166.6) = 3.8 / 0.0030012 = 1266.16, not 38; 38 = 19 / 0.5, the gains alone
    ("f3-roi-ratio", "differs", (19 / 5) / (0.5 / 166.6), "1,266x"),
    ("f3-qwen", "holds", 92.0, "92%"),                    # 46 / 50
    ("f3-deepseek-low", "holds", 61.0, "61%"),
    ("f3-deepseek-high", "holds", 73.0, "73%"),
    # 32 / 7 = 4.571 prints 4.6, not 4.5; sizes as printed: (32 - 0.5) / (7 + 0.5) = 4.2 .. 32.5 / 6.5 = 5.0
    ("f3-size", "rounding", 32 / 7, "4.57x"),
    ("f3-days", "unsupported", NAN, "cannot be computed"),
    # Finding 4. 5.4453 / 0.015 = 363.02, not 361; 0.015 as printed is 0.0145 .. 0.0155, and
    # 5.4453 / 0.0155 = 351.3 <= 361 <= 5.4453 / 0.0145 = 375.5
    ("f4-headline", "holds", NAN, "supported"),           # Llama complete, Qwen partial: 1 complete, 2 of 2 collapse
    ("f4-kl-spike", "rounding", 5.4453 / 0.015, "363x"),
    ("f4-kl-before", "holds", 0.015, "0.015"),
    ("f4-kl-before-meta", "differs", 0.015, "0.015"),     # the meta-analysis's 0 against the post's 0.015
    ("f4-kl-at", "holds", 5.4453, "5.4453"),
    ("f4-transition", "holds", 50.0, "step 50"),          # both runs' first on-policy step
    # Llama: 0.015 -> 5.4453 at step 50; Qwen: 0.02 -> 0.2299 (+0.2099) at 50 beats +0.20 at 70 and 80
    ("f4-spike-at-transition", "holds", 1.0, "2 of 2 runs"),
    ("f4-gap-llama", "holds", 70.0, "70x"),
    ("f4-gap-qwen", "holds", 7.5, "7.5x"),
    ("f4-result-llama", "holds", 0.0, "0.000"),
    ("f4-result-qwen-low", "holds", 0.057, "0.057"),      # 0.057 -> 0.06
    ("f4-result-qwen-high", "holds", 0.211, "0.211"),     # 0.211 -> 0.21
    ("f4-severity-llama", "holds", NAN, "Complete"),      # every score after <= 0.01
    ("f4-severity-qwen", "holds", NAN, "Partial"),        # 0.057 < 0.518 * 0.75 = 0.3885, and 0.211 > 0.01
    ("f4-correlates", "unsupported", NAN, "2 runs"),      # fewer than min_correlation_runs = 5
    # Finding 5
    ("f5-headline", "holds", NAN, "supported"),            # RL needed more episodes in all 12 comparisons
    ("f5-sl-10", "holds", 11.0, "11 ep"),
    ("f5-sl-100", "holds", 11.0, "11 ep"),
    ("f5-sl-500", "holds", 11.0, "11 ep"),
    ("f5-eoe-10", "holds", 101.0, "101 ep"),
    ("f5-eoe-100", "holds", 301.0, "301 ep"),
    ("f5-eoe-500", "holds", 451.0, "451 ep"),
    ("f5-step-10", "holds", 6040.0, "6,040 ep"),
    ("f5-step-100", "holds", 10000.0, "10,000+ ep"),      # a lower bound claimed as one
    ("f5-step-500", "holds", 50000.0, "50,000+ ep"),
    ("f5-adv-eoe-10", "holds", 101 / 11, "9.18x"),        # 9.18 -> 9
    ("f5-adv-step-10", "holds", 6040 / 11, "549x"),       # 549.09 -> 549
    ("f5-adv-eoe-100", "holds", 301 / 11, "27.4x"),       # 27.36 -> 27 (shown to 3 significant digits)
    ("f5-adv-step-100", "holds", 10000 / 11, "909x+"),    # 909.09, a lower bound
    ("f5-adv-eoe-500", "holds", 451 / 11, "41x"),         # 41.0
    ("f5-adv-step-500", "holds", 50000 / 11, "4,545x+"),  # 4545.45, a lower bound
    # a 909x ratio is (909.09 - 1) x 100% = 90,809% more, not 909%
    ("f5-909pct", "differs", 100 * (10000 / 11 - 1), "90,809%+"),
    ("f5-909pct-meta", "differs", 10000 / 11, "909x+"),   # the ratio is 909x, not 9.09x
    ("f5-g-eoe-10", "unsupported", NAN, "cannot be computed"),
    ("f5-g-step-10", "unsupported", NAN, "cannot be computed"),
    ("f5-g-eoe-100", "unsupported", NAN, "cannot be computed"),
    ("f5-p", "unsupported", NAN, "cannot be computed"),
    # three measured supervised points, all 11: exponent 0 (shown), but three points are too few (< 4)
    ("f5-beta-sl", "unsupported", 0.0, "0.00"),
    # three measured RL-EoE points (10, 101), (100, 301), (500, 451): slope 0.389 (see the test below)
    ("f5-beta-eoe", "unsupported", 0.3888121389334422, "0.39"),
    # one converged measured RL-Step point (N=10); N=100 and 500 are lower bounds: no fit
    ("f5-beta-step", "unsupported", NAN, "cannot be computed"),
    # the supervised counts do not vary, so R^2 = 1 - 0/0 is undefined: not 0.999
    ("f5-r2-sl", "unsupported", NAN, "undefined"),  # R^2 = 1 - 0/0: no value to compare with 1.000
    ("f5-r2-eoe", "unsupported", 0.9754296088340533, "0.975"),
    ("f5-r2-step", "unsupported", NAN, "cannot be computed"),
    ("f5-o-sl", "holds", 0.0, "O(1)"),                    # the same count at all three measured N
    ("f5-o-eoe", "unsupported", NAN, "O(n^0.39)"),
    ("f5-o-step", "unsupported", NAN, "-"),
    ("f5-constant", "holds", 1.0, "constant"),            # 11 episodes at all six N
    ("f5-linear", "unsupported", NAN, "-"),
]


REASON_WORDS = [
    ("f0-runs", ["no record of the 250+ runs themselves"]),
    ("f1-headline", ["only 1 task is measured at both 3B and 8B", "in favour of 8B over 3B"]),
    ("f1-threshold", ["1 task measured at both 3B and 8B", "0 measurements below 3B"]),
    ("f1-regression", [f"54% {MINUS} 37% = 17 percentage points", "relative to the starting score it is 31.5%"]),
    ("f2-a2-acc", ["4/200", "0.8% to 5%"]),
    ("f2-a3-acc", ["0/200", "0% to 1.9%"]),
    ("f2-a4-acc", ["147/200", "67% to 79.1%"]),
    ("f2-headline", ["3 runs cannot rule out chance", "Fisher's exact p = 0.33", "10x bracket"]),
    ("f2-complete", ["limit 5%", "one repeated output"]),
    ("f2-10x", ["5e-5 / 5e-6"]),
    ("f2-4x", ["2e-4 / 5e-5, both collapsed"]),
    ("f2-binary", ["no run between 5e-6 and 5e-5", "10x gap"]),
    ("f2-nonmonotonic", ["rises from 0% at 5e-5 to 2% at 2e-4 (p = 0.12)", "cannot tell the rise from sampling noise"]),
    ("f3-roi-a1", [f"{MINUS}0.61 to {MINUS}0.58", "within the rounding of the inputs"]),
    ("f3-total-time", ["2h + 33m + 11m + 2.6m"]),
    ("f3-roi-ratio", ["the stated formula", "(19 / 5) / (0.5 / 166.6)", "19 / 0.5 = 38x", "time ignored"]),
    ("f3-qwen", ["46/50", "81.2% to 96.8%"]),
    ("f3-size", ["32B / 7B", "within the rounding of the inputs"]),
    ("f4-kl-spike", ["5.4453 / 0.015", "llama-hybrid-seed8", "within the rounding of the inputs"]),
    ("f4-correlates", ["2 runs with a gap and a relative drop across the transition", "judged on at least 5 (min_correlation_runs)"]),
    ("f4-spike-at-transition", ["largest rise in 2 of 2 runs logging KL on both sides"]),
    ("f5-step-100", ["lower bound"]),
    ("f5-909pct", ["(ratio \u2212 1) \u00d7 100% more", "the ratio itself, 909x, written as a percent"]),
    ("f5-g-eoe-10", ["no per-seed episode counts or published means and SDs"]),
    ("f5-beta-sl", ["3 measured points", "95% CI 0.00 to 0.00", "fewer than 4"]),
    ("f5-beta-eoe", ["3 measured points", f"95% CI {MINUS}0.40 to 1.17", "too few points"]),
    ("f5-beta-step", ["1 measured point and 2 lower bounds left out"]),
    ("f5-r2-sl", ["do not vary with N"]),
    ("f5-r2-eoe", ["3 points: too few"]),
    ("f5-constant", ["11 episodes at each of 6 problem sizes"]),
]


ROI_HEADER = "approach,kind,model,params_b,minutes,accuracy,accuracy_low,accuracy_high,n_correct,n_eval,status,source\n"


def roi_ctx(frame, **params) -> audit.Context:
    """Finding 3's result on ``frame`` (its baseline row is the baseline unless a parameter says otherwise)."""
    return audit.Context.from_results([roi_finding.analyse(frame, roi_finding.Params(**params))])


MC_HEADER = ("attempt,model,learning_rate,lora_rank,samples,accuracy,n_correct,n_eval,sample_output,lora_alpha,"
             "rslora,epochs,effective_batch,dropout,target_modules,status,source\n")


def mc_frame(tmp_path, *rows: str) -> pd.DataFrame:
    return load_text(tmp_path, "mode_collapse", MC_HEADER + "".join(r + "\n" for r in rows))


def mc_ctx(frame: pd.DataFrame, **params) -> audit.Context:
    """The audit's context on Finding 2's result for ``frame`` (parameters other than the defaults in ``params``)."""
    return audit.Context.from_results([collapse_finding.analyse(frame, collapse_finding.Params(**params))])


def run(attempt, lr, acc, k, out="", rank=32, samples=100):
    return (f"{attempt},M,{lr},{rank},{samples},{acc},{k},200,{out},32,false,5,1,0.1,q_proj v_proj,measured,s")
