"""Rule packs (`cleaner.rules`) and the pattern filter that applies them (`cleaner.filters.patterns`).

Packs are written here as small TOML texts; each action is checked for its effect on a small `Page` cut into
blocks by `cleaner.blocks.split_blocks`, and user packs end to end through `cleaner.clean(rule_files=...)`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaner
from cleaner.blocks import split_blocks
from cleaner.filters.patterns import apply_extracts, apply_rules
from cleaner.page import Page
from cleaner.rules import (
    RulePackError,
    RuleSet,
    file_pack,
    fold,
    load_rules,
    parse_pack,
    phrase_key,
    shipped_pack,
    shipped_pack_names,
)

ORIGIN = "packs/mine.toml"

# Prose lines (ten words or more, ending a sentence): they bound the head and tail of a page.
PROSE_1 = "The ferry from Oskarsholm was cancelled again on Monday because the crew had not been paid."
PROSE_2 = "Passengers waited on the quay for three hours before the operator sent a bus to the next harbour."
PROSE_3 = "The union said its members would not sail until the wages owed since March were paid in full."


def ruleset(rules_toml: str, name: str = "mine") -> RuleSet:
    return RuleSet.of((parse_pack(f'[pack]\nname = "{name}"\n\n{rules_toml}', ORIGIN),))


def page_of(*lines: str) -> Page:
    return Page(blocks=split_blocks("\n".join(lines)))


def verdicts(page: Page) -> dict[str, str | None]:
    return {block.text: block.verdict for block in page.blocks}


def applied(rules_toml: str, *lines: str) -> Page:
    """The pattern stage: the rules, then the metadata lines settled (here with no card parser between)."""
    page = page_of(*lines)
    apply_rules(page, ruleset(rules_toml))
    apply_extracts(page)
    return page


# ── Parsing and validation ────────────────────────────────────────────────────────────────────────────────


def test_a_valid_pack_parses() -> None:
    pack = parse_pack(
        """
        [pack]
        name = "harbour"
        description = "Chrome of the Harbour Chronicle."

        [[rules]]
        id = "gull"
        action = "drop"
        where = "head"
        max_words = 4
        note = "The gull logo."
        phrases = ["Gull Logo", "  THE GULL!  "]

        [[rules]]
        id = "more"
        action = "truncate"
        pattern = 'More from the harbour'
        """,
        ORIGIN,
    )
    assert pack.name == "harbour"
    assert pack.description == "Chrome of the Harbour Chronicle."
    assert [rule.id for rule in pack.rules] == ["gull", "more"]
    gull, more = pack.rules
    assert gull.action == "drop" and gull.where == "head" and gull.max_words == 4
    assert gull.phrases == frozenset({"gull logo", "the gull"})  # stored folded
    assert gull.reason == "harbour/gull"
    assert more.pattern is not None and more.pattern.fullmatch("MORE FROM THE HARBOUR")  # case-insensitive
    assert more.where == "any" and more.max_words >= 1


def test_pack_name_defaults_to_the_file_stem() -> None:
    pack = parse_pack('[[rules]]\nid = "x"\naction = "drop"\nphrases = ["x"]\n', "somewhere/quay_chrome.toml")
    assert pack.name == "quay_chrome"
    assert pack.rules[0].reason == "quay_chrome/x"


def test_a_pack_without_rules_is_empty_not_an_error() -> None:
    assert parse_pack('[pack]\nname = "nothing"\n', ORIGIN).rules == ()


BAD_PACKS = {
    "bad toml": ('[[rules]\nid = "a"', "toml"),
    "pack not a table": ('pack = "harbour"', "pack"),
    "name with slash": ('[pack]\nname = "a/b"', "name"),
    "rules not an array": ("rules = 3", "rules"),
    "rule not a table": ("rules = [1, 2]", "table"),
    "missing id": ('[[rules]]\naction = "drop"\nphrases = ["a"]', "id"),
    "empty id": ('[[rules]]\nid = ""\naction = "drop"\nphrases = ["a"]', "id"),
    "duplicate id": (
        '[[rules]]\nid = "a"\naction = "drop"\nphrases = ["a"]\n[[rules]]\nid = "a"\naction = "drop"\nphrases = ["b"]',
        "twice",
    ),
    "unknown action": ('[[rules]]\nid = "a"\naction = "delete"\nphrases = ["a"]', "action"),
    "missing action": ('[[rules]]\nid = "a"\nphrases = ["a"]', "action"),
    "unknown where": ('[[rules]]\nid = "a"\naction = "drop"\nwhere = "middle"\nphrases = ["a"]', "where"),
    "unknown key": ('[[rules]]\nid = "a"\naction = "drop"\nphrase = ["a"]', "unknown key"),
    "missing on a truncate rule": (
        '[[rules]]\nid = "a"\naction = "truncate"\nmissing = true\nphrases = ["a"]',
        "missing",
    ),
    "missing not a boolean": ('[[rules]]\nid = "a"\naction = "drop"\nmissing = "yes"\nphrases = ["a"]', "missing"),
    "both phrases and pattern": ('[[rules]]\nid = "a"\naction = "drop"\nphrases = ["a"]\npattern = "a"', "either"),
    "neither phrases nor pattern": ('[[rules]]\nid = "a"\naction = "drop"', "either"),
    "phrases not a list": ('[[rules]]\nid = "a"\naction = "drop"\nphrases = "a"', "phrases"),
    "phrases empty": ('[[rules]]\nid = "a"\naction = "drop"\nphrases = []', "phrases"),
    "phrases not strings": ('[[rules]]\nid = "a"\naction = "drop"\nphrases = [1]', "phrases"),
    "a blank phrase": ('[[rules]]\nid = "a"\naction = "drop"\nphrases = ["Sign up", "  "]', "phrase is empty"),
    "empty pattern": ('[[rules]]\nid = "a"\naction = "drop"\npattern = ""', "pattern"),
    "strip with phrases": ('[[rules]]\nid = "a"\naction = "strip"\nphrases = ["a"]', "pattern"),
    "extract with phrases": ('[[rules]]\nid = "a"\naction = "extract"\nphrases = ["a"]', "pattern"),
    "extract without groups": ('[[rules]]\nid = "a"\naction = "extract"\npattern = "[A-Z]\\\\w+ \\\\d+h"', "group"),
    "extract with unnamed group": ('[[rules]]\nid = "a"\naction = "extract"\npattern = "(\\\\d+h) ago"', "group"),
    "extract with other names": ('[[rules]]\nid = "a"\naction = "extract"\npattern = "(?P<headline>.+)"', "group"),
    "extract with one other name": (
        '[[rules]]\nid = "a"\naction = "extract"\npattern = "(?P<source>\\\\w+) (?P<when>\\\\d+h)"',
        "group",
    ),
    "bad regex": ('[[rules]]\nid = "a"\naction = "drop"\npattern = "(unclosed"', "pattern"),
    "max_words zero": ('[[rules]]\nid = "a"\naction = "drop"\nmax_words = 0\nphrases = ["a"]', "max_words"),
    "max_words text": ('[[rules]]\nid = "a"\naction = "drop"\nmax_words = "5"\nphrases = ["a"]', "max_words"),
    "related on drop": ('[[rules]]\nid = "a"\naction = "drop"\nrelated = false\nphrases = ["a"]', "related"),
    "related not a bool": ('[[rules]]\nid = "a"\naction = "truncate"\nrelated = "no"\nphrases = ["a"]', "related"),
}


@pytest.mark.parametrize("case", BAD_PACKS)
def test_validation_errors_name_the_file_and_the_problem(case: str) -> None:
    text, problem = BAD_PACKS[case]
    with pytest.raises(RulePackError) as raised:
        parse_pack(text, ORIGIN)
    message = str(raised.value)
    assert ORIGIN in message
    assert problem.lower() in message.lower()


def test_errors_name_the_offending_rule() -> None:
    text = '[[rules]]\nid = "fine"\naction = "drop"\nphrases = ["a"]\n[[rules]]\nid = "broken-one"\naction = "nuke"\n'
    with pytest.raises(RulePackError, match="broken-one"):
        parse_pack(text, ORIGIN)


def test_rule_pack_error_is_a_value_error() -> None:
    assert issubclass(RulePackError, ValueError)


def test_extract_with_all_metadata_groups_is_valid() -> None:
    pack = parse_pack(
        '[[rules]]\nid = "a"\naction = "extract"\n'
        "pattern = '(?P<author>[A-Z]\\w+) for (?P<source>[A-Z]\\w+), (?P<date>\\d{4}-\\d\\d-\\d\\d)'\n",
        ORIGIN,
    )
    assert pack.rules[0].action == "extract"


def test_file_errors_name_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken_pack.toml"
    path.write_text('[[rules]]\nid = "a"\naction = "drop"\nwhere = "sideways"\nphrases = ["a"]\n', encoding="utf-8")
    with pytest.raises(RulePackError, match=re.escape("broken_pack.toml")):
        file_pack(path)
    with pytest.raises(RulePackError, match=re.escape("broken_pack.toml")):
        cleaner.clean(PROSE_1, rule_files=[path])


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match=re.escape("absent.toml")):
        file_pack(tmp_path / "absent.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[[rules]]\nid = "caf\xe9"\naction = "drop"\nphrases = ["x"]\n'.encode("latin-1"))
    with pytest.raises(RulePackError, match=re.escape("latin1.toml")):
        file_pack(latin1)


def test_unknown_shipped_pack_is_an_error() -> None:
    with pytest.raises(RulePackError, match="no-such-pack"):
        shipped_pack("no-such-pack")


def test_shipped_packs_are_listed_and_load() -> None:
    names = shipped_pack_names()
    assert {"generic", "daily8"} <= set(names)
    assert names == sorted(names)
    for name in names:
        pack = shipped_pack(name)
        assert pack.name == name
        assert pack.rules
        assert len({rule.id for rule in pack.rules}) == len(pack.rules)


# ── fold ────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("line", "folded"),
    [
        ("Share this", "share this"),
        ("  » SHARE   this!  ", "share this"),
        ("→ Read more …", "read more"),
        ("__Subscribe__", "subscribe"),
        ("Terms & Conditions", "terms & conditions"),
        ("Straße", "strasse"),
        ("ПОДЕЛИТЬСЯ:", "поделиться"),
        ("【関連記事】", "関連記事"),
        ("“Quoted”", "quoted"),
        ("...", ""),
        ("", ""),
    ],
)
def test_fold(line: str, folded: str) -> None:
    assert fold(line) == folded


def regex_fold(line: str) -> str:
    """The definition `fold` implements with two edge scans: strip `[\\W_]+` at both ends, fold `\\s+`."""
    return re.sub(r"\s+", " ", re.sub(r"^[\W_]+|[\W_]+$", "", line.casefold()))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_fold_agrees_with_its_regular_expression_definition(line: str) -> None:
    assert fold(line) == regex_fold(line)


def test_fold_is_idempotent() -> None:
    for line in ["  »  Share   THIS! ", "【関連記事】", "Terms & Conditions", "¿Qué?"]:
        assert fold(fold(line)) == fold(line)


# ── drop ────────────────────────────────────────────────────────────────────────────────────────────────────

DROP_GULL = '[[rules]]\nid = "gull"\naction = "drop"\nphrases = ["Follow the Gull"]\n'


def test_drop_removes_a_whole_matching_line_with_the_pack_reason() -> None:
    page = applied(DROP_GULL, "FOLLOW THE GULL!", PROSE_1, "» follow the gull", PROSE_2)
    assert verdicts(page) == {"FOLLOW THE GULL!": "mine/gull", PROSE_1: None, "» follow the gull": "mine/gull",
                              PROSE_2: None}  # fmt: skip


def test_drop_phrases_match_whole_lines_only() -> None:
    line = "Readers who follow the gull on its long flight south will be rewarded with a view of the bay."
    page = applied(DROP_GULL, line, "Follow the Gull now")
    assert all(block.verdict is None for block in page.blocks)


def test_a_phrase_of_symbols_matches_that_line_as_written_and_no_other() -> None:
    # Folded, "#" would be the empty string, as "***", "*" and "|" are: the hashtag box's "#" phrase of the
    # daily8 pack took every bullet and scene break of every page, under the reason "daily8/hashtags".
    rules = '[[rules]]\nid = "hash"\naction = "drop"\nphrases = ["#", "* * *"]\n'
    page = applied(rules, PROSE_1, "#", "***", "*  *  *", "*", "|", "# #", PROSE_2)
    assert verdicts(page) == {PROSE_1: None, "#": "mine/hash", "***": None, "*  *  *": "mine/hash", "*": None,
                              "|": None, "# #": None, PROSE_2: None}  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
)
def test_phrase_keys_of_symbol_lines_and_of_words_never_meet(one: str, other: str) -> None:
    # Either both lines have words and compare folded, or both are symbols and compare as written.
    if phrase_key(one) == phrase_key(other):
        assert (fold(one) == "") == (fold(other) == "")
        if not fold(one):
            assert one.split() == other.split()


def test_drop_by_pattern_is_a_full_match() -> None:
    rules = '[[rules]]\nid = "photo"\naction = "drop"\npattern = \'Photo: [A-Z][\\w ]{1,40}\'\n'
    page = applied(rules, "Photo: Ingrid Holm", "A Photo: Ingrid Holm", PROSE_1)
    assert verdicts(page) == {"Photo: Ingrid Holm": "mine/photo", "A Photo: Ingrid Holm": None, PROSE_1: None}


def test_max_words_limits_a_rule_to_short_lines() -> None:
    rules = '[[rules]]\nid = "wx"\naction = "drop"\nmax_words = 3\npattern = \'weather[\\w ]*\'\n'
    page = applied(rules, "Weather", "Weather today and", "Weather today and tomorrow")
    assert verdicts(page) == {"Weather": "mine/wx", "Weather today and": "mine/wx", "Weather today and tomorrow": None}


def test_default_max_words_keeps_long_lines_out_of_reach() -> None:
    rules = '[[rules]]\nid = "any"\naction = "drop"\npattern = \'[\\w ]+\'\n'
    long_line = " ".join(["word"] * 40)
    page = applied(rules, "a few words here", long_line)
    assert verdicts(page) == {"a few words here": "mine/any", long_line: None}


# ── where: head and tail, and falling through to a later rule ───────────────────────────────────────────────


def test_where_head_applies_only_above_the_first_prose_line() -> None:
    rules = '[[rules]]\nid = "top"\naction = "drop"\nwhere = "head"\nphrases = ["Harbour Chronicle"]\n'
    page = applied(rules, "Harbour Chronicle", PROSE_1, "Harbour Chronicle", PROSE_2, "Harbour Chronicle")
    assert [b.verdict for b in page.blocks] == ["mine/top", None, None, None, None]


def test_where_tail_applies_only_below_the_last_prose_line() -> None:
    rules = '[[rules]]\nid = "end"\naction = "drop"\nwhere = "tail"\nphrases = ["Harbour Chronicle"]\n'
    page = applied(rules, "Harbour Chronicle", PROSE_1, "Harbour Chronicle", PROSE_2, "Harbour Chronicle")
    assert [b.verdict for b in page.blocks] == [None, None, None, None, "mine/end"]


def test_a_sentence_a_rule_drops_anywhere_is_not_the_last_prose_line() -> None:
    """A house-rules sentence under the tags ("Comments are moderated before they appear.") reads as prose; the
    rule that drops it wherever it stands says it is chrome, so the tail starts above it."""
    notice = "Comments on this page are moderated by our staff before they appear under the article."
    rules = (
        '[[rules]]\nid = "end"\naction = "drop"\nwhere = "tail"\nphrases = ["Tags"]\n'
        '[[rules]]\nid = "policy"\naction = "drop"\nmax_words = 30\n'
        "pattern = 'comments on this page are moderated.*'\n"
    )
    page = applied(rules, PROSE_1, "Tags", notice)
    assert [b.verdict for b in page.blocks] == [None, "mine/end", "mine/policy"]


def test_a_page_without_prose_is_both_head_and_tail() -> None:
    head = '[[rules]]\nid = "top"\naction = "drop"\nwhere = "head"\nphrases = ["Menu"]\n'
    tail = '[[rules]]\nid = "end"\naction = "drop"\nwhere = "tail"\nphrases = ["Menu"]\n'
    assert [b.verdict for b in applied(head, "Menu", "Sport", "Menu").blocks] == ["mine/top", None, "mine/top"]
    assert [b.verdict for b in applied(tail, "Menu", "Sport", "Menu").blocks] == ["mine/end", None, "mine/end"]


def test_falls_through_to_a_later_rule_when_the_first_rule_does_not_fit_the_place() -> None:
    rules = (
        '[[rules]]\nid = "logo"\naction = "drop"\nwhere = "head"\nphrases = ["Gull"]\n'
        '[[rules]]\nid = "signoff"\naction = "drop"\nwhere = "tail"\nphrases = ["Gull"]\n'
    )
    page = applied(rules, "Gull", PROSE_1, "Gull", PROSE_2, "Gull")
    assert [b.verdict for b in page.blocks] == ["mine/logo", None, None, None, "mine/signoff"]


def test_falls_through_from_a_phrase_rule_to_a_pattern_rule() -> None:
    rules = (
        '[[rules]]\nid = "logo"\naction = "drop"\nwhere = "head"\nphrases = ["Gull Radio"]\n'
        '[[rules]]\nid = "station"\naction = "drop"\npattern = \'gull \\w+\'\n'
    )
    page = applied(rules, "Gull Radio", PROSE_1, "Gull Radio", PROSE_2)
    assert [b.verdict for b in page.blocks] == ["mine/logo", None, "mine/station", None]


def test_phrases_are_tried_before_patterns_and_in_pack_order() -> None:
    rules = (
        '[[rules]]\nid = "by-pattern"\naction = "drop"\npattern = \'newsletter\'\n'
        '[[rules]]\nid = "first-phrase"\naction = "drop"\nphrases = ["Newsletter"]\n'
        '[[rules]]\nid = "second-phrase"\naction = "drop"\nphrases = ["newsletter"]\n'
    )
    assert applied(rules, "Newsletter", PROSE_1).blocks[0].verdict == "mine/first-phrase"


# ── truncate ────────────────────────────────────────────────────────────────────────────────────────────────

TRUNCATE = '[[rules]]\nid = "end"\naction = "truncate"\nphrases = ["More from the Chronicle"]\n'


def test_truncate_below_prose_marks_where_the_article_ends() -> None:
    page = applied(TRUNCATE, PROSE_1, PROSE_2, "More from the Chronicle", "Gull Count Falls Again", "Island Wire · 3h")
    assert page.tail_start == 2
    assert page.blocks[2].verdict == "mine/end"
    assert page.blocks[0].verdict is None and page.blocks[1].verdict is None


def test_truncate_marker_above_the_article_only_drops_itself() -> None:
    page = applied(TRUNCATE, "More from the Chronicle", PROSE_1, PROSE_2, PROSE_3)
    assert page.tail_start is None
    assert [b.verdict for b in page.blocks] == ["mine/end", None, None, None]


def test_only_the_first_truncate_marker_counts() -> None:
    page = applied(TRUNCATE, PROSE_1, "More from the Chronicle", PROSE_2, "More from the Chronicle")
    assert page.tail_start == 1


def test_truncate_cuts_everything_after_it_through_clean(tmp_path: Path) -> None:
    path = tmp_path / "chronicle.toml"
    path.write_text(TRUNCATE, encoding="utf-8")
    doc = cleaner.clean(
        "\n\n".join([PROSE_1, PROSE_2, PROSE_3, "More from the Chronicle", "Tide tables for the week ahead",
                     "The gull census will be repeated next spring, the society said in its newsletter."]),
        rule_files=[path],
    )  # fmt: skip
    assert PROSE_3 in doc.text
    assert "More from the Chronicle" not in doc.text
    assert "Tide tables" not in doc.text
    assert "gull census" not in doc.text
    assert ("More from the Chronicle", "chronicle/end") in [(r.text, r.reason) for r in doc.removed]


def test_truncate_without_related_removes_the_rest_under_its_own_reason(tmp_path: Path) -> None:
    path = tmp_path / "thread.toml"
    path.write_text(
        '[[rules]]\nid = "comments"\naction = "truncate"\nrelated = false\nphrases = ["Readers write"]\n',
        encoding="utf-8",
    )
    after = [
        "Gull Count Falls Again",
        "Island Wire · 3h",
        "Ferry Fares Rise in April",
        "Valley Courier · 5h",
        "I have lived on this quay for forty years and never seen the pier in such a state, it is a disgrace.",
    ]
    doc = cleaner.clean("\n\n".join([PROSE_1, PROSE_2, PROSE_3, "Readers write", *after]), rule_files=[path])
    assert doc.related == []
    assert doc.text == "\n\n".join([PROSE_1, PROSE_2, PROSE_3])
    removed = [(r.text, r.reason) for r in doc.removed]
    assert removed[-len(after) - 1 :] == [(line, "thread/comments") for line in ["Readers write", *after]]


# ── rail ────────────────────────────────────────────────────────────────────────────────────────────────────


def test_rail_header_is_recorded_and_dropped_wherever_it_stands() -> None:
    rules = '[[rules]]\nid = "also"\naction = "rail"\nphrases = ["Also on the Chronicle"]\n'
    page = applied(rules, PROSE_1, "Also on the Chronicle", PROSE_2)
    assert page.rail_starts == [1]
    assert page.tail_start is None
    assert page.blocks[1].verdict == "mine/also"


# ── strip ───────────────────────────────────────────────────────────────────────────────────────────────────

STRIP = '[[rules]]\nid = "kicker"\naction = "strip"\nmax_words = 100\npattern = \'^EXCLUSIVE:\\s*\'\n'


def test_strip_removes_the_fragment_and_keeps_the_rest() -> None:
    page = applied(STRIP, "EXCLUSIVE: " + PROSE_1, PROSE_2)
    assert page.blocks[0].text == PROSE_1
    assert page.blocks[0].verdict is None
    assert [(r.text, r.reason) for r in page.stripped] == [("EXCLUSIVE: ", "mine/kicker")]
    assert page.blocks[1].text == PROSE_2


def test_strip_never_empties_a_line() -> None:
    page = applied(STRIP, "EXCLUSIVE:", PROSE_1)
    assert page.blocks[0].text == "EXCLUSIVE:"
    assert page.stripped == []


def test_strip_of_a_glued_suffix() -> None:
    rules = '[[rules]]\nid = "glued"\naction = "strip"\nmax_words = 100\npattern = \'(?<=\\.)Read more$\'\n'
    page = applied(rules, PROSE_1 + "Read more", PROSE_2)
    assert page.blocks[0].text == PROSE_1
    assert [r.text for r in page.stripped] == ["Read more"]


def test_stripped_line_is_then_judged_by_whole_line_rules() -> None:
    rules = STRIP + '[[rules]]\nid = "promo"\naction = "drop"\nphrases = ["Gull Radio live"]\n'
    page = applied(rules, "EXCLUSIVE: Gull Radio live", PROSE_1)
    assert page.blocks[0].text == "Gull Radio live"
    assert page.blocks[0].verdict == "mine/promo"


def test_strip_through_clean_records_the_fragment_in_removed(tmp_path: Path) -> None:
    path = tmp_path / "kickers.toml"
    path.write_text(STRIP, encoding="utf-8")
    doc = cleaner.clean("\n\n".join(["EXCLUSIVE: " + PROSE_1, PROSE_2, PROSE_3]), rule_files=[path])
    assert doc.text.startswith(PROSE_1) or PROSE_1 in doc.text
    assert "EXCLUSIVE" not in doc.text
    assert ("EXCLUSIVE: ", "kickers/kicker") in [(r.text, r.reason) for r in doc.removed]


# ── extract ─────────────────────────────────────────────────────────────────────────────────────────────────

EXTRACT = (
    '[[rules]]\nid = "origin"\naction = "extract"\n'
    "pattern = '(?P<source>[A-Z][a-z]+ [A-Z][a-z]+) · (?P<date>\\d{1,2}h)'\n"
)


def test_extract_notes_metadata_and_removes_the_line() -> None:
    page = applied(EXTRACT, "Harbour Chronicle · 5h", PROSE_1, PROSE_2)
    assert page.metadata == {"source": "Harbour Chronicle", "date": "5h"}
    assert page.blocks[0].verdict == "mine/origin"


def test_extract_first_one_wins() -> None:
    page = applied(EXTRACT, "Harbour Chronicle · 5h", "Valley Courier · 9h", PROSE_1)
    assert page.metadata == {"source": "Harbour Chronicle", "date": "5h"}
    assert page.blocks[1].verdict == "mine/origin"


def test_extract_author() -> None:
    rules = '[[rules]]\nid = "by"\naction = "extract"\npattern = \'Words: (?P<author>[A-Z]\\w+ [A-Z]\\w+)\'\n'
    page = applied(rules, "Words: Ingrid Holm", PROSE_1)
    assert page.metadata == {"author": "Ingrid Holm"}


def test_extract_is_not_applied_inside_the_rail_tail() -> None:
    page = applied(
        TRUNCATE + EXTRACT, PROSE_1, PROSE_2, "More from the Chronicle", "Gull Count Falls", "Valley Courier · 9h"
    )
    assert page.tail_start == 2
    assert page.metadata == {}
    assert page.blocks[4].verdict is None  # left for the card parser


def test_extract_above_the_tail_still_counts() -> None:
    page = applied(
        TRUNCATE + EXTRACT, "Harbour Chronicle · 5h", PROSE_1, "More from the Chronicle", "Valley Courier · 9h"
    )
    assert page.metadata == {"source": "Harbour Chronicle", "date": "5h"}


def test_extracted_metadata_reaches_the_document(tmp_path: Path) -> None:
    path = tmp_path / "chronicle.toml"
    path.write_text(EXTRACT, encoding="utf-8")
    doc = cleaner.clean("\n\n".join(["Quay Trader · 5h", PROSE_1, PROSE_2, PROSE_3]), rule_files=[path])
    assert doc.source == "Quay Trader"
    assert doc.date == "5h"
    assert ("Quay Trader · 5h", "chronicle/origin") in [(r.text, r.reason) for r in doc.removed]


# ── user packs through the API, and reloading ───────────────────────────────────────────────────────────────


def test_user_pack_through_clean_labels_removals_pack_slash_id(tmp_path: Path) -> None:
    path = tmp_path / "bakery.toml"
    path.write_text(
        '[pack]\nname = "gullbakery"\n[[rules]]\nid = "sponsor"\naction = "drop"\nmax_words = 20\n'
        'phrases = ["This page is kindly supported by the Gull Bakery on Quay Street"]\n',
        encoding="utf-8",
    )
    page = "\n\n".join([PROSE_1, "This page is kindly supported by the Gull Bakery on Quay Street", PROSE_2, PROSE_3])
    doc = cleaner.clean(page, rule_files=[path])
    assert "Gull Bakery" not in doc.text
    assert ("This page is kindly supported by the Gull Bakery on Quay Street", "gullbakery/sponsor") in [
        (r.text, r.reason) for r in doc.removed
    ]
    assert PROSE_1 in doc.text and PROSE_2 in doc.text and PROSE_3 in doc.text


def test_user_pack_with_no_shipped_packs(tmp_path: Path) -> None:
    path = tmp_path / "only.toml"
    path.write_text('[[rules]]\nid = "x"\naction = "drop"\nphrases = ["Tide tables"]\n', encoding="utf-8")
    doc = cleaner.clean("Tide tables\n\n" + PROSE_1, packs=[], rule_files=[path], density=False)
    assert [(r.text, r.reason) for r in doc.removed] == [("Tide tables", "only/x")]
    assert doc.text == PROSE_1


def _write_bumped(path: Path, text: str) -> None:
    """Write `text` and move the file's mtime on, so a change is seen even on coarse-grained file systems."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    after = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(after, after))


