"""The settings of dedup, importable without numpy (the CLI reads its defaults from here at start-up)."""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Where the index lives, relative to the corpus root.
DEFAULT_DIR = ".cleaner"
DEFAULT_NAME = "index.sqlite"


def default_path(root: str) -> str:
    return os.path.join(root, DEFAULT_DIR, DEFAULT_NAME)


@dataclass(frozen=True)
class Thresholds:
    jaccard: float = 0.5
    containment: float = 0.7
    min_words: int = 30
    shift: int = 60


@dataclass(frozen=True)
class DedupOptions:
    """How documents are compared. The first four shape the signatures (an index records them); the last four
    are the verification thresholds and may change from run to run.

    shingle_size: words per shingle. num_perm: MinHash permutations. bands: LSH bands (rows = num_perm // bands).
    seed: of the permutations. jaccard: a pair whose estimated Jaccard similarity reaches this is a duplicate.
    containment: so is a pair where this share of the smaller text is in the larger one (a trimmed copy), when
    the smaller has at least `min_words` words (a shorter text is no story: it never matches). shift: how many
    words apart the shared text may stand in two copies of one story (a dateline, a new title, some chrome); a
    page whose shared text stands further down carries the other story as a card (see `verify`).
    """

    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 42
    seed: int = 1
    jaccard: float = 0.5
    containment: float = 0.7
    min_words: int = 30
    shift: int = 60

    def __post_init__(self) -> None:
        if self.shingle_size < 1:
            raise ValueError("shingle_size must be at least 1")
        if self.num_perm < 1:
            raise ValueError("num_perm must be at least 1")
        if not 1 <= self.bands <= self.num_perm:
            raise ValueError(f"bands must be between 1 and num_perm ({self.num_perm})")
        if self.shift < 0:
            raise ValueError("shift must not be negative")
        for name in ("jaccard", "containment"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(self.jaccard, self.containment, self.min_words, self.shift)

    def structure(self) -> dict[str, int]:
        """The parameters a stored signature depends on."""
        return {"shingle_size": self.shingle_size, "num_perm": self.num_perm, "bands": self.bands, "seed": self.seed}
