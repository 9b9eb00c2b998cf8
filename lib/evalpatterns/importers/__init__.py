"""``evalpatterns import``: a researcher's own runs, from the tools that logged them, as data-contract files.

One module per source kind (:data:`SOURCES`), each with ``read(paths, mapping) -> DataFrame`` (the source as it
is, one column per thing it holds) and ``TARGETS`` (the data kinds it can become, the default first);
:mod:`.mapping` turns that frame into the target's rows; :func:`import_into` writes, validates and records.

Nothing in the target folder is overwritten unless an earlier import wrote it: the folder must be empty, new,
or hold ``import-KIND.yml`` files of earlier imports, which list the files they wrote.
"""
from __future__ import annotations

import importlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import chapters as registry
from ..contract import write_datapackage
from ..io import validate
from ..schema import SCHEMAS
from .mapping import ImportFailure, Mapping, check_fields, to_contract

__all__ = ["SOURCES", "ImportFailure", "Imported", "Mapping", "import_into", "reader", "runnable"]

SOURCES = {"wandb-history": "wandb", "lm-eval": "lm_eval", "tensorboard": "tensorboard", "mlflow": "mlflow",
           "inspect": "inspect_logs"}
PACKAGE = "datapackage.json"


def reader(kind: str):
    if kind not in SOURCES:
        raise ImportFailure(f"unknown source kind '{kind}'; expected one of {', '.join(SOURCES)}")
    return importlib.import_module(f".{SOURCES[kind]}", __name__)


@dataclass
class Imported:
    """What an import wrote: the data file, its rows, the mapping file, and the chapters that can now run."""

    data_file: Path
    rows: int
    mapping_file: Path
    package_file: Path
    runnable: list[str]


def mapping_name(target: str) -> str:
    return f"import-{target}.yml"


def import_into(kind: str, sources: list[str | Path], to: str | Path, mapping: Mapping) -> Imported:
    """Read ``sources`` of source ``kind``, write ``mapping.target``'s file into ``to`` with the mapping used and
    a ``datapackage.json``; ImportFailure (nothing written) when the sources, the mapping or the result are wrong."""
    module = reader(kind)
    if mapping.target not in module.TARGETS:
        raise ImportFailure(f"{kind} imports into {', '.join(module.TARGETS)}; not {mapping.target}")
    check_fields(mapping)
    if not sources:
        raise ImportFailure("name at least one SOURCE to import")
    paths = [Path(s) for s in sources]
    frame = module.read(paths, mapping)
    what = ", ".join(str(p) for p in paths)
    rows = to_contract(frame, mapping, what)
    to = Path(to)
    ours = _files_of_earlier_imports(to)
    schema = SCHEMAS[mapping.target]
    written = [schema.filename, mapping_name(mapping.target), PACKAGE]
    foreign = [n for n in written if (to / n).exists() and n not in ours]
    if foreign:
        raise ImportFailure(f"{to / foreign[0]} exists and no earlier import wrote it: nothing was written; "
                            "import into a new or empty folder")
    with tempfile.TemporaryDirectory(prefix=".import-") as tmp:
        staged = Path(tmp) / schema.filename
        rows.to_csv(staged, index=False)
        problems = validate(mapping.target, staged)
        if problems:
            listed = "\n".join(str(p).replace(str(staged), str(to / schema.filename)) for p in problems[:20])
            more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise ImportFailure(f"the imported rows do not meet the data contract; nothing was written:\n"
                                f"{listed}{more}")
        to.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), to / schema.filename)
    record = mapping.to_dict([str(p) for p in paths], [schema.filename, PACKAGE])
    header = (f"# Written by `evalpatterns import {kind}`. Repeat the import with:\n"
              f"#   evalpatterns import {kind} {' '.join(str(p) for p in paths)} --mapping "
              f"{to / mapping_name(mapping.target)} --to {to}\n")
    (to / mapping_name(mapping.target)).write_text(header + yaml.safe_dump(record, sort_keys=False),
                                                   encoding="utf-8")
    kinds = [k for k, s in SCHEMAS.items() if (to / s.filename).exists() and s.filename in
             _files_of_earlier_imports(to)]
    package = write_datapackage(to, kinds)
    return Imported(to / schema.filename, len(rows), to / mapping_name(mapping.target), package, runnable(to))


def _files_of_earlier_imports(folder: Path) -> set[str]:
    """Files in ``folder`` that earlier imports wrote (as their mapping files record); refuses a folder that
    holds files of its own and no import record."""
    if not folder.exists():
        return set()
    if not folder.is_dir():
        raise ImportFailure(f"{folder}: expected a folder to write into; found a file")
    ours: set[str] = set()
    for record in folder.glob("import-*.yml"):
        try:
            data = yaml.safe_load(record.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("evalpatterns_import"):
            ours |= {record.name, *[str(n) for n in data.get("written") or []]}
    others = sorted(p.name for p in folder.iterdir() if p.name not in ours)
    if others and not ours:
        raise ImportFailure(f"{folder} holds files no import wrote (such as {others[0]}): nothing was written; "
                            "import into a new or empty folder, or one an earlier import wrote")
    return ours


def runnable(folder: Path) -> list[str]:
    """The chapters whose data files are all in ``folder`` (the claims register may be the book's own)."""
    return [c.id for c in registry.CHAPTERS if c.data_parameters and all(
        (folder / f"{p.data}.csv").exists() or p.keep_default for p in c.required_data)]
