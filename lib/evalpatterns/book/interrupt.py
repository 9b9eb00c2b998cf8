"""Signals and the processes a build starts.

The rules, kept here and nowhere else:

- In ``evalpatterns build`` and ``run`` (:func:`handling_signals`), SIGINT (Ctrl-C, sent by a terminal to the
  whole process group) and SIGTERM raise :class:`Interrupted` in the main process, once; cleanup then runs
  without being interrupted again, and the command exits 130 (SIGINT) or 143 (SIGTERM).
- Only the main process acts on a signal. Pool workers ignore SIGINT and, on SIGTERM (sent by the main
  process as it stops, or by the kernel when the main process dies: :func:`lifeline`), kill their kernel and
  exit at once. Kernels (jupyter_client starts each in a session of its own, so a terminal's Ctrl-C never
  reaches them) exit when their parent does (ipykernel polls its parent). The renderer runs in a session of
  its own and dies with the process that started it (:func:`lifeline_preexec`).
- Processes are started with SIGINT and SIGTERM blocked (:func:`signals_blocked`), so that a signal arriving
  while a worker starts is acted on by the main process once the worker is set up; the final swap of the
  book is made with them blocked too, so it is never half done.

Linux ends a child when its parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread polls the parent.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

SIGNALS = (signal.SIGINT, signal.SIGTERM)
PR_SET_PDEATHSIG = 1
HOLD_VARIABLE = "EVALPATTERNS_HOLD_AT"


class Interrupted(KeyboardInterrupt):
    """The command was asked to stop by ``signum``; :attr:`exit_code` is 128 + ``signum``."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_STOPPING = threading.Event()
_HOLD_AT: str | None = None


def _raise_interrupted(signum, frame) -> None:
    if _STOPPING.is_set():  # cleanup is under way and bounded in time: let it finish
        return
    _STOPPING.set()
    raise Interrupted(signum)


@contextlib.contextmanager
def handling_signals():
    """In the main thread: SIGINT and SIGTERM raise :class:`Interrupted` (once) while the block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    global _HOLD_AT
    _HOLD_AT = os.environ.pop(HOLD_VARIABLE, None)  # for this process only, not for its kernels
    saved = {s: signal.signal(s, _raise_interrupted) for s in SIGNALS}
    _STOPPING.clear()
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def stopping() -> bool:
    """Whether a signal has asked this process to stop."""
    return _STOPPING.is_set()


@contextlib.contextmanager
def signals_blocked():
    """SIGINT and SIGTERM held back while the block runs (delivered after it); children forked inside start
    with them blocked."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _load_prctl():
    """libc's prctl, looked up now, in the parent: a child between fork and exec must not load libraries."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


def _set_parent_death_signal(signum: int) -> bool:
    return _PRCTL is not None and _PRCTL(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0


def lifeline(signum: int = signal.SIGKILL, parent: int | None = None) -> None:
    """In a child: receive ``signum`` when the parent dies (at once, if it died already)."""
    parent = parent or os.getppid()
    if not _set_parent_death_signal(signum):
        def poll() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signum)
        threading.Thread(target=poll, daemon=True, name="evalpatterns-lifeline").start()
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)


def lifeline_preexec() -> None:
    """``preexec_fn`` for a child process that must not outlive its parent: SIGKILL when the parent dies.
    Start it with ``start_new_session=True`` too, so that a terminal's signals reach only the main process."""
    _set_parent_death_signal(signal.SIGKILL)


_ON_TERMINATE: list = []


def on_terminate(callback) -> None:
    """In a pool worker: call ``callback()`` (quickly, from a signal handler) before the worker exits on SIGTERM."""
    _ON_TERMINATE.append(callback)


def _terminate_worker(signum, frame) -> None:
    for callback in _ON_TERMINATE:
        with contextlib.suppress(BaseException):
            callback()
    os._exit(128 + signum)


def worker_started(parent: int) -> None:
    """ProcessPoolExecutor initializer: ignore Ctrl-C (the main process acts on it), exit on SIGTERM (ending
    this worker's kernel), get SIGTERM when the main process dies; then unblock the signals."""
    signal.signal(signal.SIGINT, lambda *a: None)  # a handler, not SIG_IGN, which a kernel would inherit
    signal.signal(signal.SIGTERM, _terminate_worker)
    lifeline(signal.SIGTERM, parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def stop_processes(processes, grace: float = 3.0) -> None:
    """SIGTERM each live process (a ``multiprocessing.Process``), wait up to ``grace`` seconds in all, then
    SIGKILL the ones left."""
    processes = [p for p in processes if p.is_alive()]
    for p in processes:
        with contextlib.suppress(OSError):
            p.terminate()
    deadline = time.monotonic() + grace
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in processes:
        if p.is_alive():
            with contextlib.suppress(OSError):
                p.kill()
            p.join(1.0)


def hold(phase: str) -> None:
    """Stop here, until a signal, when EVALPATTERNS_HOLD_AT names ``phase``: how tests/test_faults.py sends a
    signal to a build at a known phase (validate, publish). Read by :func:`handling_signals`, which takes the
    variable out of the environment, so that no child process (a chapter's own `run`) holds too."""
    if _HOLD_AT != phase:
        return
    print(f"evalpatterns: holding at {phase}", file=sys.stderr, flush=True)
    while True:
        time.sleep(0.05)
