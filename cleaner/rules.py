r"""Rule packs: chrome described as data.

A pack is a TOML file (the shipped ones live in `cleaner/packs/`, a user's anywhere) with a `[pack]` table and a
list of `[[rules]]`. Each rule has an `id`, an `action` and either `phrases` (whole lines, compared after
folding case, edge punctuation and spaces) or a `pattern` (a regular expression). Actions:

- `drop`: remove a matching line.
- `truncate`: the article is over: the line and everything after it are cut (a comment section, the related
  cards at the foot of an aggregator's page); with `related = true` (the default) the teaser cards in the cut
  part are parsed into `related`.
- `rail`: the header of a teaser rail that may stand anywhere, even mid-article: the cards under it are taken
  until article prose resumes.
- `strip`: remove the part of the line the pattern finds (a glued prefix or suffix), keep the rest.
- `extract`: the pattern's named groups `source`, `date`, `author` become the page's metadata; the line goes.

`where` (any | head | tail) limits a rule to lines before or after the article's prose, `max_words` to short
lines. A `drop` rule with `missing = true` finds what a missing page says instead of an article ("Page not
found"): where it fires and no sentence of prose is left, the page is empty, whatever menu lines remain.

A pack may also carry `[[selectors]]` for HTML input: CSS selectors (lexbor's dialect) of chrome elements that
the selectolax pass (`cleaner.html.prepass`) removes before extraction. Actions: `drop` (navigation, share
bars, comment sections, cookie banners) and `related` (a "related articles" rail: removed, its teaser cards
read into `related`). docs/rule-packs.md documents the format with examples.

Patterns of the shipped packs are Python regular expressions, audited to run in linear time
(`tests/test_generic_pack.py`). Patterns of a user's pack (`--rules FILE`) run on RE2 (google-re2), which takes
linear time whatever the pattern and the line: a pattern is translated from Python's syntax and meaning (`\w`,
`\d`, `\s` stay Unicode-aware) into RE2's, and one that needs what RE2 cannot do in linear time
(backreferences, lookaround, possessive repeats) is refused with the reason when the pack is loaded.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from re import _constants as sre_constants
from re import _parser as sre_parser
from typing import Any, Literal

from . import regexes
from .features import count_words
from .memo import LINE_CACHE_SIZE
from .rule_screen import PatternScreen, group_dotall, re2_literal

Action = Literal["drop", "truncate", "rail", "strip", "extract"]
Where = Literal["any", "head", "tail"]
ACTIONS: tuple[Action, ...] = ("drop", "truncate", "rail", "strip", "extract")
SelectorAction = Literal["drop", "related"]
SELECTOR_ACTIONS: tuple[SelectorAction, ...] = ("drop", "related")
WHERES: tuple[Where, ...] = ("any", "head", "tail")
METADATA_GROUPS = frozenset({"source", "date", "author", "title"})
DEFAULT_MAX_WORDS = 12


class RulePackError(ValueError):
    """A rule pack that cannot be used: unreadable, not TOML, or a rule that breaks the format."""


# Robustness guard: lines longer than this are compared as they are. Nothing that long is a phrase or a title,
# and folding a 15 MB line (for the repeated-line count) cost a second and another 15 MB per pass.
FOLD_MAX_CHARS = 10_000


@lru_cache(maxsize=LINE_CACHE_SIZE)
def fold(line: str) -> str:
    """The form phrases are compared in: case folded, everything but letters and digits trimmed from both ends
    (punctuation, symbols, underscores, spaces), inner whitespace folded to one space."""
    if len(line) > FOLD_MAX_CHARS:
        return line
    text = line.casefold()
    start, end = 0, len(text)
    # A scan from each edge, not a regular expression: `[\W_]+$` is tried at every position of a long line.
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return " ".join(text[start:end].split())


def phrase_key(line: str) -> str:
    """The form a rule phrase and a line are matched in: `fold`, except that a line of symbols only ("#",
    "* * *"), which folds to nothing, is compared as written (inner whitespace folded), so the phrase "#" does not
    take every "***" scene break. The two forms do not meet: a folded key starts and ends with a letter or digit
    (a line over `FOLD_MAX_CHARS`, compared as it stands, is no phrase)."""
    return fold(line) or " ".join(line.split())


# --- user patterns on RE2 ---------------------------------------------------------------------------------------

_C = sre_constants
# Python's classes, as `re` reads them in str patterns, in RE2's syntax (whose own \w \d \s are ASCII only).
_RE2_WORD = r"\pL\pN_"
_RE2_DIGIT = r"\p{Nd}"
_RE2_SPACE = r"\t\n\x{b}\f\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_CATEGORIES = {
    _C.CATEGORY_DIGIT: (_RE2_DIGIT, False),
    _C.CATEGORY_NOT_DIGIT: (_RE2_DIGIT, True),
    _C.CATEGORY_WORD: (_RE2_WORD, False),
    _C.CATEGORY_NOT_WORD: (_RE2_WORD, True),
    _C.CATEGORY_SPACE: (_RE2_SPACE, False),
    _C.CATEGORY_NOT_SPACE: (_RE2_SPACE, True),
}
_ASCII_CATEGORIES = {
    _C.CATEGORY_DIGIT: ("0-9", False),
    _C.CATEGORY_NOT_DIGIT: ("0-9", True),
    _C.CATEGORY_WORD: ("0-9A-Za-z_", False),
    _C.CATEGORY_NOT_WORD: ("0-9A-Za-z_", True),
    _C.CATEGORY_SPACE: (r"\t\n\x{b}\f\r ", False),
    _C.CATEGORY_NOT_SPACE: (r"\t\n\x{b}\f\r ", True),
}
_AT = {
    _C.AT_BEGINNING: "^",
    _C.AT_BEGINNING_STRING: r"\A",
    _C.AT_END: "$",
    _C.AT_END_STRING: r"\z",
    _C.AT_BOUNDARY: r"\b",  # RE2's word boundaries are ASCII ones (docs/rule-packs.md says so)
    _C.AT_NON_BOUNDARY: r"\B",
}
# Items whose RE2 form a repeat can follow as it is: one character, a class, a group.
_ATOMIC = frozenset({_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN, _C.SUBPATTERN, _C.BRANCH})
_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
_UNSUPPORTED = {
    _C.GROUPREF: "a backreference",
    _C.GROUPREF_EXISTS: "a conditional group",
    _C.ASSERT: "a lookahead or lookbehind",
    _C.ASSERT_NOT: "a negative lookahead or lookbehind",
    _C.ATOMIC_GROUP: "an atomic group",
    _C.POSSESSIVE_REPEAT: "a possessive repeat",
}


class UnsafePattern(ValueError):
    """A pattern that RE2 cannot run (so that it could take more than linear time): why, in a few words."""


class _Translator:
    """Python regular-expression syntax, as `re` parses it, written out in RE2's syntax with the same meaning."""

    def __init__(self, parsed: Any) -> None:
        self.names = {number: name for name, number in parsed.state.groupdict.items()}
        self.ascii = bool(parsed.state.flags & re.ASCII)

    def items(self, items: Any, dotall: bool) -> str:
        return "".join(self.item(op, av, dotall) for op, av in items)

    def item(self, op: Any, av: Any, dotall: bool) -> str:
        if op in _UNSUPPORTED:
            raise UnsafePattern(f"{_UNSUPPORTED[op]} is not possible in linear time")
        if op is _C.LITERAL:
            return re2_literal(av)
        if op is _C.NOT_LITERAL:
            return f"[^{re2_literal(av)}]"
        if op is _C.ANY:
            return "(?s:.)" if dotall else "."
        if op is _C.AT:
            return _AT[av]
        if op is _C.IN:
            return self.char_class(av)
        if op is _C.BRANCH:
            return "(?:" + "|".join(self.items(branch, dotall) for branch in av[1]) + ")"
        if op is _C.SUBPATTERN:
            group, add, remove, body = av
            inner = self.items(body, group_dotall(dotall, add, remove))
            on = "".join(letter for flag, letter in _FLAG_LETTERS if add & flag and flag != re.DOTALL)
            off = "".join(letter for flag, letter in _FLAG_LETTERS if remove & flag and flag != re.DOTALL)
            if on or off:
                inner = f"(?{on}{'-' + off if off else ''}:{inner})"
            if group is None:
                return f"(?:{inner})"
            name = self.names.get(group)
            return f"(?P<{name}>{inner})" if name else f"({inner})"
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            low, high, body = av
            text = self.items(body, dotall)
            if len(body) != 1 or body[0][0] not in _ATOMIC:
                text = f"(?:{text})"
            if high is _C.MAXREPEAT:
                count = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
            elif (low, high) == (0, 1):
                count = "?"
            else:
                count = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
            return text + count + ("?" if op is _C.MIN_REPEAT else "")
        raise UnsafePattern(f"{op} is not supported")

    def char_class(self, items: Any) -> str:
        negate = bool(items) and items[0][0] is _C.NEGATE
        parts: list[str] = []
        negated: list[str] = []  # \W \S \D inside the class: sets RE2 cannot put inside brackets
        categories = _ASCII_CATEGORIES if self.ascii else _CATEGORIES
        for op, av in items[1:] if negate else items:
            if op is _C.LITERAL:
                parts.append(re2_literal(av))
            elif op is _C.RANGE:
                parts.append(f"{re2_literal(av[0])}-{re2_literal(av[1])}")
            elif op is _C.CATEGORY:
                chars, inverted = categories[av]
                (negated if inverted else parts).append(chars)
            else:
                raise UnsafePattern(f"{op} in a character class is not supported")
        if not negated:
            return f"[{'^' if negate else ''}{''.join(parts)}]"
        if negate:
            raise UnsafePattern("\\W, \\S or \\D inside [^...] is not supported: rewrite the class")
        # One character from any of the sets: an alternation says it in RE2.
        options = [f"[^{chars}]" for chars in negated] + ([f"[{''.join(parts)}]"] if parts else [])
        return "(?:" + "|".join(options) + ")"