def test_load_rules_rereads_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "changing.toml"

    def reasons() -> list[str | None]:
        page = page_of("Tide tables", "Gull census", PROSE_1)
        apply_rules(page, load_rules((), (str(path),)))
        return [block.verdict for block in page.blocks]

    _write_bumped(path, '[[rules]]\nid = "a"\naction = "drop"\nphrases = ["Tide tables"]\n')
    assert reasons() == ["changing/a", None, None]
    _write_bumped(path, '[[rules]]\nid = "b"\naction = "drop"\nphrases = ["Gull census"]\n')
    assert reasons() == [None, "changing/b", None]
    assert file_pack(path).rules[0].id == "b"

    doc = cleaner.clean("\n\n".join(["Gull census", PROSE_1]), packs=[], rule_files=[path], density=False)
    assert ("Gull census", "changing/b") in [(r.text, r.reason) for r in doc.removed]


def test_load_rules_orders_shipped_packs_before_user_files(tmp_path: Path) -> None:
    path = tmp_path / "late.toml"
    path.write_text('[[rules]]\nid = "a"\naction = "drop"\nphrases = ["Tide tables"]\n', encoding="utf-8")
    rules = load_rules(("generic", "daily8"), (str(path),))
    assert [pack.name for pack in rules.packs] == ["generic", "daily8", "late"]


