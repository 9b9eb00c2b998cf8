"""Inspect AI eval logs (.eval and .json) into capability.csv: accuracy with n_correct / n_eval from samples."""
from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sources
from evalpatterns import io
from evalpatterns.importers import ImportFailure, Mapping, import_into

REAL = Path(__file__).parent / "fixtures" / "real" / "inspect"  # written by inspect-ai 0.3.285's mock model


def test_accuracy_and_counts_from_the_samples(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    sources.inspect_eval(logs)   # Qwen2.5-7B: 46 of 50
    sources.inspect_json(logs)   # Llama-3.2-3B: 146 of 200
    done = import_into("inspect", [logs], tmp_path / "data",
                       Mapping("inspect", "capability", set={"project": "mine", "stage": "base"}))
    cap = io.load("capability", done.data_file).set_index("params_b")
    assert cap.loc[7.0, ["value", "n_correct", "n_eval", "eval_set"]].tolist() == [0.92, 46, 50, "gsm8k-50"]
    assert cap.loc[3.0, ["value", "n_correct", "n_eval", "eval_set"]].tolist() == [0.73, 146, 200, "gsm8k-200"]
    # the log's own stderr metric: sqrt(p(1-p)/(n-1))
    assert cap.loc[7.0, "stderr"] == pytest.approx((0.92 * 0.08 / 49) ** 0.5, rel=1e-12)
    assert sorted(cap["source"]) == ["2025-01-01_gsm8k.eval", "2025-01-01_gsm8k.json"]


def test_an_unknown_scorer_and_a_log_without_samples(tmp_path):
    log = sources.inspect_eval(tmp_path)
    with pytest.raises(ImportFailure, match="no scorer 'choice'; its scorers: match"):
        import_into("inspect", [log], tmp_path / "a", Mapping("inspect", "capability", set={"scorer": "choice"}))
    empty = tmp_path / "empty.json"
    empty.write_text('{"version": 2, "status": "error", "eval": {"task": "t", "model": "m-1B"}, "samples": []}')
    with pytest.raises(ImportFailure, match="holds no scored samples \\(status error\\)"):
        import_into("inspect", [empty], tmp_path / "b", Mapping("inspect", "capability"))


def test_other_json_files_in_a_folder_of_logs_are_passed_over(tmp_path):
    sources.inspect_eval(tmp_path)
    (tmp_path / "notes.json").write_text('{"note": "not a log"}')
    done = import_into("inspect", [tmp_path], tmp_path / "data",
                       Mapping("inspect", "distillation_downstream", set={"method": "hybrid"}))
    down = io.load("distillation_downstream", done.data_file)
    assert down[["method", "family", "task", "accuracy", "n_correct", "n_eval"]].values.tolist() == [
        ["hybrid", "Qwen", "gsm8k", 0.92, 46, 50]]
    with pytest.raises(ImportFailure, match="expected an Inspect log"):  # but one named on its own is refused
        import_into("inspect", [tmp_path / "notes.json"], tmp_path / "x", Mapping("inspect", "capability"))


def test_logs_written_by_inspect(tmp_path):
    """Inspect's own logs of an arithmetic task: qwen.eval (zstd-compressed members, which Python's zipfile
    reads only from 3.14) 7 of 10 correct; llama.json, two epochs of 6 of 10 correct: 12 of 20 samples, 10 questions."""
    assert {i.compress_type for i in zipfile.ZipFile(REAL / "qwen.eval").infolist()} == {93}  # Zstandard
    done = import_into("inspect", [REAL], tmp_path / "data",
                       Mapping("inspect", "capability", set={"project": "mine", "stage": "base"}))
    assert io.validate("capability", done.data_file) == []
    cap = io.load("capability", done.data_file).set_index("source")
    columns = ["task", "params_b", "value", "n_correct", "n_eval", "eval_set"]
    assert cap.loc["qwen.eval", columns].tolist() == ["arith", 7.0, 0.7, 7, 10, "arith-10"]
    # Two epochs of ten questions: ten questions scored (epochs of one question are not independent draws), so
    # no binomial count; the interval comes from Inspect's own stderr, clustered by question.
    llama = cap.loc["llama.json", columns].tolist()
    assert llama[:3] + [llama[4], llama[5]] == ["arith", 3.0, 0.6, 10, "arith-10"] and pd.isna(llama[3])
    # Inspect's stderr is over the questions (epochs reduced first): sqrt(p(1-p)/(10-1)) for both logs
    assert cap.loc["qwen.eval", "stderr"] == pytest.approx((0.7 * 0.3 / 9) ** 0.5, rel=1e-12)
    assert cap.loc["llama.json", "stderr"] == pytest.approx((0.6 * 0.4 / 9) ** 0.5, rel=1e-12)


def test_a_zstd_member_that_does_not_match_its_checksum_is_one_message(tmp_path):
    bad = tmp_path / "bad.eval"
    data = bytearray((REAL / "qwen.eval").read_bytes())
    info = zipfile.ZipFile(REAL / "qwen.eval").getinfo("header.json")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF  # in its packed bytes
    bad.write_bytes(bytes(data))
    with pytest.raises(ImportFailure, match=re.escape(f"{bad}: cannot read it as an Inspect .eval log (header.json: ")):
        import_into("inspect", [bad], tmp_path / "data", Mapping("inspect", "capability"))
