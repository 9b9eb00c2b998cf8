"""The five findings, each one analysis (``findings.capability`` ... ``findings.memorization``), and the
Python API that runs one on a folder of data::

    from evalpatterns import findings
    result = findings.analyse("model-switch-roi", data_dir="my-runs/", baseline_accuracy=0.6)
    result.conclusion.verdict        # 'supported', 'contradicted' or 'inconclusive'
    result.table                     # every number the chapter shows is on the result

A finding is named by its chapter id (``"sl-vs-rl"``), its module name (``"memorization"``) or its number
in the post (``5``).
"""
from __future__ import annotations

import dataclasses

import importlib
from pathlib import Path

from .base import CONTRADICTED, INCONCLUSIVE, SUPPORTED, Conclusion, with_params

#: module names in the post's order of findings, and their chapters
NAMES = ("capability", "collapse", "roi", "distillation", "memorization")
CHAPTERS = ("capability-cliff", "mode-collapse", "model-switch-roi", "hybrid-distillation", "sl-vs-rl")
BOOK_DATA = Path(__file__).resolve().parents[3] / "data"

__all__ = ["CONTRADICTED", "INCONCLUSIVE", "SUPPORTED", "Conclusion", "NAMES", "analyse", "load", "module",
           "modules"]


def modules() -> list:
    """Every finding module, in the post's order."""
    return [importlib.import_module(f"{__name__}.{n}") for n in NAMES]


def module(name):
    """The finding module named ``name``: its chapter id (``"sl-vs-rl"``), module name (``"memorization"``) or
    number in the post (``5`` or ``"5"``). Its ``Params``, ``Result``, ``analyse(data, params)`` and ``DATA``
    (the data kinds it reads) are documented below. Raises KeyError listing the valid names."""
    for number, (module_name, chapter) in enumerate(zip(NAMES, CHAPTERS), start=1):
        if name in (chapter, module_name, number, str(number)):
            return importlib.import_module(f"{__name__}.{module_name}")
    raise KeyError(f"unknown finding {name!r}; valid: {', '.join(CHAPTERS)}")


def load(m, data_dir=None, **paths) -> dict:
    """The data finding module ``m`` reads, as ``{kind: DataFrame}`` for its ``analyse``: for each kind in
    ``m.DATA``, the file ``paths[f"{kind}_csv"]`` if given, else ``data_dir/<kind>.csv``, else the book's own
    ``data/<kind>.csv``; each loaded and checked by :func:`evalpatterns.io.load`. An optional kind
    (``m.OPTIONAL_DATA``) given as '' or absent from ``data_dir`` is left out."""
    from .. import io

    out = {}
    for kind in m.DATA:
        path = paths.get(f"{kind}_csv")
        if path is None and data_dir is not None:
            path = Path(data_dir) / f"{kind}.csv"
        out[kind] = io.load(kind, path if path is not None else BOOK_DATA / f"{kind}.csv")
    for kind in getattr(m, "OPTIONAL_DATA", ()):  # optional inputs: an empty path, or none in data_dir, is not given
        path = paths.get(f"{kind}_csv")
        if path is None:
            path = Path(data_dir) / f"{kind}.csv" if data_dir is not None else BOOK_DATA / f"{kind}.csv"
            path = path if path.exists() else ""
        if str(path).strip():
            out[kind] = io.load(kind, path)
    return out


def analyse(name, data_dir=None, **params):
    """Run one finding on your data and return its result.

    ``name`` names the finding as :func:`module` does (``"sl-vs-rl"``, ``"memorization"`` or ``5``). Each data
    file it reads is ``<kind>_csv=PATH`` when given (``memorization_csv="runs.parquet"``), else
    ``data_dir/<kind>.csv``, else the book's own file (see :func:`load`); a file that does not meet the data
    contract raises :class:`evalpatterns.io.DataError` naming every problem. The other keyword arguments are
    the finding's ``Params`` by name (its defaults for the rest); any other name is a ``TypeError`` that
    lists the names the finding takes (a misspelt parameter is never silently dropped).

    Returns the finding's frozen ``Result``: every table and number its chapter shows, and ``conclusion``, a
    :class:`~evalpatterns.findings.base.Conclusion`. For example::

        result = analyse("model-switch-roi", data_dir="my-runs", baseline_accuracy=0.6)
        result.conclusion.verdict    # 'supported', 'contradicted' or 'inconclusive'
    """
    m = module(name)
    known = [f.name for f in dataclasses.fields(m.Params)] + [f"{k}_csv" for k in
                                                             (*m.DATA, *getattr(m, "OPTIONAL_DATA", ()))]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise TypeError(f"analyse({m.CHAPTER!r}) takes no {', '.join(map(repr, unknown))}; it takes "
                        f"{', '.join(known)}")
    data = load(m, data_dir, **{k: v for k, v in params.items() if k.endswith("_csv")})
    return m.analyse(data, with_params(m.Params, params))
