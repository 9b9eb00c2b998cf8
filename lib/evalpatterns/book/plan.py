"""What a build executes: each chapter's final parameters, its data checked, and content keys.

A chapter's key hashes everything its executed notebook depends on (its source, the library, its data files
by content, its other parameters); the book's key adds the book's configuration, static files, the commit
and the repository link, so that a build with nothing changed can stop at once, before it validates the data
(the key hashes the files and the code that validates them). Each data file is checked to be a file that can
be read before any is hashed: hashing reads the file, and a FIFO or a device given as data would hang there.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import chapters as registry
from ..io import file_sha256, validate
from .errors import BuildError

ROOT = registry.ROOT  # the checkout (data defaults, the book's configuration)
LIB = Path(__file__).resolve().parents[1]
BOOK_DIRS = ("_static",)
BOOK_INPUTS = ("_config.yml", "_toc.yml", "reproducibility.md", "requirements.txt", "CITATION.cff")
# GitHub's rules: an owner of letters, digits and single hyphens (at most 39); a name of letters, digits, '.',
# '-' and '_' (at most 100), not '.' or '..'.
REPOSITORY = re.compile(r"(?!-)[A-Za-z0-9-]{1,39}/(?!\.\.?$)[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True)
class Job:
    chapter: str
    parameters: dict
    key: str


def resolve_parameters(chapter_id: str, overrides: dict | None = None, data_dir: str | Path | None = None,
                       base: Path | None = None) -> dict:
    """Final parameter values of a chapter: defaults, then ``data_dir`` for data files, then ``overrides``.

    Data paths become absolute (relative ones are taken from ``base``, default the current directory;
    defaults from the repository root). Unknown names and badly typed values raise ValueError listing the
    valid names.
    """
    chapter = registry.get(chapter_id)
    base = Path(base or os.getcwd())
    values = {}
    for p in chapter.parameters:
        value = p.default
        in_dir = Path(data_dir).resolve() / Path(str(p.default)).name if (p.data and data_dir) else None
        if in_dir is not None and p.optional_data and not (in_dir.exists() or in_dir.is_symlink()):
            value = ""  # an optional input the folder does not hold: not given
        elif in_dir is not None and (in_dir.exists() or in_dir.is_symlink() or not p.keep_default):
            value = str(in_dir)
        elif p.type == "path":
            value = str(ROOT / p.default)
        values[p.name] = value
    for name, raw in (overrides or {}).items():
        try:
            p = chapter.parameter(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        try:
            value = p.parse(raw)
        except ValueError as exc:
            valid = ", ".join(q.name for q in chapter.parameters)
            raise ValueError(f"chapter '{chapter.id}': {exc}; valid names: {valid}") from None
        values[name] = str((base / value).resolve()) if p.type == "path" and value else value
    return values


def split_book_overrides(pairs: list[tuple[str, str]]) -> dict[str, dict]:
    """``[("mode-collapse.collapse_accuracy", "0.2")]`` -> per-chapter overrides.

    A parameter set on a finding chapter also applies to ``summary`` when it has one of that name, so that
    the dashboard agrees with the chapter.
    """
    out: dict[str, dict] = {c.id: {} for c in registry.CHAPTERS}
    for dotted, value in pairs:
        if "." not in dotted:
            raise ValueError(f"book parameter '{dotted}' must be written CHAPTER.NAME, "
                             f"e.g. mode-collapse.collapse_accuracy")
        chapter_id, name = dotted.split(".", 1)
        try:
            chapter = registry.get(chapter_id)
            chapter.parameter(name)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
        out[chapter_id][name] = value
    summary = registry.get("summary")
    names = {p.name for p in summary.parameters}
    for chapter_id, values in list(out.items()):
        if chapter_id != "summary":
            for name, value in values.items():
                if name in names and name not in out["summary"]:
                    out["summary"][name] = value
    return out


def check_data(chapter_id: str, parameters: dict) -> list:
    """Every problem in the data files a chapter reads (each file is checked to be a regular file before it is
    opened, so that nothing hangs on a FIFO or a device)."""
    from ..csvread import release_memory

    problems = []
    for p in registry.get(chapter_id).data_parameters:
        if (p.optional_data or p.keep_default) and not str(parameters[p.name] or "").strip():
            continue  # an optional input not given, or the claims register switched off (-p claims_csv '')
        problems += validate(p.data, parameters[p.name])
    release_memory()  # the files were read to be checked; the chapter's kernel reads them again
    return problems


def library_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(LIB.rglob("*.py")):
        h.update(path.relative_to(LIB).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def job_key(chapter_id: str, parameters: dict, lib_digest: str | None = None) -> str:
    """Content hash of everything a chapter's output depends on: its source, the library, its data files
    (by content, not path or timestamp), its other parameters, the formats its figures are written in
    (``--figure-format``) and the engine it runs on (``--engine``: the page says which ran), both read from
    the environment as the chapter's kernel reads them."""
    from ..options import engine_choice, figure_formats

    chapter = registry.get(chapter_id)
    h = hashlib.sha256()
    h.update(chapter.source.read_bytes())
    h.update((lib_digest or library_digest()).encode())
    h.update(f"figures:{','.join(figure_formats())};engine:{engine_choice()};".encode())
    for p in chapter.parameters:
        value = parameters[p.name]
        h.update(p.name.encode())
        if p.type == "path" and not str(value or "").strip():  # an optional input not given (not the working folder)
            h.update(b"not given")
        else:
            h.update((file_sha256(value) if p.type == "path" else json.dumps(value)).encode())
    return h.hexdigest()[:20]


