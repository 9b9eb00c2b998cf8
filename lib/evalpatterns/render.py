"""Render executed notebooks with Jupyter Book's Sphinx configuration, with Sphinx set up ahead of time.

``jupyter-book build`` spends one to one and a half seconds starting Python, importing Sphinx and setting it
up (extensions, theme, the book's ``_config.yml``, the table of contents) before it reads the first page. A
:class:`Renderer` does that set-up in a separate process as soon as it is created, while the chapters are
still executing; :meth:`Renderer.render` then waits only for the reading and writing.

The configuration is Jupyter Book's own (``jupyter_book.config.get_final_config``) with the overrides its
command line uses, and the files land where it puts them, so the HTML is the same as it writes
(``tests/test_build.py`` compares them):

- a book (:meth:`Renderer.for_book`): ``jupyter-book build SRC --path-output OUT -n -W --keep-going``, into
  ``OUT/_build/html``; any warning fails the build;
- one page (:meth:`Renderer.for_page`): ``jupyter-book build PAGE.ipynb``, into
  ``SITE/_build/_page/PAGE/html/PAGE.html`` with an ``index.html`` redirect beside it.

Run as ``python -m evalpatterns.render SPEC_JSON``: the process sets Sphinx up, prints a ready line, then
reads one line from stdin; ``build`` builds (exit status 0 on success), anything else or the end of input
exits without building.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .book.interrupt import lifeline_preexec

EXCLUDE = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
READY = "evalpatterns-render: ready"


class RenderError(RuntimeError):
    """Sphinx failed; the message ends with the tail of its output."""


class Renderer:
    """A Sphinx process, set up now, building when :meth:`render` is called. Use as a context manager (or call
    :meth:`close`): a renderer that is never asked to render exits without building."""

    def __init__(self, src: Path, html_dir: Path, config: Path, page: str | None = None,
                 cache_dir: Path | None = None, seed_cache: Path | None = None):
        self.src, self.html_dir, self.page = Path(src), Path(html_dir), page
        self._early: list[str] | None = None  # output before the ready line, once wait_ready() read it
        spec = {"src": str(self.src), "html_dir": str(self.html_dir), "config": str(config), "page": page,
                "cache_dir": str(cache_dir) if cache_dir else "", "seed_cache": str(seed_cache) if seed_cache else ""}
        # A session of its own (a terminal's Ctrl-C reaches only the build, which stops this process), and
        # killed when the process that started it dies (see evalpatterns.book.interrupt).
        self.proc = subprocess.Popen([sys.executable, "-m", "evalpatterns.render", json.dumps(spec)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True, preexec_fn=lifeline_preexec)

    @classmethod
    def for_book(cls, src: str | Path, out_dir: str | Path, cache_dir: str | Path | None = None) -> "Renderer":
        """The book staged in ``src`` (its ``_config.yml`` and ``_toc.yml`` must be there already; the pages
        may come later), into ``out_dir/_build/html``. ``cache_dir``: where files that outlive the build are
        kept (the key of the marks, :mod:`evalpatterns.provenance_key`); without it they are made anew."""
        return cls(Path(src), Path(out_dir) / "_build" / "html", Path(src) / "_config.yml", cache_dir=cache_dir)

    @classmethod
    def for_page(cls, workdir: str | Path, page: str, config: str | Path,
                 seed_cache: str | Path | None = None) -> "Renderer":
        """One page, ``PAGE.ipynb`` handed to :meth:`render`, built in ``workdir``. The key of the marks is put
        into ``workdir/cache`` while Sphinx sets up: copied from ``seed_cache`` (a book build's cache, only
        read) when it holds the same key, else drawn."""
        src = Path(workdir) / "page"
        src.mkdir(parents=True)
        return cls(src, Path(workdir) / "site" / "_build" / "_page" / page / "html", Path(config), page,
                   cache_dir=Path(workdir) / "cache", seed_cache=Path(seed_cache) if seed_cache else None)

    def wait_ready(self) -> None:
        """Wait until Sphinx is set up (it then waits for :meth:`render`); RenderError if setting up failed."""
        if self._early is not None:
            return
        self._early = []
        for line in self.proc.stdout:
            if line.strip() == READY:
                return
            self._early.append(line)
        self.proc.wait()
        raise self._error("".join(self._early))

    def render(self, notebook: str | Path | None = None) -> Path:
        """Build; returns the HTML folder (a book) or the page's HTML file. ``notebook`` is the page's executed
        notebook. RenderError, with Sphinx's output, on failure or (for a book) any warning."""
        if self.page is not None:
            shutil.copy2(notebook, self.src / f"{self.page}.ipynb")
        output, _ = self.proc.communicate("build\n")
        output = "".join(self._early or []) + output
        target = self.html_dir / f"{self.page}.html" if self.page is not None else self.html_dir / "index.html"
        if self.proc.returncode != 0 or not target.exists():
            raise self._error(output)
        return target if self.page is not None else self.html_dir

    def _error(self, output: str) -> RenderError:
        lines = [line for line in output.strip().splitlines() if line.strip() != READY]
        what = f"rendering '{self.page}'" if self.page is not None else "rendering the book"
        return RenderError(f"{what} failed (exit {self.proc.returncode}):\n" + "\n".join(lines[-40:]))

    def close(self) -> None:
        """Let the process exit (it has nothing more to do), killing it if it does not within 30 s."""
        if self.proc.poll() is None:
            try:
                self.proc.communicate("", timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """Stop the process now (an interrupted or failed build)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.kill() if exc_type is not None else self.close()


def _sphinx(spec: dict) -> int:
    import yaml
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    src, html_dir, page = Path(spec["src"]), Path(spec["html_dir"]), spec["page"]
    if page is not None:  # as `jupyter-book build PAGE.ipynb`
        overrides = {"master_doc": page, "exclude_patterns": EXCLUDE, "latex_individualpages": False}
        strict = False
    else:  # as `jupyter-book build SRC -n -W --keep-going`
        overrides = {"external_toc_path": (src / "_toc.yml").as_posix(), "latex_individualpages": False,
                     "nitpicky": True}
        strict = True
    overrides["evalpatterns_cache_dir"] = spec.get("cache_dir") or ""
    sphinx_config, _ = get_final_config(user_yaml=Path(spec["config"]), cli_config=overrides, sourcedir=src,
                                        use_external_toc=page is None)
    with patch_docutils(None), docutils_namespace():
        app = Sphinx(srcdir=src, confdir=None, outdir=html_dir, doctreedir=html_dir.parent / ".doctrees",
                     buildername="html", confoverrides=sphinx_config, status=None, warning=sys.stderr,
                     freshenv=False, warningiserror=strict, parallel=1, keep_going=strict)
        if app.config["use_multitoc_numbering"]:  # as jupyter_book.sphinx.build_sphinx does
            if "external_toc_path" not in app.config:
                app.setup_extension("sphinx_multitoc_numbering")
            elif "numbered: true" in yaml.dump(app.config.external_site_map.as_json()):
                app.setup_extension("sphinx_multitoc_numbering")
        if spec.get("cache_dir"):  # the key of the marks, drawn now: chapters are still executing
            from .provenance_key import cached_key
            from .options import figure_formats

            cached_key(figure_formats(), spec["cache_dir"], spec.get("seed_cache") or None)
        print(READY, flush=True)
        if sys.stdin.readline().strip() != "build":
            return 0
        app.build(False, [])
        status = app.statuscode
    index = html_dir / "index.html"
    if page is not None and status == 0 and not index.exists():  # as jupyter-book does after a page
        from jupyter_book.sphinx import REDIRECT_TEXT

        index.write_text(REDIRECT_TEXT.format(first_page=f"{page}.html"))
    return status


def _reading(exc: BaseException) -> str:
    """`` (while reading DOC)`` when Sphinx failed in ``Builder.read_doc(docname)``."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "read_doc" and "docname" in tb.tb_frame.f_locals:
            return f" (while reading {tb.tb_frame.f_locals['docname']})"
        tb = tb.tb_next
    return ""


def main(argv: list[str]) -> None:
    # Sphinx sets up while chapters execute, and has time to spare: it yields the cores to their kernels. By the
    # time it renders, the kernels are done and nothing competes with it.
    os.nice(10)
    try:
        status = _sphinx(json.loads(argv[0]))
    except Exception as exc:  # one line, as the build reports it, not Sphinx's traceback
        print(f"{type(exc).__name__}: {exc}{_reading(exc)}", file=sys.stderr)
        status = 2
    # Every file is written when build() returns; skip the interpreter's slow tear-down of Sphinx's modules.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
