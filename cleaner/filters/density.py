"""Density filter: judge every block as prose or chrome by its own features and its neighbours'.

Two stages, in the spirit of jusText's context-sensitive classification, fit on labelled pages of many sites
(`make fit`, see docs/design.md) and shipped as data in `cleaner/models/density.json`:

1. Each block is scored on its own features (length, stop words in the page's language, sentence punctuation,
   capitals, digits, bullets, links, separators, repeats), the plain features of the blocks around it, and where
   it stands on its page (its length and stop words next to the page's, the text in a wider window, how far the
   nearest long paragraph is): gradient-boosted trees (`TreeModel`, evaluated by the compiled core), or a
   logistic model (`LinearModel`).
2. The stage-one scores of the neighbourhood are pooled (previous, next, windows of 2 and 5 blocks) and the
   article region is found as the densest run of prose (the maximum-sum run of word-weighted scores); each
   block is scored again on that context, by a logistic model.

The article region is the densest run of the second stage's scores, with any run on either side of it whose sum
reaches `SECOND_RUN_SHARE` of its own (`dense_runs`: an article in two parts around a box of chrome). Blocks outside
the region are dropped unless stage two is sure of them (`keep_outside`); inside it, blocks scoring under the
threshold are dropped, except short subheadings standing between kept paragraphs.
"""

from __future__ import annotations

import base64
import json
import math
import operator
import sys
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from .. import _core
from ..document import Block
from ..features import BlockFeatures, block_features, count_words, is_prose
from ..page import Page
from ..rules import fold

if TYPE_CHECKING:  # numpy is the fitter's (bench/fit_density.py): the text path builds its rows in the core
    import numpy as np

NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
SUBHEADING_MAX_WORDS = 12
MIN_LIST_ITEMS = 2
LIST_ITEM_MIN_WORDS = 3
LOGIT_CLIP = 12.0
# An article split by a box of chrome (a gallery, a form, a share bar) is two dense runs: a run on either side of
# the densest one whose sum reaches this share of its sum is article region too.
SECOND_RUN_SHARE = 0.3

# The rows both stages read are built by the compiled core (rust/src/density.rs, which says what each column is
# and how its sums match numpy's); its constants, for the reader: two blocks either side are seen through a view
# of 7 values (NO_NEIGHBOUR past the page's ends); a block of 30 words anchors the article, and the distance to
# one is counted up to 50 blocks; the page context is 11 columns, the second stage's row 11.


def removed_gaps(blocks: Sequence[Block]) -> list[tuple[int, int]]:
    """For each kept block, how many lines the earlier filters removed just above it and just below it.

    Chrome comes in boxes: a line right under an ad label or a share bar is more likely chrome than one
    between two paragraphs.
    """
    gaps = []
    for i, block in enumerate(blocks):
        above = block.index - (blocks[i - 1].index if i > 0 else -1) - 1
        below = (blocks[i + 1].index if i + 1 < len(blocks) else block.index + 1) - block.index - 1
        gaps.append((above, below))
    return gaps


@dataclass(frozen=True)
class BlockColumns:
    """What the two stages read of a page's blocks, a column each, made once per page."""

    rows: list[float]  # every block's `model_row`, one after the other
    words: list[float]
    stop: list[float]
    ends: list[float]
    bullet: list[bool]

    @classmethod
    def of(cls, features: Sequence[BlockFeatures]) -> BlockColumns:
        return cls(
            rows=[value for f in features for value in f.model_row],
            words=[float(f.words) for f in features],
            stop=[f.stop_ratio for f in features],
            ends=[float(f.ends_sentence) for f in features],
            bullet=[f.bullet for f in features],
        )


def stage1_table(columns: BlockColumns, gaps: Sequence[tuple[int, int]]) -> tuple[bytes, int]:
    """The first stage's rows, one per block, as float64 bytes (row-major) and their width: own features, the
    plain features of two blocks either side, the position, the run of bullets it is in, the lines removed above
    and below it, and where it stands on its page (its length and stop words next to the page's, the mean length,
    sentence ends and stop words in wider windows, how far the nearest long paragraph is above and below, the
    share of the page's words before it; not the page's size: in training small pages were mostly clean copies of
    articles, and the size stood in for that)."""
    return _core.density_stage1(
        rows=columns.rows,
        words=columns.words,
        stop=columns.stop,
        ends=columns.ends,
        bullet=columns.bullet,
        gaps=[float(gap) for pair in gaps for gap in pair],
    )


def stage1_vectors(features: Sequence[BlockFeatures], gaps: Sequence[tuple[int, int]]) -> np.ndarray:
    """`stage1_table` as a matrix, for the fitter."""
    import numpy as np

    table, width = stage1_table(BlockColumns.of(features), gaps)
    return np.frombuffer(table, dtype=np.float64).reshape(len(features), width)