def to_re2(source: str) -> str:
    """`source` (Python syntax, matched case-insensitively as rule patterns are) in RE2's syntax."""
    parsed = sre_parser.parse(source, re.IGNORECASE)
    flags = "".join(letter for flag, letter in _FLAG_LETTERS if parsed.state.flags & flag and flag != re.DOTALL)
    body = _Translator(parsed).items(parsed, bool(parsed.state.flags & re.DOTALL))
    return f"(?{flags}){body}" if flags else body


def re2_compile(source: str) -> Any:
    """Compile RE2 syntax; `UnsafePattern` with RE2's reason when it cannot."""
    import re2  # google-re2; imported only when a user's pack has patterns

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(source, options)
    except re2.error as error:
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise UnsafePattern(f"RE2 cannot run it: {detail}") from None


class SafePattern:
    """A user's pattern compiled by RE2: the subset of `re.Pattern` that rules use (`fullmatch`, `search`,
    `groupindex`, `pattern` as written), in time linear in the line whatever the pattern."""

    __slots__ = ("_regexp", "groupindex", "pattern", "translated")

    def __init__(self, source: str) -> None:
        self.pattern = source
        self.translated = to_re2(source)
        self._regexp = re2_compile(self.translated)
        self.groupindex = dict(self._regexp.groupindex)

    def fullmatch(self, text: str) -> Any:
        return self._regexp.fullmatch(text)

    def search(self, text: str) -> Any:
        return self._regexp.search(text)

    def __reduce__(self) -> tuple[type[SafePattern], tuple[str]]:
        return SafePattern, (self.pattern,)


