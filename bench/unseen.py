"""Quality on pages of many sites and aggregators: the figures issue 18 is judged by.

    python -m bench.unseen --shared ../shared [--set aggregators,trafilatura,extraction] [--jobs 2] [--verbose]

1. `benchmarks/aggregators-dev/` (302 pages of 15 invented aggregators): shingle F1 of `title + "\\n\\n" + text`
   on the article pages, macro-averaged (overall and per aggregator style); listing pages found (kind `listing`,
   text empty); empty pages found (kind `empty`, or nothing written); `related` count right on article pages.
2. `benchmarks/trafilatura-eval-dev/text/` (468 naive text dumps of pages of hundreds of sites): trafilatura's
   snippet measure (output `title + "\\n" + text`, whitespace folded; a `with` snippet found is a true positive,
   not found a false negative; a `without` snippet found a false positive), next to C4's line filter.
3. `benchmarks/article-extraction-dev/text/` (60 naive text dumps): the benchmark's shingle F1 of the body.

Nothing here is fit: these are the figures of the shipped packs and model. Where the model was fit on a set, the
figure to quote for it is `make fit`'s cross-validated one (by site), and this script says so beside it.
Writes `bench/out/unseen.json`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.evaluate import aggregate, page_scores

from . import DEFAULT_SHARED, OUT

AGGREGATORS = Path("benchmarks") / "aggregators-dev"
TRAFILATURA = Path("benchmarks") / "trafilatura-eval-dev"
EXTRACTION = Path("benchmarks") / "article-extraction-dev"
SETS = ("aggregators", "trafilatura", "extraction")


@dataclass(frozen=True)
class Prediction:
    title: str
    text: str
    kind: str
    related: int
    source: str | None = None


def predict_cleaner(text: str) -> Prediction:
    import cleaner

    doc = cleaner.clean(text, input_format="text")
    return Prediction(doc.title, doc.text, doc.kind, len(doc.related), doc.source)


def predict_all(
    texts: list[str], jobs: int, predictor: Callable[[str], Prediction] = predict_cleaner
) -> list[Prediction]:
    if jobs <= 1:
        return [predictor(text) for text in texts]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(predictor, texts, chunksize=8))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


# -- aggregators-dev ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AggregatorPage:
    name: str
    style: str
    text: str
    gold: dict[str, Any]


def load_aggregators(shared: Path) -> list[AggregatorPage]:
    root = shared / AGGREGATORS
    pages = []
    for path in sorted((root / "pages").glob("*.txt")):
        gold = json.loads((root / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
        pages.append(AggregatorPage(path.stem, path.stem.split("-")[0], _read(path), gold))
    return pages


def _joined(title: str, text: str) -> str:
    return f"{title}\n\n{text}"


def score_aggregators(pages: list[AggregatorPage], predictions: list[Prediction]) -> dict[str, Any]:
    by_style: dict[str, list] = defaultdict(list)
    listings = empties = related_right = articles = source_right = sources = 0
    listing_total = empty_total = 0
    misses: list[dict[str, Any]] = []
    for page, pred in zip(pages, predictions, strict=True):
        kind = page.gold["kind"]
        if kind == "listing":
            listing_total += 1
            found = pred.kind == "listing" and not pred.text
            listings += found
            if not found:
                misses.append({"page": page.name, "gold": "listing", "kind": pred.kind, "related": pred.related})
            continue
        if kind == "empty":
            empty_total += 1
            found = pred.kind == "empty" or not (pred.title or pred.text)
            empties += found
            if not found:
                misses.append({"page": page.name, "gold": "empty", "kind": pred.kind})
            continue
        articles += 1
        related_right += pred.related == page.gold["related"]
        if page.gold.get("source"):
            sources += 1
            source_right += (pred.source or "").casefold() == page.gold["source"].casefold()
        score = page_scores(_joined(pred.title, pred.text), _joined(page.gold["title"], page.gold["text"]))
        by_style[page.style].append((page.name, score, pred.related, page.gold["related"]))
    all_scores = [row[1] for rows in by_style.values() for row in rows]
    overall = aggregate(all_scores)
    styles = {
        style: {
            "f1": round(aggregate(row[1] for row in rows).f1, 4),
            "related_right": sum(row[2] == row[3] for row in rows),
            "pages": len(rows),
        }
        for style, rows in sorted(by_style.items())
    }
    worst = sorted((row for rows in by_style.values() for row in rows), key=lambda row: row[1].f1)[:15]
    return {
        "f1": round(overall.f1, 4),
        "precision": round(overall.precision, 4),
        "recall": round(overall.recall, 4),
        "article_pages": articles,
        "related_right": related_right,
        "source_right": source_right,
        "sources": sources,
        "listings_found": listings,
        "listings": listing_total,
        "empties_found": empties,
        "empties": empty_total,
        "styles": styles,
        "worst": [{"page": r[0], "f1": round(r[1].f1, 3), "related": r[2], "gold_related": r[3]} for r in worst],
        "kind_misses": misses,
        "pages": {r[0]: round(r[1].f1, 4) for rows in by_style.values() for r in rows},
    }


# -- trafilatura-eval-dev ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnippetPage:
    name: str
    site: str
    text: str
    with_: tuple[str, ...]
    without: tuple[str, ...]


_SPACES = re.compile(r"\s+")


def fold_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def site_of(key: str, name: str) -> str:
    """The site a trafilatura evaluation page comes from: its URL's host without `www.`, else its name."""
    url = key.split("::", 1)[-1] if "::" in key else key
    host = urlsplit(url.strip().lstrip("x")).hostname if "//" in url else None
    return (host or name).removeprefix("www.").lower()


