"""Language detection: langdetect's answer, computed faster, and the stop lists it picks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import langdetect
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect.lang_detect_exception import LangDetectException

from cleaner.blocks import split_blocks
from cleaner.language import (
    SAMPLE_CHARS_PER_LINE,
    SAMPLE_LINES,
    _decided,
    _detect_sample,
    _detector_text,
    _ngram_rows,
    _profiles,
    _trials,
    detect_language,
    sample,
    stopwords,
)
from cleaner.normalise import normalise

SHARED = Path(os.environ.get("CLEANER_SHARED") or Path(__file__).parents[1].parent / "shared")
DEV_TEXT = SHARED / "benchmarks" / "article-extraction-dev" / "text"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "pages"


def reference(text: str) -> str | None:
    """langdetect itself, seeded as cleaner seeds it."""
    langdetect.DetectorFactory.seed = 0
    try:
        return langdetect.detect(text)
    except LangDetectException:
        return None


def page_samples() -> list[str]:
    paths = sorted(DEV_TEXT.glob("*")) + sorted(FIXTURES.glob("*.txt"))
    assert len(paths) >= 60, f"dev pages not found under {DEV_TEXT}"
    samples = []
    for path in paths:
        lines = [block.text for block in split_blocks(normalise(path.read_text(encoding="utf-8")))]
        samples.append(sample(lines))
        samples.append("\n".join(lines)[:600])  # a longer, chrome-heavy text too
    return samples


def test_same_answer_as_langdetect_on_real_pages() -> None:
    samples = page_samples()
    ours = [_detect_sample(text) for text in samples]
    assert ours == [reference(text) for text in samples]
    assert len(set(ours)) >= 6  # the dev pages are in many languages: the comparison covers more than English


def langdetect_walk(text: str) -> tuple[list[int], list[float]] | None:
    """langdetect's own n-grams (as rows of our table) and its averaged trial probabilities for `text`."""
    langdetect.DetectorFactory.seed = 0
    detector = langdetect.detector_factory._factory.create()  # type: ignore[union-attr]
    detector.append(text)
    detector.cleaning_text()
    grams = detector._extract_ngrams()
    if not grams:
        return None
    detector._detect_block()
    return [_profiles().row(gram) for gram in grams], detector.langprob


def ours_walk(text: str) -> tuple[list[int], list[float]] | None:
    rows = _ngram_rows(_detector_text(text), _profiles().words)
    return (rows, _trials(_profiles().matrix(rows)).tolist()) if rows else None


def test_same_ngrams_and_probabilities_bit_for_bit() -> None:
    reference("warm up langdetect's own factory")
    assert list(_profiles().languages) == langdetect.detector_factory._factory.get_lang_list()  # type: ignore[union-attr]
    samples = page_samples()[::3]
    for text in samples:
        assert ours_walk(text) == langdetect_walk(text), text[:80]


def test_walks_stop_once_the_answer_is_decided_and_it_is_the_same_answer() -> None:
    stopped_early = 0
    for text in page_samples()[::4]:
        rows = _ngram_rows(_detector_text(text), _profiles().words)
        if not rows:
            continue
        grams = _profiles().matrix(rows)
        full, partial = _trials(grams), _trials(grams, answer_only=True)
        assert int(partial.argmax()) == int(full.argmax())
        assert (partial.max() > 0.1) == (full.max() > 0.1)  # langdetect's threshold
        assert partial.sum() == pytest.approx(1.0) or partial.sum() < 6 / 7 + 1e-6  # all seven walks, or fewer
        stopped_early += partial.sum() < 0.99
    assert stopped_early >= 10  # the early stop is taken on real pages, not only allowed


def test_decided_needs_a_lead_the_remaining_walks_cannot_close() -> None:
    three_walks_in = np.array([0.25, 0.15, 0.02])  # a lead of 0.10 after three of seven walks: 4/7 still to come
    assert not _decided(three_walks_in, trials_left=4, trials=7)
    assert _decided(np.array([4 / 7, 0.0, 0.0]), trials_left=3, trials=7)
    assert not _decided(np.array([3 / 7, 0.0, 0.0]), trials_left=3, trials=7)  # a tie is still possible
    assert not _decided(np.array([0.09, 0.0, 0.0]), trials_left=0, trials=7)  # the leader is under the threshold
    assert _decided(np.array([0.5]), trials_left=0, trials=7)  # one language


WORDS = st.sampled_from(
    [
        *("the", "of", "and", "news", "Nachrichten", "und", "der", "le", "la", "et", "les", "noticias", "el"),
        *("notícias", "não", "и", "в", "новости", "ニュース", "の", "です", "新闻", "的", "뉴스", "의"),
        *("2024", "©", "|", "»", "—", "http://x.io"),
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=60).map(" ".join) | st.text(max_size=200))
def test_same_answer_as_langdetect_on_any_text(text: str) -> None:
    assert _detect_sample(text) == reference(text)
    reference("")
    assert ours_walk(text) == langdetect_walk(text)


