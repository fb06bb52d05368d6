"""Which of trafilatura's extractions of a page to keep, chosen by a scorer fit on the dev pages.

trafilatura runs in modes that find different amounts of a page: fast (its main extractor, the baseline rescue
and its recall retry), full (the same compared against its readability port and jusText, about half as much
again in time) and full with `favor_recall`. Fast mode is right on most pages; where it finds a scrap of a long
page (an FAQ's intro, an essay's standfirst) a fuller mode finds the rest, and where it finds the article the
fuller modes more often add chrome.

So fast mode runs first, and the model (`cleaner/models/html_choice.json`, written by `bench.fit_html_choice`)
says from what fast mode found and how much text the page has whether to run the fuller mode, and then, from
what both found, which to keep: a logistic score over a few length features, fit on the trafilatura-eval-dev
and article-extraction-dev pages and measured cross-validated by site.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .extract import Extracted, extract

# trafilatura's modes: name -> (fast, favor_recall).
MODES: dict[str, tuple[bool, bool]] = {"fast": (True, False), "full": (False, False), "recall": (False, True)}
MODEL_FILE = "html_choice.json"


@dataclass(frozen=True)
class ChoiceModel:
    """The choice between fast mode and one fuller mode (`alternative`).

    The fuller mode runs when fast mode found less than `gate_share` of the page's text or fewer than
    `gate_chars` characters; it is kept when `bias + weights . features(fast, fuller, page)` > 0."""

    alternative: str
    gate_share: float
    gate_chars: int
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChoiceModel:
        model = cls(
            alternative=str(data["alternative"]),
            gate_share=float(data["gate_share"]),
            gate_chars=int(data["gate_chars"]),
            weights=tuple(float(w) for w in data["weights"]),
            bias=float(data["bias"]),
        )
        if model.alternative not in MODES or len(model.weights) != len(FEATURES):
            raise ValueError(f"{MODEL_FILE}: not a model for these modes and features ({FEATURES})")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {
            "alternative": self.alternative,
            "gate_share": self.gate_share,
            "gate_chars": self.gate_chars,
            "features": list(FEATURES),
            "weights": list(self.weights),
            "bias": self.bias,
        }

    def gate(self, fast_chars: int, page_chars: int) -> bool:
        """Whether the fuller mode is worth running after fast mode found `fast_chars` characters."""
        return fast_chars < self.gate_chars or fast_chars < self.gate_share * page_chars

    def prefers_fuller(self, fast_chars: int, fuller_chars: int, page_chars: int) -> bool:
        values = features(fast_chars, fuller_chars, page_chars)
        score = self.bias + sum(w * x for w, x in zip(self.weights, values, strict=True))
        return score > 0


FEATURES = ("log_gain", "fast_share", "fuller_share", "log_fast", "log_fuller", "log_page")


def features(fast_chars: int, fuller_chars: int, page_chars: int) -> tuple[float, ...]:
    """What the choice is made on: how much more the fuller mode found, and how much of the page each found."""
    page = max(page_chars, 1)
    return (
        math.log((fuller_chars + 50) / (fast_chars + 50)),
        min(fast_chars / page, 2.0),
        min(fuller_chars / page, 2.0),
        math.log1p(fast_chars) / 10,
        math.log1p(fuller_chars) / 10,
        math.log1p(page_chars) / 10,
    )


@cache
def load_model() -> ChoiceModel:
    data = json.loads(resources.files("cleaner.models").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    return ChoiceModel.from_dict(data)


@dataclass(frozen=True)
class Choice:
    """The extraction kept, the mode that found it, and how many trafilatura runs the choice took."""

    extracted: Extracted | None
    mode: str
    extractions: int


def _chars(extracted: Extracted | None) -> int:
    return len(extracted.text) if extracted is not None else 0


def run_mode(tree: Any, url: str | None, mode: str, known: Extracted | None = None) -> Extracted | None:
    fast, recall = MODES[mode]
    return extract(tree, url, fast=fast, recall=recall, known=known)


def choose_extraction(tree: Any, url: str | None, page_chars: int, model: ChoiceModel | None = None) -> Choice:
    """Fast mode's extraction of a parsed page, or the fuller mode's where the model prefers it."""
    model = model or load_model()
    first = run_mode(tree, url, "fast")
    if not model.gate(_chars(first), page_chars):
        return Choice(first, "fast", 1)
    # The metadata does not depend on the mode: read once.
    fuller = run_mode(tree, url, model.alternative, known=first)
    if _chars(fuller) and model.prefers_fuller(_chars(first), _chars(fuller), page_chars):
        return Choice(fuller, model.alternative, 2)
    return Choice(first, "fast", 2)
