"""Data sets with other numbers than the post's, for re-executing the chapters on data they were not written
from.

:func:`write_other_data` writes a complete data folder (the six CSV files of ``data/``, valid against
:mod:`evalpatterns.schema`, every row with a ``status`` and a ``source``) in which every number differs from
the post's. The small ``*_csv`` functions below it each write one file for one chapter with valid but unusual
data: nothing collapsed, everything collapsed, no phase change, no KL logged, a single point where a fit needs
two, every RL run censored. Each returns the path it wrote.

The numbers worth knowing, worked by hand (the tests compare against the library as well):

- capability: structured output 30% at 3B, 90% at 8B (a 60-point gap, the largest of two tasks measured at
  both sizes); character distillation at 3B *improved* 45% -> 58% (+13 points, +28.9%).
- mode collapse: 1e-4 and 3e-5 collapsed, 1e-5 and 3e-6 converged: bracket (1e-5, 3e-5), 3x.
- roi (baseline 55%, the data's own): three training attempts, 50 + 25 + 8 = 83 minutes (1h 23m), best 58%
  (+3.0 points); the switch, to a model 34/12 = 2.8x *larger* than the 12B baseline model, took 7 minutes to
  88% (+33 points): gain ratio 11x, ROI ratio (33/7)/(3/83) = 130x. No attempt reports only a range.
- distillation: transition at step 30 in every run that has one; the largest KL spike is the Gemma run's,
  0.040 -> 3.2 (80x), complete collapse.
- memorization: four seeds per method and N (8, 40, 200); at N = 40, supervised 16.5 episodes, RL-EoE 405
  (25x), RL-Step 12,125 (735x); at N = 200 every RL-Step seed hit its 20,000-episode budget.
"""
from __future__ import annotations

import csv
from pathlib import Path

SOURCE = "test data (tests/otherdata.py)"

#: Parameters the alternative data is meant to be read with (bars_n is an N the data has; the baseline is the
#: data's own). ``BOOK_OVERRIDES`` is the form ``build.build_book(overrides=...)`` takes.
BASELINE_ACCURACY = 0.55
BARS_N = 40
BOOK_OVERRIDES = {
    "model-switch-roi": {"baseline_accuracy": BASELINE_ACCURACY},
    "sl-vs-rl": {"bars_n": BARS_N},
    "summary": {"baseline_accuracy": BASELINE_ACCURACY, "bars_n": BARS_N},
}


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            assert len(row) == len(header), (path.name, row)
            w.writerow(["" if v is None else v for v in row])
    return path


# -- the complete alternative data folder ------------------------------------------------------------------

CAPABILITY_HEADER = ["project", "task", "params_b", "stage", "value", "scale_max", "status", "source", "note"]


def capability_csv(folder) -> Path:
    rows = [
        ["Judge Bench", "Structured output (judging)", 3, "base", 0.30, 1, "measured", SOURCE, ""],
        ["Judge Bench", "Structured output (judging)", 8, "base", 0.90, 1, "measured", SOURCE, ""],
        ["Judge Bench", "Tool calling", 3, "base", 0.48, 1, "measured", SOURCE, ""],
        ["Judge Bench", "Tool calling", 8, "base", 0.81, 1, "measured", SOURCE, ""],
        ["Persona Lab", "Character distillation", 3, "base", 0.45, 1, "measured", SOURCE, "before training"],
        ["Persona Lab", "Character distillation", 3, "trained", 0.58, 1, "measured", SOURCE, "after training"],
        ["Persona Lab", "Character distillation", 8, "trained", 0.77, 1, "pending", SOURCE, "run not done"],
        ["Pun Forge", "Creative generation (originality score)", 3, "trained", 4.1, 10, "measured", SOURCE, ""],
        ["Pun Forge", "Creative generation (originality score)", 8, "trained", 7.2, 10, "pending", SOURCE,
         "run not done"],
    ]
    return _write(Path(folder) / "capability.csv", CAPABILITY_HEADER, rows)


