"""The book as a reader meets it, in Debian's chromium (the fixtures and helpers of browser_fixtures.py):

- navigation: at 390 px the contents drawer (primary) and the page's outline (secondary) open and close; on a
  desktop the sidebar collapses and comes back; one search control on each screen;
- figures: every figure's smallest text is at least 9 CSS px as shown on a desktop; each opens full size
  and its caption names the function and the data files that made it, with its PNG and SVG;
- tables: none is clipped at 1280 px; at 390 px a table wider than the screen scrolls in a box that says so,
  its caption outside the box;
- accessibility: axe-core finds no serious or critical violation on any page, in light mode (its default
  rules) or dark mode (its colour rules, the only ones the scheme can change); in dark mode the figures keep
  their white card;
- downloads: every file on the Reproducibility page downloads and has the SHA-256 the page gives; the
  downloaded notebooks carry no path of the build machine and open with how to install the library.

The tests that measure every page take its facts from one visit per size and colour scheme (the ``visit``
fixture, tests/page_facts.py); the ones that click open their own page.
"""
from __future__ import annotations

import hashlib
import json
import urllib.request

import pytest
from bs4 import BeautifulSoup

from evalpatterns.sphinx_ext import FIGURES_DIR, INSTALL_NOTE, ROOT
from browser_fixtures import DESKTOP, PHONE, open_page, toc_pages
from page_facts import COLOUR_RULES

MIN_CSS_PX = 9
PAGE = "chapters/mode-collapse.html"

pytestmark = pytest.mark.book


# -- navigation -----------------------------------------------------------------------------------------------

SIDEBAR = """() => {
    const bar = document.querySelector('#pst-primary-sidebar').getBoundingClientRect();
    const shown = sel => { const d = document.querySelector(sel); if (!d || !d.open) return 0;
                           const r = d.getBoundingClientRect();
                           return r.width > 0 && r.right > 0 && d.querySelectorAll('a[href]').length; };
    return {sidebarRight: bar.right, sidebarWidth: bar.width,
            primaryDrawerLinks: shown('#pst-primary-sidebar-modal'),
            secondaryDrawerLinks: shown('#pst-secondary-sidebar-modal')};
}"""


def visible_button(page, selector: str):
    buttons = page.locator(f"{selector}:visible")
    assert buttons.count() == 1, f"{buttons.count()} visible {selector} buttons"
    return buttons.first


def test_phone_drawers_open_and_close(printed_book, site, browser):
    page, watch = open_page(browser, site, PAGE, PHONE)
    closed = page.evaluate(SIDEBAR)
    assert closed["sidebarRight"] <= 0 and not closed["primaryDrawerLinks"] and not closed["secondaryDrawerLinks"]
    for toggle, drawer in ((".primary-toggle", "primaryDrawerLinks"), (".secondary-toggle", "secondaryDrawerLinks")):
        visible_button(page, toggle).click()
        page.wait_for_timeout(400)
        opened = page.evaluate(SIDEBAR)
        assert opened[drawer] >= 1, f"{toggle} opened no drawer with links: {opened}"
        page.keyboard.press("Escape")
        page.wait_for_timeout(400)
        assert not page.evaluate(SIDEBAR)[drawer], f"the drawer of {toggle} did not close"
    page.close()
    assert not watch.problems, watch.problems


def test_desktop_sidebar_collapses_and_comes_back(printed_book, site, browser):
    page, watch = open_page(browser, site, PAGE, DESKTOP)
    assert page.evaluate(SIDEBAR)["sidebarRight"] > 200
    toggle = visible_button(page, ".primary-toggle")
    toggle.click()
    page.wait_for_timeout(600)
    hidden = page.evaluate(SIDEBAR)
    assert hidden["sidebarRight"] <= 1 and not hidden["primaryDrawerLinks"], hidden
    toggle.click()
    page.wait_for_timeout(600)
    assert page.evaluate(SIDEBAR)["sidebarRight"] > 200
    page.close()
    assert not watch.problems, watch.problems


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_one_search_control_on_every_page(visit, viewport):
    counts = {path: visit(path, viewport)["search_controls"] for path in toc_pages()}
    assert PAGE in counts and set(counts.values()) == {1}, counts


# -- the landing page ---------------------------------------------------------------------------------------

VERDICT_ROWS = """() => [...document.querySelectorAll('#tbl-landing-verdicts tr')].slice(1).map(tr => {
    const cells = [...tr.querySelectorAll('td')];
    const link = cells[0].querySelector('a');
    return {cells: cells.map(c => c.innerText.replace(/\\s+/g, ' ').trim()),
            href: link ? link.getAttribute('href') : null};
})"""


