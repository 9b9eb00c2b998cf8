"""A finding's chapter page in a few calls: load its data, analyse, glue its words, audit the post's claims.

A chapter's code cells stay short::

    data = page.load(roi_finding.DATA, roi_csv=roi_csv)
    result = roi_finding.analyse(data, roi_finding.Params(baseline_accuracy=baseline_accuracy))
    page.show(result, words.roi)
    audited = page.audit(claims_csv, result)

:func:`show` also glues ``data_files_text``, the files the page actually ran on, naming those that are
the book's own; :func:`audit` returns None when the audit is switched off (``claims_csv`` empty).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import audit as _audit
from . import io, report
from .chapters import ROOT
from .words.audit import audit_values

BOOK_DATA = ROOT / "data"


def _is_books(path) -> bool:
    try:
        return Path(path).resolve().parent == BOOK_DATA.resolve()
    except OSError:
        return False


def _shown_path(path) -> str:
    p = Path(path)
    return f"data/{p.name}" if _is_books(p) else str(p)


class Loaded(dict):
    """Frames by data kind, remembering the file each came from (``paths``)."""

    paths: dict[str, str]


def load(kinds, optional=(), **paths) -> Loaded:
    """Load every data kind in ``kinds`` from ``paths[f"{kind}_csv"]``, and each kind in ``optional`` whose
    path is given and not empty (an optional kind not given is absent from the result). A ``distillation``
    step log or the ``memorization`` per-seed rows in Parquet (a file or a folder) are not loaded but left on
    the engine (:class:`evalpatterns.engine.steplog.StepLog`, :class:`evalpatterns.engine.seedrows.SeedRows`;
    DuckDB unless ``EVALPATTERNS_ENGINE`` says spark, or pandas: then it is loaded), where the finding reads
    only what it needs."""
    from .engine.backends import default_engine, is_parquet
    from .engine.seedrows import SeedRows
    from .engine.steplog import StepLog

    on_engine = {"distillation": StepLog, "memorization": SeedRows}  # neither imports Ibis until used
    out = Loaded()
    out.paths = {}
    for kind in tuple(kinds) + tuple(k for k in optional if str(paths.get(f"{k}_csv") or "").strip()):
        path = paths[f"{kind}_csv"]
        if kind in on_engine and is_parquet(path) and default_engine(path) != "pandas":
            out[kind] = on_engine[kind](path)
        else:
            out[kind] = io.load(kind, path)
        out.paths[kind] = str(path)
    return out


def data_files_values(paths: dict[str, str]) -> dict:
    """Which files the page ran on: ``data_files_text`` names each (plain text: a path from the reader's data
    is never read as markup), and says which are the book's own."""
    from .words.common import join

    own = [_shown_path(p) for p in paths.values() if _is_books(p)]
    text = "This page ran on " + join([_shown_path(p) for p in paths.values()])
    if own and len(own) < len(paths):
        text += "; " + join(own) + (" is" if len(own) == 1 else " are") + " the book's own data"
    elif own:
        text += " (the book's own data)"
    return {"data_files_text": text, "book_data": len(own) == len(paths)}


def show(result, words_module, data: Loaded | None = None) -> dict:
    """Glue every value ``words_module.values(result)`` gives (and the data files the page ran on)."""
    import sys

    values = dict(words_module.values(result))
    claim = getattr(sys.modules.get(type(result).__module__), "CLAIM", None)
    if claim:  # the post's claim, quoted from the finding module (the verdict tables quote the same text)
        values["claim_text"] = claim
    if data is not None and getattr(data, "paths", None):
        values.update(data_files_values(data.paths))
    return report.glue_all(values)


def audit(claims_csv: str, *results, data: Loaded | None = None, finding: int | None = None,
          prefix: str = "claims", paths: dict | None = None) -> pd.DataFrame | None:
    """The post's claims on ``results``' findings recomputed (None and nothing glued when ``claims_csv`` is
    empty: the audit switched off). Glues the audit's counts and title, which says whether the data files
    (``paths`` by kind, or those ``data`` was loaded from) are the post's own or the reader's."""
    if not str(claims_csv or "").strip():
        report.glue_all({f"{prefix}_on": False, f"{prefix}_title_text": "The post's claims are not checked here",
                         f"{prefix}_text": "the audit is switched off (claims_csv is empty)"})
        return None
    register = io.load("claims", claims_csv)
    ctx = _audit.Context.from_results(results)
    audited = _audit.audit(register, ctx, finding)
    paths = paths if paths is not None else getattr(data, "paths", None) or {}
    own = all(_is_books(p) for p in paths.values())
    report.glue_all(audit_values(audited, prefix=prefix, own_data=own))
    return audited