MODE_COLLAPSE_HEADER = ["attempt", "model", "learning_rate", "lora_rank", "samples", "accuracy", "n_correct",
                        "n_eval", "sample_output", "lora_alpha", "rslora", "epochs", "effective_batch", "dropout",
                        "target_modules", "status", "source", "note"]
MODEL = "Mistral-Small-22B"


def _mc_row(attempt, lr, rank, samples, accuracy, n_eval=250, output=None, status="measured"):
    n_correct = None if accuracy is None else round(accuracy * n_eval)
    return [attempt, MODEL, lr, rank, samples, accuracy, n_correct, None if accuracy is None else n_eval, output,
            None, None, None, None, None, None, status, SOURCE, ""]


def mode_collapse_csv(folder) -> Path:
    rows = [
        _mc_row(1, "1e-4", 64, 4000, 0.04, output="A A A A"),
        _mc_row(2, "3e-5", 64, 4000, 0.012, output="A A A A"),
        _mc_row(5, "1e-5", 16, 800, 0.664),
        _mc_row(6, "3e-6", 16, 800, 0.812),
        _mc_row(None, "1e-4", 16, None, None, status="illustrative"),
        _mc_row(None, "3e-6", 64, None, None, status="illustrative"),
    ]
    return _write(Path(folder) / "mode_collapse.csv", MODE_COLLAPSE_HEADER, rows)


ROI_HEADER = ["approach", "kind", "model", "params_b", "minutes", "accuracy", "accuracy_low", "accuracy_high",
              "n_correct", "n_eval", "status", "source", "note"]


def roi_csv(folder) -> Path:
    rows = [
        ["Mistral-12B baseline", "baseline", "Mistral-12B", 12, 0, 0.55, 0.50, 0.55, 110, 200, "measured", SOURCE,
         "reference point"],
        ["Full fine-tune", "training", "Mistral-12B", 12, 50, 0.41, None, None, 82, 200, "measured", SOURCE, ""],
        ["LoRA sweep", "training", "Mistral-12B", 12, 25, 0.52, None, None, 104, 200, "measured", SOURCE, ""],
        ["Prompt tuning", "training", "Mistral-12B", 12, 8, 0.58, None, None, 116, 200, "measured", SOURCE, ""],
        ["Switch to Yi-1.5-34B", "model_switch", "Yi-1.5-34B", 34, 7, 0.88, None, None, 176, 200, "measured",
         SOURCE, "switch to a larger model"],
    ]
    return _write(Path(folder) / "roi.csv", ROI_HEADER, rows)


DISTILLATION_HEADER = ["run", "family", "student", "teacher", "gap", "seed", "step", "phase", "loss", "score", "kl",
                       "eval_score", "status", "source", "note"]


def _dist_rows(run, family, student, teacher, gap, seed, steps, status="measured"):
    """``steps``: (step, phase, loss, kl, eval_score) tuples."""
    return [[run, family, student, teacher, gap, seed, step, phase, loss, None if phase == "off_policy" else 0.5,
             kl, ev, status, SOURCE, ""] for step, phase, loss, kl, ev in steps]


GEMMA = ("gemma-hybrid-s3", "Gemma", "Gemma 2B", "Gemma 27B", 13.5, 3)
PHI = ("phi-hybrid-s11", "Phi", "Phi 3.8B", "Phi 14B", 3.7, 11)
SMOL = ("smol-hybrid-s2", "SmolLM", "SmolLM 1.7B", "SmolLM 3.4B", 2, 2)