def test_the_landing_pages_verdict_table_is_the_one_in_results_json(book, site, browser):
    """Each finding's row as a reader sees it (its question linking to its chapter, its verdict and reason,
    its headline number) is what results.json holds: the landing table's records and each chapter's own
    conclusion."""
    from evalpatterns import findings
    from evalpatterns.words.common import p_text

    with urllib.request.urlopen(site + "results.json", timeout=30) as r:
        chapters = json.loads(r.read())["chapters"]
    page, watch = open_page(browser, site, "index.html", DESKTOP)
    rows = page.evaluate(VERDICT_ROWS)
    page.close()
    assert not watch.problems, watch.problems
    records = chapters["introduction"]["results"]["tbl-landing-verdicts"]
    assert len(rows) == len(records) == len(findings.CHAPTERS) == 5
    columns = ["Finding", "The post's claim", "What the data show", "Headline number"]
    for n, (row, record, chapter_id) in enumerate(zip(rows, records, findings.CHAPTERS), start=1):
        assert row["cells"] == [" ".join(str(record[c]).split()) for c in columns], chapter_id
        own = chapters[chapter_id]["results"]  # the chapter's own conclusion
        finding, _, shown, headline = row["cells"]
        assert finding.startswith(f"Finding {n}: ") and own["question"] in finding, chapter_id
        assert row["href"].split("#")[0].endswith(f"{chapter_id}.html"), row["href"]
        assert shown == " ".join(f"{own['verdict']}: {own['verdict_reason_text']}".split()), chapter_id
        number = own["verdict_statistic_text"] if own["verdict_statistic"] is not None else "\u2014"
        if own["verdict_p_value"] is not None:
            number += f" ({p_text(own['verdict_p_value'])})"
        assert headline == number, chapter_id


# -- figures --------------------------------------------------------------------------------------------------

def figure_records(book) -> dict:
    """PNG hash -> what report.figure recorded (smallest font size in points, dpi, function, data)."""
    index = json.loads((book / FIGURES_DIR / "figures.json").read_text())
    return {r["png_sha256"]: r for r in index.values()}


def test_figure_text_is_legible_on_a_desktop_and_each_figure_opens_full_size(printed_book, visit):
    """Smallest text on screen = its size in points x dpi / 72 (PNG pixels) x shown width / PNG width."""
    records, seen, problems = figure_records(printed_book), set(), []
    assert len(records) >= 8, "figures.json lists fewer figures than the book has"
    for path in toc_pages():
        for fig in visit(path)["figures"]:
            sha = fig["src"].rsplit("/", 1)[-1].split(".")[0]
            record = records.get(sha)
            if record is None:
                problems.append(f"{path}: figure {fig['src']} was not made by report.figure")
                continue
            seen.add(record["figure"])
            css_px = record["min_font_pt"] * record["dpi"] / 72 * fig["shown"] / fig["natural"]
            if css_px < MIN_CSS_PX:
                problems.append(f"{path}: {record['figure']}: smallest text {css_px:.1f} CSS px "
                                f"({record['min_font_pt']} pt shown {fig['shown']:.0f} of {fig['natural']} px)")
            if not fig["link"] or not fig["link"].endswith(f"{FIGURES_DIR}/{record['figure']}.png"):
                problems.append(f"{path}: {record['figure']} does not open full size: {fig['link']}")
            files = " and ".join(record["data"])
            if f"Made by {record['function']} from" not in fig["madeBy"] or "PNG" not in fig["madeBy"]:
                problems.append(f"{path}: {record['figure']}'s caption does not say what made it: {fig['madeBy']!r}")
            for kind in record["data"]:
                if f"{kind}.csv" not in fig["madeBy"]:
                    problems.append(f"{path}: {record['figure']}'s caption misses {kind}.csv ({files})")
    assert seen == {r["figure"] for r in records.values()}, "figures in figures.json never shown"
    assert not problems, "\n".join(problems)


