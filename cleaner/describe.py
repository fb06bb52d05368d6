"""Stage: describe what is left of the page as a `Document`."""

from __future__ import annotations

from .document import Document, Removal
from .features import count_words
from .filters.header import headline_shaped
from .language import detect_language
from .page import Page


def describe(page: Page) -> Document:
    if page.listing and not page.title and not page.metadata.get("title"):
        _written_listing_title(page)
    body = [block.text for block in page.kept()]
    removed = [Removal(block.text, block.verdict, block.line) for block in page.blocks if block.verdict is not None]
    # In page order; a fragment cut from a line comes before the rest of that line, when the rest went too.
    removed = sorted([*page.stripped, *removed], key=lambda removal: removal.line or 0)
    if page.listing:
        kind = "listing"
        body = []
    elif body:
        kind = "article"
    else:
        kind = "empty"
    card_texts = [item.text or item.title for item in page.related]
    language = detect_language(body or ([page.title] if page.title else card_texts))
    return Document(
        title=_title(page, kind),
        text="\n\n".join(body),
        kind=kind,
        language=language,
        source=page.metadata.get("source"),
        date=page.metadata.get("date"),
        related=list(page.related),
        removed=removed,
    )


def _written_listing_title(page: Page) -> None:
    """A listing as cleaner writes it (its title, a blank line, a paragraph per card) keeps its title when
    cleaned again: the page's first line, set apart by a blank line, headline-shaped (one word is enough: an
    HTML listing's <title> may be "Wildfires"), and neither chrome a pack knows nor part of a card."""
    blocks = page.blocks
    first = blocks[0] if blocks else None
    if first is None or len(blocks) < 2 or not blocks[1].blank_before:
        return
    # the listing's own chrome, or swept up as the lead-in of the first card without being its title
    swept = first.verdict == "related:card" and all(card.title != first.text for card in page.related)
    if first.verdict != "listing:chrome" and not swept:
        return
    if headline_shaped(first.text) or (count_words(first.text) == 1 and headline_shaped(f"{first.text} x")):
        page.title = first.text
        first.verdict = "title"


def _title(page: Page, kind: str) -> str:
    """An article's title; a listing's is the one it is known by (a JSONL record's `title`), the one a rule
    pack's extract rule names (`(?P<title>...)`, such as daily8's "Latest news with #Izhevsk"), or the first line
    of a listing written by cleaner (see `_written_listing_title`)."""
    if kind == "article":
        return page.title
    if kind == "listing":
        return page.title or page.metadata.get("title") or ""
    return ""
