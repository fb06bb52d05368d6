"""Where a repeated line stands on its pages, and whether teaser cards follow it.

Positions are judged exactly as the pattern filter judges a rule's `where` (`cleaner/filters/patterns.py`): a
line is in the head above the page's first prose block, in the tail below its last, in the body between them;
on a page without prose (a listing) it is both head and tail. So a rule learnt with `where = "head"` applies on
new pages of the site where the line was seen. (The filter leaves out of its bounds a sentence that a rule drops
wherever it stands, such as a comment box's house rules: its head and tail can only be wider than these, so a
learnt rule still reaches every line it was learnt on.)

A line is a marker of trailing teasers when, on its pages, the teaser cards start right under it: the card
parser (`cleaner.filters.teasers`), run as if the line were an end marker, finds cards below it, and the first
article-like prose below it is inside one of them. A marker below which prose that is not a card's sometimes
follows is a `rail` (the cards are taken until prose resumes); one below which there never is, a `truncate`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..document import Block
from ..features import count_words, is_prose
from ..filters.teasers import find_teasers
from ..meta import parse_meta
from ..page import Page
from ..rules import Where

Position = Literal["head", "body", "tail", "listing"]

# Bits of a line's positions on one page (a line may stand more than once on a page).
HEAD, BODY, TAIL, LISTING = 1, 2, 4, 8
BITS: dict[Position, int] = {"head": HEAD, "body": BODY, "tail": TAIL, "listing": LISTING}

# A rule is narrowed to the head (or the tail) when at most this share of its pages have it elsewhere.
ELSEWHERE_SHARE = 0.1
# A marker line is short and not a sentence; the card parser is run under it only when a metadata line (an
# age, a date) stands within this many lines below it.
MARKER_MAX_WORDS = 10
ANCHOR_WINDOW = 8
CARD_VERDICT = "related:card"
# A snippet's metadata line stands within this many lines of it.
CARD_REACH = 2
# Cards followed by more prose count as a rail only when there are this many of them in a row.
MIN_CARDS = 2


def prose_bounds(prose: Sequence[bool]) -> tuple[int, int]:
    """Index of the first and last prose block; (len, -1) when there is none (the pattern filter's bounds)."""
    indices = [i for i, flag in enumerate(prose) if flag]
    if not indices:
        return len(prose), -1
    return indices[0], indices[-1]


def position_bit(index: int, bounds: tuple[int, int]) -> int:
    first, last = bounds
    if last < 0:
        return LISTING
    if index < first:
        return HEAD
    if index > last:
        return TAIL
    return BODY


@dataclass
class PositionCounts:
    """On how many pages a line stood in each position (a page may count in several)."""

    head: int = 0
    body: int = 0
    tail: int = 0
    listing: int = 0

    def add(self, bits: int) -> None:
        self.head += bool(bits & HEAD)
        self.body += bool(bits & BODY)
        self.tail += bool(bits & TAIL)
        self.listing += bool(bits & LISTING)

    def usual(self) -> Position:
        """Where the line stands most often (a listing only when it stood on nothing else)."""
        ranked: list[tuple[int, Position]] = [(self.head, "head"), (self.body, "body"), (self.tail, "tail")]
        count, position = max(ranked, key=lambda item: item[0])
        return position if count else "listing"

    def where(self, pages: int) -> Where:
        """The narrowest `where` that covers the line on nearly all its pages."""
        allowed = ELSEWHERE_SHARE * pages
        if self.head and self.body + self.tail <= allowed:
            return "head"
        if self.tail and self.head + self.body <= allowed:
            return "tail"
        return "any"


@dataclass(frozen=True)
class PageShape:
    """Per block, what stands around it among the page's content: the blocks that neither the shipped packs nor
    the card parser removed and that are not repeated chrome (chrome is not the article, wherever it stands)."""

    prose_above: list[bool]  # a content sentence stands above
    run_below: list[bool]  # two content sentences in a row stand below (an article goes on there)
    anchor_below: list[bool]  # a metadata line (a card's age or date) stands below
    prose_below: list[int | None]  # the first content sentence below
    meta: list[bool]  # the line is a metadata line
    in_rail: list[bool]  # a metadata line stands between the last sentence that is not a card's and the line

    @classmethod
    def of(cls, blocks: Sequence[Block], prose: Sequence[bool], chrome: Sequence[bool]) -> PageShape:
        n = len(blocks)
        content = [block.verdict is None and not chrome[i] for i, block in enumerate(blocks)]
        meta = [parse_meta(block.text) is not None for block in blocks]
        prose_above = [False] * n
        seen = False
        for i in range(n):
            prose_above[i] = seen
            seen = seen or (content[i] and prose[i])
        run_below, anchor_below = [False] * n, [False] * n
        prose_below: list[int | None] = [None] * n
        below_is_prose = run = anchor = False
        first: int | None = None
        for i in range(n - 1, -1, -1):
            run_below[i], anchor_below[i], prose_below[i] = run, anchor, first
            anchor = anchor or meta[i]  # cards the card parser took already are teasers below too
            if content[i]:
                run = run or (prose[i] and below_is_prose)
                below_is_prose = prose[i]
                if prose[i]:
                    first = i
        shape = cls(prose_above, run_below, anchor_below, prose_below, meta, [False] * n)
        inside = False
        for i in range(n):
            shape.in_rail[i] = inside
            if meta[i]:
                inside = True
            elif content[i] and prose[i] and not shape.card_like(i):
                inside = False
        return shape

    def card_like(self, index: int) -> bool:
        """A sentence with a metadata line right beside it (two lines either side): a card's snippet."""
        return any(self.meta[j] for j in range(max(0, index - CARD_REACH), min(len(self.meta), index + CARD_REACH + 1)))

    def ends_article(self, index: int) -> bool:
        """The line stands under the article's prose, teaser cards (metadata lines) stand below it, and what
        follows it is not the article going on: no two sentences in a row below it, and the first sentence
        below it is a card's."""
        if not (self.prose_above[index] and self.anchor_below[index]) or self.run_below[index]:
            return False
        below = self.prose_below[index]
        return below is None or self.card_like(below)


@dataclass(frozen=True)
class RailEvidence:
    """What the card parser finds under a line: whether teaser cards stand right under it (not the article's
    own head taken for a card), whether the line can head them as a rail (`opens_rail`: a `rail` rule would
    take the cards and nothing of the article), whether prose that is not a card's follows, and which blocks
    (by index in the page) are parts of the cards."""

    teasers: bool
    opens_rail: bool
    loose_prose: bool
    carded: tuple[int, ...]


def may_open_rail(blocks: Sequence[Block], index: int, prose: Sequence[bool], chrome: Sequence[bool]) -> bool:
    """Cheap test before running the card parser: a short non-sentence line with a metadata line (that is not
    itself repeated chrome) a few lines below it."""
    if not marker_shaped(blocks[index].text, prose[index]):
        return False
    below = [j for j in range(index + 1, len(blocks)) if blocks[j].verdict is None][:ANCHOR_WINDOW]
    return any(not chrome[j] and parse_meta(blocks[j].text) is not None for j in below)


def marker_shaped(text: str, prose: bool) -> bool:
    """A rail's header is short and not a sentence."""
    return not prose and count_words(text) <= MARKER_MAX_WORDS


def rail_after(blocks: Sequence[Block], index: int, prose: Sequence[bool], chrome: Sequence[bool]) -> RailEvidence:
    """Run the card parser on what is left of the page below `blocks[index]`, as if that line ended the article.

    `blocks` are the page's blocks after the shipped packs and the card parser had their say (a block with a
    verdict is gone already); `prose` and `chrome` flag, per block, a prose sentence and a line repeated enough
    to be learnt. Chrome is left out of the prose tests: a repeated sentence below the line is not the article.
    """
    kept = [j for j in range(index + 1, len(blocks)) if blocks[j].verdict is None]
    marker = blocks[index]
    copies = [Block(index=0, line=marker.line, text=marker.text, blank_before=marker.blank_before)]
    copies += [
        Block(index=n, line=blocks[j].line, text=blocks[j].text, blank_before=blocks[j].blank_before)
        for n, j in enumerate(kept, start=1)
    ]
    page = Page(blocks=copies, tail_start=0)
    find_teasers(page)
    carded = tuple(j for n, j in enumerate(kept, start=1) if copies[n].verdict == CARD_VERDICT)
    in_card = set(carded)
    article_like = [j for j in kept if prose[j] and not chrome[j]]
    loose = any(j not in in_card for j in article_like)
    verdict = "none"
    if page.related and (not article_like or article_like[0] in in_card):
        verdict = _what_cards(blocks, kept, in_card, prose, chrome)
    teasers = verdict in ("rail", "swallows")
    return RailEvidence(teasers, verdict == "rail", loose, carded if teasers else ())


def _what_cards(
    blocks: Sequence[Block], kept: Sequence[int], in_card: set[int], prose: Sequence[bool], chrome: Sequence[bool]
) -> str:
    """What the cards right under the line are. Under an end marker the card parser takes whatever is
    card-shaped, and an article opens like a card (headline, dateline, lede). They are a rail when nothing
    follows them but more cards and chrome, or when there are at least two of them (two metadata lines) before
    prose resumes ("rail"); the article's head when there is one ("article"). And when only the last of them
    ends in a sentence, which the article goes straight on from, that sentence is the article resuming, which a
    rail would take for a snippet ("swallows")."""
    run = list(itertools.takewhile(lambda j: j in in_card, itertools.dropwhile(lambda j: j not in in_card, kept)))
    after = [j for j in (kept[kept.index(run[-1]) + 1 :] if run else []) if not chrome[j]]
    if not any(j not in in_card and prose[j] for j in after):
        return "rail"
    metas = [j for j in run if parse_meta(blocks[j].text) is not None]
    if len(metas) < MIN_CARDS:
        return "article"
    # Cards of one rail share a layout: when only the last of them has a sentence, and the prose goes straight
    # on from it, it is the article resuming, not a snippet.
    snippets = [j for j in run if prose[j]]
    resumes = prose[run[-1]] and bool(after) and prose[after[0]]
    return "swallows" if resumes and all(j > metas[-1] for j in snippets) else "rail"


def prose_flags(blocks: Sequence[Block]) -> list[bool]:
    return [is_prose(block.text) for block in blocks]
