"""The pipeline: read -> normalise -> segment into blocks -> filter -> describe.

Pure functions only: text in, `Document` out. Reading files and writing results live in `cleaner.io` and
`cleaner.cli`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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


def clean(text: str, **options: object) -> Document:
    """Clean one page. `options` are the fields of `cleaner.options.Options`."""
    opts = Options.of(**options)
    page = prepare(text, opts)
    if opts.density and not page.listing:
        classify_density(page)
    find_header(page, known_title=opts.title)
    return describe(page)


def clean_many(texts: Iterable[str], **options: object) -> Iterator[Document]:
    """Clean a stream of pages lazily, in order."""
    for text in texts:
        yield clean(text, **options)