def test_every_figure_is_also_an_svg_and_the_key_is_written(printed_book):
    for name in json.loads((printed_book / FIGURES_DIR / "figures.json").read_text()):
        assert (printed_book / FIGURES_DIR / f"{name}.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
        assert (printed_book / FIGURES_DIR / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (printed_book / FIGURES_DIR / "provenance-key.svg").is_file()


# -- tables ---------------------------------------------------------------------------------------------------

def test_no_table_is_clipped_on_a_desktop(visit):
    problems, count = [], 0
    for path in toc_pages():
        for t in visit(path)["tables"]:
            count += 1
            if t["tableWidth"] > t["boxWidth"] + 1:
                problems.append(f"{path}: table {t['id']} is {t['tableWidth']} px in a {t['boxWidth']} px column")
    assert count > 20
    assert not problems, "\n".join(problems)


def test_wide_tables_scroll_with_a_cue_on_a_phone_and_keep_their_caption_in_view(visit):
    problems, wide = [], 0
    for path in toc_pages():
        for t in visit(path, "phone")["tables"]:
            if t["id"] and (t["captionInBox"] or not t["caption"]):
                problems.append(f"{path}: table {t['id']}'s caption is not above its scroll box")
            if t["tableWidth"] > t["boxWidth"] + 1:
                wide += 1
                if not (t["scrolls"] and t["cue"]):
                    problems.append(f"{path}: table {t['id']} scrolls with no cue")
    assert wide > 0, "no table is wider than a phone: the cue was not exercised"
    assert not problems, "\n".join(problems)


# -- accessibility and colour modes -------------------------------------------------------------------------

def axe_problems(path: str, scheme: str, facts: dict) -> list[str]:
    """The page's own problems while loading, and axe's serious or critical violations on it."""
    assert facts["theme"] == scheme, f"{path}: data-theme is {facts['theme']!r}, not {scheme!r}"
    return [f"{path} ({scheme}): {p}" for p in facts["problems"]] + [
        f"{path} ({scheme}): {v['id']} ({v['impact']}) on {v['count']} elements, e.g. {v['targets']}: {v['help']}"
        for v in facts["axe"]["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violation_on_any_page_in_light_mode(visit):
    """Every rule of axe's default set; the rules among them tagged ``cat.color`` are page_facts.COLOUR_RULES,
    the ones the dark-mode test runs."""
    problems = []
    for path in toc_pages():
        facts = visit(path, "desktop", "light")
        problems += axe_problems(path, "light", facts)
        ran = facts["axe"]["ran"]
        assert len(ran) > 50, f"{path}: axe ran only {sorted(ran)}"
        colour = {rule for rule, tags in ran.items() if "cat.color" in tags}
        assert colour == set(COLOUR_RULES), f"axe's colour rules are {sorted(colour)}: update COLOUR_RULES"
    assert not problems, "\n".join(problems)


def test_no_serious_colour_violation_on_any_page_in_dark_mode_and_figures_keep_their_white_card(visit):
    """Only axe's colour rules (page_facts.COLOUR_RULES): the other rules read nothing the scheme changes."""
    problems = []
    for path in toc_pages():
        facts = visit(path, "desktop", "dark")
        problems += axe_problems(path, "dark", facts)
        assert set(facts["axe"]["ran"]) == set(COLOUR_RULES), facts["axe"]["ran"]
        problems += [f"{path}: a figure on {f['background']} in dark mode" for f in facts["figures"]
                     if f["background"] != "rgb(255, 255, 255)"]
    assert not problems, "\n".join(problems)


# -- downloads ----------------------------------------------------------------------------------------------

def test_every_download_on_the_reproducibility_page_has_its_sha256(printed_book, site):
    soup = BeautifulSoup((printed_book / "reproducibility.html").read_text(), "html.parser")
    rows = soup.find(id="tbl-repro-downloads").find_all("tr")[1:]
    names = []
    for row in rows:
        cells = row.find_all("td")
        link, digest = cells[0].find("a"), cells[-1].get_text(strip=True)
        with urllib.request.urlopen(site + link["href"], timeout=30) as r:
            body = r.read()
        assert hashlib.sha256(body).hexdigest() == digest, link["href"]
        names.append(link.get_text(strip=True))
    data = sorted(p.name for p in (ROOT / "data").glob("*.csv"))
    assert set(data) <= set(names) and {"README.md", "results.json"} <= set(names), names


def test_downloaded_notebooks_are_portable_and_say_how_to_install(printed_book):
    notebooks = list((printed_book / "_downloads").rglob("*.ipynb"))
    assert len(notebooks) >= 8
    for path in notebooks:
        text = path.read_text()
        assert str(ROOT) not in text, f"{path.name} carries the build machine's path"
        first = json.loads(text)["cells"][0]
        assert first["cell_type"] == "markdown" and "".join(first["source"]) == INSTALL_NOTE
