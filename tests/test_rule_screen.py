"""The RE2 screen of the shipped rule patterns (`cleaner.rule_screen`): it may name a pattern that does not match
a line, never leave out one that does."""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import re
import signal
import time
from collections.abc import Iterator

import pytest
import re2
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from test_golden import DAILY8, SHARED

from cleaner import meta
from cleaner.normalise import normalise
from cleaner.options import DEFAULT_PACKS
from cleaner.rule_screen import _FOLDED_TO_ASCII, _HOW, PatternScreen, widen
from cleaner.rules import load_rules

DEV_TEXT = SHARED / "benchmarks" / "article-extraction-dev" / "text"


def _re2_set(patterns: list[str]) -> re2.Set:
    options = re2.Options()
    options.log_errors = False
    options.encoding = re2.Options.Encoding.LATIN1
    screen = re2.Set.FullMatchSet(options)
    for pattern in patterns:
        screen.Add(pattern)
    screen.Compile()
    return screen


def _widened_matches(pattern: re.Pattern[str], text: str, how: str = "fullmatch") -> bool:
    """Whether the widened pattern takes `text` as `how` matches, by RE2 itself (no shortcut of the screen in
    between)."""
    before, after = _HOW[how]
    screen = _re2_set([f"{before}(?:{widen(pattern.pattern, pattern.flags)}){after}"])
    return bool(screen.Match(text.encode("utf-8", "surrogatepass")))


# --- the rewriting, on patterns drawn at random ---------------------------------------------------------------

# Characters with a story: both cases, the four non-ASCII characters Python folds to ASCII letters, a letter
# with no ASCII partner, separators the packs use, digits, a space, and a CJK character.
CHARS = "aAkKsSiIzZ09 _-.|'’·•©éÉЖж日\u0130\u0131\u017f\u212a"
RANGES = ["a-z", "A-Z", "0-9", "h-m", "à-ÿ", "а-я", "\\x00-\\x7f", " -/"]
CATEGORIES = ["\\w", "\\W", "\\d", "\\D", "\\s", "\\S"]


def _literal() -> st.SearchStrategy[str]:
    return st.sampled_from(CHARS).map(re.escape)


def _char_class() -> st.SearchStrategy[str]:
    member = st.one_of(_literal(), st.sampled_from(RANGES), st.sampled_from(CATEGORIES))
    return st.tuples(st.booleans(), st.lists(member, min_size=1, max_size=4)).map(
        lambda drawn: f"[{'^' if drawn[0] else ''}{''.join(drawn[1])}]"
    )


def _atom(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        _literal(),
        _char_class(),
        st.sampled_from([*CATEGORIES, ".", "\\b", "\\B", "^", "$"]),
        inner.map(lambda body: f"(?:{body})"),
        inner.map(lambda body: f"({body})"),
        inner.map(lambda body: f"(?={body})"),
        inner.map(lambda body: f"(?!{body})"),
        inner.map(lambda body: f"(?>{body})"),
        st.sampled_from(["(?<=a)", "(?<!k)"]),
    )


