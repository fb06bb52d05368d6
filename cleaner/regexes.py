"""Regular expressions compiled once per Python installation, not once per process.

Python compiles a pattern in two steps: its parser and code generator (`re._parser`, `re._compiler`, written in
Python) turn the pattern into a program, a list of integers, and `_sre.compile` makes a `re.Pattern` of that
program. cleaner's rule packs and line features hold large patterns (phrase alternations of two thousand
characters): the first step cost about 40 ms at every start of a process, the second almost nothing. So
`compile` keeps the programs in cleaner's cache folder (`cleaner.cache`), in a file named for the exact Python
build and regular expression engine, and later processes make their patterns from there.

This leans on CPython's internals on purpose, and guards them:
- a program is kept only after the pattern made from it compared equal to `re.compile`'s own (same pattern
  text, flags and program), so a Python whose compiler works otherwise keeps nothing;
- `_sre.compile` checks every program it is given, so a damaged file raises, it does not crash;
- any failure on the way (another Python, a missing internal, a broken file) means the pattern is compiled by
  `re.compile` as usual.
New programs are written when the process exits, once, atomically.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

_FORMAT = 1
# Patterns kept at most: cleaner's own are about sixty; a table grown past this is started afresh.
MAX_PROGRAMS = 512

Key = tuple[str, int]
# `_sre.compile`'s arguments after the pattern: flags, code, groups, group index, index group.
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


class _Programs:
    """The programs known to this process, and whether any are new since the file was read."""

    def __init__(self, path: Path | None, programs: dict[Key, Program]) -> None:
        self.path = path
        self.programs = programs
        self.new = False

    def save(self) -> None:
        from .cache import store

        if self.new and self.path is not None:
            self.new = False
            store(self.path, marshal.dumps(self.programs))


def _engine() -> Any:
    import _sre

    return _sre


def _path() -> Path | None:
    from .cache import named

    try:
        engine = _engine()
        return named("regex-programs", ".marshal", (), str(_FORMAT), sys.version, str(engine.MAGIC))
    except (AttributeError, ImportError, OSError):
        return None


def _read(path: Path | None) -> dict[Key, Program]:
    if path is None:
        return {}
    try:
        programs = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return programs if isinstance(programs, dict) and len(programs) <= MAX_PROGRAMS else {}


@cache
def _known() -> _Programs:
    path = _path()
    return _Programs(path, _read(path))


@atexit.register
def _save_new_programs() -> None:
    if _known.cache_info().currsize:  # this process compiled through here
        _known().save()


def _program(source: str, flags: int) -> Program:
    """What `re._compiler.compile` hands `_sre.compile` for `source`."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(source, flags)
    code = list(map(int, _compiler._code(parsed, flags)))  # plain ints (opcodes are an int subclass): marshal-able
    index = parsed.state.groupdict
    names: list[str | None] = [None] * parsed.state.groups
    for name, number in index.items():
        names[number] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, dict(index), tuple(names)


def compile(source: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, from the program kept for it when there is one (see the module's notes)."""
    flags = int(flags)
    known = _known()
    key = (source, flags)
    program = known.programs.get(key)
    if program is not None:
        try:
            return _engine().compile(source, *program)  # type: ignore[no-any-return]
        except Exception:  # a damaged table: compile as usual, and keep the right program
            del known.programs[key]
    compiled = re.compile(source, flags)
    try:
        program = _program(source, flags)
        same = _engine().compile(source, *program) == compiled
    except Exception:  # internals not as expected: nothing kept, nothing lost
        return compiled
    if same:
        if len(known.programs) >= MAX_PROGRAMS:
            known.programs.clear()
        known.programs[key] = program
        known.new = True
    return compiled