def densest_run(scores: Sequence[float]) -> tuple[int, int]:
    """The [start, end) run with the largest sum (Kadane); (0, 0) when every score is negative."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def dense_runs(scores: Sequence[float], share: float) -> list[tuple[int, int]]:
    """The densest run, and on either side of it the densest runs whose sums reach `share` of its sum (an article
    in two parts around a box of chrome), in page order."""
    start, end = densest_run(scores)
    if end <= start:
        return [(start, end)]
    best = sum(scores[start:end])
    runs = [(start, end)]
    pending = [(0, start), (end, len(scores))]
    while pending:
        lo, hi = pending.pop()
        if hi <= lo:
            continue
        a, b = densest_run(scores[lo:hi])
        if b > a and sum(scores[lo + a : lo + b]) >= share * best:
            runs.append((lo + a, lo + b))
            pending += [(lo, lo + a), (lo + b, hi)]
    return sorted(runs)


def _in_runs(size: int, runs: Sequence[tuple[int, int]]) -> list[bool]:
    inside = [False] * size
    for start, end in runs:
        inside[start:end] = [True] * (end - start)
    return inside


def region_scores(probabilities: Sequence[float], words: Sequence[float], gap_weight: float = 1.0) -> list[float]:
    """Word-weighted evidence for the article: positive for likely prose, negative for likely chrome.

    `gap_weight` < 1 lets the region bridge a stretch of doubtful blocks (a list, a pull quote, an inline ad)
    between two parts of the article.
    """
    if len(probabilities) != len(words):
        raise ValueError(f"{len(probabilities)} probabilities for {len(words)} blocks")
    scores = [(p - 0.5) * math.log1p(count) for p, count in zip(probabilities, words, strict=True)]
    return [score if score > 0 else score * gap_weight for score in scores]


STAGE2_WIDTH = 11  # the values of a block's row in `stage2_table`


def stage2_table(probabilities: Sequence[float], columns: BlockColumns) -> bytes:
    """The second stage's rows, one per block, as float64 bytes: the pooled stage-one scores around it (previous,
    next, windows of 2 and 5 blocks weighted by length), and where it stands relative to the densest run."""
    start, end = densest_run(region_scores(probabilities, columns.words))  # (checks the lengths)
    return _core.density_stage2(
        probabilities=[float(p) for p in probabilities],
        words=columns.words,
        ends=columns.ends,
        start=start,
        end=end,
    )


def stage2_vectors(probabilities: Sequence[float], features: Sequence[BlockFeatures]) -> np.ndarray:
    """`stage2_table` as a matrix, for the fitter."""
    import numpy as np

    table = stage2_table(probabilities, BlockColumns.of(features))
    return np.frombuffer(table, dtype=np.float64).reshape(len(features), STAGE2_WIDTH)


@dataclass(frozen=True)
class LinearModel:
    """A standardised logistic model: p = sigmoid(bias + sum(w * (x - mean) / scale))."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    @cached_property
    def _folded(self) -> tuple[tuple[float, ...], float]:
        """The same model as one dot product: sum(w / s * x) + (bias - sum(w * m / s))."""
        slopes = tuple(w / s for w, s in zip(self.weights, self.scale, strict=True))
        return slopes, self.bias - sum(map(operator.mul, slopes, self.mean))

    def probabilities_of(self, table: bytes) -> list[float]:
        """`probability` of each row of a float64 table (row-major, as `stage2_table` gives), by the core: the dot
        products summed left to right."""
        return _logistic(self).probabilities(table, LOGIT_CLIP)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """`probability` of each row of a matrix (the fitter's), as the text path computes it."""
        import numpy as np

        if rows.shape[1] != len(self.weights):
            raise ValueError(f"the model reads {len(self.weights)} features, got {rows.shape[1]}")
        table = np.ascontiguousarray(rows, dtype=np.float64).tobytes()
        return np.asarray(self.probabilities_of(table), dtype=np.float64)

    def probability(self, vector: Sequence[float]) -> float:
        if len(vector) != len(self.weights):
            raise ValueError(f"the model reads {len(self.weights)} features, got {len(vector)}")
        return self.probabilities_of(array("d", vector).tobytes())[0]

    def to_dict(self) -> dict[str, object]:
        return {"mean": self.mean, "scale": self.scale, "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinearModel:
        return cls(
            mean=tuple(data["mean"]),  # type: ignore[arg-type]
            scale=tuple(data["scale"]),  # type: ignore[arg-type]
            weights=tuple(data["weights"]),  # type: ignore[arg-type]
            bias=float(data["bias"]),  # type: ignore[arg-type]
        )


@lru_cache(maxsize=8)
def _logistic(model: LinearModel) -> _core.Logistic:
    slopes, intercept = model._folded
    return _core.Logistic(list(slopes), intercept)


# The node table's columns and their array typecodes. The model file packs each column as base64 text of its
# little-endian values (as LightGBM's dump lists them, 18,000 nodes took longer to parse than a small page takes
# to clean); a table given as lists of numbers (a test's, the fitter's) is read too.
TREE_COLUMNS = {"feature": "i", "threshold": "d", "left": "I", "right": "I", "value": "d", "roots": "I"}
TREE_PACKING = "base64 of little-endian int32 (i), float64 (d), uint32 (I)"


def _swap_unless_little(column: array) -> array:
    """`column` between little-endian and this machine's order (swapping bytes is its own inverse), in place."""
    if sys.byteorder != "little":
        column.byteswap()
    return column


def _native_column(values: object, code: str) -> array:
    if isinstance(values, str):
        return _swap_unless_little(array(code, base64.b64decode(values, validate=True)))
    return array(code, values)  # type: ignore[arg-type]


class TreeModel:
    """Gradient-boosted trees as a node table (what `make fit` exports from LightGBM): p = sigmoid(sum of the
    leaves a row reaches). Evaluated by the compiled core; the table is checked there when the model loads."""

    def __init__(self, data: dict[str, object]) -> None:
        self.width = int(data["width"])  # type: ignore[call-overload]
        self._columns = {name: _native_column(data[name], code) for name, code in TREE_COLUMNS.items()}
        bytes_of = {name: column.tobytes() for name, column in self._columns.items()}
        self._ensemble = _core.TreeEnsemble(width=self.width, **bytes_of)

    def probabilities_of(self, table: bytes) -> list[float]:
        """`probability` of each row of a float64 table (row-major, as `stage1_table` gives)."""
        return self._ensemble.probabilities(table, LOGIT_CLIP)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """`probability` of each row of a matrix (the fitter's)."""
        import numpy as np

        if rows.shape[1] != self.width:
            raise ValueError(f"the model reads {self.width} features, got {rows.shape[1]}")
        table = np.ascontiguousarray(rows, dtype=np.float64).tobytes()
        return np.asarray(self.probabilities_of(table), dtype=np.float64)

    def probability(self, vector: Sequence[float]) -> float:
        return self.probabilities_of(array("d", vector).tobytes())[0]

    def columns(self) -> dict[str, list[float] | list[int]]:
        """The node table as lists of numbers."""
        return {name: column.tolist() for name, column in self._columns.items()}

    def to_dict(self) -> dict[str, object]:
        """The model file's form: the columns packed (`TREE_PACKING`)."""
        packed = {
            name: base64.b64encode(_swap_unless_little(array(column.typecode, column)).tobytes()).decode("ascii")
            for name, column in self._columns.items()
        }
        return {"kind": "trees", "width": self.width, "packing": TREE_PACKING, **packed}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TreeModel:
        return cls(data)

    def __reduce__(self) -> tuple[type[TreeModel], tuple[dict[str, object]]]:
        return TreeModel, (self.to_dict(),)


# Never reached by a probability: no block outside the article region is kept.
NEVER = 2.0


@dataclass(frozen=True)
class DensityModel:
    stage1: LinearModel | TreeModel
    stage2: LinearModel
    threshold: float
    gap_weight: float = 1.0
    keep_outside: float = NEVER  # a block outside the article region is kept when stage two gives it this much

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> DensityModel:
        first: dict[str, object] = data["stage1"]  # type: ignore[assignment]
        return cls(
            stage1=TreeModel.from_dict(first) if first.get("kind") == "trees" else LinearModel.from_dict(first),
            stage2=LinearModel.from_dict(data["stage2"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            gap_weight=float(data.get("gap_weight", 1.0)),  # type: ignore[arg-type]
            keep_outside=float(data.get("keep_outside", NEVER)),  # type: ignore[arg-type]
        )


@lru_cache(maxsize=1)
def shipped_model() -> DensityModel:
    text = (resources.files("cleaner") / "models" / "density.json").read_text(encoding="utf-8")
    return DensityModel.from_dict(json.loads(text))


def page_features(blocks: Sequence[Block], stopwords: frozenset[str]) -> list[BlockFeatures]:
    counts = Counter(fold(block.text) for block in blocks)
    return [
        block_features(block.text, stopwords, repeated=counts[fold(block.text)] > 1, blank_before=block.blank_before)
        for block in blocks
    ]


def _is_subheading(features: BlockFeatures) -> bool:
    return (
        0 < features.words <= SUBHEADING_MAX_WORDS
        and not features.meta
        and not features.bullet
        and not features.urlish
        and not features.ends_sentence
    )


def _list_spans(features: Sequence[BlockFeatures]) -> list[tuple[int, int]]:
    """(intro, end) of each list the text introduces: a line ending in a colon, then at least `MIN_LIST_ITEMS`
    lines that read like items of text rather than menu entries ("The tour dates:", "June 9 -- Tampa, FL")."""
    spans = []
    for i, f in enumerate(features):
        if not f.ends_colon:
            continue
        j = i + 1
        while j < len(features) and _is_list_item(features[j]):
            j += 1
        if j - (i + 1) >= MIN_LIST_ITEMS:
            spans.append((i, j))
    return spans


def _bridge_lists(scores: list[float], spans: list[tuple[int, int]]) -> list[float]:
    """A list inside the article must not split the article region in two: its lines count as neutral."""
    bridged = list(scores)
    for intro, end in spans:
        for i in range(intro, end):
            bridged[i] = max(bridged[i], 0.0)
    return bridged


def _keep_lists(keep: list[bool], spans: list[tuple[int, int]], start: int, end: int) -> None:
    """Keep a list (its intro line and items) that stands in the article region right under kept text."""
    for intro, stop in spans:
        if start <= intro < end and (keep[intro] or (intro > 0 and keep[intro - 1])):
            keep[intro:stop] = [True] * (stop - intro)


def _is_list_item(features: BlockFeatures) -> bool:
    return features.words >= LIST_ITEM_MIN_WORDS and not features.urlish and not features.copyright


def _best_paragraph(blocks: Sequence[Block], p2: Sequence[float], keep: list[bool]) -> tuple[int, int]:
    """When no block clears the threshold, a page that has real prose keeps its most article-like paragraph
    rather than nothing: an emptied article is worse than a doubtful one (and a page of one paragraph judged
    without context is exactly where the model doubts)."""
    prose = [i for i, block in enumerate(blocks) if is_prose(block.text)]
    if not prose:
        return 0, 0
    best = max(prose, key=lambda i: (p2[i], -i))
    keep[best] = True
    return best, best + 1


# A listing's own lines outside its cards are a header, a footer, a label or two. This many lines of at least
# CONTENT_LINE_WORDS words there that the model keeps are an article told in short lines (a calendar, standings,
# steps) with cards below it, not a listing.
LISTED_ARTICLE_LINES = 8
CONTENT_LINE_WORDS = 4


def classify_listing(page: Page, model: DensityModel | None = None) -> None:
    """Check a page the card parser called a listing: its lines outside the cards are weighed by the model, and
    when it keeps enough of them the page is an article (with those verdicts) and its cards the related ones."""
    chrome = [block for block in page.blocks if block.verdict == "listing:chrome"]
    for block in chrome:
        block.verdict = None
    classify_density(page, model)
    content = [block for block in page.kept() if count_words(block.text) >= CONTENT_LINE_WORDS]
    if len(content) >= LISTED_ARTICLE_LINES:
        page.listing = False
        return
    for block in chrome:
        block.verdict = "listing:chrome"


def classify_density(page: Page, model: DensityModel | None = None) -> None:
    """Mark the kept blocks that are chrome by density, with the reason `density:...`."""
    model = model or shipped_model()
    blocks = page.kept()
    if not blocks:
        return
    features = page_features(blocks, page.stopwords)
    columns = BlockColumns.of(features)
    table, _ = stage1_table(columns, removed_gaps(blocks))
    p1 = model.stage1.probabilities_of(table)
    p2 = model.stage2.probabilities_of(stage2_table(p1, columns))
    lists = _list_spans(features)
    runs = dense_runs(_bridge_lists(region_scores(p2, columns.words, model.gap_weight), lists), SECOND_RUN_SHARE)
    inside = _in_runs(len(p2), runs)
    keep = [(inside[i] and p >= model.threshold) or p >= model.keep_outside for i, p in enumerate(p2)]
    if not any(keep):
        runs = [_best_paragraph(blocks, p2, keep)]
        inside = _in_runs(len(p2), runs)
    start, end = runs[0][0], runs[-1][1]
    _keep_lists(keep, lists, start, end)
    # A short subheading between two kept paragraphs belongs to the article ("US FALLS", "Background").
    for i in range(start + 1, end - 1):
        if not keep[i] and keep[i - 1] and keep[i + 1] and _is_subheading(features[i]):
            keep[i] = True
    for i, block in enumerate(blocks):
        if not keep[i]:
            block.verdict = "density:boilerplate" if inside[i] else "density:outside-article"
