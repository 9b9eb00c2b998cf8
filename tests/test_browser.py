"""The built book in a real browser, and the GitHub workflows that build, test and publish it.

Browser tests: take the book built once per session (tests/conftest.py), printed to PDF and served on
127.0.0.1, and drive Debian's chromium with Playwright (the fixtures of tests/browser_fixtures.py):
every page of the table of contents loads with no console error and every image decoded; every internal
link and anchor resolves; the search page finds "collapse"; at a phone's 390-pixel width no table or
figure runs off the page. Each page is opened once per size and colour scheme for all the tests that
measure it (the ``visit`` fixture, tests/page_facts.py). A test that finds a broken page or one that runs off
a phone saves a full-page screenshot of each page it names to ``_build/screenshots/`` (CI keeps them).

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

from browser_fixtures import DESKTOP, PHONE, ROOT, TIMEOUT_MS, open_page, screenshot_pages, toc_pages

WORKFLOWS = ROOT / ".github" / "workflows"


# -- the browser tests ------------------------------------------------------------------------------------

@pytest.mark.book
def test_the_table_of_contents_is_built(printed_book):
    missing = [p for p in toc_pages() if not (printed_book / p).is_file()]
    assert not missing, f"pages in _toc.yml that the build did not write: {missing}"


@pytest.mark.book
def test_every_page_loads_without_console_errors_and_its_images_decode(site, browser, visit, screenshots):
    """At 1280 px. On failure, a screenshot of each page named goes to ``_build/screenshots/``."""
    problems, failing = [], []
    for path in toc_pages():
        facts = visit(path)
        broken = [i["src"] for i in facts["images"] if not i["complete"] or i["width"] == 0 or i["height"] == 0]
        found = [f"{path}: {p}" for p in facts["problems"]] + [f"{path}: image not decoded: {s}" for s in broken]
        problems += found
        failing += [path] * bool(found)
    if failing:
        screenshot_pages(browser, site, failing, DESKTOP, screenshots)
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_every_internal_link_and_anchor_resolves(site, visit):
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
        facts = visit(path)
        here = facts["url"]
        for raw, absolute in facts["links"]:
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


@pytest.mark.book
def test_no_table_or_figure_overflows_a_phone_screen(site, browser, visit, screenshots):
    """At 390 px no table or figure runs off the page (a table may scroll inside its own container, if that
    container fits), and the page itself does not scroll sideways (page_facts.OVERFLOW_JS measures it). On
    failure, a screenshot of each page named goes to ``_build/screenshots/`` (NAME-390px.png)."""
    problems, failing = [], []
    for path in toc_pages():
        found = visit(path, "phone")["overflow"]
        problems += [f"{path}: {p}" for p in found]
        failing += [path] * bool(found)
    if failing:
        screenshot_pages(browser, site, failing, PHONE, screenshots, "-390px")
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
