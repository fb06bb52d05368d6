"""MinHash signatures: one-permutation MinHash with optimal densification, computed in the compiled core
(`cleaner._core.MinHasher`, rust/src/minhash.rs).

Classic MinHash hashes every shingle `num_perm` times and keeps each hash function's minimum: its cost grows with
shingles x permutations. One-permutation hashing (Li, Owen and Zhang, 2012) hashes each shingle once, sends it
to one of `num_perm` bins by part of the hash, and keeps the minimum of the rest per bin: the same estimator
(the share of equal positions estimates the Jaccard similarity) for a fraction of the work. A bin that no
shingle reached borrows the value of the first filled bin along a fixed pseudo-random probe sequence of its own
(Shrivastava's optimal densification, 2017), so that two similar texts still agree there with the right
probability.

Each bin also keeps where its minimum stands: the word at which that shingle first starts in the text (`positions`,
saturating at 65,535). Two copies of one story hold their shared shingles at nearly the same places; a page that
merely carries another story as a teaser card holds them after its own article (`verify.aligned`).

A document longer than `LEAD_WORDS` words also gets a *lead*: the first `LEAD_BINS` bins of the signature of the
shingles of its first `LEAD_WORDS` words (the same hasher, on the first shingle hashes). A short copy of a story
(a summary, a feed excerpt: the story's opening) shares little with a 1,500-word full copy as a whole (Jaccard
0.04: LSH never proposes the pair), but most of the lead: the same first bins of its own signature estimate its
similarity with the lead (see `lsh.DocumentBanding`, `verify.lead_passes`).

Every constant comes from BLAKE2b of the seed, never from a random generator whose stream could change between
numpy versions: a signature stored in an index today matches one computed by the next release.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .._core import MinHasher as _CoreMinHasher
from .shingles import Batch, Shingled, mix, shingle_many

U32 = np.uint32
U64 = np.uint64
EMPTY_VALUE = 0xFFFFFFFF
FAR = np.iinfo(np.uint16).max  # the position of a bin no shingle reached, and the cap of every position
#: Words of a document's lead. Short copies (feed excerpts of 70-90 words, summaries of 45-60) hold their text
#: within the first ~90 words of a full copy; 120 leaves room for a title or dateline above it, while a 45-word
#: summary still has a Jaccard similarity of ~0.35 with a lead it is in (a candidate 85% of the time; 0.04 with
#: the whole 1,500-word copy). Longer, a lead dilutes short copies; shorter, it would cut excerpts off. Stored
#: leads depend on it: a change needs a new index SCHEMA_VERSION.
LEAD_WORDS = 120
#: Bins a lead keeps (of `num_perm`): 384 bytes with their positions, against 768 for all 128. Enough to band it
#: (`lsh.LEAD_BANDS` x `lsh.LEAD_ROWS` = 40 bins) and to estimate a short copy's containment in it (the standard
#: error of J at 0.35 is 0.06 with 64 bins, 0.085 with 32). Stored leads depend on it (SCHEMA_VERSION).
LEAD_BINS = 64
PROBES = 256  # probe sequence per bin; a bin not filled within it takes the next filled bin to its right


def _stream(seed: int, label: str, count: int) -> np.ndarray:
    """`count` pseudo-random uint64 words from the seed (a counter through the mixer, salted by BLAKE2b)."""
    salt = int.from_bytes(hashlib.blake2b(f"cleaner-minhash:{seed}:{label}".encode(), digest_size=8).digest(), "little")
    return mix(np.arange(count, dtype=U64) + U64(salt))


@dataclass(frozen=True)
class Lead:
    """The first `LEAD_BINS` bins of the signature of a document's first `LEAD_WORDS` words (positions: as in the
    whole text)."""

    signature: np.ndarray  # uint32[lead_bins(num_perm)]
    positions: np.ndarray  # uint16[lead_bins(num_perm)]
    distinct: int  # distinct shingles of the lead


@dataclass(frozen=True)
class Sketch:
    """What dedup keeps of one document: its signature and the counts the estimates need."""

    signature: np.ndarray  # uint32[num_perm]; all EMPTY_VALUE for a text without words
    distinct: int
    words: int
    exact: bytes
    positions: np.ndarray  # uint16[num_perm]: the word where each bin's minimum first starts (FAR: none)
    lead: Lead | None = None  # only for a text of more than LEAD_WORDS words

    @property
    def empty(self) -> bool:
        return self.words == 0


def lead_bins(num_perm: int) -> int:
    return min(LEAD_BINS, num_perm)


class MinHasher:
    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError("num_perm must be at least 1")
        self.num_perm = num_perm
        self.seed = seed
        self._salt = _stream(seed, "salt", 1)[0]
        probes = _stream(seed, "probes", num_perm * PROBES) % U64(num_perm)
        self._core = _CoreMinHasher(num_perm, int(self._salt), probes.astype(U32).tolist())

    def __reduce__(self) -> tuple[type[MinHasher], tuple[int, int]]:
        # the core's object is not picklable: a copy in another process (a Dask task) is made again from the seed
        return MinHasher, (self.num_perm, self.seed)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The signature of one text's shingle hashes (given in the text's order)."""
        return self.signature_positions(hashes)[0]

    def signature_positions(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The signature of one text's shingle hashes (in the text's order) and where each bin's minimum stands."""
        table, where = self._fill(hashes, [0, hashes.size])
        return table[0], where[0]

    def signatures(self, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """The signatures of a batch of texts, one row per text, and the positions of their minima."""
        return self._fill(batch.hashes, batch.offsets.tolist())

    def _fill(self, hashes: np.ndarray, offsets: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The signatures of the texts whose shingles are `hashes` (text `t`'s from `offsets[t]` to
        `offsets[t + 1]`, in its order), and where each bin's minimum first stands in its text."""
        table, where = self._core.signatures(np.ascontiguousarray(hashes, dtype=U64).tobytes(), offsets)
        shape = (len(offsets) - 1, self.num_perm)
        return np.frombuffer(table, dtype=U32).reshape(shape), np.frombuffer(where, dtype=np.uint16).reshape(shape)

    def sketch(self, shingled: Shingled, shingle_size: int) -> Sketch:
        signature, positions = self.signature_positions(shingled.hashes)
        leads = self.leads(shingled.hashes, [0, shingled.hashes.size], [shingled.words], shingle_size)
        return Sketch(signature, shingled.distinct, shingled.words, shingled.exact, positions, leads[0])

    def leads(self, hashes: np.ndarray, offsets: list[int], words: list[int], shingle_size: int) -> list[Lead | None]:
        """The lead of each text longer than `LEAD_WORDS` words (None for the others): the first bins of the
        signature of its first shingles, those that end within its first `LEAD_WORDS` words (one shingle starts at
        each word). Copied out of the batch's table: a lead keeps only its own bins alive."""
        count = LEAD_WORDS - shingle_size + 1
        long = [text for text, size in enumerate(words) if size > LEAD_WORDS]
        found: list[Lead | None] = [None] * len(words)
        if not long or count < 1:
            return found
        parts = [hashes[offsets[text] : offsets[text] + count] for text in long]
        table, where = self._fill(np.concatenate(parts), [0, *np.cumsum([part.size for part in parts]).tolist()])
        bins = lead_bins(self.num_perm)
        table, where = table[:, :bins].copy(), where[:, :bins].copy()
        for row, (text, part) in enumerate(zip(long, parts, strict=True)):
            found[text] = Lead(table[row], where[row], int(np.unique(part).size))
        return found

    def sketch_many(self, texts: list[str], shingle_size: int) -> list[Sketch]:
        return unpack(self.sketch_packed(texts, shingle_size))

    def sketch_packed(self, texts: list[str], shingle_size: int) -> Packed:
        """The sketches of several texts as a few arrays (one pickle between processes, not one per text)."""
        batch = shingle_many(texts, shingle_size)
        signatures, positions = self.signatures(batch)
        words = batch.words.tolist()
        leads = self.leads(batch.hashes, batch.offsets.tolist(), words, shingle_size)
        return Packed(signatures, batch.distinct.tolist(), words, batch.exact, positions, leads)


@dataclass(frozen=True)
class Packed:
    signatures: np.ndarray  # one row per text
    distinct: list[int]
    words: list[int]
    exact: list[bytes]
    positions: np.ndarray  # one row per text
    leads: list[Lead | None]


def unpack(packed: Packed) -> list[Sketch]:
    return list(
        map(Sketch, packed.signatures, packed.distinct, packed.words, packed.exact, packed.positions, packed.leads)
    )