@dataclass(frozen=True)
class Rule:
    pack: str
    id: str
    action: Action
    note: str = ""
    phrases: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | SafePattern | None = None
    where: Where = "any"
    max_words: int = DEFAULT_MAX_WORDS
    # truncate only: whether the cut part holds teaser cards to parse (not so under a comment section).
    related: bool = True
    # drop only: the line says the page is missing ("Page not found"); with no prose left, the page is empty.
    missing: bool = False

    @property
    def reason(self) -> str:
        """How removals by this rule are labelled: `pack/id`."""
        return f"{self.pack}/{self.id}"


@dataclass(frozen=True)
class SelectorRule:
    """Chrome in HTML found by a CSS selector (`css`: one selector list, `a, b`)."""

    pack: str
    id: str
    action: SelectorAction
    css: str
    note: str = ""

    @property
    def reason(self) -> str:
        return f"{self.pack}/{self.id}"


@dataclass(frozen=True)
class RulePack:
    name: str
    description: str
    origin: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    selectors: tuple[SelectorRule, ...] = field(default_factory=tuple)


def _fail(origin: str, message: str) -> RulePackError:
    return RulePackError(f"{origin}: {message}")


def _compile(origin: str, rule_id: str, source: str, safe: bool) -> re.Pattern[str] | SafePattern:
    try:
        # A shipped pack's program is kept between runs (`regexes`); a user's pattern is only checked here.
        compiled = re.compile(source, re.IGNORECASE) if safe else regexes.compile(source, re.IGNORECASE)
    except re.error as error:
        raise _fail(origin, f"rule {rule_id!r}: bad pattern ({error})") from None
    if not safe:
        return compiled
    try:
        return SafePattern(source)
    except UnsafePattern as error:
        raise _fail(
            origin,
            f"rule {rule_id!r}: pattern refused, {error} (patterns of your own packs run on RE2, in linear time: "
            "no backreferences, lookaround or possessive repeats, repeats of at most 1000)",
        ) from None