def _piece(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    repeat = st.sampled_from(["", "", "?", "*", "+", "{2}", "{0,3}", "{1,12}", "*?", "+?", "*+", "{2,20}"])
    return st.tuples(_atom(inner), repeat).map("".join)


PATTERNS = st.recursive(
    st.lists(_literal(), min_size=1, max_size=3).map("".join),
    lambda inner: st.lists(st.lists(_piece(inner), min_size=1, max_size=4).map("".join), min_size=1, max_size=3).map(
        "|".join
    ),
    max_leaves=8,
)

# Python's folding partners of each ASCII letter, swapped in for it (and case swaps) after a match is drawn.
SWAPS = {"k": "K\u212a", "s": "S\u017f", "i": "I\u0130\u0131", "K": "k\u212a", "S": "s\u017f", "I": "i\u0130\u0131"}


class _TooSlow(Exception):
    pass


# Python's own matcher on a drawn pattern and line: some patterns ("(a+)+b", "(\w+\s?)*\.") take it exponential
# time on a line that almost matches (a CI run hung here for 15 minutes, in hypothesis's own filter that checks a
# drawn line against the pattern). Python's matcher stops for signals, so an example is given this long.
PYTHON_REGEX_SECONDS = 2.0


@contextlib.contextmanager
def _python_regex_budget() -> Iterator[None]:
    def give_up(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, PYTHON_REGEX_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@settings(max_examples=400, deadline=None)
@given(source=PATTERNS, data=st.data())
def test_a_widened_pattern_takes_every_line_the_pattern_takes(source: str, data: st.DataObject) -> None:
    try:
        pattern = re.compile(source, re.IGNORECASE)
    except re.error:
        return  # the grammar can write a pattern Python refuses (a repeat of nothing): nothing to widen
    try:
        with _python_regex_budget():
            _check_widened(pattern, data)
    except _TooSlow:
        reject()  # Python cannot tell in time what the pattern matches: nothing to compare the screen with


def _check_widened(pattern: re.Pattern[str], data: st.DataObject) -> None:
    matching = st.from_regex(pattern, fullmatch=True)
    try:
        matching.validate()
    except InvalidArgument:  # a class of nothing in it, such as [^\w\D]: no line to draw from it
        matching = st.nothing()
    if not matching.is_empty and data.draw(st.booleans(), label="a line the pattern matches"):
        line = data.draw(matching, label="line")
        swaps = data.draw(st.lists(st.integers(0, 10**6), max_size=4), label="swaps")
        for pick in swaps:
            places = [at for at, char in enumerate(line) if char in SWAPS]
            if places:
                at = places[pick % len(places)]
                line = line[:at] + SWAPS[line[at]][pick % len(SWAPS[line[at]])] + line[at + 1 :]
    else:
        line = data.draw(st.text(alphabet=CHARS, max_size=12), label="line")
    if pattern.fullmatch(line):
        assert _widened_matches(pattern, line), (pattern.pattern, line, widen(pattern.pattern))
    # As `match` and `search` read it, inside a longer line.
    before, after = (data.draw(st.text(alphabet=CHARS, max_size=6), label=side) for side in ("before", "after"))
    if pattern.match(line + after):
        assert _widened_matches(pattern, line + after, "match"), (pattern.pattern, line + after)
    if pattern.search(before + line + after):
        assert _widened_matches(pattern, before + line + after, "search"), (
            pattern.pattern,
            before + line + after,
        )


def test_a_runaway_python_match_is_given_up_in_time() -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(_TooSlow), _python_regex_budget():
        re.fullmatch("(a+)+b", "a" * 60)  # years, to the end
    assert time.monotonic() - started < PYTHON_REGEX_SECONDS + 5
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_folded_letters_are_all_of_them() -> None:
    """Every non-ASCII character Python's case-insensitive matching takes for an ASCII character, with its
    letter: the screen spells out exactly these for ASCII letters."""
    ascii_letters = re.compile("[a-z]", re.IGNORECASE)
    other_ascii = re.compile("[\\x00-\\x40\\x5b-\\x60\\x7b-\\x7f]", re.IGNORECASE)
    found = {}
    for code in range(0x80, 0x110000):
        char = chr(code)
        assert not other_ascii.fullmatch(char), hex(code)
        if ascii_letters.fullmatch(char):
            found[code] = next(letter for letter in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(letter, char, re.I))
    assert found == _FOLDED_TO_ASCII


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        ("skip", "\u017fkip"),  # long s for s
        ("kelvin", "\u212aelvin"),  # Kelvin sign for k
        ("is", "\u0130s"),  # dotted capital I for i
        ("[a-z]+", "\u0131\u212a"),
        ("[\\x80-\\uffff]", "\u0131"),  # a folded character is still a non-ASCII one
        ("\\W{0,3}©\\s*2024", "— © 2024"),
        ("(?=.{0,300}?terms)[^|]{2,40}(?:\\|[^|]{2,40}){1,12}", "Home | Privacy | Terms of use"),
        ("(?P<a>x)(?P=a)y", "xxy"),
        ("(?>ab|a)c", "abc"),
        ("(?:ab|a)+c", "abAaBc"),
        ("(\\w+\\s?)*\\.", "one \u017fkip three."),
        ("a*+b", "aab"),
        ("\\bword\\b.{0,200}", "word — далее по тексту"),
    ],
)
def test_cases_the_rewriting_must_get_right(pattern: str, line: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    assert compiled.fullmatch(line)
    assert _widened_matches(compiled, line)


def test_a_widened_pattern_still_rejects_ascii_lines() -> None:
    """Exact on ASCII, save for what is dropped (lookarounds, boundaries) or loosened (long counts)."""
    compiled = re.compile(r"\W{0,3}(?:share|tweet)\W{0,3}", re.IGNORECASE)
    assert _widened_matches(compiled, "  SHARE ")
    for line in ("shares", "share this story", "tweet tweet", "xshare"):
        assert not _widened_matches(compiled, line)


# --- the screen of the shipped packs ---------------------------------------------------------------------------


def _real_lines() -> list[str]:
    files = sorted(DEV_TEXT.glob("*.txt")) + sorted(DAILY8.iterdir())
    assert len(files) > 60, f"shared pages not found under {SHARED}"
    lines = {line for path in files for line in normalise(path.read_text(encoding="utf-8")).split("\n") if line}
    return sorted(lines)


def test_the_screen_names_every_shipped_pattern_that_matches_a_real_line() -> None:
    rules = load_rules(DEFAULT_PACKS)
    patterns = tuple(rule.pattern for rule in rules.pattern_rules)
    screen = PatternScreen(patterns, build_after=0)
    lines = _real_lines()
    named = pairs = 0
    for line in lines:
        candidates = screen.candidates(line)
        assert candidates == sorted(set(candidates))
        matching = [at for at, pattern in enumerate(patterns) if pattern.fullmatch(line)]  # type: ignore[union-attr]
        assert set(matching) <= set(candidates), line
        if line.isascii():
            named, pairs = named + len(candidates), pairs + len(patterns)
    assert screen._unscreened == []  # every shipped pattern is widened
    assert named < pairs / 20  # and the screen leaves out nearly all of them on ASCII lines


def test_rule_matches_are_the_same_with_and_without_the_screen() -> None:
    rules = load_rules(DEFAULT_PACKS)
    trusted = rules.trusted_screen.patterns
    screened = dataclasses.replace(rules, trusted_screen=PatternScreen(trusted, build_after=0), _matches={})
    unscreened = dataclasses.replace(rules, trusted_screen=PatternScreen(trusted, build_after=10**9), _matches={})
    found = 0
    for line in _real_lines():
        assert screened.matches(line) == unscreened.matches(line), line
        found += bool(unscreened.matches(line))
    assert found > 50
    assert screened.trusted_screen._set and unscreened.trusted_screen._set is None


def test_the_screen_is_built_only_after_enough_lines() -> None:
    patterns = (re.compile("ab+", re.IGNORECASE), None, re.compile("c", re.IGNORECASE))
    screen = PatternScreen(patterns, build_after=2)
    assert screen.candidates("zzz") == [0, 2]  # not built yet: every pattern named (never the user's place)
    assert screen.candidates("zzz") == [0, 2]
    assert screen._set is None
    assert screen.candidates("zzz") == []
    assert screen.candidates("ABB") == [0]
    assert screen.candidates("c") == [2]
    copy = pickle.loads(pickle.dumps(screen))
    assert copy.patterns == patterns and copy._set is None


def test_when_re2_gives_up_every_pattern_is_named() -> None:
    patterns = (re.compile("ab+", re.IGNORECASE), re.compile("c", re.IGNORECASE))
    screen = PatternScreen(patterns, build_after=0)
    assert screen.candidates("c") == [1]

    class GaveUp:  # RE2's set matcher out of memory: no match at all, not even the sentinel's
        def Match(self, text: bytes) -> None:  # RE2's name for it
            return None

    screen._set = GaveUp()
    assert screen.candidates("c") == [0, 1]


def test_mostly_non_ascii_lines_name_every_pattern() -> None:
    patterns = (re.compile("ab+", re.IGNORECASE), re.compile("c", re.IGNORECASE))
    screen = PatternScreen(patterns, build_after=0)
    assert screen.candidates("правила сайта") == [0, 1]  # not screened: every pattern is tried
    assert screen.candidates("a line with one ’ in it") == []


def test_how_is_checked() -> None:
    with pytest.raises(ValueError, match="how"):
        PatternScreen((re.compile("a"),), how=("search", "match"))
    with pytest.raises(ValueError, match="how"):
        PatternScreen((re.compile("a"),), how="find")


# --- metadata lines ----------------------------------------------------------------------------------------


def _parse_meta_with(screen: PatternScreen, monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> list[object]:
    monkeypatch.setattr(meta, "_MAY_BE_META", screen)
    meta.parse_meta.cache_clear()
    try:
        return [meta.parse_meta(line) for line in lines]
    finally:
        meta.parse_meta.cache_clear()


META_EXPRESSIONS = (meta._BYLINE, meta._META_AT_END, meta._COMPACT_AGE, meta._READING_TIME)


PREFIXES = ["", "Russia Today", "Russia Todaya", "• Al Jazeera · ", "Published: ", "It all began on ", "x/", "By "]
DATES = [
    "a day ago",
    "3 hours ago",
    "about 2 minutes ago",
    "vor 2 Stunden",
    "il y a 3 jours",
    "há 2 dias",
    "5 часов назад",
    "2時間前",
    "just now",
    "yesterday",
    "5 min read",
    "Lesezeit: 4 Minuten",
    "3h",
    "November 19, 2019, 9:02 AM",
    "Wednesday, September 18th, 2019 at 10:45 p.m. EST",
    "2019-11-19",
    "19.11.2019",
    "3 de maio de 2021",
    "2024年5月3日",
    "Jane Doe",
    "Katrin Hollmann | 3 min read",
]
TRAILERS = ["", " · 5 min read", " | Updated", " — Politics", "  "]


def _recased(text: str, flips: list[int]) -> str:
    for flip in flips:
        at = flip % max(1, len(text))
        if text[at : at + 1] in SWAPS:
            text = text[:at] + SWAPS[text[at]][flip % len(SWAPS[text[at]])] + text[at + 1 :]
        elif text:
            text = text[:at] + text[at].swapcase() + text[at + 1 :]
    return text


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.builds(
            lambda prefix, date, trailer, flips: _recased(prefix + date + trailer, flips),
            st.sampled_from(PREFIXES),
            st.sampled_from(DATES),
            st.sampled_from(TRAILERS),
            st.lists(st.integers(0, 10**6), max_size=3),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_metadata_lines_are_read_the_same_with_the_screen(lines: list[str]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        screened = PatternScreen(META_EXPRESSIONS, build_after=0, how=meta._MAY_BE_META.how)
        unscreened = PatternScreen(META_EXPRESSIONS, build_after=10**9, how=meta._MAY_BE_META.how)
        assert _parse_meta_with(screened, monkeypatch, lines) == _parse_meta_with(unscreened, monkeypatch, lines)


def test_real_metadata_lines_are_read_the_same_with_the_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _real_lines()
    screened = PatternScreen(META_EXPRESSIONS, build_after=0, how=meta._MAY_BE_META.how)
    unscreened = PatternScreen(META_EXPRESSIONS, build_after=10**9, how=meta._MAY_BE_META.how)
    found = _parse_meta_with(unscreened, monkeypatch, lines)
    assert _parse_meta_with(screened, monkeypatch, lines) == found
    assert sum(item is not None for item in found) > 100
    assert screened._set and not screened._unscreened
    ascii_lines = [line for line in lines if line.isascii() and len(line) <= meta.MAX_META_CHARS]
    assert sum(map(bool, map(screened.candidates, ascii_lines))) < len(ascii_lines) / 4  # it does screen
