"""cleaner: the article only, with its metadata, from scraped news pages and web corpora.

>>> import cleaner
>>> doc = cleaner.clean(page_text)
>>> doc.title, doc.text, doc.kind, doc.related, doc.removed
>>> doc = cleaner.clean_html(html_bytes, url="https://example.org/a")   # or cleaner.clean(html): sniffed
>>> pack = cleaner.learn_pages(pages)          # a corpus's own chrome, as a rule pack (see `cleaner.learn`)
>>> dedup = cleaner.Deduplicator(); dedup.add("a", text)                # each story once (cleaner.dedup)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import lazy

if TYPE_CHECKING:
    from .dedup import Deduplicator, Match
    from .document import Document, RelatedItem, Removal
    from .html import clean_html
    from .learn import CorpusPage, LearnedPack, learn_pages
    from .options import Options
    from .pipeline import clean, clean_many

# Each name is imported from its module on first use: a command that needs only part of the package (`cleaner
# dedup --no-clean` needs no rule packs, language profiles or HTML extractor) does not pay for the rest.
_LAZY = {
    "CorpusPage": "learn",
    "Deduplicator": "dedup",
    "Document": "document",
    "LearnedPack": "learn",
    "Match": "dedup",
    "Options": "options",
    "RelatedItem": "document",
    "Removal": "document",
    "clean": "pipeline",
    "clean_html": "html",
    "clean_many": "pipeline",
    "learn_pages": "learn",
}


__getattr__ = lazy.attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    # What the package offers, not the helpers its own code imports (TYPE_CHECKING, annotations, lazy).
    return sorted({*__all__, "__version__", *(name for name in globals() if name.startswith("__"))})


__all__ = [
    "CorpusPage",
    "Deduplicator",
    "Document",
    "LearnedPack",
    "Match",
    "Options",
    "RelatedItem",
    "Removal",
    "clean",
    "clean_html",
    "clean_many",
    "learn_pages",
]
__version__ = "0.1.0"
