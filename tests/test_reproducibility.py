"""Tests of evalpatterns.reproducibility's downloads and citation (the page itself is checked in the built
book: tests/test_reading.py downloads every file and compares its SHA-256)."""
from __future__ import annotations

import hashlib

import yaml

from evalpatterns import chapters as registry
from evalpatterns import reproducibility


def test_the_citation_comes_from_citation_cff():
    cff = yaml.safe_load((registry.ROOT / "CITATION.cff").read_text())
    text = reproducibility.citation()
    assert text.startswith("(cite-this-book)=\n## Cite this book")
    assert f"title = {{{cff['title']}}}" in text and f"year = {{{str(cff['date-released'])[:4]}}}" in text
    assert f"version = {{{cff['version']}}}" in text
    assert "```bibtex\n@software{evalpatterns," in text


def test_no_citation_file_no_section(tmp_path):
    assert reproducibility.citation(tmp_path / "CITATION.cff") == ""


def test_downloads_list_each_data_file_the_datasheet_and_results_with_their_sha256(tmp_path):
    data = registry.ROOT / "data"
    paths = {"roi": str(data / "roi.csv"), "capability": str(data / "capability.csv")}
    table = reproducibility.downloads_table(paths, {}, {})
    names = [str(c) for c in table["File"]]
    assert names == ["roi.csv", "capability.csv", "README.md", "results.json"]
    assert table["SHA-256"].iloc[0] == hashlib.sha256((data / "roi.csv").read_bytes()).hexdigest()
    assert table["SHA-256"].iloc[2] == hashlib.sha256((data / "README.md").read_bytes()).hexdigest()
    assert table["SHA-256"].iloc[3] == hashlib.sha256(reproducibility.results_text({}, {}).encode()).hexdigest()
    assert table["File"].iloc[0].markup == f"{{download-file}}`{data / 'roi.csv'}`"
