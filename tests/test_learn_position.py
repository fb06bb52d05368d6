"""Where a repeated line stands (`cleaner.learn.position`): head, body, tail as the pattern filter judges a
rule's `where`, and whether teaser cards start under it."""

from __future__ import annotations

from cleaner.blocks import split_blocks
from cleaner.features import is_prose
from cleaner.filters.patterns import _prose_bounds
from cleaner.learn.position import (
    BODY,
    HEAD,
    LISTING,
    TAIL,
    PageShape,
    PositionCounts,
    may_open_rail,
    position_bit,
    prose_bounds,
    prose_flags,
    rail_after,
)
from cleaner.page import Page

P1 = "The ferry from Oskarsholm was cancelled again on Monday because the crew had not been paid."
P2 = "Passengers waited on the quay for three hours before the operator sent a bus to the next harbour."
P3 = "The union said its members would not sail until the wages owed since March were paid in full."
SNIPPET_1 = "The island's only bakery will close in May after the owners failed to find anyone to take it…"
SNIPPET_2 = "Volunteers have counted more puffins on the western cliffs this spring than in any year since…"

ARTICLE = ["Menu", "Ferry cancelled again", P1, "Advertisement", P2, P3]
RAIL = ["Read on", "Bakery to close", "Island Times · 3h", SNIPPET_1, "Puffins return", "Harbour Post · 5h", SNIPPET_2]
FOOTER = ["About us", "Contact"]


def blocks_of(lines: list[str]) -> list:
    return split_blocks("\n".join(lines))


def flags(lines: list[str], chrome: set[str]) -> tuple[list, list[bool], list[bool]]:
    blocks = blocks_of(lines)
    return blocks, prose_flags(blocks), [block.text in chrome for block in blocks]


def test_bounds_are_the_pattern_filters() -> None:
    for lines in (ARTICLE, ARTICLE + RAIL + FOOTER, ["Menu", "Contact"], []):
        blocks = blocks_of(lines)
        # (with no rule matching; a sentence a rule drops anywhere only widens the filter's head and tail)
        assert prose_bounds(prose_flags(blocks)) == _prose_bounds(Page(blocks=blocks), [()] * len(blocks))


def test_position_bits() -> None:
    bounds = prose_bounds([is_prose(line) for line in ARTICLE + FOOTER])
    assert position_bit(0, bounds) == HEAD
    assert position_bit(3, bounds) == BODY
    assert position_bit(7, bounds) == TAIL
    assert position_bit(0, prose_bounds([False, False])) == LISTING


def test_where_is_narrowed_only_when_the_line_stands_there_on_nearly_every_page() -> None:
    counts = PositionCounts()
    for bits in [HEAD] * 19 + [BODY]:
        counts.add(bits)
    assert counts.where(20) == "head" and counts.usual() == "head"
    counts.add(BODY)
    counts.add(BODY)
    assert counts.where(22) == "any"
    tail = PositionCounts()
    for bits in [TAIL] * 10 + [LISTING] * 5:
        tail.add(bits)
    assert tail.where(15) == "tail"
    listing = PositionCounts()
    listing.add(LISTING)
    assert listing.usual() == "listing" and listing.where(1) == "any"


def test_the_line_under_the_article_above_the_cards_ends_it() -> None:
    lines = ARTICLE + RAIL + FOOTER
    blocks, prose, chrome = flags(lines, {"Menu", "Advertisement", "Read on", *FOOTER})
    shape = PageShape.of(blocks, prose, chrome)
    assert shape.ends_article(lines.index("Read on"))
    # An inline ad has the article going on below it; the menu stands above the article.
    assert not shape.ends_article(lines.index("Advertisement"))
    assert not shape.ends_article(lines.index("Menu"))
    # The second card's headline stands among the cards.
    assert shape.in_rail[lines.index("Puffins return")]
    assert not shape.in_rail[lines.index("Read on")]


def test_an_ad_before_the_last_paragraph_does_not_end_the_article() -> None:
    lines = ["Menu", P1, P2, "Advertisement", P3, *RAIL]
    blocks, prose, chrome = flags(lines, {"Menu", "Advertisement", "Read on"})
    shape = PageShape.of(blocks, prose, chrome)
    assert not shape.ends_article(lines.index("Advertisement"))  # a sentence that is no card's follows it


def test_cards_under_a_header_mid_article_make_a_rail() -> None:
    lines = [P1, P2, "Most read", *RAIL[1:], P3, P2]
    blocks, prose, chrome = flags(lines, {"Most read"})
    index = lines.index("Most read")
    assert may_open_rail(blocks, index, prose, chrome)
    evidence = rail_after(blocks, index, prose, chrome)
    assert evidence.teasers and evidence.opens_rail and evidence.loose_prose
    assert {lines.index("Bakery to close"), lines.index(SNIPPET_2)} <= set(evidence.carded)
    assert lines.index(P3) not in evidence.carded


def test_an_article_opening_like_a_card_is_not_a_rail() -> None:
    # A logo above a headline, a dateline and the article: the card parser would take the head for a card.
    lines = ["LOGO", "Ferry cancelled again", "Island Times · 3h", P1, P2, P3]
    blocks, prose, chrome = flags(lines, {"LOGO"})
    evidence = rail_after(blocks, 0, prose, chrome)
    assert not evidence.opens_rail and not evidence.teasers and evidence.carded == ()


def test_a_rail_that_would_swallow_the_article_resuming_is_not_a_rail() -> None:
    # Cards without snippets, then the article resumes: the parser takes the first paragraph for a snippet.
    lines = [P1, "Most read", "Bakery to close", "2h ago", "Puffins return", "5h ago", P2, P3]
    blocks, prose, chrome = flags(lines, {"Most read"})
    evidence = rail_after(blocks, 1, prose, chrome)
    assert evidence.teasers and not evidence.opens_rail
