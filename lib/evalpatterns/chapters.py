"""The book's chapters: ids, sources, the data each reads, and their typed parameters.

This registry is the one place that names chapters; the build, the command line and the tests read it, and
a test checks that each notebook's ``parameters`` cell declares exactly these names and defaults.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .findings import collapse as collapse_finding
from .findings import roi as roi_finding

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


def from_params(params_cls) -> tuple[Parameter, ...]:
    """The chapter parameters of a finding's ``Params`` (its fields, defaults, help and ranges)."""
    out = []
    for f in dataclasses.fields(params_cls):
        kind = str(f.type).replace(" | None", "").strip()
        out.append(Parameter(f.name, kind, f.default, f.metadata["help"], f.metadata.get("minimum"),
                             f.metadata.get("maximum")))
    return tuple(out)


SMALL_B = Parameter("small_b", "float", 3.0, "the smaller model size compared, in billions of parameters", 0)
LARGE_B = Parameter("large_b", "float", 8.0, "the larger model size compared, in billions of parameters", 0)
COMPLETE_BELOW = Parameter("complete_below", "float", 0.01,
                           "eval score at or below which every post-transition step means complete collapse", 0)
PARTIAL_DROP = Parameter("partial_drop", "float", 0.25,
                         "relative drop of eval score across the transition that counts as partial collapse", 0, 1)
MIN_FIT_POINTS = Parameter("min_fit_points", "int", 4,
                           "fewest measured points on which a power-law exponent is reported as supported", 2)
BARS_N = Parameter("bars_n", "int", 100, "problem size N shown in the SL-vs-RL bar chart", 1)

CHAPTERS: tuple[Chapter, ...] = (
    Chapter("introduction", "Five patterns from 250+ ML evaluation runs",
            tuple(_data(k) for k in ("capability", "mode_collapse", "roi", "distillation", "memorization",
                                     "effect_sizes"))
            + (Parameter("book_parameters", "str", "{}",
                         "JSON of every chapter's parameters, filled in by `evalpatterns build` for the front "
                         "page's record of what the book was built from"),)),
    Chapter("capability-cliff", "Finding 1: the 3B capability cliff",
            (_data("capability"), _data("claims"), SMALL_B, LARGE_B)),
    Chapter("mode-collapse", collapse_finding.QUESTION,
            (_data("mode_collapse"), _data("claims")) + from_params(collapse_finding.Params)),
    Chapter("model-switch-roi", roi_finding.QUESTION,
            (_data("roi"), _data("claims")) + from_params(roi_finding.Params)),
    Chapter("hybrid-distillation", "Finding 4: hybrid distillation collapse",
            (_data("distillation"), _data("claims"), COMPLETE_BELOW, PARTIAL_DROP)),
    Chapter("sl-vs-rl", "Finding 5: supervised learning against RL",
            (_data("memorization"), _data("effect_sizes"), _data("claims"), BARS_N, MIN_FIT_POINTS)),
    Chapter("summary", "Summary: the dashboard, five takeaways and the audit",
            (_data("capability"), _data("mode_collapse"), _data("roi"), _data("distillation"),
             _data("memorization"), _data("effect_sizes"), _data("claims"), SMALL_B, LARGE_B)
            + from_params(collapse_finding.Params) + from_params(roi_finding.Params) + (COMPLETE_BELOW, PARTIAL_DROP, BARS_N, MIN_FIT_POINTS),
            cost=2.0),
    Chapter("bring-your-own-data", "Bring your own data",
            (Parameter("example_data", "path", "data/examples/roi.csv",
                       "the small file the worked example runs `evalpatterns run` on"),
             Parameter("example_baseline_accuracy", "float", 0.6,
                       "the baseline accuracy the worked example passes with -p", 0, 1)),
            cost=5.0),  # runs `evalpatterns run` (a second kernel and a Sphinx page) inside itself
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
