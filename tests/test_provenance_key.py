"""The key of the marks written beside the figures (evalpatterns.provenance_key): drawn once per code and formats
into the build's cache, copied from it after that."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evalpatterns import provenance_key as pk

LIB = Path(pk.__file__).parent


@pytest.fixture
def draws(monkeypatch) -> list:
    """Every drawing of the key (formats it was drawn in); each draws a file per format saying so."""
    calls = []

    def fake_draw(folder, formats):
        calls.append(formats)
        for ext in formats:
            (folder / f"{pk.KEY}.{ext}").write_text(f"drawing {len(calls)} {ext}")

    monkeypatch.setattr(pk, "_draw_key", fake_draw)
    return calls


def test_the_second_write_copies_the_cached_key_instead_of_drawing(tmp_path, draws):
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        pk.write_key(tmp_path / name, ("png", "svg"), tmp_path / "cache")
    assert draws == [("png", "svg")]
    assert (tmp_path / "second" / "provenance-key.svg").read_text() == "drawing 1 svg"
    assert (tmp_path / "second" / "provenance-key.png").read_text() == "drawing 1 png"
    assert [p.name for p in (tmp_path / "cache" / "provenance-key").iterdir()] == [pk.key_hash(("png", "svg"))]


def test_other_formats_draw_again_and_only_the_current_key_is_kept(tmp_path, draws):
    pk.write_key(tmp_path, ("png", "svg"), tmp_path / "cache")
    (tmp_path / "provenance-key.png").unlink()
    pk.write_key(tmp_path, ("svg",), tmp_path / "cache")
    assert draws == [("png", "svg"), ("svg",)]
    assert not (tmp_path / "provenance-key.png").exists()
    assert (tmp_path / "provenance-key.svg").read_text() == "drawing 2 svg"
    assert [p.name for p in (tmp_path / "cache" / "provenance-key").iterdir()] == [pk.key_hash(("svg",))]


def test_without_a_cache_folder_the_key_is_drawn_every_time(tmp_path, draws):
    pk.write_key(tmp_path, ("svg",))
    pk.write_key(tmp_path, ("svg",), "")
    assert draws == [("svg",), ("svg",)]
    assert list(tmp_path.iterdir()) == [tmp_path / "provenance-key.svg"]


@pytest.mark.parametrize("changed", ["theme.py", "report.py"])
def test_a_change_to_the_code_that_draws_the_key_changes_its_hash_and_draws_again(tmp_path, monkeypatch, draws,
                                                                                   changed):
    code = tmp_path / "lib"
    code.mkdir()
    for name in ("theme.py", "report.py"):
        shutil.copy(LIB / name, code / name)
    monkeypatch.setattr(pk, "__file__", str(code / "provenance_key.py"))
    before = pk.key_hash(("png", "svg"))
    assert before == pk.key_hash(("png", "svg")) != pk.key_hash(("svg",))
    pk.write_key(tmp_path, ("png", "svg"), tmp_path / "cache")
    with open(code / changed, "a") as f:
        f.write("\n# a change\n")
    assert pk.key_hash(("png", "svg")) != before
    pk.write_key(tmp_path, ("png", "svg"), tmp_path / "cache")
    assert len(draws) == 2


def test_a_seed_cache_of_the_same_key_is_copied_and_never_written(tmp_path, draws):
    """`evalpatterns run` seeds its own cache from the book build's, which it only reads."""
    seed = tmp_path / "build-cache"
    pk.cached_key(("png", "svg"), seed)
    before = {p: p.read_bytes() for p in seed.rglob("*") if p.is_file()}
    folder = pk.cached_key(("png", "svg"), tmp_path / "run-cache", seed=seed)
    assert draws == [("png", "svg")]  # the seed's drawing only
    assert folder.parent.parent == tmp_path / "run-cache"
    assert (folder / "provenance-key.svg").read_text() == "drawing 1 svg"
    assert {p: p.read_bytes() for p in seed.rglob("*") if p.is_file()} == before
    pk.cached_key(("svg",), tmp_path / "other-run", seed=seed)  # another hash than the seed holds: drawn
    assert draws == [("png", "svg"), ("svg",)]
    assert {p: p.read_bytes() for p in seed.rglob("*") if p.is_file()} == before


