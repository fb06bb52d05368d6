"""MinHash signatures of shingle hashes, vectorised: one array operation per step for all permutations at once.

Permutation `p` maps a shingle hash `x` (its top 32 bits) to `(a_p * x + b_p) mod 2**32` with `a_p` odd, a
bijection of the 32-bit words; the signature keeps each permutation's minimum. The parameters come from
BLAKE2b of the seed and the permutation's number, never from a random generator whose stream could change
between numpy versions: a signature stored in an index today matches one computed by the next release.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .shingles import Shingled

U32 = np.uint32
#: Shingles hashed per block, so that the (permutations x shingles) table stays small whatever the text's length.
BLOCK = 4096


def _parameters(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    values = []
    for perm in range(num_perm):
        digest = hashlib.blake2b(f"cleaner-minhash:{seed}:{perm}".encode(), digest_size=8).digest()
        values.append(int.from_bytes(digest, "little"))
    words = np.array(values, dtype=np.uint64)
    a = ((words & np.uint64(0xFFFFFFFF)) | np.uint64(1)).astype(U32)
    b = (words >> np.uint64(32)).astype(U32)
    return a.reshape(-1, 1), b.reshape(-1, 1)


@dataclass(frozen=True)
class Sketch:
    """What dedup keeps of one document: its signature and the counts the estimates need."""

    signature: np.ndarray  # uint32[num_perm]; all 0xFFFFFFFF for a text without words
    distinct: int
    words: int
    exact: bytes

    @property
    def empty(self) -> bool:
        return self.words == 0


class MinHasher:
    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError("num_perm must be at least 1")
        self.num_perm = num_perm
        self.seed = seed
        self._a, self._b = _parameters(num_perm, seed)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        result = np.full(self.num_perm, 0xFFFFFFFF, dtype=U32)
        high = (hashes >> np.uint64(32)).astype(U32)
        for start in range(0, high.size, BLOCK):
            table = self._a * high[start : start + BLOCK]
            table += self._b
            np.minimum(result, table.min(axis=1), out=result)
        return result

    def sketch(self, shingled: Shingled) -> Sketch:
        return Sketch(self.signature(shingled.hashes), shingled.distinct, shingled.words, shingled.exact)
