"""trafilatura: the main content of a page and its metadata (title, date, author, site name).

trafilatura is run in its fast mode first (its own cascade without the external comparisons: main extractor,
baseline rescue on the uncleaned tree, recall retry). Only when that returns too little is it run again with its
full set of fallbacks (the comparison against its readability port and jusText), which costs about half as
much again; `cleaner.html` has a last fallback of its own beyond that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..normalise import one_line

# Below this many characters an extraction is "too little" (trafilatura's own MIN_EXTRACTED_SIZE).
MIN_TEXT_CHARS = 250


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found: the main text (paragraphs one per line; lists as `- item`, tables as
    `| a | b |` rows) and the page's metadata, each None when not found."""

    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    url: str | None = None


@cache
def _trafilatura() -> Any:
    import trafilatura

    # Its "discarding data" warnings are routine outcomes here (we fall back), not problems to print.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    return trafilatura


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return one_line(value) or None


def extract(html: str, url: str | None = None, *, fast: bool = True) -> Extracted | None:
    """Run trafilatura over a page (comments left out, tables kept); None when it finds nothing."""
    trafilatura = _trafilatura()
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            fast=fast,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
        )
    except (ValueError, TypeError, AttributeError, RecursionError, MemoryError):
        # trafilatura reports most failures as None; a page odd enough to raise is treated the same.
        return None
    if document is None:
        return None
    return Extracted(
        text=(document.text or "").strip(),
        title=_clean(document.title),
        date=_clean(document.date),
        author=_clean(document.author),
        sitename=_clean(document.sitename),
        hostname=_clean(document.hostname),
        url=_clean(document.url),
    )


def too_little(chars: int, page_chars: int) -> bool:
    """Whether `chars` characters of article look like a miss on a page with `page_chars` of text: nothing, or
    a scrap of a page that has more to offer."""
    if chars == 0:
        return page_chars > 0
    return chars < MIN_TEXT_CHARS and page_chars > 2 * chars
