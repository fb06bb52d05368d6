"""Judging a candidate pair from the two sketches: estimated Jaccard, estimated containment, exact copies.

Jaccard `J` is the share of signature positions where the two agree. The intersection then follows from the
two set sizes: `|A & B| = J (|A| + |B|) / (1 + J)`, and the containment of the smaller set in the larger is
that over the smaller size. A trimmed copy has a low Jaccard with its original but a high containment, which
is why both are judged. Containment only counts when the smaller text has at least `min_words` words: a line
or two of text is contained in too much.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .minhash import Sketch
from .options import Thresholds


@dataclass(frozen=True)
class Verdict:
    jaccard: float
    containment: float  # of the smaller document in the larger
    exact: bool

    @property
    def similarity(self) -> float:
        """The figure reported: the containment of the smaller text in the other (1.0 for exact copies); it is
        never below the Jaccard similarity."""
        return 1.0 if self.exact else round(max(self.jaccard, self.containment), 4)


def estimate(a: Sketch, b: Sketch) -> Verdict:
    if a.exact == b.exact and not a.empty:
        return Verdict(1.0, 1.0, True)
    if a.empty or b.empty:
        return Verdict(0.0, 0.0, False)
    jaccard = float(np.count_nonzero(a.signature == b.signature)) / a.signature.size
    return Verdict(jaccard, containment_of(jaccard, a.distinct, b.distinct), False)


def containment_of(jaccard: float, size_a: int, size_b: int) -> float:
    smaller = min(size_a, size_b)
    if smaller <= 0:
        return 0.0
    intersection = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, intersection / smaller)


def is_duplicate(verdict: Verdict, a: Sketch, b: Sketch, thresholds: Thresholds) -> bool:
    if verdict.exact:
        return True
    if verdict.jaccard >= thresholds.jaccard:
        return True
    return min(a.words, b.words) >= thresholds.min_words and verdict.containment >= thresholds.containment
