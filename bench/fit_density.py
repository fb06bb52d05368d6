"""Fit the density model's weights on labelled pages: `python -m bench.fit_density --shared ../shared`.

Three corpora of `../shared`, each page prepared exactly as `cleaner.clean` prepares it (normalise, blocks, rule
packs, teaser cards and card runs), each remaining block labelled:

- `article-extraction-dev` (60 pages of news sites): a block is article when most of its token 4-grams are in
  the gold text; each page is also trained on as already clean (its gold text as the input);
- `aggregators-dev` (the 202 article pages of 15 aggregator styles): the same, against the gold title and text;
- `trafilatura-eval-dev` (468 pages of hundreds of sites and languages): a block holding a `with` snippet is
  article, one holding a `without` snippet is not, the rest are unlabelled (left out).

Each page's first-pass output is trained on too, as the next pass of the fixed point reads it (`add_later_passes`).
Pages weigh the same within a corpus (blocks by their tokens), corpora by `CORPUS_WEIGHTS`. Stage one is
gradient-boosted trees (LightGBM, deterministic, exported as a node table the compiled core evaluates) on the
block's own, its neighbours' and its page's features (`--stage1 linear`: a weighted L2 logistic regression);
stage two is a logistic regression fit on *out-of-fold* stage-one scores (so it learns how far to trust stage
one on unseen pages).

The figures to trust are the cross-validated ones, **by site**: folds never split a site (an aggregator style
counts as one site), each fold is cleaned by models fit on the other folds, and each corpus is scored by its
own measure (shingle F1 for the first two, snippet F1 for the third). The threshold, gap weight and the bar for
keeping a block outside the article region are chosen on the mean of those out-of-fold figures (so the figures
printed for the chosen setting lean a little optimistic: three numbers were picked on them), then both stages
are refit on all pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from cleaner.document import Block, Document
from cleaner.evaluate import PageScore, aggregate, page_scores, shingles, tokenize
from cleaner.features import BlockFeatures
from cleaner.filters.density import (
    NEVER,
    DensityModel,
    LinearModel,
    TreeModel,
    page_features,
    removed_gaps,
    stage1_vectors,
    stage2_vectors,
)
from cleaner.options import Options
from cleaner.pipeline import clean_once, clean_with_model, prepare
from cleaner.rules import fold

from .quality import load_dev
from .unseen import SnippetCounts, SnippetPage, fold_spaces, load_aggregators, load_snippet_pages

FOLDS = 5
SEED = 13
L2 = 1.0
THRESHOLDS = [round(0.45 + 0.05 * i, 2) for i in range(5)]
GAP_WEIGHTS = [1.0, 0.6]
KEEP_OUTSIDE = [NEVER, 0.85, 0.75]
# LightGBM's settings for stage one: trees of up to 31 leaves, a slow rate, row and feature sampling; one seed and
# deterministic mode, so `make fit` gives the same model every time on the same machine. (CLEANER_FIT_SEED fits
# with another seed: how far the cross-validated figures move from seed to seed is the noise a change must beat.)
# (CLEANER_FIT_ROUNDS and CLEANER_FIT_RATE try other sizes: 150 rounds at 0.1 gave a mean 0.0015 lower;
# CLEANER_FIT_LEAVES and CLEANER_FIT_MIN_LEAF other trees: docs/design.md has the figures of 7, 15, 31 and 63.)
TREE_ROUNDS = int(os.environ.get("CLEANER_FIT_ROUNDS", "300"))
# Boosters fit with consecutive seeds and averaged (their margins): CLEANER_FIT_BAG=3 trades three times the trees
# for less seed-to-seed noise.
TREE_BAG = int(os.environ.get("CLEANER_FIT_BAG", "1"))
TREE_PARAMS = {
    "objective": "binary",
    "learning_rate": float(os.environ.get("CLEANER_FIT_RATE", "0.05")),
    "num_leaves": int(os.environ.get("CLEANER_FIT_LEAVES", "31")),
    "min_data_in_leaf": int(os.environ.get("CLEANER_FIT_MIN_LEAF", "20")),
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": int(os.environ.get("CLEANER_FIT_SEED", "1")),
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
JOBS = int(os.environ.get("CLEANER_FIT_JOBS", "2"))
# How much an already-clean copy of a page weighs in training, next to the page itself.
CLEAN_WEIGHT = float(os.environ.get("CLEANER_FIT_CLEAN_WEIGHT", "0.3"))
# The threshold, gap weight and bar outside the region the later passes' training pages are cleaned with. Fixed,
# not the shipped model's: then `make fit` is a function of the code and the pages alone, and gives the shipped
# model again (taken from the shipped model, each fit moved the next one's training pages).
LATER_SETTING = (0.60, 1.00, 0.85)
# How much a page's first-pass output weighs in training, next to the page itself (0: none; `add_later_passes`).
LATER_WEIGHT = float(os.environ.get("CLEANER_FIT_LATER_WEIGHT", "0.5"))
# Each corpus's share of the training weight (pages within a corpus weigh the same).
CORPUS_WEIGHTS = {"extraction": 1.0, "aggregators": 1.0, "trafilatura": 1.0} | {
    name: float(weight)
    for name, _, weight in (
        item.partition("=") for item in os.environ.get("CLEANER_FIT_WEIGHTS", "").split(",") if "=" in item
    )
}
CORPORA = tuple(CORPUS_WEIGHTS)


@dataclass
class Sample:
    key: str
    corpus: str
    group: str  # the site (or aggregator style): folds never split one
    text: str
    features: list[BlockFeatures]
    x1: np.ndarray
    y: np.ndarray
    w: np.ndarray
    judge: Callable[[Document], Any]  # what the page's measure needs of a cleaned Document
    labels: Callable[[list[Block]], tuple[np.ndarray, np.ndarray]]  # its blocks' labels and weights


def _shingle_labels(blocks, gold: str) -> tuple[np.ndarray, np.ndarray]:
    """A block is article when most of its token 4-grams are in the gold text (a short one: when it is a gold
    line); weights by tokens, summing to 1 over the page."""
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


def _snippet_labels(blocks, with_: tuple[str, ...], without: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """trafilatura's evaluation snippets: a block holding (part of) a `with` snippet is article, one holding a
    `without` snippet is not; the others are unlabelled (weight 0). Labelled blocks weigh the same."""
    folded = [fold_spaces(block.text) for block in blocks]
    y = np.zeros(len(blocks))
    w = np.zeros(len(blocks))
    for snippets, label in ((without, 0.0), (with_, 1.0)):
        for snippet in map(fold_spaces, snippets):
            for i, line in enumerate(folded):
                if len(line) >= 8 and (snippet in line or (len(line) >= 20 and line in snippet)):
                    y[i], w[i] = label, 1.0
    total = w.sum()
    return y, (w / total if total else w)


# The width of a stage-one row (the features of a block and of its neighbours), for pages with no block left.
STAGE1_WIDTH = stage1_vectors(page_features([Block(0, 1, "x")], frozenset()), [(0, 0)]).shape[1]


def _sample(key, corpus, group, text, opts, labels, judge, *, later: bool = False) -> Sample:
    """A page to train on and to judge. A page with nothing left to label after the rules and the cards (or
    no labelled line) trains nothing but is still judged: leaving it out would leave out exactly the pages
    where cleaning failed. `later`: the page is a pass's output, prepared as the next pass prepares it."""
    page = prepare(text, opts, normalised=later, chrome_seen=later)
    blocks = page.kept()
    features = page_features(blocks, page.stopwords)
    y, w = labels(blocks) if blocks else (np.zeros(0), np.zeros(0))
    if not w.sum():
        w = np.zeros(len(blocks))
    x1 = np.array(stage1_vectors(features, removed_gaps(blocks))) if blocks else np.zeros((0, STAGE1_WIDTH))
    return Sample(key, corpus, group, text, features, x1, y, w * CORPUS_WEIGHTS[corpus], judge, labels)


