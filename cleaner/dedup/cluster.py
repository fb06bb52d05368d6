"""Clusters from the verified pairs: each document joins a representative it was verified against, never a chain.

Connected components glue two stories together through one page that matches both (a page carrying the other
story as a card). Here the documents are taken from the most complete (most words; ties: the first seen) down:
one that was verified against a representative already chosen joins the best of them (highest similarity, then
the first seen). One that was verified only against members is checked against their representatives (a pair
the LSH bands missed, or that was never compared because the representative came later); failing that, it
becomes a representative itself. Every member was verified against its
representative, so its reported similarity is that pair's, never below the thresholds; and a third page can
only join a cluster through the same check against the representative, not through another member.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: Verify a pair of documents not compared before: its similarity, or None when it is no duplicate.
Check = Callable[[int, int], "float | None"]


@dataclass(frozen=True)
class Rank:
    """How a member competes to represent its cluster: more words first, then earlier."""

    words: int
    order: int

    def beats(self, other: Rank) -> bool:
        return (self.words, -self.order) > (other.words, -other.order)


@dataclass(frozen=True)
class Place:
    """A document's place in the clustering: its representative (itself for a representative) and the
    similarity of the pair that put it there (1.0 for a representative)."""

    representative: int
    similarity: float


class Placement:
    """Every document's place, in two flat arrays (a million documents: a few megabytes, no object each)."""

    def __init__(self, size: int) -> None:
        self.representative = array("q", range(size))
        self.similarity = array("d", [1.0]) * size  # a representative's figure

    def __getitem__(self, node: int) -> Place:
        return Place(self.representative[node], self.similarity[node])

    def __len__(self) -> int:
        return len(self.representative)

    def __iter__(self) -> Iterator[Place]:
        return map(self.__getitem__, range(len(self)))


class Stars:
    """Documents (small integers, in the order added) and the verified pairs between them."""

    def __init__(self) -> None:
        self.rank: list[Rank] = []
        self._links: dict[int, list[tuple[int, float]]] = {}  # only documents with a verified pair
        self._places: Placement | None = None

    def add(self, rank: Rank) -> int:
        self.rank.append(rank)
        self._places = None
        return len(self.rank) - 1

    def link(self, a: int, b: int, similarity: float) -> None:
        """A verified pair."""
        if a == b:
            return
        self._links.setdefault(a, []).append((b, similarity))
        self._links.setdefault(b, []).append((a, similarity))
        self._places = None

    def places(self, check: Check | None = None) -> Placement:
        """Each document's place (computed once per change); `check` verifies a document against the
        representatives of the members it matched."""
        if self._places is None:
            self._places = self._assign(check)
        return self._places

    def _assign(self, check: Check | None) -> Placement:
        rank = self.rank
        places = Placement(len(rank))
        representative, placed = places.representative, bytearray(len(rank))
        # a document without a verified pair represents itself: only the others are placed in turn
        for node in sorted(self._links, key=lambda n: (-rank[n].words, rank[n].order)):
            found: list[tuple[int, float]] = []
            others: set[int] = set()  # representatives of the placed members it matched
            for other, similarity in self._links[node]:
                if not placed[other]:
                    continue  # it ranks lower
                if representative[other] == other:
                    found.append((other, similarity))
                else:
                    others.add(representative[other])  # a member: no joining through it, but its representative
            if not found and check is not None:
                for candidate in sorted(others):
                    similarity = check(node, candidate)
                    if similarity is not None:
                        found.append((candidate, similarity))
            placed[node] = 1
            if found:
                chosen, similarity = max(found, key=lambda item: (item[1], -rank[item[0]].order))
                representative[node] = chosen
                places.similarity[node] = similarity
        return places

    def __len__(self) -> int:
        return len(self.rank)
