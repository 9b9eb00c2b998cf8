"""Tests of evalpatterns.sphinx_ext on its own: portable notebooks, captions above the scroll box, the
bibliography's list, data file paths, the verdict role."""
from __future__ import annotations

import json
from pathlib import Path

from evalpatterns import sphinx_ext


def notebook(root: Path) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {
        "papermill": {"parameters": {"roi_csv": f"{root}/data/roi.csv"}}}, "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Title"},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1,
         "source": f'roi_csv = "{root}/data/roi.csv"',
         "outputs": [{"output_type": "stream", "name": "stdout", "text": f"read {root}/data/roi.csv\n"}]}]})


def test_a_portable_notebook_has_no_build_machine_path_and_says_how_to_install(tmp_path):
    root = tmp_path / "repo"
    out = sphinx_ext.portable_notebook(notebook(root), root)
    nb = json.loads(out)
    assert str(root) not in out
    assert nb["cells"][0]["source"] == sphinx_ext.INSTALL_NOTE
    assert nb["cells"][1]["source"] == "# Title"
    assert nb["cells"][2]["source"] == 'roi_csv = "../data/roi.csv"'  # code runs from chapters/
    assert nb["cells"][2]["outputs"][0]["text"] == "read data/roi.csv\n"
    assert nb["metadata"]["papermill"]["parameters"]["roi_csv"] == "data/roi.csv"
    assert sphinx_ext.portable_notebook(out, root) == out  # the note is added once


def test_the_caption_moves_above_the_scroll_box():
    body = ('<div class="pst-scrollable-table-container"><table class="table" id="tbl-a">\n'
            '<caption><span class="caption-number">Table 1 </span>Text</caption>\n<thead></thead></table></div>')
    context = {"body": body}
    sphinx_ext._captions_out_of_scroll_boxes(None, "p", "page.html", context, None)
    out = context["body"]
    assert out.startswith('<div class="table-caption" id="caption-tbl-a"><span class="caption-number">Table 1 '
                          '</span>Text</div><div class="pst-scrollable-table-container">')
    assert '<table aria-labelledby="caption-tbl-a" class="table" id="tbl-a">' in out and "<caption>" not in out


def test_the_citation_list_loses_its_list_role():
    context = {"body": '<div role="list" class="citation-list"><div class="citation"></div></div>'}
    sphinx_ext._plain_citation_list(None, "p", "page.html", context, None)
    assert context["body"] == '<div class="citation-list"><div class="citation"></div></div>'


def test_data_files_come_from_the_chapters_parameters():
    inside = str(sphinx_ext.ROOT / "data" / "roi.csv")
    assert sphinx_ext.data_files(["roi", "capability"], {"roi_csv": inside}) == ["data/roi.csv",
                                                                               "data/capability.csv"]
    assert sphinx_ext.data_files(["roi"], {"roi_csv": "/elsewhere/my.csv"}) == ["/elsewhere/my.csv"]


def test_the_verdict_role_gives_a_span_with_the_verdicts_class():
    nodes_, messages = sphinx_ext.verdict_role("verdict", "{verdict}`Holds `", "Holds ", 1, None)
    (node,) = nodes_
    assert node.astext() == "Holds" and node["classes"] == ["verdict", "verdict-holds"] and messages == []


def test_a_findings_params_and_result_are_described_from_the_finding_module():
    from evalpatterns.findings import roi

    lines = [roi.Params.__doc__]
    sphinx_ext.api_docstring(None, "class", "evalpatterns.findings.roi.Params", roi.Params, {}, lines)
    assert lines[0].startswith("The parameters of Finding 3 (switch model, or train the one you have?)")
    # the field's default, help and range, from its param(...)
    assert ("- ``baseline_accuracy`` (default ``None``): accuracy of the model before any training, the zero of "
            "accuracy change; empty: the data's baseline row; from 0 to 1.") in lines
    lines = [roi.Result.__doc__]
    sphinx_ext.api_docstring(None, "class", "evalpatterns.findings.roi.Result", roi.Result, {}, lines)
    assert lines[0].startswith("Everything the chapter of Finding 3") and "Conclusion" in lines[0]
    written = ["A docstring of its own."]
    sphinx_ext.api_docstring(None, "class", "evalpatterns.findings.roi.Baseline", roi.Baseline, {}, written)
    assert written == ["A docstring of its own."]


def test_numref_unpickles_a_pages_doctree_once_while_sphinx_keeps_its_pickle(monkeypatch):
    from sphinx.domains.std import StandardDomain

    def resolve(self, env, docname):  # as Sphinx's: the target's page's doctree, for every reference
        return env.get_doctree(docname)

    monkeypatch.setattr(StandardDomain, "_resolve_numref_xref", resolve)

    class Env:
        def __init__(self):
            self._pickled_doctree_cache, self.reads = {}, []

        def get_doctree(self, docname):
            self.reads.append(docname)
            self._pickled_doctree_cache.setdefault(docname, bytes(docname, "ascii"))
            return f"doctree {len(self.reads)} of {docname}"

    env = Env()
    domain = object.__new__(sphinx_ext.numref_once_domain())
    got = [domain._resolve_numref_xref(env, d) for d in ("a", "b", "a", "a", "b")]
    assert got == ["doctree 1 of a", "doctree 2 of b", "doctree 1 of a", "doctree 1 of a", "doctree 2 of b"]
    assert env.reads == ["a", "b"]
    env._pickled_doctree_cache["a"] = b"a again"  # Sphinx read the page anew
    assert domain._resolve_numref_xref(env, "a") == "doctree 3 of a"
    assert "get_doctree" not in vars(env)  # the environment's own method again after each reference
