"""The built book in a real browser, and the GitHub workflows that build, test and publish it.

Browser tests: take the book built once per session (tests/conftest.py), printed to PDF and served on
127.0.0.1, and drive Debian's chromium with Playwright (the fixtures of tests/browser_fixtures.py):
every page of the table of contents loads with no console error and every image decoded; every internal
link and anchor resolves; the search page finds "collapse"; at a phone's 390-pixel width no table or
figure runs off the page. A screenshot of each page goes to ``_build/screenshots/``.

Without chromium (or Playwright) the browser tests are skipped, saying why -- unless the environment
variable CI is set: in CI they must run, so there a missing browser is a failure.

Workflow tests: ``.github/workflows/pages.yml`` and ``tests.yml`` parse and hold what publishing needs.
test_reading.py and test_pdf.py use the same fixtures for the book as a reader meets it, and its PDF.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml
from bs4 import BeautifulSoup

from browser_fixtures import DESKTOP, PHONE, ROOT, TIMEOUT_MS, open_page, shot_name, toc_pages

WORKFLOWS = ROOT / ".github" / "workflows"


# -- the browser tests ------------------------------------------------------------------------------------

@pytest.mark.book
def test_the_table_of_contents_is_built(printed_book):
    missing = [p for p in toc_pages() if not (printed_book / p).is_file()]
    assert not missing, f"pages in _toc.yml that the build did not write: {missing}"


@pytest.mark.book
def test_every_page_loads_without_console_errors_and_its_images_decode(printed_book, site, browser, screenshots):
    problems = []
    for path in toc_pages():
        page, watch = open_page(browser, site, path, DESKTOP)
        images = page.evaluate("""() => [...document.images].map(i => ({
            src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))""")
        broken = [i["src"] for i in images if not i["complete"] or i["width"] == 0 or i["height"] == 0]
        problems += [f"{path}: {p}" for p in watch.problems]
        problems += [f"{path}: image not decoded: {src}" for src in broken]
        page.screenshot(path=str(screenshots / shot_name(path)), full_page=True)
        page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_every_internal_link_and_anchor_resolves(printed_book, site, browser):
    fetched: dict[str, BeautifulSoup | None] = {}
    problems = []

    def fetch(url: str) -> BeautifulSoup | None:
        if url not in fetched:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = r.read()
                html = "html" in r.headers.get("Content-Type", "")
            fetched[url] = BeautifulSoup(body, "html.parser") if html else None
        return fetched[url]

    checked = 0
    for path in toc_pages():
        page, _ = open_page(browser, site, path, DESKTOP)
        here = page.url
        hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.href])")
        page.close()
        for raw, absolute in hrefs:
            if not absolute.startswith(site):
                continue  # external, mailto:, javascript:
            url, _, fragment = absolute.partition("#")
            try:
                soup = fetch(url)
            except urllib.error.HTTPError as exc:
                problems.append(f"{here}: link {raw!r} -> HTTP {exc.code}")
                continue
            checked += 1
            fragment = urllib.parse.unquote(fragment)
            if fragment and soup is not None:
                if soup.find(id=fragment) is None and soup.find(attrs={"name": fragment}) is None:
                    problems.append(f"{here}: link {raw!r}: no element with id {fragment!r} on {url}")
    assert checked > len(toc_pages()), "found almost no internal links; is the page structure as expected?"
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.mark.book
def test_search_finds_collapse(printed_book, site, browser):
    page, watch = open_page(browser, site, "search.html?q=collapse", DESKTOP)
    page.wait_for_function(
        "() => (document.querySelector('#search-results p.search-summary') || {}).innerText", timeout=TIMEOUT_MS)
    summary = page.inner_text("#search-results p.search-summary")
    hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    page.close()
    assert hits, f"search for 'collapse' found nothing: {summary!r}"
    assert any("chapters/mode-collapse.html" in h for h in hits), hits
    assert not watch.problems, "\n".join(watch.problems)


OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const scroller = el => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const o = getComputedStyle(a).overflowX;
            if (o === 'auto' || o === 'scroll') return a;
        }
        return null;
    };
    const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const out = [];
    for (const el of document.querySelectorAll('table, figure, figure img')) {
        if (!visible(el)) continue;
        let box = el, how = '';
        if (el.tagName === 'TABLE') {
            const s = scroller(el);
            if (s) { box = s; how = ' (its scrollable container ' + describe(s) + ')'; }
        }
        const r = box.getBoundingClientRect();
        if (r.right > width + 1 || r.left < -1)
            out.push(describe(el) + how + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) +
                     ' px of a ' + width + ' px wide page');
    }
    // The page itself must not scroll sideways: name the innermost elements that stick out (outside any
    // scrollable container), e.g. a long unbreakable word.
    if (document.documentElement.scrollWidth > width + 1) {
        const sticksOut = (el, right) => right > width + 1 && !scroller(el) &&
                                         getComputedStyle(el).position !== 'fixed';
        const culprits = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
            if (!t.textContent.trim() || !t.parentElement) continue;
            const range = document.createRange();
            range.selectNodeContents(t);
            const right = range.getBoundingClientRect().right;
            if (sticksOut(t.parentElement, right)) culprits.push([t.parentElement, right, t.textContent]);
        }
        for (const el of document.body.querySelectorAll('*')) {
            if (!visible(el)) continue;
            const right = el.getBoundingClientRect().right;
            if (sticksOut(el, right) && ![...el.children].some(c => visible(c) && c.getBoundingClientRect().right > width + 1))
                culprits.push([el, right, el.textContent]);
        }
        for (const [el, right, text] of culprits.slice(0, 5))
            out.push('the page scrolls sideways (' + document.documentElement.scrollWidth + ' px wide): ' +
                     describe(el) + ' reaches ' + Math.round(right) + ' px: "' + text.trim().slice(0, 60) + '"');
        if (!culprits.length) out.push('the page scrolls sideways (' + document.documentElement.scrollWidth + ' px wide)');
    }
    return {width, out};
}"""


@pytest.mark.book
def test_no_table_or_figure_overflows_a_phone_screen(printed_book, site, browser, screenshots):
    """At 390 px no table or figure runs off the page (a table may scroll inside its own container, if that
    container fits), and the page itself does not scroll sideways."""
    problems = []
    for path in toc_pages():
        page, _ = open_page(browser, site, path, PHONE)
        found = page.evaluate(OVERFLOW_JS)
        problems += [f"{path}: {p}" for p in found["out"]]
        page.screenshot(path=str(screenshots / shot_name(path, "-390px")), full_page=True)
        page.close()
    assert not problems, "at 390 px wide:\n" + "\n".join(problems)


# -- the workflows ----------------------------------------------------------------------------------------

def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict), name
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(wf: dict) -> list[dict]:
    return [s for job in wf["jobs"].values() for s in job.get("steps", [])]


