"""The ``evalpatterns`` command: list chapters, validate data, run one chapter, build the book.

Every failure prints one clear message to stderr and exits non-zero; no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import chapters as registry


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
    if args.engine:
        os.environ["EVALPATTERNS_ENGINE"] = args.engine
    if args.spark_master:
        os.environ["EVALPATTERNS_SPARK_MASTER"] = args.spark_master


def _fail(message: str, code: int = 1) -> int:
    print(f"evalpatterns: {message}", file=sys.stderr)
    return code


def cmd_list(args) -> int:
    for chapter in registry.CHAPTERS:
        print(f"{chapter.id}: {chapter.title}")
        for p in chapter.parameters:
            print(f"    {p.name} ({p.describe_type()}, default {p.default!r}): {p.help}")
    return 0


def cmd_validate(args) -> int:
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
    from .build import BuildError, build_book, split_book_overrides

    try:
        overrides = split_book_overrides(_pairs(args.param))
        _fresh_kernels(args)
        _engine(args)
        out = build_book(args.data_dir, overrides, args.output)
    except (ValueError, BuildError) as exc:
        return _fail(str(exc))
    print(f"book written to {out}")
    return 0


def cmd_run(args) -> int:
    from .build import BuildError, run_chapter

    try:
        _fresh_kernels(args)
        _engine(args)
        out = run_chapter(args.chapter, args.data, dict(_pairs(args.param)), args.output)
    except KeyError as exc:
        return _fail(exc.args[0])
    except (ValueError, BuildError) as exc:
        return _fail(str(exc))
    print(f"chapter '{args.chapter}' written to {out}")
    return 0


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
    r.add_argument("--output", required=True, help="folder for the outputs")
    r.add_argument("--fresh-kernels", action="store_true", help=FRESH_HELP)
    _engine_options(r)
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("build", help="build the whole book")
    b.add_argument("--data-dir", help="a folder of data files named as in data/ (default: data/)")
    b.add_argument("-p", "--param", nargs=2, action="append", metavar=("CHAPTER.NAME", "VALUE"),
                   help="a chapter parameter, e.g. -p mode-collapse.collapse_accuracy 0.2")
    b.add_argument("--output", help="folder for the HTML (default: _build/html)")
    b.add_argument("--fresh-kernels", action="store_true", help=FRESH_HELP)
    _engine_options(b)
    b.set_defaults(func=cmd_build)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
