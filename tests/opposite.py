"""A data folder that tells the opposite story of every finding of the post, for testing that the book's
words follow the data (issue 10): every finding's conclusion on it must be ``contradicted``.

Worked by hand:

- capability: at 3B the small model scores 80% and 72% on two tasks, at 8B 76% and 70%: no task fails below
  half marks at 3B, and 3B is at least as good as 8B on both (no cliff).
- mode collapse: four runs at 1e-6 ... 2e-4 reach 70-74% accuracy: nothing collapsed.
- roi: baseline 50% (its own row, 100/200); training reaches 80% (160/200) in 30 minutes (+30 points,
  1 point/min); the switch reaches 52% (26/50) in 5 minutes (+2 points, 0.4 points/min): training beats the
  switch on both gain and ROI, and Fisher's exact test tells 160/200 from 26/50 apart (p < 0.001).
- distillation: three runs change phase at step 30 and their eval score rises after it: no collapse; the
  method-level downstream accuracies put hybrid distillation above off-policy distillation in both families
  (Alpha 62% against 48%, Beta 66% against 55%); with no Llama or Qwen family, the post's per-family values
  (0.00, 0.06-0.21) cannot be checked: unsupported.
- memorization: RL needs fewer episodes than supervised learning at every N (per-seed rows; Welch's t-test
  on each comparison p < 0.001).
"""
from __future__ import annotations

from pathlib import Path

import otherdata as od

SOURCE = "opposite-story test data (tests/opposite.py)"


def capability_csv(folder) -> Path:
    rows = [
        ["Bench A", "Structured output (judging)", 3, "base", 0.80, 1, "measured", SOURCE, ""],
        ["Bench A", "Structured output (judging)", 8, "base", 0.76, 1, "measured", SOURCE, ""],
        ["Bench B", "Character distillation", 3, "base", 0.72, 1, "measured", SOURCE, ""],
        ["Bench B", "Character distillation", 8, "base", 0.70, 1, "measured", SOURCE, ""],
        ["Bench B", "Character distillation", 3, "trained", 0.78, 1, "measured", SOURCE, ""],
    ]
    return od._write(Path(folder) / "capability.csv", od.CAPABILITY_HEADER, rows)


def mode_collapse_csv(folder) -> Path:
    def row(attempt, lr, accuracy):
        return [attempt, "Model-X", lr, 64, 4000, accuracy, round(accuracy * 200), 200, None, None, None, None, None,
                None, None, "measured", SOURCE, ""]

    rows = [row(1, "2e-4", 0.70), row(2, "5e-5", 0.72), row(3, "5e-6", 0.74), row(4, "1e-6", 0.71)]
    return od._write(Path(folder) / "mode_collapse.csv", od.MODE_COLLAPSE_HEADER, rows)


def roi_csv(folder) -> Path:
    rows = [
        ["Model-X baseline", "baseline", "Model-X", 8, 0, 0.50, None, None, 100, 200, "measured", SOURCE, ""],
        ["Fine-tune", "training", "Model-X", 8, 30, 0.80, None, None, 160, 200, "measured", SOURCE, ""],
        ["Switch to Model-Y", "model_switch", "Model-Y", 8, 5, 0.52, None, None, 26, 50, "measured", SOURCE, ""],
    ]
    return od._write(Path(folder) / "roi.csv", od.ROI_HEADER, rows)


def distillation_csv(folder) -> Path:
    off, on = "off_policy", "on_policy"
    rows = []
    for run, family, gap, base in (("a-s1", "Alpha", 10, 0.40), ("b-s2", "Beta", 4, 0.50), ("c-s3", "Gamma", 2, 0.60)):
        rows += od._dist_rows(run, family, f"{family} 1B", f"{family} {gap}B", gap, 1, [
            (0, off, 100.0, 0.02, base), (10, off, 20.0, 0.02, base + 0.01), (20, off, 5.0, 0.02, base + 0.02),
            (30, on, 0.5, 0.021, base + 0.03), (40, on, 0.4, 0.02, base + 0.04), (50, on, 0.3, 0.02, base + 0.05)])
    for r in rows:
        r[-2] = SOURCE
    return od._write(Path(folder) / "distillation.csv", od.DISTILLATION_HEADER, rows)


def distillation_downstream_csv(folder) -> Path:
    rows = [[method, family, "Bench QA", acc, "measured", SOURCE]
            for method, family, acc in (("hybrid", "Alpha", 0.62), ("off_policy", "Alpha", 0.48),
                                        ("hybrid", "Beta", 0.66), ("off_policy", "Beta", 0.55))]
    return od._write(Path(folder) / "distillation_downstream.csv",
                     ["method", "family", "task", "accuracy", "status", "source"], rows)


SEED_EPISODES = {
    ("supervised", 10): [400, 420, 390, 410], ("supervised", 100): [900, 950, 920, 930],
    ("rl_eoe", 10): [40, 42, 38, 41], ("rl_eoe", 100): [90, 95, 92, 93],
    ("rl_step", 10): [20, 22, 19, 21], ("rl_step", 100): [45, 47, 46, 44],
}


def memorization_csv(folder) -> Path:
    rows = [[method, n, seed, ep, "true", "measured", SOURCE, ""]
            for (method, n), eps in SEED_EPISODES.items() for seed, ep in enumerate(eps, start=1)]
    return od._write(Path(folder) / "memorization.csv", od.MEMORIZATION_HEADER, rows)


def effect_sizes_csv(folder) -> Path:
    rows = [["Supervised vs RL-EoE", "supervised", "rl_eoe", 10, 9.0, 0.001, "upper", "measured", SOURCE]]
    return od._write(Path(folder) / "effect_sizes.csv", od.EFFECT_SIZES_HEADER, rows)


def write_opposite_data(folder) -> Path:
    folder = Path(folder)
    for make in (capability_csv, mode_collapse_csv, roi_csv, distillation_csv, distillation_downstream_csv,
                 memorization_csv, effect_sizes_csv, od.claims_csv):
        make(folder)
    return folder
