"""Fault injection: signals in every phase of a build and a run, two builds at once, and every output hazard.

Everything runs against temporary folders: a build folder seeded with the session book's cache (so that only
the chapters a test changes execute) and a copy of that book as "the previous book". Each command runs in a
session of its own, as from a terminal; SIGINT goes to its whole process group, as Ctrl-C sends it. Every
process a command starts carries an environment variable naming the test, so that no child can escape the
count. A phase is reached by watching the command's output, or by EVALPATTERNS_HOLD_AT (see
evalpatterns.book.interrupt.hold).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest

from evalpatterns import chapters as registry

ROOT = registry.ROOT
TAG = "EVALPATTERNS_TEST_TAG"


class Command:
    """``evalpatterns ARGS`` started in a session of its own, its output collected as it comes."""

    def __init__(self, *args, env: dict | None = None):
        self.tag = uuid.uuid4().hex
        self.lines: list[str] = []
        environ = {**os.environ, TAG: self.tag, **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "evalpatterns.cli", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ,
                                     start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def processes(self) -> list[psutil.Process]:
        """Every live process started by this command (the command itself included)."""
        found = []
        for p in psutil.process_iter():
            try:
                if p.status() != psutil.STATUS_ZOMBIE and p.environ().get(TAG) == self.tag:
                    found.append(p)
            except (psutil.Error, OSError):
                continue
        return found

    def wait_for(self, condition, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.proc.poll() is None, f"the command ended early:\n{self.output}"
            assert time.monotonic() < deadline, f"timed out waiting; output so far:\n{self.output}"
            time.sleep(0.05)

    def wait_for_line(self, text: str, timeout: float = 120.0) -> None:
        self.wait_for(lambda: text in self.output, timeout)

    def signal(self, signum: int, group: bool = False) -> float:
        """Send ``signum`` (to the whole process group with ``group``); returns the time it took to exit."""
        t0 = time.monotonic()
        (os.killpg if group else os.kill)(self.proc.pid, signum)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_all()
            pytest.fail(f"{signal.Signals(signum).name} did not stop the command within 30 s:\n{self.output}")
        self._reader.join(5)
        return time.monotonic() - t0

    def finish(self, timeout: float = 300) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(5)
        return code

    def kill_all(self) -> None:
        for p in self.processes():
            try:
                p.kill()
            except psutil.Error:
                pass

    def survivors(self, within: float) -> list[str]:
        """The command's processes still alive ``within`` seconds from now (waiting as long as some are)."""
        deadline = time.monotonic() + within
        while True:
            alive = self.processes()
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        described = []
        for p in alive:
            try:
                described.append(" ".join(p.cmdline())[:120])
            except psutil.Error:
                pass
        self.kill_all()
        return described


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"/")
            for p in sorted(folder.rglob("*"))}


def staging_left(build_dir: Path, output: Path) -> list[str]:
    left = [p.name for p in build_dir.glob(".stage-*")]
    left += [p.name for p in output.parent.glob(f".{output.name}.evalpatterns-*")]
    return left


@pytest.fixture(scope="module")
def seeded(book, tmp_path_factory):
    """A build folder holding the session book's cache and a copy of that book as its html/."""
    folder = tmp_path_factory.mktemp("faults")
    shutil.copytree(book.parent / ".cache", folder / "build" / ".cache")
    shutil.copytree(book, folder / "build" / "html", symlinks=True)
    return folder / "build"


@pytest.fixture
def previous(seeded):
    """(build folder, output folder holding the previous book, that book's snapshot)."""
    out = seeded / "html"
    return seeded, out, snapshot(out)


@pytest.fixture
def current(book, tmp_path):
    """(build folder with the session book's cache, output folder holding a copy of that book), which a build
    with the default parameters finds current: it executes and renders nothing."""
    shutil.copytree(book.parent / ".cache", tmp_path / "build" / ".cache")
    shutil.copytree(book, tmp_path / "build" / "html", symlinks=True)
    return tmp_path / "build", tmp_path / "build" / "html"


_values = iter(range(1, 1000))


def fresh_value() -> str:
    """A collapse threshold no build has used: mode-collapse and summary must execute."""
    return f"0.1{next(_values):03d}1"


KERNEL_RUNNING = "ipykernel"


def kernels_running(cmd: Command) -> bool:
    return any(KERNEL_RUNNING in " ".join(p.cmdline()) for p in cmd.processes())


