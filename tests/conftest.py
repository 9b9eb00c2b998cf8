"""Fixtures shared by several test modules."""
from __future__ import annotations

from pathlib import Path

import pytest

from evalpatterns.build import build_book


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """The book built from the repository's data (warm kernels, the default): its HTML folder. Its build
    folder, with the executed notebooks in ``.cache/executed``, is the folder's parent."""
    build_dir = tmp_path_factory.mktemp("build")
    return build_book(build_dir=build_dir, log=lambda *a: None)

