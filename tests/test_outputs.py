"""Output folders (evalpatterns.book.outputs): nothing the tool did not write is ever deleted, moved or
overwritten; every refusal comes before any work, as one message saying why and what to do. All against
temporary folders: the checkout, / and the home folder are checked as paths, never written."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalpatterns import build
from evalpatterns import chapters as registry
from evalpatterns.book import errors, outputs
from evalpatterns.build import BuildError

ROOT = registry.ROOT
EXAMPLE = ROOT / "data" / "examples" / "roi.csv"


def cli(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalpatterns.cli", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"/")
            for p in sorted(folder.rglob("*"))}


def refused(proc: subprocess.CompletedProcess, why: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("evalpatterns: will not write"), proc.stderr
    assert why in lines[0] and "choose" in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["build", "run"])
def test_a_folder_holding_the_users_files_is_refused_and_left_alone(tmp_path, command):
    out = tmp_path / "u"
    (out / "thesis").mkdir(parents=True)
    (out / "thesis" / "ch1.tex").write_text("x")
    (out / "figures").mkdir()
    (out / "results.json").write_text("mine")
    before = tree(out)
    args = (["build", "--build-dir", tmp_path / "b"] if command == "build"
            else ["run", "model-switch-roi", "--data", EXAMPLE])
    refused(cli(*args, "--output", out), "it holds files evalpatterns did not write")
    assert tree(out) == before and not (tmp_path / "b").exists()


@pytest.mark.parametrize("command", ["build", "run"])
def test_a_file_and_a_file_on_the_way_are_refused(tmp_path, command):
    args = (["build", "--build-dir", tmp_path / "b"] if command == "build"
            else ["run", "model-switch-roi", "--data", EXAMPLE])
    (tmp_path / "f").write_text("mine")
    refused(cli(*args, "--output", tmp_path / "f"), "it is a file, not a folder")
    proc = cli(*args, "--output", tmp_path / "f" / "sub")
    assert proc.returncode == 1 and "is a file, not a folder" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "f").read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_the_home_folder_and_the_data_are_refused(tmp_path):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    refused(cli("build", "--build-dir", tmp_path / "b", "--output", home, env={"HOME": str(home)}),
            "it is your home folder")
    data = tmp_path / "data"
    data.mkdir()
    for name in ("roi.csv",):
        (data / name).write_bytes(EXAMPLE.read_bytes())
    refused(cli("run", "model-switch-roi", "--data", data / "roi.csv", "--output", data), "it is, or holds, the input")
    assert sorted(p.name for p in data.iterdir()) == ["roi.csv"]


@pytest.mark.parametrize("place", ["root", "checkout", "above the checkout", "data", "chapters", "build folder"])
def test_places_that_hold_what_we_did_not_write_are_refused_by_path(tmp_path, place):
    """Checked as paths (nothing is written): / , the checkout and any folder holding it, data/, chapters/,
    and the build folder itself."""
    path = {"root": Path("/"), "checkout": ROOT, "above the checkout": ROOT.parent, "data": ROOT / "data",
            "chapters": ROOT / "chapters", "build folder": tmp_path / "b"}[place]
    for command in ("build", "run"):
        with pytest.raises(BuildError, match=r"will not write .*: it (is|holds)"):
            outputs.check_output(path, command, build_dir=tmp_path / "b")


def test_an_earlier_output_is_accepted_and_a_run_replaces_only_what_it_wrote(tmp_path):
    out = tmp_path / "out"
    first = cli("run", "model-switch-roi", "--data", EXAMPLE, "-p", "baseline_accuracy", "0.6", "--output", out)
    assert first.returncode == 0, first.stderr
    marker = outputs.read_marker(out)
    assert marker["command"] == "run" and "results.json" in marker["entries"] and "figures/" in marker["entries"]
    assert set(outputs.listing(out)) == set(marker["entries"])
    (out / "figures" / "my-plot.png").write_bytes(b"mine")  # the user's file, in a folder we wrote
    before = tree(out)
    refused(cli("run", "model-switch-roi", "--data", EXAMPLE, "--output", out),
            "it holds files the last `evalpatterns run` did not write (figures/my-plot.png)")
    assert tree(out) == before
    refused(cli("build", "--build-dir", tmp_path / "b", "--output", out), "it holds the output of `evalpatterns run`")
    (out / "figures" / "my-plot.png").unlink()
    again = cli("run", "model-switch-roi", "--data", EXAMPLE, "-p", "baseline_accuracy", "0.7", "--output", out)
    assert again.returncode == 0, again.stderr
    assert '"baseline_accuracy": 0.7' in (out / "results.json").read_text()
    assert not list(out.glob(".run-*"))


def test_an_unwritable_or_full_output_is_a_message_before_any_work(tmp_path, monkeypatch):
    """Read-only and full disks, simulated where the probe writes (the tests may run as root, for whom no
    folder is read-only)."""
    def failing(reason):
        def mkstemp(*a, dir=None, **k):
            raise OSError(reason, os.strerror(reason), str(dir))
        return mkstemp

    for reason, words in [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied"),
                          (errno.ENOSPC, "No space left on device")]:
        monkeypatch.setattr(errors.tempfile, "mkstemp", failing(reason))
        with pytest.raises(BuildError, match=rf"the output folder {tmp_path / 'o'} cannot be written: .*{words}"):
            build.build_book(output=tmp_path / "o", build_dir=tmp_path / "b", log=lambda *a: None)
        with pytest.raises(BuildError, match=words):
            build.run_chapter("model-switch-roi", [str(EXAMPLE)], {}, tmp_path / "r", log=lambda *a: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_read_only_checkout_is_built_with_a_build_folder_elsewhere(tmp_path, monkeypatch):
    """The default build folder (_build/ in the checkout) cannot be written: the message says how to put it
    elsewhere, and --build-dir or EVALPATTERNS_BUILD_DIR does."""
    real = errors.tempfile.mkstemp

    def mkstemp(*a, dir=None, **k):
        if Path(dir).resolve().is_relative_to(ROOT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
        return real(*a, dir=dir, **k)

    monkeypatch.setattr(errors.tempfile, "mkstemp", mkstemp)
    monkeypatch.delenv("EVALPATTERNS_BUILD_DIR", raising=False)
    with pytest.raises(BuildError, match=r"cannot be written: .*Read-only file system.*--build-dir or "
                                         r"EVALPATTERNS_BUILD_DIR"):
        build.build_book(output=tmp_path / "o", log=lambda *a: None)
    monkeypatch.setenv("EVALPATTERNS_BUILD_DIR", str(tmp_path / "elsewhere"))
    assert build.build_folder() == tmp_path / "elsewhere"
    assert build.build_folder(tmp_path / "given") == tmp_path / "given"


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo", "device", "dangling link"])
def test_build_checks_data_files_before_it_reads_them(tmp_path, kind):
    """The same message as `validate`, nothing hashed, nothing hanging (a FIFO would block a reader)."""
    data = tmp_path / "data"
    data.mkdir()
    for f in (ROOT / "data").glob("*.csv"):
        (data / f.name).write_bytes(f.read_bytes())
    target = data / "roi.csv"
    target.unlink()
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target.symlink_to("/dev/zero")
    elif kind == "dangling link":
        target.symlink_to(tmp_path / "gone.csv")
    from evalpatterns.io import validate

    problem = str(validate("roi", target)[0])  # what `validate` prints for it
    proc = cli("build", "--data-dir", data, "--build-dir", tmp_path / "b", "--output", tmp_path / "o")
    assert proc.returncode == 1 and problem in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "b" / ".cache").exists()


def test_a_malformed_repository_name_is_refused_and_a_good_one_escaped(monkeypatch):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.setenv("EVALPATTERNS_REPOSITORY", 'me/book"><img src=x onerror=alert(1)>')
    with pytest.raises(BuildError, match="EVALPATTERNS_REPOSITORY must name a GitHub repository as OWNER/NAME"):
        build.repository_url()
    monkeypatch.setenv("EVALPATTERNS_REPOSITORY", "me/my.book_2")
    assert build.repository_url() == "https://github.com/me/my.book_2"
    monkeypatch.delenv("EVALPATTERNS_REPOSITORY")
    monkeypatch.setenv("GITHUB_REPOSITORY", "../x")
    with pytest.raises(BuildError, match="GITHUB_REPOSITORY"):
        build.repository_url()


def test_a_folder_given_for_a_file_is_refused_before_anything_in_it_is_read(tmp_path, monkeypatch):
    """Only the step log and the per-seed file may be folders (of Parquet files); a folder given as roi.csv is
    refused by name before the build hashes (reads) what is in it."""
    from evalpatterns.book import plan

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "roi.csv").unlink()
    (data / "roi.csv").mkdir()
    (data / "roi.csv" / "big.bin").write_bytes(b"x" * 1000)
    hashed = []
    monkeypatch.setattr(plan, "file_sha256", lambda path: hashed.append(str(path)) or "0" * 64)
    with pytest.raises(BuildError, match=r"roi.csv.*a directory"):
        build.build_book(data_dir=data, output=tmp_path / "o", build_dir=tmp_path / "b", log=lambda *a: None)
    assert hashed == []
