"""`make fit`'s per-page out-of-fold verdicts (`--pages-out`): one JSON line per page, the shingle figures of an
extraction or aggregator page, the snippet counts of a trafilatura-eval page (the run itself is `make fit`'s)."""

from __future__ import annotations

import json
from pathlib import Path

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