def load_extraction(shared: Path, opts: Options) -> list[Sample]:
    """The article-extraction dev pages, and each one already clean (its gold text as the input): training on
    clean pages too teaches the model that an article's first and last paragraphs are article where nothing
    surrounds them, which is what makes cleaning its own output change nothing."""
    samples = []
    for page in load_dev(shared):
        group = (urlsplit(page.url).hostname or page.key).removeprefix("www.")
        labels = partial(_shingle_labels, gold=page.gold)
        judge = partial(_judge_shingles, gold=page.gold, title=False)
        for key, text, weight in ((page.key, page.text, 1.0), (page.key + "/clean", page.gold, CLEAN_WEIGHT)):
            sample = _sample(key, "extraction", group, text, opts, labels, judge)
            sample.w *= weight
            samples.append(sample)
    return samples


def load_aggregator_samples(shared: Path, opts: Options) -> list[Sample]:
    """The article pages of aggregators-dev, grouped by aggregator style (a style never in two folds), and each
    one already clean (its gold title and text as the input), as for the extraction pages."""
    samples = []
    for page in load_aggregators(shared):
        if page.gold["kind"] != "article":
            continue
        gold = f"{page.gold['title']}\n\n{page.gold['text']}"
        labels = partial(_shingle_labels, gold=gold)
        judge = partial(_judge_shingles, gold=gold, title=True)
        samples.append(_sample(page.name, "aggregators", page.style, page.text, opts, labels, judge))
        clean = _sample(page.name + "/clean", "aggregators", page.style, gold, opts, labels, judge)
        clean.w *= CLEAN_WEIGHT
        samples.append(clean)
    return samples


