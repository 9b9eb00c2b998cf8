"""The whole book built on data that tell the opposite story of every finding (tests/opposite.py): each
conclusion comes out ``contradicted``, and no title, opening, takeaway or closing sentence asserts the post's
pattern."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import opposite
from books import build_on, chapter_results
from evalpatterns import findings
from evalpatterns import chapters as registry
from evalpatterns.findings.base import CONTRADICTED

FINDING_CHAPTERS = findings.CHAPTERS
#: Phrases that assert one of the post's patterns; none may appear where the data contradict it.
ASSERTIONS = ("The data support", "Switching model paid off more", "paid off more than training",
              "A capability cliff between", "Mode collapse set in at a learning-rate threshold here",
              "Hybrid distillation collapsed at the switch", "Supervised learning memorised with fewer episodes",
              "Some tasks need a minimum model capacity", "Mode collapse has a threshold",
              "Hybrid distillation is fragile", "SL beats RL", "The 3B cliff", "each supported by these data")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return opposite.write_opposite_data(tmp_path_factory.mktemp("opposite-data"))


@pytest.fixture(scope="module")
def book(data_dir, tmp_path_factory) -> Path:
    return build_on(data_dir, tmp_path_factory.mktemp("opposite-book"), "the opposite-story data")


@pytest.fixture(scope="module")
def results(book) -> dict:
    return chapter_results(book)


def text(book: Path, chapter_id: str) -> str:
    soup = BeautifulSoup((book / "chapters" / f"{chapter_id}.html").read_text(), "html.parser")
    main = soup.find("article") or soup
    for node in main.select("div.cell_input, pre, script, style, nav, table"):
        node.decompose()
    return " ".join(main.get_text(" ", strip=True).split())


@pytest.mark.parametrize("name", findings.NAMES)
def test_every_conclusion_is_contradicted_by_the_library(data_dir, name):
    assert findings.analyse(name, data_dir=data_dir).conclusion.verdict == CONTRADICTED


@pytest.mark.parametrize("chapter_id", FINDING_CHAPTERS)
def test_every_chapter_says_contradicted(results, chapter_id):
    assert results[chapter_id]["verdict"] == CONTRADICTED
    assert results[chapter_id]["opening_text"].startswith("The data contradict the post's claim")


@pytest.mark.parametrize("chapter_id", FINDING_CHAPTERS + ("summary", "introduction"))
def test_no_sentence_asserts_the_posts_pattern(book, chapter_id):
    page = text(book, chapter_id)
    for phrase in ASSERTIONS:
        assert phrase not in page, (chapter_id, phrase)


@pytest.mark.parametrize("chapter_id", FINDING_CHAPTERS)
def test_titles_ask_the_question(book, chapter_id):
    soup = BeautifulSoup((book / "chapters" / f"{chapter_id}.html").read_text(), "html.parser")
    title = soup.find("h1").get_text(" ", strip=True).rstrip("#").strip()
    assert title == registry.get(chapter_id).title and title.endswith("?")


def test_the_summary_counts_five_contradictions(results):
    s = results["summary"]
    assert (s["n_supported"], s["n_contradicted"], s["n_inconclusive"]) == (0, 5, 0)
    assert s["overview_text"] == "Of the post's 5 patterns, these data contradict 5"
    for n in range(1, 6):
        assert s[f"f{n}_verdict"] == CONTRADICTED


def test_headline_claims_differ(results):
    rows = {r["id"]: r for r in results["summary"]["tbl-audit"]}
    for n in range(1, 6):
        assert rows[f"f{n}-headline"]["verdict"] == "differs"
