"""How many examples a Hypothesis property runs: its own number, or fewer under the "ci" profile.

Every property here is costly (each example analyses a generated data set), so CI runs them on the profile's
smaller number (tests/conftest.py registers the "ci" profile and loads it when CI is set); elsewhere the
default profile's 100 leaves each property its own number."""
from __future__ import annotations

from hypothesis import settings


def examples(own: int) -> int:
    """``own``, capped by the loaded profile's ``max_examples``."""
    return min(own, settings.default.max_examples)
