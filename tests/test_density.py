"""The density filter (`cleaner.filters.density`): its arithmetic on hand cases, and its behaviour on pages
whose prose and chrome no reasonable model could confuse. The shipped weights are being tuned, so nothing here
depends on a particular score."""

from __future__ import annotations

import base64
import itertools
import json
import math
import os
import pickle
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PIER_ARTICLE

from cleaner.blocks import split_blocks
from cleaner.document import Block
from cleaner.features import (
    _COPYRIGHT,
    _DIGIT,
    _URLISH,
    _WORD,
    BlockFeatures,
    _digits,
    _has_copyright,
    count_words,
    tokens,
)
from cleaner.filters.density import (
    STAGE2_WIDTH,
    DensityModel,
    LinearModel,
    TreeModel,
    classify_density,
    dense_runs,
    densest_run,
    page_features,
    shipped_model,
    stage1_vectors,
    stage2_vectors,
)
from cleaner.language import stopwords
from cleaner.normalise import normalise
from cleaner.page import Page

SHARED = Path(os.environ.get("CLEANER_SHARED") or Path(__file__).parents[1].parent / "shared")
DEV_TEXT = SHARED / "benchmarks" / "article-extraction-dev" / "text"
PROSE = PIER_ARTICLE
MENU = ["Harbour Chronicle", "Fleet", "Tides", "Markets", "Opinion", "Podcasts", "Subscribe"]
FOOTER = ["Tide tables · Contact the newsroom · Advertise with us", "© 2024 Harbour Chronicle Ltd"]


# ── densest_run ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("scores", "span"),
    [
        ([1.0, -2.0, 3.0, 4.0, -1.0, 2.0], (2, 6)),
        ([2.0, -1.0, 2.0], (0, 3)),
        ([-1.0, 5.0, -10.0, 4.0], (1, 2)),
        ([-3.0, -1.0, 2.5, -0.5, -4.0], (2, 3)),
        ([0.5], (0, 1)),
        ([-5.0, 1.0, 1.0, 1.0, -5.0], (1, 4)),
        ([1.0, 1.0, -1.5, 1.0, 1.0], (0, 5)),
        ([1.0, 1.0, -2.5, 1.0, 0.5], (0, 2)),
    ],
)
def test_densest_run_hand_cases(scores: list[float], span: tuple[int, int]) -> None:
    assert densest_run(scores) == span


@pytest.mark.parametrize("scores", [[], [-1.0], [-2.0, -0.5, -3.0], [0.0, 0.0], [-1.0, 0.0, -1.0]])
def test_densest_run_without_a_positive_sum_is_empty(scores: list[float]) -> None:
    assert densest_run(scores) == (0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20), max_size=25))
def test_densest_run_finds_the_maximum_sum(values: list[int]) -> None:
    scores = [float(v) for v in values]
    start, end = densest_run(scores)
    best = max([0.0] + [sum(scores[i:j]) for i in range(len(scores)) for j in range(i + 1, len(scores) + 1)])
    assert 0 <= start <= end <= len(scores)
    assert sum(scores[start:end]) == best


# ── dense_runs ──────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("scores", "share", "runs"),
    [
        # an article in two parts around a box of chrome: the second part holds half the first's evidence
        ([4.0, 4.0, -6.0, 2.0, 2.0], 0.3, [(0, 2), (3, 5)]),
        ([4.0, 4.0, -6.0, 2.0, 2.0], 0.6, [(0, 2)]),
        # a run on either side of the densest, the weak one left out
        ([1.0, -3.0, 5.0, -3.0, 2.0], 0.3, [(2, 3), (4, 5)]),
        ([2.0, -3.0, 5.0, -3.0, 1.0], 0.3, [(0, 1), (2, 3)]),
        ([-1.0, -2.0], 0.3, [(0, 0)]),
    ],
)
def test_dense_runs_hand_cases(scores: list[float], share: float, runs: list[tuple[int, int]]) -> None:
    assert dense_runs(scores, share) == runs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20), max_size=25), st.sampled_from([0.1, 0.3, 0.5, 1.0]))