def distillation_csv(folder) -> Path:
    off, on = "off_policy", "on_policy"
    rows = (
        _dist_rows(*GEMMA, [(0, off, 812.5, 0.02, 0.41), (10, off, 40.2, 0.025, 0.42), (20, off, 9.7, 0.04, 0.43),
                            (30, on, 0.21, 3.2, 0.004), (40, on, 0.19, 2.9, 0.002), (50, on, 0.18, 2.5, 0.0),
                            (60, on, 0.17, 2.1, 0.0)])
        + _dist_rows(*PHI, [(0, off, 301.0, 0.01, 0.55), (10, off, 22.4, 0.012, 0.56), (20, off, 5.1, 0.016, 0.57),
                            (30, on, 0.33, 0.64, 0.31), (40, on, 0.31, 0.58, 0.35), (50, on, 0.30, 0.52, 0.38),
                            (60, on, 0.29, 0.47, 0.40)])
        + _dist_rows(*SMOL, [(0, off, 120.0, 0.01, 0.60), (10, off, 11.0, 0.01, 0.61), (20, off, 3.3, 0.01, 0.62),
                             (30, on, 0.40, 0.05, 0.58), (40, on, 0.38, 0.05, 0.59), (50, on, 0.37, 0.04, 0.60),
                             (60, on, 0.36, 0.04, 0.61)], status="figure")
    )
    return _write(Path(folder) / "distillation.csv", DISTILLATION_HEADER, rows)


MEMORIZATION_HEADER = ["method", "n_values", "seed", "episodes", "converged", "status", "source", "note"]

#: Episodes per seed (seeds 1-4) by method and N; RL-Step at N = 200 hit its budget in every seed.
SEED_EPISODES = {
    ("supervised", 8): [14, 16, 15, 17],
    ("supervised", 40): [15, 17, 16, 18],
    ("supervised", 200): [16, 18, 17, 19],
    ("rl_eoe", 8): [180, 200, 220, 190],
    ("rl_eoe", 40): [400, 430, 380, 410],
    ("rl_eoe", 200): [900, 950, 880, 1000],
    ("rl_step", 8): [3000, 3300, 3100, 3200],
    ("rl_step", 40): [12000, 12500, 11800, 12200],
    ("rl_step", 200): [20000, 20000, 20000, 20000],
}
RL_STEP_BUDGET = 20000


def memorization_csv(folder) -> Path:
    rows = []
    for (method, n), episodes in SEED_EPISODES.items():
        for seed, ep in enumerate(episodes, start=1):
            censored = method == "rl_step" and ep >= RL_STEP_BUDGET
            rows.append([method, n, seed, ep, "false" if censored else "true", "measured", SOURCE,
                         "hit the episode budget" if censored else ""])
    return _write(Path(folder) / "memorization.csv", MEMORIZATION_HEADER, rows)


EFFECT_SIZES_HEADER = ["comparison", "method_a", "method_b", "n_values", "hedges_g", "p_value", "p_value_bound",
                       "status", "source"]


def effect_sizes_csv(folder) -> Path:
    """Published values: two that the per-seed rows supersede, one (RL-Step at N = 200, where every seed is
    censored) that cannot be recomputed and stays as published."""
    rows = [
        ["Supervised vs RL-EoE", "supervised", "rl_eoe", 8, -6.4, 0.002, "upper", "measured", SOURCE],
        ["Supervised vs RL-Step", "supervised", "rl_step", 40, -21.7, 0.004, "exact", "measured", SOURCE],
        ["Supervised vs RL-Step", "supervised", "rl_step", 200, -33.3, 0.009, "upper", "measured", SOURCE],
    ]
    return _write(Path(folder) / "effect_sizes.csv", EFFECT_SIZES_HEADER, rows)


def claims_csv(folder) -> Path:
    """The register of the post's claims is not data of observations: the audit checks the same claims against
    whatever data it is given, so the folder gets the repository's register unchanged."""
    import shutil

    from evalpatterns.chapters import ROOT

    target = Path(folder) / "claims.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "data" / "claims.csv", target)
    return target


def write_other_data(folder) -> Path:
    """Write every data file a book build reads into ``folder`` (the six data files with other numbers, and
    the claims register when the schema has one); returns the folder."""
    from evalpatterns.schema import SCHEMAS

    folder = Path(folder)
    for write in (capability_csv, mode_collapse_csv, roi_csv, distillation_csv, memorization_csv, effect_sizes_csv):
        write(folder)
    if "claims" in SCHEMAS:
        claims_csv(folder)
    return folder