def claims_table(audited: pd.DataFrame | None, name: str) -> None:
    """The audit as the reader meets it: table ``name`` lists the claims that do not hold, worst first; the
    claims that hold follow in table ``name-holds``, folded behind a toggle whose bar counts them. When every
    claim holds, a sentence says so and the folded table takes ``name`` (so references to it resolve); a
    sentence before the fold points to it. With the audit switched off, an empty table ``name`` says so."""
    from IPython.display import Markdown, display

    from . import tables
    from .words import audit as audit_words

    if audited is None:
        report.table(pd.DataFrame(columns=["Claim", "Claimed", "Recomputed", "Verdict", "Reason"]), name,
                     "The audit of the post's claims is switched off (claims_csv is empty).")
        return
    failing, holding = tables.claims_by_outcome(audited)
    if len(failing) or not len(holding):
        report.table(tables.claims_display(failing), name, audit_words.FAILING_CAPTION, data=failing)
    if len(holding):
        holds_name = f"{name}-holds" if len(failing) else name
        display(Markdown(audit_words.holds_text(len(holding), len(audited), f"{{numref}}`{holds_name}`")))
        report.table(tables.claims_display(holding), holds_name, audit_words.HOLDING_CAPTION, data=holding,
                     fold=audit_words.fold_text(len(holding)))


def chapter_parameters(namespace: dict, chapter_id: str) -> dict:
    """The values of a chapter's parameters as its notebook holds them (``globals()`` of the chapter)."""
    from .chapters import get

    return {p.name: namespace[p.name] for p in get(chapter_id).parameters if p.name in namespace}


def data_paths(params: dict) -> dict:
    """The data files among a chapter's parameters, by kind (``{"roi": ".../roi.csv", ...}``)."""
    from .chapters import DATA_KINDS, OPTIONAL_KINDS

    return {k: params[f"{k}_csv"] for k in DATA_KINDS + OPTIONAL_KINDS if params.get(f"{k}_csv")}


def all_results(params: dict) -> list:
    """Every finding's result, in the post's order, on the data files and parameters in ``params``
    (``<kind>_csv`` paths and each finding's parameters by name)."""
    from . import findings
    from .findings.base import with_params

    out = []
    for m in findings.modules():
        data = load(m.DATA, getattr(m, "OPTIONAL_DATA", ()), **params)
        out.append(m.analyse(data, with_params(m.Params, params)))
    return out


def _finding_link(m) -> report.Markup:
    return report.doc_link(m.QUESTION, m.CHAPTER)


def verdict_table(results) -> pd.DataFrame:
    """One row per finding: the post's claim, what the data show, the headline number, a link."""
    import sys

    rows = []
    for r in results:
        m = sys.modules[type(r).__module__]
        c = r.conclusion
        headline = c.shown if c.statistic is not None else "\u2014"
        from .words.common import p_text

        if c.p_value is not None:
            headline += f" ({p_text(c.p_value)})"
        rows.append({"Finding": _finding_link(m), "The post's claim": m.CLAIM,
                     "What the data show": f"{c.verdict}: {c.reason}", "Headline number": headline})
    return pd.DataFrame(rows)


def finding(module, namespace: dict):
    """Load a finding's data and analyse it with the chapter's parameters (taken from ``namespace``, the
    chapter's ``globals()`` or any dict of parameter values): ``(data, result)``."""
    from .findings.base import with_params

    params = chapter_parameters(namespace, module.CHAPTER)
    data = load(module.DATA, getattr(module, "OPTIONAL_DATA", ()), **params)
    return data, module.analyse(data, with_params(module.Params, params))


def eval_set_caveat(result, field: str = "eval_sets") -> None:
    """Under a comparison: a note naming the compared values that come from different eval sets (from
    ``result.<field>``, in the words of :func:`evalpatterns.words.common.eval_set_caveat`); nothing at all
    when the eval sets are equal or not recorded."""
    from IPython.display import Markdown, display

    from .words.common import eval_set_caveat as caveat

    text = caveat(getattr(result, field, ()))
    if text:
        display(Markdown(f":::{{note}}\n{report.escape(text)}\n:::"))
