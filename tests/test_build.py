"""Execution and build mechanics: failures name chapter and cell, the last good book survives, caching,
and `evalpatterns run` on other data gives the library's numbers."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalpatterns import build
from evalpatterns.book import outputs, publish
from evalpatterns import chapters as registry
from evalpatterns import findings
from evalpatterns.words import roi as roi_words
from evalpatterns import results_json
from evalpatterns.schema import SCHEMAS

ROOT = registry.ROOT


@pytest.fixture
def broken_chapters(tmp_path, monkeypatch):
    """A copy of chapters/ whose mode-collapse chapter fails in its third cell."""
    src = tmp_path / "repo"
    shutil.copytree(ROOT / "chapters", src / "chapters")
    path = src / "chapters" / "mode-collapse.md"
    text = path.read_text()
    assert "page.show(result, words, data)" in text  # the line this fixture breaks
    path.write_text(text.replace("page.show(result, words, data)", "bracket = 1 / 0", 1))
    monkeypatch.setattr(registry, "ROOT", src)
    return src


def cell_of(source: Path, number: int) -> list[str]:
    """The lines of code cell ``number`` (1-based) of a MyST notebook."""
    import jupytext

    cells = [c for c in jupytext.read(source).cells if c.cell_type == "code"]
    return cells[number - 1].source.splitlines()


def test_failing_chapter_names_chapter_and_cell(broken_chapters, tmp_path):
    params = build.resolve_parameters("mode-collapse", {"mode_collapse_csv": str(ROOT / "data/mode_collapse.csv")})
    line = next(i + 1 for i, text in enumerate(cell_of(broken_chapters / "chapters" / "mode-collapse.md", 2))
                if "1 / 0" in text)
    with pytest.raises(build.BuildError, match=rf"chapter 'mode-collapse' failed at line {line} of code cell 2 of "
                       r"mode-collapse.md \(`bracket = 1 / 0`\): ZeroDivisionError: division by zero"):
        build.execute_chapter("mode-collapse", params, tmp_path / "out.ipynb")
    assert not (tmp_path / "out.ipynb").exists()


@pytest.mark.book
def test_failed_build_leaves_the_last_good_book(book, broken_chapters, tmp_path):
    # the session book's cache: only the chapters the broken source changes execute (the keys hash sources)
    shutil.copytree(book.parent / ".cache", tmp_path / "b" / ".cache")
    out = tmp_path / "html"
    out.mkdir()
    (out / "index.html").write_text("the last good book")
    outputs.write_marker(out, "build", ["index.html"], key="an older key")
    with pytest.raises(build.BuildError, match="mode-collapse"):
        build.build_book(data_dir=ROOT / "data", output=out, build_dir=tmp_path / "b", log=lambda *a: None)
    assert (out / "index.html").read_text() == "the last good book"
    assert sorted(p.name for p in out.iterdir()) == [".evalpatterns-output", "index.html"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == [".cache"]  # no staging folder left


def test_bad_data_stops_the_build_before_anything_runs(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    roi_csv = data / "roi.csv"
    roi_csv.write_text(roi_csv.read_text().replace(",120,", ",-120,"))
    before = roi_csv.read_bytes()
    with pytest.raises(build.BuildError, match=r"roi.csv, line 3, column 'minutes': expected a number >= 0"):
        build.build_book(data_dir=data, output=tmp_path / "html", build_dir=tmp_path / "b", log=lambda *a: None)
    assert not (tmp_path / "b" / ".cache").exists() and not (tmp_path / "html").exists()
    assert roi_csv.read_bytes() == before


def test_cache_key_follows_content_not_paths(tmp_path):
    params = build.resolve_parameters("model-switch-roi")
    key = build.job_key("model-switch-roi", params)
    copy = tmp_path / "roi.csv"
    shutil.copy2(params["roi_csv"], copy)
    assert build.job_key("model-switch-roi", {**params, "roi_csv": str(copy)}) == key
    copy.write_text(copy.read_text().replace(",33,", ",34,"))
    assert build.job_key("model-switch-roi", {**params, "roi_csv": str(copy)}) != key
    assert build.job_key("model-switch-roi", {**params, "baseline_accuracy": 0.7}) != key


def test_cache_key_follows_the_figure_format(monkeypatch):
    params = build.resolve_parameters("model-switch-roi")
    keys = set()
    for formats in ("png", "svg", "png,svg"):
        monkeypatch.setenv("EVALPATTERNS_FIGURE_FORMAT", formats)
        keys.add(build.job_key("model-switch-roi", params))
    monkeypatch.delenv("EVALPATTERNS_FIGURE_FORMAT")
    assert len(keys) == 3 and build.job_key("model-switch-roi", params) in keys  # the default is png,svg


def test_cache_key_follows_the_engine(monkeypatch):
    params = build.resolve_parameters("model-switch-roi")
    monkeypatch.delenv("EVALPATTERNS_ENGINE", raising=False)
    default = build.job_key("model-switch-roi", params)
    keys = {}
    for engine in ("", "pandas", "duckdb", "spark"):
        monkeypatch.setenv("EVALPATTERNS_ENGINE", engine)
        keys[engine] = build.job_key("model-switch-roi", params)
    # empty is unset (each file's own choice); a named engine is keyed apart, pandas too (a large CSV file
    # would otherwise run on DuckDB)
    assert keys[""] == default and len({default, keys["pandas"], keys["duckdb"], keys["spark"]}) == 4


def test_cached_jobs_are_not_executed(tmp_path):
    jobs = build.plan()
    for j in jobs:
        (tmp_path / f"{j.chapter}-{j.key}.ipynb").write_text("{}")
    said = []
    done = build.execute_all(jobs, tmp_path, log=said.append)
    assert all("cached" in s for s in said) and len(said) == len(jobs)
    assert set(done) == {c.id for c in registry.CHAPTERS}


def test_datasheet_documents_every_column():
    sheet = (ROOT / "data" / "README.md").read_text()
    for schema in SCHEMAS.values():
        section = sheet.split(f"## `{schema.filename}`", 1)
        assert len(section) == 2, schema.filename
        body = section[1].split("\n## ", 1)[0]
        for col in schema.columns:
            assert f"| `{col.name}` |" in body, (schema.filename, col.name)


OTHER_ROI = (
    "approach,kind,minutes,accuracy,accuracy_low,accuracy_high,status,source\n"
    "Sweep A,training,40,0.50,,,measured,my log\n"
    "Sweep B,training,20,0.62,,,measured,my log\n"
    "Switch to M,model_switch,10,0.80,,,measured,my log\n")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``runs(fmt)``: `evalpatterns run model-switch-roi` on OTHER_ROI (baseline 0.6) with ``--figure-format fmt``
    -- its data file, its output folder, the data's bytes before the run and the finished process. The PNG and
    the SVG run are started together when the first is asked for (two processes: two cores), once a module."""
    started = {}

    def get(fmt: str) -> tuple[Path, Path, bytes, subprocess.CompletedProcess]:
        if not started:
            for f in ("png", "svg"):
                folder = tmp_path_factory.mktemp(f"run-{f}")
                data = folder / "roi.csv"
                data.write_text(OTHER_ROI)
                args = [sys.executable, "-m", "evalpatterns.cli", "run", "model-switch-roi", "--data", str(data),
                        "-p", "baseline_accuracy", "0.6", "--figure-format", f, "--output", str(folder / "out")]
                started[f] = (data, folder / "out", data.read_bytes(),
                              subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        data, out, before, proc = started[fmt]
        if isinstance(proc, subprocess.Popen):
            stdout, stderr = proc.communicate()
            proc = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
            started[fmt] = (data, out, before, proc)
        return data, out, before, proc
    return get


def test_run_on_other_data_writes_the_librarys_numbers(runs):
    """(The PNG-only run, shared with test_run_writes_figures_only_in_the_chosen_format[png].)"""
    data, out, before, proc = runs("png")
    assert proc.returncode == 0, proc.stderr
    assert data.read_bytes() == before
    assert {p.name for p in out.iterdir()} == {"model-switch-roi.ipynb", "model-switch-roi.html",
                                               "model-switch-roi_files", "figures", "results.json",
                                               ".evalpatterns-output"}
    assert (out / "figures" / "fig-roi.png").stat().st_size > 1000
    document = json.loads((out / "results.json").read_text())
    assert results_json.problems(document) == [] and document["version"] == 1  # the shape build writes per chapter
    assert document["parameters"]["baseline_accuracy"] == 0.6 and document["figures"][0] == "figures/fig-roi.png"
    results = document["results"]
    expected = roi_words.values(findings.analyse("model-switch-roi", roi_csv=data, baseline_accuracy=0.6))
    # training: 40 + 20 = 60 minutes, best 62% -> +2 points; switch +20 points in 10 minutes
    assert results["training_minutes"] == 60 and results["training_gain_points"] == pytest.approx(2)
    assert results["gain_ratio"] == pytest.approx(10) == pytest.approx(expected["gain_ratio"])
    assert results["roi_ratio"] == pytest.approx((20 / 10) / (2 / 60))
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((out / "model-switch-roi_files" / "model-switch-roi.html").read_text(), "html.parser")
    audit = soup.find_all(id=lambda i: i and i.startswith("tbl-claims-roi"))  # failing, and folded holding
    # the audit quotes the post's claims beside the recomputed values
    assert "2h 47m" in " ".join(table.get_text() for table in audit)
    for table in audit:
        table.decompose()
    text = soup.select_one("main, article, body").get_text(" ")
    assert "1h" in text and "10x" in text and "2h 47m" not in text and "38x" not in text


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_run_writes_figures_only_in_the_chosen_format(fmt, runs):
    from xml.etree import ElementTree

    _, out, _, proc = runs(fmt)
    assert proc.returncode == 0, proc.stderr
    images = [p for p in out.rglob("*") if p.suffix in (".png", ".svg") and "_static" not in p.parts]
    assert {p.suffix for p in images} == {f".{fmt}"}, sorted(str(p.relative_to(out)) for p in images)
    document = json.loads((out / "results.json").read_text())
    assert document["figures"] == [f"figures/fig-roi.{fmt}"] and "fig-roi" not in document["results"]
    figure = out / "figures" / f"fig-roi.{fmt}"
    if fmt == "svg":
        assert ElementTree.parse(figure).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    else:
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "model-switch-roi_files" / "model-switch-roi.html").read_text()
    assert f"_figures/fig-roi.{fmt}" in page and f"_figures/fig-roi.{'png' if fmt == 'svg' else 'svg'}" not in page