def load_trafilatura(shared: Path, opts: Options) -> list[Sample]:
    samples = []
    for page in load_snippet_pages(shared):
        labels = partial(_snippet_labels, with_=page.with_, without=page.without)
        judge = partial(_judge_snippets, page=page)
        samples.append(_sample(page.name, "trafilatura", page.site, page.text, opts, labels, judge))
    return samples


def _judge_shingles(doc: Document, gold: str, title: bool) -> PageScore:
    return page_scores(f"{doc.title}\n\n{doc.text}" if title else doc.text, gold)


def _judge_snippets(doc: Document, page: SnippetPage) -> SnippetCounts:
    counts = SnippetCounts()
    counts.add(f"{doc.title}\n{doc.text}", page)
    return counts


def _judge_cleaned(job: tuple[str, Callable[[Document], Any], Options, DensityModel]) -> Any:
    text, judge, opts, model = job
    return judge(clean_with_model(text, opts, model))


def corpus_f1(corpus: str, judged: list[Any]) -> float:
    if corpus == "trafilatura":
        total = SnippetCounts()
        for counts in judged:
            total.tp, total.fp, total.fn = total.tp + counts.tp, total.fp + counts.fp, total.fn + counts.fn
        return total.figures()["f1"]
    return aggregate(judged).f1


def page_verdict(corpus: str, key: str, verdict: Any) -> dict[str, Any]:
    """One page's out-of-fold verdict as a JSON-ready row: shingle P/R/F1, or snippet counts."""
    if isinstance(verdict, SnippetCounts):
        counts = {"tp": verdict.tp, "fn": verdict.fn, "fp": verdict.fp, "tn": verdict.tn}
        return {"corpus": corpus, "page": key, **counts}
    figures = {"f1": verdict.f1, "precision": verdict.precision, "recall": verdict.recall}
    return {"corpus": corpus, "page": key, **{name: round(value, 4) for name, value in figures.items()}}


def write_page_verdicts(path: Path, keys: dict[str, list[str]], verdicts: dict[str, list[Any]]) -> None:
    rows = [page_verdict(c, key, v) for c in keys for key, v in zip(keys[c], verdicts[c], strict=True)]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> LinearModel:
    """Weighted logistic regression with an L2 penalty (not on the bias), by Newton's method."""
    keep = w > 0
    x, y, w = x[keep], y[keep], w[keep]
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


