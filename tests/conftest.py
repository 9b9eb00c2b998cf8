"""Fixtures shared by several test modules."""
from __future__ import annotations

from pathlib import Path

import pytest

from evalpatterns import audit, findings
from evalpatterns.build import build_book

from audit_cases import REGISTER
from datafiles import real

# the browser tests' fixtures (chromium, printed_book, site, browser, screenshots)
pytest_plugins = ["browser_fixtures"]


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """The book built from the repository's data (warm kernels, the default): its HTML folder. Its build
    folder, with the executed notebooks in ``.cache/executed``, is the folder's parent."""
    build_dir = tmp_path_factory.mktemp("build")
    return build_book(build_dir=build_dir, log=lambda *a: None)


@pytest.fixture(scope="session")
def real_results() -> tuple:
    """Every finding's result on the repository's data, with its default parameters, Finding 1 to 5. Read only,
    so the session shares them."""
    return tuple(m.analyse({k: real(k) for k in m.DATA}) for m in findings.modules())


@pytest.fixture(scope="session")
def real_ctx(real_results):
    """The claims audit's context on ``real_results`` (tests/test_audit_*.py, test_words_audit.py)."""
    return audit.Context.from_results(real_results)


@pytest.fixture(scope="session")
def real_audit(real_ctx):
    """The audit of every claim of data/claims.csv on ``real_ctx``, indexed by claim id."""
    return audit.audit(REGISTER, real_ctx).set_index("id", drop=False)