def test_dense_runs_hold_the_densest_and_only_runs_dense_enough(values: list[int], share: float) -> None:
    scores = [float(v) for v in values]
    runs = dense_runs(scores, share)
    assert densest_run(scores) in runs
    best = sum(scores[slice(*densest_run(scores))])
    assert runs == sorted(runs)
    for (_, end), (start, _) in itertools.pairwise(runs):
        assert end <= start  # apart, in page order
    for start, end in runs:
        assert sum(scores[start:end]) >= share * best
    assert dense_runs(scores, float("inf")) == [densest_run(scores)]


# ── LinearModel ─────────────────────────────────────────────────────────────────────────────────────────────

TINY = LinearModel(mean=(1.0, 2.0), scale=(2.0, 4.0), weights=(3.0, -1.0), bias=0.5)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize(
    ("vector", "z"),
    [
        ((1.0, 2.0), 0.5),  # at the mean only the bias counts
        ((3.0, 6.0), 0.5 + 3.0 * 1.0 - 1.0 * 1.0),
        ((-1.0, 2.0), 0.5 - 3.0),
        ((1.0, 10.0), 0.5 - 2.0),
    ],
)
def test_linear_model_probability(vector: tuple[float, float], z: float) -> None:
    assert TINY.probability(vector) == pytest.approx(sigmoid(z))


def test_linear_model_is_monotone_in_its_weights() -> None:
    assert TINY.probability((2.0, 2.0)) > TINY.probability((1.0, 2.0)) > TINY.probability((0.0, 2.0))
    assert TINY.probability((1.0, 0.0)) > TINY.probability((1.0, 2.0)) > TINY.probability((1.0, 4.0))


def test_linear_model_extremes_stay_probabilities() -> None:
    high, low = TINY.probability((1e9, 0.0)), TINY.probability((-1e9, 0.0))
    assert 0.5 < high <= 1.0 and 0.0 <= low < 0.5
    assert not math.isnan(high) and not math.isnan(low)


def test_linear_model_rejects_a_vector_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        TINY.probability((1.0, 2.0, 3.0))


def test_linear_model_round_trips_through_a_dict() -> None:
    assert LinearModel.from_dict(TINY.to_dict()) == TINY


def test_shipped_model_loads() -> None:
    model = shipped_model()
    assert isinstance(model, DensityModel)
    assert 0.0 < model.threshold < 1.0
    assert model.threshold < model.keep_outside
    width = stage1_vectors(page_features([Block(0, 1, "x")], frozenset()), [(0, 0)]).shape[1]
    assert isinstance(model.stage1, TreeModel)  # what `make fit` ships
    assert model.stage1.width == width
    stage = model.stage2
    assert len(stage.mean) == len(stage.scale) == len(stage.weights) > 0
    assert all(s > 0 for s in stage.scale)


# ── TreeModel ───────────────────────────────────────────────────────────────────────────────────────────────

# x0 <= 1 ? (x1 <= 0 ? -1 : 2) : 3, plus a stump of 0.5.
TINY_TREES = {
    "kind": "trees",
    "width": 2,
    "feature": [0, 1, -1, -1, -1, -1],
    "threshold": [1.0, 0.0, 0, 0, 0, 0],
    "left": [1, 2, 0, 0, 0, 0],
    "right": [4, 3, 0, 0, 0, 0],
    "value": [0, 0, -1.0, 2.0, 3.0, 0.5],
    "roots": [0, 5],
}


def reference_scores(table: dict, rows: np.ndarray) -> np.ndarray:
    """The node table walked in plain Python, one row and one tree at a time."""
    scores = []
    for row in rows:
        total = 0.0
        for node in table["roots"]:
            while table["feature"][node] != -1:
                go_left = row[table["feature"][node]] <= table["threshold"][node]
                node = table["left"][node] if go_left else table["right"][node]
            total += table["value"][node]
        scores.append(total)
    return np.array(scores)


def test_trees_sum_the_leaves_each_row_reaches() -> None:
    model = TreeModel.from_dict(TINY_TREES)
    rows = np.array([[1.0, 0.0], [0.0, 0.1], [1.5, -9.0]])
    assert np.allclose(model.probabilities(rows), 1 / (1 + np.exp(-np.array([-0.5, 2.5, 3.5]))), atol=1e-15)
    assert model.probability([1.0, 0.0]) == pytest.approx(1 / (1 + math.exp(0.5)), abs=1e-15)
    with pytest.raises(ValueError):
        model.probabilities(np.zeros((2, 3)))


