"""The data contract: every data file loads, every row says how it is known and where it comes from, and the
values the post and the meta-analysis state are in the data with the right status.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalpatterns import io
from evalpatterns.schema import SCHEMAS, STATUSES

DATA = Path(__file__).resolve().parents[1] / "data"
# Observation files carry provenance (status, source); the claims register quotes the post instead.
KINDS = [k for k, s in SCHEMAS.items() if "status" in s.names and s.bundled]


def load(kind: str) -> pd.DataFrame:
    return io.load(kind, DATA / SCHEMAS[kind].filename)


def rows(frame: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k] == v
    return frame[mask.fillna(False).astype(bool)]


def one(frame: pd.DataFrame, **where) -> pd.Series:
    hit = rows(frame, **where)
    assert len(hit) == 1, (where, len(hit))
    return hit.iloc[0]


@pytest.fixture(scope="module")
def data():
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in DATA.glob("*.csv")}
    frames = {kind: load(kind) for kind in KINDS}
    yield frames
    # loading must not have changed any data file
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in DATA.glob("*.csv")} == digests


# --------------------------------------------------------------------------------------------------------------
# every file, every row
# --------------------------------------------------------------------------------------------------------------

def test_every_schema_has_a_data_file():
    bundled = [s.filename for s in SCHEMAS.values() if s.bundled]
    assert sorted(bundled) == sorted(p.name for p in DATA.glob("*.csv"))


@pytest.mark.parametrize("kind", KINDS)
def test_every_data_file_loads_without_problems(kind):
    assert io.validate(kind, DATA / SCHEMAS[kind].filename) == []
    assert len(load(kind)) > 0


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_has_status_and_source(data, kind):
    frame = data[kind]
    for col in ("status", "source"):
        values = frame[col]
        assert values.notna().all(), (kind, col)
        assert (values.astype(str).str.strip() != "").all(), (kind, col)
    assert set(frame["status"]) <= set(STATUSES)


@pytest.mark.parametrize("kind", KINDS)
def test_keys_are_unique(data, kind):
    frame = data[kind]
    key = list(SCHEMAS[kind].key)
    assert not frame.duplicated(key).any()


@pytest.mark.parametrize("kind", KINDS)
def test_measured_rows_cite_the_post_the_meta_analysis_or_the_repository(data, kind):
    measured = data[kind][data[kind]["status"] == "measured"]
    assert len(measured) > 0
    cites = measured["source"].str.contains("post|meta-analysis|AMD_Hackathon", regex=True)
    assert cites.all(), measured.loc[~cites, "source"].tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_figure_rows_name_a_figure(data, kind):
    fig = data[kind][data[kind]["status"].isin(["figure", "illustrative"])]
    assert fig["source"].str.contains("figure").all()


# --------------------------------------------------------------------------------------------------------------
# Finding 1: capability
# --------------------------------------------------------------------------------------------------------------

def test_capability_values_from_the_post(data):
    cap = data["capability"]
    so = "Structured output (judging)"
    assert one(cap, task=so, params_b=3.0)["value"] == 0.40   # ~40% success
    assert one(cap, task=so, params_b=8.0)["value"] == 0.95   # ~95% success
    assert one(cap, task=so, params_b=3.0)["status"] == "measured"
    cd = "Character distillation"
    assert one(cap, task=cd, params_b=3.0, stage="base")["value"] == 0.54     # 54% ->
    assert one(cap, task=cd, params_b=3.0, stage="trained")["value"] == 0.37  # -> 37% (regressed)
    gan = one(cap, project="GAN Jokes", task="Creative generation (originality score)", params_b=3.0)
    assert (gan["value"], gan["scale_max"], gan["status"]) == (2.8, 10.0, "measured")  # 2.8/10


def test_capability_1b_rows_are_illustrative(data):
    one_b = rows(data["capability"], params_b=1.0)
    assert len(one_b) == 4
    assert (one_b["status"] == "illustrative").all()


def test_capability_8b_distillation_and_creative_are_pending(data):
    cap = data["capability"]
    # "V2 pending" and "V3 pending" in the post's table
    distill = one(cap, task="Character distillation", params_b=8.0)
    creative = one(cap, task="Creative generation (originality score)", params_b=8.0)
    assert distill["status"] == "pending" and distill["value"] == 0.70
    assert creative["status"] == "pending" and creative["value"] == 6.5


def test_capability_scores_within_their_scale(data):
    cap = data["capability"]
    assert (cap["value"] <= cap["scale_max"]).all()
    assert set(cap["scale_max"]) == {1.0, 10.0}


# --------------------------------------------------------------------------------------------------------------
# Finding 2: mode collapse
# --------------------------------------------------------------------------------------------------------------

def test_mode_collapse_attempts_from_the_post(data):
    mc = data["mode_collapse"]
    runs = mc[mc["attempt"].notna()].set_index("attempt")
    assert list(runs.index) == [2, 3, 4]
    # attempt: learning rate, rank, samples, accuracy (post and meta-analysis, Finding 2)
    assert tuple(runs.loc[2, ["learning_rate", "lora_rank", "samples", "accuracy"]]) == (2e-4, 128, 5000, 0.02)
    assert tuple(runs.loc[3, ["learning_rate", "lora_rank", "samples", "accuracy"]]) == (5e-5, 64, 6000, 0.0)
    assert tuple(runs.loc[4, ["learning_rate", "lora_rank", "samples", "accuracy"]]) == (5e-6, 32, 100, 0.735)
    assert runs.loc[2, "sample_output"] == "10000000" and runs.loc[3, "sample_output"] == "10000000"
    assert (runs["status"] == "measured").all()
    assert set(runs["model"]) == {"DeepSeek-R1-32B"}


def test_mode_collapse_counts_agree_with_accuracy(data):
    mc = data["mode_collapse"]
    runs = mc[mc["n_eval"].notna()]
    # 4/200 = 0.02, 0/200 = 0, 147/200 = 0.735
    np.testing.assert_allclose((runs["n_correct"] / runs["n_eval"]).astype(float), runs["accuracy"], atol=1e-12)


def test_mode_collapse_rows_without_attempt_are_illustrative_and_have_no_accuracy(data):
    mc = data["mode_collapse"]
    no_run = mc[mc["attempt"].isna()]
    assert len(no_run) == 6
    assert (no_run["status"] == "illustrative").all()
    assert no_run["accuracy"].isna().all()
    assert no_run["n_correct"].isna().all() and no_run["samples"].isna().all()
    # and every row with an attempt has an accuracy
    assert mc.loc[mc["attempt"].notna(), "accuracy"].notna().all()


def test_mode_collapse_grid_is_complete(data):
    mc = data["mode_collapse"]
    cells = set(zip(mc["learning_rate"], mc["lora_rank"]))
    assert cells == {(lr, r) for lr in (2e-4, 5e-5, 5e-6) for r in (32, 64, 128)}


# --------------------------------------------------------------------------------------------------------------
# Finding 3: ROI
# --------------------------------------------------------------------------------------------------------------

def test_roi_minutes_from_the_post(data):
    roi = data["roi"].set_index("approach")
    # 2h, 33m, 11m, 2.6m for the training attempts; 5m for the model switch
    assert roi.loc["Training Attempt 1", "minutes"] == 120
    assert roi.loc["Training Attempt 2", "minutes"] == 33
    assert roi.loc["Training Attempt 3", "minutes"] == 11
    assert roi.loc["Training Attempt 4", "minutes"] == 2.6
    assert roi.loc["Model Switch", "minutes"] == 5
    # total 166.6 minutes = "2 hours 47 minutes"
    assert roi.loc[roi["kind"] == "training", "minutes"].sum() == pytest.approx(166.6)


def test_roi_accuracies_from_the_post(data):
    roi = data["roi"].set_index("approach")
    a1 = roi.loc["Training Attempt 1"]
    assert pd.isna(a1["accuracy"]) and (a1["accuracy_low"], a1["accuracy_high"]) == (0.0, 0.03)  # 0-3%
    assert roi.loc["Training Attempt 2", "accuracy"] == 0.02
    assert roi.loc["Training Attempt 3", "accuracy"] == 0.0
    assert roi.loc["Training Attempt 4", "accuracy"] == 0.735
    switch = roi.loc["Model Switch"]
    assert (switch["accuracy"], switch["model"], switch["params_b"]) == (0.92, "Qwen2.5-7B", 7.0)
    base = roi.loc[roi["kind"] == "baseline"].iloc[0]
    # 73% baseline of DeepSeek-R1-32B, quoted as 61-73%
    assert (base["accuracy"], base["accuracy_low"], base["accuracy_high"]) == (0.73, 0.61, 0.73)
    assert (base["model"], base["params_b"], base["minutes"]) == ("DeepSeek-R1-32B", 32.0, 0.0)


def test_roi_kinds(data):
    assert data["roi"]["kind"].value_counts().to_dict() == {"training": 4, "baseline": 1, "model_switch": 1}
    assert (data["roi"]["status"] == "measured").all()


# --------------------------------------------------------------------------------------------------------------
# Finding 4: distillation
# --------------------------------------------------------------------------------------------------------------

def test_distillation_llama_log_from_the_post(data):
    llama = data["distillation"][data["distillation"]["run"] == "llama-hybrid-seed8"].set_index("step")
    assert set(llama["seed"]) == {8}
    assert tuple(llama.loc[0, ["loss", "eval_score", "phase"]]) == (2321.64, 0.269, "off_policy")
    assert tuple(llama.loc[40, ["loss", "eval_score", "phase"]]) == (18.65, 0.266, "off_policy")
    assert tuple(llama.loc[50, ["loss", "score", "kl", "phase"]]) == (0.1053, 0.0, 5.4453, "on_policy")
    assert tuple(llama.loc[90, ["loss", "score", "kl"]]) == (0.1299, 0.0, 4.3808)
    assert llama.loc[40, "kl"] == 0.015  # "0.015 -> 5.4453"
    assert (llama.loc[[0, 40, 50, 90], "status"] == "measured").all()
    assert tuple(llama.iloc[0][["family", "student", "teacher", "gap"]]) == ("Llama", "Llama 1B", "Llama 70B", 70.0)


def test_distillation_qwen_values_from_the_meta_analysis(data):
    qwen = data["distillation"][data["distillation"]["run"] == "qwen-hybrid"].set_index("step")
    assert qwen.loc[40, "eval_score"] == 0.518
    assert (qwen.loc[50, "eval_score"], qwen.loc[50, "kl"], qwen.loc[50, "status"]) == (0.211, 0.2299, "measured")
    assert qwen["seed"].isna().all()
    assert tuple(qwen.iloc[0][["family", "gap"]]) == ("Qwen", 7.5)
    # the post's "0.06-0.21" range after the transition
    after = qwen.loc[qwen["phase"] == "on_policy", "eval_score"]
    assert (after.min(), after.max()) == (0.057, 0.211)


def test_distillation_phases_switch_once_at_step_50(data):
    for run, part in data["distillation"].groupby("run"):
        part = part.sort_values("step")
        assert (part.loc[part["step"] < 50, "phase"] == "off_policy").all(), run
        assert (part.loc[part["step"] >= 50, "phase"] == "on_policy").all(), run


# --------------------------------------------------------------------------------------------------------------
# Finding 5: memorization and effect sizes
# --------------------------------------------------------------------------------------------------------------

def test_memorization_table_from_the_post(data):
    mem = data["memorization"]
    expected = {
        ("supervised", 10): (11, True), ("supervised", 100): (11, True), ("supervised", 500): (11, True),
        ("rl_eoe", 10): (101, True), ("rl_eoe", 100): (301, True), ("rl_eoe", 500): (451, True),
        ("rl_step", 10): (6040, True), ("rl_step", 100): (10000, False), ("rl_step", 500): (50000, False),
    }
    for (method, n), (episodes, converged) in expected.items():
        r = one(mem, method=method, n_values=n)
        assert r["episodes"] == episodes, (method, n)
        assert bool(r["converged"]) is converged, (method, n)
        assert r["status"] == "measured", (method, n)


def test_memorization_rl_step_100_did_not_converge(data):
    r = one(data["memorization"], method="rl_step", n_values=100)
    assert bool(r["converged"]) is False  # "10,000+ ep": the budget was hit


def test_memorization_lower_bounds_are_only_rl_step(data):
    mem = data["memorization"]
    not_converged = mem[~mem["converged"].astype(bool)]
    assert set(not_converged["method"]) == {"rl_step"}
    assert sorted(not_converged["n_values"]) == [25, 50, 100, 250, 500]


def test_memorization_figure_points(data):
    mem = data["memorization"]
    fig = mem[mem["status"] == "figure"]
    assert sorted(set(fig["n_values"])) == [25, 50, 250]
    assert (mem["seed"].isna()).all()  # aggregates only, no per-seed data


def test_effect_sizes_from_the_post(data):
    es = data["effect_sizes"]
    assert one(es, method_b="rl_eoe", n_values=10)["hedges_g"] == -8.2
    assert one(es, method_b="rl_step", n_values=10)["hedges_g"] == -15.3
    assert one(es, method_b="rl_eoe", n_values=100)["hedges_g"] == -12.1
    assert (es["method_a"] == "supervised").all()
    # "p < 0.001": an upper bound
    assert (es["p_value"] == 0.001).all() and (es["p_value_bound"] == "upper").all()
    assert (es["hedges_g"] < 0).all()  # negative: supervised needs fewer episodes


def test_claims_are_quoted_as_sentences_not_table_fragments():
    """Each claim reads as the post's sentence or a readable quote of a table cell, never as a row of cells
    joined by pipes ("Training Attempt 1 | 2h | 0-3% | -0.5")."""
    register = load("claims")
    fragments = register.loc[register["quote"].str.contains(" | ", regex=False), "id"].tolist()
    assert fragments == []
    # one of the rewritten quotes, as the reader meets it
    quote = register.set_index("id").loc["f3-roi-a1", "quote"]
    assert quote == 'Table "ROI": Training Attempt 1 took 2h for 0-3%, an ROI of -0.5 %/min'
