"""Options of ``evalpatterns run`` and ``build`` that reach the chapters' kernels through the environment, read
without importing the analysis libraries (the command line sets them before it starts a kernel).

``--figure-format`` is ``EVALPATTERNS_FIGURE_FORMAT``; ``--engine`` is ``EVALPATTERNS_ENGINE`` (read by
:mod:`evalpatterns.engine.backends`); ``--fresh-kernels`` is ``EVALPATTERNS_FRESH_KERNELS`` (read by
:func:`evalpatterns.book.execute.fresh_kernels_default`).
"""
from __future__ import annotations

import os

#: ``--figure-format`` (``evalpatterns run`` and ``build``) reaches the chapters' kernels through this variable.
FIGURE_FORMAT_VARIABLE = "EVALPATTERNS_FIGURE_FORMAT"
FIGURE_FORMATS = ("png", "svg")


def parse_figure_formats(text) -> tuple[str, ...]:
    """``"png"``, ``"svg"`` or ``"png,svg"`` (in either order) as the formats to write, in ``FIGURE_FORMATS``'
    order; ValueError saying what is expected otherwise."""
    names = [n.strip().lower() for n in str(text).split(",")]
    if not names or any(n not in FIGURE_FORMATS for n in names) or len(set(names)) != len(names):
        raise ValueError(f"--figure-format expects png, svg or png,svg; got {text!r}")
    return tuple(f for f in FIGURE_FORMATS if f in names)


def figure_formats() -> tuple[str, ...]:
    """The formats figures are written in: ``EVALPATTERNS_FIGURE_FORMAT``, else both."""
    return parse_figure_formats(os.environ.get(FIGURE_FORMAT_VARIABLE) or ",".join(FIGURE_FORMATS))


#: ``--engine`` (``evalpatterns run`` and ``build``) reaches the chapters' kernels through this variable.
ENGINE_VARIABLE = "EVALPATTERNS_ENGINE"


def engine_choice() -> str:
    """``--engine`` as the chapters' kernels read it (:func:`evalpatterns.engine.backends.default_engine`): the
    variable's value, else ``default`` where it is unset or empty (then each data file decides: pandas for a
    small CSV file, DuckDB otherwise, which the file's content settles)."""
    return os.environ.get(ENGINE_VARIABLE) or "default"


def fresh_kernels_default(choice: bool | None = None) -> bool:
    """Whether every chapter gets a new kernel: ``choice`` when given, else EVALPATTERNS_FRESH_KERNELS set to
    1/true/yes."""
    if choice is not None:
        return choice
    return os.environ.get("EVALPATTERNS_FRESH_KERNELS", "").strip().lower() in ("1", "true", "yes")