def reach(phase: str, build_dir: Path, out: Path, extra_env: dict | None = None) -> Command:
    """A build of the previous book's output, stopped (or caught) in ``phase``."""
    args = ["build", "--build-dir", build_dir, "--output", out]
    env = dict(extra_env or {})
    if phase in ("validate", "publish"):
        cmd = Command(*args, "-p", "mode-collapse.collapse_accuracy", "0.15", env={**env, "EVALPATTERNS_HOLD_AT": phase})
        cmd.wait_for_line(f"holding at {phase}", timeout=240)
    elif phase == "execute":
        cmd = Command(*args, "-p", "mode-collapse.collapse_accuracy", fresh_value(), env=env)
        cmd.wait_for_line(f"executing {len(registry.CHAPTERS)} chapters")
        cmd.wait_for(lambda: kernels_running(cmd))
        time.sleep(1.0)  # the kernels are importing or executing
    else:  # render: Sphinx is reading and writing the pages
        cmd = Command(*args, "-p", "mode-collapse.collapse_accuracy", "0.15", env=env)
        cmd.wait_for_line("rendering with jupyter-book", timeout=240)
        time.sleep(0.5)
    return cmd


PHASES = ["validate", "execute", "render", "publish"]


SIGNAL_CASES = ([(phase, signal.SIGINT, True, 130) for phase in PHASES]
                + [(phase, signal.SIGTERM, False, 143) for phase in PHASES]
                + [("execute", signal.SIGINT, False, 130)])  # to the main process alone, while workers run


@pytest.mark.book
@pytest.mark.parametrize("phase, signum, group, code", SIGNAL_CASES,
                         ids=[f"{c[0]}-{signal.Signals(c[1]).name}{'-to-group' if c[2] else ''}" for c in SIGNAL_CASES])
def test_a_signal_stops_a_build_in_any_phase_cleanly(previous, phase, signum, group, code):
    """Within 5 s, exit 130 (143 for SIGTERM), no process left, the previous book as it was, no staging."""
    build_dir, out, before = previous
    cmd = reach(phase, build_dir, out)
    took = cmd.signal(signum, group=group)
    assert cmd.proc.returncode == code, cmd.output
    assert took < 5, f"{took:.1f} s to stop"
    assert cmd.survivors(within=1.0) == []
    assert "Traceback" not in cmd.output and "interrupted" in cmd.output
    assert snapshot(out) == before
    assert staging_left(build_dir, out) == []


@pytest.mark.book
def test_after_sigkill_no_child_outlives_the_build_and_the_next_build_cleans_up(previous):
    """SIGKILL in each phase: every child is gone within a few seconds; the previous book is intact; the next
    build removes the staging folders the killed ones left and succeeds."""
    build_dir, out, before = previous
    for phase in PHASES:
        cmd = reach(phase, build_dir, out)
        cmd.signal(signal.SIGKILL)
        assert cmd.survivors(within=5.0) == [], phase
        assert snapshot(out) == before, phase
    assert list(build_dir.glob(".stage-*"))  # what the killed builds left
    nxt = Command("build", "--build-dir", build_dir, "--output", out, "-p", "mode-collapse.collapse_accuracy", "0.15")
    assert nxt.finish() == 0, nxt.output
    assert staging_left(build_dir, out) == []
    assert (out / "index.html").exists() and snapshot(out) != before


@pytest.mark.book
@pytest.mark.parametrize("signum, group, code", [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143),
                                                 (signal.SIGKILL, False, -9)])
def test_a_signal_stops_a_run_while_it_executes(tmp_path, signum, group, code):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".evalpatterns-output").write_text('{"tool": "evalpatterns", "command": "run", "entries": ["results.json"]}')
    (out / "results.json").write_text("an earlier run's")
    before = snapshot(out)
    cmd = Command("run", "model-switch-roi", "--data", ROOT / "data" / "examples" / "roi.csv", "--output", out)
    cmd.wait_for(lambda: kernels_running(cmd))
    time.sleep(1.0)
    took = cmd.signal(signum, group=group)
    assert cmd.proc.returncode == code, cmd.output
    assert cmd.survivors(within=5.0 if signum == signal.SIGKILL else 1.0) == []
    if signum != signal.SIGKILL:
        assert took < 5 and "Traceback" not in cmd.output
        assert snapshot(out) == before  # nothing replaced, no staging folder
    else:
        assert {p.name for p in out.iterdir()} - {".evalpatterns-output", "results.json"} == {
            p.name for p in out.glob(".run-*")}


@pytest.mark.book
def test_a_second_build_of_the_same_output_waits_and_says_which_build_holds_it(current):
    """The lock, not the rendering, is under test: the output is current, so the second build, once the first
    lets go, finishes without rendering."""
    build_dir, out = current
    first = Command("build", "--build-dir", build_dir, "--output", out, env={"EVALPATTERNS_HOLD_AT": "validate"})
    first.wait_for_line("holding at validate", timeout=120)
    second = Command("build", "--build-dir", build_dir, "--output", out)
    second.wait_for_line("waiting:", timeout=120)
    assert f"is being written by `evalpatterns build` (pid {first.proc.pid}, started" in second.output
    time.sleep(1.0)
    assert second.proc.poll() is None  # still waiting
    first.signal(signal.SIGTERM)
    assert second.finish() == 0, second.output
    assert "book written to" in second.output
