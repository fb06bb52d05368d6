"""The article-extraction benchmark's measure: token 4-gram shingles of a prediction against the gold text.

This reproduces, in our own code, the measure of the public article-extraction benchmark (Scrapinghub's
`evaluate.py`), which is the one `shared/README.md` quotes its figures in:

Tokens
    Maximal runs of Unicode word characters (the regular expression `\\w+`), case kept: ``"Don't stop!"`` is
    ``Don``, ``t``, ``stop``. Punctuation, whitespace and line breaks only separate tokens, so paragraph layout
    does not matter.

Shingles
    Every run of 4 consecutive tokens, counted as a multiset. A text with 1 to 3 tokens has exactly one shingle,
    made of all its tokens (so a short text is not invisible); a text without tokens has none.

One page
    For every shingle, ``tp += min(gold, pred)``, ``fp += max(0, pred - gold)``, ``fn += max(0, gold - pred)``
    (counts of that shingle in gold and in prediction). Then tp, fp and fn are divided by their sum so every
    page weighs the same however long it is; a page where both texts have no shingle keeps (0, 0, 0).
    The page's precision is ``tp / (tp + fp)`` and recall ``tp / (tp + fn)``, except that a page with
    ``fp == fn == 0`` scores 1 on both (perfect, including both texts empty) and a zero denominator scores 0.

Many pages
    Precision is the mean of the pages' precisions over the pages whose *prediction* has a shingle
    (``tp + fp > 0``); recall is the mean of the pages' recalls over the pages whose *gold* has a shingle
    (``tp + fn > 0``). So an empty prediction costs recall but is left out of precision, an empty gold
    (a page with no article) costs precision if something was predicted and is left out of recall, and a page
    where both are empty counts nowhere. F1 is the harmonic mean of those two averages, not an average of
    per-page F1s. Where the benchmark would fail (no page eligible for an average, or P + R == 0) the value
    here is 0.0.

The bootstrap confidence intervals of the benchmark's script are not part of this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

NGRAM = 4

_TOKEN = re.compile(r"\w+")

Shingle = tuple[str, ...]


def tokenize(text: str | None) -> list[str]:
    """The benchmark's tokens: runs of word characters, case kept."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = NGRAM) -> Counter[Shingle]:
    """The multiset of token n-grams of `text`; one shingle of every token when it has fewer than `n`."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _ratio(part: float, other: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    if part + other == 0:
        return 0.0
    return part / (part + other)


@dataclass(frozen=True)
class PageScore:
    """One page's share of true positives, false positives and false negatives (summing to 1, or all 0 when
    neither text has a shingle), and the precision, recall and F1 they give."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.fp, self.fp, self.fn)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.fn, self.fp, self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def has_prediction(self) -> bool:
        """Whether this page enters the precision average (the prediction has a shingle)."""
        return self.tp + self.fp > 0

    @property
    def has_gold(self) -> bool:
        """Whether this page enters the recall average (the gold has a shingle)."""
        return self.tp + self.fn > 0

    def to_dict(self) -> dict[str, float]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Scores:
    """The measure over many pages: macro-averaged precision and recall, and the F1 of those two.

    `pages` is how many pages were scored, `precision_pages` and `recall_pages` how many entered each average.
    """

    precision: float
    recall: float
    f1: float
    pages: int = 0
    precision_pages: int = 0
    recall_pages: int = 0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "f1": self.f1,
            "precision": self.precision,
            "recall": self.recall,
            "pages": self.pages,
            "precision_pages": self.precision_pages,
            "recall_pages": self.recall_pages,
        }


def page_scores(prediction: str | None, gold: str | None, n: int = NGRAM) -> PageScore:
    """Score one page's predicted text against its gold text (`None` counts as empty)."""
    pred = shingles(prediction, n)
    true = shingles(gold, n)
    tp = fp = fn = 0
    for key in pred.keys() | true.keys():
        p, t = pred[key], true[key]
        tp += min(p, t)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def aggregate(pages: Iterable[PageScore]) -> Scores:
    """Macro-average already computed page scores the way the benchmark does."""
    pages = list(pages)
    precisions = [page.precision for page in pages if page.has_prediction]
    recalls = [page.recall for page in pages if page.has_gold]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(pages), len(precisions), len(recalls))


def corpus_scores(pairs: Iterable[tuple[str | None, str | None]], n: int = NGRAM) -> Scores:
    """Score `(prediction, gold)` pairs, one per page."""
    return aggregate(page_scores(prediction, gold, n) for prediction, gold in pairs)


__all__ = ["NGRAM", "PageScore", "Scores", "aggregate", "corpus_scores", "page_scores", "shingles", "tokenize"]
