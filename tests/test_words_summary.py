"""The summary's sentences (evalpatterns.words.summary) and the dashboard's key numbers they gather from each
finding's words module: on the post's data they say what its numbers say, and on data telling the opposite
story (tests/opposite.py) they follow those numbers, never the post's pattern."""
from __future__ import annotations

import dataclasses

import pytest

import opposite
from evalpatterns import findings
from evalpatterns.audit.context import finding_number
from evalpatterns.words import capability, distillation, memorization, roi, summary

#: The dashboard's key numbers on the repository's data, worked by hand:
POST_KEY_NUMBERS = [
    # N = 100: RL-Step 10,000+ (censored) / supervised 11 = 909.09, a lower bound, the largest ratio there
    # (RL-EoE 301 / 11 = 27.4)
    "At N = 100, RL-Step needs 909x+ the episodes of supervised learning",
    # switch 92% - 73% = +19 points in 5 minutes; best training 73.5% - 73% = +0.5 after 166.6 minutes in all
    # (2h 47m); gains 19 / 0.5 = 38x; per minute (19 / 5) / (0.5 / 166.6) = 3.8 / 0.0030012 = 1,266.16x
    "Model switch +19 points in 5m; training +0.5 in 2h 47m: gain ratio 38x, per-minute ratio 1,266x",
    # llama-hybrid-seed8: KL 0.015 before the transition, 5.4453 at it: 363.02x, at least 10x: a jump;
    # teacher/student gap 70x; eval 0 after it: complete collapse
    "KL jumps 363x at the phase transition (Llama 70x gap, complete collapse)",
    # 5e-5 and 2e-4 collapsed, 5e-6 converged; 3 learning rates x 3 ranks = 9 cells, 3 of them run
    "Mode collapse: 2 of 3 runs collapsed; 6 of the 9 grid cells were never run",
    # only structured output is measured at both 3B (0.40) and 8B (0.95)
    "Structured output (judging): 40% at 3B, 95% at 8B",
    # 12 cells (4 tasks x 3 sizes): 2 structured output, 1 character distillation, 1 creative generation measured
    "Capability map: 4 of 12 cells are measurements",
]

#: The same on the opposite-story data (tests/opposite.py), worked by hand:
OPPOSITE_KEY_NUMBERS = [
    # N = 100: supervised (900 + 950 + 920 + 930) / 4 = 925; RL-EoE (90 + 95 + 92 + 93) / 4 = 92.5: 0.1x, the
    # largest ratio (RL-Step (45 + 47 + 46 + 44) / 4 = 45.5: 0.049x): RL needs fewer, and the line says so
    "At N = 100, RL-EoE needs 0.1x the episodes of supervised learning: fewer",
    # baseline 50%; switch 52%: +2 in 5m; training 80%: +30 in 30m; gains 2 / 30 = 0.0667x; per minute
    # (2 / 5) / (30 / 30) = 0.4x: training beats the switch on both
    "Model switch +2 points in 5m; training +30 in 30m: gain ratio 0.0667x, per-minute ratio 0.4x",
    # every run: KL 0.02 before step 30, 0.021 at it: 1.05x, a rise, not a jump (ties: the first run, a-s1,
    # Alpha, gap 10); eval rises after the switch: no collapse
    "KL rises 1.05x at the phase transition (Alpha 10x gap, no collapse)",
    # four runs at 70-74%: none collapsed; one rank and one sample count, so the 4 cells are the 4 runs
    "Mode collapse: 0 of 4 runs collapsed",
    # the map's cell is the latest stage: character distillation's 3B cell is the trained 78%
    "Character distillation: 78% at 3B, 70% at 8B",
    "Structured output (judging): 80% at 3B, 76% at 8B",
    "Capability map: 4 of 4 cells are measurements",
]


@pytest.fixture(scope="module")
def opposite_results(tmp_path_factory) -> tuple:
    folder = opposite.write_opposite_data(tmp_path_factory.mktemp("opposite-data"))
    return tuple(findings.analyse(name, data_dir=folder) for name in findings.NAMES)


