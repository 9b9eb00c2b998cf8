"""The one error a build or a run reports to the user, and where other failures become it."""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


class BuildError(RuntimeError):
    """A build step failed; the message says which chapter, which cell, or which file."""


def describe_os_error(exc: OSError) -> str:
    """An OSError as one sentence naming the file and what went wrong, with advice for the usual causes."""
    where = exc.filename or ""
    if exc.filename2:
        where = f"{where} -> {exc.filename2}"
    reason = exc.strerror or str(exc)
    advice = {
        errno.ENOSPC: "free some space, or choose a folder on another disk",
        errno.EDQUOT: "free some space, or choose a folder on another disk",
        errno.EACCES: "choose a folder you may write to (for the build folder: --build-dir or EVALPATTERNS_BUILD_DIR)",
        errno.EPERM: "choose a folder you may write to (for the build folder: --build-dir or EVALPATTERNS_BUILD_DIR)",
        errno.EROFS: "choose a folder on a writable disk (for the build folder: --build-dir or EVALPATTERNS_BUILD_DIR)",
        errno.ENOTDIR: "a file stands where a folder should be; move it or choose another path",
        errno.EEXIST: "something is already there; move it or choose another path",
    }.get(exc.errno)
    text = f"{where}: {reason}" if where else reason
    return f"{text} ({advice})" if advice else text


@contextlib.contextmanager
def reported(chapter_id: str = ""):
    """Turn a kernel's failure (naming ``chapter_id``), the renderer's, or a filesystem error into a BuildError."""
    from ..kernels import KernelError
    from ..render import RenderError

    try:
        yield
    except KernelError as exc:
        raise BuildError(f"chapter '{chapter_id}' could not be executed: {exc}") from None
    except RenderError as exc:
        raise BuildError(str(exc)) from None
    except OSError as exc:
        raise BuildError(f"could not write the output: {describe_os_error(exc)}") from None


def writable_folder(path, what: str) -> None:
    """BuildError unless ``path`` (a folder, perhaps not made yet) can be made and written: checked by making
    the folder's nearest existing ancestor's probe file, so that a read-only or full disk is found before any
    work is done."""
    path = Path(path)
    probe_dir = path
    while not probe_dir.exists():
        if probe_dir.is_symlink():
            raise BuildError(f"{what} {path}: {probe_dir} is a broken link; remove it or choose another folder")
        probe_dir = probe_dir.parent
    if not probe_dir.is_dir():
        raise BuildError(f"{what} {path}: {probe_dir} is a file, not a folder; move it or choose another folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".evalpatterns-probe-", dir=probe_dir)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise BuildError(f"{what} {path} cannot be written: {describe_os_error(exc)}") from None
