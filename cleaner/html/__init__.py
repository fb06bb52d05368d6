"""HTML input: the page as fetched -> the same `Document` as text input gives.

    decode (charset) -> selectolax pass (drop the invisible and the packs' selectors; read related rails)
    -> trafilatura (main text + metadata; its fallbacks when it finds too little)
    -> the text filters on what it kept (rule packs, anchored teaser cards, title copies; `text.py`)
    -> fallback when nothing is left: the DOM's text blocks through the whole text pipeline, density on.

`clean_html` is pure and deterministic; reading files and WARC records lives in `cleaner.io` and
`cleaner.warc`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from os import PathLike

from ..document import Document
from ..language import detect_language
from ..normalise import one_line
from ..options import DEFAULT_PACKS, Options, expect
from ..pipeline import clean as clean_text
from ..rules import fold, load_rules
from .blocks import text_blocks
from .decode import decode_html, looks_like_html
from .extract import Extracted, extract, parse, too_little
from .prepass import Prepared, prepare
from .text import filter_extracted

__all__ = ["clean_html", "decode_html", "looks_like_html"]

# Separators between a headline and the site's name in a <title> or og:title ("Headline | Site"), in a title on
# one line (single spaces: `\s+` either side would be tried from every space of a long run, in quadratic time).
_TITLE_SEPARATORS = re.compile(r" [|｜\-–—:·•»/]{1,2} ")
# How many of the extracted text's first lines may hold the headline.
TITLE_REACH = 3
# A metadata title longer than this is a run of text, not a headline.
MAX_TITLE_WORDS = 40
# A page is a listing when at least this many teaser cards hold this share of the text trafilatura kept.
MIN_LISTING_CARDS = 3
LISTING_SHARE = 0.8


def clean_html(
    html: str | bytes,
    *,
    url: str | None = None,
    charset: str | None = None,
    packs: str | Iterable[str] = DEFAULT_PACKS,
    rule_files: str | PathLike[str] | Iterable[str | PathLike[str]] = (),
    title: str | None = None,
    density: bool = True,
    trust_clean: bool = False,
) -> Document:
    """Clean one HTML page. `url` helps trafilatura's metadata; `charset` is the HTTP header's declaration,
    if known; the other options are those of `cleaner.clean` (a wrong type is a `TypeError` naming it). Never
    raises on malformed markup or bytes."""
    expect("html", html, (str, bytes), "a str or bytes")
    for name, value in (("url", url), ("charset", charset)):
        if value is not None:
            expect(name, value, str, "a str or None")
    opts = Options.of(packs=packs, rule_files=rule_files, title=title, density=density, trust_clean=trust_clean)
    return clean_with(html, opts, url=url, charset=charset)


def clean_with(html: str | bytes, opts: Options, *, url: str | None = None, charset: str | None = None) -> Document:
    """`clean_html` with its options checked and built already."""
    rules = load_rules(opts.packs, tuple(map(str, opts.rule_files)))
    prepared = prepare(decode_html(html, charset), rules.selectors)
    tree = parse(prepared.html)  # once, for both of trafilatura's runs
    extracted = extract(tree, url, fast=True)
    if too_little(_chars(extracted), prepared.text_chars):
        again = extract(tree, url, fast=False, known=extracted)  # the same metadata: it does not depend on `fast`
        if _chars(again) > _chars(extracted):
            extracted = again
    if extracted is not None and (not extracted.title or len(extracted.title.split()) > MAX_TITLE_WORDS):
        # No title, or a "title" that is a run of text (an unclosed <h1>): the page's <title> instead.
        extracted = replace(extracted, title=prepared.title)
    listing = _listing(prepared, extracted)
    if listing is not None:
        return _finish(listing, prepared, extracted)
    doc = Document()
    if extracted is not None and extracted.text:
        title = opts.title or headline(extracted.title, extracted.text)
        doc = filter_extracted(extracted.text, rules, title, density=opts.density)
    if doc.kind == "empty" or (doc.kind == "article" and too_little(len(doc.text), prepared.text_chars)):
        fallback = _from_blocks(prepared, opts, extracted)
        if len(fallback.text) > len(doc.text) or (doc.kind == "empty" and fallback.kind != "empty"):
            doc = fallback
    return _finish(doc, prepared, extracted)


def _listing(prepared: Prepared, extracted: Extracted | None) -> Document | None:
    """A listing page (a tag or topic page): what trafilatura kept is, nearly all of it, the text of teaser cards
    found in the DOM. Then there is no article: the cards are the document's `related`."""
    if extracted is None or not extracted.text:
        return None
    kept = " ".join(extracted.text.split())
    cards = [card for card in prepared.cards() if card.item.title in kept]
    if len(cards) < MIN_LISTING_CARDS or sum(card.chars for card in cards) < LISTING_SHARE * len(kept):
        return None
    items = [card.item for card in cards]
    return Document(kind="listing", language=detect_language([i.text or i.title for i in items]), related=items)


def _chars(extracted: Extracted | None) -> int:
    return len(extracted.text) if extracted is not None else 0


def headline(title: str | None, text: str) -> str | None:
    """The article's headline: the first lines of `text` that equal the metadata title or one of its parts
    (a `<title>` often reads "Headline | Site"), else the metadata title itself."""
    title = one_line(title or "")
    if not title:
        return None
    parts = {fold(title)} | {fold(part) for part in _TITLE_SEPARATORS.split(title)}
    parts.discard("")
    for line in text.split("\n", TITLE_REACH)[:TITLE_REACH]:
        line = one_line(line)
        if line and fold(line) in parts:
            return line
    return title


def _from_blocks(prepared: Prepared, opts: Options, extracted: Extracted | None) -> Document:
    """The last fallback: the DOM's text blocks, one per line, through the whole text pipeline."""
    lines = text_blocks(prepared.tree.body)
    if not lines:
        return Document()
    title = opts.title or (extracted.title if extracted is not None else None)
    return clean_text("\n".join(lines), packs=opts.packs, rule_files=opts.rule_files, title=title, density=opts.density)


def _finish(doc: Document, prepared: Prepared, extracted: Extracted | None) -> Document:
    """The metadata trafilatura read fills what the text did not say; the selectolax pass's removals and
    rail cards come first (they stood around the article)."""
    title = doc.title
    if not title and doc.kind == "article" and extracted is not None and extracted.title:
        title = extracted.title
    if not title and doc.kind == "listing":  # a listing is named by its page: "Latest news with #Izhevsk"
        title = (extracted.title if extracted is not None else None) or prepared.title or ""
    source, date = doc.source, doc.date
    if extracted is not None:
        source = source or extracted.sitename
        date = date or extracted.date
    return replace(
        doc,
        title=title,
        source=source,
        date=date,
        related=prepared.related + doc.related,
        removed=prepared.removed + doc.removed,
    )
