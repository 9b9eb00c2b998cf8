"""The renderer that sets Sphinx up ahead of time writes exactly what `jupyter-book build` writes, fails on a
warning as `-W` does, and does nothing when it is not asked to render."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalpatterns import build
from evalpatterns import chapters as registry
from evalpatterns.render import Renderer, RenderError

ROOT = registry.ROOT
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_files(ours: Path, theirs: Path) -> None:
    a, b = files(ours), files(theirs)
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert len(a) > 5


def jupyter_book(*args) -> subprocess.Popen:
    """`jupyter-book ARGS` started (to run beside our renderer: two processes, two cores); see ``finished``."""
    return subprocess.Popen([JUPYTER_BOOK, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def finished(proc: subprocess.Popen) -> int:
    """Wait for ``proc``; its exit code, with what it printed in ``proc.output``."""
    proc.output = proc.communicate()[0]
    return proc.returncode


@pytest.fixture(scope="module")
def executed(book) -> dict[str, Path]:
    """The executed notebooks of the book fixture's build."""
    jobs = build.plan()
    cache = book.parent / ".cache" / "executed"
    return {j.chapter: cache / f"{j.chapter}-{j.key}.ipynb" for j in jobs}


@pytest.mark.book
def test_a_page_is_rendered_as_jupyter_book_renders_it(executed, tmp_path):
    cli_src = tmp_path / "cli"
    cli_src.mkdir()
    shutil.copy2(executed["model-switch-roi"], cli_src / "model-switch-roi.ipynb")
    shutil.copy2(ROOT / "_config.yml", cli_src / "_config.yml")
    proc = jupyter_book("build", cli_src / "model-switch-roi.ipynb", "--path-output", tmp_path / "cli-site",
                        "--config", cli_src / "_config.yml", "-q")  # runs while ours renders
    with Renderer.for_page(tmp_path / "ours", "model-switch-roi", ROOT / "_config.yml") as renderer:
        page = renderer.render(executed["model-switch-roi"])
    assert finished(proc) == 0, proc.output
    assert page == tmp_path / "ours" / "site" / "_build" / "_page" / "model-switch-roi" / "html" / "model-switch-roi.html"
    assert_same_files(page.parent, tmp_path / "cli-site" / "_build" / "_page" / "model-switch-roi" / "html")
    assert "tbl-claims-roi" in page.read_text()


@pytest.mark.book
def test_the_book_is_rendered_as_jupyter_book_renders_it(executed, tmp_path):
    src = tmp_path / "book"
    src.mkdir()
    build.stage_book_files(src)
    renderer = build.start_renderer(src, tmp_path / "ours")
    build.renderer_ready(renderer)  # Sphinx set up before the pages exist, as in a build
    build.stage_pages(executed, src, {j.chapter: j.parameters for j in build.plan()})
    proc = jupyter_book("build", src, "--path-output", tmp_path / "cli", "--builder", "html", "-n", "-W",
                        "--keep-going", "-q")  # runs while ours renders
    with renderer:
        html = build.render_book(renderer)
    assert finished(proc) == 0, proc.output
    assert html == tmp_path / "ours" / "_build" / "html"
    assert_same_files(html, tmp_path / "cli" / "_build" / "html")
    assert (html / "chapters" / "summary.html").exists()


@pytest.mark.book
def test_a_warning_fails_the_book_and_is_shown(executed, tmp_path):
    src = tmp_path / "book"
    src.mkdir()
    build.stage(executed, src)
    with open(src / "reproducibility.md", "a") as page:
        page.write("\nSee {numref}`tbl-no-such-table`.\n")
    with build.start_renderer(src, tmp_path / "out") as renderer:
        with pytest.raises(build.BuildError, match=r"(?s)rendering the book failed \(exit 1\):.*tbl-no-such-table"):
            build.render_book(renderer)


def test_a_renderer_not_asked_to_render_builds_nothing(tmp_path):
    renderer = Renderer.for_page(tmp_path, "model-switch-roi", ROOT / "_config.yml")
    renderer.close()
    assert renderer.proc.returncode == 0
    assert list((tmp_path / "site").rglob("*.html")) == []  # Sphinx made its folders, and wrote nothing


def test_a_page_that_sphinx_cannot_read_is_reported(tmp_path):
    notebook = tmp_path / "model-switch-roi.ipynb"
    notebook.write_text("this is not a notebook")
    with Renderer.for_page(tmp_path / "work", "model-switch-roi", ROOT / "_config.yml") as renderer:
        renderer.wait_ready()
        with pytest.raises(RenderError) as failed:
            renderer.render(notebook)
    assert str(failed.value) == ("rendering 'model-switch-roi' failed (exit 2):\nNotJSONError: Notebook does not "
                                 "appear to be JSON: 'this is not a notebook' (while reading model-switch-roi)")


def test_a_renderer_that_cannot_set_up_says_so_before_anything_is_rendered(tmp_path):
    import yaml

    settings = yaml.safe_load((ROOT / "_config.yml").read_text())
    settings["sphinx"]["extra_extensions"].append("no_such_extension")
    config = tmp_path / "_config.yml"
    config.write_text(yaml.safe_dump(settings))
    with Renderer.for_page(tmp_path / "work", "model-switch-roi", config) as renderer:
        with pytest.raises(RenderError, match=r"rendering 'model-switch-roi' failed \(exit 2\):\n.*no_such_extension"):
            renderer.wait_ready()
