"""Clusters from the verified pairs: each document joins a representative it was verified against, never a chain.

Connected components glue two stories together through one page that matches both (a page carrying the other
story as a card). Here the documents are taken from the most complete (most words; ties: the first seen) down:
one that was verified against a representative already chosen joins the best of them (highest similarity, then
the first seen), and any other becomes a representative itself. Every member was verified against its
representative, so its reported similarity is that pair's, never below the thresholds; and a third page can
only join a cluster through the same check against the representative, not through another member.
"""

from __future__ import annotations

from dataclasses import dataclass


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


class Stars:
    """Documents (small integers, in the order added) and the verified pairs between them."""

    def __init__(self) -> None:
        self.rank: list[Rank] = []
        self._links: list[list[tuple[int, float]]] = []
        self._places: list[Place] | None = None

    def add(self, rank: Rank) -> int:
        self.rank.append(rank)
        self._links.append([])
        self._places = None
        return len(self.rank) - 1

    def link(self, a: int, b: int, similarity: float) -> None:
        """A verified pair."""
        if a == b:
            return
        self._links[a].append((b, similarity))
        self._links[b].append((a, similarity))
        self._places = None

    def places(self) -> list[Place]:
        """Each document's place (computed once per change)."""
        if self._places is None:
            self._places = self._assign()
        return self._places

    def _assign(self) -> list[Place]:
        rank = self.rank
        places: list[Place | None] = [None] * len(rank)
        for node in sorted(range(len(rank)), key=lambda n: (-rank[n].words, rank[n].order)):
            best: tuple[float, int] | None = None
            for other, similarity in self._links[node]:
                place = places[other]
                if place is None or place.representative != other:
                    continue  # not yet placed (it ranks lower), or a member: no joining through it
                key = (similarity, -rank[other].order)
                if best is None or key > (best[0], -rank[best[1]].order):
                    best = (similarity, other)
            places[node] = Place(node, 1.0) if best is None else Place(best[1], best[0])
        return places  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.rank)
