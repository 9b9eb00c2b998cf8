"""The Python API of evalpatterns.findings: finding names, and analyse's keyword arguments."""
from __future__ import annotations

import pytest

from evalpatterns import findings
from evalpatterns.findings import roi


def test_every_finding_is_found_by_chapter_name_module_name_and_number():
    for number, (name, chapter) in enumerate(zip(findings.NAMES, findings.CHAPTERS), start=1):
        m = findings.module(chapter)
        assert findings.module(name) is m and findings.module(number) is m and m.NUMBER == number


def test_analyse_takes_params_and_data_files_by_name_and_refuses_any_other_name():
    default = findings.analyse("model-switch-roi")
    given = findings.analyse("model-switch-roi", baseline_accuracy=0.6)
    assert default.params == roi.Params() and given.params == roi.Params(baseline_accuracy=0.6)
    with pytest.raises(TypeError) as error:
        findings.analyse("model-switch-roi", baseline_acuracy=0.6)  # misspelt: never silently dropped
    message = str(error.value)
    assert message.startswith("analyse('model-switch-roi') takes no 'baseline_acuracy'; it takes ")
    assert "baseline_accuracy" in message and "roi_csv" in message
    with pytest.raises(TypeError, match="takes no 'capability_csv'"):  # another finding's file
        findings.analyse("model-switch-roi", capability_csv="x.csv")
