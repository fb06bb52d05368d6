"""Text to word shingles, as 64-bit hashes; the hashing runs in the compiled core (`cleaner._core.Shingler`,
rust/src/shingles.rs).

`prepare` folds case (NFKC, lower case) and encodes; words are the runs of letters, digits and marks, and each
character of the scripts that do not space their words (Chinese, Japanese kana, Thai, Lao, Khmer, Burmese) is a
word of its own; everything else (punctuation, symbols, spaces) separates words. Python says what each non-ASCII
character is (`_describe`, from Python's own Unicode tables, asked once per character a process meets); the core
finds the words in the UTF-8 bytes, hashes each word's bytes (a polynomial modulo 2**64, mixed) and combines each
run of `k` consecutive word hashes into one shingle hash. `normalise` shows the words as text. Every step is
arithmetic on fixed constants: the same text gives the same hashes in every process and on every machine (no
`hash()` of str), and the same as the numpy implementation that dedup indexes were built with before the core.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .._core import Shingler
from .._core import shingle_hashes as _shingle_hashes

# Code points that are inside words besides letters and digits: the combining marks of the scripts that write
# vowels and points with them (Indic, Arabic, Hebrew).
_MARKS = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x0900, 0x0963),
    (0x0966, 0x0DFF),
)
# Scripts that do not space their words: each character is a word of its own (kana, CJK, Thai, Lao, Burmese,
# Khmer; the CJK extensions beyond the BMP are tested apart).
_UNSPACED = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
)
_SUPPLEMENTARY_CJK = (0x20000, 0x2FA1F)
NON_WORD, WORD, OWN_WORD = 0, 1, 2


# What the code-point table knows of a character: its class (the low two bits), and whether `prepare` may change
# the words it is part of: lower-casing changes it (CASED), or NFKC may, alone or with its neighbours (UNSTABLE: a
# combining mark, a Hangul vowel or final jamo that composes with the syllable before it, or a character NFKC
# replaces when it or its replacement is part of a word; '…' becoming '...' separates words all the same).
KIND_BITS, CASED, UNSTABLE = 3, 4, 8
_HANGUL_JOINERS = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))


def _kind(cp: int) -> int:
    if cp > 0xFFFF:
        return OWN_WORD if _SUPPLEMENTARY_CJK[0] <= cp <= _SUPPLEMENTARY_CJK[1] else NON_WORD
    if 0xD800 <= cp < 0xE000:
        return NON_WORD  # a lone surrogate a JSON input may carry
    word = chr(cp).isalnum() or any(low <= cp <= high for low, high in _MARKS)
    if any(low <= cp <= high for low, high in _UNSPACED):
        return OWN_WORD if word else NON_WORD
    return WORD if word else NON_WORD


def _describe(cp: int) -> int:
    char = chr(cp)
    kind = _kind(cp)
    flags = kind
    if char.lower() != char:
        flags |= CASED
    replaced = unicodedata.normalize("NFKC", char)
    if (
        unicodedata.combining(char)
        or unicodedata.category(char).startswith("M")
        or any(low <= cp <= high for low, high in _HANGUL_JOINERS)
        or (replaced != char and (kind != NON_WORD or any(_kind(ord(other)) != NON_WORD for other in replaced)))
    ):
        flags |= UNSTABLE
    return flags


@cache
def _shingler() -> Shingler:
    """The core's shingler, which asks `_describe` of each non-ASCII character once."""
    return Shingler(_describe)


U64 = np.uint64
# splitmix64's finaliser: spreads every input bit over the whole word.
_M1, _M2 = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)


def prepare(text: str) -> bytes:
    """NFKC and lower-cased, as UTF-8 (ASCII text is only lower-cased)."""
    if text.isascii():
        return text.lower().encode("ascii")
    return unicodedata.normalize("NFKC", text).lower().encode("utf-8", "surrogatepass")


def _fold(text: str) -> bytes:
    """`prepare` for a text whose non-ASCII characters neither NFKC nor lower-casing change: its UTF-8 with ASCII
    letters lower-cased (`bytes.lower`: many times faster than `str.lower` on a text that holds one curly quote,
    and no NFKC pass). `shingle_many` finds the texts for which this is not `prepare` and prepares them."""
    return text.encode("utf-8", "surrogatepass").lower()


def normalise(text: str) -> str:
    """The words dedup compares, separated by single spaces: case, punctuation and spacing folded."""
    data = prepare(text)
    spans = _shingler().word_spans(data)
    return " ".join(data[start:end].decode("utf-8", "surrogatepass") for start, end in spans)


def mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on an array of uint64 (arithmetic wraps modulo 2**64)."""
    x = values ^ (values >> U64(30))
    x *= _M1
    x ^= x >> U64(27)
    x *= _M2
    x ^= x >> U64(31)
    return x


def word_hashes(data: bytes) -> np.ndarray:
    """One 64-bit hash per word of a `prepare`d text."""
    return np.frombuffer(_shingler().word_hashes(data), dtype=U64)


def shingle_hashes(words: np.ndarray, k: int) -> np.ndarray:
    """The hash of each run of `k` consecutive words (a text shorter than `k` words is one shingle)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return np.frombuffer(_shingle_hashes(np.ascontiguousarray(words, dtype=U64).tobytes(), k), dtype=U64)


@dataclass(frozen=True)
class Batch:
    """The shingles of several texts at once: text `i`'s are `hashes[offsets[i]:offsets[i + 1]]` (unsorted,
    repeats kept: a minimum does not care). Per text: distinct shingles (the set size behind the Jaccard and
    containment estimates), words, and a 16-byte digest of its words (equal digests, equal normalised texts)."""

    hashes: np.ndarray
    offsets: np.ndarray
    distinct: np.ndarray
    words: np.ndarray
    exact: list[bytes]

    def __len__(self) -> int:
        return len(self.exact)


def shingle_many(texts: Sequence[str], k: int) -> Batch:
    """Shingle many texts at once. A text is folded the quick way (`_fold`) unless it holds a character that NFKC
    or lower-casing may change, which the core finds; those are `prepare`d in full.

    `distinct` counts a text's distinct shingles by their top bits, as many as the numpy implementation kept for a
    batch of this size (its sort keys held the text's number too): an estimate, exact but for rare collisions."""
    if k < 1:
        raise ValueError("k must be at least 1")
    shingler = _shingler()
    datas = [_fold(text) for text in texts]
    for index in shingler.needs_folding(datas):
        datas[index] = prepare(texts[index])
    hashes, offsets, distinct, words, exact = shingler.shingle(datas, k)
    return Batch(
        np.frombuffer(hashes, dtype=U64),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(distinct, dtype=np.int64),
        np.asarray(words, dtype=np.int64),
        exact,
    )


@dataclass(frozen=True)
class Shingled:
    """One text's shingles (see `Batch`)."""

    hashes: np.ndarray
    distinct: int
    words: int
    exact: bytes


def shingle(text: str, k: int) -> Shingled:
    batch = shingle_many([text], k)
    return Shingled(batch.hashes, int(batch.distinct[0]), int(batch.words[0]), batch.exact[0])
