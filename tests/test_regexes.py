"""Regular expressions made from kept programs (`cleaner.regexes`): the same patterns as `re.compile` gives."""

from __future__ import annotations

import marshal
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner import regexes
from cleaner.rules import load_rules

SAMPLES = [
    (r"\w+", 0),
    (r"(?P<source>[A-Z][\w ]{1,40}?)\s*[|·•]\s*(?P<date>\d{1,2} (?:hours?|days?) ago)$", re.IGNORECASE),
    (r"[©(ca](?:(?<=©)|(?<=\()c\)|(?<=c)opyright|(?<=a)ll rights reserved)", re.IGNORECASE),
    (r"(?x) ^ \s* (?:read|see) \s+ more \s* $", 0),
    (r"[\u3040-\u30ff\u3400-\u4dbf]+|ſ|K", re.IGNORECASE | re.MULTILINE),
]
LINES = ["Read more", "see MORE ", "Reuters | 3 hours ago", "© 2024 All rights reserved", "Kelvin ſ", "ニュース"]


@pytest.fixture
def cache_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    regexes._known.cache_clear()
    yield tmp_path
    regexes._known.cache_clear()


def _same(made: re.Pattern[str], source: str, flags: int) -> None:
    expected = re.compile(source, flags)
    assert made == expected  # pattern text, flags and program
    assert (made.flags, made.groups, made.groupindex) == (expected.flags, expected.groups, expected.groupindex)
    for line in LINES:
        found, wanted = made.search(line), expected.search(line)
        assert (found and (found.span(), found.groupdict())) == (wanted and (wanted.span(), wanted.groupdict()))


def _shipped_patterns() -> list[tuple[str, int]]:
    rules = load_rules(("generic", "daily8"))
    return [(rule.pattern.pattern, re.IGNORECASE) for rule in rules.pattern_rules + rules.strip_rules]


def test_patterns_from_kept_programs_are_re_compiles_own(cache_in: Path) -> None:
    samples = SAMPLES + _shipped_patterns()
    for source, flags in samples:
        _same(regexes.compile(source, flags), source, flags)
    regexes._known().save()
    (kept,) = cache_in.glob("regex-programs-*.marshal")
    assert set(marshal.loads(kept.read_bytes())) == {(source, int(flags)) for source, flags in samples}
    regexes._known.cache_clear()  # a later process: every pattern is made from the file
    for source, flags in samples:
        _same(regexes.compile(source, flags), source, flags)
    assert not regexes._known().new


def test_a_damaged_table_is_compiled_around_and_mended(cache_in: Path) -> None:
    source, flags = SAMPLES[1]
    regexes.compile(source, flags)
    regexes._known().save()
    (kept,) = cache_in.glob("regex-programs-*.marshal")
    programs = marshal.loads(kept.read_bytes())
    program = programs[(source, flags)]
    programs[(source, flags)] = (program[0], [255, *program[1]], *program[2:])  # not a program _sre accepts
    kept.write_bytes(marshal.dumps(programs))
    regexes._known.cache_clear()
    _same(regexes.compile(source, flags), source, flags)
    assert regexes._known().new  # the right program replaces it when the process ends
    kept.write_bytes(b"not marshal at all")
    regexes._known.cache_clear()
    _same(regexes.compile(source, flags), source, flags)


def test_an_unwritable_cache_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(blocker / "cache"))
    regexes._known.cache_clear()
    try:
        source, flags = SAMPLES[2]
        _same(regexes.compile(source, flags), source, flags)
        regexes._known().save()
    finally:
        regexes._known.cache_clear()


def test_a_process_writes_its_new_programs_when_it_ends(tmp_path: Path) -> None:
    code = "from cleaner import regexes; regexes.compile(r'(?P<w>\\w+) kept', 2)"
    env = {"CLEANER_CACHE_DIR": str(tmp_path), "PATH": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    (kept,) = tmp_path.glob("regex-programs-*.marshal")
    assert list(marshal.loads(kept.read_bytes())) == [(r"(?P<w>\w+) kept", 2)]
