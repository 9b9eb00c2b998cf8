"""Data cannot inject markup: text in the data files is shown as text, never parsed as HTML or MyST.

One extra book build, from a copy of ``data/`` whose text cells -- the ones the book shows in its tables --
hold HTML (a script, an image with an error handler) and MyST/markdown syntax (bold, a glue role, a link, a
raw-HTML directive, backslash escapes, entities). The book must show those characters literally in the
table cells, and no page may hold an element made from them. With Playwright and chromium (see
browser_fixtures.py: required when CI is set), the pages are also opened and no dialog may fire.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from evalpatterns import chapters as registry
from evalpatterns.build import build_book
from evalpatterns.browser import launch_chromium, serve

from browser_fixtures import DESKTOP, open_page, require_browser

DATA = registry.ROOT / "data"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BOLD = "**bold**"
GLUE = "{glue:text}`x`"
LINK = "[link](http://evil)"
RAW = "```{raw} html <u>raw</u> ```"
ESCAPES = r"\*not italic\* &amp; &lt;b&gt;"
PAYLOADS = [SCRIPT, IMG, BOLD, GLUE, LINK, RAW, ESCAPES]

# Old value -> hostile value, per file and column (each value replaced everywhere it occurs, so that the
# rows still group as before).
REPLACE = {
    "capability.csv": {
        "project": {"Open Character": f"Open {SCRIPT}", "GAN Jokes": f"GAN {LINK}"},
        "task": {"Structured output (judging)": f"Structured {IMG}", "Character distillation": f"Character {BOLD}",
                 "Creative generation (originality score)": f"Creative {GLUE}",
                 "Repetition avoidance": f"Repetition {RAW}"},
    },
    "distillation.csv": {
        "family": {"Llama": f"Llama {BOLD}", "Qwen": f"Qwen {ESCAPES}"},
        "student": {"Llama 1B": f"L1 {IMG}", "Qwen 4B": f"Q4 {GLUE}"},
        "teacher": {"Llama 70B": f"L70 {SCRIPT}", "Qwen 30B": f"Q30 {RAW}"},
    },
}

# (chapter, table id) -> text that must appear, as it is, in some cell of that table.
SHOWN = {
    ("capability-cliff", "tbl-capability"): [f"Open {SCRIPT}", f"Structured {IMG}", f"Character {BOLD}"],
    ("mode-collapse", "tbl-collapse"): [f'"{p} #{i}"' for i, p in enumerate(PAYLOADS[:3])],
    ("model-switch-roi", "tbl-roi"): [f"{p} #{i}" for i, p in enumerate(PAYLOADS) if i in range(1, 6)],
    ("hybrid-distillation", "tbl-severity"): [f"Llama {BOLD}", f"Qwen {ESCAPES}", f"L1 {IMG}", f"L70 {SCRIPT}",
                                              f"Q4 {GLUE}", f"Q30 {RAW}"],
}


def _rewrite(path: Path, change) -> None:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for i, row in enumerate(rows):
        change(i, row)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def hostile_data(folder: Path) -> Path:
    """A copy of data/ with markup in the text columns the book shows in tables."""
    shutil.copytree(DATA, folder)
    for name, columns in REPLACE.items():
        def change(i, row, columns=columns):
            for column, mapping in columns.items():
                row[column] = mapping.get(row[column], row[column])
        _rewrite(folder / name, change)

    def approach(i, row):  # roi.csv: every attempt named by a payload (names are the key, so numbered)
        row["approach"] = f"{PAYLOADS[i % len(PAYLOADS)]} #{i}"
    _rewrite(folder / "roi.csv", approach)

    def sample_output(i, row):  # mode_collapse.csv: the typical output of every real attempt
        if row["attempt"]:
            row["sample_output"] = f"{PAYLOADS[i % len(PAYLOADS)]} #{i}"
    _rewrite(folder / "mode_collapse.csv", sample_output)
    return folder


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("injection")
    data = hostile_data(tmp / "data")
    return build_book(data_dir=data, output=tmp / "html", build_dir=tmp / "build", log=lambda *a: None)


def pages(book: Path) -> list[Path]:
    return sorted(p for p in book.rglob("*.html")
                  if "_static" not in p.parts and p.name not in ("search.html", "genindex.html"))


def cells(soup: BeautifulSoup, table_id: str) -> list[str]:
    node = soup.find(id=table_id)
    assert node is not None, f"no element with id {table_id}"
    table = node if node.name == "table" else node.find("table")
    return [" ".join(c.get_text().split()) for c in table.find_all(["td", "th"])]


pytestmark = pytest.mark.book


def test_the_hostile_data_is_what_the_test_means(tmp_path):
    data = hostile_data(tmp_path / "data")
    text = {name: (data / name).read_text() for name in ("capability.csv", "distillation.csv", "roi.csv",
                                                         "mode_collapse.csv")}
    for name, columns in REPLACE.items():
        for mapping in columns.values():
            for old, new in mapping.items():
                assert old in (DATA / name).read_text(), f"{name} no longer holds {old!r}; update REPLACE"
                assert new in text[name].replace('""', '"')
    assert all(p in text["roi.csv"].replace('""', '"') for p in PAYLOADS[:6])


def test_data_text_is_shown_literally_in_the_tables(hostile_book):
    missing = []
    for (chapter, table_id), expected in SHOWN.items():
        soup = BeautifulSoup((hostile_book / "chapters" / f"{chapter}.html").read_text(), "html.parser")
        shown = cells(soup, table_id)
        missing += [f"{chapter} {table_id}: {e!r} not in any cell" for e in expected
                    if not any(e in c for c in shown)]
    assert not missing, "\n".join(missing) + "\n(cells: the literal characters of the data must be shown)"


def test_no_page_holds_markup_made_from_the_data(hostile_book):
    problems = []
    for path in pages(hostile_book):
        name = path.relative_to(hostile_book).as_posix()
        source = path.read_text()
        soup = BeautifulSoup(source, "html.parser")
        for raw in (SCRIPT, IMG, "<u>raw</u>"):
            if raw in source:
                problems.append(f"{name}: the raw HTML {raw!r} is in the page source")
        for script in soup.find_all("script"):
            if "alert(" in (script.string or "") or script.get("src") == "x":
                problems.append(f"{name}: injected script element {str(script)[:80]!r}")
        for el in soup.find_all(True):
            handlers = {k: v for k, v in el.attrs.items() if k.lower().startswith("on")}
            if any("alert" in str(v) for v in handlers.values()):
                problems.append(f"{name}: <{el.name}> with an event handler from the data: {handlers}")
        for img in soup.find_all("img"):
            if img.get("src") == "x" or img.get("onerror") is not None:
                problems.append(f"{name}: injected image {img}")
        for el in soup.find_all(["strong", "b", "em", "i", "u"]):
            if el.get_text().strip() in ("bold", "raw", "not italic"):
                problems.append(f"{name}: <{el.name}>{el.get_text()}</{el.name}> made from the data")
        for a in soup.find_all("a", href=True):
            if "evil" in a["href"]:
                problems.append(f"{name}: link made from the data: {a}")
    assert not problems, "\n".join(problems)


def test_no_dialog_fires_in_the_browser(hostile_book):
    executable = require_browser()
    fired = []
    with serve(hostile_book) as site, launch_chromium(executable) as browser:
        for path in pages(hostile_book):
            name = path.relative_to(hostile_book).as_posix()

            def listen(page, name=name):
                page.on("dialog", lambda d: (fired.append(f"{name}: {d.type} {d.message!r}"), d.dismiss()))

            page, _ = open_page(browser, site, name, DESKTOP, before=listen)
            page.mouse.wheel(0, 100_000)  # scroll everything into view, then give handlers time to run
            page.wait_for_timeout(500)
            page.close()
    assert not fired, "the data made the browser open a dialog:\n" + "\n".join(fired)
