"""The ``evalpatterns`` command: list chapters, validate data, run one chapter, build the book.

Every failure prints one clear message to stderr and exits non-zero; no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path



FRESH_HELP = ("execute every chapter in a kernel papermill starts for it, instead of a warm kernel with the "
              "libraries already imported (slower; the same notebooks); also EVALPATTERNS_FRESH_KERNELS=1")


def _fresh_kernels(args) -> None:
    if args.fresh_kernels:  # through the environment, so that a chapter's own `run` (and its kernel) follow
        os.environ["EVALPATTERNS_FRESH_KERNELS"] = "1"


ENGINE_HELP = ("where the step-log and per-seed analyses run: pandas (in memory), duckdb (embedded, larger than "
               "memory; the default for Parquet input and large CSV files) or spark; also EVALPATTERNS_ENGINE")


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("pandas", "duckdb", "spark"), help=ENGINE_HELP)
    p.add_argument("--spark-master", metavar="URL", help="Spark master for --engine spark, e.g. spark://host:7077 "
                   "(default: EVALPATTERNS_SPARK_MASTER, SPARK_MASTER, else local[*])")


def _engine(args) -> None:
    """Hand the engine choice to the chapters' kernels through the environment (as --fresh-kernels)."""
    from .options import ENGINE_VARIABLE

    if args.engine:
        os.environ[ENGINE_VARIABLE] = args.engine
    if args.spark_master:
        os.environ["EVALPATTERNS_SPARK_MASTER"] = args.spark_master


FIGURE_FORMAT_HELP = ("the formats figures are written in: png, svg or png,svg (default). The book's pages show the "
                      "PNG, or the SVG when there is no PNG; also EVALPATTERNS_FIGURE_FORMAT")


def _figure_format(args) -> None:
    """Check --figure-format and hand it to the chapters' kernels through the environment (ValueError naming
    what is expected)."""
    from .options import FIGURE_FORMAT_VARIABLE, parse_figure_formats

    if args.figure_format is not None:
        os.environ[FIGURE_FORMAT_VARIABLE] = ",".join(parse_figure_formats(args.figure_format))


def _fail(message: str, code: int = 1) -> int:
    print(f"evalpatterns: {message}", file=sys.stderr)
    return code


def cmd_list(args) -> int:
    from . import chapters as registry

    for chapter in registry.CHAPTERS:
        print(f"{chapter.id}: {chapter.title}")
        for p in chapter.parameters:
            print(f"    {p.name} ({p.describe_type()}, default {p.default!r}): {p.help}")
    return 0


def cmd_validate(args) -> int:
    from . import chapters as registry
    from .io import validate

    targets: list[tuple[str, Path]] = []
    if args.file:
        if not args.chapter:
            return _fail("validate FILE needs --chapter ID to know the file's schema", 2)
        try:
            chapter = registry.get(args.chapter)
        except KeyError as exc:
            return _fail(exc.args[0], 2)
        kinds = [p.data for p in chapter.data_parameters]
        kind = next((k for k in kinds if Path(args.file).stem == k), kinds[0] if len(kinds) == 1 else None)
        if kind is None:
            return _fail(f"chapter '{chapter.id}' reads {', '.join(kinds)}; name the file after one of them", 2)
        targets.append((kind, Path(args.file)))
    else:
        data_dir = Path(args.data_dir or registry.ROOT / "data")
        seen = {}
        for chapter in registry.CHAPTERS:
            for p in chapter.data_parameters:
                seen.setdefault(p.data, p)
        for kind, p in seen.items():
            path = data_dir / f"{kind}.csv"
            if not path.exists() and p.keep_default:  # e.g. the claims register: the book's own is used
                path = registry.ROOT / str(p.default)
            if not path.exists() and p.optional_data:  # an optional input the folder does not hold
                continue
            targets.append((kind, path))
    problems = [p for kind, path in targets for p in validate(kind, path)]
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
        return 1
    print(f"{len(targets)} file{'s' if len(targets) != 1 else ''} valid")
    return 0


def _pairs(items) -> list[tuple[str, str]]:
    return [(name, value) for name, value in (items or [])]


