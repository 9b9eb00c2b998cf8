"""Reading the built HTML the way a reader sees it: tables by id, as rows of cell text."""
from __future__ import annotations

from bs4 import BeautifulSoup


def html_table(soup: BeautifulSoup, name: str) -> list[list[str]]:
    """Rows of the table with id ``name`` (header first), as the reader sees the text."""
    node = soup.find(id=name)
    assert node is not None, f"no element with id {name}"
    table = node if node.name == "table" else node.find("table")
    assert table is not None, f"{name} holds no table"
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]


def expected_table(frame) -> list[list[str]]:
    """A display frame as the rows ``html_table`` should read back (white space folded)."""
    return [[" ".join(str(c).split()) for c in frame.columns]] + \
           [[" ".join(str(v).split()) for v in row] for row in frame.astype(str).values.tolist()]
