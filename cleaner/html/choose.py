"""Which of trafilatura's extractions of a page to keep, chosen by a rule fit on the dev pages.

trafilatura runs in modes that find different amounts of a page: fast (its main extractor, the baseline rescue
and its recall retry), full (the same compared against its readability port and jusText; about half as much
again in time) and full with `favor_recall`. Fast mode is right on most pages; where it finds a scrap of a long
page (an FAQ's intro, an essay's standfirst) a fuller mode finds the rest, and where it finds the article the
fuller modes as often add chrome as article.

So fast mode runs first, and the model (`cleaner/models/html_choice.json`, written by `bench.fit_html_choice`,
which reports it cross-validated by site) says when to run a fuller mode (fast mode found fewer than
`gate_chars` characters, or under `gate_share` of the page's text) and when to keep what that found (at least
`min_ratio` times as much as fast mode). A logistic score over length features was tried in its place and did
no better out of sample: on the dev pages the two modes differ on a few dozen pages only.
"""

from __future__ import annotations

import json
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
    """When to run the fuller mode `alternative` after fast mode, and when to keep what it finds."""

    alternative: str
    gate_share: float
    gate_chars: int
    min_ratio: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChoiceModel:
        model = cls(
            alternative=str(data["alternative"]),
            gate_share=float(data["gate_share"]),
            gate_chars=int(data["gate_chars"]),
            min_ratio=float(data["min_ratio"]),
        )
        if model.alternative not in MODES or model.alternative == "fast":
            raise ValueError(f"{MODEL_FILE}: unknown fuller mode {model.alternative!r} (one of {list(MODES)[1:]})")
        return model

    def to_dict(self) -> dict[str, Any]:
        return {
            "alternative": self.alternative,
            "gate_share": self.gate_share,
            "gate_chars": self.gate_chars,
            "min_ratio": self.min_ratio,
        }

    def gate(self, fast_chars: int, page_chars: int) -> bool:
        """Whether the fuller mode is worth running after fast mode found `fast_chars` characters."""
        return fast_chars < self.gate_chars or fast_chars < self.gate_share * page_chars

    def keeps_fuller(self, fast_chars: int, fuller_chars: int) -> bool:
        return fuller_chars > 0 and fuller_chars >= self.min_ratio * fast_chars


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
    """trafilatura in one of `MODES` over a parsed page; `known`: an earlier run's metadata, not read again."""
    fast, recall = MODES[mode]
    return extract(tree, url, fast=fast, recall=recall, known=known)


def choose_extraction(tree: Any, url: str | None, page_chars: int, model: ChoiceModel | None = None) -> Choice:
    """Fast mode's extraction of a parsed page, or the fuller mode's where the model says so."""
    model = model or load_model()
    first = run_mode(tree, url, "fast")
    if not model.gate(_chars(first), page_chars):
        return Choice(first, "fast", 1)
    fuller = run_mode(tree, url, model.alternative, known=first)  # the metadata does not depend on the mode
    if model.keeps_fuller(_chars(first), _chars(fuller)):
        return Choice(fuller, model.alternative, 2)
    return Choice(first, "fast", 2)