def uses(wf: dict) -> dict[str, str]:
    """action -> version of every `uses:` in the workflow."""
    return dict(s["uses"].split("@", 1) for s in steps(wf) if "uses" in s)


@pytest.mark.parametrize("name", ["pages.yml", "tests.yml"])
def test_workflow_parses_and_pins_every_action_to_a_major_version(name):
    wf = workflow(name)
    assert wf["on"] and wf["jobs"] and wf.get("concurrency", {}).get("group")
    for action, version in uses(wf).items():
        assert re.fullmatch(r"v\d+", version), f"{name}: {action}@{version} is not pinned to a major version"


def test_pages_workflow_builds_the_book_and_its_pdf_and_deploys_with_least_privilege():
    wf = workflow("pages.yml")
    assert set(wf["on"]) == {"push", "workflow_dispatch"}
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"]["group"]
    assert {"actions/checkout", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses(wf))
    build = wf["jobs"]["build"]
    assert build["container"] == "python:3.11-bookworm"  # Debian's chromium prints the PDF
    runs = [s["run"] for s in build["steps"] if "run" in s]
    book = [i for i, r in enumerate(runs) if re.search(r"(^|\s)make book(\s|$)", r)]
    pdf = [i for i, r in enumerate(runs) if re.search(r"(^|\s)make pdf(\s|$)", r)]
    chromium = [i for i, r in enumerate(runs) if re.search(r"apt-get install .*\bchromium\b", r)]
    assert chromium and book and pdf and chromium[0] < book[0] < pdf[0], runs
    upload = next(s for s in steps(wf) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "_build/html"
    deploy_job = next(j for j in wf["jobs"].values()
                      if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in j["steps"]))
    assert deploy_job["environment"]["name"] == "github-pages"
    assert deploy_job.get("needs"), "deploy must wait for the build"


def test_tests_workflow_installs_chromium_and_runs_make_test():
    wf = workflow("tests.yml")
    assert {"pull_request", "push"} <= set(wf["on"])
    assert wf["permissions"] == {"contents": "read"}
    assert "actions/checkout" in uses(wf)
    runs = [s["run"] for s in steps(wf) if "run" in s]
    install = [i for i, r in enumerate(runs) if re.search(r"apt-get install .*\bchromium\b", r)]
    test = [i for i, r in enumerate(runs) if re.search(r"(^|\s)make test(\s|$)", r)]
    assert install and test and install[0] < test[0], runs


def test_ci_script_installs_chromium_then_runs_exactly_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install -y" in script and "chromium" in script
    assert script.rstrip().splitlines()[-1] == "make test"
