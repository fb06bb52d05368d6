"""Fit the density model's weights on labelled pages: `python -m bench.fit_density --shared ../shared`.

Each dev page's naive text dump is prepared exactly as `cleaner.clean` prepares it (normalise, blocks, rule
packs, teaser cards); each remaining block is labelled article (most of its token 4-grams are in the gold text)
or chrome, and weighted by its tokens over the page's so every page counts the same, as in the benchmark's
macro average. Stage one is a weighted L2 logistic regression on the block's own and neighbours' features;
stage two is fit on *out-of-fold* stage-one scores (so it learns how far to trust stage one on unseen pages).

The figure to trust is the cross-validated one: pages are split into folds, each fold cleaned by models fit on
the other folds. The threshold is chosen on those out-of-fold runs, then both stages are refit on all pages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.describe import describe
from cleaner.evaluate import corpus_scores, shingles, tokenize
from cleaner.features import BlockFeatures
from cleaner.filters.density import (
    DensityModel,
    LinearModel,
    classify_density,
    page_features,
    stage1_vectors,
    stage2_vectors,
)
from cleaner.filters.header import find_header
from cleaner.options import Options
from cleaner.pipeline import prepare
from cleaner.rules import fold

FOLDS = 5
SEED = 13
L2 = 1.0
THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(9)]


@dataclass
class Sample:
    key: str
    text: str
    gold: str
    features: list[BlockFeatures]
    x1: np.ndarray
    y: np.ndarray
    w: np.ndarray


def _labels(blocks, gold: str) -> tuple[np.ndarray, np.ndarray]:
    gold_grams = set(shingles(gold))
    gold_lines = {fold(line) for line in gold.split("\n") if line.strip()}
    labels, tokens = [], []
    for block in blocks:
        toks = tokenize(block.text)
        tokens.append(len(toks))
        if len(toks) >= 4:
            grams = shingles(block.text)
            inside = sum(count for gram, count in grams.items() if gram in gold_grams)
            labels.append(inside / sum(grams.values()) >= 0.5)
        else:
            labels.append(fold(block.text) in gold_lines)
    y = np.array(labels, dtype=float)
    t = np.array(tokens, dtype=float) + 1.0
    return y, t / t.sum()


def load_samples(dev: Path, opts: Options) -> list[Sample]:
    samples = []
    for path in sorted((dev / "text").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        gold = (dev / "gold" / path.name).read_text(encoding="utf-8")
        page = prepare(text, opts)
        blocks = page.kept()
        if not blocks:
            continue
        features = page_features(blocks, page.stopwords)
        y, w = _labels(blocks, gold)
        samples.append(Sample(path.stem, text, gold, features, np.array(stage1_vectors(features)), y, w))
    return samples


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> LinearModel:
    """Weighted logistic regression with an L2 penalty (not on the bias), by Newton's method."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = w * len(w) / w.sum()  # mean weight 1, so the penalty means the same whatever the data size
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (w * (y - p)) - penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-7:
            break
    return LinearModel(tuple(mean.tolist()), tuple(scale.tolist()), tuple(beta[1:].tolist()), float(beta[0]))


def _stack(samples: list[Sample], attr: str) -> np.ndarray:
    return np.concatenate([getattr(s, attr) for s in samples])


def _stage1_probabilities(model: LinearModel, sample: Sample) -> list[float]:
    return [model.probability(v) for v in sample.x1.tolist()]


def _stage2_matrix(sample: Sample, p1: list[float]) -> np.ndarray:
    return np.array(stage2_vectors(p1, sample.features))


def _folds(n: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    return [sorted(order[i::FOLDS]) for i in range(FOLDS)]


def clean_text(sample: Sample, model: DensityModel, opts: Options) -> str:
    page = prepare(sample.text, opts)
    if not page.listing:
        classify_density(page, model)
    find_header(page)
    return describe(page).text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("cleaner/models/density.json"))
    parser.add_argument("--pack", action="append", help="shipped packs to prepare with (default: the defaults)")
    args = parser.parse_args(argv)
    opts = Options(packs=tuple(args.pack)) if args.pack else Options()
    dev = args.shared / "benchmarks" / "article-extraction-dev"
    samples = load_samples(dev, opts)
    blocks, article = sum(len(s.y) for s in samples), int(sum(s.y.sum() for s in samples))
    print(f"{len(samples)} pages, {blocks} blocks, {article} article")

    folds = _folds(len(samples))
    oof_p1: dict[int, list[float]] = {}
    for test in folds:
        train = [samples[i] for i in range(len(samples)) if i not in test]
        m1 = fit_logistic(_stack(train, "x1"), _stack(train, "y"), _stack(train, "w"))
        for i in test:
            oof_p1[i] = _stage1_probabilities(m1, samples[i])
    x2 = {i: _stage2_matrix(s, oof_p1[i]) for i, s in enumerate(samples)}

    cv_predictions: dict[float, list[tuple[str, str]]] = {t: [] for t in THRESHOLDS}
    for test in folds:
        train_idx = [i for i in range(len(samples)) if i not in test]
        train = [samples[i] for i in train_idx]
        m1 = fit_logistic(_stack(train, "x1"), _stack(train, "y"), _stack(train, "w"))
        # Stage two of this fold learns from stage-one scores its training pages got out of fold.
        m2 = fit_logistic(
            np.concatenate([x2[i] for i in train_idx]), _stack(train, "y"), _stack(train, "w")
        )
        for threshold in THRESHOLDS:
            model = DensityModel(m1, m2, threshold)
            for i in test:
                cv_predictions[threshold].append((clean_text(samples[i], model, opts), samples[i].gold))

    results = {t: corpus_scores(pairs) for t, pairs in cv_predictions.items()}
    for t, s in results.items():
        print(f"  threshold {t:.2f}: CV F1 {s.f1:.4f}  P {s.precision:.4f}  R {s.recall:.4f}")
    best = max(THRESHOLDS, key=lambda t: (results[t].f1, -abs(t - 0.5)))
    print(f"chosen threshold {best:.2f}: cross-validated F1 {results[best].f1:.4f}")

    m1 = fit_logistic(_stack(samples, "x1"), _stack(samples, "y"), _stack(samples, "w"))
    m2 = fit_logistic(np.concatenate([x2[i] for i in range(len(samples))]), _stack(samples, "y"), _stack(samples, "w"))
    model = {
        "about": "Density model of cleaner, fit by bench/fit_density.py on the article-extraction dev pages.",
        "pages": len(samples),
        "cross_validated": {
            "folds": FOLDS,
            "f1": round(results[best].f1, 4),
            "precision": round(results[best].precision, 4),
            "recall": round(results[best].recall, 4),
        },
        "threshold": best,
        "stage1": m1.to_dict(),
        "stage2": m2.to_dict(),
    }
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
