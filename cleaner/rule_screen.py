"""A screen for the shipped rule patterns: one RE2 pass over a line names the few patterns that may match it.

Python's engine tries a pack's patterns one after another, about 30 us a line for the generic pack. RE2's set
matcher runs them all in one pass over the line, in 2-4 us.

Only the original patterns decide. The screen rewrites each pattern into RE2 syntax so that it matches every
line the original matches, and perhaps more. A line the screen rejects therefore cannot match; a pattern it
names is still tried by Python's engine, as before. The rewriting is exact on ASCII, where the two engines agree.
It widens everything where they might not:
- case folding and Unicode classes differ in detail, so any non-ASCII character stands for any item that could
  match one (`.`, a word, digit or space class, a negated class, a non-ASCII literal). An ASCII letter takes
  the four non-ASCII characters Python's case folding gives it (the Kelvin sign for k), and no others;
- lookarounds, anchors and word boundaries are dropped, backreferences match anything, atomic groups and
  possessive repeats become plain ones, and long counted repeats unbounded ones.
A pattern the rewriting or RE2 cannot take is always named.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

_C = sre_constants
# The screen runs on a line's UTF-8 bytes (RE2 in Latin-1 mode): ASCII classes stay small, where classes of
# code points would compile to large automata. One non-ASCII character is a lead byte and its continuations.
_NON_ASCII = r"[\x{c0}-\x{ff}][\x{80}-\x{bf}]*"
_HIGH = r"\x{80}-\x{ff}"
_ANY = rf"(?:[\x{{0}}-\x{{7f}}]|{_NON_ASCII})"
# A repeat of more than this many is widened to an unbounded one: RE2 writes out a counted repeat as that many
# copies, and the screen's automaton for `.{0,300}` would be hundreds of times larger.
_MAX_COUNT = 8
# The only non-ASCII characters Python's case-insensitive matching takes for ASCII letters (a test checks every
# code point), and their UTF-8 bytes as the screen spells them.
_FOLDED_TO_ASCII = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
_FOLDED_BYTES = {
    letter: [
        "".join(f"\\x{{{byte:x}}}" for byte in chr(code).encode())
        for code, folded in _FOLDED_TO_ASCII.items()
        if folded == letter
    ]
    for letter in set(_FOLDED_TO_ASCII.values())
}
# Lines of mostly non-ASCII text (more than one extra UTF-8 byte per this many characters) are not screened:
# most widened items take any non-ASCII character, the automaton follows every pattern at once through them,
# and RE2 ran slower than the patterns themselves (270 us a line against 27 us).
_MOSTLY_ASCII = 10
_ASCII_CLASSES = {
    _C.CATEGORY_DIGIT: "0-9",
    _C.CATEGORY_WORD: "0-9A-Za-z_",
    _C.CATEGORY_SPACE: r"\t\n\x{b}\f\r\x{1c}-\x{1f} ",
}
_NEGATED_CLASSES = {
    _C.CATEGORY_NOT_DIGIT: _C.CATEGORY_DIGIT,
    _C.CATEGORY_NOT_WORD: _C.CATEGORY_WORD,
    _C.CATEGORY_NOT_SPACE: _C.CATEGORY_SPACE,
}


class _CannotWiden(ValueError):
    """A construct the rewriting does not know: the pattern is left unscreened."""


def re2_literal(code: int) -> str:
    """A character in RE2's syntax, as it stands or inside a class: an ASCII letter or digit as it is, anything
    else by its code point (which also spares escaping `]`, `-` or `^`)."""
    char = chr(code)
    return char if char.isascii() and char.isalnum() else f"\\x{{{code:x}}}"


def group_dotall(dotall: bool, add: int, remove: int) -> bool:
    """Whether `.` takes a newline inside a group that turns flags on (`add`) and off (`remove`), `(?s:...)` or
    `(?-s:...)`, within a pattern where it does (`dotall`) or not."""
    return (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL


def _cased(code: int) -> str:
    """An ASCII character as Python's case-insensitive matching takes it: both cases of a letter."""
    char = chr(code)
    return re2_literal(code) + (re2_literal(ord(char.swapcase())) if char.isalpha() else "")


def _one_of(ascii_members: str, *, negated: bool = False, non_ascii: bool = True, letters: str = "") -> str:
    """One character: an ASCII one in (or, `negated`, not in) `ascii_members`, or, where `non_ascii`, any
    non-ASCII one; else the non-ASCII characters Python's case folding takes for the ASCII `letters` among the
    members. A negated class takes every non-ASCII character."""
    if negated:
        return f"(?:[^{ascii_members}{_HIGH}]|{_NON_ASCII})"
    options = [f"[{ascii_members}]"] if ascii_members else []
    if non_ascii:
        options.append(_NON_ASCII)
    else:
        options += [spelt for letter in sorted(set(letters.lower())) for spelt in _FOLDED_BYTES.get(letter, ())]
    if not options:
        return r"[^\x{0}-\x{ff}]"  # nothing: a class with no members
    return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"