def _parse_rule(origin: str, pack: str, raw: object, seen: set[str], safe: bool = False) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(origin, "each [[rules]] entry must be a table")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise _fail(origin, "a rule has no id")
    if rule_id in seen:
        raise _fail(origin, f"rule id {rule_id!r} is used twice")
    seen.add(rule_id)
    # count, example, site and position record what a learned rule was learnt from (`cleaner learn`); the
    # engine ignores them.
    known = {"id", "action", "note", "phrases", "pattern", "where", "max_words", "related", "missing"}
    known |= {"count", "example", "site", "position"}
    unknown = set(raw) - known
    if unknown:
        raise _fail(origin, f"rule {rule_id!r}: unknown key(s) {', '.join(sorted(unknown))}")
    action = raw.get("action")
    if action not in ACTIONS:
        raise _fail(origin, f"rule {rule_id!r}: action must be one of {', '.join(ACTIONS)}")
    where = raw.get("where", "any")
    if where not in WHERES:
        raise _fail(origin, f"rule {rule_id!r}: where must be one of {', '.join(WHERES)}")
    max_words = raw.get("max_words", DEFAULT_MAX_WORDS)
    if not isinstance(max_words, int) or max_words < 1:
        raise _fail(origin, f"rule {rule_id!r}: max_words must be a positive whole number")
    related = raw.get("related", True)
    if not isinstance(related, bool) or ("related" in raw and action != "truncate"):
        raise _fail(origin, f"rule {rule_id!r}: related is true or false, and only for truncate rules")
    missing = raw.get("missing", False)
    if not isinstance(missing, bool) or ("missing" in raw and action != "drop"):
        raise _fail(origin, f"rule {rule_id!r}: missing is true or false, and only for drop rules")
    phrases, pattern = raw.get("phrases"), raw.get("pattern")
    if (phrases is None) == (pattern is None):
        raise _fail(origin, f"rule {rule_id!r}: give either phrases or pattern")
    if phrases is not None and (
        not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) for p in phrases)
    ):
        raise _fail(origin, f"rule {rule_id!r}: phrases must be a list of strings")
    if phrases is not None and not all(p.strip() for p in phrases):
        raise _fail(origin, f"rule {rule_id!r}: a phrase is empty")
    if phrases is not None and action in ("strip", "extract"):
        raise _fail(origin, f"rule {rule_id!r}: {action} rules need a pattern")
    compiled = None
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise _fail(origin, f"rule {rule_id!r}: pattern must be a non-empty string")
        compiled = _compile(origin, rule_id, pattern, safe)
        groups = set(compiled.groupindex)
        if action == "extract" and (not groups or not groups <= METADATA_GROUPS):
            raise _fail(origin, f"rule {rule_id!r}: extract patterns name groups among source, date, author, title")
    return Rule(
        pack=pack,
        id=rule_id,
        action=action,
        note=str(raw.get("note", "")),
        phrases=frozenset(phrase_key(p) for p in phrases or ()),
        pattern=compiled,
        where=where,
        max_words=max_words,
        related=related,
        missing=missing,
    )


