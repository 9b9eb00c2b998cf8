"""Warm kernels: a Jupyter kernel started before it is needed, with the chapters' libraries imported, that
executes chapters one after another, each from the state of a new kernel.

Starting a kernel (about 1 s) and importing pandas, matplotlib, seaborn and scipy into it (about 1.5 s) cost
more than most chapters' own work. A build worker keeps one kernel for all the chapters it executes, and
``evalpatterns run`` starts its kernel (and the imports in it) while it imports papermill, converts the
notebook and sets Sphinx up for the page. Like papermill's kernels, a warm kernel keeps its IPython history
in memory.

Before each chapter the kernel is returned to the state of a new kernel that has done the same imports
(:func:`fresh_state`, run in the kernel): IPython's own ``reset`` clears the user namespace, the input and
output history and the execution counter; figures are closed; matplotlib's settings, numpy's print options
and floating-point error handling, the warning filters (and the record of warnings already shown), the
working directory, ``sys.path`` and the environment are put back as they were once the imports were done.

Not put back, because no chapter of this book changes them (``tests/test_kernels.py`` checks, chapter by
chapter, that a warm kernel writes the same notebook as a new one): library modules changed in place,
modules imported by an earlier chapter, pandas options, matplotlib's backend, registered colormaps and
unit converters, IPython extensions, magics, display-formatter settings and ``from __future__`` flags,
logging configuration, locale, umask, signal and atexit handlers. A notebook that changes any of these
should run with ``--fresh-kernels`` (or ``EVALPATTERNS_FRESH_KERNELS=1``), where papermill starts a new
kernel for every chapter.

The notebook is still executed by papermill (its parameters cell, injected parameters, error reporting): the
kernel is handed to it through a papermill engine, ``evalpatterns-warm``.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import uuid
import warnings
from pathlib import Path

#: What a chapter imports, loaded into a warm kernel before any chapter runs.
KERNEL_MODULES = (
    "evalpatterns.build", "evalpatterns.capability", "evalpatterns.audit", "evalpatterns.collapse",
    "evalpatterns.distillation", "evalpatterns.figures", "evalpatterns.io", "evalpatterns.memorization",
    "evalpatterns.report", "evalpatterns.roi", "evalpatterns.tables", "evalpatterns.page", "evalpatterns.findings",
    "evalpatterns.findings.capability", "evalpatterns.findings.collapse", "evalpatterns.findings.roi",
    "evalpatterns.findings.distillation", "evalpatterns.findings.memorization", "evalpatterns.words.summary",
    "evalpatterns.theme", "scipy.stats", "myst_nb", "IPython.display",
)
ENGINE = "evalpatterns-warm"
HISTORY_IN_MEMORY = "--HistoryManager.hist_file=:memory:"

# -- in the kernel ------------------------------------------------------------------------------------------

_STATE: dict | None = None


def prepare(modules=KERNEL_MODULES) -> None:
    """In a kernel: import the chapters' modules, let matplotlib choose its backend as a chapter's first figure
    would, and remember the state that :func:`fresh_state` returns to."""
    global _STATE
    if _STATE is not None:
        return
    for name in modules:
        importlib.import_module(name)
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np

    plt.close(plt.figure())  # loads the inline backend, which registers IPython's figure display
    _STATE = {
        "rc": {k: v for k, v in matplotlib.rcParams.copy().items() if k != "backend"},
        "warnings": list(warnings.filters),
        "path": list(sys.path),
        "environ": dict(os.environ),
        "numpy_print": np.get_printoptions(),
        "numpy_err": np.geterr(),
        "unused": True,  # nothing has run in this kernel since it started, but the silent prepare()
    }


def fresh_state(cwd: str) -> None:
    """In a kernel: return to the state of a new kernel that has done :func:`prepare`, working in ``cwd``."""
    unused = _STATE is not None and _STATE.pop("unused", False)
    if _STATE is None:
        prepare()
        _STATE.pop("unused")
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    from IPython import get_ipython

    plt.close("all")
    matplotlib.rcParams.update(_STATE["rc"])
    np.set_printoptions(**_STATE["numpy_print"])
    np.seterr(**_STATE["numpy_err"])
    warnings.resetwarnings()  # also forgets which warnings were shown, so they are shown again
    warnings.filters[:] = _STATE["warnings"]
    sys.path[:] = _STATE["path"]
    saved = _STATE["environ"]
    for key in [k for k in os.environ if k not in saved]:  # key by key: other threads may read it
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    os.chdir(cwd)
    shell = get_ipython()
    if shell is not None and not (unused and shell.execution_count == 1):
        # namespace, In/Out, execution count back to 1 (a tenth of a second: it collects garbage); a kernel
        # that has run nothing since it started (prepare() ran silently: no history, no count) is there already
        shell.reset(new_session=True)


# -- in the build process -----------------------------------------------------------------------------------

class KernelError(RuntimeError):
    """The kernel could not be started or died."""


def new_session(km):
    """A copy of the kernel manager's session (same key) under a new id.

    jupyter_client names a client's shell socket after its session id, and the kernel refuses a second
    connection under a name already connected; so every client of a warm kernel (the one that asks for the
    imports, then one per chapter) gets its own."""
    session = km.session.clone()
    session.session = str(uuid.uuid4())
    return session


def _fresh_state_code(cwd: Path) -> str:
    return f"__import__('evalpatterns.kernels').kernels.fresh_state({str(cwd)!r})"


def start_quiet(folder: str | Path) -> "WarmKernel":
    """A warm kernel for one chapter run (``evalpatterns run``), started now so that it imports the chapters'
    libraries (about 2 s) while the caller imports, checks the data and sets Sphinx up. Its stderr (chatter,
    not the chapter's output, which goes into the notebook) is dropped, as a run drops its staging folder's
    kernel log."""
    import subprocess

    return WarmKernel(folder, stderr=subprocess.DEVNULL)


class WarmKernel:
    """A kernel started now, importing the chapters' modules in the background; :meth:`execute` runs a
    notebook in it with papermill, from a fresh state. Use as a context manager, or call :meth:`close`."""

    def __init__(self, cwd: str | Path, kernel_name: str = "python3", stderr=None):
        """``stderr``: a file (descriptor) for the kernel's own stderr (its chatter: TCP warnings, shutdown
        notices), instead of this process's."""
        self.cwd = Path(cwd)
        self.kernel_name = kernel_name
        self.stderr = stderr
        self.km = None
        self.kc = None
        self.start()

    def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        self._shutdown_requested = False
        self._prepared = None
        try:
            # History in memory, as papermill's kernels keep it: not in the user's IPython history file.
            launch = {"stderr": self.stderr} if self.stderr is not None else {}
            run_sync(self.km.start_kernel)(cwd=str(self.cwd), extra_arguments=[HISTORY_IN_MEMORY], **launch)
        except Exception as exc:  # no such kernel, cannot launch
            self.km = None
            raise KernelError(f"could not start a '{self.kernel_name}' kernel: {exc}") from None
        try:
            self.kc = self.km.client(session=new_session(self.km))
            self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            # Not waited for here: the kernel imports while the caller goes on (execute waits for it).
            self._prepared = self.kc.execute("__import__('evalpatterns.kernels').kernels.prepare()",
                                             silent=True, store_history=False)
        except BaseException:
            self.close()
            raise

    def _wait_prepared(self) -> None:
        """Wait for :func:`prepare` to finish in the kernel (as long as it takes, while the kernel lives);
        KernelError if it failed."""
        from queue import Empty

        from jupyter_core.utils import run_sync

        async def reply():
            while True:
                try:
                    msg = await self.kc.get_shell_msg(timeout=1)
                except Empty:
                    if not await self.km.is_alive():
                        raise KernelError("the kernel died while importing the chapters' libraries") from None
                    continue
                if msg["parent_header"].get("msg_id") == self._prepared:
                    return msg["content"]

        content = run_sync(reply)()
        if content.get("status") != "ok":
            raise KernelError(f"could not import the chapters' libraries in the kernel: "
                              f"{content.get('ename')}: {content.get('evalue')}")
        self._prepared = True

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def execute(self, nb, parameters: dict, cwd: str | Path):
        """Execute ``nb`` with papermill in this kernel (restarted first if it died); returns the executed
        notebook. Raises papermill's PapermillExecutionError on a failing cell, KernelError if the kernel
        dies."""
        import papermill
        from nbclient.exceptions import DeadKernelError

        register_engine()
        if not self.alive():
            self.close()
            self.start()
        if self._prepared is not True:
            try:
                self._wait_prepared()
            except KernelError:
                self.close()  # the next execute starts a new kernel
                raise
        try:
            return papermill.execute_notebook(nb, None, parameters=parameters, engine_name=ENGINE,
                                              warm_kernel=self, chapter_cwd=str(cwd), kernel_name=self.kernel_name,
                                              progress_bar=False, log_output=False)
        except DeadKernelError as exc:
            raise KernelError(f"the kernel died: {exc}") from None
        except KeyboardInterrupt:
            self.kill()  # it may still be running the interrupted cell
            raise

    def request_shutdown(self) -> None:
        """Ask the kernel to exit, without waiting for it (:meth:`close` then waits)."""
        from jupyter_core.utils import run_sync

        if self.km is not None and not self._shutdown_requested:
            run_sync(self.km.request_shutdown)()
            self._shutdown_requested = True

    def close(self) -> None:
        """Stop the kernel: ask it to exit (unless :meth:`request_shutdown` did), wait for it, and clean up."""
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            km, self.km = self.km, None
            try:
                if self._shutdown_requested:
                    run_sync(km.finish_shutdown)()
                    run_sync(km.cleanup_resources)()
                else:
                    run_sync(km.shutdown_kernel)(now=False)  # which cleans up too
            except Exception:  # it was gone already: still remove the connection file, close the sockets
                with contextlib.suppress(Exception):
                    run_sync(km.cleanup_resources)()

    def kill(self) -> None:
        """Kill the kernel now (SIGKILL to its process group, which jupyter_client made its own), without
        asking it: for an interrupted build, whose kernel may be in the middle of a cell. Safe to call from a
        signal handler."""
        import signal

        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if km is None:
            return
        # Close this client's sockets at once: jupyter_client gives them a linger of 1 s, so a request still
        # queued for the killed kernel held the process for a second at exit (or at garbage collection).
        for channel in ("_shell_channel", "_iopub_channel", "_stdin_channel", "_control_channel", "_hb_channel"):
            with contextlib.suppress(Exception):
                sock = getattr(getattr(kc, channel, None), "socket", None)
                if sock is not None:
                    sock.close(linger=0)
        with contextlib.suppress(Exception):
            if getattr(km, "_control_socket", None) is not None:
                km._control_socket.close(linger=0)
        provisioner = getattr(km, "provisioner", None)
        pgid = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
        if pgid:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGKILL)
        process = getattr(provisioner, "process", None)
        with contextlib.suppress(Exception):
            process.wait(timeout=2)
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.kill() if exc_type is not None else self.close()