def test_a_folder_a_killed_build_left_is_not_taken_for_the_key(tmp_path, draws):
    half = tmp_path / "cache" / "provenance-key" / ".new-abc"
    half.mkdir(parents=True)
    pk.write_key(tmp_path, ("svg",), tmp_path / "cache")
    assert draws == [("svg",)]
    assert half.is_dir()  # another build may still be writing it


def test_a_killed_builds_folder_older_than_an_hour_is_removed_when_the_cache_is_written(tmp_path, draws):
    import os
    import time

    parent = tmp_path / "cache" / "provenance-key"
    old, young = parent / ".new-old", parent / ".new-young"
    for folder in (old, young):
        folder.mkdir(parents=True)
        (folder / "provenance-key.svg").write_text("half")
    now = time.time()
    os.utime(old, (now - pk.STALE_SECONDS - 60, now - pk.STALE_SECONDS - 60))  # 61 minutes untouched
    os.utime(young, (now - pk.STALE_SECONDS + 60, now - pk.STALE_SECONDS + 60))  # 59 minutes: maybe drawing
    pk.write_key(tmp_path, ("svg",), tmp_path / "cache")
    assert sorted(p.name for p in parent.iterdir()) == sorted([".new-young", pk.key_hash(("svg",))])
    assert (young / "provenance-key.svg").read_text() == "half"


def test_the_cached_key_is_the_key_drawn_without_a_cache(tmp_path):
    for name, cache in (("drawn", None), ("cached", tmp_path / "cache")):
        (tmp_path / name).mkdir()
        pk.write_key(tmp_path / name, ("png", "svg"), cache)
    (tmp_path / "copied").mkdir()
    pk.write_key(tmp_path / "copied", ("png", "svg"), tmp_path / "cache")
    for ext in ("png", "svg"):
        drawn = (tmp_path / "drawn" / f"provenance-key.{ext}").read_bytes()
        assert drawn[:4] in (b"\x89PNG", b"<?xm")
        assert (tmp_path / "cached" / f"provenance-key.{ext}").read_bytes() == drawn
        assert (tmp_path / "copied" / f"provenance-key.{ext}").read_bytes() == drawn


@pytest.mark.book
def test_the_book_copies_its_key_from_the_build_folders_cache(book):
    cached = book.parent / ".cache" / "provenance-key" / pk.key_hash(("png", "svg"))
    for ext in ("png", "svg"):
        written = book / "_figures" / f"provenance-key.{ext}"
        assert written.read_bytes() == (cached / f"provenance-key.{ext}").read_bytes()


def test_a_key_pruned_by_another_build_while_it_is_copied_is_drawn_instead(tmp_path, draws, monkeypatch):
    """Two builds of different code sharing a cache prune each other's key; a copy that finds it gone draws."""
    pk.write_key(tmp_path, ("svg",), tmp_path / "cache")
    real = pk.cached_key

    def pruned(formats, cache_dir, seed=None):
        folder = real(formats, cache_dir, seed)
        shutil.rmtree(folder)  # the other build's cached_key removed it
        return folder

    monkeypatch.setattr(pk, "cached_key", pruned)
    (tmp_path / "out").mkdir()
    pk.write_key(tmp_path / "out", ("svg",), tmp_path / "cache")
    assert (tmp_path / "out" / "provenance-key.svg").read_text() == "drawing 2 svg"


def test_a_seed_being_pruned_while_it_is_copied_means_drawing(tmp_path, draws, monkeypatch):
    seed = tmp_path / "build-cache"
    pk.cached_key(("png", "svg"), seed)
    (seed / pk.KEY / pk.key_hash(("png", "svg")) / "provenance-key.svg").unlink()  # half pruned
    folder = pk.cached_key(("png", "svg"), tmp_path / "run-cache", seed=seed)
    assert draws == [("png", "svg"), ("png", "svg")]
    assert (folder / "provenance-key.svg").read_text() == "drawing 2 svg"
