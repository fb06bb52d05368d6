"""Teaser cards: the related-article rail under an article, and listing pages made only of cards.

A card is recognised by its structure, not its wording: a headline, a metadata line (an age or date, perhaps
glued to an outlet's name, a byline) and often a snippet, which may run to a whole article. A short bulleted line
alone is no metadata line: on the web it is far more often a menu entry, a sidebar's commenter ("+ Anna sagt:")
or a line of code than an outlet's name, and no aggregator of the dev pages needs it to be one.
Cards are cut apart after each snippet (or at each metadata line when there are no snippets), parsed into
`RelatedItem`s, and their blocks removed from the article with the reason `related:card`.

- Below an end marker found by a rule pack (`page.tail_start`), every card is taken; below a rail header
  (`page.rail_starts`), cards are taken until article prose resumes.
- Elsewhere, two or more cards in a row make a rail. When no article prose is left outside the rails, the page
  is a listing.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..document import Block, RelatedItem
from ..features import count_words, ends_sentence, is_prose
from ..memo import LINE_CACHE_SIZE
from ..meta import Meta, has_bullet, parse_meta, strip_bullet
from ..page import Page

# A snippet is long, or shorter but ending like a sentence; headlines run up to ~20 words and don't.
SNIPPET_MIN_WORDS = 12
SNIPPET_ALWAYS_WORDS = 21
HEADLINE_MIN_WORDS = 2
HEADLINE_MAX_WORDS = 30
OUTLET_MAX_WORDS = 5
MIN_CARDS_IN_RAIL = 2
# A card is a few short lines (a headline, an outlet, an age, labels); a chunk of more is a menu or a list.
CARD_MAX_SHORT_LINES = 10
# The verdict of a rail's own lines that are no card (its header, its short labels), which the card runs of
# `filters.sections` still read by their shape.
RAIL_LINE = "related:rail"
# A card-shaped opening followed by this much prose is the article's own head, not a teaser.
ARTICLE_GOES_ON_WORDS = 60
# A listing keeps less article-like prose outside its cards than this many words.
LISTING_MAX_PROSE_WORDS = 40
# A listing shows at least this many cards. Fewer, the first carrying a paragraph of at least LEAD_STORY_WORDS
# words, are a story and its related cards (a summary aggregator's page: every story is one card-shaped item).
LISTING_MIN_CARDS = 4
LEAD_STORY_WORDS = 40
# Robustness guard: a rail reads at most this many blocks after its header. Real rails hold a few dozen lines;
# unbounded, a page of thousands of rail headers cost headers x lines (40,000 chrome lines: 18 s).
RAIL_MAX_BLOCKS = 500


@dataclass(slots=True)
class _Line:
    """A block as the card parser sees it; its roles are settled once (the parser asks about each many times).
    (Made for every block of every pass: a frozen dataclass's `__init__` cost three times as much.)"""

    block: Block
    words: int
    meta: Meta | None
    bullet: bool
    # A metadata line (age, date, byline, reading time): each card has one.
    is_anchor: bool
    is_snippet: bool
    is_headline: bool

    @property
    def text(self) -> str:
        return self.block.text


_CUT = ("…", "...", "[…]", "[...]", "»")


def ends_snippet(text: str) -> bool:
    """A full stop or a cut ("…", "[…]"); a headline may end in "?" or "!", a snippet's sentence rarely does."""
    stripped = text.rstrip("\"'”’»)] ")
    return stripped.endswith((".", "。", *_CUT)) and not stripped.endswith(("?.", "!."))


def is_table_row(text: str) -> bool:
    return len(text) > 1 and text.startswith("|") and text.endswith("|")


def _line(block: Block) -> _Line:
    return _Line(block, *_roles(block.text))


@lru_cache(maxsize=LINE_CACHE_SIZE)
def _roles(text: str) -> tuple[int, Meta | None, bool, bool, bool, bool]:
    """What a line is to the card parser, by its text alone (remembered: the confirming pass repeats lines)."""
    words = count_words(text)
    if is_table_row(text):
        # A table's row (as cleaner writes tables: "| a | b |") is table content, never part of a card: its
        # pipes read as a bullet, its cells as a headline, and a settings table became a "listing".
        return words, None, False, False, False, False
    meta = parse_meta(text)
    bullet = has_bullet(text)
    is_anchor = meta is not None
    is_snippet = not is_anchor and words >= SNIPPET_MIN_WORDS and (words >= SNIPPET_ALWAYS_WORDS or ends_sentence(text))
    is_headline = not is_anchor and not is_snippet and HEADLINE_MIN_WORDS <= words <= HEADLINE_MAX_WORDS
    return words, meta, bullet, is_anchor, is_snippet, is_headline


def _chunks(lines: list[_Line]) -> list[list[_Line]]:
    """Cut a run of lines into card candidates: after each snippet, then at each metadata line."""
    pieces: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        current.append(line)
        if line.is_snippet:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    pieces = _headlines_read_as_snippets(pieces)
    meta_first = _cut_at_anchors(pieces)
    # Some cards print their metadata line last ("outlet / headline / snippet / 6 hours ago"): cut after the snippet,
    # each card's age opens the next one, the first card has none and the last one's age heads the footer. Then a
    # cut after the line that follows each snippet finds more cards, or more of them with their snippet.
    meta_last = _cut_at_anchors(_trailing_meta_kept(pieces))
    return meta_last if _card_count(meta_last) > _card_count(meta_first) else meta_first


def _card_count(chunks: list[list[_Line]]) -> tuple[int, int]:
    """How many cards a cut yields as rails would take them (not an article's card-shaped head, not a lone card),
    and how many of those hold a snippet."""
    cards = _open_cards(chunks)
    in_runs = [
        chunk
        for is_card, group in itertools.groupby(zip(chunks, cards, strict=True), key=lambda pair: pair[1])
        if is_card
        for run in [list(group)]
        if len(run) >= MIN_CARDS_IN_RAIL
        for chunk, _ in run
    ]
    return len(in_runs), sum(any(line.is_snippet for line in chunk) for chunk in in_runs)


def _open_cards(chunks: list[list[_Line]]) -> list[bool]:
    """Which chunks are cards, an article's card-shaped opening (its story goes on after the "snippet") aside."""
    cards = [_is_card(chunk) for chunk in chunks]
    for i in range(len(chunks) - 1):
        if cards[i] and _prose_follows(chunks, cards, i + 1):
            cards[i] = False
    return cards


def _cut_at_anchors(pieces: list[list[_Line]]) -> list[list[_Line]]:
    headline_first = _headline_first(pieces)
    return [card for piece in pieces for card in _split_at_anchors(piece, headline_first)]


def _trailing_meta_kept(pieces: list[list[_Line]]) -> list[list[_Line]]:
    """The pieces with a metadata line that opens a piece moved to the end of the piece before it (which ends
    with its snippet). Such a piece is one card, perhaps under lines that are not the card's (a menu, the end of
    the article above the rail): a piece too long for a card keeps the usual length of these cards in last lines."""
    moved: list[list[_Line]] = []
    closed: list[bool] = []  # whether the piece ends with its snippet and the metadata line after it
    for piece in pieces:
        if moved and piece[0].is_anchor and moved[-1][-1].is_snippet:
            moved[-1] = [*moved[-1], piece[0]]
            closed[-1] = True
            piece = piece[1:]
        if piece:
            moved.append(piece)
            closed.append(False)
    lengths = Counter(len(piece) for piece, end in zip(moved, closed, strict=True) if end and _is_card(piece))
    if not lengths:
        return moved
    usual = lengths.most_common(1)[0][0]
    split: list[list[_Line]] = []
    for piece, end in zip(moved, closed, strict=True):
        if end and len(piece) > usual and not _is_card(piece) and _is_card(piece[-usual:]):
            split += [piece[:-usual], piece[-usual:]]
        else:
            split.append(piece)
    return split


def _headlines_read_as_snippets(pieces: list[list[_Line]]) -> list[list[_Line]]:
    """A long headline ("… Revealed at ‘2018 Welcome Daehak-ro Festival’! To the Actual Scene!") reads as a
    snippet by its length, so its card is cut in two around it: "headline" / "outlet · 1h, snippet" or "outlet ·
    1h, headline" / "snippet". Two neighbouring pieces holding a metadata line and two snippets but no headline are
    one card whose first "snippet" is its headline, when that line is of headline size and does not end like a
    snippet (a card holds one snippet)."""
    merged: list[list[_Line]] = []
    for piece in pieces:
        if merged and _headline_between(merged[-1], piece):
            merged[-1][-1].is_snippet, merged[-1][-1].is_headline = False, True
            merged[-1] = [*merged[-1], *piece]
        else:
            merged.append(piece)
    return merged


def _headline_between(before: list[_Line], after: list[_Line]) -> bool:
    both = [*before, *after]
    line = before[-1]
    return (
        sum(other.is_snippet for other in both) == 2
        and any(other.is_anchor for other in both)
        and not any(other.is_headline for other in both)
        and line.words <= HEADLINE_MAX_WORDS
        and not ends_snippet(line.text)
    )


def _headline_first(pieces: list[list[_Line]]) -> bool | None:
    """Whether this page's cards put the headline above their metadata line, judged on the cards that are
    unambiguous (one metadata line, a headline on one side of it only); None when nothing tells."""
    votes = 0
    for piece in pieces:
        anchors = [i for i, line in enumerate(piece) if line.is_anchor]
        if len(anchors) != 1:
            continue
        i = anchors[0]
        above = i > 0 and piece[i - 1].is_headline
        below = i + 1 < len(piece) and piece[i + 1].is_headline
        votes += int(above and not below) - int(below and not above)
    return None if votes == 0 else votes > 0


def _split_at_anchors(lines: list[_Line], headline_first: bool | None) -> list[list[_Line]]:
    """A piece holding several metadata lines holds several cards (some without a snippet): cut it at each
    metadata line, or at the headline above each, as the page's cards are laid out."""
    anchors = [i for i, line in enumerate(lines) if line.is_anchor]
    if len(anchors) < 2:
        return [lines]
    at_anchor = _cut(lines, anchors)
    at_headline = _cut(lines, [_headline_above(lines, i) for i in anchors])
    if headline_first is None:
        return max((at_anchor, at_headline), key=lambda cards: sum(map(_is_card, cards)))
    return at_headline if headline_first else at_anchor


def _headline_above(lines: list[_Line], anchor: int) -> int:
    i = anchor
    while i > 0 and not lines[i - 1].is_headline and not lines[i - 1].is_snippet:
        i -= 1
    return i - 1 if i > 0 and lines[i - 1].is_headline else anchor


def _cut(lines: list[_Line], cuts: list[int]) -> list[list[_Line]]:
    edges = [0, *(i for i in cuts if 0 < i < len(lines)), len(lines)]
    return [lines[a:b] for a, b in itertools.pairwise(edges) if b > a]


def _is_card(chunk: list[_Line]) -> bool:
    has_meta = any(line.is_anchor for line in chunk)
    has_headline = any(line.is_headline for line in chunk)
    snippets = sum(line.is_snippet for line in chunk)
    short = sum(not line.is_snippet for line in chunk)
    # A card is a few short lines and at most one snippet; a run of article paragraphs is not.
    return has_meta and has_headline and snippets <= 1 and short <= CARD_MAX_SHORT_LINES


def _parse_card(chunk: list[_Line]) -> RelatedItem:
    texts = [line.text for line in chunk]
    metas = [line.meta for line in chunk if line.meta is not None]
    date = next((meta.date for meta in metas if meta.date), None)
    source = next((meta.source for meta in metas if meta.source), None)
    bulleted = [strip_bullet(line.text) for line in chunk if line.bullet and line.meta is None]
    if source is None:
        # A bulleted name that also stands alone in the card is the outlet ("Al Jazeera" / "• Al Jazeera").
        source = next((name for name in bulleted if name in texts), bulleted[-1] if bulleted else None)
    headlines = [line.text for line in chunk if line.is_headline and line.text != source and not line.bullet]
    repeated = [text for text in headlines if headlines.count(text) > 1]
    title = repeated[0] if repeated else max(headlines, key=len, default="")
    if source is None:
        # Otherwise an outlet-sized line right next to the metadata line ("Daily Mail" / "an hour ago").
        for i, line in enumerate(chunk):
            if not line.is_anchor:
                continue
            beside = [chunk[j] for j in (i - 1, i + 1) if 0 <= j < len(chunk)]
            outlets = [b.text for b in beside if b.is_headline and b.text != title and b.words <= OUTLET_MAX_WORDS]
            if outlets:
                source = outlets[0]
                break
    # (a card that carries a whole story holds its paragraphs)
    snippet = "\n\n".join(line.text for line in chunk if line.is_snippet)
    return RelatedItem(title=title, source=source, date=date, text=snippet)


def _take(page: Page, chunk: list[_Line], head: int | None = None) -> None:
    """Take a card. A card carrying a whole story (`head`: the length of its card-shaped head) is parsed on its
    head: its title is the headline at its metadata line (a story's long lede or a subheading such as "10 p.m."
    would pass for it), and its text every line of the story after them."""
    item = _parse_card(chunk if head is None else chunk[:head])
    if head is not None:
        anchor = next(n for n, line in enumerate(chunk) if line.is_anchor)
        above = _headline_above(chunk, anchor)
        at = anchor if above == anchor else above
        title = chunk[above].text if above != anchor else item.title
        story = [line.text for n, line in enumerate(chunk) if n > at and not line.is_anchor and line.text != title]
        item = RelatedItem(title, item.source, item.date, "\n\n".join(story))
    page.take_card(item, [line.block for line in chunk])


def _take_tail(page: Page, tail: list[_Line]) -> None:
    """After an end marker nothing is article: cards go to `related` (where the rule expects them), every other
    line is removed with the marker's reason."""
    rule = page.tail_rule
    reason = rule.reason if rule is not None else RAIL_LINE
    if rule is None or rule.related:
        for chunk in _chunks(tail):
            if _is_card(chunk):
                _take(page, chunk)
    for line in tail:
        if line.block.verdict is None:
            line.block.verdict = reason


def _take_rail(page: Page, rail: list[_Line]) -> None:
    """Under a rail header: cards, and the rail's own short lines, until article prose resumes.

    Some sites put a "Related" box in the middle of the article; the prose after it is the article again, not
    part of the rail.
    """
    for chunk in _chunks(rail):
        if _is_card(chunk):
            _take(page, chunk)
        elif any(is_prose(line.text) for line in chunk):
            return
        else:
            for line in chunk:
                line.block.verdict = RAIL_LINE


def _prose_follows(chunks: list[list[_Line]], cards: list[bool], start: int) -> bool:
    words = 0
    for chunk, is_card in zip(chunks[start:], cards[start:], strict=True):
        if is_card:
            break
        words += sum(line.words for line in chunk if is_prose(line.text))
        if words >= ARTICLE_GOES_ON_WORDS:
            return True
    return False


def _carried_story_end(chunks: list[list[_Line]], cards: list[bool], i: int) -> int | None:
    """Where the story that the card-shaped head `chunks[i]` carries ends, when that head stands inside a run of
    teasers (right above it a card whose snippet is cut off; two or more cards right after its story), so it is
    one more card that carries a whole story, not the page's article; None otherwise."""
    if i == 0 or not (cards[i - 1] and any(_cut_off(line) for line in chunks[i - 1])):
        return None
    end = next((j for j in range(i + 1, len(chunks)) if cards[j]), None)
    if end is None or end + 1 >= len(chunks) or not cards[end + 1]:
        return None
    if any(line.is_anchor for chunk in chunks[i + 1 : end] for line in chunk):
        return None  # the story's lines hold no card metadata: those would be cards of another shape
    return end


def _cut_off(line: _Line) -> bool:
    return line.is_snippet and line.text.rstrip().endswith(_CUT)


def _take_rails(page: Page, lines: list[_Line]) -> None:
    chunks = _chunks(lines)
    # An article opens like a card (headline, dateline, lede) but its story goes on after the "snippet"; so does
    # a card that carries a whole story inside a run of teasers.
    cards = _open_cards(chunks)
    carried = [i for i, chunk in enumerate(chunks) if _is_card(chunk) and not cards[i]]
    heads: dict[int, int] = {}  # a card carrying a story: the length of its head
    for i in reversed(carried):
        end = _carried_story_end(chunks, cards, i)
        if end is None:
            continue
        # The story's last lines that are no paragraph ("Officials gave no other details.") open the next chunk,
        # above the next card's own headline: they are the story's.
        anchor = next(n for n, line in enumerate(chunks[end]) if line.is_anchor)
        tail = _headline_above(chunks[end], anchor)
        story = [line for chunk in chunks[i + 1 : end] for line in chunk] + chunks[end][:tail]
        chunks[end] = chunks[end][tail:]
        heads = {(n - (end - i - 1) if n > i else n): size for n, size in heads.items()}
        heads[i] = len(chunks[i])
        chunks[i:end] = [chunks[i] + story]
        cards[i:end] = [True]
    run: list[tuple[int, list[_Line]]] = []
    for n, (chunk, is_card) in enumerate([*zip(chunks, cards, strict=True), ([], False)]):
        if is_card:
            run.append((n, chunk))
            continue
        if len(run) >= MIN_CARDS_IN_RAIL:
            for at, card in run:
                _take(page, card, heads.get(at))
        run = []


def find_teasers(page: Page) -> None:
    """Parse teaser cards into `page.related`, remove them from the article, and tell listings apart."""
    tail_start = page.tail_start if page.tail_start is not None else len(page.blocks)
    kept = page.kept()
    _take_tail(page, [_line(b) for b in kept if b.index > tail_start])
    for start in page.rail_starts:
        if start < tail_start:
            window = page.blocks[start + 1 : min(tail_start, start + 1 + RAIL_MAX_BLOCKS)]  # blocks[i].index == i
            _take_rail(page, [_line(b) for b in window if b.verdict is None])
    _take_rails(page, [_line(b) for b in page.kept() if b.index < tail_start])
    decide_listing(page)


def decide_listing(page: Page) -> None:
    """With cards found, a page whose article prose is all gone is a listing: what is not a card is the listing
    page's own chrome."""
    if len(page.related) >= MIN_CARDS_IN_RAIL and not page.listing:
        prose_words = sum(count_words(b.text) for b in page.kept() if is_prose(b.text))
        page.listing = prose_words < LISTING_MAX_PROSE_WORDS and not _gave_back_lead_story(page)
    if page.listing:
        # A listing has no article: what is not a card is the listing page's own chrome.
        for block in page.kept():
            block.verdict = "listing:chrome"


def _gave_back_lead_story(page: Page) -> bool:
    """Give the first card back to the article when a page of too few cards for a listing opens with a story told
    in full (a paragraph-long snippet); say whether it did. Not when a card carries several paragraphs: that is
    an article broken by a box ("Help us! / Every gift helps / Donate now"), which the card parser read as a
    carried story."""
    if len(page.related) >= LISTING_MIN_CARDS or len(page.card_blocks) != len(page.related):
        return False
    if any("\n\n" in item.text for item in page.related):
        return False
    first = min(range(len(page.related)), key=lambda i: min(block.index for block in page.card_blocks[i]))
    story = page.related[first].text
    if count_words(story) < LEAD_STORY_WORDS or story.rstrip().endswith(_CUT):
        return False  # too short, or cut off: a teaser, not a story told in full
    for block in page.card_blocks[first]:
        block.verdict = None
    del page.related[first], page.card_blocks[first]
    return True
