"""Fit the HTML path's extraction choice (`cleaner/html/choose.py`) and measure it cross-validated by site.

    python -m bench.fit_html_choice --shared ../shared [--write] [--refresh]

Every page of `trafilatura-eval-dev` (snippet measure, `bench.html_eval`) and of `article-extraction-dev`
(shingle F1, `cleaner.evaluate`) is cleaned once per trafilatura mode (`choose.MODES`): the document each mode
leads to, through the rest of the HTML path, is scored, with the lengths the choice is made on. Those runs are
kept in `bench/out/html_choice_pages.json` (`--refresh` runs them again; they depend on cleaner's code).

The fit: a grid of rules (which fuller mode; run it when fast mode found under `gate_chars` characters or under
`gate_share` of the page's text; keep what it found when that is at least `min_ratio` times fast mode's), the
one with the largest summed gain over fast mode kept (snippets gained less snippets leaked; on the shingle pages
the F1 difference times `DEV_WEIGHT`). The figures to trust are cross-validated by site: pages are grouped by
site (registered domain), the folds split the groups, and each fold's pages are chosen for by the rule fit on
the other folds. `--write` refits on all pages and writes `cleaner/models/html_choice.json`.

Costs are reported as trafilatura runs per page (1 = fast mode alone), not timed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import traceback
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.evaluate import aggregate, page_scores

from . import DEFAULT_SHARED, OUT, REPO
from .html_eval import Counts, load_eval, page_counts, total
from .quality import load_dev

DATA = OUT / "html_choice_pages.json"
MODEL_OUT = REPO / "cleaner" / "models" / "html_choice.json"
FOLDS = 5
SEED = 19
# A shingle page's F1 difference counts as this many snippets (an eval page holds about 5).
DEV_WEIGHT = 5.0
GATE_SHARES = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 10.0)
GATE_CHARS = (0, 250, 500, 1000, 2000)
# A fuller run must pay for itself: each costs this many snippets of gain (fifty runs, one snippet).
RUN_COST = 0.02
MIN_RATIOS = (0.0, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0)
ALTERNATIVES = ("full", "recall")


@dataclass
class PageRun:
    """One page cleaned once per mode: its set, site, text length and, per mode, chars found and the score."""

    set: str  # "eval" or "dev"
    key: str
    site: str
    page_chars: int
    chars: dict[str, int]
    # per mode [tp, fp, fn]: snippets on eval pages, shares of shingles on dev pages (cleaner.evaluate)
    scores: dict[str, list[float]]
    texts: dict[str, str]  # per mode, the document's text


def _modes_of(raw: bytes, url: str | None) -> tuple[int, dict[str, int], dict[str, Any]]:
    """The page's text length and, per mode, the characters trafilatura found and the document it leads to."""
    from cleaner.html import _from_blocks, decode_html, document_from
    from cleaner.html import text as text_module
    from cleaner.html.choose import MODES, run_mode
    from cleaner.html.extract import parse
    from cleaner.html.prepass import prepare
    from cleaner.options import Options
    from cleaner.rules import load_rules

    opts = Options.of()
    rules = load_rules(opts.packs, ())
    chars: dict[str, int] = {}
    docs: dict[str, Any] = {}
    first = None
    for mode in MODES:
        prepared = prepare(decode_html(raw), rules.selectors)  # document_from reads (and may use) the tree
        tree = parse(prepared.html)
        extracted = run_mode(tree, url, mode, known=first)
        first = first or extracted
        chars[mode] = len(extracted.text) if extracted is not None else 0
        docs[mode] = document_from(extracted, prepared, opts, rules)
    docs["blocks"] = _from_blocks(prepared, opts, first)
    chars["blocks"] = len(docs["blocks"].text)
    # The density filter over fast mode's text: measured next to it (it is off on the HTML path).
    text_module.DENSITY_ON_EXTRACTED = True
    try:
        docs["fast+density"] = document_from(first, prepared, opts, rules)
    finally:
        text_module.DENSITY_ON_EXTRACTED = False
    chars["fast+density"] = chars["fast"]
    return prepared.text_chars, chars, docs


def _site_of_url(url: str, fallback: str) -> str:
    from courlan import extract_domain

    host = urlsplit(url).hostname if url else None
    return (extract_domain(url) or host or fallback) if host else fallback