def fit_trees(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> TreeModel:
    """Gradient-boosted trees (LightGBM) on the weighted blocks, exported as the node table `TreeModel` reads;
    the export is checked against LightGBM's own predictions."""
    import lightgbm

    keep = w > 0
    x, y, w = x[keep], y[keep], w[keep]
    data = lightgbm.Dataset(x, y, weight=w * len(w) / w.sum(), free_raw_data=False)
    boosters = [
        lightgbm.train({**TREE_PARAMS, "seed": TREE_PARAMS["seed"] + k}, data, TREE_ROUNDS) for k in range(TREE_BAG)
    ]
    model = TreeModel(bagged_table([booster.dump_model() for booster in boosters], x.shape[1]))
    sample = x[:: max(1, len(x) // 5000)]
    margin = np.mean([booster.predict(sample, num_threads=1, raw_score=True) for booster in boosters], axis=0)
    gap = np.abs(model.probabilities(sample) - 1.0 / (1.0 + np.exp(-margin))).max()
    if gap > 1e-9:
        raise RuntimeError(f"the exported trees differ from LightGBM's by {gap}")
    return model


def bagged_table(dumps: list[dict[str, Any]], width: int) -> dict[str, object]:
    """Several boosters as one node table whose sum is the mean of their margins: every leaf divided by their
    number."""
    tables = [tree_table(dump, width, scale=1.0 / len(dumps)) for dump in dumps]
    merged: dict[str, Any] = {"kind": "trees", "width": width}
    for name in ("feature", "threshold", "left", "right", "value", "roots"):
        merged[name] = []
    for table in tables:
        offset = len(merged["feature"])
        shift = [n + offset for n in table["roots"]]  # type: ignore[union-attr]
        merged["roots"] += shift
        for name in ("feature", "threshold", "value"):
            merged[name] += table[name]  # type: ignore[operator]
        for name in ("left", "right"):  # a leaf's children stay 0: it has none
            children = zip(table[name], table["feature"], strict=True)  # type: ignore[call-overload]
            merged[name] += [n + offset if feature != -1 else n for n, feature in children]
    return merged


def tree_table(dump: dict[str, Any], width: int, scale: float = 1.0) -> dict[str, object]:
    """LightGBM's `dump_model()` as one node table, each tree in preorder (a child after its parent)."""
    table: dict[str, list[Any]] = {name: [] for name in ("feature", "threshold", "left", "right", "value", "roots")}

    def add(node: dict[str, Any]) -> int:
        index = len(table["feature"])
        for name in ("feature", "threshold", "left", "right", "value"):
            table[name].append(0)
        if "leaf_value" in node:
            table["feature"][index], table["value"][index] = -1, node["leaf_value"] * scale
            return index
        if node["decision_type"] != "<=" or node.get("missing_type", "None") not in ("None", "NaN"):
            raise ValueError(f"a split the node table cannot hold: {node['decision_type']}, {node['missing_type']}")
        table["feature"][index], table["threshold"][index] = node["split_feature"], node["threshold"]
        table["left"][index] = add(node["left_child"])
        table["right"][index] = add(node["right_child"])
        return index

    for tree in dump["tree_info"]:
        table["roots"].append(add(tree["tree_structure"]))
    return {"kind": "trees", "width": width, **table}


def _own_page(sample: Sample) -> bool:
    """A page as scraped, judged by its corpus's measure; not a copy made for training (a gold text given as a
    clean page, a page's first-pass output)."""
    return not sample.key.endswith(("/clean", "/later"))


def _stack(samples: list[Sample], attr: str) -> np.ndarray:
    return np.concatenate([getattr(s, attr) for s in samples])


def group_folds(samples: list[Sample], folds: int = FOLDS) -> list[list[int]]:
    """Sample indices in `folds` folds, every group (site, aggregator style) whole in one fold; groups are
    dealt, largest first, to the fold with the fewest samples of their corpus so each fold holds some of each."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, sample in enumerate(samples):
        groups.setdefault((sample.corpus, sample.group), []).append(i)
    order = sorted(groups, key=lambda key: (-len(groups[key]), key))
    random.Random(SEED).shuffle(order)
    order.sort(key=lambda key: -len(groups[key]))
    result: list[list[int]] = [[] for _ in range(folds)]
    for key in order:
        corpus = key[0]
        target = min(range(folds), key=lambda f: (sum(samples[i].corpus == corpus for i in result[f]), f))
        result[target].extend(groups[key])
    return [sorted(fold) for fold in result]


def add_later_passes(samples: list[Sample], folds: list[list[int]], fit_stage1, opts: Options) -> None:
    """Teach the model the pages it meets after its first pass. Cleaning runs again on its own output until that
    stops changing, and a page whose chrome is gone looks like no page of the training set: its first lines
    stand at the top with nothing above them. Trained on scraped pages and clean copies only, trees eroded
    such pages a few lines a pass (up to 13 passes). So each page is cleaned once by models fit without its
    fold (with the fixed `LATER_SETTING` of threshold, gap weight and bar outside the region), and that output,
    prepared as the next pass prepares it and labelled by the same gold, joins the page's fold (weight
    `LATER_WEIGHT`)."""
    threshold, gap_weight, keep_outside = LATER_SETTING
    pages = len(samples)  # the later passes of one fold are not trained on for another's
    for members in folds:
        test = set(members)
        train = [samples[i] for i in range(pages) if i not in test]
        m1 = fit_stage1(_stack(train, "x1"), _stack(train, "y"), _stack(train, "w"))
        x2 = np.concatenate([stage2_vectors(m1.probabilities(s.x1).tolist(), s.features) for s in train])
        m2 = fit_logistic(x2, _stack(train, "y"), _stack(train, "w"))
        model = DensityModel(m1, m2, threshold, gap_weight, keep_outside)
        for i in list(members):
            sample = samples[i]
            if not _own_page(sample):
                continue
            doc = clean_once(sample.text, opts, model)
            if doc.kind != "article" or not doc.text:
                continue
            later = _sample(
                sample.key + "/later",
                sample.corpus,
                sample.group,
                doc.render(),
                opts,
                sample.labels,
                sample.judge,
                later=True,
            )
            later.w *= LATER_WEIGHT
            members.append(len(samples))
            samples.append(later)


def _fit_stage2(samples: list[Sample], train: list[int], x2: dict[int, np.ndarray]) -> LinearModel:
    chosen = [samples[i] for i in train]
    return fit_logistic(np.concatenate([x2[i] for i in train]), _stack(chosen, "y"), _stack(chosen, "w"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("cleaner/models/density.json"))
    parser.add_argument("--pack", action="append", help="shipped packs to prepare with (default: the defaults)")
    parser.add_argument("--corpora", default=",".join(CORPORA), help="comma-separated: " + ", ".join(CORPORA))
    parser.add_argument("--stage1", choices=("trees", "linear"), default="trees", help="stage one's model")
    parser.add_argument(
        "--pages-out", type=Path, help="also write each page's out-of-fold verdict at the chosen setting (JSON lines)"
    )
    args = parser.parse_args(argv)
    fit_stage1 = fit_trees if args.stage1 == "trees" else fit_logistic
    opts = Options(packs=tuple(args.pack)) if args.pack else Options()
    chosen = [name.strip() for name in args.corpora.split(",") if name.strip()]
    loaders = {"extraction": load_extraction, "aggregators": load_aggregator_samples, "trafilatura": load_trafilatura}
    samples = [sample for name in chosen for sample in loaders[name](args.shared, opts)]
    for name in chosen:
        part = [s for s in samples if s.corpus == name]
        labelled = sum(int((s.w > 0).sum()) for s in part)
        print(f"{name}: {len(part)} pages, {len({s.group for s in part})} sites, {labelled} labelled blocks")

    folds = group_folds(samples)
    if LATER_WEIGHT > 0:
        add_later_passes(samples, folds, fit_stage1, opts)
        print(f"later passes: {sum(s.key.endswith('/later') for s in samples)} pages")
    # Stage two learns from stage-one scores each page got out of fold (as an unseen page gets them).
    x2: dict[int, np.ndarray] = {}
    first_stages = []
    for test in folds:
        train = [i for i in range(len(samples)) if i not in set(test)]
        chosen_train = [samples[i] for i in train]
        m1 = fit_stage1(_stack(chosen_train, "x1"), _stack(chosen_train, "y"), _stack(chosen_train, "w"))
        first_stages.append(m1)
        for i in test:
            x2[i] = np.array(stage2_vectors(m1.probabilities(samples[i].x1).tolist(), samples[i].features))

    grid = [(t, g, k) for t in THRESHOLDS for g in GAP_WEIGHTS for k in KEEP_OUTSIDE]
    judged: dict[tuple[float, float, float], dict[str, list[Any]]] = {key: {c: [] for c in chosen} for key in grid}
    judged_keys: dict[str, list[str]] = {c: [] for c in chosen}  # the pages behind each key's verdicts, in order
    with ProcessPoolExecutor(JOBS) as pool:
        for test, m1 in zip(folds, first_stages, strict=True):
            test_set = set(test)
            m2 = _fit_stage2(samples, [i for i in range(len(samples)) if i not in test_set], x2)
            pages = [samples[i] for i in test if _own_page(samples[i])]
            for sample in pages:
                judged_keys[sample.corpus].append(sample.key)
            jobs = [(sample.text, sample.judge, opts, DensityModel(m1, m2, *key)) for key in grid for sample in pages]
            results_iter = pool.map(_judge_cleaned, jobs, chunksize=16)
            for (key, sample), verdict in zip(((k, p) for k in grid for p in pages), results_iter, strict=True):
                judged[key][sample.corpus].append(verdict)

    results = {key: {c: corpus_f1(c, rows) for c, rows in per.items()} for key, per in judged.items()}
    mean = {key: sum(r.values()) / len(r) for key, r in results.items()}
    for key in grid:
        shown = "  ".join(f"{c} {f:.4f}" for c, f in results[key].items())
        print(f"  threshold {key[0]:.2f} gap {key[1]:.2f} keep outside {key[2]:.2f}: {shown}  mean {mean[key]:.4f}")
    best = max(grid, key=lambda key: (round(mean[key], 4), -abs(key[0] - 0.5), key[1], key[2]))
    shown = ", ".join(f"{c} {f:.4f}" for c, f in results[best].items())
    print(
        f"chosen threshold {best[0]:.2f}, gap weight {best[1]:.2f}, keep outside {best[2]:.2f}: "
        f"cross-validated by site: {shown}"
    )

    if args.pages_out is not None:
        write_page_verdicts(args.pages_out, judged_keys, judged[best])
        print(f"wrote {args.pages_out}")

    m1 = fit_stage1(_stack(samples, "x1"), _stack(samples, "y"), _stack(samples, "w"))
    m2 = fit_logistic(np.concatenate([x2[i] for i in range(len(samples))]), _stack(samples, "y"), _stack(samples, "w"))
    model = {
        "about": "Density model of cleaner, fit by bench/fit_density.py (make fit); figures cross-validated by site.",
        "pages": {c: sum(1 for s in samples if s.corpus == c and _own_page(s)) for c in chosen},
        "cross_validated": {"folds": FOLDS, "by": "site", **{c: round(f, 4) for c, f in results[best].items()}},
        "threshold": best[0],
        "gap_weight": best[1],
        "keep_outside": best[2],
        "stage1": m1.to_dict(),
        "stage2": m2.to_dict(),
    }
    # One line per field: the node table is thousands of numbers.
    lines = ",\n".join(f" {json.dumps(name)}: {json.dumps(value)}" for name, value in model.items())
    args.out.write_text("{\n" + lines + "\n}\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
