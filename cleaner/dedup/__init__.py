"""Syndication dedup: each story once.

Word shingles of the (cleaned) text, MinHash signatures, LSH banding for candidates, each candidate verified on
its estimated Jaccard similarity and containment (a trimmed copy is contained in its original; a short copy, in
the lead of a long one: the first bins of the signature of its first words, banded apart) and on where the
shared text stands in both (a story carried as a card further down a page is no copy), exact copies by a digest
of the normalised text; each document joins a representative (the most complete copy) it was verified against,
never a cluster through another member. `Deduplicator` streams; `index.Index` keeps signatures in SQLite between runs.

>>> from cleaner.dedup import Deduplicator
>>> dedup = Deduplicator()
>>> dedup.add("a", text_a)            # None: nothing earlier
>>> dedup.add("b", copy_of_a)         # Match(id='a', similarity=0.97, ...)
>>> dedup.clusters()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import lazy
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


__getattr__ = lazy.attributes(__name__, _LAZY)


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