def load_snippet_pages(shared: Path) -> list[SnippetPage]:
    root = shared / TRAFILATURA
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for key, entry in sorted(data.items()):
        path = root / "text" / f"{entry['name']}.txt"
        if not path.exists():
            continue
        pages.append(
            SnippetPage(
                entry["name"],
                site_of(key, entry["name"]),
                _read(path),
                tuple(entry.get("with") or ()),
                tuple(entry.get("without") or ()),
            )
        )
    return pages


@dataclass
class SnippetCounts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, output: str, page: SnippetPage) -> None:
        folded = fold_spaces(output)
        for snippet in page.with_:
            if fold_spaces(snippet) in folded:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in page.without:
            if fold_spaces(snippet) in folded:
                self.fp += 1
            else:
                self.tn += 1

    def figures(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0
        return {"f1": round(f1, 4), "precision": round(p, 4), "recall": round(r, 4)}


def snippet_output(pred: Prediction) -> str:
    return f"{pred.title}\n{pred.text}"


def score_snippets(pages: list[SnippetPage], outputs: Iterable[str]) -> dict[str, Any]:
    counts = SnippetCounts()
    per_page = []
    for page, output in zip(pages, outputs, strict=True):
        one = SnippetCounts()
        one.add(output, page)
        counts.add(output, page)
        per_page.append((page.name, one.fn + one.fp, one.fn, one.fp))
    worst = sorted(per_page, key=lambda row: -row[1])[:15]
    return {**counts.figures(), "worst": [{"page": n, "fn": fn, "fp": fp} for n, _, fn, fp in worst]}


# -- article-extraction-dev --------------------------------------------------------------------------------------


def score_extraction(shared: Path, jobs: int) -> dict[str, Any]:
    from .quality import load_dev

    pages = load_dev(shared)
    predictions = predict_all([page.text for page in pages], jobs)
    scores = aggregate(page_scores(pred.text, page.gold) for pred, page in zip(predictions, pages, strict=True))
    return {"f1": round(scores.f1, 4), "precision": round(scores.precision, 4), "recall": round(scores.recall, 4)}


def density_model_figures() -> dict[str, Any]:
    """What the shipped density model was fit on and its figures cross-validated by site (from `make fit`),
    printed first: on those sets the figures below are in-sample."""
    model = json.loads((resources.files("cleaner") / "models" / "density.json").read_text(encoding="utf-8"))
    figures = {name: value for name, value in model["cross_validated"].items() if name not in ("folds", "by")}
    shown = ", ".join(f"{name} {value:.3f}" for name, value in figures.items())
    print(f"density model fit on {', '.join(model['pages'])}; cross-validated by site (make fit): {shown}")
    print("(the figures below are in-sample on those sets: the model has seen their pages)")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--set", default=",".join(SETS), help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.set.split(",") if name.strip()]
    result: dict[str, Any] = {"density_model": density_model_figures()}
    if "aggregators" in chosen:
        pages = load_aggregators(args.shared)
        preds = predict_all([page.text for page in pages], args.jobs)
        result["aggregators"] = score_aggregators(pages, preds)
        agg = result["aggregators"]
        print(
            f"aggregators-dev: F1 {agg['f1']:.3f} (P {agg['precision']:.3f} R {agg['recall']:.3f}) on "
            f"{agg['article_pages']} article pages; related right {agg['related_right']}/{agg['article_pages']}; "
            f"listings {agg['listings_found']}/{agg['listings']}; empty {agg['empties_found']}/{agg['empties']}; "
            f"source right {agg['source_right']}/{agg['sources']}"
        )
        for style, row in agg["styles"].items():
            print(f"  {style:<11} F1 {row['f1']:.3f}  related right {row['related_right']}/{row['pages']}")
        if args.verbose:
            for row in agg["worst"]:
                print("  worst", row)
            for row in agg["kind_misses"]:
                print("  kind", row)
    if "trafilatura" in chosen:
        pages_t = load_snippet_pages(args.shared)
        preds = predict_all([page.text for page in pages_t], args.jobs)
        result["trafilatura"] = score_snippets(pages_t, map(snippet_output, preds))
        t = result["trafilatura"]
        print(
            f"trafilatura-eval-dev text: snippet F1 {t['f1']:.3f} (P {t['precision']:.3f} R {t['recall']:.3f}) "
            f"on {len(pages_t)} pages"
        )
        if args.verbose:
            for row in t["worst"]:
                print("  worst", row)
    if "extraction" in chosen:
        result["extraction"] = score_extraction(args.shared, args.jobs)
        e = result["extraction"]
        print(f"article-extraction-dev text: F1 {e['f1']:.3f} (P {e['precision']:.3f} R {e['recall']:.3f})")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "unseen.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("unseen", main))