# ── screening ───────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("words", [1, 5, 6, 11, 12, 13, 29, 30, 31, 59, 60, 61, 80])
def test_every_pattern_rule_is_tried_on_every_line_it_may_read(words: int) -> None:
    """Lines are screened by word count against a few combined expressions; each rule must still see exactly
    the lines within its max_words."""
    limits = (5, 12, 13, 30, 60)
    toml = "".join(
        f'[[rules]]\nid = "r{limit}"\naction = "drop"\nmax_words = {limit}\npattern = \'(?:w )*w{limit}(?: w)*\'\n'
        for limit in limits
    )
    rules = ruleset(toml)
    for limit in limits:
        line = " ".join(["w"] * (words - 1) + [f"w{limit}"])
        found = [rule.id for rule, _ in rules.matches(line)]
        assert found == ([f"r{limit}"] if words <= limit else [])


def _no_toml_parsing(text: str) -> dict[str, object]:
    raise AssertionError("parsed again")


def test_shipped_packs_from_the_parsed_cache_are_the_packs_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import resources

    from cleaner import rules as rules_module

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    for name in rules_module.shipped_pack_names():
        resource = resources.files("cleaner") / "packs" / f"{name}.toml"
        expected = rules_module.parse_pack(resource.read_text(encoding="utf-8"), f"{name} (shipped)")
        rules_module.shipped_pack.cache_clear()
        assert rules_module.shipped_pack(name) == expected  # parsed, and kept
        (kept,) = tmp_path.glob(f"rule-pack-{name}-*.json")
        rules_module.shipped_pack.cache_clear()
        with monkeypatch.context() as patched:
            patched.setattr(rules_module.tomllib, "loads", _no_toml_parsing)
            assert rules_module.shipped_pack(name) == expected  # from what was kept
        kept.write_text('{"pack": {"name": "cut sh')  # broken: parsed from the file again
        rules_module.shipped_pack.cache_clear()
        assert rules_module.shipped_pack(name) == expected
    rules_module.shipped_pack.cache_clear()
