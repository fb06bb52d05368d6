"""Clusters as connected components of the verified pairs, each with its representative.

The representative is the most complete copy: the most words, ties to the one seen first. Union-find with path
halving and union by the representative rule, so a component's root is always its representative.
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


class UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []
        self.rank: list[Rank] = []

    def add(self, rank: Rank) -> int:
        self.parent.append(len(self.parent))
        self.rank.append(rank)
        return len(self.parent) - 1

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: int, b: int) -> int:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return root_a
        if self.rank[root_b].beats(self.rank[root_a]):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        return root_a

    def __len__(self) -> int:
        return len(self.parent)