def cmd_build(args) -> int:
    from .build import build_book, split_book_overrides

    overrides = split_book_overrides(_pairs(args.param))
    _figure_format(args)
    _fresh_kernels(args)
    _engine(args)
    out = build_book(args.data_dir, overrides, args.output, build_dir=args.build_dir)
    print(f"book written to {out}")
    return 0


def cmd_run(args) -> int:
    _figure_format(args)
    _fresh_kernels(args)
    _engine(args)
    kernel = _early_kernel(args.chapter)  # imports the chapters' libraries while this process imports its own
    try:
        from .build import run_chapter
    except BaseException:  # Ctrl-C while importing: run_chapter never took the kernel over
        if kernel is not None:
            kernel.kill()
        raise
    out = run_chapter(args.chapter, args.data, dict(_pairs(args.param)), args.output, kernel=kernel)
    print(f"chapter '{args.chapter}' written to {out}")
    return 0


def _early_kernel(chapter_id: str):
    """A warm kernel for a chapter that exists, started before the build's libraries are imported (and given
    to ``run_chapter``, which owns it from then on); None with ``--fresh-kernels`` or for an unknown chapter
    (``run_chapter`` then says which chapters there are)."""
    from .book.errors import reported
    from .kernels import start_quiet
    from .options import fresh_kernels_default

    folder = Path(__file__).resolve().parents[2] / "chapters"  # chapters.ROOT's, without importing the registry
    if fresh_kernels_default() or not (folder / f"{chapter_id}.md").is_file():
        return None
    with reported(chapter_id):
        return start_quiet(folder)


def cmd_import(args) -> int:
    """Write the data files of your own runs (and the mapping used, to repeat it) into a folder, validated."""
    from . import chapters as registry
    from .importers import ImportFailure, Mapping, import_into, reader
    from .importers.mapping import pairs

    try:
        if args.mapping:
            mapping = Mapping.from_file(args.mapping)
            if mapping.source_kind != args.kind:
                raise ImportFailure(f"{args.mapping} is a mapping for {mapping.source_kind}, not {args.kind}")
        else:
            mapping = Mapping(args.kind, args.target or reader(args.kind).TARGETS[0])
        if args.target:
            mapping.target = args.target
        mapping.map.update(pairs(args.map, "--map"))
        mapping.set.update(pairs(args.set, "--set"))
        if args.runs:
            mapping.runs = args.runs
        done = import_into(args.kind, args.source, args.to, mapping)
    except ImportFailure as exc:
        return _fail(str(exc))
    print(f"wrote {done.data_file}: {done.rows} row{'s' if done.rows != 1 else ''}, every one status=measured; "
          f"valid against the data contract")
    print(f"wrote {done.mapping_file}: the mapping used (repeat the import with --mapping {done.mapping_file})")
    print(f"wrote {done.package_file}: the folder's Frictionless data package")
    if done.runnable:
        print("chapters that can now run on it: " + ", ".join(done.runnable))
        print(f"  e.g. evalpatterns run {done.runnable[0]} "
              + " ".join(f"--data {done.data_file.parent / (p.data + '.csv')}"
                         for p in registry.get(done.runnable[0]).required_data if not p.keep_default)
              + " --output OUT")
    else:
        kind = done.data_file.stem
        readers = [c.id for c in registry.CHAPTERS if any(p.data == kind for p in c.data_parameters)]
        print(f"chapters that read {done.data_file.name} need other files too: {', '.join(readers)} (see "
              "`evalpatterns list`)" if readers else f"no chapter reads {done.data_file.name} yet")
    return 0


def _import_parser(sub) -> None:
    from .importers import SOURCES
    from .schema import SCHEMAS

    i = sub.add_parser("import", help="turn your own runs (W&B, lm-eval, TensorBoard, MLflow, Inspect) into "
                                      "data files", description=cmd_import.__doc__)
    i.add_argument("kind", choices=list(SOURCES), help="what the sources are")
    i.add_argument("source", nargs="+", help="files or folders to import")
    i.add_argument("--to", required=True, metavar="DIR", help="folder to write the data files into (new, empty, "
                                                               "or written by an earlier import)")
    i.add_argument("--as", dest="target", choices=[k for k in SCHEMAS if k != "claims"],
                   help="the data file to write (default: the source kind's usual one)")
    i.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="take FIELD from the source's COLUMN; may repeat")
    i.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="give FIELD (or an option such as metric) one value for every row; may repeat")
    i.add_argument("--mapping", metavar="FILE.yml", help="the mapping of an earlier import (import-KIND.yml)")
    i.add_argument("--runs", metavar="RUNS.csv", help="wandb-history: the runs table, joined for config fields")
    i.set_defaults(func=cmd_import)


