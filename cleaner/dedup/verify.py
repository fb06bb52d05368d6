"""Judging a candidate pair from the two sketches: estimated Jaccard, estimated containment, exact copies, and
whether the shared text is the same story in both.

Jaccard `J` is the share of signature positions where the two agree. The intersection then follows from the
two set sizes: `|A & B| = J (|A| + |B|) / (1 + J)`, and the containment of the smaller set in the larger is
that over the smaller size. A trimmed copy has a low Jaccard with its original but a high containment, which
is why both are judged.

Neither says *where* the shared text stands. A page that carries another story as a teaser card (a card the
cleaner missed, or a raw dump) contains that story, and a long card can even make the page's Jaccard with it
high; copies of one story, though, share their text at the same places: from the top, give or take a dateline,
a new title or some chrome. So a pair is a duplicate only when it is `aligned`: most of the bins where the two
signatures agree (a sample of the shared shingles) stand within `shift` words of the same place in both texts.
A card sits after its page's own article, so its text stands a whole article further down the page.

A short copy (a summary, a feed excerpt: the story's opening) against a long full copy: their Jaccard is tiny and
the containment estimated from it too noisy to tell. So when the longer text has a lead (`minhash.Lead`: the
signature of its first words, in its first bins), the pair is also judged on it (`lead_passes`): the shorter text
is a duplicate when it is mostly contained (`containment`) in the other's lead, estimated from the same first bins
of the shorter's signature, the lead's and their sizes, and aligned with it (both from the top). A lead is the
top of a page, where its own article stands; a card stands after it, so a text that matches a card is not in the
page's lead, and two long pages are never compared lead to lead (chrome atop every page of a site would match).

A text under `min_words` words is no story (an error page, a caption, a line of chrome): it is never a
duplicate, not even of an identical text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .lsh import BY_LEAD, BY_WHOLE
from .minhash import Lead, Sketch
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


def contained_shares(jaccard: np.ndarray, size_a: np.ndarray, size_b: np.ndarray, of: np.ndarray) -> np.ndarray:
    """`containment_of` for arrays of pairs: the intersection that the Jaccard similarity and the two set sizes
    imply, as a share of the size `of` (0 where that is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        intersection = jaccard * (size_a + size_b) / (1.0 + jaccard)
        return np.where(of > 0, np.minimum(1.0, intersection / of), 0.0)


def judge(a: Sketch, b: Sketch, thresholds: Thresholds, found: int = BY_WHOLE | BY_LEAD) -> Verdict | None:
    """The verdict of a pair that is a duplicate, on the whole texts (a pair `found` by whole-text keys) or
    else on the longer one's lead (found through a lead: its whole-text estimate, at a Jaccard similarity that
    low, is too noisy to trust); None for a pair that is not."""
    verdict = estimate(a, b)
    if found & BY_WHOLE and is_duplicate(verdict, a, b, thresholds):
        return verdict
    short, long = ordered(a, b)
    if not found & BY_LEAD or long.lead is None or short.empty:
        return None
    passed, containment = lead_passes([short], [long.lead], thresholds)
    return Verdict(verdict.jaccard, float(containment[0]), False) if passed[0] else None


def ordered(a: Sketch, b: Sketch) -> tuple[Sketch, Sketch]:
    """A pair as (the text that may be contained, the one it may be contained in): shorter first (of two as long,
    the first)."""
    return (a, b) if a.words <= b.words else (b, a)


def lead_passes(
    shorts: Sequence[Sketch], leads: Sequence[Lead], thresholds: Thresholds
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair (a shorter text, the lead of the longer): is the shorter mostly contained in the lead and aligned
    with it, and the estimated containment (of the shorter text's shingles in the lead's)."""
    bins = leads[0].signature.size  # a lead keeps the first bins: the shorter text's same bins are compared
    mine = np.stack([short.signature[:bins] for short in shorts])
    agree_at = mine == np.stack([lead.signature for lead in leads])
    jaccard = np.count_nonzero(agree_at, axis=1) / float(mine.shape[1])
    size_short = np.array([short.distinct for short in shorts], dtype=np.float64)
    size_lead = np.array([lead.distinct for lead in leads], dtype=np.float64)
    containment = contained_shares(jaccard, size_short, size_lead, of=size_short)
    words = np.array([short.words for short in shorts])
    passed = (words >= thresholds.min_words) & (containment >= thresholds.containment)
    rows = np.flatnonzero(passed)
    if rows.size:
        passed[rows] = aligned(
            agree_at[rows],
            np.stack([shorts[row].positions[:bins] for row in rows.tolist()]),
            np.stack([leads[row].positions for row in rows.tolist()]),
            thresholds.shift,
        )
    return passed, np.round(containment, 4)


def is_duplicate(verdict: Verdict, a: Sketch, b: Sketch, thresholds: Thresholds) -> bool:
    """The rule for one pair (`passes` for many: the same arithmetic)."""
    return bool(
        passes(
            np.array([verdict.jaccard]),
            np.array([verdict.containment]),
            np.array([min(a.words, b.words)]),
            np.array([verdict.exact]),
            a.signature[None, :] == b.signature[None, :],
            lambda rows: (a.positions[None, :], b.positions[None, :]),
            thresholds,
        )[0]
    )


def passes(
    jaccard: np.ndarray,
    containment: np.ndarray,
    words: np.ndarray,
    exact: np.ndarray,
    agree: np.ndarray,
    positions: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    thresholds: Thresholds,
) -> np.ndarray:
    """Which pairs are duplicates: one row per pair (`words`: the shorter text's; `agree`: where the signatures
    are equal; `positions(rows)`: where each bin's shingle stands in either text of those pairs, asked only for
    the pairs similar enough to need it)."""
    similar = (jaccard >= thresholds.jaccard) | (containment >= thresholds.containment)
    judged = (words >= thresholds.min_words) & (exact | similar)
    rows = np.flatnonzero(judged & ~exact)
    if rows.size:
        positions_a, positions_b = positions(rows)
        judged[rows] = aligned(agree[rows], positions_a, positions_b, thresholds.shift)
    return judged


def aligned(agree: np.ndarray, positions_a: np.ndarray, positions_b: np.ndarray, shift: int) -> np.ndarray:
    """Per pair: do at least half of the agreeing bins stand within `shift` words of the same place in both?"""
    apart = np.abs(positions_a.astype(np.int32) - positions_b.astype(np.int32))
    near = np.count_nonzero(agree & (apart <= shift), axis=1)
    return 2 * near >= np.maximum(np.count_nonzero(agree, axis=1), 1)
