"""`make fit`'s per-page out-of-fold verdicts (`--pages-out`): one JSON line per page, the shingle figures of an
extraction or aggregator page, the snippet counts of a trafilatura-eval page (the run itself is `make fit`'s)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench.fit_density import write_page_verdicts
from bench.unseen import SnippetCounts
from cleaner.evaluate import page_scores


def test_each_page_gets_a_line_with_its_corpus_and_its_verdict(tmp_path: Path) -> None:
    gold = "the harbour authority voted on tuesday to allow dredging at night through the winter months"
    verdicts = {
        "extraction": [page_scores(gold, gold), page_scores("", gold)],
        "trafilatura": [SnippetCounts(tp=2, fn=1, fp=0, tn=3)],
    }
    keys = {"extraction": ["ext/a", "ext/b"], "trafilatura": ["traf/c"]}
    out = tmp_path / "pages.jsonl"
    write_page_verdicts(out, keys, verdicts)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {"corpus": "extraction", "page": "ext/a", "f1": 1.0, "precision": 1.0, "recall": 1.0},
        {"corpus": "extraction", "page": "ext/b", "f1": 0.0, "precision": 0.0, "recall": 0.0},
        {"corpus": "trafilatura", "page": "traf/c", "tp": 2, "fn": 1, "fp": 0, "tn": 3},
    ]


def _stump(feature: int, threshold: float, left: float, right: float) -> dict[str, object]:
    """One tree of LightGBM's `dump_model()`: a split on one feature and two leaves."""
    return {
        "split_feature": feature,
        "threshold": threshold,
        "decision_type": "<=",
        "missing_type": "None",
        "left_child": {"leaf_value": left},
        "right_child": {"leaf_value": right},
    }


def test_bagged_boosters_score_the_mean_of_their_margins() -> None:
    from bench.fit_density import bagged_table
    from cleaner.filters.density import TreeModel

    one = {"tree_info": [{"tree_structure": _stump(0, 0.5, -1.0, 2.0)}, {"tree_structure": _stump(1, 1.5, 0.5, -0.5)}]}
    two = {"tree_info": [{"tree_structure": _stump(1, 0.0, 3.0, -3.0)}]}
    model = TreeModel(bagged_table([one, two], width=2))
    rows = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.0, 2.0]])
    margins_one = np.where(rows[:, 0] <= 0.5, -1.0, 2.0) + np.where(rows[:, 1] <= 1.5, 0.5, -0.5)
    margins_two = np.where(rows[:, 1] <= 0.0, 3.0, -3.0)
    expected = 1.0 / (1.0 + np.exp(-(margins_one + margins_two) / 2))
    assert np.allclose(model.probabilities(rows), expected, atol=1e-12)
