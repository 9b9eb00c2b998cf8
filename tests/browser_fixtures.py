"""The fixtures and helpers of the tests that drive the built book in Debian's chromium with Playwright
(evalpatterns.browser launches it): test_browser.py, test_reading.py and test_pdf.py take the fixtures,
test_injection.py the helpers. conftest.py registers this module as a pytest plugin (``pytest_plugins``).

Without chromium (or Playwright) a test that asks for ``chromium`` -- and so for ``printed_book``, ``site`` or
``browser`` -- is skipped, saying why, unless the environment variable CI is set: in CI the browser tests must
run, so there a missing browser is a failure.
"""
from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

import pytest

from evalpatterns.browser import browser_unavailable, chromium_path, launch_chromium, serve

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000


# -- the browser and the server ------------------------------------------------------------------------------

def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> str:
    """The chromium executable. Skips the calling test when there is none -- but fails when CI is set."""
    reason = browser_unavailable()
    if reason:
        if in_ci():
            pytest.fail(f"browser tests cannot run: {reason}. CI is set, so they must run, not skip.",
                        pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    return chromium_path()


def toc_pages() -> list[str]:
    """The HTML pages of the table of contents, root first: index.html, then chapters/ID.html in order."""
    from evalpatterns.pdf import toc_pages as book_pages

    return ["index.html"] + book_pages(ROOT)


def shot_name(page: str, suffix: str = "") -> str:
    return Path(page).stem + suffix + ".png"


# -- fixtures -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> str:
    return require_browser()


@pytest.fixture(scope="session")
def printed_book(chromium, book) -> Path:
    """The book built from the repository's data (once per session, by tests/conftest.py; requested after the
    browser check, so that a machine without a browser skips without building), printed to PDF, which the
    introduction links to: its HTML folder."""
    from evalpatterns.pdf import PDF_NAME, print_book

    if not (book / PDF_NAME).is_file():
        print_book(book, executable=chromium)
    return book


@pytest.fixture(scope="session")
def site(printed_book):
    """The printed book served on 127.0.0.1 for the session (one address, so that the facts of a visit,
    which hold its URLs, are the same whichever module measured them)."""
    with serve(printed_book) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium, printed_book):
    # Module scope: Playwright's sync API runs one instance at a time, and test_injection.py starts its own
    # (as does the PDF printer: the book is printed before this browser starts). One browser per session
    # would save about a second per module, not worth coupling test_injection.py to these fixtures.
    with launch_chromium(chromium) as b:
        yield b


@pytest.fixture(scope="session")
def visits(site):
    """The facts of every page visited in the session (page_facts.Visits): each test asks for the pages it
    needs through ``visit``."""
    from page_facts import Visits

    return Visits(site)


@pytest.fixture(scope="module")
def visit(visits, browser):
    """``visit(path, viewport="desktop", scheme="light")``: the facts of that page (page_facts.measure),
    measured on the first call of the session with this module's browser."""
    def facts(path: str, viewport: str = "desktop", scheme: str = "light") -> dict:
        return visits.facts(browser, path, viewport, scheme)

    return facts


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder of the screenshots a failing test takes (``_build/screenshots/``, emptied once a session);
    CI keeps it as the run's `screenshots` artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


def screenshot_pages(browser, site: str, paths, viewport: dict, folder: Path, suffix: str = "") -> None:
    """A full-page screenshot of each of ``paths`` at ``viewport`` in ``folder``: what a failing test shows
    a human of the pages it complains about."""
    for path in dict.fromkeys(paths):
        page, _ = open_page(browser, site, path, viewport)
        page.screenshot(path=str(folder / shot_name(path, suffix)), full_page=True)
        page.close()


class Watch:
    """What a page did wrong while loading: console errors, uncaught exceptions, failed requests, requests
    that left the local server (blocked, so that the tests never depend on the network)."""

    def __init__(self, page, site: str):
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

        def route(r):
            if r.request.url.startswith(site) or r.request.url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                self.problems.append(f"request to the network (blocked): {r.request.url}")
                r.abort()

        page.route("**/*", route)


def open_page(browser, site: str, path: str, viewport: dict, before=None):
    """A new page at ``path`` of the site, loaded, following a redirect (index.html -> the root chapter),
    fonts ready and every image loaded; returns (page, watch). ``before(page)`` runs before loading."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, site)
    if before is not None:
        before(page)
    page.goto(site + path, wait_until="load")
    refresh = page.locator("meta[http-equiv='Refresh' i]")
    if refresh.count():
        target = refresh.first.get_attribute("content").split("url=", 1)[1].strip()
        page.wait_for_url(urllib.parse.urljoin(site + path, target))
        page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.evaluate("""async () => {
        await document.fonts.ready;
        const imgs = [...document.images];
        imgs.forEach(i => { i.loading = 'eager'; });
        await Promise.all(imgs.map(i => i.decode().catch(() => null)));
    }""")
    return page, watch
