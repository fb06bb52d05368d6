"""Syndication dedup: each story once.

Word shingles of the (cleaned) text, MinHash signatures, LSH banding for candidates, each candidate verified on
its estimated Jaccard similarity and containment (a trimmed copy is contained in its original), exact copies by
a digest of the normalised text; clusters are connected components with the most complete copy as their
representative. `Deduplicator` streams; `index.Index` keeps signatures in SQLite between runs.

>>> from cleaner.dedup import Deduplicator
>>> dedup = Deduplicator()
>>> dedup.add("a", text_a)            # None: nothing earlier
>>> dedup.add("b", copy_of_a)         # Match(id='a', similarity=0.97, ...)
>>> dedup.clusters()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .options import DedupOptions, Thresholds

if TYPE_CHECKING:
    from .deduplicator import Assignment, Cluster, Deduplicator, External, Match, Source
    from .minhash import MinHasher, Sketch
    from .shingles import normalise, shingle

# numpy is imported on first use, so that `cleaner clean` does not pay for it at start-up.
_LAZY = {
    "Assignment": "deduplicator",
    "Cluster": "deduplicator",
    "Deduplicator": "deduplicator",
    "External": "deduplicator",
    "Match": "deduplicator",
    "Source": "deduplicator",
    "MinHasher": "minhash",
    "Sketch": "minhash",
    "normalise": "shingles",
    "shingle": "shingles",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "Assignment",
    "Cluster",
    "DedupOptions",
    "Deduplicator",
    "External",
    "Match",
    "MinHasher",
    "Sketch",
    "Source",
    "Thresholds",
    "normalise",
    "shingle",
]
