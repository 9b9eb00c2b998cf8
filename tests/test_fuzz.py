"""Fuzzing the data: every data kind, mutated by a seeded generator, through `validate`, `run` and `build`.

Whatever the bytes, each command answers with an exit status of 0, 1 or 2 and messages, never a traceback,
and no input file changes. Commands are called in-process through ``cli.main`` (as the command line would
call them) where that is enough, so that the many mutations stay fast; `build` and one `run` on data that
validates but holds text matplotlib would have read as mathtext, and a label of thousands of characters,
are run as real processes.
"""
from __future__ import annotations

import csv
import hashlib
import io as _stdio
import random
import subprocess
import sys
from pathlib import Path

import pytest

from evalpatterns import chapters as registry
from evalpatterns import cli
from evalpatterns.schema import SCHEMAS

#: the kinds the book holds a file of (the contract also has kinds no chapter reads)
BUNDLED = [k for k, s in SCHEMAS.items() if s.bundled]

ROOT = registry.ROOT
SEED = 11
PER_KIND = 30
HOSTILE = ["", " ", "$$", "$x$", "\x00", "nan", "inf", "-1", "1e999", "0x10", "<script>alert(1)</script>",
           "**bold**", "{glue:text}`x`", "\ufeff", '"', ",", ";", "\n", "\r", "é\u202e", "9" * 400, "x" * 5000]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reader_for(kind: str) -> str:
    """A chapter that reads data of ``kind`` (the smallest that does)."""
    return next(c.id for c in sorted(registry.CHAPTERS, key=lambda c: c.cost)
                if any(p.data == kind for p in c.data_parameters))


def mutate(text: str, rng: random.Random) -> bytes:
    """One random corruption of a CSV file's text."""
    rows = list(csv.reader(_stdio.StringIO(text)))
    how = rng.choice(["cell", "cell", "cell", "drop column", "duplicate row", "only header", "truncate", "bytes",
                      "bom", "semicolons", "extra field"])
    if how == "cell":
        row = rng.randrange(1, len(rows))
        col = rng.randrange(len(rows[0]))
        rows[row][col] = rng.choice(HOSTILE)
    elif how == "drop column":
        j = rng.randrange(len(rows[0]))
        rows = [r[:j] + r[j + 1:] for r in rows]
    elif how == "duplicate row":
        rows.append(list(rows[rng.randrange(1, len(rows))]))
    elif how == "only header":
        rows = rows[:1]
    elif how == "extra field":
        rows[rng.randrange(1, len(rows))].append("surplus")
    buf = _stdio.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    data = buf.getvalue().encode()
    if how == "truncate":
        data = data[:rng.randrange(len(data))]
    elif how == "bytes":
        at = rng.randrange(len(data))
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8))) + data[at:]
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "semicolons":
        data = data.replace(b",", b";")
    return data


@pytest.fixture(scope="module")
def mutated(tmp_path_factory) -> dict[str, list[Path]]:
    """PER_KIND mutated copies of every data file, kind -> files (each in a folder of its own, named as the
    kind's file)."""
    rng = random.Random(SEED)
    folder = tmp_path_factory.mktemp("fuzz")
    out: dict[str, list[Path]] = {}
    for kind in BUNDLED:
        schema = SCHEMAS[kind]
        text = (ROOT / "data" / schema.filename).read_text(encoding="utf-8")
        for i in range(PER_KIND):
            path = folder / f"{kind}-{i}" / schema.filename
            path.parent.mkdir()
            path.write_bytes(mutate(text, rng))
            out.setdefault(kind, []).append(path)
    return out


def call(capsys, *argv) -> tuple[int, str]:
    """``evalpatterns ARGV`` in this process; (exit status, everything it printed)."""
    code = cli.main([str(a) for a in argv])
    printed = capsys.readouterr()
    return code, printed.out + printed.err


@pytest.mark.parametrize("kind", BUNDLED)
def test_validate_and_run_answer_every_mutation_with_a_message(mutated, kind, capsys, tmp_path):
    chapter = reader_for(kind)
    for path in mutated[kind]:
        before = digest(path)
        code, said = call(capsys, "validate", path, "--chapter", chapter)
        assert code in (0, 1), said
        assert "Traceback" not in said
        if code == 1:  # every problem names the file; the run refuses before anything runs
            assert all(line.startswith(str(path)) for line in said.splitlines()[:-1]), said
            out = tmp_path / path.parent.name
            run_code, run_said = call(capsys, "run", chapter, "-p", f"{kind}_csv", path, "--output", out)
            assert run_code == 1 and "the data has problems; nothing was run" in run_said, run_said
            assert not out.exists()
        assert digest(path) == before


def test_build_answers_a_folder_of_mutated_files_with_every_problem(mutated, tmp_path):
    """One mutated file of every kind (the first that does not validate): exit 1, each file named, no
    traceback, nothing written, the inputs unchanged."""
    from evalpatterns.io import validate

    data = tmp_path / "data"
    data.mkdir()
    for kind, paths in mutated.items():
        bad = next(p for p in paths if validate(kind, p))
        (data / bad.name).write_bytes(bad.read_bytes())
    before = {p.name: digest(p) for p in data.iterdir()}
    proc = subprocess.run([sys.executable, "-m", "evalpatterns.cli", "build", "--data-dir", data, "--build-dir",
                           tmp_path / "b", "--output", tmp_path / "o"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    for name in before:
        assert str(data / name) in proc.stderr, name
    assert {p.name: digest(p) for p in data.iterdir()} == before
    assert not (tmp_path / "o").exists() and not (tmp_path / "b" / ".cache").exists()


def test_data_that_validates_runs_with_mathtext_and_a_huge_label_in_its_text(tmp_path):
    """The approach names are what the ROI figure labels: '$$' (mathtext to matplotlib) and a 3,000-character
    name (an image thousands of pixels wide) are drawn as text, cut to length; the run succeeds."""
    rows = list(csv.reader(_stdio.StringIO((ROOT / "data" / "examples" / "roi.csv").read_text())))
    j = rows[0].index("approach")
    rows[1][j] = "cost $$5$$ and $x$"
    rows[2][j] = "long " + "y" * 3000
    path = tmp_path / "roi.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    before = digest(path)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "evalpatterns.cli", "validate", path, "--chapter",
                           "model-switch-roi"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    proc = subprocess.run([sys.executable, "-m", "evalpatterns.cli", "run", "model-switch-roi", "--data", path,
                           "-p", "baseline_accuracy", "0.6", "--output", out], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert digest(path) == before
    from PIL import Image

    width, height = Image.open(out / "figures" / "fig-roi.png").size
    assert width < 4000 and height < 4000
    assert "cost $$5$$ and $x$" in (out / "results.json").read_text()
