"""Fixtures shared by several test modules, and a temporary folder of each run's own."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from evalpatterns import audit, findings
from evalpatterns.build import build_book

from audit_cases import REGISTER
from datafiles import real

# the browser tests' fixtures (chromium, printed_book, site, browser, visits, visit, screenshots)
pytest_plugins = ["browser_fixtures"]

_OWN_BASETEMP = "_evalpatterns_own_basetemp"

#: Every Hypothesis property is costly (each example analyses a generated data set): CI runs each on at most
#: this many examples (tests/properties.py caps a property's own number by the loaded profile's).
settings.register_profile("ci", max_examples=15)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config) -> None:
    """Without ``--basetemp``, give this run a fresh folder of its own (removed when the run ends): pytest's
    default, /tmp/pytest-of-USER, is shared by every run of that user, and its clean-up of old runs can delete
    the folders of a run going on at the same time. With CI set, load Hypothesis's "ci" profile (before the
    test modules are imported: their settings read it)."""
    from browser_fixtures import in_ci  # a plugin by now (pytest_plugins), so imported as pytest rewrote it

    if in_ci():
        settings.load_profile("ci")
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        folder = tempfile.mkdtemp(prefix="pytest-evalpatterns-")
        config.option.basetemp = folder
        setattr(config, _OWN_BASETEMP, folder)


def pytest_unconfigure(config) -> None:
    folder = getattr(config, _OWN_BASETEMP, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _options_stay_in_the_test():
    """The command line hands its options to the chapters' kernels through EVALPATTERNS_* variables, set in
    this process when a test calls it in-process; they are part of a chapter's cache key, so one left behind
    changes every later build's keys (a session book built under another engine looked missing). Each test
    gets them back as they were."""
    import os

    before = {k: v for k, v in os.environ.items() if k.startswith("EVALPATTERNS_")}
    yield
    for key in [k for k in os.environ if k.startswith("EVALPATTERNS_") and k not in before]:
        del os.environ[key]
    os.environ.update(before)


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
