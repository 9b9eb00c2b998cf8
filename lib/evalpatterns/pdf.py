"""The whole book as one PDF, printed from the built HTML by Debian's chromium through Playwright.

Each page of the table of contents is served, opened as a reader would (its scripts run, its figures
load, folded parts open for print), printed to PDF with the theme's print style (no sidebars) and the
pages are joined, in the book's order, into ``evalpatterns.pdf`` at the top of the HTML folder -- where the
introduction links to it. ``python -m evalpatterns.pdf [HTML_DIR]`` (``make pdf``) does it after
``make book``; the Pages workflow publishes it with the book.
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from . import chapters as registry
from .browser import launch_chromium, serve

PDF_NAME = "evalpatterns.pdf"


def toc_pages(root: Path = registry.ROOT) -> list[str]:
    """The HTML pages of ``_toc.yml`` in the book's order (root first), as paths in the HTML folder."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key, value in node.items():
                if key != "root":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"[.](md|ipynb)$", "", f) + ".html" for f in files]


PREPARE = """async () => {
    document.documentElement.dataset.theme = 'light';
    document.querySelectorAll('details').forEach(d => d.open = true);
    document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; });
    await document.fonts.ready;
    await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
}"""


def print_book(html_dir: Path, output: Path | None = None, executable: str | None = None) -> Path:
    """Print every page of the book in ``html_dir`` into one PDF (default ``html_dir/evalpatterns.pdf``);
    returns its path."""
    from pypdf import PdfWriter

    html_dir = Path(html_dir)
    output = Path(output or html_dir / PDF_NAME)
    pages = [p for p in toc_pages() if (html_dir / p).is_file()]
    if not pages:
        raise FileNotFoundError(f"{html_dir} holds none of the book's pages: build it first (`make book`)")
    writer = PdfWriter()
    with tempfile.TemporaryDirectory() as tmp, serve(html_dir) as site, launch_chromium(executable) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.emulate_media(media="print", color_scheme="light")
        for i, path in enumerate(pages):
            page.goto(site + path, wait_until="networkidle")
            page.evaluate(PREPARE)
            part = Path(tmp) / f"{i:03d}.pdf"
            page.pdf(path=str(part), format="A4", print_background=True,
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
            writer.append(str(part))
        writer.add_metadata({"/Title": "Five Patterns From 250+ ML Evaluation Runs, reproduced from data"})
        output.parent.mkdir(parents=True, exist_ok=True)
        with open(output, "wb") as f:
            writer.write(f)
    _record_in_the_books_marker(html_dir, output)
    return output


def _record_in_the_books_marker(html_dir: Path, output: Path) -> None:
    """A PDF written into the book's folder belongs to that book: its output marker lists it, so the next
    ``evalpatterns build`` replaces it instead of refusing a folder holding a file it did not write."""
    from .book import outputs

    marker = outputs.read_marker(html_dir)
    if marker is None or marker["entries"] is None or output.resolve().parent != html_dir.resolve():
        return
    outputs.write_marker(html_dir, marker["command"], marker["entries"] + [output.name], marker["key"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html_dir = Path(argv[0]) if argv else registry.ROOT / "_build" / "html"
    try:
        path = print_book(html_dir)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"evalpatterns pdf: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
