"""Tests of evalpatterns.report: verdict badges and markup cells in tables, folded tables, and the record
report.figure keeps of each figure (its smallest text, its PNG, its SVG)."""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalpatterns import report  # noqa: E402


def test_a_badge_is_markup_for_the_verdict_role_and_plain_text_elsewhere():
    b = report.badge("differs")
    assert b.markup == "{verdict}`differs`" and str(b) == "differs"
    assert str(report.badge("  holds \n")) == "holds"
    assert report.badge("").markup == ""


def test_markup_cells_are_written_as_they_are_and_recorded_as_text():
    frame = pd.DataFrame({"Claim": ["a *b* `c`"], "Verdict": [report.badge("holds")]})
    table = report.myst_table(frame, "tbl-x", "Caption")
    assert "  - {verdict}`holds`" in table            # the badge is markup
    assert r"* - a \*b\* \`c\`" in table               # text from the data stays escaped
    assert report.records(frame) == [{"Claim": "a *b* `c`", "Verdict": "holds"}]
    assert frame.astype(str)["Verdict"].tolist() == ["holds"]  # what a reader sees in the cell


def test_a_folded_table_is_a_dropdown_around_the_table():
    folded = report.folded("61 claims that hold", "TABLE")
    lines = folded.splitlines()
    assert lines[0] == "::::{dropdown} 61 claims that hold" and lines[-1] == "::::" and "TABLE" in lines


def test_smallest_font_is_the_smallest_drawn_text():
    fig, ax = plt.subplots()
    ax.set_title("title", fontsize=14)
    ax.text(0.5, 0.5, "small", fontsize=7.5)
    ax.text(0.5, 0.5, "", fontsize=3)               # empty: not drawn
    ax.text(0.5, 0.5, "hidden", fontsize=4).set_visible(False)
    ax.text(50, 50, "off the figure", fontsize=5)  # data coordinates far outside the axes and the figure
    ax.tick_params(labelsize=9)
    assert report.smallest_font_pt(fig) == 7.5
    plt.close(fig)


def test_a_rendered_figure_carries_png_svg_and_its_record():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=11)
    ax.set_xlabel("x", fontsize=12)
    ax.set_ylabel("y", fontsize=12)
    fig.evalpatterns = {"function": "figures.example", "data": ("roi",)}
    rendered = report.RenderedFigure("fig-example", fig)  # both formats: the default
    data, meta = rendered._repr_mimebundle_()
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and data["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
    record = meta[report.META_KEY]
    assert record == {"figure": "fig-example", "function": "figures.example", "data": ["roi"], "files": [],
                      "min_font_pt": 11.0, "dpi": report.FIGURE_DPI,
                      "png_sha256": hashlib.sha256(png).hexdigest(),
                      "svg_sha256": hashlib.sha256(data["image/svg+xml"].encode()).hexdigest()}
    # a figure drawn from a file that is no chapter parameter records it, as an absolute path (the caption
    # shows it relative to the repository)
    assert report.RenderedFigure("f", fig, files=["examples/x.csv"]).meta["files"] == [
        str(Path("examples/x.csv").resolve())]
    plt.close(fig)


@pytest.mark.parametrize("formats, mimes", [(("png",), {"image/png"}), (("svg",), {"image/svg+xml"})])
def test_a_figure_rendered_in_one_format_carries_only_that_format(formats, mimes):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    rendered = report.RenderedFigure("f", fig, formats=formats)
    data, meta = rendered._repr_mimebundle_()
    plt.close(fig)
    assert set(data) == mimes | {"text/plain"}
    assert {k for k in meta[report.META_KEY] if k.endswith("_sha256")} == {f"{f}_sha256" for f in formats}
    assert (rendered.png is None) == ("png" not in formats) and (rendered.svg is None) == ("svg" not in formats)


@pytest.mark.parametrize("text, formats", [("png", ("png",)), ("svg", ("svg",)), ("png,svg", ("png", "svg")),
                                           (" SVG , png", ("png", "svg"))])
def test_figure_formats_are_read_from_the_option_and_the_environment(text, formats, monkeypatch):
    assert report.parse_figure_formats(text) == formats
    monkeypatch.setenv(report.FIGURE_FORMAT_VARIABLE, text)
    assert report.figure_formats() == formats
    monkeypatch.delenv(report.FIGURE_FORMAT_VARIABLE)
    assert report.figure_formats() == ("png", "svg")


@pytest.mark.parametrize("text", ["", "jpg", "png,", "png,png", "png;svg"])
def test_a_bad_figure_format_says_what_is_expected(text):
    with pytest.raises(ValueError, match=r"^--figure-format expects png, svg or png,svg; got "):
        report.parse_figure_formats(text)


@pytest.mark.parametrize("dpi", [report.FIGURE_DPI])
def test_the_png_has_the_recorded_dpi(dpi):
    from io import BytesIO

    from PIL import Image

    fig = plt.figure(figsize=(4, 2))
    fig.text(0.1, 0.5, "x")
    rendered = report.RenderedFigure("f", fig)
    width = Image.open(BytesIO(rendered.png)).size[0]
    # the tight box is at most the figure's 4 inches (plus matplotlib's 0.1-inch padding each side)
    assert width <= (4 + 0.2) * dpi
    plt.close(fig)


def test_the_same_figure_gives_the_same_png_and_svg():
    def rendered():
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar([0, 1], [1, 2], hatch="//")
        ax.set_title("same")
        out = report.RenderedFigure("f", fig)
        plt.close(fig)
        return out

    first, second = rendered(), rendered()
    assert first.png == second.png and first.svg == second.svg


def test_a_download_carries_its_file_and_export_writes_it_beside_the_page(tmp_path, monkeypatch):
    import IPython.display
    import nbformat

    from evalpatterns.book.results import export_files

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None: shown.append((obj, metadata)))
    frame = pd.DataFrame({"run": ["a", "b"], "kl": [1.5, None]})
    report.download(frame, "sub/runs.csv", "Every <run> as `CSV`")
    (markdown, meta), = shown
    assert markdown.data == "{download}`Every (run) as 'CSV' <runs.csv>`"  # no folder: beside the page
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": markdown.data}, metadata=meta)])])
    nbformat.write(nb, str(tmp_path / "page.ipynb"))
    assert export_files(tmp_path / "page.ipynb", tmp_path / "out") == ["runs.csv"]
    assert (tmp_path / "out" / "runs.csv").read_text() == "run,kl\na,1.5\nb,\n"