def test_the_shipped_trees_agree_with_a_plain_walk_of_their_table() -> None:
    first = shipped_model().stage1
    assert isinstance(first, TreeModel)
    rows = np.random.default_rng(5).normal(size=(300, first.width))
    expected = 1 / (1 + np.exp(-np.clip(reference_scores(first.columns(), rows), -12, 12)))
    assert np.allclose(first.probabilities(rows), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "change",
    [
        {"left": [0, 2, 0, 0, 0, 0]},  # a node that is its own child: the walk would never end
        {"feature": [7, 1, -1, -1, -1, -1]},  # a split on a feature the rows do not have
        {"right": [9, 3, 0, 0, 0, 0]},  # a child past the table
        {"roots": [0, 6]},
        {"value": [0, 0, float("nan"), 2.0, 3.0, 0.5]},
        {"threshold": [1.0, 0.0, 0]},  # columns of different lengths
    ],
)
def test_a_broken_node_table_is_refused_when_it_loads(change: dict) -> None:
    with pytest.raises(ValueError):
        TreeModel.from_dict(TINY_TREES | change)


def test_a_tree_model_packed_for_its_file_reads_back_the_same_table() -> None:
    model = TreeModel.from_dict(TINY_TREES)
    packed = model.to_dict()
    assert all(isinstance(packed[name], str) for name in ("feature", "threshold", "left", "right", "value", "roots"))
    again = TreeModel.from_dict(json.loads(json.dumps(packed)))
    assert again.columns() == {name: TINY_TREES[name] for name in again.columns()}
    rows = np.array([[1.0, 0.0], [0.0, 0.1], [1.5, -9.0]])
    assert again.probabilities(rows).tolist() == model.probabilities(rows).tolist()


def test_the_packed_columns_are_little_endian() -> None:
    packed = TreeModel.from_dict(TINY_TREES).to_dict()
    assert base64.b64decode(packed["feature"]) == struct.pack("<6i", 0, 1, -1, -1, -1, -1)
    assert base64.b64decode(packed["threshold"])[:8] == struct.pack("<d", 1.0)


@pytest.mark.parametrize("column", ["feature", "threshold", "roots"])
def test_a_damaged_packed_column_is_refused(column: str) -> None:
    packed = TreeModel.from_dict(TINY_TREES).to_dict()
    with pytest.raises(ValueError):
        TreeModel.from_dict(packed | {column: packed[column][:-4]})  # a value cut short
    with pytest.raises(ValueError):
        TreeModel.from_dict(packed | {column: "not base64!"})


def test_a_tree_model_crosses_to_a_worker_process() -> None:
    model = pickle.loads(pickle.dumps(TreeModel.from_dict(TINY_TREES)))
    assert model.probability([0.0, 0.1]) == pytest.approx(1 / (1 + math.exp(-2.5)))


# ── where a block stands on its page ────────────────────────────────────────────────────────────────────────


# As the core builds the rows (rust/src/density.rs).
CONTEXT_COLUMNS = 11  # the last columns of a stage-one row: where the block stands on its page
FAR_BLOCKS = 50
LONG_BLOCK_WORDS = 30


def test_page_context_counts_blocks_to_the_nearest_long_paragraph() -> None:
    long = "word " * LONG_BLOCK_WORDS
    texts = ["Home", long, "Share", "Tweet", long, "About us"]
    features = page_features([Block(i, i, text) for i, text in enumerate(texts)], frozenset())
    context = stage1_vectors(features, [(0, 0)] * len(texts))[:, -CONTEXT_COLUMNS:]
    up, down, between = context[:, 7], context[:, 8], context[:, 9]
    assert np.expm1(up).round().tolist() == [FAR_BLOCKS, FAR_BLOCKS, 1, 2, 3, 1]
    assert np.expm1(down).round().tolist() == [1, 3, 2, 1, FAR_BLOCKS, FAR_BLOCKS]
    assert between.tolist() == [0, 0, 1, 1, 0, 0]
    assert stage1_vectors([], []).shape[0] == 0


# ── the rows the core builds are the rows numpy built ───────────────────────────────────────────────────────
# The formulas as they were written with numpy before the core built the rows (the shipped model was fit on
# rows built this way): the reference the core must meet bit for bit.


