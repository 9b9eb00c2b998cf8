"""Finding 4's table of conditions (evalpatterns.tables_conditions): each condition's seeds pooled, the numbers
worked by hand, and nothing shown with one seed per condition."""
from __future__ import annotations

from evalpatterns import tables_conditions
from evalpatterns.findings import distillation as finding
from evalpatterns.words import distillation as words

import distlogs as dl


def _seeded(conditions, seeds=3):
    """``seeds`` runs of each (family, gap, before, after) condition, the k-th seed's score after 0.01 x k higher."""
    return dl.log(*[dl.collapsing(f"{fam}-s{k}", fam, gap, before, (after + 0.01 * k,), seed=k)
                    for fam, gap, before, after in conditions for k in range(seeds)])


def test_three_seeds_a_condition():
    r = finding.analyse(_seeded([("A", 2, 0.5, 0.40), ("E", 32, 0.5, 0.00)]))
    shown = tables_conditions.conditions_display(r.conditions)
    # E (32x): scores after 0.00, 0.01, 0.02 (the first two at or below 0.01: complete), drops 1, 0.98, 0.96:
    # mean 98%, SD 0.02, 0.98 -/+ 4.3027 x 0.02 / sqrt(3) = 0.9303 to 1.0297
    assert shown.iloc[0].to_dict() == {
        "Method": "\u2014", "Family": "E", "Gap": "32x (E S \u2192 E T)", "Seeds": "3", "Mean relative drop": "98%",
        "95% t interval": "93\u2013103%", "Collapsed": "2 complete, 1 partial of 3", "Provenance": "measured"}
    # A (2x): 0.40, 0.41, 0.42 from 0.5: drops 0.2, 0.18, 0.16, mean 18%, 0.18 -/+ 4.3027 x 0.02 / sqrt(3):
    # 13.0% to 23.0%; none below 0.5 x 0.75 = 0.375: no collapse
    assert shown.iloc[1][["Mean relative drop", "95% t interval", "Collapsed"]].tolist() == [
        "18%", "13\u201323%", "none of 3"]


def test_one_seed_has_no_interval_and_provenance_is_the_least_certain():
    log = dl.log(dl.collapsing("a-s1", "A", 2, 0.5, (0.4,), seed=1),
                 dl.collapsing("a-s2", "A", 2, 0.5, (0.3,), seed=2, status="illustrative"),
                 dl.collapsing("b", "B", 8, 0.5, (0.0,), method="hybrid"), dl.collapsing("c", "C", 4, 0.5, (0.1,)))
    shown = tables_conditions.conditions_display(finding.analyse(log).conditions)
    # by gap: B 8x, C 4x (one seed each: no interval), A 2x (drops 0.2 and 0.4: mean 30%,
    # 0.3 -/+ 12.706 x 0.1414 / sqrt(2) = -97.1% to 157.1%)
    assert shown["Family"].tolist() == ["B", "C", "A"] and shown["Method"].tolist() == ["hybrid", "\u2014", "\u2014"]
    assert shown["95% t interval"].tolist() == ["none: one seed", "none: one seed", "\u221297.1\u2013157.1%"]
    assert shown["Collapsed"].tolist() == ["1 complete of 1", "1 partial of 1", "1 partial of 2"]
    assert shown["Provenance"].tolist() == ["measured", "measured", "illustrative, no run"]


def test_nothing_is_shown_with_one_seed_per_condition(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    single = finding.analyse(dl.log(dl.collapsing("a", "A", 2), dl.collapsing("b", "B", 8)))
    tables_conditions.show_conditions(single, words.values(single))
    assert shown == []
    seeded = finding.analyse(_seeded([("A", 2, 0.5, 0.40)], seeds=2))
    tables_conditions.show_conditions(seeded, words.values(seeded))
    assert len(shown) == 2  # the sentence and the table
