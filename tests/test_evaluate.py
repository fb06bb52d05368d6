"""The benchmark's measure (`cleaner.evaluate`), on small cases worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.evaluate import PageScore, aggregate, corpus_scores, page_scores, shingles, tokenize


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# ---------------------------------------------------------------------------------------------------- tokens


def test_tokens_are_runs_of_word_characters_with_case_kept():
    assert tokenize("Don't stop -- the U.S. (2019)!") == ["Don", "t", "stop", "the", "U", "S", "2019"]
    assert tokenize("café naïve_bar Ünïcode") == ["café", "naïve_bar", "Ünïcode"]
    assert tokenize("") == []
    assert tokenize(None) == []


def test_shingles_are_counted_token_4_grams():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    # "a b c d a b c d": abcd, bcda, cdab, dabc, abcd -> abcd twice
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    assert sum(shingles("a b c d a b c d").values()) == 5


def test_a_text_shorter_than_four_tokens_is_one_shingle_and_no_tokens_is_none():
    assert shingles("hello world") == {("hello", "world"): 1}
    assert shingles("  ...  ") == {}


# ---------------------------------------------------------------------------------------------------- one page


def test_identical_texts_score_one():
    score = page_scores("The cat sat on the mat today.", "The cat sat on the mat today.")
    assert (score.tp, score.fp, score.fn) == (1.0, 0.0, 0.0)
    assert score.precision == score.recall == score.f1 == 1.0


def test_layout_and_punctuation_do_not_matter():
    assert page_scores("The cat\n\nsat on, the mat.", "The  cat sat on the   mat").f1 == 1.0


def test_disjoint_texts_score_zero():
    score = page_scores("alpha beta gamma delta epsilon", "one two three four five")
    assert score.tp == 0.0
    assert close(score.fp, 0.5) and close(score.fn, 0.5)  # 2 fp shingles, 2 fn shingles
    assert score.precision == score.recall == score.f1 == 0.0


def test_case_matters():
    assert page_scores("The Cat sat down", "the cat sat down").f1 == 0.0


def test_known_partial_overlap():
    # gold: one two three four five six -> shingles 1234, 2345, 3456
    # pred: one two three four five     -> shingles 1234, 2345
    # tp = 2, fp = 0, fn = 1; normalised by 3: tp 2/3, fp 0, fn 1/3
    # precision = (2/3) / (2/3 + 0) = 1; recall = (2/3) / (2/3 + 1/3) = 2/3; F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    score = page_scores("one two three four five", "one two three four five six")
    assert close(score.tp, 2 / 3) and score.fp == 0.0 and close(score.fn, 1 / 3)
    assert score.precision == 1.0
    assert close(score.recall, 2 / 3)
    assert close(score.f1, 0.8)


def test_extra_text_costs_precision():
    # gold: a b c d e -> abcd, bcde; pred: a b c d e f g -> abcd, bcde, cdef, defg
    # tp 2, fp 2, fn 0 -> 1/2, 1/2, 0: precision 1/2, recall 1, F1 2/3
    score = page_scores("a b c d e f g", "a b c d e")
    assert close(score.precision, 0.5) and score.recall == 1.0 and close(score.f1, 2 / 3)


def test_repeated_shingles_are_counted_not_just_matched():
    # gold has abcd twice (5 shingles in all), pred once: tp 1, fp 0, fn 4 -> 0.2, 0, 0.8
    score = page_scores("a b c d", "a b c d a b c d")
    assert close(score.tp, 0.2) and close(score.fn, 0.8)
    assert score.precision == 1.0 and close(score.recall, 0.2)
    # and the other way round: the same story kept twice is half false positives
    twice = page_scores("x y z w x y z w", "x y z w")
    assert close(twice.precision, 0.2) and twice.recall == 1.0


def test_empty_prediction():
    score = page_scores("", "some gold text here")
    assert (score.tp, score.fp, score.fn) == (0.0, 0.0, 1.0)
    assert score.precision == score.recall == 0.0
    assert not score.has_prediction and score.has_gold


def test_empty_gold():
    score = page_scores("something was predicted", "")
    assert (score.tp, score.fp, score.fn) == (0.0, 1.0, 0.0)
    assert score.precision == score.recall == 0.0
    assert score.has_prediction and not score.has_gold


def test_both_empty_is_perfect_but_counts_nowhere():
    score = page_scores("", None)
    assert (score.tp, score.fp, score.fn) == (0.0, 0.0, 0.0)
    assert score.precision == score.recall == 1.0
    assert not score.has_prediction and not score.has_gold


# ---------------------------------------------------------------------------------------------------- many pages


def test_corpus_scores_macro_average_with_the_benchmarks_exclusions():
    pairs = [
        ("same text on both sides", "same text on both sides"),  # P 1, R 1
        ("one two three four five", "one two three four five six"),  # P 1, R 2/3
        ("", "gold the extractor missed entirely"),  # not in P; R 0
        ("predicted on a page without article", ""),  # P 0; not in R
        ("", ""),  # in neither
    ]
    # P = mean(1, 1, 0) = 2/3; R = mean(1, 2/3, 0) = 5/9; F1 = 2 * 2/3 * 5/9 / (2/3 + 5/9) = 20/33
    scores = corpus_scores(pairs)
    assert close(scores.precision, 2 / 3)
    assert close(scores.recall, 5 / 9)
    assert close(scores.f1, 20 / 33)
    assert (scores.pages, scores.precision_pages, scores.recall_pages) == (5, 3, 3)


def test_f1_is_of_the_averages_not_the_average_of_page_f1s():
    pages = [
        page_scores("a b c d e f g", "a b c d e"),
        page_scores("one two three four five", "one two three four five six"),
    ]
    # P = (1/2 + 1) / 2 = 3/4, R = (1 + 2/3) / 2 = 5/6, F1 = 2 * 3/4 * 5/6 / (3/4 + 5/6) = 15/19
    scores = aggregate(pages)
    assert close(scores.f1, 15 / 19)
    assert not close(scores.f1, (pages[0].f1 + pages[1].f1) / 2)


def test_long_pages_weigh_the_same_as_short_ones():
    long_page = ("word " * 5000, "word " * 5000 + " tail one two three")
    short_page = ("x y", "p q")
    scores = corpus_scores([long_page, short_page])
    assert close(scores.precision, 0.5)


def test_no_pages_scores_zero():
    scores = corpus_scores([])
    assert (scores.precision, scores.recall, scores.f1, scores.pages) == (0.0, 0.0, 0.0, 0)


def test_to_dict():
    data = page_scores("one two three four five", "one two three four five six").to_dict()
    assert set(data) == {"tp", "fp", "fn", "precision", "recall", "f1"}
    assert corpus_scores([("a", "a")]).to_dict()["f1"] == 1.0


# ---------------------------------------------------------------------------------------------------- properties

words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "Alpha", "x", "7"]), max_size=30)


@given(words, words)
def test_page_shares_sum_to_one_and_ratios_stay_in_range(pred: list[str], gold: list[str]):
    score = page_scores(" ".join(pred), " ".join(gold))
    total = score.tp + score.fp + score.fn
    assert close(total, 1.0) or (total == 0.0 and not pred and not gold)
    for value in (score.precision, score.recall, score.f1):
        assert 0.0 <= value <= 1.0


@given(words)
def test_a_text_scores_one_against_itself(tokens: list[str]):
    score = page_scores(" ".join(tokens), " ".join(tokens))
    assert score.precision == score.recall == score.f1 == 1.0


@given(words, words)
def test_swapping_prediction_and_gold_swaps_precision_and_recall(pred: list[str], gold: list[str]):
    a = page_scores(" ".join(pred), " ".join(gold))
    b = page_scores(" ".join(gold), " ".join(pred))
    assert close(a.precision, b.recall) and close(a.recall, b.precision)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_other_shingle_sizes(n: int):
    assert page_scores("a b c", "a b c", n=n).f1 == 1.0
    assert isinstance(page_scores("a", "b", n=n), PageScore)
