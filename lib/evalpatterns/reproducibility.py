"""The Reproducibility page: what a build ran on, written as a MyST page at staging time.

It records the commit, the build time, Python and every pinned package (pinned and installed), each data
file with its content hash, the parameters of every chapter, and each chapter's execution time; it offers
every data file, the datasheet and ``results.json`` for download with their SHA-256, and says how to cite
the book (from ``CITATION.cff``). It is not a notebook, so writing it never forces a chapter to re-execute.
"""
from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import nbformat
import pandas as pd

from . import chapters as registry
from . import formatting as fmt
from .report import META_KEY, Markup, escape, myst_table
from .tables import data_manifest, parameter_manifest


def commit(root: Path = registry.ROOT) -> str:
    """The checked-out commit, marked when the work tree has uncommitted changes; 'unknown' outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


def environment_table(requirements: Path = registry.ROOT / "requirements.txt") -> pd.DataFrame:
    """Every pinned requirement with the version installed in the environment that built the book."""
    rows = [["Python", platform.python_version(), platform.python_version()]]
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" not in line:
            continue
        name, pinned = (part.strip() for part in line.split("==", 1))
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        rows.append([name, pinned, installed])
    return pd.DataFrame(rows, columns=["Package", "Pinned", "Installed"])


KERNELS = {"warm": "warm (libraries imported ahead, state reset)", "new": "new"}


def execution_table(executed: dict[str, Path]) -> pd.DataFrame:
    """When each chapter's notebook was executed, how long it took (papermill's record) and in what kernel
    (see :mod:`evalpatterns.kernels`)."""
    rows = []
    for chapter_id, path in executed.items():
        metadata = nbformat.read(str(path), as_version=4).metadata
        meta = metadata.get("papermill", {})
        start = str(meta.get("start_time", ""))[:19].replace("T", " ")
        kernel = KERNELS.get(metadata.get(META_KEY, {}).get("kernel"), fmt.NA)
        rows.append([chapter_id, start + " UTC" if start else fmt.NA, fmt.number(meta.get("duration"), 1), kernel])
    return pd.DataFrame(rows, columns=["Chapter", "Executed at", "Seconds", "Kernel"])


def results_text(executed: dict[str, Path], parameters: dict[str, dict]) -> str:
    """The text of the book's ``results.json`` (:mod:`evalpatterns.results_json`): every chapter's parameters
    and every value and table it glued. The Reproducibility page gives the SHA-256 of this very text."""
    from . import results_json as rj
    from .book.results import notebook_results

    return rj.dumps(rj.book_document({chapter: rj.chapter_record(chapter, parameters.get(chapter, {}),
                                                                 notebook_results(path))
                                      for chapter, path in executed.items()}))


DATASHEET = registry.ROOT / "data" / "README.md"


def _download(path: Path) -> Markup:
    # the role's content is the absolute path; a backtick cannot be in it
    return Markup(f"{{download-file}}`{path}`", path.name)


def downloads_table(paths: dict[str, str], executed: dict[str, Path], parameters: dict[str, dict]) -> pd.DataFrame:
    """Each data file the book read, the datasheet and ``results.json``, as download links with their
    SHA-256; ``results.json`` is hashed as :func:`results_text` writes it."""
    from .io import file_sha256

    rows = [[_download(Path(path).resolve()), f"data: {kind}", file_sha256(path)] for kind, path in paths.items()]
    if DATASHEET.is_file():
        rows.append([_download(DATASHEET), "the datasheet: every file's columns, units and sources",
                     file_sha256(DATASHEET)])
    text = results_text(executed, parameters).encode()
    rows.append([Markup('<a class="download-file" href="results.json">results.json</a>', "results.json"),
                 "every value and table of every chapter", hashlib.sha256(text).hexdigest()])
    return pd.DataFrame(rows, columns=["File", "What it holds", "SHA-256"])


CITATION = registry.ROOT / "CITATION.cff"


def citation(path: Path = CITATION) -> str:
    """The 'Cite this book' section, from ``CITATION.cff``: a sentence and a BibTeX entry."""
    import yaml

    if not path.is_file():
        return ""
    cff = yaml.safe_load(path.read_text())
    authors = " and ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", ")
                           for a in cff.get("authors", []))
    year = str(cff.get("date-released", ""))[:4]
    fields = {"author": authors, "title": cff.get("title", ""), "year": year, "version": cff.get("version", ""),
              "url": cff.get("url") or cff.get("repository-code", "")}
    bibtex = "@software{evalpatterns,\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v) + "\n}"
    sentence = f"{authors} ({year}). *{cff.get('title', '')}*" + (f", version {fields['version']}" if fields["version"] else "")
    return "\n".join(["(cite-this-book)=", "## Cite this book", "",
                       f"{escape(sentence)}. The repository's `CITATION.cff` holds the same record (GitHub offers it "
                       "as *Cite this repository*); as BibTeX:", "", "```bibtex", bibtex, "```", ""])


def page(parameters: dict[str, dict], executed: dict[str, Path], built_at: datetime | None = None) -> str:
    """The Reproducibility page as MyST markdown; every value comes from the build through code."""
    built_at = built_at or datetime.now(timezone.utc)
    head = commit()
    short = head[:12] + head[40:] if len(head) >= 40 else head
    paths = {}
    for chapter in registry.CHAPTERS:
        for p in chapter.data_parameters:
            if parameters[chapter.id].get(p.name):  # an optional input may be empty: not given
                paths.setdefault(p.data, parameters[chapter.id][p.name])
    book_params = {cid: {k: v for k, v in params.items() if k != "book_parameters"}
                   for cid, params in parameters.items()}
    parts = [
        "# Reproducibility", "",
        f"Built from commit {escape(short)} at {escape(built_at.strftime('%Y-%m-%d %H:%M UTC'))} with "
        f"Python {escape(platform.python_version())}. A chapter is re-executed only when its source, the "
        "library, its data or its parameters change; the execution times below are those of the run that "
        "produced each executed notebook. A warm kernel is one started ahead with the libraries imported, "
        "returned to a new kernel's state before the chapter; the tests check that it gives the same notebook "
        "as a new kernel.", "",
        myst_table(data_manifest(paths), "tbl-repro-data", "Data files, by content hash.", ("Rows",)), "",
        "(downloads)=", "## Downloads", "",
        "Every data file this build read, the datasheet that describes them and `results.json` (every value "
        "and table the chapters show), with the SHA-256 of each: check a download with `sha256sum FILE`.", "",
        myst_table(downloads_table(paths, executed, parameters), "tbl-repro-downloads", "Files to download, with their SHA-256."),
        "",
        myst_table(parameter_manifest(book_params), "tbl-repro-parameters", "Parameters of every chapter.",
                   ("Value",)), "",
        myst_table(execution_table(executed), "tbl-repro-execution", "Execution of each chapter.", ("Seconds",)),
        "",
        myst_table(environment_table(), "tbl-repro-environment", "Python and every pinned package.",), "",
        "The tables are {numref}`tbl-repro-data`, {numref}`tbl-repro-parameters`, "
        "{numref}`tbl-repro-execution` and {numref}`tbl-repro-environment`.", "",
        citation(),
    ]
    return "\n".join(parts)
