"""Dedup's shingles and MinHash signatures from the compiled core against a plain Python statement of the same
arithmetic (a loop per word, per shingle, per bin), on drawn texts of every script. Indexes keep signatures, so
the core must give the very numbers the numpy implementation before it gave (checked on 8,835 texts when the core
replaced it, docs/rust-core.md); this reference pins that arithmetic down."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedup.minhash import FAR, PROBES, MinHasher, _stream
from cleaner.dedup.shingles import CASED, KIND_BITS, NON_WORD, OWN_WORD, UNSTABLE, _describe, prepare, shingle_many

MASK = (1 << 64) - 1
BYTE_BASE, WORD_BASE, LENGTH = 0x100000001B3, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
DIGEST_BASES = (0xA0761D6478BD642F, 0xE7037ED1A0B428DB)


def mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def folded(text: str) -> str:
    """ASCII lower-cased only, unless a character beyond ASCII may change under NFKC or lower-casing."""
    if any(ord(ch) >= 0x80 and _describe(ord(ch)) & (CASED | UNSTABLE) for ch in text):
        return prepare(text).decode("utf-8", "surrogatepass")
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def words(text: str) -> list[bytes]:
    found, current = [], ""
    for ch in folded(text):
        kind = (ch in "abcdefghijklmnopqrstuvwxyz0123456789") if ch.isascii() else _describe(ord(ch)) & KIND_BITS
        if kind == OWN_WORD:
            found += [current, ch] if current else [ch]
            current = ""
        elif kind != NON_WORD:
            current += ch
        elif current:
            found.append(current)
            current = ""
    found += [current] if current else []
    return [word.encode("utf-8", "surrogatepass") for word in found]


def word_hash(word: bytes) -> int:
    value = sum(byte * pow(BYTE_BASE, i, 1 << 64) for i, byte in enumerate(word)) & MASK
    return mix((value + len(word) * LENGTH) & MASK)


def shingles(hashes: list[int], k: int) -> list[int]:
    k = min(k, len(hashes))
    out = []
    for start in range(len(hashes) - k + 1 if hashes else 0):
        value = 0
        for word in hashes[start : start + k]:
            value = (value * WORD_BASE + word) & MASK
        out.append(mix(value))
    return out


def digest(hashes: list[int]) -> bytes:
    lanes = []
    for base in DIGEST_BASES:
        value = sum(word * pow(base, i, 1 << 64) for i, word in enumerate(hashes)) & MASK
        lanes.append(mix((value + len(hashes) * LENGTH + base) & MASK).to_bytes(8, "little"))
    return b"".join(lanes)


def distinct_bits(texts: int) -> int:
    bits = 64 - max(1, (texts - 1).bit_length())
    return bits - 32 if bits >= 56 else bits


def signature(hashes: list[int], hasher: MinHasher) -> tuple[list[int], list[int]]:
    """The signature of one text's shingles (in its order) and where each bin's minimum first stands."""
    width = hasher.num_perm
    salt = int(_stream(hasher.seed, "salt", 1)[0])
    probes = (_stream(hasher.seed, "probes", width * PROBES) % width).reshape(width, PROBES).tolist()
    bins: dict[int, tuple[int, int]] = {}  # bin -> (its minimum, the first place that gives it)
    for place, shingle in enumerate(hashes):
        mixed = mix(shingle ^ salt)
        slot = ((mixed >> 32) * width) >> 32
        if slot not in bins or mixed & 0xFFFFFFFF < bins[slot][0]:
            bins[slot] = (mixed & 0xFFFFFFFF, min(place, FAR))
    if not bins:
        return [0xFFFFFFFF] * width, [FAR] * width
    out = []
    for slot in range(width):
        if slot not in bins:
            ahead = [(slot + step) % width for step in range(1, width + 1)]
            slot = next((probe for probe in probes[slot] if probe in bins), next(b for b in ahead if b in bins))
        out.append(bins[slot])
    return [value for value, _ in out], [place for _, place in out]


# lone surrogates (a JSON input may carry them), unspaced scripts, characters that NFKC or case folding change
CHARACTERS = st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    [
        "\ud800",
        "\udfff",
        "中",
        "の",
        "ก",
        "Ａ",
        "ﬁ",
        "…",
        "\u0301",
        "\u1160",
        "İ",
        "ẞ",
        "ǅ",
        "Ⅻ",
        "Ⓐ",
        "\U00020000",
        " ",
    ]
)
TEXTS = st.lists(
    st.text(CHARACTERS, max_size=80) | st.lists(st.sampled_from(["a", "Bé", "中", "x9", " "])).map("".join)
)


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.integers(1, 6))
def test_shingles_are_the_reference_arithmetic(texts: list[str], k: int) -> None:
    batch = shingle_many(texts, k)
    assert len(batch) == len(texts)
    for index, text in enumerate(texts):
        hashes = [word_hash(word) for word in words(text)]
        expected = shingles(hashes, k)
        assert batch.hashes[batch.offsets[index] : batch.offsets[index + 1]].tolist() == expected
        assert batch.words[index] == len(hashes)
        assert batch.exact[index] == digest(hashes)
        assert batch.distinct[index] == len({shingle >> (64 - distinct_bits(len(texts))) for shingle in expected})


@settings(max_examples=60, deadline=None)
@given(TEXTS, st.sampled_from([(1, 1), (7, 3), (64, 1), (128, 1)]))
def test_signatures_are_the_reference_arithmetic(texts: list[str], shape: tuple[int, int]) -> None:
    hasher = MinHasher(*shape)
    packed = hasher.sketch_packed(texts, 3)
    for index, text in enumerate(texts):
        values, positions = signature(shingles([word_hash(word) for word in words(text)], 3), hasher)
        assert packed.signatures[index].tolist() == values
        assert packed.positions[index].tolist() == positions


def test_a_bin_no_probe_reaches_borrows_from_the_next_filled_bin() -> None:
    """With one shingle and a wide signature, most probe sequences miss the one filled bin within 256 probes
    ((1023/1024)**256: four in five)."""
    hasher = MinHasher(1024, 1)
    values, positions = signature(shingles([word_hash(b"alone")], 3), hasher)
    packed = hasher.sketch_packed(["alone"], 3)
    assert packed.signatures[0].tolist() == values and packed.positions[0].tolist() == positions
    assert len(set(values)) == 1 and set(positions) == {0}


def test_positions_are_capped_where_texts_outrun_them() -> None:
    text = " ".join(f"w{i}" for i in range(70_000))  # every shingle distinct
    hasher = MinHasher(64, 1)
    values, positions = signature(shingles([word_hash(word) for word in words(text)], 3), hasher)
    sketch = hasher.sketch_many([text], 3)[0]
    assert sketch.signature.tolist() == values and sketch.positions.tolist() == positions
    assert FAR in positions  # some minima stand past the cap (65,535) in this text


def test_threads_may_shingle_at_once_while_python_describes_characters() -> None:
    """The core asks Python what a new character is in the middle of a call: another thread may run then (here
    `describe` sleeps, which lets it) and shingle with the same table."""
    from concurrent.futures import ThreadPoolExecutor

    from cleaner._core import Shingler

    def describe(point: int) -> int:
        time.sleep(0)  # gives up the GIL, as a long Python function would
        return _describe(point)

    shingler = Shingler(describe)
    texts = [" ".join(chr(0xE000 + 40 * i + j) + "ab" for j in range(40)).encode() for i in range(16)]
    expected = [Shingler(_describe).shingle([text], 3) for text in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda text: shingler.shingle([text], 3), texts)) == expected


def test_a_minhasher_crosses_to_another_process_as_its_settings() -> None:
    import pickle

    hasher = MinHasher(16, 5)
    copy = pickle.loads(pickle.dumps(hasher))
    texts = ["one two three four five six", "seven eight nine"]
    assert (copy.num_perm, copy.seed) == (16, 5)
    assert copy.sketch_packed(texts, 3).signatures.tolist() == hasher.sketch_packed(texts, 3).signatures.tolist()