def _numpy_window_means(values: np.ndarray, weights: np.ndarray, radius: int) -> np.ndarray:
    n = len(values)
    lo = np.maximum(np.arange(n) - radius, 0)
    hi = np.minimum(np.arange(n) + radius + 1, n)
    weighted = np.concatenate(([0.0], np.cumsum(values * weights)))
    total = np.concatenate(([0.0], np.cumsum(weights)))
    span = total[hi] - total[lo]
    return np.divide(weighted[hi] - weighted[lo], span, out=np.zeros(n), where=span != 0)


def _numpy_page_context(features: list[BlockFeatures]) -> np.ndarray:
    n = len(features)
    words, stop, ends = np.array([(f.words, f.stop_ratio, f.ends_sentence) for f in features], dtype=float).T
    log_words = np.log1p(words)
    index = np.arange(n)
    long_blocks = np.flatnonzero(words >= LONG_BLOCK_WORDS)
    padded = np.concatenate(([-FAR_BLOCKS], long_blocks, [n + FAR_BLOCKS]))
    up = np.minimum(index - padded[np.searchsorted(long_blocks, index, side="left")], FAR_BLOCKS)
    down = np.minimum(padded[np.searchsorted(long_blocks, index, side="right") + 1] - index, FAR_BLOCKS)
    ones = np.ones(n)
    running = np.cumsum(words)
    total = max(running[-1], 1.0)
    return np.column_stack(
        [
            log_words - np.median(log_words),
            log_words - log_words.max(),
            stop - (stop * words).sum() / max(words.sum(), 1.0),
            _numpy_window_means(log_words, ones, 5),
            _numpy_window_means(log_words, ones, 10),
            _numpy_window_means(ends, ones, 5),
            _numpy_window_means(stop, ones, 5),
            np.log1p(up),
            np.log1p(down),
            ((up < FAR_BLOCKS) & (down < FAR_BLOCKS)).astype(float),
            (running - words) / total,
        ]
    )


def _numpy_stage1(features: list[BlockFeatures], gaps: list[tuple[int, int]]) -> np.ndarray:
    n = len(features)
    neighbour = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    width = len(neighbour)
    rows = np.array([f.model_row for f in features], dtype=float).reshape(n, -1)
    views = np.empty((n + 4, width))
    views[:] = neighbour
    views[2 : 2 + n] = rows[:, -width:]
    around = [views[2 + offset : 2 + offset + n] for offset in (-2, -1, 1, 2)]
    position = np.arange(n, dtype=float) / max(1, n - 1)
    runs = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and features[j].bullet:
            j += 1
        runs[i:j] = [j - i] * (j - i)
        i = max(j, i + 1)
    removed = np.log1p(np.array(gaps, dtype=float).reshape(n, 2))
    extra = [position[:, None], np.log1p(np.array(runs, dtype=float))[:, None], removed]
    return np.hstack([rows[:, :-width], *around, *extra, _numpy_page_context(features)])


def _numpy_stage2(p: np.ndarray, features: list[BlockFeatures]) -> np.ndarray:
    n = len(features)
    words = np.array([f.words for f in features], dtype=float)
    log_words = np.log1p(words)
    start, end = densest_run(((p - 0.5) * log_words).tolist())  # region_scores at gap weight 1
    index = np.arange(n)
    inside = ((index >= start) & (index < end)).astype(float)
    distance = np.where(index < start, start - index, np.where(index >= end, index - end + 1, 0))
    weights = 1.0 + log_words
    return np.column_stack(
        [
            p,
            np.concatenate(([0.0], p[:-1])),
            np.concatenate((p[1:], [0.0])),
            _numpy_window_means(p, weights, 2),
            _numpy_window_means(p, weights, 5),
            inside,
            np.log1p(distance),
            (np.cumsum(words) - words) / (words.sum() or 1.0),
            log_words,
            np.array([float(f.ends_sentence) for f in features]),
            p * inside,
        ]
    )


def test_stage_two_rows_are_as_wide_as_said_even_for_no_blocks() -> None:
    features = page_features([Block(0, 0, "One line of text.")], frozenset())
    assert stage2_vectors([0.5], features).shape == (1, STAGE2_WIDTH)
    assert stage2_vectors([], []).shape == (0, STAGE2_WIDTH)