def test_deterministic_and_none_without_letters() -> None:
    text = "Der Bundestag hat am Donnerstag über den Haushalt für das kommende Jahr beraten und abgestimmt."
    _detect_sample.cache_clear()
    first = detect_language([text])
    _detect_sample.cache_clear()
    assert detect_language([text]) == first == "de"
    assert detect_language(["12:30 — 2024 | © ..."]) is None
    assert detect_language([]) is None


@pytest.mark.parametrize("language, word", [("en", "the"), ("de", "und"), ("pt", "não"), ("ru", "и")])
def test_stop_lists_by_language(language: str, word: str) -> None:
    assert word in stopwords(language)
    assert stopwords("xx") == frozenset() and stopwords(None) == frozenset()


# --- the cache of langdetect's profiles ----------------------------------------------------------------------------


def _all_rows(profiles: object) -> dict[str, int]:
    """Every n-gram's row, group by group."""
    table = profiles.grams  # type: ignore[attr-defined]
    every = {}
    for end in table.group:
        every.update(table[end])
    return every


def _same_profiles(a: object, b: object) -> bool:
    return (
        a.languages == b.languages  # type: ignore[attr-defined]
        and _all_rows(a) == _all_rows(b)
        and all(
            getattr(a, name).tobytes() == getattr(b, name).tobytes()  # type: ignore[attr-defined]
            for name in ("starts", "columns", "values")
        )
    )


@pytest.fixture
def cache_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "cache"))
    _profiles.cache_clear()
    yield tmp_path / "cache"
    _profiles.cache_clear()


def test_profile_cache_gives_the_profiles_bit_for_bit(cache_in: Path) -> None:
    from cleaner.language import _read_entries

    entries = _read_entries()
    built = _profiles()  # from the files, and now written
    written = list(cache_in.glob("langdetect-profiles-*.npz"))
    assert len(written) == 1
    _profiles.cache_clear()
    cached = _profiles()
    assert _same_profiles(built, cached)
    assert len(_all_rows(cached)) == entries.row_count and cached.languages == entries.languages
    assert sorted(_all_rows(cached).values()) == list(range(entries.row_count))
    assert len(cached.values) == len(entries.probabilities) and (cached.values != 0).all()


def test_profile_cache_that_is_broken_or_unwritable_changes_nothing(cache_in: Path) -> None:
    reference = _profiles()
    (path,) = cache_in.glob("langdetect-profiles-*.npz")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # cut short
    _profiles.cache_clear()
    assert _same_profiles(_profiles(), reference)
    path.unlink()
    cache_in.rmdir()
    cache_in.write_text("a file where the cache folder should be")
    _profiles.cache_clear()
    assert _same_profiles(_profiles(), reference)


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="ab ", max_size=6), max_size=12))
def test_sample_is_the_longest_lines_in_page_order_first_of_equals(lines: list[str]) -> None:
    longest = sorted(range(len(lines)), key=lambda i: (-len(lines[i]), i))[:SAMPLE_LINES]
    assert sample(lines) == "\n".join(lines[i][:SAMPLE_CHARS_PER_LINE] for i in sorted(longest))


def test_every_profile_ngram_has_langdetects_probabilities() -> None:
    reference("warm up langdetect's own factory")
    table = langdetect.detector_factory._factory.word_lang_prob_map  # type: ignore[union-attr]
    grams = sorted(gram for gram in table if 1 <= len(gram) <= 3)
    profiles = _profiles()
    assert len(_all_rows(profiles)) == len(grams)
    picked = grams[:: max(1, len(grams) // 3000)]  # every script, a few thousand rows
    rows = [profiles.row(gram) for gram in picked]
    assert None not in rows
    assert profiles.matrix(rows).tolist() == [table[gram] for gram in picked]  # type: ignore[arg-type]
    assert profiles.row("\U0010fffd") is None and profiles.row("") is None


def test_profile_cache_whose_groups_do_not_hang_together_is_not_used(cache_in: Path) -> None:
    import numpy as np

    from cleaner.language import _load_entries

    _profiles()
    (path,) = cache_in.glob("langdetect-profiles-*.npz")
    assert _load_entries(path) is not None
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    offsets = arrays["group_offsets"].copy()
    offsets[len(offsets) // 2] += 1  # one group boundary a character off
    np.savez(path, **{**arrays, "group_offsets": offsets})
    assert _load_entries(path) is None
    _profiles.cache_clear()
    assert _profiles().row("the") is not None  # read from langdetect's files instead