@pytest.mark.parametrize("command", ["run model-switch-roi", "build"])
def test_a_bad_figure_format_is_one_message_and_nothing_runs(command, tmp_path):
    proc = cli(*command.split(), "--figure-format", "gif", "--output", str(tmp_path / "o"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr == "evalpatterns: --figure-format expects png, svg or png,svg; got 'gif'\n"
    assert not (tmp_path / "o").exists()


def test_run_refuses_unknown_parameter_before_running(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "evalpatterns.cli", "run", "model-switch-roi", "-p", "baseline",
                           "0.6", "--output", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "no parameter 'baseline'; valid names: roi_csv, claims_csv, baseline_accuracy" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalpatterns.cli", *args], capture_output=True, text=True)


def test_validate_exits_0_on_the_books_data_and_1_with_every_problem(tmp_path):
    ok = cli("validate", "--data-dir", str(ROOT / "data"))
    assert ok.returncode == 0 and "8 files valid" in ok.stdout
    bad = tmp_path / "roi.csv"
    bad.write_text("approach,kind,minuts,accuracy,accuracy_low,accuracy_high,status,source\n"
                   "A,training,5,0.5,,,measured,x\n")
    out = cli("validate", str(bad), "--chapter", "model-switch-roi")
    assert out.returncode == 1
    assert f"{bad}, line 1, column 'minutes': expected a column named 'minutes'; found no such column, " \
           f"but a column 'minuts' (did you mean 'minutes'?)" in out.stdout
    folder = tmp_path / "d"
    folder.mkdir()
    missing = cli("validate", "--data-dir", str(folder))
    assert missing.returncode == 1 and f"{folder / 'capability.csv'}: expected a data file; found no such file" \
        in missing.stdout
    assert "distillation_downstream" not in missing.stdout  # an optional input: absent is not a problem
    assert "Traceback" not in missing.stderr + out.stderr


def test_list_names_every_chapter_and_typed_parameter():
    out = cli("list")
    assert out.returncode == 0
    for chapter in registry.CHAPTERS:
        assert f"{chapter.id}: {chapter.title}" in out.stdout
    assert "collapse_accuracy (a number in [0, 1], default 0.1): accuracy at or below which" in out.stdout


def test_unknown_chapter_is_refused_with_a_suggestion(tmp_path):
    out = cli("run", "mode-colapse", "--output", str(tmp_path / "o"))
    assert out.returncode == 1 and "did you mean 'mode-collapse'" in out.stderr and "Traceback" not in out.stderr


def test_a_data_folder_without_claims_is_audited_against_the_books(tmp_path):
    for name in ("capability", "mode_collapse", "roi", "distillation", "memorization", "effect_sizes"):
        shutil.copy2(ROOT / "data" / f"{name}.csv", tmp_path / f"{name}.csv")
    out = cli("validate", "--data-dir", str(tmp_path))
    assert out.returncode == 0, out.stdout


@pytest.fixture
def fake_steps(monkeypatch) -> dict:
    """The build with its execution and rendering replaced by fakes (the HTML is one index.html): counts of
    the calls."""
    calls = {"execute": 0, "render": 0}

    def fake_execute(jobs, cache_dir, workers=None, log=print, fresh_kernels=None):
        calls["execute"] += 1
        return {j.chapter: ROOT / "chapters" / f"{j.chapter}.md" for j in jobs}

    class FakeRenderer:
        def __init__(self, stage_dir, out_dir, cache_dir=None):
            self.html = out_dir / "_build" / "html"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

    def fake_render(renderer):
        calls["render"] += 1
        renderer.html.mkdir(parents=True)
        (renderer.html / "index.html").write_text(f"book {calls['render']}")
        return renderer.html

    monkeypatch.setattr(publish, "execute_all", fake_execute)
    monkeypatch.setattr(publish, "stage_pages", lambda *a, **k: None)
    monkeypatch.setattr(publish, "start_renderer", FakeRenderer)
    monkeypatch.setattr(publish, "render_book", fake_render)
    monkeypatch.setattr(publish, "renderer_ready", lambda renderer: None)
    monkeypatch.setattr(publish.reproducibility, "results_text", lambda executed, parameters: "{}\n")
    return calls


def test_a_rebuild_with_nothing_changed_does_not_validate_again(tmp_path, fake_steps, monkeypatch):
    """The book's key hashes the data files and the code that validates them: the same key means the same
    files passed the same validation when the current book was built, so it is not read again. A changed
    file is validated before anything executes."""
    from evalpatterns.book import plan

    out = tmp_path / "html"
    build.build_book(output=out, build_dir=tmp_path / "b", log=lambda *a: None)
    validated = []
    monkeypatch.setattr(plan, "validate", lambda kind, path: validated.append(kind) or [])
    said = []
    build.build_book(output=out, build_dir=tmp_path / "b", log=said.append)
    assert validated == [] and "is current" in said[-1] and fake_steps == {"execute": 1, "render": 1}
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "roi.csv").write_text((data / "roi.csv").read_text().replace(",33,", ",34,"))
    build.build_book(data_dir=data, output=out, build_dir=tmp_path / "b", log=lambda *a: None)
    assert "roi" in validated and fake_steps == {"execute": 2, "render": 2}


def test_an_optional_input_not_given_is_keyed_as_not_given(tmp_path, monkeypatch):
    """Not as the working folder: a path parameter left empty once made the key hash every file under the
    current directory (slow, and a key that changed with unrelated files)."""
    params = build.resolve_parameters("hybrid-distillation")
    params = {**params, "distillation_downstream_csv": ""}
    monkeypatch.chdir(tmp_path)
    key = build.job_key("hybrid-distillation", params)
    (tmp_path / "unrelated.txt").write_text("anything")
    assert build.job_key("hybrid-distillation", params) == key
    given = {**params, "distillation_downstream_csv": build.resolve_parameters("hybrid-distillation")[
        "distillation_downstream_csv"]}
    assert build.job_key("hybrid-distillation", given) != key


def test_a_rebuild_with_nothing_changed_renders_nothing(tmp_path, fake_steps):
    said = []
    out = tmp_path / "html"
    build.build_book(output=out, build_dir=tmp_path / "b", log=said.append)
    build.build_book(output=out, build_dir=tmp_path / "b", log=said.append)
    assert fake_steps == {"execute": 1, "render": 1}
    assert "is current" in said[-1]
    overrides = build.split_book_overrides([("mode-collapse.collapse_accuracy", "0.2")])
    build.build_book(overrides=overrides, output=out, build_dir=tmp_path / "b", log=said.append)
    assert fake_steps == {"execute": 2, "render": 2}
    assert (out / "index.html").read_text() == "book 2"
    assert sorted(outputs.read_marker(out)["entries"]) == ["index.html", "results.json"]


def test_a_disk_that_fills_while_the_book_is_published_leaves_the_previous_book(tmp_path, fake_steps,
                                                                               monkeypatch):
    out = tmp_path / "html"
    build.build_book(output=out, build_dir=tmp_path / "b", log=lambda *a: None)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(folder, *a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / ".evalpatterns-output"))

    monkeypatch.setattr(outputs, "write_marker", full)
    overrides = build.split_book_overrides([("mode-collapse.collapse_accuracy", "0.2")])
    with pytest.raises(build.BuildError, match=r"could not write the output: .*\.evalpatterns-output: No space left "
                                               r"on device \(free some space"):
        build.build_book(overrides=overrides, output=out, build_dir=tmp_path / "b", log=lambda *a: None)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == []  # no staging folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "html"]


def test_checking_a_chapters_data_gives_the_memory_it_read_back(monkeypatch):
    """The command validates the data its chapter's kernel then loads again; the memory of reading it is given
    back (pyarrow's pool, malloc) before the kernel's load, so the two peaks do not add up (benchmarks/README.md:
    a run of 10^4 runs from a 116 MB CSV went from 1,790 to 1,311 MiB over its processes)."""
    from evalpatterns import csvread
    from evalpatterns.book import plan

    calls = []
    monkeypatch.setattr(csvread, "release_memory", lambda: calls.append("released"))
    assert plan.check_data("model-switch-roi", build.resolve_parameters("model-switch-roi")) == []
    assert calls == ["released"]


def test_an_empty_claims_register_switches_the_audit_off_instead_of_checking_the_working_folder(tmp_path):
    """README: `-p claims_csv ''` switches the audit of the post's claims off. The data check once validated
    '' as a path (the working folder: "expected a data file; found a directory")."""
    out = build.run_chapter("model-switch-roi", [], {"claims_csv": ""}, tmp_path / "out", log=lambda *a: None)
    record = json.loads((out / "results.json").read_text())
    assert record["parameters"]["claims_csv"] == ""
    results = record["results"]
    assert results["claims_on"] is False and results["tbl-claims-roi"] == []
    assert results["claims_text"] == "the audit is switched off (claims_csv is empty)"
