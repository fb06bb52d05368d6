"""Language detection: langdetect's answer, computed faster by the compiled core, and the stop lists it picks."""

from __future__ import annotations

import os
from pathlib import Path

import langdetect
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect.lang_detect_exception import LangDetectException

from cleaner._core import Language
from cleaner.blocks import split_blocks
from cleaner.language import (
    SAMPLE_CHARS_PER_LINE,
    SAMPLE_LINES,
    _detect_sample,
    _detector,
    _detector_text,
    detect_language,
    detector_input,
    profile_paths,
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
    """langdetect's own n-grams (as rows of the core's table) and its averaged trial probabilities for `text`."""
    langdetect.DetectorFactory.seed = 0
    detector = langdetect.detector_factory._factory.create()  # type: ignore[union-attr]
    detector.append(text)
    detector.cleaning_text()
    grams = detector._extract_ngrams()
    if not grams:
        return None
    detector._detect_block()
    return [_detector().row(gram.encode("utf-8", "surrogatepass")) for gram in grams], detector.langprob


def ours_walk(text: str) -> tuple[list[int], list[float]] | None:
    rows = _detector().ngram_rows(detector_input(text))
    return (rows, _detector().probabilities(rows, answer_only=False)) if rows else None


def test_same_ngrams_and_probabilities_bit_for_bit() -> None:
    reference("warm up langdetect's own factory")
    assert _detector().languages == langdetect.detector_factory._factory.get_lang_list()  # type: ignore[union-attr]
    samples = page_samples()[::3]
    for text in samples:
        assert ours_walk(text) == langdetect_walk(text), text[:80]


def test_walks_stop_once_the_answer_is_decided_and_it_is_the_same_answer() -> None:
    stopped_early = 0
    for text in page_samples()[::4]:
        rows = _detector().ngram_rows(detector_input(text))
        if not rows:
            continue
        full = _detector().probabilities(rows, answer_only=False)
        partial = _detector().probabilities(rows, answer_only=True)
        best = max(range(len(full)), key=full.__getitem__)  # the first of equals
        assert max(range(len(partial)), key=partial.__getitem__) == best
        assert (max(partial) > 0.1) == (full[best] > 0.1)  # langdetect's threshold
        assert sum(partial) == pytest.approx(1.0) or sum(partial) < 6 / 7 + 1e-6  # all seven walks, or fewer
        stopped_early += sum(partial) < 0.99
    assert stopped_early >= 10  # the early stop is taken on real pages, not only allowed


def test_a_capital_rusts_unicode_knows_and_pythons_does_not_is_judged_as_python_does() -> None:
    """U+A7CB (a capital from Unicode 16) is upper case to Rust and not to Python 3.11: langdetect's window, which
    skips the rest of a word after two capitals, must take "B" after it, as langdetect does."""
    rams_horn = "\ua7cb"
    assert Language.rust_upper(ord(rams_horn))
    text = f"Ther{rams_horn}B is the B{rams_horn}B thing and the other the"
    assert ours_walk(text) == langdetect_walk(text)
    assert _detect_sample(text) == reference(text)


def test_lone_surrogates_are_read_as_langdetect_reads_them() -> None:
    text = "Die Regierung hat \ud800 am Donnerstag den Haushalt beschlossen \udfff und"
    assert ours_walk(text) == langdetect_walk(text)
    assert _detect_sample(text) == reference(text) == "de"


@pytest.mark.parametrize("text", ["A\u03a1\u044a\u1e00", "A\u0302\u0300\u1e00"])
def test_latin_extended_additional_counts_as_non_latin_as_in_langdetect(text: str) -> None:
    """langdetect's text cleaning means to leave U+1E00-1EFF out of its non-Latin count but never does (it compares
    a block number with a block name): here they tip the count, and the Latin letter is taken out."""
    assert ours_walk(text) == langdetect_walk(text)
    assert _detect_sample(text) == reference(text)
    assert "A" not in _detector_text(text)


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


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300))
def test_same_walk_as_langdetect_on_text_of_any_script(text: str) -> None:
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


# --- langdetect's profiles, as the core reads them -----------------------------------------------------------------


def test_the_profiles_are_the_installed_langdetects_in_its_order() -> None:
    reference("warm up langdetect's own factory")
    factory = langdetect.detector_factory._factory  # type: ignore[union-attr]
    assert [os.path.basename(path) for path in profile_paths()] == factory.get_lang_list()
    assert _detector().row_count == sum(1 <= len(gram) <= 3 for gram in factory.word_lang_prob_map)


def test_profiles_missing_or_broken_are_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "xx"
    broken.write_text('{"freq": {"a": 1}, "n_words": [1, 0, 0]', encoding="utf-8")  # cut short
    settings = {"seed": 0, "trials": 7, "alpha": 0.5, "alpha_width": 0.05, "base_freq": 10000.0}
    settings |= {"conv_threshold": 0.99999, "iteration_limit": 1000, "prob_threshold": 0.1, "compensated_sum": False}
    with pytest.raises(ValueError, match="xx"):
        Language([str(broken)], **settings)
    with pytest.raises(ValueError, match="missing"):
        Language([str(tmp_path / "missing")], **settings)
    with pytest.raises(ValueError, match="no language profiles"):
        Language([], **settings)


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="ab ", max_size=6), max_size=12))
def test_sample_is_the_longest_lines_in_page_order_first_of_equals(lines: list[str]) -> None:
    longest = sorted(range(len(lines)), key=lambda i: (-len(lines[i]), i))[:SAMPLE_LINES]
    assert sample(lines) == "\n".join(lines[i][:SAMPLE_CHARS_PER_LINE] for i in sorted(longest))


def test_every_profile_ngram_has_langdetects_probabilities() -> None:
    reference("warm up langdetect's own factory")
    table = langdetect.detector_factory._factory.word_lang_prob_map  # type: ignore[union-attr]
    grams = sorted(gram for gram in table if 1 <= len(gram) <= 3)
    core = _detector()
    assert core.row_count == len(grams)
    picked = grams[:: max(1, len(grams) // 3000)]  # every script, a few thousand rows
    rows = [core.row(gram.encode("utf-8")) for gram in picked]
    assert None not in rows
    assert [core.profile(row) for row in rows] == [table[gram] for gram in picked]
    assert core.row("\U0010fffd".encode()) is None and core.row(b"") is None and core.row(b"abcd") is None
