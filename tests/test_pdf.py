"""The PDF of the whole book (evalpatterns.pdf): printed from the built HTML by Debian's chromium through
Playwright (the ``printed_book`` fixture of browser_fixtures.py prints it), every chapter in it in the book's
order, linked from the introduction."""
from __future__ import annotations

import unicodedata

import pytest
from bs4 import BeautifulSoup

from evalpatterns.pdf import PDF_NAME, toc_pages

pytestmark = pytest.mark.book


def normal(text: str) -> str:
    """Text as compared: ligatures unfolded (NFKC), white space folded, the heading link's '#' dropped."""
    return " ".join(unicodedata.normalize("NFKC", text).replace("#", " ").split())


def titles(book) -> list[str]:
    out = []
    for path in toc_pages():
        h1 = BeautifulSoup((book / path).read_text(), "html.parser").find("h1")
        out.append(normal(h1.get_text(" ")))
    return out


def test_the_toc_pages_are_the_books_pages(printed_book):
    pages = toc_pages()
    assert pages[0] == "chapters/introduction.html" and pages[-1] == "reproducibility.html"
    assert all((printed_book / p).is_file() for p in pages)


def test_the_pdf_holds_every_chapter_in_order(printed_book):
    """Each chapter's title is on a page of the PDF, each after the previous chapter's (a title may also
    appear earlier, in the introduction's list of chapters: the search starts at the previous one's page)."""
    from pypdf import PdfReader

    reader = PdfReader(str(printed_book / PDF_NAME))
    pages = [normal(p.extract_text() or "") for p in reader.pages]
    assert len(pages) >= len(toc_pages())
    at = 0
    for title in titles(printed_book):
        found = next((i for i in range(at, len(pages)) if title in pages[i]), None)
        assert found is not None, f"chapter {title!r} is not in the PDF after page {at + 1}"
        at = found + 1  # the next chapter starts on a later page
    assert at <= len(pages)


def test_the_introduction_links_to_the_pdf(printed_book):
    soup = BeautifulSoup((printed_book / "chapters" / "introduction.html").read_text(), "html.parser")
    assert soup.find("a", href=f"../{PDF_NAME}") is not None


def test_the_pdf_belongs_to_the_book_it_was_printed_from(printed_book):
    """The book's output marker lists the PDF, so the next `evalpatterns build` into the folder replaces it
    rather than refusing a folder that holds a file it did not write."""
    from evalpatterns.book import outputs

    assert (printed_book / PDF_NAME).is_file()
    assert PDF_NAME in outputs.read_marker(printed_book)["entries"]
    assert outputs.check_output(printed_book, "build") == printed_book.resolve()
