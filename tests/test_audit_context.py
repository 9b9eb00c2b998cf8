"""What a check reads (evalpatterns.audit.context): the findings' results, keyed by the post's number of each
finding, their tables by the names the checks use, and their parameters."""
from __future__ import annotations

import pytest

from evalpatterns import audit, findings
from evalpatterns.audit.context import finding_number
from evalpatterns.findings import collapse as collapse_finding
from evalpatterns.findings import roi as roi_finding

from datafiles import real


def test_finding_number_is_the_modules_number():
    assert [finding_number(m.analyse({k: real(k) for k in m.DATA})) for m in findings.modules()] == [1, 2, 3, 4, 5]


def test_context_reads_the_results_tables_by_the_checks_names():
    result = roi_finding.analyse(real("roi"), roi_finding.Params(baseline_accuracy=0.6))
    ctx = audit.Context.from_results([result])
    assert list(ctx.results) == [3]
    assert ctx.roi_table is result.table and ctx.switch is result.summary and ctx.roi is result.data
    assert ctx.baseline is result.baseline
    assert ctx.conclusion(3) is result.conclusion
    # the parameter of whichever finding has it: 0.6 as given, not the data's baseline row
    assert ctx.p("baseline_accuracy") == 0.6


def test_context_parameters_come_from_each_findings_own_result():
    ctx = audit.Context.from_results([roi_finding.analyse(real("roi")),
                                      collapse_finding.analyse(real("mode_collapse"),
                                                               collapse_finding.Params(collapse_accuracy=0.01))])
    assert sorted(ctx.results) == [2, 3]
    assert ctx.p("collapse_accuracy") == 0.01
    assert ctx.p("baseline_accuracy") is None  # ROI's default: the data's baseline row
    with pytest.raises(KeyError, match="no finding in this audit has the parameter no_such_parameter"):
        ctx.p("no_such_parameter")


def test_a_finding_missing_from_the_context_is_a_key_error_and_an_unknown_name_an_attribute_error():
    ctx = audit.Context.from_results([roi_finding.analyse(real("roi"))])
    with pytest.raises(KeyError):
        ctx.runs  # Finding 2's table, and no result of Finding 2 here
    with pytest.raises(AttributeError):
        ctx.no_such_table
    with pytest.raises(AttributeError):
        ctx._private
