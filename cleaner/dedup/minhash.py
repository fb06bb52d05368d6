"""MinHash signatures, vectorised: one-permutation MinHash with optimal densification.

Classic MinHash hashes every shingle `num_perm` times and keeps each hash function's minimum: its cost grows with
shingles x permutations. One-permutation hashing (Li, Owen and Zhang, 2012) hashes each shingle once, sends it
to one of `num_perm` bins by part of the hash, and keeps the minimum of the rest per bin: the same estimator
(the share of equal positions estimates the Jaccard similarity) for a fraction of the work, done for a whole
batch of texts by one `np.minimum.at`. A bin that no shingle reached borrows the value of the first filled bin
along a fixed pseudo-random probe sequence of its own (Shrivastava's optimal densification, 2017), so that two
similar texts still agree there with the right probability.

Each bin also keeps where its minimum stands: the word at which that shingle first starts in the text (`positions`,
saturating at 65,535). Two copies of one story hold their shared shingles at nearly the same places; a page that
merely carries another story as a teaser card holds them after its own article (`verify.aligned`).

Every constant comes from BLAKE2b of the seed, never from a random generator whose stream could change between
numpy versions: a signature stored in an index today matches one computed by the next release.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .shingles import Batch, Shingled, mix, shingle_many

U32 = np.uint32
U64 = np.uint64
EMPTY_VALUE = 0xFFFFFFFF
FAR = np.iinfo(np.uint16).max  # the position of a bin no shingle reached, and the cap of every position
PROBES = 256  # probe sequence per bin; a bin not filled within it takes the next filled bin to its right


def _stream(seed: int, label: str, count: int) -> np.ndarray:
    """`count` pseudo-random uint64 words from the seed (a counter through the mixer, salted by BLAKE2b)."""
    salt = int.from_bytes(hashlib.blake2b(f"cleaner-minhash:{seed}:{label}".encode(), digest_size=8).digest(), "little")
    return mix(np.arange(count, dtype=U64) + U64(salt))


@dataclass(frozen=True)
class Sketch:
    """What dedup keeps of one document: its signature and the counts the estimates need."""

    signature: np.ndarray  # uint32[num_perm]; all EMPTY_VALUE for a text without words
    distinct: int
    words: int
    exact: bytes
    positions: np.ndarray  # uint16[num_perm]: the word where each bin's minimum first starts (FAR: none)

    @property
    def empty(self) -> bool:
        return self.words == 0


class MinHasher:
    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError("num_perm must be at least 1")
        self.num_perm = num_perm
        self.seed = seed
        self._salt = _stream(seed, "salt", 1)[0]
        probes = _stream(seed, "probes", num_perm * PROBES) % U64(num_perm)
        self._probes = probes.astype(np.intp).reshape(num_perm, PROBES)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The signature of one text's shingle hashes (given in the text's order)."""
        return self.signature_positions(hashes)[0]

    def signature_positions(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The signature of one text's shingle hashes (in the text's order) and where each bin's minimum stands."""
        table, where = self._fill(hashes, np.zeros(hashes.size, dtype=np.intp), np.zeros(1, dtype=np.intp), 1)
        return table[0], where[0]

    def signatures(self, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """The signatures of a batch of texts, one row per text, and the positions of their minima."""
        owners = np.repeat(np.arange(len(batch)), np.diff(batch.offsets))
        return self._fill(batch.hashes, owners, batch.offsets[:-1], len(batch))

    def _fill(
        self, hashes: np.ndarray, owners: np.ndarray, starts: np.ndarray, rows: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The signatures of the texts whose shingles are `hashes` (text `owners[i]`'s, in order; text `t`'s first
        at `starts[t]`), and where each bin's minimum first stands in its text."""
        width = self.num_perm
        flat = np.full(rows * width, EMPTY_VALUE, dtype=U32)
        where = np.full(rows * width, FAR, dtype=np.uint16)
        filled = np.zeros(rows * width, dtype=bool)
        if hashes.size:
            mixed = mix(hashes ^ self._salt)
            bins = (((mixed >> U64(32)) * U64(width)) >> U64(32)).astype(np.intp)  # range reduction, no modulo bias
            slots = owners * width + bins
            values = (mixed & U64(EMPTY_VALUE)).astype(U32)
            np.minimum.at(flat, slots, values)
            filled[slots] = True
            # where each minimum first stands: only the shingles equal to their bin's minimum (about one a bin)
            won = np.flatnonzero(values == flat[slots])
            places = won - starts[owners[won]]
            np.minimum.at(where, slots[won], np.minimum(places, FAR).astype(np.uint16))
        table, full = flat.reshape(rows, width), filled.reshape(rows, width)
        positions = where.reshape(rows, width)
        holes = np.argwhere(~full & full.any(axis=1, keepdims=True))
        if holes.size:
            self._densify(table, positions, full, holes)
        return table, positions

    def _densify(self, table: np.ndarray, positions: np.ndarray, full: np.ndarray, holes: np.ndarray) -> None:
        row, column = holes[:, 0], holes[:, 1]
        values = np.empty(row.size, dtype=U32)
        borrowed = np.empty(row.size, dtype=np.uint16)  # a hole borrows its donor's position with its value
        found = np.zeros(row.size, dtype=bool)
        # the first few probes settle nearly every hole (most bins are filled); the rest get the whole sequence
        for depth in (8, PROBES):
            todo = np.flatnonzero(~found)
            if todo.size == 0:
                break
            probes = self._probes[column[todo], :depth]
            hit = full[row[todo, None], probes]
            first = hit.argmax(axis=1)
            settled = hit[np.arange(first.size), first]
            chosen = todo[settled]
            donors = probes[np.flatnonzero(settled), first[settled]]
            values[chosen] = table[row[chosen], donors]
            borrowed[chosen] = positions[row[chosen], donors]
            found[chosen] = True
        for index in np.flatnonzero(~found):  # rare: a text with very few shingles
            line = full[row[index]]
            ahead = np.flatnonzero(np.roll(line, -int(column[index]) - 1))[0]
            donor = (int(column[index]) + 1 + ahead) % line.size
            values[index] = table[row[index], donor]
            borrowed[index] = positions[row[index], donor]
        table[row, column] = values
        positions[row, column] = borrowed

    def sketch(self, shingled: Shingled) -> Sketch:
        signature, positions = self.signature_positions(shingled.hashes)
        return Sketch(signature, shingled.distinct, shingled.words, shingled.exact, positions)

    def sketch_many(self, texts: list[str], shingle_size: int) -> list[Sketch]:
        return unpack(self.sketch_packed(texts, shingle_size))

    def sketch_packed(self, texts: list[str], shingle_size: int) -> Packed:
        """The sketches of several texts as a few arrays (one pickle between processes, not one per text)."""
        batch = shingle_many(texts, shingle_size)
        signatures, positions = self.signatures(batch)
        return Packed(signatures, batch.distinct.tolist(), batch.words.tolist(), batch.exact, positions)


@dataclass(frozen=True)
class Packed:
    signatures: np.ndarray  # one row per text
    distinct: list[int]
    words: list[int]
    exact: list[bytes]
    positions: np.ndarray  # one row per text


def unpack(packed: Packed) -> list[Sketch]:
    return list(map(Sketch, packed.signatures, packed.distinct, packed.words, packed.exact, packed.positions))