def collect(shared: Path) -> list[PageRun]:
    runs: list[PageRun] = []
    for page in load_eval(shared):
        try:
            page_chars, chars, docs = _modes_of(page.raw(), None)
        except Exception:
            traceback.print_exc()
            continue
        scores = {}
        for mode, doc in docs.items():
            c = page_counts(f"{doc.title or ''}\n{doc.text}", page)
            scores[mode] = [c.tp, c.fp, c.fn]
        texts = {mode: doc.text for mode, doc in docs.items()}
        runs.append(PageRun("eval", page.name, page.site, page_chars, chars, scores, texts))
    for page in load_dev(shared):
        if page.html_path is None:
            continue
        import gzip

        try:
            page_chars, chars, docs = _modes_of(gzip.decompress(page.html_path.read_bytes()), None)
        except Exception:
            traceback.print_exc()
            continue
        scores = {}
        for mode, doc in docs.items():
            s = page_scores(doc.text, page.gold)
            scores[mode] = [s.tp, s.fp, s.fn]
        texts = {mode: doc.text for mode, doc in docs.items()}
        runs.append(PageRun("dev", page.key, _site_of_url(page.url, page.key), page_chars, chars, scores, texts))
    return runs


def load_or_collect(shared: Path, refresh: bool) -> list[PageRun]:
    if DATA.exists() and not refresh:
        return [PageRun(**item) for item in json.loads(DATA.read_text(encoding="utf-8"))]
    runs = collect(shared)
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps([asdict(run) for run in runs]) + "\n", encoding="utf-8")
    return runs


# --- scoring a choice ------------------------------------------------------------------------------------------


def _dev_score(values: list[float]) -> Any:
    from cleaner.evaluate import PageScore

    return PageScore(*values)


def evaluate(runs: list[PageRun], picks: dict[str, str]) -> dict[str, float]:
    """Both sets' figures when page `key` keeps mode `picks[key]`."""
    eval_counts = total(Counts(*map(int, r.scores[picks[r.key]])) for r in runs if r.set == "eval")
    dev = aggregate(_dev_score(r.scores[picks[r.key]]) for r in runs if r.set == "dev")
    return {"eval_f1": round(eval_counts.f1, 4), "eval_p": round(eval_counts.precision, 4),
            "eval_r": round(eval_counts.recall, 4), "dev_f1": round(dev.f1, 4)}  # fmt: skip


def gain(run: PageRun, mode: str) -> float:
    """How much better `mode` does than fast mode on the page (snippets; shingle F1 times DEV_WEIGHT)."""
    if run.set == "eval":
        tp, fp, _ = run.scores[mode]
        tp0, fp0, _ = run.scores["fast"]
        return (tp - tp0) - (fp - fp0)
    return DEV_WEIGHT * (_dev_score(run.scores[mode]).f1 - _dev_score(run.scores["fast"]).f1)


# --- the fit ---------------------------------------------------------------------------------------------------


def _model(alternative: str, share: float, chars: int, ratio: float) -> Any:
    from cleaner.html.choose import ChoiceModel

    return ChoiceModel(alternative, share, chars, ratio)


def picks_of(model: Any, runs: Iterable[PageRun]) -> dict[str, str]:
    """The mode `model` keeps on each page (what `choose_extraction` does, from the recorded lengths)."""
    picks = {}
    for r in runs:
        fast, fuller = r.chars["fast"], r.chars[model.alternative]
        keep = model.gate(fast, r.page_chars) and model.keeps_fuller(fast, fuller)
        picks[r.key] = model.alternative if keep else "fast"
    return picks


def fuller_runs(model: Any, runs: Iterable[PageRun]) -> int:
    return sum(1 for r in runs if model.gate(r.chars["fast"], r.page_chars))


def _objective(runs: list[PageRun], picks: dict[str, str]) -> float:
    """What the fit maximises: the summed gain over fast mode (both sets on one scale)."""
    return sum(gain(r, picks[r.key]) if picks[r.key] != "fast" else 0.0 for r in runs)


def fit(runs: list[PageRun], alternatives: Iterable[str] = ALTERNATIVES) -> Any:
    """The model of the grid with the best summed gain on `runs`, less `RUN_COST` for each fuller run it makes;
    on a tie, the one running fewer."""
    best: tuple[tuple[float, int], Any] | None = None
    for alternative, share, chars, ratio in itertools.product(alternatives, GATE_SHARES, GATE_CHARS, MIN_RATIOS):
        model = _model(alternative, share, chars, ratio)
        cost = fuller_runs(model, runs)
        key = (round(_objective(runs, picks_of(model, runs)) - RUN_COST * cost, 6), -cost)
        if best is None or key > best[0]:
            best = (key, model)
    assert best is not None
    return best[1]


def site_folds(runs: list[PageRun], folds: int = FOLDS) -> list[set[str]]:
    """Sites dealt round-robin into folds in a fixed shuffled order (no site in two folds)."""
    sites = sorted({r.site for r in runs})
    order = list(range(len(sites)))
    random.Random(SEED).shuffle(order)
    groups: list[set[str]] = [set() for _ in range(folds)]
    for rank, index in enumerate(order):
        groups[rank % folds].add(sites[index])
    return groups