def resolve_book(data_dir: str | Path | None = None, overrides: dict[str, dict] | None = None) -> dict[str, dict]:
    """Every chapter's final parameters (the front page also records all of them)."""
    resolved = {c.id: resolve_parameters(c.id, (overrides or {}).get(c.id), data_dir) for c in registry.CHAPTERS}
    resolved["introduction"]["book_parameters"] = json.dumps(
        {cid: {k: v for k, v in params.items() if k != "book_parameters"} for cid, params in resolved.items()})
    return resolved


def check_book_data(resolved: dict[str, dict]) -> None:
    """BuildError listing every problem of every data file the book reads (each problem once)."""
    problems = [p for cid, params in resolved.items() for p in check_data(cid, params)]
    if problems:
        unique = list(dict.fromkeys(str(p) for p in problems))
        raise BuildError("the data has problems; nothing was built:\n" + "\n".join(unique))


def check_book_files(resolved: dict[str, dict]) -> None:
    """BuildError naming every data file the book reads that is missing or is not a file that can be read (a
    FIFO, a device...), found without opening any: what must hold before the files are hashed. A folder is
    left to the engine's validation where its kind may be a folder of Parquet files (hashing reads only the
    regular files in it); for any other kind it is refused here, before anything in it is read."""
    from ..csvread import _not_a_data_file
    from ..engine.validate import ENGINE_KINDS  # the kinds a folder (of Parquet files) may hold

    paths = dict.fromkeys((Path(params[p.name]), p.data) for cid, params in resolved.items()
                          for p in registry.get(cid).data_parameters
                          if str(params[p.name] or "").strip())
    problems = [problem for path, kind in paths if not (path.is_dir() and kind in ENGINE_KINDS)
                and (problem := _not_a_data_file(path))]
    if problems:
        raise BuildError("the data has problems; nothing was built:\n" + "\n".join(str(p) for p in problems))


def jobs_for(resolved: dict[str, dict]) -> list[Job]:
    """The execution jobs for resolved (and checked: keys hash the data files) parameters."""
    lib = library_digest()
    return [Job(cid, params, job_key(cid, params, lib)) for cid, params in resolved.items()]


def plan(data_dir: str | Path | None = None, overrides: dict[str, dict] | None = None) -> list[Job]:
    """The execution jobs of the whole book, with resolved parameters and content keys (data checked first)."""
    resolved = resolve_book(data_dir, overrides)
    check_book_data(resolved)
    return jobs_for(resolved)


def repository_name() -> str:
    """``owner/name`` from EVALPATTERNS_REPOSITORY or, in GitHub Actions, GITHUB_REPOSITORY; empty when neither
    is set. BuildError when the value is not of that form (it becomes a link on every page)."""
    for variable in ("EVALPATTERNS_REPOSITORY", "GITHUB_REPOSITORY"):
        name = os.environ.get(variable, "").strip()
        if name:
            if not REPOSITORY.fullmatch(name):
                raise BuildError(f"{variable} must name a GitHub repository as OWNER/NAME (letters, digits, "
                                 f"'-', and '.' or '_' in the name); found {name!r}")
            return name
    return ""


def repository_url() -> str:
    """The repository the book is published from (see :func:`repository_name`), escaped; empty when unknown."""
    from urllib.parse import quote

    name = repository_name()
    return f"https://github.com/{quote(name, safe='/')}" if name else ""


def book_key(jobs: list[Job]) -> str:
    """Content hash of everything the rendered book depends on: every chapter's job key (source, library,
    data, parameters), the book's configuration and static files, the commit and the repository link."""
    from ..reproducibility import commit

    root = ROOT
    h = hashlib.sha256()
    for j in jobs:
        h.update(f"{j.chapter}:{j.key};".encode())
    for name in BOOK_INPUTS:
        h.update(name.encode() + (root / name).read_bytes())
    for path in sorted(p for d in BOOK_DIRS for p in (root / d).rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    h.update(f"{commit()};{repository_url()}".encode())
    return h.hexdigest()
