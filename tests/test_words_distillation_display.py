"""How Finding 4's page shows its runs, in words (evalpatterns.words.distillation_display): the correlation line
of the gap figure. display_values is checked through words.distillation.values in test_words_distillation.py."""
from __future__ import annotations

import pytest

from evalpatterns.findings import distillation as finding
from evalpatterns.words import distillation as words
from evalpatterns.words import distillation_display as display


@pytest.mark.parametrize("correlation, note", [
    (finding.Correlation(0, 5), "No run to correlate"),
    (finding.Correlation(2, 5), "2 runs, fewer than the 5 a correlation is judged on: no correlation"),
    (finding.Correlation(6, 5, pooled=True), "6 conditions, the gap or the drop does not vary: no correlation"),
    (finding.Correlation(3, 5, -0.5, 0.83, True, True),
     "Spearman's \u03c1 = \u22120.50, one-sided p = 0.83, over 3 conditions (not judged: fewer than 5)"),
    (finding.Correlation(6, 5, 0.8857, 12 / 720, True),
     "Spearman's \u03c1 = 0.89, one-sided p = 0.017, over 6 runs"),
])
def test_correlation_note(correlation, note):
    assert display.correlation_note(correlation) == note


def test_words_distillation_re_exports_them():
    assert words.correlation_note is display.correlation_note and words.display_values is display.display_values
