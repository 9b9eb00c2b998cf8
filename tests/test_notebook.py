"""A chapter as a plain notebook that papermill runs from any folder, with -p parameters."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from evalpatterns import build
from evalpatterns.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_parameters_cell_holds_absolute_paths_into_the_data_folder(tmp_path):
    shutil.copy(ROOT / "data" / "examples" / "roi.csv", tmp_path / "roi.csv")
    to = tmp_path / "nb" / "roi.ipynb"
    assert main(["notebook", "model-switch-roi", "--data-dir", str(tmp_path), "--to", str(to)]) == 0
    nb = nbformat.read(str(to), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    # the folder's roi.csv; the claims register, which the folder lacks, from the book's data/
    assert cell.source.splitlines() == [f"roi_csv = {str(tmp_path / 'roi.csv')!r}",
                                        f"claims_csv = {str(ROOT / 'data' / 'claims.csv')!r}",
                                        "baseline_accuracy = None"]
    assert nb.metadata["kernelspec"]["name"] == "python3" and "jupytext" not in nb.metadata


def test_unknown_chapter_and_missing_folder(tmp_path, capsys):
    assert main(["notebook", "roi", "--to", str(tmp_path / "x.ipynb")]) == 2
    assert main(["notebook", "model-switch-roi", "--data-dir", str(tmp_path / "none"), "--to", "x.ipynb"]) == 2
    err = capsys.readouterr().err
    assert "unknown chapter 'roi'" in err and "expected a folder of data files" in err


def test_papermill_runs_the_converted_chapter_with_parameters(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "examples" / "roi.csv", data / "roi.csv")
    assert main(["notebook", "model-switch-roi", "--data-dir", str(data), "--to", str(tmp_path / "roi.ipynb")]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-m", "papermill", str(tmp_path / "roi.ipynb"), str(tmp_path / "out.ipynb"),
                           "-p", "baseline_accuracy", "0.6", "--cwd", str(elsewhere), "--no-progress-bar"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = build.notebook_results(tmp_path / "out.ipynb")
    # example data: training 45 + 30 = 75 minutes, best 64% -> +4 points over 60%; the switch 81% -> +21 in 6 min
    assert results["training_minutes"] == 75 and results["training_gain_points"] == pytest.approx(4)
    assert results["gain_ratio"] == pytest.approx(21 / 4)
    assert results["roi_ratio"] == pytest.approx((21 / 6) / (4 / 75))
