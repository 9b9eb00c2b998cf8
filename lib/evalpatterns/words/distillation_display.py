"""How Finding 4's page shows its runs, in words: one by one, or past :data:`evalpatterns.many_runs.MANY_RUNS`
summarised by family and gap (:func:`display_values`), and the correlation line the gap figure carries
(:func:`correlation_note`). Part of :mod:`evalpatterns.words.distillation`, which re-exports both."""
from __future__ import annotations

from .. import formatting as fmt
from ..findings.distillation import Result
from .common import count, p_text


def correlation_note(c) -> str:
    """The correlation the gap figure shows, in a line (its note and caption): ``Spearman's ρ = 0.89,
    one-sided p = 0.017, over 6 conditions``, or why there is none (``2 runs, fewer than the 5 a correlation is
    judged on``)."""
    points, few = count(c.n, c.unit), c.n < c.min_runs
    if c.rho is None:
        why = f"fewer than the {c.min_runs} a correlation is judged on" if few else "the gap or the drop does not vary"
        return f"{points}, {why}: no correlation" if c.n else "No run to correlate"
    judged = f" (not judged: fewer than {c.min_runs})" if few else ""
    return f"Spearman's ρ = {fmt.decimal(c.rho, 2)}, one-sided {p_text(c.p_value)}, over {points}{judged}"


def display_values(result: Result) -> dict:
    """The sentences and captions that say how the runs are shown: one by one, or (``result.many``) summarised
    by family and gap with the most extreme runs, and the full per-run table as a CSV file."""
    n, note = fmt.number(len(result.transitions)), correlation_note(result.correlation)
    pooled = (", and each condition's mean with its 95% t interval where it has several seeds"
              if result.correlation.pooled else "")
    if not result.many:
        return {
            "severity_table_text": "gives each run's result",
            "severity_caption_text": "Capability gap, transition, KL spike and severity of each run.",
            "phase_figure_text": "shows the eval score and KL divergence of every run around the transition",
            "phase_caption_text": ("Eval score (left) and KL divergence (right) against training step, one line per "
                                   "run. Filled markers are logged measurements; hollow markers are not (read off "
                                   "a figure, illustrative or pending)."),
            "gap_figure_text": ("draws the relative drop of each run against the gap" + pooled
                                + "; no trend line is put through them"),
            "gap_caption_text": (f"Relative drop of the eval score across the transition against the "
                                 f"teacher/student size gap, one point per run{pooled}. {note}."),
            "top_caption_text": "", "runs_csv_text": "",
        }
    from ..findings.distillation import TOP

    return {
        "severity_table_text": (f"counts the results of the {n} runs by family and gap; the table after it gives "
                                f"the {TOP} runs with the largest KL spike, and every run's row is in the CSV file "
                                "linked below them"),
        "severity_caption_text": (f"The {n} runs by family and gap: how many end in each severity, and the median "
                                  "transition step, KL spike and eval drop."),
        "phase_figure_text": (f"shows the eval score and KL divergence of the {n} runs around the transition, each "
                              "against the steps from its own transition: per family the median and the band of "
                              "the middle 80% of runs, with the most extreme runs drawn and labelled"),
        "phase_caption_text": ("Eval score (left) and KL divergence (right) against the steps from each run's "
                               "transition: per family the median (line) and the 10-90% band of the runs; the few "
                               "most extreme runs are drawn as thin labelled lines."),
        "gap_figure_text": ("summarises the runs by family and gap instead of drawing each: the share of runs in "
                            "each severity, each condition's mean relative drop against the gap, and the "
                            "distribution of the KL spike with the largest spikes labelled"),
        "gap_caption_text": ("Severity shares by family and gap (left); the relative drop of the eval score across "
                             "the transition against the teacher/student size gap, one point per condition (its "
                             "seeds' mean, with its 95% t interval where it has several) (middle); the KL spike at "
                             f"the transition by family and gap (right, box: quartiles, whiskers: 5-95% of runs). "
                             f"{note}."),
        "top_caption_text": f"The {TOP} runs with the largest KL spike at the transition, of {n}.",
        "runs_csv_text": f"Every run's row ({n} runs) as CSV",
    }
