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
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner.evaluate import corpus_scores, shingles, tokenize
from cleaner.features import BlockFeatures
from cleaner.filters.density import (
    DensityModel,
    LinearModel,
    page_features,
    removed_gaps,
    stage1_vectors,
    stage2_vectors,
)
from cleaner.options import Options
from cleaner.pipeline import clean_once, prepare
from cleaner.rules import fold

FOLDS = 5
SEED = 13
L2 = 1.0
THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(9)]
GAP_WEIGHTS = [1.0, 0.6, 0.35, 0.2]
# How much an already-clean copy of a page weighs in training, next to the page itself.
CLEAN_WEIGHT = float(os.environ.get("CLEANER_FIT_CLEAN_WEIGHT", "0.3"))


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


def _sample(key: str, text: str, gold: str, opts: Options) -> Sample | None:
    page = prepare(text, opts)
    blocks = page.kept()
    if not blocks:
        return None
    features = page_features(blocks, page.stopwords)
    y, w = _labels(blocks, gold)
    return Sample(key, text, gold, features, np.array(stage1_vectors(features, removed_gaps(blocks))), y, w)


def load_samples(dev: Path, opts: Options) -> tuple[list[Sample], list[Sample]]:
    """The dev pages, and the same pages already clean (their gold text as the input).

    Training on clean pages too teaches the model that an article's first and last paragraphs are article even
    where nothing surrounds them, which is what makes cleaning its own output change nothing.
    """
    pages, clean_pages = [], []
    for path in sorted((dev / "text").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        gold = (dev / "gold" / path.name).read_text(encoding="utf-8")
        page, clean = _sample(path.stem, text, gold, opts), _sample(path.stem, gold, gold, opts)
        if page is not None and clean is not None:
            clean.w *= CLEAN_WEIGHT
            pages.append(page)
            clean_pages.append(clean)
    return pages, clean_pages


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


def _training(samples: list[Sample], clean_samples: list[Sample], test: list[int]) -> list[Sample]:
    """The pages outside the test fold, then their clean copies (the order `_stage2_inputs` stacks in)."""
    train_idx = [i for i in range(len(samples)) if i not in test]
    return [samples[i] for i in train_idx] + [clean_samples[i] for i in train_idx]


def _stage2_inputs(x2: dict[int, np.ndarray], x2_clean: dict[int, np.ndarray], idx: list[int]) -> np.ndarray:
    return np.concatenate([x2[i] for i in idx] + [x2_clean[i] for i in idx])


def _folds(n: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    return [sorted(order[i::FOLDS]) for i in range(FOLDS)]


def clean_text(sample: Sample, model: DensityModel, opts: Options) -> str:
    return clean_once(sample.text, opts, model).text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("cleaner/models/density.json"))
    parser.add_argument("--pack", action="append", help="shipped packs to prepare with (default: the defaults)")
    args = parser.parse_args(argv)
    opts = Options(packs=tuple(args.pack)) if args.pack else Options()
    dev = args.shared / "benchmarks" / "article-extraction-dev"
    samples, clean_samples = load_samples(dev, opts)
    blocks, article = sum(len(s.y) for s in samples), int(sum(s.y.sum() for s in samples))
    print(f"{len(samples)} pages, {blocks} blocks, {article} article")

    folds = _folds(len(samples))
    oof_p1: dict[int, list[float]] = {}
    oof_clean_p1: dict[int, list[float]] = {}
    for test in folds:
        train = _training(samples, clean_samples, test)
        m1 = fit_logistic(_stack(train, "x1"), _stack(train, "y"), _stack(train, "w"))
        for i in test:
            oof_p1[i] = _stage1_probabilities(m1, samples[i])
            oof_clean_p1[i] = _stage1_probabilities(m1, clean_samples[i])
    x2 = {i: _stage2_matrix(s, oof_p1[i]) for i, s in enumerate(samples)}
    x2_clean = {i: _stage2_matrix(s, oof_clean_p1[i]) for i, s in enumerate(clean_samples)}

    grid = [(t, g) for t in THRESHOLDS for g in GAP_WEIGHTS]
    cv_predictions: dict[tuple[float, float], list[tuple[str, str]]] = {key: [] for key in grid}
    for test in folds:
        train_idx = [i for i in range(len(samples)) if i not in test]
        train = _training(samples, clean_samples, test)
        m1 = fit_logistic(_stack(train, "x1"), _stack(train, "y"), _stack(train, "w"))
        # Stage two of this fold learns from stage-one scores its training pages got out of fold.
        m2 = fit_logistic(_stage2_inputs(x2, x2_clean, train_idx), _stack(train, "y"), _stack(train, "w"))
        for threshold, gap in grid:
            model = DensityModel(m1, m2, threshold, gap)
            for i in test:
                cv_predictions[threshold, gap].append((clean_text(samples[i], model, opts), samples[i].gold))

    results = {key: corpus_scores(pairs) for key, pairs in cv_predictions.items()}
    for (t, g), s in results.items():
        print(f"  threshold {t:.2f} gap {g:.2f}: CV F1 {s.f1:.4f}  P {s.precision:.4f}  R {s.recall:.4f}")
    best = max(grid, key=lambda key: (round(results[key].f1, 4), -abs(key[0] - 0.5), key[1]))
    print(f"chosen threshold {best[0]:.2f}, gap weight {best[1]:.2f}: cross-validated F1 {results[best].f1:.4f}")

    everything = _training(samples, clean_samples, [])
    m1 = fit_logistic(_stack(everything, "x1"), _stack(everything, "y"), _stack(everything, "w"))
    all_idx = list(range(len(samples)))
    m2 = fit_logistic(_stage2_inputs(x2, x2_clean, all_idx), _stack(everything, "y"), _stack(everything, "w"))
    model = {
        "about": "Density model of cleaner, fit by bench/fit_density.py on the article-extraction dev pages.",
        "pages": len(samples),
        "cross_validated": {
            "folds": FOLDS,
            "f1": round(results[best].f1, 4),
            "precision": round(results[best].precision, 4),
            "recall": round(results[best].recall, 4),
        },
        "threshold": best[0],
        "gap_weight": best[1],
        "stage1": m1.to_dict(),
        "stage2": m2.to_dict(),
    }
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
