"""Text to word shingles, as 64-bit hashes, without a Python loop per word.

`normalise` folds case (NFKC, casefold), turns every run of punctuation, symbols and spaces into one space and
writes each character of the scripts that do not space their words (Chinese, Japanese kana, Thai, Lao, Khmer,
Burmese) as a word of its own. The normalised text is then hashed in numpy: a polynomial hash of each word's
bytes (prefix sums modulo 2**64, so every word costs the same few array operations whatever its length), mixed,
and each run of `k` consecutive word hashes combined into one shingle hash. Every step is arithmetic on fixed
constants: the same text gives the same hashes in every process and on every machine (no `hash()` of str).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

_NON_WORD = re.compile(r"[\W_]+")
_UNSPACED = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
    r"\U00020000-\U0002fa1f])"
)

U64 = np.uint64
# splitmix64's finaliser: spreads every input bit over the whole word.
_M1, _M2 = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)
_BYTE_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_WORD_BASE = U64(0x9E3779B97F4A7C15)
_LENGTH = U64(0xC2B2AE3D27D4EB4F)


def normalise(text: str) -> str:
    """Case, punctuation and spacing folded: words separated by single spaces, nothing else."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _UNSPACED.search(text):
        text = _UNSPACED.sub(r" \1 ", text)
    return _NON_WORD.sub(" ", text).strip()


def mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on an array of uint64 (arithmetic wraps modulo 2**64)."""
    x = values ^ (values >> U64(30))
    x *= _M1
    x ^= x >> U64(27)
    x *= _M2
    x ^= x >> U64(31)
    return x


class _Powers:
    """BASE**i and BASE**-i modulo 2**64 for i < size, grown on demand (shared by all texts of a process)."""

    def __init__(self) -> None:
        self.up = np.ones(1, dtype=U64)
        self.down = np.ones(1, dtype=U64)

    def get(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        if self.up.size < size:
            grown = max(size, 2 * self.up.size, 1 << 16)
            self.up = _geometric(_BYTE_BASE, grown)
            self.down = _geometric(pow(_BYTE_BASE, -1, 1 << 64), grown)
        return self.up, self.down


def _geometric(base: int, size: int) -> np.ndarray:
    steps = np.full(size, base, dtype=U64)
    steps[0] = 1
    return np.cumprod(steps, dtype=U64)


_POWERS = _Powers()
_EMPTY = np.zeros(0, dtype=U64)


def word_hashes(normalised: str) -> np.ndarray:
    """One 64-bit hash per word of a `normalise`d text (words separated by single spaces)."""
    data = normalised.encode("utf-8", "surrogatepass")
    size = len(data)
    if size == 0:
        return _EMPTY
    up, down = _POWERS.get(size)
    raw = np.frombuffer(data, dtype=np.uint8)
    prefix = np.zeros(size + 1, dtype=U64)
    np.cumsum(raw * up[:size], out=prefix[1:])
    spaces = np.flatnonzero(raw == 32)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [size]))
    words = (prefix[ends] - prefix[starts]) * down[starts]
    return mix(words + (ends - starts).astype(U64) * _LENGTH)


def shingle_hashes(words: np.ndarray, k: int) -> np.ndarray:
    """The hash of each run of `k` consecutive words (a text shorter than `k` words is one shingle)."""
    count = words.size
    if count == 0:
        return _EMPTY
    k = min(k, count)
    n = count - k + 1
    combined = words[:n].copy()
    for offset in range(1, k):
        combined *= _WORD_BASE
        combined += words[offset : offset + n]
    return mix(combined)


@dataclass(frozen=True)
class Shingled:
    """A text's shingles (unsorted, repeats kept: a minimum does not care) and what is counted of it."""

    hashes: np.ndarray
    distinct: int  # distinct shingles: the set size behind Jaccard and containment estimates
    words: int
    exact: bytes  # 16-byte digest of the normalised text: equal digests, equal texts


def shingle(text: str, k: int) -> Shingled:
    normalised = normalise(text)
    words = word_hashes(normalised)
    hashes = shingle_hashes(words, k)
    distinct = 0
    if hashes.size:
        ordered = np.sort(hashes)
        distinct = 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
    exact = hashlib.blake2b(normalised.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return Shingled(hashes, distinct, int(words.size), exact)
