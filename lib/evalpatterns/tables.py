"""The post's tables as display frames: analysis results formatted for people, one function per table.

Each function takes analysis results (never files) and returns a frame of strings whose numbers all come
from the inputs through :mod:`evalpatterns.formatting`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import formatting as fmt
from .memorization import METHOD_LABELS

STATUS_WORDS = {"measured": "measured", "figure": "read off a figure", "illustrative": "illustrative, no run",
                "pending": "pending, no run"}


def _score(value: float, scale_max: float) -> str:
    return fmt.pct(value / scale_max) if scale_max == 1 else f"{fmt.number(value, 1)}/{fmt.number(scale_max)}"


def interval_column(frame: pd.DataFrame, value: str = "accuracy") -> list[str]:
    """95% intervals of accuracies: Wilson's where the denominator is known (n_correct of n_eval), else the
    normal interval from a reported standard error (``stderr``, beside ``value``, on a 0-1 scale); a dash where
    neither is known."""
    from .stats import stderr_interval, wilson_interval

    def column(name):
        return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)

    out = []
    for k, n, v, se in zip(column("n_correct"), column("n_eval"), column(value), column("stderr")):
        if not (pd.isna(k) or pd.isna(n)):
            w = wilson_interval(int(k), int(n))
            out.append(f"{fmt.pct(w.low, 1)}\u2013{fmt.pct(w.high, 1)} ({int(k)}/{int(n)})")
        elif not (pd.isna(v) or pd.isna(se)):
            w = stderr_interval(float(v), float(se))
            out.append(f"{fmt.pct(float(w.low), 1)}\u2013{fmt.pct(float(w.high), 1)} (s.e. {fmt.pct(float(se), 1)})")
        else:
            out.append("\u2014")
    return out


def claims_display(audited: pd.DataFrame) -> pd.DataFrame:
    """The audit of a finding's claims: claim, claimed, recomputed, verdict (as a badge), reason."""
    from .report import badge

    return pd.DataFrame({
        "Claim": [f"{q} ({s})" if s != "post" else q for q, s in zip(audited["quote"], audited["source"])],
        "Claimed": audited["claimed"], "Recomputed": audited["recomputed"],
        "Verdict": pd.Series([badge(v) for v in audited["verdict"]], index=audited.index, dtype=object),
        "Reason": audited["reason"],
    })


FAILING_ORDER = {"differs": 0, "unsupported": 1, "rounding": 2}  # worst first; any other verdict after these