@cache
def _css_probe() -> Any:
    """A tiny parsed page to try selectors on (one for every check: parsing a page per selector cost more)."""
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser("<p></p>")


def _check_css(origin: str, selector_id: str, css: str) -> None:
    from selectolax.lexbor import SelectolaxError

    try:
        _css_probe().css(css)
    except SelectolaxError:
        raise _fail(origin, f"selector {selector_id!r}: bad CSS selector {css!r}") from None


def _parse_selector(origin: str, pack: str, raw: object, seen: set[str]) -> SelectorRule:
    if not isinstance(raw, dict):
        raise _fail(origin, "each [[selectors]] entry must be a table")
    selector_id = raw.get("id")
    if not isinstance(selector_id, str) or not selector_id:
        raise _fail(origin, "a selector has no id")
    if selector_id in seen:
        raise _fail(origin, f"id {selector_id!r} is used twice")
    seen.add(selector_id)
    unknown = set(raw) - {"id", "action", "note", "css"}
    if unknown:
        raise _fail(origin, f"selector {selector_id!r}: unknown key(s) {', '.join(sorted(unknown))}")
    action = raw.get("action", "drop")
    if action not in SELECTOR_ACTIONS:
        raise _fail(origin, f"selector {selector_id!r}: action must be one of {', '.join(SELECTOR_ACTIONS)}")
    css = raw.get("css")
    if isinstance(css, str):
        css = [css]
    if not isinstance(css, list) or not css or not all(isinstance(c, str) and c.strip() for c in css):
        raise _fail(origin, f"selector {selector_id!r}: css must be a selector or a list of selectors")
    for one in css:
        _check_css(origin, selector_id, one)
    return SelectorRule(pack, selector_id, action, ", ".join(c.strip() for c in css), str(raw.get("note", "")))