class _Widening:
    """A parsed Python pattern written out in RE2's syntax, matching at least what the original matches."""

    def items(self, items: Any, dotall: bool) -> str:
        return "".join(self.item(op, av, dotall) for op, av in items)

    def item(self, op: Any, av: Any, dotall: bool) -> str:
        if op is _C.LITERAL:
            if av >= 0x80:  # its case partners in each engine are not certain: its ASCII ones, or any non-ASCII
                return _one_of(_ascii_partners(av))
            return _one_of(_cased(av), non_ascii=False, letters=chr(av))
        if op is _C.NOT_LITERAL:
            return _one_of(_cased(av), negated=True) if av < 0x80 else _ANY
        if op is _C.ANY:
            return _ANY if dotall else _one_of(r"\n", negated=True)
        if op is _C.AT:
            # Dropped: a fullmatch anchors the line anyway; Python's `$` also matches before a last newline; RE2's
            # word boundaries are ASCII ones.
            return ""
        if op is _C.IN:
            return self.char_class(av)
        if op is _C.BRANCH:
            return "(?:" + "|".join(self.items(branch, dotall) for branch in av[1]) + ")"
        if op is _C.SUBPATTERN:
            _group, add, remove, body = av
            return f"(?:{self.items(body, group_dotall(dotall, add, remove))})"
        if op is _C.ATOMIC_GROUP:
            return f"(?:{self.items(av, dotall)})"
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            low, high, body = av
            low = min(low, _MAX_COUNT)
            if high is _C.MAXREPEAT or high > _MAX_COUNT:
                count = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
            else:
                count = f"{{{low},{high}}}"
            return f"(?:{self.items(body, dotall)}){count}"
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            return ""
        if op is _C.GROUPREF:
            return f"{_ANY}*"
        if op is _C.GROUPREF_EXISTS:
            _group, yes, no = av
            return f"(?:{self.items(yes, dotall)}|{self.items(no, dotall) if no else ''})"
        raise _CannotWiden(str(op))

    def char_class(self, members: Any) -> str:
        negated = bool(members) and members[0][0] is _C.NEGATE
        if negated:
            members = members[1:]
        ascii_members: list[str] = []
        letters = ""  # the ASCII letters among the members
        non_ascii = False  # whether the class may take any non-ASCII character
        outside: list[str] = []  # \W \D \S in a class: the ASCII characters each one leaves out
        for op, av in members:
            if op is _C.LITERAL:
                if av < 0x80:
                    ascii_members.append(_cased(av))
                    letters += chr(av)
                elif not negated:  # inside [^...], leaving a member out only widens the class
                    ascii_members.append(_ascii_partners(av))
                    non_ascii = True
            elif op is _C.RANGE:
                low, high = av
                if high >= 0x80:
                    if not negated:
                        return _ANY  # a non-ASCII range: whatever folds into it, take anything
                    high = 0x7F
                if low <= high:
                    ascii_members.append(f"{re2_literal(low)}-{re2_literal(high)}")
                    in_range = "".join(chr(code) for code in range(low, high + 1) if chr(code).isalpha())
                    ascii_members += [re2_literal(ord(letter.swapcase())) for letter in in_range]
                    letters += in_range
            elif op is _C.CATEGORY and av in _ASCII_CLASSES:
                ascii_members.append(_ASCII_CLASSES[av])
                non_ascii = True
            elif op is _C.CATEGORY and av in _NEGATED_CLASSES:
                if not negated:  # inside [^...], leaving it out only widens the class
                    outside.append(_ASCII_CLASSES[_NEGATED_CLASSES[av]])
            else:
                raise _CannotWiden(str(op))
        members = _one_of("".join(ascii_members), negated=negated, non_ascii=non_ascii, letters=letters)
        if not outside:
            return members
        options = [_one_of(left_out, negated=True) for left_out in outside]
        return "(?:" + "|".join(options + ([members] if ascii_members else [])) + ")"


def _ascii_partners(code: int) -> str:
    """The ASCII letters Python's case-insensitive matching takes for a non-ASCII character (k for the Kelvin
    sign), if any."""
    letter = _FOLDED_TO_ASCII.get(code)
    return _cased(ord(letter)) if letter else ""


