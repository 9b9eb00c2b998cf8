"""What every finding shares: its parameters, its computed conclusion, and the data it reads.

Each finding module (``findings.capability`` ... ``findings.memorization``) defines

- ``Params``: a frozen dataclass whose fields, declared with :func:`param`, are the only place the finding's
  defaults live (the chapter's ``parameters`` cell, ``evalpatterns list``, the audit and the summary read
  them from there);
- ``Result``: a frozen dataclass holding every number, table and figure input the chapter shows, and a
  :class:`Conclusion`;
- ``analyse(data, params) -> Result``, where ``data`` maps a data kind (``"roi"``) to its loaded frame;
- ``DATA`` (the data kinds it reads), ``CHAPTER`` (its chapter id), ``NUMBER`` (its number in the post),
  ``QUESTION`` (the chapter's title: the question, not the post's answer) and ``CLAIM`` (the post's claim,
  quoted).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "supported", "contradicted", "inconclusive"
VERDICTS = (SUPPORTED, CONTRADICTED, INCONCLUSIVE)
#: Significance level of every test a conclusion states, and the level of every interval the book shows.
ALPHA = 0.05
CONFIDENCE = 0.95


def param(default, help: str, minimum: float | None = None, maximum: float | None = None):
    """A ``Params`` field: its default, what it means, and its allowed range."""
    return field(default=default, metadata={"help": help, "minimum": minimum, "maximum": maximum})


@dataclass(frozen=True)
class Conclusion:
    """What the data show about the post's pattern.

    ``verdict`` is ``supported``, ``contradicted`` or ``inconclusive``; ``test`` names the rule or test that
    decided it (stated so a reader can check it); ``statistic`` is the headline number (``shown`` formats it,
    with its interval where there is one); ``p_value`` is the test's p-value where a test applies; ``reason``
    says, in a sentence computed from the data, why the verdict is what it is.
    """

    verdict: str
    test: str
    statistic: float | None
    shown: str
    reason: str
    p_value: float | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}; got {self.verdict!r}")
        for name in ("statistic", "p_value"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, (int, float)):
                raise TypeError(f"{name} must be a number or None; got {v!r}")
            if isinstance(v, float) and math.isnan(v):
                object.__setattr__(self, name, None)

    def as_dict(self) -> dict:
        """The conclusion's fields as a plain dict."""
        return dataclasses.asdict(self)


def params_fields(params_cls) -> list[dataclasses.Field]:
    return list(dataclasses.fields(params_cls))


def with_params(params_cls, values: dict):
    """A ``params_cls`` from the names in ``values`` it knows (others are ignored)."""
    names = {f.name for f in dataclasses.fields(params_cls)}
    return params_cls(**{k: v for k, v in values.items() if k in names})


@dataclass(frozen=True)
class EvalSetMismatch:
    """Values a finding compares that were measured on different eval sets (``eval_set``), so that they are
    not directly comparable: ``compared`` names what is compared (``"Model Switch against the baseline"``),
    ``eval_sets`` the distinct eval sets named, in the order the compared values come."""

    compared: str
    eval_sets: tuple[str, ...]


def _empty(v) -> bool:
    import pandas as pd

    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def eval_sets(values) -> tuple[str, ...]:
    """The distinct eval-set names among ``values`` (a column's cells), in order; empty cells are skipped."""
    out: list[str] = []
    for v in values:
        name = "" if _empty(v) else str(v).strip()
        if name and name not in out:
            out.append(name)
    return tuple(out)


def eval_set_cells(frame) -> list:
    """The ``eval_set`` cells of a frame or row (empty when it has no such column)."""
    if frame is None or "eval_set" not in frame:
        return []
    cells = frame["eval_set"]
    return list(cells) if hasattr(cells, "__iter__") and not isinstance(cells, str) else [cells]


def eval_set_mismatch(compared: str, *groups) -> EvalSetMismatch | None:
    """An :class:`EvalSetMismatch` when the compared values (each group: the ``eval_set`` cells of one side)
    name at least two different eval sets; None when the eval sets are equal, or absent on a side (nothing
    is known to differ). Example: ``eval_set_mismatch("x", ["subset-50"], ["full-200"])`` names both."""
    per_side = [eval_sets(g) for g in groups]
    if len(per_side) > 1 and any(not s for s in per_side):
        return None
    names = eval_sets(n for s in per_side for n in s)
    return EvalSetMismatch(compared, names) if len(names) > 1 else None
