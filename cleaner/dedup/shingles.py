"""Text to word shingles, as 64-bit hashes, without a Python loop per word.

`prepare` folds case (NFKC, lower case) and encodes; words are the runs of letters, digits and marks, and each
character of the scripts that do not space their words (Chinese, Japanese kana, Thai, Lao, Khmer, Burmese) is a
word of its own; everything else (punctuation, symbols, spaces) separates words. Words are found and hashed in
numpy on the UTF-8 bytes (a code-point class table stands in for a regular expression): a polynomial hash of
each word's bytes (prefix sums modulo 2**64, so every word costs the same few array operations whatever its
length), mixed, and each run of `k` consecutive word hashes combined into one shingle hash. `normalise` shows
the words as text. Every step is arithmetic on fixed constants: the same text gives the same hashes in every
process and on every machine (no `hash()` of str).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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


class _CodePoints:
    """`_describe` of code points, filled in for the characters the texts hold as they turn up (a text holds
    a few dozen distinct non-ASCII characters: far cheaper than describing the whole of Unicode up front)."""

    def __init__(self) -> None:
        self.known: np.ndarray | None = None
        self.flags: np.ndarray | None = None

    def __call__(self, code: np.ndarray) -> np.ndarray:
        if self.known is None or self.flags is None:
            self.known = np.zeros(0x110000, dtype=bool)
            self.flags = np.zeros(0x110000, dtype=np.uint8)
        new = code[~self.known[code]]
        if new.size:
            for cp in set(new.tolist()):
                self.flags[cp] = _describe(cp)
            self.known[new] = True
        return self.flags[code]


_CODE_POINTS = _CodePoints()
U64 = np.uint64
# splitmix64's finaliser: spreads every input bit over the whole word.
_M1, _M2 = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)
_BYTE_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_WORD_BASE = U64(0x9E3779B97F4A7C15)
_LENGTH = U64(0xC2B2AE3D27D4EB4F)


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


def _leads(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-ASCII bytes of UTF-8 text, the lead bytes among them and each one's `_describe` flags (the code
    points decoded in numpy)."""
    high = np.flatnonzero(raw >= 0x80)
    if not high.size:
        return high, high, np.zeros(0, dtype=np.uint8)
    lead = high[raw[high] >= 0xC0]
    padded = np.concatenate((raw, np.zeros(3, dtype=np.uint8)))
    b0 = padded[lead].astype(np.int64)
    b1, b2, b3 = (padded[lead + step].astype(np.int64) & 0x3F for step in (1, 2, 3))
    code = np.where(
        b0 < 0xE0,
        ((b0 & 0x1F) << 6) | b1,
        np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3),
    )
    return high, lead, _CODE_POINTS(np.minimum(code, 0x10FFFF))