def by_number(results, number: int):
    return next(r for r in results if finding_number(r) == number)


def test_key_numbers_on_the_posts_data(real_results):
    assert summary.key_numbers(real_results) == POST_KEY_NUMBERS


def test_key_numbers_on_the_opposite_story(opposite_results):
    assert [r.conclusion.verdict for r in opposite_results] == ["contradicted"] * 5
    lines = summary.key_numbers(opposite_results)
    assert lines == OPPOSITE_KEY_NUMBERS
    assert not any("jumps" in line or "n/a" in line for line in lines)


def test_key_numbers_follow_the_dashboards_order_whatever_the_order_given(real_results):
    assert summary.KEY_NUMBER_ORDER == (5, 3, 4, 2, 1)
    assert summary.key_numbers(real_results[::-1]) == POST_KEY_NUMBERS
    # a finding missing from the results gives no line: Finding 3's alone
    assert summary.key_numbers([by_number(real_results, 3)]) == POST_KEY_NUMBERS[1:2]


@pytest.mark.parametrize("ratio, line", [
    (363.02, "KL jumps 363x at the phase transition"),
    (10.0, "KL jumps 10x at the phase transition"),             # an order of magnitude: a jump
    (9.5, "KL rises 9.5x at the phase transition"),             # below it: a rise
    (1.002, "KL stays about the same (1x) at the phase transition"),
    (0.28, "KL falls to 0.28x of its value at the phase transition"),
])
def test_the_kl_verb_follows_the_ratio(real_results, ratio, line):
    result = by_number(real_results, 4)
    spike = result.spike.copy()
    spike["kl_spike_ratio"] = ratio
    assert distillation.key_numbers(dataclasses.replace(result, spike=spike)) == [
        line + " (Llama 70x gap, complete collapse)"]


def test_no_kl_line_without_a_spike_ratio(real_results):
    result = by_number(real_results, 4)
    assert distillation.key_numbers(dataclasses.replace(result, spike=None)) == []
    no_ratio = result.spike.copy()
    no_ratio["kl_spike_ratio"] = float("nan")
    assert distillation.key_numbers(dataclasses.replace(result, spike=no_ratio)) == []


def test_roi_line_leaves_out_what_cannot_be_formed(real_results):
    result = by_number(real_results, 3)
    nan = float("nan")
    # a training that lost 2 points: no ratio of gains can be formed, and none is printed
    lost = result.summary._replace(training_gain_points=-2.0, gain_ratio=nan, roi_ratio=nan)
    assert roi.key_numbers(dataclasses.replace(result, summary=lost)) == [
        "Model switch +19 points in 5m; training \u22122 in 2h 47m"]
    # no switch measured, no training time known
    none = result.summary._replace(switch_gain_points=nan, training_minutes=nan, gain_ratio=nan, roi_ratio=nan)
    assert roi.key_numbers(dataclasses.replace(result, summary=none)) == [
        "Model switch with no measured change; training +0.5"]


def test_capability_lines_agree_with_their_counts(real_results):
    result = by_number(real_results, 1)
    one = result.matrix[result.matrix["task"] == "Structured output (judging)"].head(2)
    one = one.assign(status=["measured", "pending"])  # 1 of the 2 cells measured, no task at both sizes
    assert capability.key_numbers(dataclasses.replace(result, matrix=one)) == [
        "Capability map: 1 of 2 cells is a measurement"]


def test_memorization_line_only_where_a_ratio_exists(real_results):
    result = by_number(real_results, 5)
    # no method has a count at N = 7
    assert memorization.key_numbers(dataclasses.replace(result, params=dataclasses.replace(result.params,
                                                                                          bars_n=7))) == []
    # at N = 10: RL-EoE 101 / 11 = 9.18x, RL-Step 6,040 / 11 = 549.09x (the largest, measured: no '+')
    at_10 = memorization.key_numbers(dataclasses.replace(result, params=dataclasses.replace(result.params,
                                                                                           bars_n=10)))
    assert at_10 == ["At N = 10, RL-Step needs 549x the episodes of supervised learning"]
