"""Tests of evalpatterns.page: the chapter audit's tables (failing claims first, those that hold folded)."""
from __future__ import annotations

import pandas as pd
import pytest

from evalpatterns import page, report, tables


def audited(*verdicts: str, findings=None) -> pd.DataFrame:
    n = len(verdicts)
    return pd.DataFrame({"id": [f"c{i}" for i in range(n)], "finding": findings or [3] * n,
                         "source": ["post"] * n, "quote": [f"claim {i}" for i in range(n)],
                         "claimed": ["1"] * n, "recomputed": ["1"] * n, "verdict": list(verdicts),
                         "reason": ["r"] * n})


@pytest.fixture
def shown(monkeypatch) -> list:
    """What ``page.claims_table`` puts on the page: ('table', name, verdicts, records, fold) and ('md', text)."""
    out = []

    def table(display, name, caption, data=None, align_right=(), fold=None):
        out.append(("table", name, [str(v) for v in display["Verdict"]], list(data["id"]), fold))

    monkeypatch.setattr(report, "table", table)
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: out.append(("md", obj.data)))
    return out


def test_failing_claims_come_first_worst_first_and_those_that_hold_are_folded(shown):
    page.claims_table(audited("holds", "rounding", "differs", "holds", "unsupported", "holds"), "tbl-claims-x")
    assert shown == [
        ("table", "tbl-claims-x", ["differs", "unsupported", "rounding"], ["c2", "c4", "c1"], None),
        ("md", "The 3 claims that hold are in {numref}`tbl-claims-x-holds`, folded below."),
        ("table", "tbl-claims-x-holds", ["holds"] * 3, ["c0", "c3", "c5"], "3 claims hold (show)"),
    ]


def test_one_claim_that_holds_agrees_with_its_verb(shown):
    page.claims_table(audited("differs", "holds"), "tbl-claims-x")
    assert shown[1] == ("md", "The one claim that holds is in {numref}`tbl-claims-x-holds`, folded below.")
    assert shown[2][-1] == "1 claim holds (show)"


def test_when_no_claim_fails_a_sentence_says_so_and_the_folded_table_keeps_the_name(shown):
    page.claims_table(audited("holds", "holds"), "tbl-claims-x")
    assert shown == [("md", "No claim fails: all 2 claims checked hold ({numref}`tbl-claims-x`, folded below)."),
                     ("table", "tbl-claims-x", ["holds", "holds"], ["c0", "c1"], "2 claims hold (show)")]


def test_when_every_claim_fails_nothing_is_folded(shown):
    page.claims_table(audited("unsupported", "differs"), "tbl-claims-x")
    assert shown == [("table", "tbl-claims-x", ["differs", "unsupported"], ["c1", "c0"], None)]


def test_claims_by_outcome_orders_failing_verdicts_then_findings():
    frame = audited("rounding", "differs", "differs", "holds", findings=[1, 5, 2, 1])
    failing, holding = tables.claims_by_outcome(frame)
    # differs first (finding 2 before finding 5), then rounding; the register's order within a finding
    assert list(failing["id"]) == ["c2", "c1", "c0"] and list(holding["id"]) == ["c3"]


def test_the_files_a_page_ran_on_are_named_in_plain_words():
    own = str(page.BOOK_DATA / "distillation.csv")
    both = page.data_files_values({"distillation": own, "distillation_downstream": str(page.BOOK_DATA /
                                                                                        "distillation_downstream.csv")})
    assert both == {"data_files_text": "This page ran on data/distillation.csv and data/distillation_downstream.csv "
                                       "(the book's own data)", "book_data": True}
    mixed = page.data_files_values({"roi": "/home/me/runs/roi.csv", "distillation": own})
    assert mixed == {"data_files_text": "This page ran on /home/me/runs/roi.csv and data/distillation.csv; "
                                        "data/distillation.csv is the book's own data", "book_data": False}
    theirs = page.data_files_values({"roi": "/home/me/`x`/roi.csv"})
    assert theirs["data_files_text"] == "This page ran on /home/me/`x`/roi.csv" and theirs["book_data"] is False
