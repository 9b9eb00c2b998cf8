"""A Sphinx extension for the book: what the themes and Jupyter Book do not do for it.

- Sphinx 7.4 writes the inline thebe configuration script into every page twice, so the browser reports
  "Identifier 'THEBE_JS_URL' has already been declared" on every page: keep the first of identical entries.
- The ``verdict`` role renders a claim's verdict as a badge (``report.badge`` writes it): its word in a
  coloured ``span.verdict.verdict-WORD`` (colours in ``_static/book.css``).
- The ``download-file`` role links a file of the repository (a data file, the datasheet) for download.
- A table's caption is moved out of the theme's horizontal scroll box, to just above it, so that it stays in
  view while a wide table scrolls on a phone (the table is labelled by it, for screen readers).
- Every figure glued by ``report.figure`` opens full size (the image links to its PNG, else its SVG), and its
  caption ends with what made it: the function, the data files (from the chapter's parameters), links to the
  PNG and the SVG (those of them ``--figure-format`` wrote), and to the key of the marks for a value's
  provenance (``theme.provenance_key``, copied from the build's cache by :mod:`.provenance_key`). Those files,
  and ``_figures/figures.json`` (each figure's smallest font size, its dpi and its PNG's hash, which the
  browser tests use to measure text size on screen), are written at the end of the build.
- Downloaded notebooks (``_downloads/``, ``_sources/``) carry paths relative to the repository instead of the
  build machine's, and open with a cell saying how to install the library.
- A ``{numref}`` reads its target page's doctree from one unpickled copy, not a new one each time.
- The bibliography's list drops a role that makes axe-core report it as a broken list.
- ``bibtex_bibfiles`` that do not exist under the source folder (a one-page ``evalpatterns run``) are looked
  up in the repository.
- The API page (autodoc, ``chapters/api.md``): each finding's ``Params`` and ``Result`` are described from the
  finding module (its number and question) instead of the signature dataclasses put in ``__doc__``; a
  ``Params`` lists each parameter with its default, help and range, from its ``param(...)``, the one place
  those are written.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from docutils import nodes

from .provenance_key import KEY, write_key

META_KEY = "evalpatterns"  # as report.META_KEY (not imported: this module must not import matplotlib)
GLUE_PREFIX = "application/papermill.record/"
FIGURES_DIR = "_figures"
ROOT = Path(__file__).resolve().parents[2]


# -- scripts written twice ----------------------------------------------------------------------------------

def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # the duplicate differs only in having filename '' where the first has None
        attributes = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", None) or "", attributes.get("body", ""), attributes.get("src", ""))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


# -- verdict badges ------------------------------------------------------------------------------------------

def verdict_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    word = " ".join(text.split())
    slug = re.sub(r"[^a-z0-9]+", "-", word.lower()).strip("-") or "none"
    return [nodes.inline(rawtext, word, classes=["verdict", f"verdict-{slug}"])], []


# -- files to download --------------------------------------------------------------------------------------

DATA_DIR = "_data"


def file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{download-file}`/absolute/path```: a link to download that file, copied into ``_data/HASH/NAME`` of the
    HTML (a file outside the book's source folder, which Sphinx's ``{download}`` cannot reach)."""
    import shutil

    env = inliner.document.settings.env
    path = Path(text.strip())
    if not path.is_absolute() or not path.is_file():
        msg = inliner.reporter.warning(f"file to download not found (an absolute path is expected): {text}",
                                       line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    target = Path(env.app.outdir) / DATA_DIR / file_sha256(path)[:16] / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    uri = "../" * env.docname.count("/") + target.relative_to(env.app.outdir).as_posix()
    return [nodes.reference(rawtext, path.name, refuri=uri, classes=["download-file"])], []


# -- table captions outside the scroll box --------------------------------------------------------------------

_SCROLLING_TABLE = re.compile(
    r'<div class="pst-scrollable-table-container">(<table\b[^>]*?\bid="(?P<id>[^"]+)"[^>]*>)\s*'
    r'<caption>(?P<caption>.*?)</caption>', re.S)


def _caption_above(match: re.Match) -> str:
    table_id = match["id"]
    table = match[1].replace("<table ", f'<table aria-labelledby="caption-{table_id}" ', 1)
    return (f'<div class="table-caption" id="caption-{table_id}">{match["caption"]}</div>'
            f'<div class="pst-scrollable-table-container">{table}')


def _captions_out_of_scroll_boxes(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = _SCROLLING_TABLE.sub(_caption_above, context["body"])


# -- the bibliography: docutils' citation list as assistive technology reads it -------------------------------

def _plain_citation_list(app, pagename, templatename, context, doctree) -> None:
    """docutils writes the bibliography as ``<div role="list">`` of ``doc-biblioentry`` items, a role ARIA 1.3
    deprecates; axe-core then reads the entries' back-links as children a list may not have (a critical
    violation). Without the list role the entries are read as the text they are."""
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">',
                                                  '<div class="citation-list">')


# -- figures ----------------------------------------------------------------------------------------------

FORMATS = ("png", "svg")  # as report.FIGURE_FORMATS: the first one a figure has is the one it opens to


@functools.lru_cache(maxsize=32)
def _notebook_figures(path: str, mtime: float) -> dict[str, dict]:
    """The name of the image file the page shows (its hash; of the PNG and of the SVG) -> the record
    ``report.figure`` glued (with ``svg`` and ``png`` added, None where not glued) in a notebook."""
    import base64
    import hashlib
    import os

    import nbformat

    out = {}
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(META_KEY, {})
            if "figure" not in meta:
                continue
            data = output.get("data", {})
            png = data.get(GLUE_PREFIX + "image/png") or data.get("image/png")
            svg = data.get(GLUE_PREFIX + "image/svg+xml") or data.get("image/svg+xml")
            record = {**meta, "png": base64.b64decode(png) if png else None,
                      "svg": "".join(svg) if isinstance(svg, list) else svg}
            if record["png"]:
                out[hashlib.sha256(record["png"]).hexdigest()] = record
            if record["svg"]:  # named as myst-nb names the image file: its lines joined by os.linesep
                out[hashlib.sha256(os.linesep.join(record["svg"].splitlines()).encode()).hexdigest()] = record
    return out


def notebook_figures(path: Path) -> dict[str, dict]:
    path = Path(path)
    return _notebook_figures(str(path), path.stat().st_mtime) if path.is_file() else {}


def _notebook_parameters(path: Path) -> dict:
    import nbformat

    if not path.is_file():
        return {}
    return nbformat.read(str(path), as_version=4).metadata.get("papermill", {}).get("parameters", {}) or {}


def repository_path(value) -> str:
    """A path as the reader knows it: relative to the repository when inside it, else unchanged."""
    path = Path(str(value))
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except (ValueError, OSError):
        return str(value)


def data_files(kinds, parameters: dict) -> list[str]:
    """The data files of ``kinds`` a chapter read: its ``KIND_csv`` parameters, else the book's default."""
    return [repository_path(parameters.get(f"{kind}_csv", f"data/{kind}.csv")) for kind in kinds]


def _made_by(meta: dict, files: list[str], uris: dict[str, str], key_uri: str) -> nodes.paragraph:
    para = nodes.paragraph(classes=["figure-made-by"])
    if meta.get("function"):
        para += nodes.Text("Made by ")
        para += nodes.literal(text=meta["function"])
        if files:
            para += nodes.Text(" from ")
            for i, f in enumerate(files):
                if i:
                    para += nodes.Text(", " if i < len(files) - 1 else " and ")
                para += nodes.literal(text=f)
        para += nodes.Text(". ")
    para += nodes.Text("Full size: ")
    for i, (ext, uri) in enumerate(uris.items()):
        if i:
            para += nodes.Text(", ")
        para += nodes.reference("", ext.upper(), refuri=uri)
    para += nodes.Text(". How values are drawn: ")
    para += nodes.reference("", "the key", refuri=key_uri)
    para += nodes.Text(".")
    return para


def _figures_link_out(app, doctree, docname) -> None:
    notebook = Path(app.srcdir) / f"{docname}.ipynb"
    figures = notebook_figures(notebook)
    if not figures:
        return
    parameters = _notebook_parameters(notebook)
    up = "../" * docname.count("/")
    for figure in list(doctree.findall(nodes.figure)):
        image = next(iter(figure.findall(nodes.image)), None)
        meta = figures.get(Path(image["uri"]).stem) if image is not None else None
        if meta is None:
            continue
        uris = {ext: f"{up}{FIGURES_DIR}/{meta['figure']}.{ext}" for ext in FORMATS if meta.get(ext)}
        if not isinstance(image.parent, nodes.reference):
            link = nodes.reference("", "", refuri=next(iter(uris.values())), classes=["figure-full-size"])
            image.replace_self(link)
            link += image
        legend = next(iter(figure.findall(nodes.legend)), None)
        if legend is None:
            legend = nodes.legend()
            figure += legend
        files = [repository_path(f) for f in meta.get("files") or []] or data_files(meta.get("data", []), parameters)
        key = f"{up}{FIGURES_DIR}/{KEY}.{'svg' if meta.get('svg') else 'png'}"
        legend += _made_by(meta, files, uris, key)


def _write_figures(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / FIGURES_DIR
    index, formats = {}, set()
    for docname in sorted(app.env.found_docs):
        figures = {m["figure"]: m for m in notebook_figures(Path(app.srcdir) / f"{docname}.ipynb").values()}
        for meta in figures.values():  # each figure once (it is found by the hash of each of its images)
            folder.mkdir(exist_ok=True)
            if meta.get("png"):
                (folder / f"{meta['figure']}.png").write_bytes(meta["png"])
            if meta.get("svg"):
                (folder / f"{meta['figure']}.svg").write_text(meta["svg"])
            formats |= {ext for ext in FORMATS if meta.get(ext)}
            index[meta["figure"]] = {k: v for k, v in meta.items() if k not in FORMATS} | {"page": docname}
    if index:
        (folder / "figures.json").write_text(json.dumps(index, indent=2))
        write_key(folder, tuple(f for f in FORMATS if f in formats), app.config.evalpatterns_cache_dir)


# -- numbered references: a page's doctree unpickled once -------------------------------------------------

def numref_once_domain():
    """Sphinx's ``std`` domain, whose ``{numref}`` reads each target page's doctree once per render: Sphinx 7.4
    unpickles the whole doctree of the target's page for every reference (``env.get_doctree`` keeps only the
    pickle), a sixth of a render with ~45 references. The lookup only reads the doctree, so one unpickled copy
    per page is kept for it, as long as Sphinx keeps the same pickle."""
    from sphinx.domains.std import StandardDomain

    class NumrefOnce(StandardDomain):
        def _resolve_numref_xref(self, env, *args, **kwargs):
            memo = self.__dict__.setdefault("_numref_doctrees", {})
            read = env.get_doctree

            def get_doctree(docname):
                pickled, doctree = memo.get(docname, (None, None))
                if doctree is None or env._pickled_doctree_cache.get(docname) is not pickled:
                    doctree = read(docname)
                    memo[docname] = (env._pickled_doctree_cache.get(docname), doctree)
                return doctree

            env.get_doctree = get_doctree
            try:
                return super()._resolve_numref_xref(env, *args, **kwargs)
            finally:
                del env.get_doctree

    return NumrefOnce


# -- downloaded notebooks ------------------------------------------------------------------------------------

INSTALL_NOTE = (
    "**To run this notebook** you need the repository it comes from, with its `evalpatterns` library: "
    "clone it, then in its folder `python3 -m venv .venv && . .venv/bin/activate && "
    "pip install -r requirements.txt && pip install -e .` (or `make install`). Open the notebook from the "
    "`chapters/` folder: its data paths (`../data/...`) are relative to it.")


def portable_notebook(text: str, root: Path = ROOT) -> str:
    """An executed notebook's JSON with the build machine's repository path made relative: ``../`` in code
    (notebooks run from ``chapters/``), nothing in outputs and metadata; an install note as its first cell."""
    nb = json.loads(text)
    prefix = str(root).rstrip("/") + "/"

    def strip(value, replacement: str):
        if isinstance(value, str):
            return value.replace(prefix, replacement)
        if isinstance(value, list):
            return [strip(v, replacement) for v in value]
        if isinstance(value, dict):
            return {k: strip(v, replacement) for k, v in value.items()}
        return value

    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["source"] = strip(cell.get("source", ""), "../")
            cell["outputs"] = strip(cell.get("outputs", []), "")
        else:
            cell["source"] = strip(cell.get("source", ""), "")
    nb["metadata"] = strip(nb.get("metadata", {}), "")
    cells = nb.setdefault("cells", [])
    if not (cells and cells[0].get("metadata", {}).get(META_KEY) == "install"):
        cells.insert(0, {"cell_type": "markdown", "id": "install", "metadata": {META_KEY: "install"},
                         "source": INSTALL_NOTE})
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _portable_downloads(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for folder in ("_downloads", "_sources"):
        for path in (Path(app.outdir) / folder).rglob("*.ipynb"):
            path.write_text(portable_notebook(path.read_text()))


# -- bibliography -------------------------------------------------------------------------------------------

def _bibfiles_in_repository(app, config) -> None:
    if "bibtex_bibfiles" not in config:
        return
    files = list(config.bibtex_bibfiles or [])
    config.bibtex_bibfiles = [f if (Path(app.srcdir) / f).is_file() or not (ROOT / f).is_file()
                              else str(ROOT / f) for f in files]


# -- the API page: findings' Params and Result ---------------------------------------------------------------

def _finding_dataclass(name: str):
    """(finding module, class name) for ``evalpatterns.findings.MODULE.Params`` or ``.Result``, else None."""
    import importlib

    module_name, _, class_name = name.rpartition(".")
    if class_name not in ("Params", "Result") or not module_name.startswith("evalpatterns.findings."):
        return None
    module = importlib.import_module(module_name)
    return (module, class_name) if hasattr(module, "NUMBER") else None


def _generated_doc(cls) -> bool:
    """Whether ``cls.__doc__`` is the signature ``dataclasses`` writes when a class has no docstring."""
    return (cls.__doc__ or "").startswith(f"{cls.__name__}(")


def _param_line(field) -> str:
    """A ``Params`` field as a list item: its name, default, what it means and its allowed range."""
    help_, low, high = (field.metadata.get(k) for k in ("help", "minimum", "maximum"))
    allowed = (f"; from {low:g} to {high:g}" if low is not None and high is not None
               else f"; at least {low:g}" if low is not None else "")
    return f"- ``{field.name}`` (default ``{field.default!r}``): {help_}{allowed}."


def api_docstring(app, what, name, obj, options, lines) -> None:
    """Write the docstrings of findings' ``Params`` (with every parameter) and ``Result`` (autodoc's
    ``autodoc-process-docstring``)."""
    import dataclasses

    found = _finding_dataclass(name)
    if what != "class" or not found or not _generated_doc(obj):
        return
    module, class_name = found
    question = module.QUESTION.split(": ", 1)[-1]
    if class_name == "Params":
        lines[:] = [f"The parameters of Finding {module.NUMBER} ({question}); pass them by name to "
                    ":func:`evalpatterns.findings.analyse` (the defaults for those not given).", ""]
        lines += [_param_line(f) for f in dataclasses.fields(obj)] + [""]
    else:
        lines[:] = [f"Everything the chapter of Finding {module.NUMBER} ({question}) shows, and its "
                    ":class:`~evalpatterns.findings.base.Conclusion`, from :func:`analyse`.", ""]


def setup(app):
    app.add_config_value("evalpatterns_cache_dir", "", "", types=[str])  # see provenance_key.write_key
    app.connect("config-inited", _bibfiles_in_repository, priority=100)
    app.add_role("verdict", verdict_role)
    app.add_domain(numref_once_domain(), override=True)
    app.add_role("download-file", file_role)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _captions_out_of_scroll_boxes, priority=900)
    app.connect("html-page-context", _plain_citation_list, priority=900)
    app.connect("doctree-resolved", _figures_link_out)
    app.connect("build-finished", _write_figures)
    app.connect("build-finished", _portable_downloads)
    if "sphinx.ext.autodoc" in app.extensions:
        app.connect("autodoc-process-docstring", api_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
