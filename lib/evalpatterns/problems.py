"""What a data file can be found to have wrong: :class:`Problem` and :class:`DataError`.

Public through :mod:`evalpatterns.io`, which re-exports both; they live here so that the readers
(:mod:`evalpatterns.csvread`) and the checks (:mod:`evalpatterns.rowrules`) can name them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file. ``line`` is the 1-based line in the file (header = line 1)."""

    file: str
    line: int | None
    column: str | None
    expected: str
    found: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: expected {self.expected}; found {self.found}"


class DataError(ValueError):
    """Raised when a data file does not meet its schema; ``problems`` lists every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
