"""Which folders ``build --output`` and ``run --output`` may write, the marker that makes a folder theirs, and
the lock that lets one command at a time write it.

The rule: nothing the tool did not write is ever deleted, moved or overwritten. An output folder is accepted
when it is missing, empty, or holds an earlier output of the same command whose every entry is listed in
its marker file (``.evalpatterns-output``: the command and the entries it wrote). Anything else is refused
before any work is done, with one message saying why and what to do: a folder holding other files, a file,
the checkout or any folder containing it, a folder holding the input data, the build folder, ``/`` and the
home folder.

The lock is ``fcntl.flock`` on a file of the tool's own, in ``$TMPDIR/evalpatterns-UID/``, named after the
output folder; the lock file says which command holds it (pid, start time), and a second command waits for
it, saying so.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from .errors import BuildError, writable_folder
from .plan import ROOT

MARKER = ".evalpatterns-output"
LEGACY_BUILD_KEY = ".evalpatterns-build-key"  # what builds before the marker left in the book's folder
STAGING_PREFIXES = (".run-",)
PROTECTED = tuple(ROOT / name for name in ("data", "chapters", "lib", "_static", ".git"))  # a run's staging folders, in its output (removed when stale)


def listing(folder: Path) -> list[str]:
    """Every entry under ``folder`` (folders end with '/'), relative, sorted; links are not followed; the
    marker itself is left out."""
    entries = []
    for top, dirs, files in os.walk(folder):
        rel = Path(top).relative_to(folder)
        entries += [(rel / d).as_posix() + "/" for d in dirs]
        entries += [(rel / f).as_posix() for f in files]
    return sorted(e for e in entries if e != MARKER)


def read_marker(folder: Path) -> dict | None:
    """The marker of an output folder ({"command", "entries", "key"}), or None when it has none."""
    path = Path(folder) / MARKER
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    if isinstance(marker, dict) and marker.get("tool") == "evalpatterns":
        return {"command": marker.get("command"), "entries": list(marker.get("entries") or []),
                "key": marker.get("key", "")}
    if (Path(folder) / LEGACY_BUILD_KEY).is_file() and not path.exists():
        return {"command": "build", "entries": None, "key": ""}  # an earlier build's book: all of it was ours
    return None


def write_marker(folder: Path, command: str, entries: list[str], key: str = "") -> None:
    """Write (atomically) the marker saying ``folder`` holds ``entries`` written by ``command``."""
    tmp = Path(folder) / f"{MARKER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"tool": "evalpatterns", "command": command, "key": key,
                               "entries": sorted(set(entries))}, indent=1), encoding="utf-8")
    os.replace(tmp, Path(folder) / MARKER)


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refuse(path: Path, command: str, why: str, what: str) -> BuildError:
    noun = "the book" if command == "build" else "the chapter's outputs"
    return BuildError(f"will not write {noun} into {path}: {why}; {what}")


def _foreign(folder: Path, marker: dict) -> list[str]:
    """Entries of ``folder`` its marker does not list (a run's staging folders excepted)."""
    ours = set(marker["entries"] or [])
    present = listing(folder)
    skip = tuple(e for e in present if e.endswith("/") and e.startswith(STAGING_PREFIXES) and "/" not in e[:-1])
    return [e for e in present if e not in ours and not e.startswith(skip or ("\0",))]


def check_output(path: str | Path, command: str, inputs: list[Path] = (), build_dir: Path | None = None) -> Path:
    """The output folder ``path`` resolved, when ``command`` may write it; BuildError saying why not and what
    to do otherwise. ``inputs``: the data files and folders the command reads (the output may not be one of
    them or hold one); ``build_dir``: the build's own folder (the output may be inside it, not it or above it)."""
    given = Path(path).expanduser()
    resolved = Path(os.path.abspath(given))
    resolved = resolved.resolve() if resolved.exists() or resolved.is_symlink() else resolved.parent.resolve() / resolved.name
    choose = "choose a new or empty folder"
    if resolved == Path(resolved.anchor):
        raise _refuse(given, command, "it is the root of the filesystem", choose)
    home = Path.home().resolve()
    if _within(home, resolved):
        raise _refuse(given, command, "it is your home folder, or holds it", choose)
    if _within(ROOT, resolved):
        raise _refuse(given, command, f"it is the checkout {ROOT}, or holds it", choose + " (the default is _build/html)")
    for folder in PROTECTED:
        if _within(resolved, folder) or _within(folder, resolved):
            raise _refuse(given, command, f"it holds, or is inside, the book's own {folder}", choose + " outside it")
    for source in inputs:
        if _within(Path(source).resolve(), resolved):
            raise _refuse(given, command, f"it is, or holds, the input {source}", choose)
    if build_dir is not None and _within(Path(build_dir).resolve(), resolved):
        raise _refuse(given, command, f"it is the build folder {build_dir}, or holds it",
                      choose + " (the default is the build folder's html/)")
    if resolved.is_symlink() and not resolved.exists():
        raise _refuse(given, command, "it is a broken link", "remove the link or " + choose)
    if resolved.exists():
        if not resolved.is_dir():
            raise _refuse(given, command, "it is a file, not a folder", choose)
        if any(resolved.iterdir()):
            marker = read_marker(resolved)
            if marker is None:
                some = ", ".join(e.rstrip("/") for e in listing(resolved)[:3])
                raise _refuse(given, command, f"it holds files evalpatterns did not write ({some}, ...)",
                              choose + ", or move those files away")
            if marker["command"] != command:
                raise _refuse(given, command, f"it holds the output of `evalpatterns {marker['command']}`",
                              choose)
            foreign = _foreign(resolved, marker) if marker["entries"] is not None else []
            if foreign:
                more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
                raise _refuse(given, command, f"it holds files the last `evalpatterns {command}` did not write "
                              f"({', '.join(e.rstrip('/') for e in foreign[:3])}{more})",
                              choose + ", or move those files away")
    writable_folder(resolved, "the output folder")
    if command == "build":  # the new book is swapped in beside the old one
        writable_folder(resolved.parent, "the folder holding the output folder")
    return resolved


def lock_path(output: Path) -> Path:
    folder = Path(tempfile.gettempdir()) / f"evalpatterns-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / (hashlib.sha256(str(output).encode()).hexdigest()[:24] + ".lock")


@contextlib.contextmanager
def output_lock(output: Path, command: str, log=print):
    """Hold the lock on ``output`` while the block runs; wait for it, saying which command holds it."""
    path = lock_path(output)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = json.loads(Path(path).read_text() or "{}")
            except (OSError, ValueError):
                holder = {}
            who = (f"`evalpatterns {holder.get('command', '?')}` (pid {holder.get('pid', '?')}, started "
                   f"{holder.get('started', '?')})")
            log(f"waiting: {output} is being written by {who}; this {command} goes on when that ends "
                f"(Ctrl-C to give up)")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"command": command, "pid": os.getpid(), "output": str(output),
                                  "started": time.strftime("%Y-%m-%d %H:%M:%S")}).encode(), 0)
        yield
    finally:
        os.close(fd)