def _dev_pages() -> list[list[BlockFeatures]]:
    """The blocks of the dev text dumps (whole pages: many have more than 128 blocks, where numpy's sums split in
    halves), and all of them as one page of some thousands of blocks."""
    paths = sorted(DEV_TEXT.glob("*"))
    assert len(paths) >= 60, f"dev pages not found under {DEV_TEXT}"
    pages = []
    for path in paths:
        blocks = split_blocks(normalise(path.read_text(encoding="utf-8")))
        pages.append(page_features(blocks, stopwords("en")))
    return [*pages, [f for page in pages for f in page]]


def test_the_cores_rows_are_numpys_bit_for_bit_on_real_pages() -> None:
    rng = np.random.default_rng(5)
    model = shipped_model()
    for features in _dev_pages():
        gaps = [(int(a), int(b)) for a, b in rng.integers(0, 4, size=(len(features), 2))]
        first = stage1_vectors(features, gaps)
        assert np.array_equal(first, _numpy_stage1(features, gaps))
        p1 = model.stage1.probabilities(first)
        assert np.array_equal(stage2_vectors(p1.tolist(), features), _numpy_stage2(p1, features))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Home", "Share this", "word " * 31, PIER_ARTICLE[0], "- a bulleted item", ""]), max_size=300
    )
)
def test_the_cores_rows_are_numpys_bit_for_bit_on_any_page(texts: list[str]) -> None:
    features = page_features([Block(i, i, text) for i, text in enumerate(texts)], stopwords("en"))
    if not features:
        assert stage1_vectors(features, []).shape[0] == 0
        return
    gaps = [(i % 3, i % 2) for i in range(len(features))]
    assert np.array_equal(stage1_vectors(features, gaps), _numpy_stage1(features, gaps))
    p = np.linspace(0.01, 0.99, len(features))
    assert np.array_equal(stage2_vectors(p.tolist(), features), _numpy_stage2(p, features))


# ── classify_density, behaviour ─────────────────────────────────────────────────────────────────────────────


def page_of(lines: list[str]) -> Page:
    return Page(blocks=split_blocks(normalise("\n".join(lines))), language="en", stopwords=stopwords("en"))


def paragraphs(texts: list[str]) -> list[str]:
    return [line for text in texts for line in (text, "")]


def kept(page: Page) -> list[str]:
    return [block.text for block in page.kept()]


def assert_article_kept(page: Page, article: list[str]) -> None:
    """Every line of `article` is kept, in order, and no line of the menu is."""
    assert [text for text in kept(page) if text in article] == article
    assert not set(kept(page)) & set(MENU)


def test_keeps_the_prose_and_drops_the_menu_and_footer() -> None:
    page = page_of([*MENU, "", *paragraphs(PROSE), *FOOTER])
    classify_density(page)
    assert kept(page) == PROSE
    for block in page.blocks:
        if block.text in MENU + FOOTER:
            assert block.verdict is not None and block.verdict.startswith("density:")


def test_verdicts_are_density_reasons() -> None:
    page = page_of([*MENU, "", *paragraphs(PROSE), *FOOTER])
    classify_density(page)
    assert {block.verdict for block in page.blocks} <= {None, "density:boilerplate", "density:outside-article"}


def test_short_subheading_between_kept_paragraphs_is_kept() -> None:
    for subheading in ["What happens next", "COSTS RISE"]:
        page = page_of([*MENU, "", *paragraphs(PROSE[:3]), subheading, "", *paragraphs(PROSE[3:]), *FOOTER])
        classify_density(page)
        assert_article_kept(page, [*PROSE[:3], subheading, *PROSE[3:]])


def test_list_introduced_by_a_colon_inside_the_article_is_kept() -> None:
    listing = [
        "The ferry will call at these harbours this summer:",
        "June 9 – Oskarsholm, North Quay",
        "June 16 – Veldmark, Grain Pier",
        "June 23 – Brindlecombe, Old Basin",
        "July 2 – Saltness, Ferry Steps",
    ]
    page = page_of([*MENU, "", *paragraphs(PROSE[:3]), *listing, "", *paragraphs(PROSE[3:]), *FOOTER])
    classify_density(page)
    assert_article_kept(page, [*PROSE[:3], *listing, *PROSE[3:]])