def parse_pack(text: str, origin: str, *, safe: bool = False) -> RulePack:
    """Build a pack from TOML text; `origin` names it in error messages. `safe`: the patterns come from a user
    and run on RE2 (`SafePattern`); without it they are trusted (audited) Python patterns."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(origin, f"not valid TOML ({error})") from None
    return pack_of(data, origin, safe=safe)


def pack_of(data: dict[str, Any], origin: str, *, safe: bool = False) -> RulePack:
    """Build a pack from parsed TOML (see `parse_pack`)."""
    header = data.get("pack", {})
    if not isinstance(header, dict):
        raise _fail(origin, "[pack] must be a table")
    name = header.get("name") or Path(origin).stem
    if not isinstance(name, str) or "/" in name:
        raise _fail(origin, "[pack] name must be a string without '/'")
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise _fail(origin, "rules must be an array of tables ([[rules]])")
    raw_selectors = data.get("selectors", [])
    if not isinstance(raw_selectors, list):
        raise _fail(origin, "selectors must be an array of tables ([[selectors]])")
    seen: set[str] = set()
    rules = tuple(_parse_rule(origin, name, raw, seen, safe) for raw in raw_rules)
    selectors = tuple(_parse_selector(origin, name, raw, seen) for raw in raw_selectors)
    description = str(header.get("description", ""))
    return RulePack(name=name, description=description, origin=origin, rules=rules, selectors=selectors)


def shipped_pack_names() -> list[str]:
    """The packs that come with cleaner, by name."""
    folder = resources.files("cleaner") / "packs"
    return sorted(entry.name[: -len(".toml")] for entry in folder.iterdir() if entry.name.endswith(".toml"))


@cache
def shipped_pack(name: str) -> RulePack:
    resource = resources.files("cleaner") / "packs" / f"{name}.toml"
    if not resource.is_file():
        known = ", ".join(shipped_pack_names())
        raise RulePackError(f"no shipped rule pack named {name!r} (known: {known})")
    origin = f"{name} (shipped)"
    data = _parsed_from_cache(resource) if isinstance(resource, Path) else None
    if data is None:
        return parse_pack(resource.read_text(encoding="utf-8"), origin)
    return pack_of(data, origin)


# A shipped pack's parsed TOML is kept in cleaner's cache (`cleaner.cache`), named by the pack file's path, size
# and time: tomllib, pure Python, took about 8 ms of every start over the generic pack's 90 KB.
_PARSED_FORMAT = 1


def _parsed_from_cache(path: Path) -> dict[str, Any] | None:
    """The pack file's TOML, parsed: from the cache, or parsed now and kept there (as JSON, which loads ten
    times faster). None when the file is not valid TOML (`parse_pack` then says why)."""
    from .cache import named, read_json, store_json

    try:
        kept: Path | None = named(f"rule-pack-{path.stem}", ".json", [path], str(_PARSED_FORMAT))
    except OSError:
        kept = None
    data = read_json(kept) if kept is not None else None
    if isinstance(data, dict):
        return data
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if kept is not None:
        with contextlib.suppress(TypeError):  # a TOML date is not JSON: such a pack is parsed every time
            store_json(kept, data)
    return data


def _read_pack_file(path: str) -> RulePack:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulePackError(f"{path}: cannot read rule pack ({error})") from None
    return parse_pack(text, path, safe=True)


def _stamp(path: str) -> tuple[str, int]:
    try:
        return path, Path(path).stat().st_mtime_ns
    except OSError as error:
        raise RulePackError(f"{path}: cannot read rule pack ({error.strerror or error})") from None


@lru_cache(maxsize=64)
def _file_pack(path: str, mtime_ns: int) -> RulePack:
    return _read_pack_file(path)


def file_pack(path: str | Path) -> RulePack:
    """A user's pack; re-read when the file changes (long-lived processes, tests)."""
    return _file_pack(*_stamp(str(path)))


# A rule's match on a line: the rule, and the metadata its pattern captured (extract rules).
RuleMatch = tuple[Rule, dict[str, str]]
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
MATCH_CACHE_SIZE = LINE_CACHE_SIZE


