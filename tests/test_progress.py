"""Progress bars (evalpatterns.progress): on a terminal, after a delay, for the chapters a build executes and
the files an import reads; silent otherwise."""
from __future__ import annotations

import io
import time

import pytest

import sources
from evalpatterns import progress as progress_module
from evalpatterns.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0)


def test_the_items_pass_through_unchanged_and_nothing_is_written_off_a_terminal(no_delay):
    log = io.StringIO()  # not a TTY: a log file, a CI job
    assert list(progress(["a.json", "b.json", "c.json"], "reading", file=log)) == ["a.json", "b.json", "c.json"]
    assert log.getvalue() == ""


def test_on_a_terminal_the_bar_names_the_work_and_its_total(no_delay):
    shown = Terminal()
    with progress(total=3, desc="executing chapters", unit="chapter", file=shown) as bar:
        bar.update(3)
    assert "executing chapters" in shown.getvalue() and "/3" in shown.getvalue()
    assert "chapter/s" in shown.getvalue()


def test_quick_work_shows_no_bar_even_on_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.5)
    shown = Terminal()
    assert list(progress(range(3), "reading", file=shown)) == [0, 1, 2]
    assert shown.getvalue() == ""
    for _ in progress(range(2), "reading slowly", file=shown):
        time.sleep(0.6)  # past the delay: the bar appears
    assert "reading slowly" in shown.getvalue()


def test_an_import_counts_the_files_it_reads(monkeypatch, tmp_path):
    """The lm-eval reader wraps the result files it reads in a bar (each importer wraps its sources so)."""
    from evalpatterns.importers import Mapping, import_into, lm_eval

    out = tmp_path / "lm_eval_out"
    sources.lm_eval_results(out, "Qwen/Qwen2.5-7B-Instruct", "arc_easy", 0.73, 0.0314, 200, 200)
    sources.lm_eval_results(out, "meta-llama/Llama-3.2-3B", "gsm8k", 0.92, "N/A", 50, 1319)
    seen = []

    def counted(items, desc):
        items = list(items)
        seen.append((desc, len(items)))
        return progress(items, desc)

    monkeypatch.setattr(lm_eval, "progress", counted)
    import_into("lm-eval", [out], tmp_path / "data",
                Mapping("lm-eval", "capability", set={"project": "mine", "stage": "base", "metric": "acc"}))
    assert seen == [("reading lm-eval results", 2)]
