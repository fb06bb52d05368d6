"""Counting in bounded memory (`cleaner.learn.count`): hashes, the count-min sketch, the Bloom filter of keys
seen once, and the exact table that spills into them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.learn.count import (
    FOLD_MAX_CHARS,
    BloomFilter,
    CountMinSketch,
    DocFrequency,
    combine,
    line_form,
    pair_key,
    stable_hash,
)
from cleaner.rules import fold

keys = st.integers(min_value=0, max_value=(1 << 64) - 1)
documents = st.lists(st.lists(st.integers(min_value=0, max_value=300), max_size=30), max_size=40)


def true_counts(docs: list[list[int]]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for doc in docs:
        counts.update(set(doc))
    return counts


def test_stable_hash_is_the_same_in_another_process() -> None:
    here = stable_hash("Get the Newsrift app")
    code = "from cleaner.learn.count import stable_hash; print(stable_hash('Get the Newsrift app'))"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(there) == here
    assert 0 <= here < 1 << 64
    assert stable_hash("a") != stable_hash("b")


def test_combine_is_ordered_and_pair_key_is_not() -> None:
    a, b = stable_hash("site"), stable_hash("line")
    assert combine(a, b) != combine(b, a)
    assert pair_key(a, b) == pair_key(b, a)
    assert combine(a, b) != b


def test_line_form_folds_short_lines_only() -> None:
    assert line_form("  Share this article! ") == fold("  Share this article! ") == "share this article"
    long = "Word " * (FOLD_MAX_CHARS // 5 + 1) + "."
    assert line_form(long) == long
    assert line_form("•••") == ""


@given(st.lists(keys, max_size=200))
def test_sketch_never_counts_short(items: list[int]) -> None:
    sketch = CountMinSketch(width=64, depth=3)  # tiny: collisions are sure
    for key in items:
        sketch.add(key)
    for key, count in Counter(items).items():
        assert sketch.estimate(key) >= count


def test_sketch_is_exact_without_collisions() -> None:
    sketch = CountMinSketch(width=1 << 16, depth=4)
    items = [stable_hash(str(n)) for n in range(50)]
    for n, key in enumerate(items):
        sketch.add(key, n + 1)
    assert [sketch.estimate(key) for key in items] == list(range(1, 51))
    assert sketch.estimate(stable_hash("never added")) == 0


def test_sketch_width_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError):
        CountMinSketch(width=1000)


@given(st.lists(keys, max_size=200))
def test_bloom_filter_has_no_false_negatives(items: list[int]) -> None:
    seen = BloomFilter(bits=1 << 10, hashes=2)
    for key in items:
        seen.add(key)
    assert all(key in seen for key in items)


def test_bloom_filter_add_tells_whether_the_key_was_there() -> None:
    seen = BloomFilter(bits=1 << 16)
    assert seen.add(12345) is False
    assert seen.add(12345) is True


@given(documents)
def test_exact_table_counts_each_key_once_per_document(docs: list[list[int]]) -> None:
    counter = DocFrequency(max_exact=10_000)
    for doc in docs:
        counter.add_document(doc)
    assert counter.exact
    for key, count in true_counts(docs).items():
        assert counter.estimate(key) == count
    assert counter.estimate(10_000) == 0


@settings(max_examples=50)
@given(documents)
def test_spilled_counts_never_fall_short(docs: list[list[int]]) -> None:
    counter = DocFrequency(max_exact=8, sketch_width=32, sketch_depth=2, bloom_bits=256)
    for doc in docs:
        counter.add_document(doc)
    expected = true_counts(docs)
    assert counter.exact == (len(expected) <= 8)
    for key, count in expected.items():
        assert counter.estimate(key) >= count


def test_spilling_keeps_counts_exact_when_the_sketch_is_wide() -> None:
    docs = [[stable_hash(f"line {n % 7}"), stable_hash(f"unique {n}")] for n in range(100)]
    counter = DocFrequency(max_exact=20)
    for doc in docs:
        counter.add_document(doc)
    assert not counter.exact
    assert counter.nbytes > 0
    expected = true_counts(docs)
    assert all(counter.estimate(key) == count for key, count in expected.items())


@given(st.permutations([[n, n + 1] for n in range(0, 40, 2)]))
def test_the_table_spills_past_max_exact_keys_whatever_the_order(docs: list[list[int]]) -> None:
    counter = DocFrequency(max_exact=40, sketch_width=1 << 12, bloom_bits=1 << 14)
    for doc in docs:
        counter.add_document(doc)
    assert counter.exact  # 40 keys: still exact
    counter.add_document([0, 1000])
    assert not counter.exact  # the 41st key spills the table
    assert counter.estimate(0) >= 2 and counter.estimate(1000) >= 1
