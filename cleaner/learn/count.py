"""Document frequency of lines, per site, in bounded memory.

Every line is counted as a 64-bit key: a stable hash of its folded form mixed with a hash of its site, so the
same footer on two sites is two keys. A document adds each of its keys once (document frequency, not
occurrences). `DocFrequency` counts exactly in a dict until it holds `max_exact` keys; past that it spills into
two fixed-size structures and keeps counting there:

- a Bloom filter of keys seen once (`seen`): most lines of a corpus are article sentences that occur once, and
  they never reach the counters;
- a count-min sketch of the further occurrences: `estimate(key)` is the seen bit plus the smallest of the
  sketch's counters for the key.

Estimates are never below the true count (both structures only overcount, on collisions), so a first pass that
keeps every key whose estimate reaches a threshold keeps every key that truly does, plus a few impostors that
the exact second pass (`cleaner.learn.learner`) counts again and drops: what is learnt rests on exact counts
only, whatever the order of the documents. (Whether the table spills depends only on how many distinct keys
there are, not on their order.)
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from ..memo import LINE_CACHE_SIZE
from ..rules import fold

MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15

# Defaults: the exact table holds 2^18 keys (about 30 MB of dict), the sketch 4 x 2^20 32-bit counters (16 MB),
# the Bloom filter 2^26 bits (8 MB).
MAX_EXACT_KEYS = 1 << 18
SKETCH_WIDTH = 1 << 20
SKETCH_DEPTH = 4
BLOOM_BITS = 1 << 26
BLOOM_HASHES = 2


# Lines longer than this are never learnt (nor compared folded): they are counted as they stand, which spares
# the folding's regular expressions on every sentence of a corpus. A copy of a story repeats them exactly.
FOLD_MAX_CHARS = 400


def line_form(line: str) -> str:
    """What a line is counted as: its folded form (`rules.fold`, as rule phrases are matched), or the line
    itself when it is too long to be chrome. Empty for a line of punctuation only."""
    return fold(line) if len(line) <= FOLD_MAX_CHARS else line


@lru_cache(maxsize=LINE_CACHE_SIZE)
def stable_hash(text: str) -> int:
    """A 64-bit hash of `text` that is the same in every process (str's `hash` is salted per process)."""
    data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _finalise(x: int) -> int:
    # splitmix64's finaliser: every input bit flips about half the output bits.
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def combine(a: int, b: int) -> int:
    """One key from two (ordered): a line's key from its site's hash and its own, a pair's from its lines'."""
    return _finalise((a * _GOLDEN + b + 1) & MASK64)


def pair_key(a: int, b: int) -> int:
    """The key of an unordered pair of line keys."""
    return combine(a, b) if a <= b else combine(b, a)


class CountMinSketch:
    """`depth` rows of `width` counters; a key adds one to a counter in each row, its estimate is the smallest.

    The rows' counters are picked by double hashing of the 64-bit key (`width` a power of two).
    """

    def __init__(self, width: int = SKETCH_WIDTH, depth: int = SKETCH_DEPTH) -> None:
        if width < 1 or width & (width - 1):
            raise ValueError("width must be a power of two")
        self.width = width
        self.depth = depth
        self._mask = width - 1
        self._rows = [array("I", bytes(4 * width)) for _ in range(depth)]

    def _slots(self, key: int) -> Iterable[tuple[array[int], int]]:
        low, step = key & 0xFFFFFFFF, (key >> 32) | 1
        for row, counters in enumerate(self._rows):
            yield counters, (low + row * step) & self._mask

    def add(self, key: int, count: int = 1) -> None:
        for counters, slot in self._slots(key):
            counters[slot] = min(0xFFFFFFFF, counters[slot] + count)

    def estimate(self, key: int) -> int:
        return min(counters[slot] for counters, slot in self._slots(key))

    @property
    def nbytes(self) -> int:
        return 4 * self.width * self.depth


class BloomFilter:
    """A set of keys that may answer yes for a key never added (rarely, while it is not too full), never no for
    one that was."""

    def __init__(self, bits: int = BLOOM_BITS, hashes: int = BLOOM_HASHES) -> None:
        if bits < 8 or bits & (bits - 1):
            raise ValueError("bits must be a power of two of at least 8")
        self._mask = bits - 1
        self._hashes = hashes
        self._bits = bytearray(bits // 8)

    def _positions(self, key: int) -> list[int]:
        low, step = key & 0xFFFFFFFF, (key >> 32) | 1
        return [(low + i * step) & self._mask for i in range(self._hashes)]

    def add(self, key: int) -> bool:
        """Add `key`; return whether it (seemingly) was there already."""
        present = True
        for position in self._positions(key):
            byte, bit = position >> 3, 1 << (position & 7)
            if not self._bits[byte] & bit:
                present = False
                self._bits[byte] |= bit
        return present

    def __contains__(self, key: int) -> bool:
        return all(self._bits[p >> 3] & (1 << (p & 7)) for p in self._positions(key))

    @property
    def nbytes(self) -> int:
        return len(self._bits)


class DocFrequency:
    """In how many documents each key occurs: exact up to `max_exact` distinct keys, then estimated (never
    under) by a Bloom filter of keys seen once and a count-min sketch of the rest, in fixed memory."""

    def __init__(
        self,
        max_exact: int = MAX_EXACT_KEYS,
        *,
        sketch_width: int = SKETCH_WIDTH,
        sketch_depth: int = SKETCH_DEPTH,
        bloom_bits: int = BLOOM_BITS,
    ) -> None:
        self.max_exact = max_exact
        self._exact: Counter[int] = Counter()
        self._sizes = (sketch_width, sketch_depth, bloom_bits)
        self._seen: BloomFilter | None = None
        self._sketch: CountMinSketch | None = None

    @property
    def exact(self) -> bool:
        """Whether every count so far is exact (the table has not spilled)."""
        return self._sketch is None

    def add_document(self, keys: Iterable[int]) -> None:
        """Count one document's keys (each counted once, however often the document repeats it)."""
        distinct = keys if isinstance(keys, (set, frozenset)) else set(keys)
        if self._sketch is None:
            self._exact.update(distinct)
            if len(self._exact) > self.max_exact:
                self._spill()
            return
        seen = self._seen
        sketch = self._sketch
        assert seen is not None
        for key in distinct:
            if seen.add(key):
                sketch.add(key)

    def _spill(self) -> None:
        width, depth, bits = self._sizes
        self._seen = BloomFilter(bits)
        self._sketch = CountMinSketch(width, depth)
        for key, count in self._exact.items():
            if self._seen.add(key):
                count += 1  # a false positive of the filter: the first sighting goes to the sketch too
            if count > 1:
                self._sketch.add(key, count - 1)
        self._exact = Counter()

    def estimate(self, key: int) -> int:
        """The key's document frequency: exact, or an estimate never below it once spilled."""
        if self._sketch is None:
            return self._exact.get(key, 0)
        assert self._seen is not None
        return 1 + self._sketch.estimate(key) if key in self._seen else 0

    @property
    def nbytes(self) -> int:
        """Memory of the fixed structures (the exact table is bounded by `max_exact` keys)."""
        if self._sketch is None or self._seen is None:
            return 0
        return self._sketch.nbytes + self._seen.nbytes
