"""``evalpatterns import`` end to end: the folder it writes into, the mapping it records and repeats, the
command line, and the imported folder through ``validate``, Frictionless and ``run``."""
from __future__ import annotations

import contextlib
import io
import json
import subprocess

import frictionless
import pytest

import sources
from evalpatterns.cli import main
from evalpatterns.importers import ImportFailure, Mapping, import_into

LLAMA = ["--map", "kl=train/kl", "--map", "eval_score=eval/score", "--map", "loss=train/loss",
         "--map", "student=config.student", "--map", "teacher=config.teacher", "--set", "on_policy_from=50"]


def cli(*args):
    """``evalpatterns ARGS`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def _mapping():
    return Mapping("wandb-history", "distillation", map={"kl": "train/kl", "student": "config.student",
                                                         "teacher": "config.teacher"}, set={"on_policy_from": "50"})


def test_refuses_a_folder_with_files_it_did_not_write(tmp_path):
    history, runs = sources.wandb_long(tmp_path), sources.wandb_runs(tmp_path)
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    m = _mapping()
    m.runs = str(runs)
    with pytest.raises(ImportFailure, match="holds files no import wrote \\(such as notes.txt\\): nothing was written"):
        import_into("wandb-history", [history], target, m)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_an_earlier_import_may_be_repeated_and_joined_but_a_foreign_file_is_kept(tmp_path):
    history, runs = sources.wandb_long(tmp_path), sources.wandb_runs(tmp_path)
    target = tmp_path / "data"
    m = _mapping()
    m.runs = str(runs)
    first = import_into("wandb-history", [history], target, m)
    before = first.data_file.read_bytes()
    again = import_into("wandb-history", [history], target, Mapping.from_file(first.mapping_file))
    assert again.data_file.read_bytes() == before  # the recorded mapping repeats the import exactly
    results = tmp_path / "lm"
    sources.lm_eval_results(results, "Qwen/Qwen2.5-7B", "arc_easy", 0.73, 0.03, 200, 200)
    import_into("lm-eval", [results], target, Mapping("lm-eval", "capability", set={"project": "p", "stage": "base"}))
    assert sorted(p.name for p in target.iterdir()) == ["capability.csv", "datapackage.json", "distillation.csv",
                                                       "import-capability.yml", "import-distillation.yml"]
    package = json.loads((target / "datapackage.json").read_text())
    assert [r["path"] for r in package["resources"]] == ["capability.csv", "distillation.csv"]
    mine = target / "distillation_downstream.csv"  # a file of the researcher's own, in a folder imports wrote
    mine.write_text("mine\n")
    with pytest.raises(ImportFailure, match="distillation_downstream.csv exists and no earlier import wrote it: "
                                            "nothing was written"):
        import_into("lm-eval", [results], target, Mapping("lm-eval", "distillation_downstream", set={"method": "m"}))
    assert mine.read_text() == "mine\n" and not (target / "import-distillation_downstream.yml").exists()


def test_command_line_import_then_validate_frictionless_and_run(tmp_path):
    history, runs = sources.wandb_long(tmp_path), sources.wandb_runs(tmp_path)
    out = tmp_path / "data"
    proc = cli("import", "wandb-history", history, "--runs", runs, "--to", out, *LLAMA)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:4] == [
        f"wrote {out / 'distillation.csv'}: 20 rows, every one status=measured; valid against the data contract",
        f"wrote {out / 'import-distillation.yml'}: the mapping used (repeat the import with --mapping "
        f"{out / 'import-distillation.yml'})",
        f"wrote {out / 'datapackage.json'}: the folder's Frictionless data package",
        "chapters that can now run on it: hybrid-distillation"]
    proc = cli("validate", out / "distillation.csv", "--chapter", "hybrid-distillation")
    assert (proc.returncode, proc.stdout) == (0, "1 file valid\n")
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])
    # the same import from the recorded mapping, as its header says
    proc = cli("import", "wandb-history", history, "--mapping", out / "import-distillation.yml", "--to", out)
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "run"
    proc = cli("run", "hybrid-distillation", "--data", out / "distillation.csv", "--output", run)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((run / "results.json").read_text())["results"]
    # the largest KL spike: llama-hybrid at step 50, 0.015625 -> 5.4453125 = 348.5x, a complete collapse
    assert (results["spike_run"], results["spike_step"]) == ("llama-hybrid", 50)
    assert results["spike_ratio"] == pytest.approx(348.5)
    assert (results["n_complete"], results["spike_severity"]) == (2, "complete")


def test_command_line_failures_are_one_message(tmp_path):
    history = sources.wandb_long(tmp_path)
    proc = cli("import", "wandb-history", history, "--to", tmp_path / "out", "--map", "kl=train/kll")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"evalpatterns: {history}: no column 'train/kll' (did you mean 'train/kl'?)")
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = cli("import", "wandb-history", history, "--to", tmp_path / "out", "--as", "capability")
    assert proc.returncode == 1
    assert proc.stderr == "evalpatterns: wandb-history imports into distillation; not capability\n"
    proc = cli("import", "lm-eval", history, "--to", tmp_path / "out", "--mapping", tmp_path / "none.yml")
    assert proc.returncode == 1 and "cannot read the mapping" in proc.stderr
    assert not (tmp_path / "out").exists()