# -- valid but unusual data, one file for one chapter each --------------------------------------------------

def nothing_collapsed_csv(folder) -> Path:
    """mode_collapse.csv in which every run converged (accuracies far above the 10% threshold)."""
    rows = [_mc_row(1, "1e-4", 32, 1000, 0.61), _mc_row(2, "3e-5", 32, 1000, 0.70),
            _mc_row(3, "3e-6", 32, 1000, 0.74)]
    return _write(Path(folder) / "mode_collapse.csv", MODE_COLLAPSE_HEADER, rows)


def all_collapsed_csv(folder) -> Path:
    """mode_collapse.csv in which every run collapsed (accuracies at or below 10%)."""
    rows = [_mc_row(1, "1e-4", 32, 1000, 0.02, output="0"), _mc_row(2, "3e-5", 32, 1000, 0.0, output="0"),
            _mc_row(3, "3e-6", 32, 1000, 0.08)]
    return _write(Path(folder) / "mode_collapse.csv", MODE_COLLAPSE_HEADER, rows)


def no_phase_change_csv(folder) -> Path:
    """distillation.csv whose runs never leave the off-policy phase (no transition)."""
    off, steps = "off_policy", range(0, 70, 10)
    rows = (_dist_rows(*GEMMA, [(s, off, 100.0 / (s + 1), 0.02 + 0.001 * s, 0.40 + 0.001 * s) for s in steps])
            + _dist_rows(*PHI, [(s, off, 50.0 / (s + 1), 0.01 + 0.001 * s, 0.50 + 0.001 * s) for s in steps]))
    return _write(Path(folder) / "distillation.csv", DISTILLATION_HEADER, rows)


def no_kl_csv(folder) -> Path:
    """distillation.csv of one run with a transition at step 30 and no KL logged at any step; its eval score
    falls from 0.43 to 0.004 at most: complete collapse."""
    off, on = "off_policy", "on_policy"
    rows = _dist_rows(*GEMMA, [(0, off, 812.5, None, 0.41), (10, off, 40.2, None, 0.42), (20, off, 9.7, None, 0.43),
                               (30, on, 0.21, None, 0.004), (40, on, 0.19, None, 0.002), (50, on, 0.18, None, 0.0)])
    return _write(Path(folder) / "distillation.csv", DISTILLATION_HEADER, rows)


def one_point_csv(folder) -> Path:
    """memorization.csv (aggregates) in which RL-EoE has a single point (N = 20): a power law cannot be fitted
    to it. Supervised and RL-Step have two sizes each and all converged."""
    rows = [
        ["supervised", 10, None, 12, "true", "measured", SOURCE, ""],
        ["supervised", 20, None, 13, "true", "measured", SOURCE, ""],
        ["rl_eoe", 20, None, 240, "true", "measured", SOURCE, "the only RL-EoE run"],
        ["rl_step", 10, None, 2600, "true", "measured", SOURCE, ""],
        ["rl_step", 20, None, 5300, "true", "measured", SOURCE, ""],
    ]
    return _write(Path(folder) / "memorization.csv", MEMORIZATION_HEADER, rows)


def all_censored_csv(folder) -> Path:
    """memorization.csv (aggregates) in which every RL run hit its budget (converged false): every RL count
    and every advantage ratio is a lower bound."""
    rows = [["supervised", n, None, ep, "true", "measured", SOURCE, ""] for n, ep in ((10, 12), (20, 12), (40, 13))]
    rows += [["rl_eoe", n, None, 5000, "false", "measured", SOURCE, "budget hit"] for n in (10, 20, 40)]
    rows += [["rl_step", n, None, 8000, "false", "measured", SOURCE, "budget hit"] for n in (10, 20, 40)]
    return _write(Path(folder) / "memorization.csv", MEMORIZATION_HEADER, rows)