async def wait_for_ready(kc, km, timeout: float) -> None:
    """Wait until the kernel answers this client's ``kernel_info`` request on the shell channel and its IOPub
    messages reach the client (the subscription is live, so no output of the first cell is lost): as
    jupyter_client's ``wait_for_ready``, without its last step, which waits 0.2 s for IOPub to fall silent on
    every client. Here the reply's own ``idle`` status is the last message the request causes, so nothing is
    left to flush. RuntimeError when the kernel dies or does not answer within ``timeout`` seconds."""
    import time
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        try:
            while True:  # the reply to this request (a reply to an earlier, repeated one is skipped)
                reply = await kc.shell_channel.get_msg(timeout=1)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            while True:  # its idle status on IOPub: the subscription is live
                msg = await kc.iopub_channel.get_msg(timeout=0.2)
                if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    return
        except Empty:  # no reply yet, or IOPub not connected yet: ask again
            pass
        if not await km.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


@functools.cache
def register_engine() -> None:
    """Make the ``evalpatterns-warm`` engine known to papermill (once; papermill is imported only then)."""
    from jupyter_core.utils import ensure_async, run_sync
    from nbclient.util import run_hook
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from traitlets import Unicode

    class FreshStateClient(PapermillNotebookClient):
        """Papermill's client, on a running kernel put back into a fresh state before the first cell."""

        chapter_cwd = Unicode("")

        async def async_start_new_kernel_client(self):
            # nbclient's own version, except that the client has a session of its own, and a failure leaves
            # the kernel to WarmKernel (nbclient would shut down a kernel it does not own).
            self.kc = self.km.client(session=new_session(self.km))
            await ensure_async(self.kc.start_channels())
            try:
                await wait_for_ready(self.kc, self.km, self.startup_timeout)
            except RuntimeError as exc:  # "Kernel didn't respond in 60 seconds", "Kernel died before replying"
                raise KernelError(f"the kernel did not respond: {exc}") from None
            self.kc.allow_stdin = False
            reply = await self.async_wait_for_reply(
                self.kc.execute(_fresh_state_code(Path(self.chapter_cwd)), silent=True, store_history=False))
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise KernelError(f"the kernel could not be reset: {content.get('ename')}: {content.get('evalue')}")
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc

        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    class WarmEngine(NBClientEngine):
        """Papermill's nbclient engine, executing in a :class:`WarmKernel` (engine argument ``warm_kernel``)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     warm_kernel=None, chapter_cwd="", **kwargs):
            client = FreshStateClient(nb_man, km=warm_kernel.km, kernel_name=kernel_name, log=logger,
                                      timeout=execution_timeout, startup_timeout=start_timeout,
                                      log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                                      chapter_cwd=chapter_cwd)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE, WarmEngine)
