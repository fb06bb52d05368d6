"""The pipeline: read -> normalise -> segment into blocks -> filter -> describe.

Pure functions only: text in, `Document` out. Reading files and writing results live in `cleaner.io` and
`cleaner.cli`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from .blocks import split_blocks
from .describe import describe
from .document import Document
from .filters.density import classify_density
from .filters.header import find_header
from .filters.patterns import apply_rules
from .filters.teasers import find_teasers
from .language import detect_language, stopwords
from .normalise import normalise
from .options import Options
from .page import Page
from .rules import load_rules


def prepare(text: str, opts: Options) -> Page:
    """Normalise, cut into blocks, pick the language's stop list, apply the rule packs and find the cards:
    everything before the density filter (the density model is fit on pages prepared this way)."""
    blocks = split_blocks(normalise(text))
    language = detect_language([block.text for block in blocks])
    page = Page(blocks=blocks, language=language, stopwords=stopwords(language))
    apply_rules(page, load_rules(opts.packs, tuple(map(str, opts.rule_files))))
    find_teasers(page)
    return page


# Cleaning settles in one or two passes; the bound only guards against a pathological oscillation.
MAX_PASSES = 5


def clean_once(text: str, opts: Options) -> Document:
    """One pass of the pipeline over `text`."""
    page = prepare(text, opts)
    if opts.density and not page.listing:
        classify_density(page)
    find_header(page, known_title=opts.title)
    return describe(page)


def clean(text: str, **options: object) -> Document:
    """Clean one page. `options` are the fields of `cleaner.options.Options`.

    The result is a fixed point: cleaning its rendered text again changes nothing. A pass judges every block in
    its context, and once chrome is gone a block's context changes, so the pipeline is run again on its own
    output until the output stops changing (nearly always: one confirming pass).
    """
    opts = Options.of(**options)
    doc = clean_once(text, opts)
    for _ in range(MAX_PASSES):
        if doc.kind != "article":
            break
        rendered = doc.render()
        again = clean_once(rendered, opts)
        if again.render() == rendered:
            break
        doc = _merge(doc, again)
    return doc


def _merge(first: Document, again: Document) -> Document:
    """The later pass's article, with what the earlier pass learnt about the page and removed from it."""
    later_removals = [r for r in again.removed if not (r.reason.startswith("title") and r.text == first.title)]
    return replace(
        again,
        source=first.source or again.source,
        date=first.date or again.date,
        related=first.related + again.related,
        removed=first.removed + later_removals,
    )


def clean_many(texts: Iterable[str], **options: object) -> Iterator[Document]:
    """Clean a stream of pages lazily, in order."""
    for text in texts:
        yield clean(text, **options)
