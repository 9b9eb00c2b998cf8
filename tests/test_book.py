"""Build the whole book once and check the HTML against the data: every table, glued number and figure."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from htmlcheck import expected_table, html_table

from evalpatterns import (capability, collapse, distillation, io, roi, tables)
from evalpatterns import chapters as registry
from evalpatterns import findings
from evalpatterns.words import roi as roi_words
from evalpatterns import results_json

ROOT = registry.ROOT
DATA = ROOT / "data"

pytestmark = pytest.mark.book


def page(book: Path, chapter_id: str) -> BeautifulSoup:
    return BeautifulSoup((book / "chapters" / f"{chapter_id}.html").read_text(), "html.parser")


def pasted(soup: BeautifulSoup) -> list[str]:
    """Every glued value on the page, and every word of the glued sentences."""
    texts = [s.get_text() for s in soup.select("span.pasted-text")]
    return texts + [w.strip(",.;:()") for t in texts if " " in t for w in t.split()]


def test_every_chapter_page_exists_and_has_no_unrendered_glue(book):
    for chapter in registry.CHAPTERS:
        html = (book / "chapters" / f"{chapter.id}.html").read_text()
        assert "{glue" not in html, chapter.id
        assert "Traceback" not in html and "Error" not in re.sub(r"<[^>]+>", "", html).split("Contents")[0], chapter.id
        assert "injected-parameters" not in html and "# Parameters" not in html, chapter.id
    assert (book / "index.html").exists()


def test_provenance_table_counts_rows_by_status(book):
    frames = {f"{k}.csv": io.load(k, DATA / f"{k}.csv") for k in
              ("capability", "mode_collapse", "roi", "distillation", "memorization", "effect_sizes")}
    rows = html_table(page(book, "introduction"), "tbl-provenance")
    assert rows == expected_table(tables.provenance_table(frames))
    # capability.csv: 5 measured, 0 figure, 6 illustrative, 2 pending, 13 rows (data/capability.csv)
    assert rows[1] == ["capability.csv", "5", "0", "6", "2", "13"]


def test_numeric_columns_are_right_aligned(book):
    soup = page(book, "model-switch-roi")
    classes = soup.find(id="tbl-roi").find("table")["class"] if soup.find(id="tbl-roi").name != "table" \
        else soup.find(id="tbl-roi")["class"]
    header = html_table(soup, "tbl-roi")[0]
    numeric = ["Time", "Accuracy", "95% interval", "Change (points)", "ROI (points/min)"]
    assert {f"num-col-{header.index(h) + 1}" for h in numeric} <= set(classes)
    assert "num-col-1" not in classes  # the approach names stay left-aligned
    css = (book / "_static" / "tables.css").read_text()
    assert "table.num-col-5 td:nth-child(5)" in css
    assert "tables.css" in (book / "chapters" / "model-switch-roi.html").read_text()


def test_capability_tables_match_the_data(book):
    cap = io.load("capability", DATA / "capability.csv")
    soup = page(book, "capability-cliff")
    assert html_table(soup, "tbl-capability") == expected_table(tables.capability_table(cap))
    derived = html_table(soup, "tbl-capability-derived")
    assert derived == expected_table(tables.gap_table(capability.size_gaps(cap), capability.training_change(cap)))
    assert derived[1][4] == "+55" and derived[2][4] == "\u221217"
    assert derived[1][6] == "8B" and derived[2][6] == "base"  # which side is better
    shown = " ".join(pasted(soup))
    assert "8B is 55 percentage points better than 3B (95% at 8B against 40% at 3B)" in shown
    assert "training the 3B model regressed it from 54% to 37%" in shown


def test_collapse_table_and_bracket(book):
    runs = collapse.classify_collapse(io.load("mode_collapse", DATA / "mode_collapse.csv"))
    soup = page(book, "mode-collapse")
    rows = html_table(soup, "tbl-collapse")
    assert rows == expected_table(tables.collapse_table(runs))
    assert [r[-1] for r in rows[1:]] == ["YES", "YES", "NO"]
    shown = pasted(soup)
    assert "10x" in shown and "5e-6" in shown and "5e-5" in shown
    # the page opens with the computed verdict: inconclusive on the post's three runs (Fisher's p = 1/3)
    from evalpatterns.words import collapse as collapse_words

    opening = collapse_words.values(findings.analyse("mode-collapse"))["opening_text"]
    assert opening.startswith("The data cannot settle the post's claim") and "p = 0.33" in opening
    assert opening in " ".join(soup.get_text().split())
    assert soup.find("h1").get_text().startswith("Finding 2: does mode collapse set in at a learning-rate threshold?")


def test_roi_tables_and_both_ratios(book):
    table = roi.roi_table(io.load("roi", DATA / "roi.csv"), 0.73)
    summary = roi.switch_vs_training(table)
    soup = page(book, "model-switch-roi")
    assert html_table(soup, "tbl-roi") == expected_table(tables.roi_display(table))
    assert html_table(soup, "tbl-switch") == expected_table(tables.switch_display(summary))
    shown = " ".join(pasted(soup))
    # 166.6 minutes of training; gains 19 / 0.5 = 38x; ROI (19/5) / (0.5/166.6) = 1,266x
    for value in ("2h 47m", "is 38x", "returns 1,266x", "+19.0 points"):
        assert value in shown, value


def test_distillation_tables(book):
    log = io.load("distillation", DATA / "distillation.csv")
    runs = distillation.transitions(log)
    soup = page(book, "hybrid-distillation")
    assert html_table(soup, "tbl-severity") == expected_table(tables.severity_table(runs))
    assert html_table(soup, "tbl-log-excerpt") == expected_table(tables.log_excerpt(log, "llama-hybrid-seed8"))
    assert "363x" in pasted(soup)
    from evalpatterns import downstream, tables_downstream

    down = downstream.downstream_table(io.load("distillation_downstream", DATA / "distillation_downstream.csv"))
    assert html_table(soup, "tbl-downstream") == expected_table(tables_downstream.downstream_display(down))
    assert [r[1:4] for r in html_table(soup, "tbl-downstream")[1:]] == [
        ["Llama", "held-out eval (eval_score)", "0%"], ["Qwen", "held-out eval (eval_score)", "6–21%"]]


def test_memorization_tables(book):
    from evalpatterns.findings import memorization as finding

    result = finding.analyse({k: io.load(k, DATA / f"{k}.csv") for k in finding.DATA})
    soup = page(book, "sl-vs-rl")
    rows = html_table(soup, "tbl-episodes")
    assert rows == expected_table(tables.episodes_display(result.episodes, result.advantage))
    assert "27.4x / 909x+" in [r[4] for r in rows]  # 301 / 11 = 27.36 to three significant digits; 10,000+ / 11
    scaling = html_table(soup, "tbl-scaling")
    assert scaling == expected_table(tables.scaling_display(result.fits))
    # one fit for the table and the claims: RL-EoE on its three measured points, 0.39; figure values left out
    eoe = next(r for r in scaling if r[0] == "RL-EoE")
    assert eoe[1] == "0.39" and "3 left out" in eoe
    assert html_table(soup, "tbl-effect-sizes") == expected_table(
        tables.effect_size_display(result.effect_sizes, result.seed_effects))
    assert any(t.startswith("The data support the post's claim") and "909x+" in t for t in pasted(soup))


#: Each finding's audit on the book's data: (claims that do not hold, claims that hold), by the audit's verdicts
AUDIT_COUNTS = {"capability-cliff": ("capability", 2, 7), "mode-collapse": ("collapse", 4, 9),
                "model-switch-roi": ("roi", 5, 18), "hybrid-distillation": ("distillation", 3, 12),
                "sl-vs-rl": ("memorization", 15, 18)}


@pytest.mark.parametrize("chapter_id", list(AUDIT_COUNTS))
def test_chapter_audit_shows_failing_claims_first_and_folds_those_that_hold(book, chapter_id):
    from evalpatterns import audit
    from evalpatterns.words.audit import fold_text

    short, n_fail, n_hold = AUDIT_COUNTS[chapter_id]
    module = findings.module(chapter_id)
    audited = audit.audit(io.load("claims", DATA / "claims.csv"),
                          audit.Context.from_results([findings.analyse(chapter_id)]), module.NUMBER)
    assert (int(audited["verdict"].ne("holds").sum()), int(audited["verdict"].eq("holds").sum())) == (n_fail, n_hold)
    html = (book / "chapters" / f"{chapter_id}.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    failing, holding = html_table(soup, f"tbl-claims-{short}"), html_table(soup, f"tbl-claims-{short}-holds")
    verdict = failing[0].index("Verdict")
    assert [r[verdict] for r in failing[1:]] == list(tables.claims_by_outcome(audited)[0]["verdict"])
    assert len(failing) - 1 == n_fail and "holds" not in [r[verdict] for r in failing[1:]]
    assert [r[verdict] for r in holding[1:]] == ["holds"] * n_hold
    assert html.index(f'id="tbl-claims-{short}"') < html.index(f'id="tbl-claims-{short}-holds"')
    fold = soup.find(id=f"tbl-claims-{short}-holds").find_parent("details")  # folded, closed, its bar counting
    assert fold is not None and not fold.has_attr("open") and soup.find(id=f"tbl-claims-{short}").find_parent(
        "details") is None
    assert fold.find("summary").get_text(" ", strip=True) == fold_text(n_hold) == f"{n_hold} claims hold (show)"
    results = json.loads((book / "results.json").read_text())["chapters"][chapter_id]["results"]
    assert (results["claims_failing"], results["claims_holds"]) == (n_fail, n_hold)
    assert len(results[f"tbl-claims-{short}"]) == n_fail and len(results[f"tbl-claims-{short}-holds"]) == n_hold


def test_bring_your_own_data_shows_its_worked_examples_result(book):
    example = DATA / "examples" / "roi.csv"
    soup = page(book, "bring-your-own-data")
    rows = html_table(soup, "tbl-example-roi")
    assert rows == expected_table(tables.roi_display(roi.roi_table(io.load("roi", example), 0.6)))
    # the example file: 45 and 30 minutes of training at 58% and 64%, a 6-minute switch to 81%; against the
    # baseline of 60%: -2.0, +4.0 and +21.0 points; ROI -2.0/45 = -0.04, 4.0/30 = +0.13, 21.0/6 = +3.50
    assert [r[:3] for r in rows[1:]] == [["LR sweep", "45m", "58%"], ["Longer schedule", "30m", "64%"],
                                         ["Switch to a larger model", "6m", "81%"]]
    assert [r[-2:] for r in rows[1:]] == [["\u22122.0", "\u22120.04"], ["+4.0", "+0.13"], ["+21.0", "+3.50"]]
    figure = soup.find(id="fig-example-roi")
    img = figure.find("img") if figure is not None else None
    assert img is not None and img.get("alt")
    with Image.open((book / "chapters" / img["src"]).resolve()) as im:
        assert im.width > 200 and im.height > 200
    caption = " ".join(figure.find("figcaption").get_text(" ").split())
    assert "figures.roi_scatter" in caption and "data/examples/roi.csv" in caption
    shown = " ".join(pasted(soup))
    assert "switching model gained +21.0 points in 6m" in shown and "model-switch-roi.ipynb" in shown
    # the files' columns are folded, one toggle per file; the parameters are on the Reproducibility page only
    assert all(soup.find(id=f"tbl-schema-{k}").find_parent("details") is not None for k in ("roi", "claims"))
    assert soup.find(id="tbl-chapter-parameters") is None


def test_summary_takeaways_are_the_chapters_own(book):
    document = json.loads((book / "results.json").read_text())["chapters"]
    summary = document["summary"]["results"]
    for n, chapter_id in enumerate(findings.CHAPTERS, start=1):
        assert summary[f"f{n}_takeaway_text"] == document[chapter_id]["results"]["takeaway_text"], chapter_id
        assert summary[f"f{n}_verdict"] == document[chapter_id]["results"]["verdict"], chapter_id
    shown = " ".join(pasted(page(book, "summary")))
    for value in ("+19.0 points in 5m", "2h 47m", "10x bracket", "55 percentage points", "1 collapsed completely",
                  "909x+"):
        assert value in shown, value


def test_every_figure_is_a_nonempty_image_with_alt_text(book):
    expected_figures = {"capability-cliff": 1, "mode-collapse": 1, "model-switch-roi": 1,
                        "hybrid-distillation": 2, "sl-vs-rl": 2, "summary": 1, "bring-your-own-data": 1}
    total = 0
    for chapter_id, count in expected_figures.items():
        soup = page(book, chapter_id)
        figures = soup.select("figure")
        imgs = [f.find("img") for f in figures if f.find("img") is not None]
        assert len(imgs) == count, chapter_id
        for img in imgs:
            assert img.get("alt"), f"{chapter_id}: figure without alt text"
            path = (book / "chapters" / img["src"]).resolve()
            with Image.open(path) as im:
                assert im.width > 200 and im.height > 200
            caption = img.find_parent("figure").find("figcaption")
            assert caption is not None and "Fig" in caption.get_text()
        total += len(imgs)
    assert total == 9


def test_figures_and_tables_are_referenced_from_prose(book):
    for chapter in registry.CHAPTERS:
        soup = page(book, chapter.id)
        targets = {a["href"].split("#")[-1] for a in soup.select("a.reference.internal[href*='#']")}
        for node in soup.select("figure[id], table[id], div[id^='tbl-']"):
            if node["id"].startswith(("fig-", "tbl-")):
                assert node["id"] in targets, f"{chapter.id}: {node['id']} is never referenced"


def test_results_json_holds_every_glued_value(book):
    document = json.loads((book / "results.json").read_text())
    assert results_json.problems(document) == []
    assert set(document["chapters"]) == {c.id for c in registry.CHAPTERS}
    results = {chapter: record["results"] for chapter, record in document["chapters"].items()}
    assert document["chapters"]["model-switch-roi"]["parameters"]["baseline_accuracy"] is None  # from the data
    values = roi_words.values(findings.analyse("model-switch-roi"))
    for key in ("roi_ratio", "gain_ratio", "training_minutes"):
        assert results["model-switch-roi"][key] == pytest.approx(values[key])
    assert len(results["model-switch-roi"]["tbl-roi"]) == 5


def test_reproducibility_page_records_the_build(book):
    import platform

    from evalpatterns.io import file_sha256

    soup = BeautifulSoup((book / "reproducibility.html").read_text(), "html.parser")
    data = html_table(soup, "tbl-repro-data")
    assert ["roi.csv", "roi", "6", file_sha256(DATA / "roi.csv")[:16]] in data
    env = html_table(soup, "tbl-repro-environment")
    assert ["Python", platform.python_version(), platform.python_version()] in env
    assert ["jupyter-book", "1.0.4.post1", "1.0.4.post1"] in env
    execution = html_table(soup, "tbl-repro-execution")
    assert [r[0] for r in execution[1:]] == [c.id for c in registry.CHAPTERS]
    assert all(float(r[2]) > 0 for r in execution[1:])
    assert {r[3] for r in execution[1:]} == {"warm (libraries imported ahead, state reset)"}
    params = html_table(soup, "tbl-repro-parameters")
    assert ["mode-collapse", "collapse_accuracy", "0.1", "default"] in params


def test_each_chapter_offers_its_executed_notebook_and_source(book):
    import nbformat

    for chapter in registry.CHAPTERS:
        soup = page(book, chapter.id)
        links = {Path(a["href"]).name: a["href"] for a in soup.select("a.download")}
        assert {f"{chapter.id}.ipynb", f"{chapter.id}.md"} <= set(links), chapter.id
        nb = nbformat.read(str((book / "chapters" / links[f"{chapter.id}.ipynb"]).resolve()), as_version=4)
        assert any(o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])), chapter.id
        source = (book / "chapters" / links[f"{chapter.id}.md"]).resolve().read_text()
        assert source == chapter.source.read_text()


def test_code_is_hidden_one_click_away_and_no_launch_buttons(book):
    soup = page(book, "mode-collapse")
    assert soup.select("details.hide") or soup.select(".tag_hide-input, .tag_hide-cell")
    assert "page.finding(finding, globals())" in soup.get_text()  # the code is in the page, behind a toggle
    html = (book / "chapters" / "mode-collapse.html").read_text()
    assert "mybinder" not in html and "launch-buttons" not in html and "colab" not in html.lower()


def test_repository_button_only_when_the_repository_is_known(tmp_path, monkeypatch):
    import yaml

    from evalpatterns.book import stage as b

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.delenv("EVALPATTERNS_REPOSITORY", raising=False)
    b._book_config(tmp_path)
    assert yaml.safe_load((tmp_path / "_config.yml").read_text())["html"]["use_repository_button"] is False
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/evalpatterns")
    b._book_config(tmp_path)
    config = yaml.safe_load((tmp_path / "_config.yml").read_text())
    assert config["repository"]["url"] == "https://github.com/someone/evalpatterns"
    assert config["html"]["use_repository_button"] is True


def test_no_inline_script_is_written_twice(book):
    # Sphinx 7.4 wrote thebe's and togglebutton's inline scripts twice ("THEBE_JS_URL has already been
    # declared" in every browser console); evalpatterns.sphinx_ext keeps one of each.
    for path in [book / "reproducibility.html",  # index.html is only a redirect
                 *[book / "chapters" / f"{c.id}.html" for c in registry.CHAPTERS]]:
        html = path.read_text()
        assert html.count("const THEBE_JS_URL") <= 1 and html.count("var togglebuttonSelector") == 1, path.name


def test_the_api_page_documents_every_findings_api(book):
    import dataclasses

    soup = page(book, "api")
    signature = " ".join(soup.find(id="evalpatterns.findings.analyse").get_text().split())
    assert signature.startswith("evalpatterns.findings.analyse(name, data_dir=None, **params)")
    assert soup.find(id="evalpatterns.findings.base.Conclusion") and soup.find(id="evalpatterns.io.load")
    for m in findings.modules():
        params = soup.find(id=f"{m.__name__}.Params")
        described = " ".join(params.find_next_sibling("dd").get_text().split())
        for f in dataclasses.fields(m.Params):
            assert f"{f.name}:" in params.get_text() and f"= {f.default!r}" in params.get_text(), (m.__name__, f.name)
            assert f"{f.name} (default {f.default!r}): {' '.join(f.metadata['help'].split())}" in described
        result = soup.find(id=f"{m.__name__}.Result")
        fields = [f.name for f in dataclasses.fields(m.Result)]
        assert all(soup.find(id=f"{m.__name__}.Result.{name}") for name in fields), m.__name__
        assert soup.find(id=f"{m.__name__}.analyse") and result.find_next_sibling("dd").get_text().strip()


def test_the_api_pages_example_shows_what_the_library_returns(book):
    soup = page(book, "api")
    outputs = {" ".join(c.select_one("div.cell_input").get_text().split()):
               c.select_one("div.cell_output").get_text().strip() for c in soup.select("div.cell")
               if c.select_one("div.cell_input") and c.select_one("div.cell_output")}
    result = findings.analyse("sl-vs-rl", data_dir=DATA)
    verdict = next(v for k, v in outputs.items() if k.endswith("result.conclusion.verdict"))
    assert verdict == repr(result.conclusion.verdict)
    reason = next(v for k, v in outputs.items() if "print(result.conclusion.reason)" in k)
    assert reason == result.conclusion.reason
    assert outputs["result.params"] == repr(result.params)
