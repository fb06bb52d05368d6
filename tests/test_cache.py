"""cleaner's cache on disk: where it lives, atomic writes, and old files of a kind pruned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner.cache import KEEP, cache_dir, kind_of, named, store


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("CLEANER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "cleaner"


def test_a_file_is_named_by_what_it_was_derived_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "profile.json"
    source.write_text("{}")
    os.utime(source, (1_000_000, 1_000_000))
    first = named("langdetect-profiles", ".npz", [source], "2")
    assert first.parent == tmp_path / "cache" and first.match(kind_of(first)) and first.name.endswith(".npz")
    assert named("langdetect-profiles", ".npz", [source], "2") == first  # the same sources: the same name
    assert named("langdetect-profiles", ".npz", [source], "3") != first  # another format
    os.utime(source, (2_000_000, 2_000_000))
    assert named("langdetect-profiles", ".npz", [source], "2") != first  # the file changed (an upgrade)


def test_kind_is_the_name_without_its_digest() -> None:
    assert kind_of(Path("langdetect-profiles-0123abcd.npz")) == "langdetect-profiles-*.npz"
    assert kind_of(Path("htmldate-months-ff00.json")) == "htmldate-months-*.json"


def test_writing_one_file_keeps_only_the_newest_of_its_kind(tmp_path: Path) -> None:
    old = []
    for age in range(KEEP + 3):  # written long ago, the oldest last
        path = tmp_path / f"langdetect-profiles-{age:04d}.npz"
        path.write_bytes(b"old")
        stamp = 1_000_000 - age * 100
        os.utime(path, (stamp, stamp))
        old.append(path)
    other = tmp_path / "htmldate-months-0000.json"
    other.write_bytes(b"[]")
    os.utime(other, (1, 1))
    new = tmp_path / "langdetect-profiles-ffff.npz"
    store(new, b"new")
    assert new.read_bytes() == b"new"
    left = sorted(tmp_path.glob("langdetect-profiles-*.npz"))
    assert left == sorted([new, *old[: KEEP - 1]])  # the newest of the old ones stay beside it
    assert other.exists()  # another kind is not touched
    assert len(list(tmp_path.iterdir())) == KEEP + 1  # no temporary file left either


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    store(blocker / "langdetect-profiles-0000.npz", b"data")  # nothing written, nothing raised
    assert blocker.read_text() == "a file where the cache folder should be"


def test_json_files_round_trip_and_a_broken_one_reads_as_nothing(tmp_path: Path) -> None:
    from cleaner.cache import read_json, store_json

    path = tmp_path / "kind-0123.json"
    assert read_json(path) is None  # missing
    store_json(path, {"words": ["März", "mai"], "n": 2})
    assert read_json(path) == {"words": ["März", "mai"], "n": 2}
    path.write_bytes(b'{"words": ["M\xe4rz"')  # cut short, and not UTF-8
    assert read_json(path) is None
    with pytest.raises(TypeError):
        store_json(tmp_path / "kind-4567.json", {"words": {"a set"}})
    assert not (tmp_path / "kind-4567.json").exists()
