"""Building the whole book on a data folder, for the tests that read a built book."""
from __future__ import annotations

from pathlib import Path

import pytest


def build_on(data_dir: Path, tmp: Path, what: str, overrides: dict | None = None) -> Path:
    """The whole book built on ``data_dir`` into ``tmp`` (its HTML folder); the test fails, naming ``what``
    the data is, when it does not build."""
    from evalpatterns import build

    try:
        return build.build_book(data_dir=data_dir, overrides=overrides, output=tmp / "html", build_dir=tmp / "build",
                                log=lambda *a: None)
    except build.BuildError as exc:
        pytest.fail(f"the book does not build on {what} ({data_dir}):\n{exc}", pytrace=False)


def chapter_results(book: Path) -> dict:
    """Each chapter's glued values and tables in a built book's results.json, by chapter id."""
    import json

    document = json.loads((book / "results.json").read_text())
    return {chapter: record["results"] for chapter, record in document["chapters"].items()}
