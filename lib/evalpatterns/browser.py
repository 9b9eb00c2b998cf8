"""Debian's chromium driven by Playwright, in one place: the browser tests and the PDF of the book use it.

Never a downloaded browser: the executable is ``$CHROMIUM``, ``chromium`` on the PATH or
``/usr/bin/chromium`` (``apt-get install chromium``). :func:`serve` serves a built book on 127.0.0.1 so that
the browser loads it as a reader would.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """Debian's chromium: $CHROMIUM if set, else ``chromium`` on the PATH, else /usr/bin/chromium."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_unavailable() -> str | None:
    """Why a browser cannot be driven here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (requirements.txt pins it; run `make install`)"
    if chromium_path() is None:
        return ("no chromium executable found ($CHROMIUM, `chromium` on the PATH, /usr/bin/chromium); "
                "install it with `apt-get install chromium`")
    return None


@contextlib.contextmanager
def launch_chromium(executable: str | None = None):
    """A headless chromium driven by Playwright; closed (and Playwright stopped) on exit."""
    from playwright.sync_api import sync_playwright

    executable = executable or chromium_path()
    if executable is None:
        raise RuntimeError(browser_unavailable())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 at a free port in a thread; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
