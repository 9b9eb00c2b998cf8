"""Synthetic data for the library benchmarks: a distillation step log and per-seed memorization rows.

Both frames meet the schemas of ``data/distillation.csv`` and ``data/memorization.csv`` (every row valid), so
``io.load`` does its full validation and returns a frame. Generated with numpy from a fixed seed; the same
arguments always give the same bytes.

    python benchmarks/synthetic.py OUT_DIR --rows 1000000      # writes distillation.{csv,parquet}, memorization.{csv,parquet}

``--extra-column`` adds a wide text column that no schema names (to show that loading does not read it).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

STEPS_PER_RUN = 100
FAMILIES = [("Llama", "Llama 1B", "Llama 70B", 70.0), ("Qwen", "Qwen 4B", "Qwen 30B", 7.5),
            ("Gemma", "Gemma 2B", "Gemma 27B", 13.5), ("Mistral", "Mistral 7B", "Mistral 123B", 17.6)]
METHODS = ["supervised", "rl_eoe", "rl_step"]
N_VALUES = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
EXPONENT = {"supervised": 0.0, "rl_eoe": 0.45, "rl_step": 1.0}
PREFACTOR = {"supervised": 11.0, "rl_eoe": 40.0, "rl_step": 600.0}


def distillation_frame(rows: int, seed: int = 0, extra_column: bool = False, first_run: int = 0) -> pd.DataFrame:
    """``rows // 100`` runs of 100 steps each (step 0, 10, ..., 990): off-policy, then on-policy from a
    random step; one run in 20 never switches. KL and eval scores are logged at most steps, loss and score
    at some; statuses and sources vary like the real file's. Runs are numbered from ``first_run`` (so that
    chunks made with different ``first_run`` and ``seed`` form one log: see :func:`write_distillation_parquet`)."""
    rng = np.random.default_rng(seed)
    n_runs = max(1, rows // STEPS_PER_RUN)
    n = n_runs * STEPS_PER_RUN
    run_ix = np.repeat(np.arange(n_runs), STEPS_PER_RUN)
    step_ix = np.tile(np.arange(STEPS_PER_RUN), n_runs)
    fam = rng.integers(0, len(FAMILIES), n_runs)
    switch = rng.integers(10, 90, n_runs)
    switch[rng.random(n_runs) < 0.05] = STEPS_PER_RUN  # no transition
    on = step_ix >= switch[run_ix]
    collapse = rng.random(n_runs)  # < 0.5 complete, < 0.8 partial, else none
    base_eval = rng.uniform(0.2, 0.7, n_runs)[run_ix]
    after = np.where(collapse[run_ix] < 0.5, 0.0, np.where(collapse[run_ix] < 0.8, 0.5, 0.95))
    eval_score = np.round(np.where(on, base_eval * after, base_eval - step_ix * 1e-4), 4)
    kl_before = rng.uniform(0.005, 0.05, n_runs)[run_ix]
    kl = np.round(np.where(on, kl_before * rng.uniform(20, 400, n_runs)[run_ix] * np.exp(-(step_ix - switch[run_ix]) / 50),
                           kl_before), 5)
    kl_missing = rng.random(n) < 0.1
    kl_missing[on & (step_ix == switch[run_ix])] = False  # KL at the transition step is logged
    eval_missing = rng.random(n) < 0.05
    loss = np.round(np.where(on, rng.uniform(0.05, 0.5, n), rng.uniform(10, 3000, n)), 4)
    loss_missing = rng.random(n) < 0.7
    score = np.round(rng.uniform(0, 1, n), 3)
    measured = rng.random(n) < 0.6
    names = np.array([f"{FAMILIES[f][0].lower()}-hybrid-run{i:06d}" for i, f in enumerate(fam, first_run)],
                     dtype=object)
    frame = pd.DataFrame({
        "run": names[run_ix],
        "family": np.array([f[0] for f in FAMILIES], dtype=object)[fam][run_ix],
        "student": np.array([f[1] for f in FAMILIES], dtype=object)[fam][run_ix],
        "teacher": np.array([f[2] for f in FAMILIES], dtype=object)[fam][run_ix],
        "gap": np.array([f[3] for f in FAMILIES])[fam][run_ix],
        "seed": pd.array(np.where(rng.random(n_runs) < 0.9, np.arange(first_run, first_run + n_runs), -1)[run_ix],
                         dtype="Int64"),
        "step": step_ix * 10,
        "phase": np.where(on, "on_policy", "off_policy"),
        "loss": np.where(loss_missing, np.nan, loss),
        "score": np.where(on & (rng.random(n) < 0.5), score, np.nan),
        "kl": np.where(kl_missing, np.nan, kl),
        "eval_score": np.where(eval_missing, np.nan, eval_score),
        "status": np.where(measured, "measured", "figure"),
        "source": np.where(measured, "synthetic training log", "synthetic figure"),
        "note": np.where(rng.random(n) < 0.02, "synthetic note, with a comma", ""),
    })
    frame["seed"] = frame["seed"].mask(frame["seed"] < 0)
    if extra_column:
        frame["extra_blob"] = "x" * 200
    return frame


def memorization_frame(rows: int, seed: int = 0, extra_column: bool = False) -> pd.DataFrame:
    """``rows`` per-seed rows over 3 methods x 10 problem sizes, seeds 0, 1, ... in each cell; RL-Step seeds
    at large N often hit the budget (converged false: a lower bound)."""
    rng = np.random.default_rng(seed + 1)
    cells = [(m, n) for m in METHODS for n in N_VALUES]
    per_cell = -(-rows // len(cells))
    cell_ix = np.repeat(np.arange(len(cells)), per_cell)[:rows]
    seeds = np.tile(np.arange(per_cell), len(cells))[:rows]
    method = np.array([m for m, _ in cells], dtype=object)[cell_ix]
    n_values = np.array([n for _, n in cells])[cell_ix]
    pref = np.array([PREFACTOR[m] for m, _ in cells])[cell_ix]
    expo = np.array([EXPONENT[m] for m, _ in cells])[cell_ix]
    episodes = np.round(pref * n_values.astype(float) ** expo * rng.lognormal(0, 0.2, rows))
    budget = 50_000.0
    converged = episodes < budget
    episodes = np.minimum(episodes, budget)
    measured = rng.random(rows) < 0.7
    frame = pd.DataFrame({
        "method": method,
        "n_values": n_values,
        "seed": seeds,
        "episodes": np.where(rng.random(rows) < 0.01, np.nan, episodes),
        "converged": np.where(converged, "true", "false"),
        "status": np.where(measured, "measured", "figure"),
        "source": np.where(measured, "synthetic sweep", "synthetic figure"),
        "note": "",
    })
    if extra_column:
        frame["extra_blob"] = "x" * 200
    return frame


LEARNING_RATES = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3]
LORA_RANKS = [8, 16, 32, 64, 128, 256]


def mode_collapse_frame(attempts: int, seed: int = 0) -> pd.DataFrame:
    """``attempts`` fine-tuning attempts of one model over 10 learning rates x 6 LoRA ranks (attempt 1, 2, ...
    spread over the cells): below 5e-5 a run converges (accuracy about 0.7), from 5e-5 on it collapses (about
    0.02, often 0); accuracy is ``n_correct / n_eval`` of 200 questions; some runs have their config."""
    rng = np.random.default_rng(seed + 2)
    lr = np.array(LEARNING_RATES)[rng.integers(0, len(LEARNING_RATES), attempts)]
    rank = np.array(LORA_RANKS)[rng.integers(0, len(LORA_RANKS), attempts)]
    p = np.where(lr >= 5e-5, rng.uniform(0, 0.04, attempts), rng.uniform(0.6, 0.8, attempts))
    n_correct = rng.binomial(200, p)
    measured = rng.random(attempts) < 0.8
    return pd.DataFrame({
        "attempt": np.arange(1, attempts + 1),
        "model": "Synthetic-32B",
        "learning_rate": lr,
        "lora_rank": rank,
        "samples": rng.integers(100, 10_000, attempts),
        "accuracy": n_correct / 200,
        "n_correct": n_correct,
        "n_eval": 200,
        "lora_alpha": 2.0 * rank,
        "epochs": rng.integers(1, 6, attempts).astype(float),
        "status": np.where(measured, "measured", "figure"),
        "source": np.where(measured, "synthetic sweep", "synthetic figure"),
        "note": "",
    })


CAPABILITY_SIZES = [1.0, 3.0, 8.0, 32.0]


def capability_frame(tasks: int, seed: int = 0) -> pd.DataFrame:
    """``tasks`` tasks of one project, each at 4 model sizes (1, 3, 8, 32 B) before and after training:
    one row per (task, size, stage); a third of the tasks show a cliff between 3B and 8B; one task in ten is
    scored lower-is-better; scores are ``n_correct / n_eval`` of 100 items."""
    rng = np.random.default_rng(seed + 3)
    task_ix = np.repeat(np.arange(tasks), len(CAPABILITY_SIZES) * 2)
    size = np.tile(np.repeat(CAPABILITY_SIZES, 2), tasks)
    stage = np.tile(["base", "trained"], tasks * len(CAPABILITY_SIZES))
    cliff = (rng.random(tasks) < 1 / 3)[task_ix]
    p = np.where(cliff, np.where(size >= 8, 0.8, 0.2), np.clip(0.3 + 0.1 * np.log2(size), 0, 1))
    p = np.clip(p + np.where(stage == "trained", 0.05, 0.0) + rng.normal(0, 0.05, len(p)), 0, 1)
    n_correct = rng.binomial(100, p)
    lower = (rng.random(tasks) < 0.1)[task_ix]
    measured = rng.random(len(p)) < 0.9
    return pd.DataFrame({
        "project": "Synthetic",
        "task": np.array([f"task {i:05d}" for i in range(tasks)], dtype=object)[task_ix],
        "params_b": size,
        "stage": stage,
        "value": n_correct / 100,
        "scale_max": 1.0,
        "higher_is_better": np.where(lower, "false", "true"),
        "n_correct": n_correct,
        "n_eval": 100,
        "status": np.where(measured, "measured", "illustrative"),
        "source": np.where(measured, "synthetic eval", "synthetic figure"),
        "note": "",
    })


def roi_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """One baseline row, then ``rows - 1`` attempts: one in ten a model switch (a few minutes, a larger
    model, a gain), the rest training attempts (minutes to hours, little gain); accuracy from 200 questions."""
    rng = np.random.default_rng(seed + 4)
    n = rows - 1
    switch = rng.random(n) < 0.1
    p = np.where(switch, rng.uniform(0.8, 0.95, n), rng.uniform(0.0, 0.76, n))
    n_correct = rng.binomial(200, p)
    base = pd.DataFrame({"approach": ["baseline"], "kind": ["baseline"], "model": ["Synthetic-32B"],
                         "params_b": [32.0], "minutes": [0.0], "accuracy": [0.73], "n_correct": [146],
                         "n_eval": [200], "status": ["measured"], "source": ["synthetic"], "note": [""]})
    attempts = pd.DataFrame({
        "approach": [f"{'switch' if s else 'training'} {i:06d}" for i, s in enumerate(switch, 1)],
        "kind": np.where(switch, "model_switch", "training"),
        "model": np.where(switch, "Synthetic-70B", "Synthetic-32B"),
        "params_b": np.where(switch, 70.0, 32.0),
        "minutes": np.round(np.where(switch, rng.uniform(2, 10, n), rng.uniform(10, 600, n)), 1),
        "accuracy": n_correct / 200,
        "n_correct": n_correct,
        "n_eval": 200,
        "status": np.where(rng.random(n) < 0.8, "measured", "figure"),
        "source": "synthetic",
        "note": "",
    })
    return pd.concat([base, attempts], ignore_index=True)


def write_distillation_parquet(path: Path, rows: int, chunk_rows: int = 1_000_000, progress: bool = True,
                               distinct_chunks: int = 4) -> Path:
    """A step log of ``rows`` rows (``rows // 100`` runs) written as one Parquet file chunk by chunk (one row
    group per chunk), so that 10^8 rows never need more memory than a few chunks.

    The first ``distinct_chunks`` chunks are ``distillation_frame(chunk_rows, seed=k, first_run=k * runs per
    chunk)``; later chunks repeat them with new run names (``-`` and the chunk number appended) and seeds
    (shifted by a chunk's runs), so that every run is distinct while generating 10^8 rows costs minutes, not
    the hour that making every chunk from scratch takes on a loaded machine."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from tqdm import tqdm

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    runs_per_chunk = chunk_rows // STEPS_PER_RUN
    bases: list[pa.Table] = []
    writer = None
    try:
        for k in tqdm(range(-(-rows // chunk_rows)), desc=f"writing {path.name}", disable=not progress):
            if k < distinct_chunks:
                table = pa.Table.from_pandas(distillation_frame(chunk_rows, seed=k, first_run=k * runs_per_chunk),
                                             preserve_index=False)
                bases.append(table)
            else:
                table = bases[k % distinct_chunks]
                text = table["run"].type
                table = table.set_column(0, "run", pc.binary_join_element_wise(
                    table["run"], pa.scalar(f"-{k:05d}", text), pa.scalar("", text)))
                seed_at = table.schema.get_field_index("seed")
                table = table.set_column(seed_at, "seed", pc.add(table["seed"], k * runs_per_chunk))
            table = table.slice(0, min(chunk_rows, rows - k * chunk_rows))
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    partial.replace(path)
    return path


def write(frame: pd.DataFrame, folder: Path, stem: str) -> tuple[Path, Path]:
    """Write ``frame`` as ``stem.csv`` and ``stem.parquet`` in ``folder``; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, pq_path = folder / f"{stem}.csv", folder / f"{stem}.parquet"
    frame.to_csv(csv_path, index=False)
    frame.to_parquet(pq_path, index=False)
    return csv_path, pq_path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--extra-column", action="store_true")
    args = ap.parse_args(argv)
    for stem, make in (("distillation", distillation_frame), ("memorization", memorization_frame)):
        for path in write(make(args.rows, extra_column=args.extra_column), args.out, stem):
            print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