@dataclass(frozen=True)
class RuleSet:
    """The packs of one run, indexed for speed: phrases are one dict lookup, a pattern is tried only on lines
    within its `max_words`, and a line's matches are remembered (a site's pages and the fixed-point pass repeat
    lines).

    The shipped patterns are screened by RE2 (`rule_screen`): one pass over a line names the few that may match
    it, and only those are tried. (One combined expression of them all in Python's engine was measured at the
    same cost per line as trying them one by one: it tries the alternatives one after another just the same.)"""

    packs: tuple[RulePack, ...]
    phrase_index: dict[str, tuple[Rule, ...]]
    pattern_rules: tuple[Rule, ...]
    strip_rules: tuple[Rule, ...]
    # The packs' HTML selectors, in pack order.
    selectors: tuple[SelectorRule, ...] = ()
    # The user's patterns are screened on RE2 (they must never meet Python's backtracking engine; RE2 runs the
    # alternatives at once, in one pass): one expression, and the most words any of them reads.
    safe_screen: Any = None
    safe_max_words: int = 0
    # No phrase rule looks at lines longer than this: a long line is never folded for the lookup.
    phrase_max_words: int = 0
    # No shipped pattern looks at lines longer than this.
    trusted_max_words: int = 0
    # The shipped patterns' screen, by place in `pattern_rules`, and the places of the user's patterns.
    trusted_screen: PatternScreen = field(default_factory=lambda: PatternScreen(()), compare=False, repr=False)
    user_places: tuple[int, ...] = ()
    _matches: dict[str, tuple[RuleMatch, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, packs: tuple[RulePack, ...]) -> RuleSet:
        phrase_index: dict[str, tuple[Rule, ...]] = {}
        for rule in (rule for pack in packs for rule in pack.rules):
            for phrase in rule.phrases:
                phrase_index[phrase] = (*phrase_index.get(phrase, ()), rule)  # pack order, then rule order
        patterns = tuple(r for p in packs for r in p.rules if r.pattern is not None and r.action != "strip")
        strips = tuple(r for p in packs for r in p.rules if r.action == "strip")
        trusted_max_words = max((r.max_words for r in patterns if isinstance(r.pattern, re.Pattern)), default=0)
        selectors = tuple(selector for pack in packs for selector in pack.selectors)
        users = [r for r in patterns if isinstance(r.pattern, SafePattern)]
        safe_screen = (
            re2_compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', r.pattern.translated)})" for r in users))  # type: ignore[union-attr]
            if users
            else None
        )
        safe_max_words = max((r.max_words for r in users), default=0)
        phrase_max_words = max((r.max_words for rules in phrase_index.values() for r in rules), default=0)
        trusted = tuple(r.pattern if isinstance(r.pattern, re.Pattern) else None for r in patterns)
        return cls(
            packs,
            phrase_index,
            patterns,
            strips,
            selectors,
            safe_screen,
            safe_max_words,
            phrase_max_words,
            trusted_max_words,
            PatternScreen(trusted),
            tuple(place for place, pattern in enumerate(trusted) if pattern is None),
        )

    def matches(self, line: str) -> tuple[RuleMatch, ...]:
        """Every whole-line rule (drop, truncate, rail, extract) matching `line`, phrases first, in pack order;
        the caller takes the first whose `where` fits the line's place on the page."""
        found = self._matches.get(line)
        if found is None:
            found = tuple(self._find(line))
            if len(self._matches) >= MATCH_CACHE_SIZE:
                self._matches.clear()
            self._matches[line] = found
        return found

    def _find(self, line: str) -> Iterator[RuleMatch]:
        words = count_words(line)
        if words <= self.phrase_max_words:
            for rule in self.phrase_index.get(phrase_key(line), ()):
                if words <= rule.max_words:
                    yield rule, {}
        shipped = words <= self.trusted_max_words
        mine = self.safe_screen is not None and words <= self.safe_max_words and self.safe_screen.fullmatch(line)
        if not shipped and not mine:
            return
        places = self.trusted_screen.candidates(line) if shipped else []
        if mine:
            places = sorted([*places, *self.user_places])
        for place in places:
            rule = self.pattern_rules[place]
            if words <= rule.max_words:
                match = rule.pattern.fullmatch(line)  # type: ignore[union-attr]
                if match:
                    yield rule, {k: v for k, v in match.groupdict().items() if v}


def load_rules(packs: tuple[str, ...], rule_files: tuple[str, ...] = ()) -> RuleSet:
    """The shipped packs named in `packs`, then the user's `rule_files`, as one `RuleSet`."""
    return _load_rules(tuple(packs), tuple(_stamp(str(path)) for path in rule_files))


@lru_cache(maxsize=32)
def _load_rules(packs: tuple[str, ...], stamped_files: tuple[tuple[str, int], ...]) -> RuleSet:
    loaded = tuple(shipped_pack(name) for name in packs) + tuple(_file_pack(*stamp) for stamp in stamped_files)
    return RuleSet.of(loaded)