def _bounds(
    data: bytes, leads: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bytes of a `prepare`d text and where its words start and end (byte offsets, end exclusive).

    Words are runs of letters, digits and marks; a character of an unspaced script is a word by itself. ASCII
    bytes are classed by a 256-byte translation table (in C); the few non-ASCII characters are decoded in numpy
    (`_leads`), classed by the code-point table, and the class spread over the character's bytes. Word edges
    are where the class changes, found in one pass over the bytes.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    high, lead, flags = _leads(raw) if leads is None else leads
    # the word flags with a non-word byte either side, so that every word has both its edges
    marks = np.zeros(raw.size + 2, dtype=np.uint8)
    marks[1:-1] = np.frombuffer(data.translate(_ASCII_WORD_BYTES), dtype=np.uint8)
    word = marks[1:-1].view(bool)
    own = None
    if high.size:
        kind = flags & KIND_BITS
        per_byte = kind[np.maximum(np.searchsorted(lead, high, side="right") - 1, 0)]
        word[high] = per_byte != NON_WORD
        if (kind == OWN_WORD).any():
            own = high[per_byte == OWN_WORD], lead[kind == OWN_WORD]
    if own is None:
        edges = np.flatnonzero(marks[1:] != marks[:-1])  # alternately a word's first byte and the byte after it
        return raw, edges[0::2], edges[1::2]
    before = marks[:-2].view(bool)
    after = marks[2:].view(bool)
    starts = word & ~before
    ends = word & ~after
    # a character of an unspaced script is a word of its own: it starts one, and the word before it ends
    own_bytes, own_leads = own
    is_own = np.zeros(raw.size + 1, dtype=bool)
    is_own[own_bytes] = True
    cut = np.zeros(raw.size + 1, dtype=bool)  # a word boundary just before this byte
    cut[own_leads] = True
    follows = own_bytes[~is_own[own_bytes + 1]] + 1  # the byte after an unspaced character
    cut[follows] = True
    starts |= word & cut[:-1]
    ends |= word & cut[1:]
    return raw, np.flatnonzero(starts), np.flatnonzero(ends) + 1


def normalise(text: str) -> str:
    """The words dedup compares, separated by single spaces: case, punctuation and spacing folded."""
    data = prepare(text)
    _, starts, ends = _bounds(data)
    return " ".join(data[start:end].decode("utf-8", "surrogatepass") for start, end in zip(starts, ends, strict=True))


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
_NO_INDEX = np.zeros(0, dtype=np.intp)
_WORD_CHARS = b"abcdefghijklmnopqrstuvwxyz0123456789"
_ASCII_WORD_BYTES = bytes(int(byte in _WORD_CHARS) for byte in range(256))  # for bytes.translate; high bytes: 0


def _word_hashes(raw: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    if starts.size == 0:
        return _EMPTY
    up, down = _POWERS.get(raw.size)
    prefix = np.zeros(raw.size + 1, dtype=U64)
    np.cumsum(raw * up[: raw.size], out=prefix[1:])
    words = (prefix[ends] - prefix[starts]) * down[starts]
    return mix(words + (ends - starts).astype(U64) * _LENGTH)


def word_hashes(data: bytes) -> np.ndarray:
    """One 64-bit hash per word of a `prepare`d text."""
    return _word_hashes(*_bounds(data))


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


_DIGEST_BASES = (U64(0xA0761D6478BD642F), U64(0xE7037ED1A0B428DB))


class _Weights:
    """base**i modulo 2**64 for i < size, per digest base, grown on demand."""

    def __init__(self) -> None:
        self.tables = [np.ones(1, dtype=U64) for _ in _DIGEST_BASES]

    def get(self, size: int) -> list[np.ndarray]:
        if self.tables[0].size < size:
            grown = max(size, 2 * self.tables[0].size, 1 << 12)
            self.tables = [_geometric(int(base), grown) for base in _DIGEST_BASES]
        return self.tables


_WEIGHTS = _Weights()


def _digests(words: np.ndarray, per_text: np.ndarray, word_offsets: np.ndarray) -> list[bytes]:
    """A 16-byte digest of each text's sequence of words: two polynomial hashes of its word hashes (each word
    weighted by a power of the base at its place in its text), summed per text at once (differences of running
    sums, which wrap modulo 2**64 as the sums do), mixed with the count."""
    count = per_text.size
    lanes = []
    place = np.arange(words.size) - np.repeat(word_offsets[:-1], per_text)
    tables = _WEIGHTS.get(int(per_text.max()) if count else 0)
    for base, weights in zip(_DIGEST_BASES, tables, strict=True):
        running = np.zeros(words.size + 1, dtype=U64)
        np.cumsum(words * weights[place], out=running[1:])
        total = running[word_offsets[1:]] - running[word_offsets[:-1]]
        lanes.append(mix(total + per_text.astype(U64) * _LENGTH + base))
    packed = np.stack(lanes, axis=1).astype("<u8").tobytes()
    return [packed[16 * i : 16 * i + 16] for i in range(count)]


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
    """Shingle many texts in one pass of array operations over all of them (joined by a space, which no word
    crosses; a window of `k` words that would cross from one text into the next is dropped)."""
    datas = [_fold(text) for text in texts]
    count = len(datas)
    data = b" ".join(datas)
    text_starts = np.cumsum([0] + [len(item) + 1 for item in datas[:-1]]) if count else _NO_INDEX
    raw = np.frombuffer(data, dtype=np.uint8)
    leads = _leads(raw)
    changed = (leads[2] & (CASED | UNSTABLE)) != 0
    if changed.any():
        # the texts that NFKC or lower-casing change beyond ASCII letters: prepared in full
        for index in np.unique(np.searchsorted(text_starts, leads[1][changed], side="right") - 1).tolist():
            datas[index] = prepare(texts[index])
        data = b" ".join(datas)
        text_starts = np.cumsum([0] + [len(item) + 1 for item in datas[:-1]])
        leads = _leads(np.frombuffer(data, dtype=np.uint8))
    raw, starts, ends = _bounds(data, leads)
    words = _word_hashes(raw, starts, ends)
    owner = np.searchsorted(text_starts, starts, side="right") - 1 if count else _NO_INDEX
    per_text = np.bincount(owner, minlength=count)
    word_offsets = np.concatenate(([0], np.cumsum(per_text)))
    exact = _digests(words, per_text, word_offsets)
    hashes, text_of = _EMPTY, _NO_INDEX
    if words.size >= k:
        everything = shingle_hashes(words, k)
        inside = owner[: everything.size] == owner[k - 1 :]
        hashes, text_of = everything[inside], owner[: everything.size][inside]
    short = np.flatnonzero((per_text > 0) & (per_text < k))
    if short.size:  # a text shorter than k words is one shingle of all its words
        extra = [shingle_hashes(words[word_offsets[i] : word_offsets[i + 1]], k) for i in short]
        hashes = np.concatenate([hashes, *extra])
        text_of = np.concatenate([text_of, short])
        order = np.argsort(text_of, kind="stable")
        hashes, text_of = hashes[order], text_of[order]
    offsets = np.concatenate(([0], np.cumsum(np.bincount(text_of, minlength=count))))
    distinct = np.zeros(count, dtype=np.int64)
    if hashes.size:
        # one sort of (text, top bits of the hash): two different shingles of a text rarely agree on 24 bits or
        # more (a text of 450 shingles: one chance in 170 of counting one shingle short); the counts only feed
        # the estimates
        shift = 64 - max(1, int(count - 1).bit_length())
        if shift >= 56:  # up to 256 texts: 32-bit keys (text, 24+ bits of the hash) sort faster
            shift -= 32
            keyed = np.sort(
                (text_of.astype(np.uint32) << np.uint32(shift)) | (hashes >> U64(64 - shift)).astype(np.uint32)
            )
        else:
            keyed = np.sort((text_of.astype(U64) << U64(shift)) | (hashes >> U64(64 - shift)))
        first = np.concatenate(([True], keyed[1:] != keyed[:-1]))
        distinct = np.bincount((keyed[first] >> keyed.dtype.type(shift)).astype(np.intp), minlength=count)
    return Batch(hashes, offsets, distinct, per_text, exact)


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