def claims_by_outcome(audited: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(failing, holding)``: the audited claims whose verdict is not ``holds``, worst first (differs,
    unsupported, rounding; by finding within a verdict, else in the register's order), and those that hold."""
    holds = audited["verdict"].eq("holds")
    failing = audited[~holds]
    order = failing["verdict"].map(FAILING_ORDER).fillna(len(FAILING_ORDER))
    failing = failing.assign(_order=order).sort_values(["_order", "finding"], kind="stable").drop(columns="_order")
    return failing, audited[holds]


def _capability_cell(rows: list[tuple], higher: bool) -> str:
    """One size's cell of :func:`capability_table` from its rows ``(stage, status, value, scale_max)`` in file
    order: the measured score (base -> trained where both, named in the direction of better), else what the
    value is ('illustrative', 'pending'), else 'no data'."""
    from .words.capability import change_word

    if not rows:
        return "no data"
    measured = [r for r in rows if r[1] == "measured"]
    if not measured:
        return STATUS_WORDS[rows[-1][1]].split(",")[0]
    by_stage = {r[0]: r for r in measured}
    if {"base", "trained"} <= set(by_stage):
        (_, _, bv, bs), (_, _, tv, ts) = by_stage["base"], by_stage["trained"]
        better = (tv / ts - bv / bs) * (1 if higher else -1)
        return f"{_score(bv, bs)} \u2192 {_score(tv, ts)} ({change_word(better > 0, better < 0)})"
    return _score(measured[0][2], measured[0][3])


def capability_table(capability: pd.DataFrame, small_b: float = 3, large_b: float = 8) -> pd.DataFrame:
    """Finding 1's table: each task's score at the two sizes, training changes and what is not measured.

    Only tasks with at least one measured value at either size are listed (as in the post), in the order of
    their first such value. A task whose lower scores are better says so, and its training change is named
    in that direction. One pass over the rows (no filtering per task), so 10^3 tasks take a fraction of a
    second.
    """
    from .capability import higher_is_better
    from .words.capability import lower_note

    direction = higher_is_better(capability)
    measured = capability["status"].eq("measured") & capability["params_b"].isin([small_b, large_b])
    tasks = list(dict.fromkeys(zip(capability.loc[measured, "project"], capability.loc[measured, "task"])))
    higher, cells = {}, {}
    columns = [capability[c] for c in ("project", "task", "params_b", "stage", "status", "value", "scale_max")]
    for (project, task, size, stage, status, value, scale_max), h in zip(zip(*columns), direction):
        higher.setdefault((project, task), bool(h))
        if size in (small_b, large_b):
            cells.setdefault((project, task, size), []).append((stage, status, value, scale_max))
    rows = [[project, task + lower_note(higher[(project, task)]),
             *(_capability_cell(cells.get((project, task, size), []), higher[(project, task)])
               for size in (small_b, large_b))] for project, task in tasks]
    return pd.DataFrame(rows, columns=["Project", "Task", f"{fmt.size(small_b)} performance",
                                       f"{fmt.size(large_b)} performance"])


def gap_table(gaps: pd.DataFrame, changes: pd.DataFrame, small_b: float = 3, large_b: float = 8) -> pd.DataFrame:
    """Derived columns of Finding 1 (:func:`evalpatterns.capability.comparisons`, formatted): the size gap in
    points and the training change in points and percent, and which side is better in the task's direction
    of better."""
    from .capability import comparisons
    from .words.capability import better_label, lower_note

    rows = []
    for r in comparisons(gaps, changes, small_b, large_b).itertuples():
        size = r.comparison == "size"
        to, frm = (fmt.size(r.to_b), fmt.size(r.from_b)) if size else ("trained", "base")
        rows.append([r.task + lower_note(r.higher_is_better),
                     f"{frm} \u2192 {to}" if size else f"{fmt.size(r.from_b)} base \u2192 trained",
                     fmt.pct(r.from_share), fmt.pct(r.to_share), fmt.points(r.change_points),
                     "\u2014" if pd.isna(r.relative_change) else fmt.pct(r.relative_change, 1),
                     better_label(r.advantage_points, to, frm)])
    return pd.DataFrame(rows, columns=["Task", "Comparison", "From", "To", "Change (points)", "Relative change",
                                       "Better"])


def collapse_table(classified: pd.DataFrame) -> pd.DataFrame:
    """Finding 2's table: each attempt's settings, accuracy (its range when only a range is known), typical
    output and whether it collapsed (``unknown`` for a range that straddles the collapse line)."""
    outcome = classified.get("outcome", classified["collapsed"].map(lambda c: "no run" if pd.isna(c) else ""))
    runs = classified[outcome != "no run"].sort_values("attempt")
    accuracy = [fmt.pct_range(r["accuracy_low"], r["accuracy_high"], 1) if r.get("is_range", False)
                else fmt.pct(r["accuracy"], 1) for _, r in runs.iterrows()]

    out = pd.DataFrame({
        "Attempt": runs["attempt"].map(lambda a: fmt.NA if pd.isna(a) else str(int(a))),
        "Learning rate": runs["learning_rate"].map(fmt.sci),
        "Rank": runs["lora_rank"].map(lambda r: str(int(r))),
        "Samples": runs["samples"].map(lambda s: fmt.NA if pd.isna(s) else fmt.number(s)),
        "Accuracy": accuracy,
        "95% interval": interval_column(runs),
        "Typical output": runs["sample_output"].map(lambda s: "\u2014" if s is None or pd.isna(s) else f'"{s}"'),
        "Collapsed?": runs["collapsed"].map(lambda c: "unknown" if pd.isna(c) else ("YES" if c else "NO")),
    })
    return out.reset_index(drop=True)


def roi_display(table: pd.DataFrame) -> pd.DataFrame:
    """Finding 3's table: time, accuracy, change against the baseline and ROI of every attempt."""
    def acc(r):
        return fmt.pct_range(r.accuracy_low, r.accuracy_high) if r.is_range else fmt.pct(r.accuracy_point, 1)

    def roi(r):
        if r.is_range:
            return f"{fmt.points(r.roi_low, 2)} to {fmt.points(r.roi_high, 2)}"
        return fmt.points(r.roi, 2)

    def change(r):
        if r.is_range:
            return f"{fmt.points(r.change_low, 1)} to {fmt.points(r.change_high, 1)}"
        return fmt.points(r.change_points, 1)

    return pd.DataFrame({
        "Approach": table["approach"],
        "Time": table["minutes"].map(fmt.duration),
        "Accuracy": [acc(r) for r in table.itertuples()],
        "95% interval": interval_column(table, "accuracy_point"),
        "Change (points)": [change(r) for r in table.itertuples()],
        "ROI (points/min)": [roi(r) for r in table.itertuples()],
    })


def switch_display(summary) -> pd.DataFrame:
    """The switch-vs-training comparison: totals, ROI, and both ratios (stated formula and gains only)."""
    return pd.DataFrame([
        ["All training attempts", fmt.duration(summary.training_minutes),
         fmt.points(summary.training_gain_points, 1), fmt.number(summary.training_roi, 4)],
        ["Model switch", fmt.duration(summary.switch_minutes), fmt.points(summary.switch_gain_points, 1),
         fmt.number(summary.switch_roi, 2)],
        ["Ratio, switch / training (ROI: the post's formula)", "\u2014", fmt.ratio(summary.gain_ratio),
         fmt.ratio(summary.roi_ratio)],
    ], columns=["", "Time", "Accuracy gain (points)", "ROI (points/min)"])


def log_excerpt(log: pd.DataFrame, run: str, statuses: tuple[str, ...] = ("measured",)) -> pd.DataFrame:
    """Finding 4's log excerpt: the logged (measured) steps of one run, or all its steps when none is."""
    part = log[(log["run"] == run) & log["status"].isin(statuses)].sort_values("step")
    if part.empty:
        part = log[log["run"] == run].sort_values("step")

    def num(x, d):
        return "\u2014" if pd.isna(x) else fmt.number(x, d)
    return pd.DataFrame({
        "Step": part["step"].map(lambda s: str(int(s))),
        "Phase": part["phase"].map({"off_policy": "off-policy", "on_policy": "on-policy"}),
        "loss": part["loss"].map(lambda x: num(x, 4 if pd.notna(x) and abs(x) < 1 else 2)),
        "score": part["score"].map(lambda x: num(x, 3)),
        "kl": part["kl"].map(lambda x: num(x, 4)),
        "eval_score": part["eval_score"].map(lambda x: num(x, 3)),
    }).reset_index(drop=True)


def severity_table(transitions: pd.DataFrame, by_gap: bool = True) -> pd.DataFrame:
    """Finding 4's gap / family / result / severity table, with the transition and KL spike behind it; rows by
    gap, largest first (``by_gap``), else in the order given."""
    t = transitions.sort_values("gap", ascending=False) if by_gap else transitions

    def result(r):
        if pd.isna(r.eval_after_min):
            return fmt.NA
        lo, hi = fmt.number(r.eval_after_min, 2), fmt.number(r.eval_after_max, 2)
        return f"\u2192 {lo}" if lo == hi else f"\u2192 {lo}\u2013{hi}"

    return pd.DataFrame({
        "Gap": [f"{fmt.ratio(r.gap)} ({r.student} \u2192 {r.teacher})"
                for r in t.itertuples()],
        "Family": t["family"],
        "Transition step": t["transition_step"].map(lambda s: "none" if pd.isna(s) else str(int(s))),
        "KL before \u2192 at": [f"{fmt.number(r.kl_before, 3)} \u2192 {fmt.number(r.kl_at, 4)}"
                                for r in t.itertuples()],
        "KL spike": t["kl_spike_ratio"].map(fmt.ratio),
        "Eval before": t["eval_before"].map(lambda x: fmt.number(x, 3)),
        "Result": [result(r) for r in t.itertuples()],
        "Severity": t["severity"].str.capitalize(),
    }).reset_index(drop=True)


def episodes_display(table: pd.DataFrame, advantage: pd.DataFrame) -> pd.DataFrame:
    """Finding 5's table: episodes per method at each N, the SL advantage ratios, and where each row is from."""
    from .words.memorization import episodes_parts

    wide = table.pivot(index="n_values", columns="method", values="episodes")

    cells_of = table.set_index(["n_values", "method"])

    def count_cell(n, m) -> str:
        """``301 ep``, ``10,000+ ep``, or a mean of seeds with its 95% interval: ``16.5 ep (14.4–18.6)``."""
        text, interval = episodes_parts(cells_of.loc[(n, m)])
        return f"{text} ep" + (f" ({interval})" if interval else "")

    status = table.groupby("n_values")["status"].agg(lambda s: "measured" if s.eq("measured").all()
                                                     else STATUS_WORDS["figure"] if s.isin(["measured", "figure"]).all()
                                                     else "mixed")
    rows = []
    for n in wide.index:
        cells = [fmt.number(n)]
        for m in METHOD_LABELS:
            cells.append(count_cell(n, m) if m in wide and pd.notna(wide.loc[n, m]) else fmt.NA)
        adv = advantage[advantage["n_values"] == n].set_index("method")
        cells.append(" / ".join(_ratio_cell(adv.loc[m]) for m in METHOD_LABELS if m in adv.index) or fmt.NA)
        cells.append(status[n])
        rows.append(cells)
    return pd.DataFrame(rows, columns=["N (values)", *METHOD_LABELS.values(), "SL advantage", "Source"])


def _p_cell(p) -> str:
    """A recomputed p-value (Welch's t-test): ``< 0.001``, ``0.012``; a dash when there is none."""
    if p is None or pd.isna(p):
        return "\u2014"
    return "< 0.001" if p < 0.001 else fmt.number(p, 3)


def _ratio_cell(r) -> str:
    """An advantage ratio with its bound, and its 95% interval where seeds give one."""
    text = fmt.ratio(r["ratio"], lower_bound=bool(r["ratio_is_lower_bound"]))
    if bool(r.get("ratio_is_upper_bound", False)):
        text = "≤ " + text
    if pd.notna(r.get("ratio_low", float("nan"))) and pd.notna(r.get("ratio_high", float("nan"))):
        text += f" ({fmt.ratio(r['ratio_low'])}–{fmt.ratio(r['ratio_high'])})"
    return text


def effect_size_display(published: pd.DataFrame, recomputed: pd.DataFrame) -> pd.DataFrame:
    """Hedges' g: recomputed from per-seed data where it exists, else the published value."""
    rows = [[f"{METHOD_LABELS.get(r.method_a, r.method_a)} vs {METHOD_LABELS.get(r.method_b, r.method_b)}",
             fmt.number(r.n_values), fmt.decimal(r.hedges_g, 1),
             f"{fmt.decimal(r.ci_low, 1)} to {fmt.decimal(r.ci_high, 1)}", _p_cell(getattr(r, "p_value", None)),
             f"recomputed from {getattr(r, 'basis', 'per-seed rows')} ({int(r.n_a)} + {int(r.n_b)} seeds)"]
            for r in recomputed.itertuples()]
    from .memorization import effect_size_rows

    shown = effect_size_rows(published, recomputed)
    for r in shown[shown["kind"] == "published"].itertuples():
        bound = getattr(r, "p_value_bound", None)
        p = ("< " if bound == "upper" else "") + fmt.number(r.p_value, 3)
        rows.append([r.comparison, fmt.number(r.n_values), fmt.decimal(r.hedges_g, 1), "not available", p,
                     f"published ({r.source}); no per-seed data to recompute"])
    return pd.DataFrame(rows, columns=["Comparison", "N", "Hedges' g", "95% CI", "p", "Source"])


def _figure_cell(fit) -> str:
    """Whether a fit used values read off a figure: ``2 fitted``, ``3 left out`` or ``none``."""
    used, left = int(fit.get("n_figure_points", 0) or 0), int(fit.get("n_figure_left_out", 0) or 0)
    parts = ([f"{used} fitted"] if used else []) + ([f"{left} left out"] if left else [])
    return ", ".join(parts) or "none"


def scaling_display(fits: pd.DataFrame) -> pd.DataFrame:
    """Finding 5's scaling table: exponent with its interval, R², points used, lower bounds left out, and the
    values read off a figure that the fit used or left out."""
    def ci(r):
        return fmt.NA if pd.isna(r.ci_low) else f"{fmt.decimal(r.ci_low, 2)} to {fmt.decimal(r.ci_high, 2)}"
    return pd.DataFrame({
        "Method": fits["method"].map(METHOD_LABELS),
        "Exponent (\u03b2)": fits["exponent"].map(lambda x: fmt.decimal(x, 2)),
        "95% CI": [ci(r) for r in fits.itertuples()],
        "R\u00b2": fits["r_squared"].map(lambda x: fmt.decimal(x, 3)),
        "Points fitted": fits["n_points"].map(str),
        "Lower bounds left out": fits["n_lower_bounds_left_out"].map(str),
        "Read off a figure": [_figure_cell(r) for _, r in fits.iterrows()],
        "Complexity": fits["complexity"],
        "Note": fits["reason"],
    })


def provenance_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows by status in each data file: how much of the book rests on measurements."""
    rows = []
    for name, frame in frames.items():
        counts = frame["status"].value_counts()
        rows.append([name, *[str(int(counts.get(s, 0))) for s in STATUS_WORDS], str(len(frame))])
    return pd.DataFrame(rows, columns=["File", *[s for s in STATUS_WORDS], "Rows"])


def data_manifest(paths: dict[str, str]) -> pd.DataFrame:
    """The data a book was built from: each file's name, rows and SHA-256 (first 16 hex digits)."""
    from .io import file_sha256, load

    rows = [[Path(path).name, kind, fmt.number(len(load(kind, path))), file_sha256(path)[:16]]
            for kind, path in paths.items()]
    return pd.DataFrame(rows, columns=["File", "Kind", "Rows", "SHA-256 (first 16)"])


def parameter_manifest(book_parameters: dict) -> pd.DataFrame:
    """Every chapter's parameters as built (paths by file name), marking those that differ from the default."""
    from . import chapters as registry

    if not book_parameters:  # a chapter run on its own: the book's defaults
        book_parameters = {c.id: {k: v for k, v in c.defaults().items() if k != "book_parameters"}
                           for c in registry.CHAPTERS}
    rows = []
    for chapter_id, params in book_parameters.items():
        chapter = registry.get(chapter_id)
        for name, value in params.items():
            p = chapter.parameter(name)
            if p.type == "path":
                shown = Path(str(value)).name
                default = (registry.ROOT / str(value)).resolve() == (registry.ROOT / str(p.default)).resolve()
            else:
                shown, default = f"{value:g}" if isinstance(value, float) else str(value), value == p.default
            rows.append([chapter_id, name, shown, "default" if default else "changed"])
    return pd.DataFrame(rows, columns=["Chapter", "Parameter", "Value", "Default?"])


def schema_table(schema) -> pd.DataFrame:
    """A data file's columns: type, whether required, allowed values or range, unit and meaning."""
    rows = []
    for c in schema.columns:
        required = "yes" if c.required else "optional column"
        allowed = c.expectation() if (c.allowed or c.minimum is not None) else ""
        rows.append([c.name, c.kind, required, allowed, c.unit, c.description])
    return pd.DataFrame(rows, columns=["Column", "Type", "Value required", "Allowed", "Unit", "Meaning"])


def audit_by_finding(audited: pd.DataFrame) -> pd.DataFrame:
    """Claims per finding and verdict, each finding linked to its chapter (finding 0: the post as a whole)."""
    from . import findings
    from .audit.verdicts import VERDICTS
    from .report import doc_link

    if audited is None:  # the audit switched off
        return pd.DataFrame(columns=["Finding", *VERDICTS, "Claims"])
    links = {m.NUMBER: doc_link(m.QUESTION, m.CHAPTER) for m in findings.modules()}
    counts = audited.groupby(["finding", "verdict"]).size().unstack(fill_value=0).reindex(columns=list(VERDICTS),
                                                                                            fill_value=0)
    rows = []
    for finding, row in counts.sort_index().iterrows():
        rows.append({"Finding": links.get(int(finding), "The post as a whole"),
                     **{v: str(int(row[v])) for v in VERDICTS}, "Claims": str(int(row.sum()))})
    return pd.DataFrame(rows, columns=["Finding", *VERDICTS, "Claims"])


def failing_claims(audited: pd.DataFrame) -> pd.DataFrame:
    """The claims that do not hold, worst first (differs, unsupported, rounding), as the audit shows them."""
    if audited is None:  # the audit switched off
        return pd.DataFrame(columns=["Finding", "Claim", "Claimed", "Recomputed", "Verdict", "Reason"])
    failing, _ = claims_by_outcome(audited)
    return claims_display(failing).assign(Finding=failing["finding"].astype(str).to_numpy())[
        ["Finding", "Claim", "Claimed", "Recomputed", "Verdict", "Reason"]]