def test_bulleted_list_introduced_by_a_colon_is_kept() -> None:
    listing = [
        "The board set out three conditions for the repairs:",
        "- the quay must reopen to small boats by June",
        "- the café owners must be paid for the trade they lose",
        "- the old steam crane must be kept as a monument",
    ]
    page = page_of([*MENU, "", *paragraphs(PROSE[:3]), *listing, "", *paragraphs(PROSE[3:]), *FOOTER])
    classify_density(page)
    assert_article_kept(page, [*PROSE[:3], *listing, *PROSE[3:]])


def test_blocks_removed_earlier_are_left_alone() -> None:
    page = page_of([*MENU, "", *paragraphs(PROSE)])
    page.blocks[0].verdict = "mine/logo"
    page.blocks[7].verdict = "mine/rule"  # a prose block a rule took: density must not bring it back
    classify_density(page)
    assert page.blocks[0].verdict == "mine/logo"
    assert page.blocks[7].verdict == "mine/rule"
    assert kept(page) == PROSE[1:]


def test_empty_page_and_page_with_nothing_kept() -> None:
    empty = page_of([])
    classify_density(empty)
    assert empty.blocks == []
    gone = page_of(MENU)
    for block in gone.blocks:
        block.verdict = "mine/menu"
    classify_density(gone)
    assert {block.verdict for block in gone.blocks} == {"mine/menu"}


# The link-likeness feature as first written; the shipped expression must find exactly what it finds.
URLISH_AS_DEFINED = re.compile(r"https?://|www\.|\.com\b|@\w|\b\w+\.(?:html?|php|aspx?)\b", re.IGNORECASE)


# The alphabets hold what the expressions spell, in both cases, with letters that fold into them ("ſ" into "s",
# the Kelvin sign into "k") and characters around them.
URL_LETTERS = list("ab.HTMLhtmlphpasxPHPSsCcOoMmWw/@ _1éç:-\u017f\u212a")


@settings(max_examples=600)
@given(st.text(alphabet=st.sampled_from(URL_LETTERS), max_size=40) | st.text(max_size=30))
def test_urlish_finds_what_its_definition_finds(text: str) -> None:
    assert bool(_URLISH.search(text)) == bool(URLISH_AS_DEFINED.search(text))


COPYRIGHT_AS_DEFINED = re.compile(r"©|\(c\)|copyright|all rights reserved", re.IGNORECASE)
COPYRIGHT_LETTERS = list("©()cCopyrightOPYRIGHTall rights reservedALLRESV\u017fx")


@settings(max_examples=600)
@given(
    st.lists(st.sampled_from(["copyright", "(c)", "all rights reserved", "©", "ALL RIGHTS", "ſ"]), max_size=3).map(
        "".join
    )
    | st.text(alphabet=st.sampled_from(COPYRIGHT_LETTERS), max_size=40)
)
def test_copyright_finds_what_its_definition_finds(text: str) -> None:
    assert bool(_COPYRIGHT.search(text)) == bool(COPYRIGHT_AS_DEFINED.search(text))


# ASCII text is measured by string methods, other text by the expressions: both must count alike.
ASCII_MIX = st.text(alphabet=st.characters(max_codepoint=127), max_size=60) | st.lists(
    st.sampled_from(["Copyright", "(C)", "ALL RIGHTS RESERVED", "x_1", "2024", "e-mail", " ", "\t", "__"]), max_size=6
).map("".join)


@settings(max_examples=600)
@given(ASCII_MIX | st.text(max_size=40))
def test_string_methods_measure_ascii_text_as_the_expressions_do(text: str) -> None:
    assert tokens(text) == _WORD.findall(text)
    if text.isascii():
        assert count_words.__wrapped__(text) == len(_WORD.findall(text))
    assert _digits(text) == len(_DIGIT.findall(text))
    assert _has_copyright(text) == bool(_COPYRIGHT.search(text))


def test_many_rows_are_scored_in_order() -> None:
    model = shipped_model().stage2
    rows = np.random.default_rng(3).normal(size=(1041, len(model.weights)))
    scored = model.probabilities(rows)
    assert scored.shape == (len(rows),)
    assert np.allclose(scored, [model.probability(list(row)) for row in rows], rtol=0, atol=1e-12)
