"""Stage: describe what is left of the page as a `Document`."""

from __future__ import annotations

from .document import Document, Removal
from .language import detect_language
from .page import Page


def describe(page: Page) -> Document:
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
        title=page.title if kind != "empty" else "",
        text="\n\n".join(body),
        kind=kind,
        language=language,
        source=page.metadata.get("source"),
        date=page.metadata.get("date"),
        related=list(page.related),
        removed=removed,
    )
