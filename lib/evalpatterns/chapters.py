"""The book's chapters: ids, sources, the data each reads, and their typed parameters.

This registry is the one place that names chapters; the build, the command line and the tests read it, and
a test checks that each notebook's ``parameters`` cell declares exactly these names and defaults.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from . import findings as _findings

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Parameter:
    """A chapter parameter. ``type`` is ``float``, ``int``, ``str`` or ``path``; ``data`` names the data kind
    a path parameter holds (a key of :data:`evalpatterns.schema.SCHEMAS`)."""

    name: str
    type: str
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None
    data: str | None = None
    keep_default: bool = False  # a data folder without this file uses the book's own (the claims register)
    optional_data: bool = False  # an optional input: empty, or absent from a data folder, means "not given"

    @property
    def optional(self) -> bool:
        """A parameter whose default is None: empty means "work it out from the data"."""
        return self.default is None

    def parse(self, text) -> object:
        """Convert a command-line value; raises ValueError saying what was expected."""
        if self.optional and str(text).strip().lower() in ("", "none"):
            return None
        if self.type in ("str", "path"):
            value = str(text)
        else:
            try:
                value = int(text) if self.type == "int" else float(text)
            except (TypeError, ValueError):
                raise ValueError(f"parameter '{self.name}' expects {self.describe_type()}; got {text!r}") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(f"parameter '{self.name}' expects a finite number; got {text!r}")
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            raise ValueError(f"parameter '{self.name}' expects {self.describe_type()}; got {text!r}")
        return value

    def describe_type(self) -> str:
        kind = {"float": "a number", "int": "a whole number", "str": "text", "path": "a file path"}[self.type]
        if self.optional:
            kind += " (or empty: from the data)"
        if self.minimum is not None and self.maximum is not None:
            kind += f" in [{self.minimum:g}, {self.maximum:g}]"
        elif self.minimum is not None:
            kind += f" >= {self.minimum:g}"
        return kind


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    parameters: tuple[Parameter, ...]
    cost: float = 1.0  # rough execution time relative to a finding chapter; the build starts the costliest first

    @property
    def source(self) -> Path:
        return ROOT / "chapters" / f"{self.id}.md"

    @property
    def data_parameters(self) -> list[Parameter]:
        return [p for p in self.parameters if p.data]

    @property
    def required_data(self) -> list[Parameter]:
        """The data parameters a run needs (optional inputs left out)."""
        return [p for p in self.data_parameters if not p.optional_data]

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        valid = ", ".join(p.name for p in self.parameters)
        raise KeyError(f"chapter '{self.id}' has no parameter '{name}'; valid names: {valid}")

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.parameters}


def _data(kind: str) -> Parameter:
    if kind == "claims":
        return Parameter("claims_csv", "path", "data/claims.csv",
                         "the register of the post's claims to audit (a data folder without one uses the book's)",
                         data=kind, keep_default=True)
    return Parameter(f"{kind}_csv", "path", f"data/{kind}.csv", f"the {kind} data file (CSV or Parquet)",
                     data=kind)


def _optional_data(kind: str) -> Parameter:
    return Parameter(f"{kind}_csv", "path", f"data/{kind}.csv", f"the {kind} data file (CSV or Parquet); optional: "
                     "empty, or absent from a data folder, means not given", data=kind, optional_data=True)


def from_params(params_cls) -> tuple[Parameter, ...]:
    """The chapter parameters of a finding's ``Params`` (its fields, defaults, help and ranges)."""
    out = []
    for f in dataclasses.fields(params_cls):
        kind = str(f.type).replace(" | None", "").strip()
        out.append(Parameter(f.name, kind, f.default, f.metadata["help"], f.metadata.get("minimum"),
                             f.metadata.get("maximum")))
    return tuple(out)


def _finding_chapter(m) -> Chapter:
    """A finding's chapter: its data files, the claims register, and its ``Params``."""
    optional = tuple(_optional_data(k) for k in getattr(m, "OPTIONAL_DATA", ()))
    return Chapter(m.CHAPTER, m.QUESTION, tuple(_data(k) for k in m.DATA) + optional + (_data("claims"),)
                   + from_params(m.Params))


FINDINGS = tuple(_findings.modules())
#: Every data kind the findings read, in the post's order.
DATA_KINDS = tuple(dict.fromkeys(k for m in FINDINGS for k in m.DATA))
#: The findings' optional inputs (a data folder without them runs; the chapter says they were not given).
OPTIONAL_KINDS = tuple(dict.fromkeys(k for m in FINDINGS for k in getattr(m, "OPTIONAL_DATA", ())))


def _every_finding_parameter() -> tuple[Parameter, ...]:
    out: dict[str, Parameter] = {}
    for m in FINDINGS:
        for p in from_params(m.Params):
            out.setdefault(p.name, p)
    return tuple(out.values())


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("introduction", "Five patterns from 250+ ML evaluation runs",
            tuple(_data(k) for k in DATA_KINDS)
            + (Parameter("book_parameters", "str", "{}",
                         "JSON of every chapter's parameters, filled in by `evalpatterns build` for the front "
                         "page's verdicts and the Reproducibility page"),)),
    *(_finding_chapter(m) for m in FINDINGS),
    Chapter("summary", "Summary: what the data show",
            tuple(_data(k) for k in DATA_KINDS) + tuple(_optional_data(k) for k in OPTIONAL_KINDS) + (_data("claims"),)
            + _every_finding_parameter(),
            cost=2.0),
    Chapter("bring-your-own-data", "Bring your own data",
            (Parameter("example_data", "path", "data/examples/roi.csv",
                       "the small file the worked example runs `evalpatterns run` on"),
             Parameter("example_baseline_accuracy", "float", 0.6,
                       "the baseline accuracy the worked example passes with -p", 0, 1)),
            cost=5.0),  # runs `evalpatterns run` (a second kernel and a Sphinx page) inside itself
    Chapter("api", "The Python API",
            tuple(_data(k) for k in _findings.module("sl-vs-rl").DATA)),  # the worked example's finding
)

BY_ID = {c.id: c for c in CHAPTERS}


def get(chapter_id: str) -> Chapter:
    """The chapter named ``chapter_id``; KeyError listing the valid ids otherwise."""
    if chapter_id not in BY_ID:
        import difflib

        near = difflib.get_close_matches(chapter_id, BY_ID, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise KeyError(f"unknown chapter '{chapter_id}'{hint}; valid ids: {', '.join(BY_ID)}")
    return BY_ID[chapter_id]