def cmd_notebook(args) -> int:
    """Write a chapter as a Jupyter notebook that papermill can run from any folder (data paths made absolute)."""
    from .notebook import write_notebook

    try:
        if args.data_dir and not Path(args.data_dir).is_dir():
            return _fail(f"{args.data_dir}: expected a folder of data files; found no such folder", 2)
        path = write_notebook(args.chapter, args.to, args.data_dir)
    except KeyError as exc:
        return _fail(exc.args[0], 2)
    except (ValueError, OSError) as exc:
        return _fail(str(exc))
    print(f"wrote {path}; run it with: papermill {path} OUT.ipynb -p NAME VALUE ...")
    return 0


def _notebook_parser(sub) -> None:
    n = sub.add_parser("notebook", help="a chapter as a Jupyter notebook for papermill",
                       description=cmd_notebook.__doc__)
    n.add_argument("chapter", help="chapter id (see `evalpatterns list`)")
    n.add_argument("--to", required=True, metavar="FILE.ipynb", help="the notebook to write")
    n.add_argument("--data-dir", help="a folder of data files named as in data/ (default: data/)")
    n.set_defaults(func=cmd_notebook)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="evalpatterns", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="chapters, their data files and parameters").set_defaults(func=cmd_list)

    v = sub.add_parser("validate", help="check data files against the chapters' schemas")
    v.add_argument("file", nargs="?", help="one data file (with --chapter)")
    v.add_argument("--chapter", help="the chapter whose schema FILE follows")
    v.add_argument("--data-dir", help="a folder of data files named as in data/ (default: data/)")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("run", help="execute one chapter on your data")
    r.add_argument("chapter", help="chapter id (see `evalpatterns list`)")
    r.add_argument("--data", action="append", default=[], metavar="FILE",
                   help="a data file; its schema is told by its name (e.g. roi.csv); may repeat")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), help="a parameter")
    r.add_argument("--output", required=True, help="folder for the outputs: new, empty, or an earlier run's")
    r.add_argument("--fresh-kernels", action="store_true", help=FRESH_HELP)
    r.add_argument("--figure-format", metavar="png|svg|png,svg", help=FIGURE_FORMAT_HELP)
    _engine_options(r)
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("build", help="build the whole book")
    b.add_argument("--data-dir", help="a folder of data files named as in data/ (default: data/)")
    b.add_argument("-p", "--param", nargs=2, action="append", metavar=("CHAPTER.NAME", "VALUE"),
                   help="a chapter parameter, e.g. -p mode-collapse.collapse_accuracy 0.2")
    b.add_argument("--output", help="folder for the HTML: new, empty, or an earlier build's "
                                    "(default: BUILD_DIR/html)")
    b.add_argument("--build-dir", help="folder for the cache of executed chapters and the staging of the book "
                                       "(default: _build/ in the checkout; also EVALPATTERNS_BUILD_DIR), e.g. "
                                       "when the checkout is read-only")
    b.add_argument("--fresh-kernels", action="store_true", help=FRESH_HELP)
    b.add_argument("--figure-format", metavar="png|svg|png,svg", help=FIGURE_FORMAT_HELP)
    _engine_options(b)
    b.set_defaults(func=cmd_build)
    _import_parser(sub)
    _notebook_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    from .book.errors import BuildError, describe_os_error
    from .book.interrupt import Interrupted, handling_signals

    args = parser().parse_args(argv)
    try:
        with handling_signals():
            return args.func(args)
    except Interrupted as exc:
        return _fail("interrupted; nothing was changed in the output folder", exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was changed in the output folder", 130)
    except KeyError as exc:  # an unknown chapter
        return _fail(exc.args[0] if exc.args else str(exc))
    except (ValueError, BuildError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # output piped into `head` and the like
            sys.stderr.close()
            return 0
        return _fail(describe_os_error(exc))


if __name__ == "__main__":
    sys.exit(main())
