"""Teaser cards: the related-article rail under an article, and listing pages made only of cards.

A card is recognised by its structure, not its wording: a headline, a metadata line (an age or date, perhaps
glued to an outlet's name, or a bulleted outlet name) and often a snippet, which may run to a whole article.
Cards are cut apart after each snippet (or at each metadata line when there are no snippets), parsed into
`RelatedItem`s, and their blocks removed from the article with the reason `related:card`.

- Below a rail header found by a rule pack (`page.tail_start`), every card is taken.
- Elsewhere, two or more cards in a row make a rail. When no article prose is left outside the rails, the page
  is a listing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..document import Block, RelatedItem
from ..features import count_words, is_prose
from ..meta import has_bullet, parse_meta, strip_bullet
from ..page import Page

SNIPPET_MIN_WORDS = 12
HEADLINE_MIN_WORDS = 2
HEADLINE_MAX_WORDS = 30
OUTLET_MAX_WORDS = 5
MIN_CARDS_IN_RAIL = 2
# A listing keeps less article-like prose outside its cards than this many words.
LISTING_MAX_PROSE_WORDS = 40


@dataclass(frozen=True)
class _Line:
    block: Block
    words: int
    meta_date: str | None
    meta_source: str | None
    bullet: bool

    @property
    def text(self) -> str:
        return self.block.text

    @property
    def is_meta(self) -> bool:
        return self.meta_date is not None or (self.bullet and 0 < self.words <= OUTLET_MAX_WORDS)

    @property
    def is_snippet(self) -> bool:
        return self.words >= SNIPPET_MIN_WORDS and not self.is_meta

    @property
    def is_headline(self) -> bool:
        return not self.is_meta and not self.is_snippet and HEADLINE_MIN_WORDS <= self.words <= HEADLINE_MAX_WORDS


def _line(block: Block) -> _Line:
    meta = parse_meta(block.text)
    return _Line(
        block=block,
        words=count_words(block.text),
        meta_date=meta.date if meta else None,
        meta_source=meta.source if meta else None,
        bullet=has_bullet(block.text),
    )


def _chunks(lines: list[_Line]) -> list[list[_Line]]:
    """Cut a run of lines into card candidates: after each snippet; a snippet-less stretch at each meta line."""
    chunks: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        current.append(line)
        if line.is_snippet:
            chunks.append(current)
            current = []
    if current:
        chunks.extend(_split_at_meta(current))
    return chunks


def _split_at_meta(lines: list[_Line]) -> list[list[_Line]]:
    """Headline/age lists without snippets: one card per metadata line, headline on the side the list starts."""
    dated = [i for i, line in enumerate(lines) if line.meta_date is not None]
    if len(dated) < 2:
        return [lines]
    meta_first = lines[0].meta_date is not None
    cards: list[list[_Line]] = []
    start = 0
    for i in dated:
        if meta_first and i > start:
            cards.append(lines[start:i])
            start = i
        elif not meta_first:
            cards.append(lines[start : i + 1])
            start = i + 1
    if start < len(lines):
        cards.append(lines[start:])
    return cards


def _is_card(chunk: list[_Line]) -> bool:
    has_meta = any(line.is_meta for line in chunk)
    has_headline = any(line.is_headline for line in chunk)
    snippets = sum(line.is_snippet for line in chunk)
    short = sum(not line.is_snippet for line in chunk)
    # A card is a few short lines and at most one snippet; a run of article paragraphs is not.
    return has_meta and has_headline and snippets <= 1 and short <= 10


def _parse_card(chunk: list[_Line]) -> RelatedItem:
    texts = [line.text for line in chunk]
    date = next((line.meta_date for line in chunk if line.meta_date), None)
    source = next((line.meta_source for line in chunk if line.meta_source), None)
    bulleted = [strip_bullet(line.text) for line in chunk if line.bullet and line.meta_date is None]
    if source is None:
        # A bulleted name that also stands alone in the card is the outlet ("Al Jazeera" / "• Al Jazeera").
        source = next((name for name in bulleted if name in texts), bulleted[-1] if bulleted else None)
    headlines = [line.text for line in chunk if line.is_headline and line.text != source and not line.bullet]
    repeated = [text for text in headlines if headlines.count(text) > 1]
    title = repeated[0] if repeated else max(headlines, key=len, default="")
    if source is None:
        outlets = [text for text in headlines if text != title and count_words(text) <= OUTLET_MAX_WORDS]
        source = outlets[0] if outlets else None
    snippet = next((line.text for line in chunk if line.is_snippet), "")
    return RelatedItem(title=title, source=source, date=date, text=snippet)


def _take(page: Page, chunk: list[_Line]) -> None:
    page.related.append(_parse_card(chunk))
    for line in chunk:
        line.block.verdict = "related:card"


def _take_tail(page: Page, tail: list[_Line]) -> None:
    """Everything under a rail header: cards where there is card structure, the rest is rail chrome."""
    for chunk in _chunks(tail):
        if _is_card(chunk):
            _take(page, chunk)
        else:
            for line in chunk:
                line.block.verdict = "related:rail"


def _take_rails(page: Page, lines: list[_Line]) -> None:
    chunks = _chunks(lines)
    run: list[list[_Line]] = []
    for chunk in [*chunks, []]:
        if chunk and _is_card(chunk):
            run.append(chunk)
            continue
        if len(run) >= MIN_CARDS_IN_RAIL:
            for card in run:
                _take(page, card)
        run = []


def find_teasers(page: Page) -> None:
    """Parse teaser cards into `page.related`, remove them from the article, and tell listings apart."""
    kept = page.kept()
    tail_start = page.tail_start
    body = [_line(b) for b in kept if tail_start is None or b.index < tail_start]
    if tail_start is not None:
        _take_tail(page, [_line(b) for b in kept if b.index > tail_start])
    _take_rails(page, body)
    if len(page.related) >= MIN_CARDS_IN_RAIL:
        prose_words = sum(count_words(b.text) for b in page.kept() if is_prose(b.text))
        page.listing = prose_words < LISTING_MAX_PROSE_WORDS