def widen(pattern: str, flags: int = re.IGNORECASE) -> str:
    """`pattern` (Python syntax) in RE2 syntax for UTF-8 bytes read as Latin-1, matching the encoding of every
    string the original matches with `flags`, as a whole (`fullmatch`); `ValueError` if the rewriting does not
    know a construct in it."""
    try:
        parsed = sre_parser.parse(pattern, flags)
        dotall = bool(parsed.state.flags & re.DOTALL)
        widening = _Widening()
        items = list(parsed)
        for at, (op, av) in enumerate(items):
            # `X(?=A)Y`, matched whole: what follows X is a match of Y that starts with a match of A, so the line
            # is X, then A, then anything. The lookahead is where such a pattern keeps its words.
            if op is _C.ASSERT and av[0] == 1:
                head, ahead = widening.items(items[:at], dotall), widening.items(av[1], dotall)
                return f"{head}(?:{ahead}){_ANY}*"
        return widening.items(items, dotall)
    except _CannotWiden as error:
        raise ValueError(f"cannot widen {pattern!r}: {error}") from None


BUILD_AFTER = 200
# What stands before and after a pattern's widening, for the line to match it whole, for each way of matching.
_HOW = {"fullmatch": ("", ""), "match": ("", f"{_ANY}*"), "search": (f"{_ANY}*", f"{_ANY}*")}


class PatternScreen:
    """Which of a fixed tuple of patterns may match a line, by one RE2 set match: as `fullmatch` does, or as
    `match` or `search` do where `how` says so (one word for all, or one per pattern).

    `None` in the tuple holds a place that is never named (a user's pattern, screened elsewhere).

    Until `build_after` lines have been asked about, every pattern is named. Building the RE2 set takes about
    45 ms for the shipped packs, as long as their patterns take on some 2,000 lines: a process that sees only a
    page or two, such as a pre-commit hook given one file, never builds it. The set is not picklable: a screen
    travels to a worker process as its patterns."""

    def __init__(
        self,
        patterns: tuple[re.Pattern[str] | None, ...],
        build_after: int = BUILD_AFTER,
        how: str | tuple[str, ...] = "fullmatch",
    ) -> None:
        self.patterns = patterns
        self.build_after = build_after
        self.how = (how,) * len(patterns) if isinstance(how, str) else how
        if len(self.how) != len(patterns) or not set(self.how) <= set(_HOW):
            raise ValueError(f"how: one of {', '.join(_HOW)} for all the patterns, or one for each")
        self._untried = build_after
        self._set: Any = None
        self._positions: list[int] = []  # the set's k-th pattern is patterns[_positions[k]]
        self._unscreened: list[int] = []  # patterns the screen cannot take: named for every line
        self._all = [at for at, pattern in enumerate(patterns) if pattern is not None]

    def __reduce__(self) -> tuple[type[PatternScreen], tuple[Any, ...]]:
        return PatternScreen, (self.patterns, self.build_after, self.how)

    def candidates(self, line: str) -> list[int]:
        """The positions, in order, of the patterns that may match `line` (as `how` says): none of the others does."""
        if self._set is None:
            if self._untried > 0:
                self._untried -= 1
                return list(self._all)
            self._build()
        encoded = line.encode("utf-8", "surrogatepass")
        if self._set is False or (len(encoded) - len(line)) * _MOSTLY_ASCII > len(line):
            return list(self._all)
        found = sorted(self._set.Match(encoded) or ())
        # The sentinel, last in the set, matches every line: without it RE2 gave up (its automaton outgrew
        # its memory), which its set matcher reports as no match at all.
        if not found or found[-1] != len(self._positions):
            return list(self._all)
        named = [self._positions[k] for k in found[:-1]]
        if self._unscreened:
            named += self._unscreened
            named.sort()
        return named

    def _build(self) -> None:
        import re2  # google-re2: a dependency, imported when the first line is screened

        options = re2.Options()
        options.log_errors = False
        options.encoding = re2.Options.Encoding.LATIN1
        screen = re2.Set.FullMatchSet(options)
        for at in self._all:
            try:
                pattern = self.patterns[at]
                before, after = _HOW[self.how[at]]
                screen.Add(f"{before}(?:{widen(pattern.pattern, pattern.flags)}){after}")  # type: ignore[union-attr]
            except (ValueError, re2.error):  # not widened, or RE2 refuses it
                self._unscreened.append(at)
            else:
                self._positions.append(at)
        screen.Add(f"{_ANY}*")
        try:
            screen.Compile()
        except re2.error:
            screen = False
        self._set = screen
