"""Quality of cleaner next to its peers, in the article-extraction benchmark's measure (`cleaner.evaluate`).

    python -m bench.quality --shared ../shared [--system cleaner] [--verbose] [--check]

1. The 60 dev pages of `benchmarks/article-extraction-dev/`: cleaner on the naive text dump (`text/KEY.txt`;
   prediction = `clean(text).text`, the body only, since the gold has no title) and the peers of `bench.peers`
   on the same pages, on the text dump or on the fetched HTML (`html/KEY.html.gz`) as each takes.
2. The Daily8 pages (`corpus/daily8/`) that have a gold file (`corpus/daily8-gold/`): prediction = title, a
   blank line, body (cleaner: `doc.title + "\\n\\n" + doc.text`), against the same of the gold; and cleaner's
   `kind` and related-card count against the gold's `kind` and `related`.

Prints the tables and cleaner's worst dev pages, and writes everything to `bench/out/quality.json`.
`--check` exits 1 when a peer's figures are more than 0.01 off those in the shared README.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cleaner.evaluate import PageScore, Scores, aggregate, page_scores

from . import DEFAULT_SHARED, OUT
from .peers import PEERS

DEV = Path("benchmarks") / "article-extraction-dev"
DAILY8 = Path("corpus") / "daily8"
DAILY8_GOLD = Path("corpus") / "daily8-gold"

# The shared README's table (F1, P, R) for the systems this script runs.
REFERENCE: dict[str, tuple[float, float, float]] = {
    "keep-everything": (0.68, 0.52, 0.99),
    "justext-lines": (0.76, 0.79, 0.74),
    "justext-html": (0.78, 0.86, 0.71),
    "c4-lines": (0.80, 0.80, 0.81),
    "trafilatura": (0.968, 0.950, 0.986),
}
SYSTEMS = ("cleaner", *PEERS)


@dataclass
class Page:
    key: str
    text: str
    gold: str
    url: str = ""
    html_path: Path | None = None

    @property
    def html(self) -> str:
        if self.html_path is None:
            return ""
        return gzip.decompress(self.html_path.read_bytes()).decode("utf-8", errors="replace")


@dataclass
class Run:
    """One system over one set of pages."""

    name: str
    label: str
    input: str
    predictions: dict[str, str] = field(default_factory=dict)
    pages: dict[str, PageScore] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    scores: Scores | None = None

    def to_dict(self, reference: tuple[float, float, float] | None = None) -> dict[str, Any]:
        assert self.scores is not None
        data: dict[str, Any] = {"system": self.name, "label": self.label, "input": self.input}
        data.update(self.scores.to_dict())
        data["seconds"] = round(self.seconds, 3)
        data["errors"] = self.errors
        if reference is not None:
            data["readme"] = dict(zip(("f1", "precision", "recall"), reference, strict=True))
        return data


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def load_dev(shared: Path) -> list[Page]:
    root = shared / DEV
    urls: dict[str, str] = {}
    if (root / "pages.jsonl").exists():
        for line in (root / "pages.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                urls[record["key"]] = record.get("url", "")
    pages = []
    for gold_path in sorted((root / "gold").glob("*.txt")):
        key = gold_path.stem
        html_path = root / "html" / f"{key}.html.gz"
        pages.append(
            Page(
                key=key,
                text=read_text(root / "text" / f"{key}.txt"),
                gold=read_text(gold_path),
                url=urls.get(key, ""),
                html_path=html_path if html_path.exists() else None,
            )
        )
    return pages


def cleaner_body(text: str) -> str:
    import cleaner

    return cleaner.clean(text).text


def _run(name: str, label: str, input: str, pages: list[Page], predict: Callable[[Page], str]) -> Run:
    run = Run(name, label, input)
    start = time.perf_counter()
    for page in pages:
        try:
            prediction = predict(page)
        except Exception as error:  # a crash on one page is a finding, not the end of the benchmark
            run.errors[page.key] = "".join(traceback.format_exception_only(error)).strip()
            prediction = ""
        run.predictions[page.key] = prediction
    run.seconds = time.perf_counter() - start
    run.pages = {page.key: page_scores(run.predictions[page.key], page.gold) for page in pages}
    run.scores = aggregate(run.pages.values())
    return run


def run_dev(pages: list[Page], systems: list[str]) -> list[Run]:
    runs = []
    for name in systems:
        if name == "cleaner":
            runs.append(_run("cleaner", "cleaner", "text", pages, lambda page: cleaner_body(page.text)))
            continue
        peer = PEERS[name]
        if peer.input == "html":
            runs.append(_run(name, peer.label, "html", pages, lambda page, run=peer.run: run(page.html)))
        else:
            runs.append(_run(name, peer.label, "text", pages, lambda page, run=peer.run: run(page.text)))
    return runs


# ---------------------------------------------------------------------------------------------------- Daily8


@dataclass
class Daily8Page:
    key: str
    text: str
    gold: dict[str, Any] | None

    @property
    def gold_target(self) -> str:
        assert self.gold is not None
        return f"{self.gold.get('title', '')}\n\n{self.gold.get('text', '')}"


def load_daily8(shared: Path) -> list[Daily8Page]:
    pages = []
    for path in sorted((shared / DAILY8).glob("*.txt")):
        gold_path = shared / DAILY8_GOLD / f"{path.stem}.json"
        gold = json.loads(gold_path.read_text(encoding="utf-8")) if gold_path.exists() else None
        pages.append(Daily8Page(path.stem, read_text(path), gold))
    return pages


def run_daily8(pages: list[Daily8Page], systems: list[str]) -> dict[str, Any]:
    graded = [page for page in pages if page.gold is not None]
    as_dev = [Page(page.key, page.text, page.gold_target) for page in graded]
    runs: list[Run] = []
    details: list[dict[str, Any]] = []
    for name in systems:
        if name == "cleaner":
            import cleaner

            docs: dict[str, Any] = {}

            def predict(page: Page, docs: dict[str, Any] = docs) -> str:
                doc = cleaner.clean(page.text)
                docs[page.key] = doc
                # A listing is right when its kind is listing and its text empty (shared/README.md): its title,
                # the page's own, is not scored.
                return f"{'' if doc.kind == 'listing' else doc.title}\n\n{doc.text}"

            runs.append(_run("cleaner", "cleaner", "text", as_dev, predict))
            for page in pages:
                try:
                    doc = docs.get(page.key) or cleaner.clean(page.text)
                except Exception as error:
                    details.append({"key": page.key, "error": repr(error)})
                    continue
                entry: dict[str, Any] = {
                    "key": page.key,
                    "title": doc.title,
                    "kind": doc.kind,
                    "related": len(doc.related),
                    "source": doc.source,
                    "text_chars": len(doc.text),
                    "removed": len(doc.removed),
                }
                if page.gold is not None:
                    score = runs[-1].pages[page.key]
                    gold = page.gold
                    entry["gold"] = {k: gold.get(k) for k in ("title", "kind", "related", "source") if k in gold}
                    entry.update(
                        f1=score.f1,
                        precision=score.precision,
                        recall=score.recall,
                        kind_ok=doc.kind == gold.get("kind"),
                        related_ok=len(doc.related) == gold.get("related"),
                        title_ok=doc.kind == "listing" or doc.title.strip() == str(gold.get("title", "")).strip(),
                    )
                    if "source" in gold:
                        entry["source_ok"] = doc.source == gold["source"]
                details.append(entry)
        elif PEERS[name].input == "text":
            runs.append(_run(name, PEERS[name].label, "text", as_dev, lambda page, run=PEERS[name].run: run(page.text)))
    return {"graded_pages": len(graded), "pages": len(pages), "runs": runs, "cleaner_pages": details}


# ---------------------------------------------------------------------------------------------------- output


def _fmt(value: float | None, digits: int = 3) -> str:
    return "  -  " if value is None else f"{value:.{digits}f}"


def _ref(value: float) -> str:
    """A README figure as the README prints it (two decimals, or three where it has them)."""
    return f"{value:.2f}" if round(value, 2) == value else f"{value:.3f}"


def print_table(title: str, runs: list[Run], reference: dict[str, tuple[float, float, float]]) -> None:
    print(f"\n{title}")
    head = f"  {'system':<40} {'input':<5} {'F1':>6} {'P':>6} {'R':>6}"
    if reference:
        head += f"   | {'README F1':>9} {'P':>5} {'R':>5}"
    head += f"   {'time s':>7}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for run in runs:
        s = run.scores
        assert s is not None
        line = f"  {run.label:<40} {run.input:<5} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f}"
        if reference:
            ref = reference.get(run.name)
            line += "   | " + (
                f"{_ref(ref[0]):>9} {_ref(ref[1]):>5} {_ref(ref[2]):>5}" if ref else f"{'':>9} {'':>5} {'':>5}"
            )
        line += f"   {run.seconds:7.2f}"
        if run.errors:
            line += f"   ({len(run.errors)} pages raised)"
        print(line)


def worst_pages(run: Run, pages: list[Page], count: int) -> list[dict[str, Any]]:
    by_key = {page.key: page for page in pages}
    ranked = sorted(run.pages.items(), key=lambda item: (item[1].f1, item[0]))[:count]
    return [
        {
            "key": key,
            "url": by_key[key].url,
            "f1": score.f1,
            "precision": score.precision,
            "recall": score.recall,
            "prediction_chars": len(run.predictions[key]),
            "gold_chars": len(by_key[key].gold),
            "error": run.errors.get(key),
        }
        for key, score in ranked
    ]


def print_errors(runs: list[Run]) -> None:
    for run in runs:
        if run.errors:
            distinct = sorted(set(run.errors.values()))
            print(f"  {run.label} RAISED on {len(run.errors)} pages ({len(distinct)} distinct errors):")
            for error in distinct[:3]:
                print(f"    {error.splitlines()[-1][:200]}")


def print_worst(rows: list[dict[str, Any]]) -> None:
    print(f"\ncleaner's worst {len(rows)} dev pages (per-page F1)")
    print(f"  {'F1':>6} {'P':>6} {'R':>6} {'pred ch':>8} {'gold ch':>8}  key           site")
    for row in rows:
        site = urlsplit(row["url"]).netloc if row["url"] else ""
        note = "  (raised)" if row["error"] else ""
        print(
            f"  {row['f1']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f} {row['prediction_chars']:8d}"
            f" {row['gold_chars']:8d}  {row['key'][:12]}  {site}{note}"
        )


def print_verbose(runs: list[Run], pages: list[Page]) -> None:
    print("\nPer page F1 / P / R")
    names = [run.name for run in runs]
    print("  key          " + "".join(f"{name[:20]:>22}" for name in names))
    for page in pages:
        cells = []
        for run in runs:
            s = run.pages[page.key]
            cells.append(f"{s.f1:.2f}/{s.precision:.2f}/{s.recall:.2f}".rjust(22))
        print(f"  {page.key[:12]} " + "".join(cells))


def print_daily8(result: dict[str, Any]) -> None:
    runs: list[Run] = result["runs"]
    if runs:
        print_table(
            f"Daily8 pages with a gold file ({result['graded_pages']} of {result['pages']}): title + body",
            runs,
            {},
        )
        print_errors(runs)
    details = result["cleaner_pages"]
    if not details:
        return
    print("\ncleaner on each Daily8 page (gold in brackets)")
    print(f"  {'page':<24} {'F1':>6}  {'kind':<19} {'related':<9} {'title':<6} {'chars':>6}  title")
    for entry in details:
        if "error" in entry:
            print(f"  {entry['key']:<24} ERROR {entry['error']}")
            continue
        gold = entry.get("gold")
        if gold is not None:
            kind = f"{entry['kind']} ({gold.get('kind')})"
            related = f"{entry['related']} ({gold.get('related')})"
            title_ok = "ok" if entry["title_ok"] else "WRONG"
            f1 = f"{entry['f1']:6.3f}"
        else:
            kind, related, title_ok, f1 = entry["kind"], str(entry["related"]), "", "     -"
        print(
            f"  {entry['key']:<24} {f1}  {kind:<19} {related:<9} {title_ok:<6} {entry['text_chars']:6d}"
            f"  {entry['title'][:60]!r}"
        )


def check(runs: list[Run]) -> list[str]:
    """The peers whose figures are more than 0.01 off the README's (compared at the README's precision)."""
    problems = []
    for run in runs:
        ref = REFERENCE.get(run.name)
        if ref is None or run.scores is None:
            continue
        ours = (run.scores.f1, run.scores.precision, run.scores.recall)
        for what, mine, theirs in zip(("F1", "P", "R"), ours, ref, strict=True):
            digits = len(repr(theirs).split(".")[1])
            if abs(round(mine, digits) - theirs) > 0.01 + 1e-9:
                problems.append(f"{run.label}: {what} {mine:.3f}, README {theirs}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument(
        "--system",
        action="append",
        metavar="NAME",
        help=f"run only these systems (repeat or comma-separate): {', '.join(SYSTEMS)}",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="print every dev page's scores")
    parser.add_argument("--worst", type=int, default=10, help="how many of cleaner's worst dev pages to list")
    parser.add_argument("--out", type=Path, default=OUT / "quality.json", help="where to write the JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 if a peer is >0.01 off the README")
    args = parser.parse_args(argv)

    if not (args.shared / DEV).is_dir():
        parser.error(f"no {DEV} under {args.shared} (pass --shared)")
    wanted = [name.strip() for item in args.system or [] for name in item.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in SYSTEMS]
    if unknown:
        parser.error(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    systems, skipped = [], {}
    for name in wanted or SYSTEMS:
        peer = PEERS.get(name)
        if peer is not None and not peer.available():
            skipped[name] = f"needs {', '.join(peer.requires)}"
        else:
            systems.append(name)

    pages = load_dev(args.shared)
    dev_runs = run_dev(pages, systems)
    print_table(
        f"Dev pages ({len(pages)}, {DEV}): token 4-gram shingles, P and R macro-averaged over pages",
        dev_runs,
        REFERENCE,
    )
    for name, why in skipped.items():
        print(f"  (skipped {name}: {why})")
    print_errors(dev_runs)
    cleaner_run = next((run for run in dev_runs if run.name == "cleaner"), None)
    worst = worst_pages(cleaner_run, pages, args.worst) if cleaner_run else []
    if worst:
        print_worst(worst)
    if args.verbose:
        print_verbose(dev_runs, pages)

    daily8 = run_daily8(load_daily8(args.shared), systems) if (args.shared / DAILY8).is_dir() else None
    if daily8 is not None:
        print_daily8(daily8)

    report: dict[str, Any] = {
        "measure": "token 4-gram shingles; per-page tp/fp/fn normalised to sum 1; P and R macro-averaged "
        "(P over pages with a prediction, R over pages with a gold); F1 of P and R (cleaner.evaluate)",
        "shared": str(args.shared.resolve()),
        "skipped": skipped,
        "dev": {
            "pages": len(pages),
            "systems": [run.to_dict(REFERENCE.get(run.name)) for run in dev_runs],
            "cleaner_worst": worst,
            "per_page": {run.name: {k: s.to_dict() for k, s in run.pages.items()} for run in dev_runs},
        },
    }
    if daily8 is not None:
        report["daily8"] = {
            "pages": daily8["pages"],
            "graded_pages": daily8["graded_pages"],
            "target": 'title + "\\n\\n" + text',
            "systems": [run.to_dict() for run in daily8["runs"]],
            "per_page": {run.name: {k: s.to_dict() for k, s in run.pages.items()} for run in daily8["runs"]},
            "cleaner_pages": daily8["cleaner_pages"],
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")

    if args.check:
        problems = check(dev_runs)
        for problem in problems:
            print(f"CHECK FAILED {problem}", file=sys.stderr)
        if problems:
            return 1
    return 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("quality", main))