def cross_validate(runs: list[PageRun], alternatives: Iterable[str] = ALTERNATIVES) -> tuple[dict[str, str], int]:
    """Out-of-fold picks for every page, and the fuller runs they took."""
    picks: dict[str, str] = {}
    extra = 0
    alternatives = tuple(alternatives)
    for held in site_folds(runs):
        train = [r for r in runs if r.site not in held]
        test = [r for r in runs if r.site in held]
        model = fit(train, alternatives)
        picks.update(picks_of(model, test))
        extra += fuller_runs(model, test)
    return picks, extra


def fixed_rules(runs: list[PageRun]) -> dict[str, tuple[dict[str, str], float | None]]:
    """The choices fixed rules make, for comparison, with their trafilatura runs per page: one mode always; the
    old fast-first rule; the oracles (the best per page, known only from the answers)."""
    from cleaner.html.extract import too_little

    rules: dict[str, tuple[dict[str, str], float | None]] = {}
    for mode in ("fast", "full", "recall", "fast+density"):
        rules[f"always {mode}"] = ({r.key: mode for r in runs}, 1.0)
    rules["always the DOM blocks (density model on the page's text)"] = ({r.key: "blocks" for r in runs}, None)
    old = [too_little(r.chars["fast"], r.page_chars) for r in runs]
    rules["old rule (full when fast < 250 chars and under half the page)"] = (
        {
            r.key: "full" if gated and r.chars["full"] > r.chars["fast"] else "fast"
            for r, gated in zip(runs, old, strict=True)
        },
        1 + sum(old) / len(runs),
    )
    for modes in (("fast", "full", "recall"), ("fast", "full", "recall", "blocks")):
        rules[f"oracle (best of {', '.join(modes)} per page)"] = (
            {r.key: max(modes, key=lambda m, r=r: gain(r, m) if m != "fast" else 0.0) for r in runs},
            None,
        )
    return rules


def _row(name: str, result: dict[str, float], runs_per_page: float | None) -> str:
    cost = f"{runs_per_page:9.2f}" if runs_per_page is not None else f"{'':>9}"
    return (
        f"  {name:<62} {result['eval_f1']:7.4f} {result['eval_p']:6.3f} {result['eval_r']:6.3f}"
        f" {result['dev_f1']:7.4f} {cost}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_html_choice", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument("--refresh", action="store_true", help="clean the pages again (after a code change)")
    parser.add_argument("--write", action="store_true", help=f"refit on all pages and write {MODEL_OUT.name}")
    args = parser.parse_args(argv)
    runs = load_or_collect(args.shared, args.refresh)
    n_eval = sum(r.set == "eval" for r in runs)
    print(f"{len(runs)} pages ({n_eval} trafilatura-eval-dev, {len(runs) - n_eval} article-extraction-dev), "
          f"{len({r.site for r in runs})} sites; {FOLDS} folds by site")  # fmt: skip
    print(f"  {'choice':<62} {'eval F1':>7} {'P':>6} {'R':>6} {'dev F1':>7} {'runs/page':>9}")
    print("  (eval: trafilatura-eval-dev snippet F1; dev: article-extraction-dev shingle F1; runs/page: trafilatura"
          " runs, a full or recall run costing about 1.5 fast ones)")  # fmt: skip
    report: dict[str, Any] = {"pages": len(runs), "folds": FOLDS, "rules": {}}
    for name, (picks, runs_per_page) in fixed_rules(runs).items():
        result: dict[str, Any] = evaluate(runs, picks)
        result["runs_per_page"] = runs_per_page
        report["rules"][name] = result
        print(_row(name, result, runs_per_page))
    for alternatives in (("full",), ("recall",), ALTERNATIVES):
        picks, extra = cross_validate(runs, alternatives)
        result = evaluate(runs, picks)
        name = f"fitted: fast, then {' or '.join(alternatives)}; cross-validated by site"
        result["runs_per_page"] = round(1 + extra / len(runs), 3)
        report["rules"][name] = result
        print(_row(name, result, result["runs_per_page"]))
    model = fit(runs)
    in_sample = evaluate(runs, picks_of(model, runs))
    in_sample["runs_per_page"] = round(1 + fuller_runs(model, runs) / len(runs), 3)
    print(f"  all pages (in-sample): {in_sample}; model {model.to_dict()}")
    report["model"] = model.to_dict()
    report["in_sample"] = in_sample
    if args.write:
        MODEL_OUT.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_OUT}")
    (OUT / "html_choice.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
