"""HTML input on trafilatura's evaluation pages: cleaner next to trafilatura and readability-lxml, side by side.

    python -m bench.html_eval --shared ../shared [--out bench/out/html_eval.json] [--system NAME ...]

The pages are `benchmarks/trafilatura-eval-dev/` (468 pages of hundreds of sites, `html/NAME.html.gz`), the
measure is trafilatura's own as the shared README states it: a system's output is its title, a newline and its
text, white space runs folded to one space; over all pages a `with` snippet found in it (substring) is a true
positive, one not found a false negative, a `without` snippet found a false positive. P = tp/(tp+fp),
R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn).

Systems: cleaner (`clean_html(bytes)`, title + text), trafilatura in its benchmark settings
(`include_comments=False, include_tables=True`) and with its defaults (`bare_extraction`, title + text), and
readability-lxml (its `short_title()` + its summary's text blocks). cleaner's extraction choice is a scorer fit
on these pages and the article-extraction dev pages (`bench.fit_html_choice`); its cross-validated-by-site
figure is that script's, since a figure measured here on the pages it was fit on is in-sample.

Everything is written to `bench/out/html_eval.json` (per-page tp/fp/fn too).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from . import DEFAULT_SHARED, OUT

EVAL = Path("benchmarks") / "trafilatura-eval-dev"
TARGET_F1 = 0.945
# The shared README's figures for the peers on these pages.
README = {"trafilatura-bench": 0.926, "trafilatura-defaults": 0.921}

# A page named by a hash has no site in its name: its site is its canonical URL's domain.
_HEX_NAME = re.compile(r"[0-9a-f]{32}")
# Top-level (and common second-level) domain labels, enough to find where the site ends in a name such as
# "auto.oe24.at-golfchina" or "cybercook.com.br.sequilho".
_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "info",
        "biz",
        "news",
        "eu",
        "de",
        "at",
        "ch",
        "fr",
        "uk",
        "it",
        "es",
        "nl",
        "be",
        "dk",
        "se",
        "no",
        "fi",
        "pl",
        "cz",
        "sk",
        "hu",
        "ro",
        "ru",
        "ua",
        "br",
        "ar",
        "mx",
        "co",
        "cu",
        "hn",
        "gt",
        "cl",
        "pe",
        "ve",
        "ec",
        "uy",
        "py",
        "bo",
        "cr",
        "pa",
        "do",
        "pr",
        "sv",
        "ni",
        "io",
        "ai",
        "me",
        "tv",
        "us",
        "ca",
        "au",
        "nz",
        "jp",
        "kr",
        "cn",
        "in",
        "za",
        "ie",
        "pt",
        "gr",
        "tr",
        "il",
        "lu",
        "li",
        "si",
        "hr",
        "rs",
        "bg",
        "lt",
        "lv",
        "ee",
        "blog",
        "wiki",
        "online",
    ]
)


@dataclass(frozen=True)
class EvalPage:
    name: str
    site: str
    with_: tuple[str, ...]
    without: tuple[str, ...]
    path: Path

    def raw(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


def _second_level(label: str) -> bool:
    head = label.split("-")[0]
    return head in _TLDS and len(head) <= 3


def site_from_name(name: str) -> str | None:
    """The registered domain a page's name starts with ("dw.com.colonial" -> "dw.com"), None for a hash."""
    if _HEX_NAME.fullmatch(name):
        return None
    labels = name.lower().split(".")
    for i in range(1, len(labels)):
        head = labels[i].split("-")[0]
        if head in _TLDS:
            end = i
            while end + 1 < len(labels) and _second_level(labels[end + 1]):
                end += 1
            return ".".join([labels[i - 1], *(label.split("-")[0] for label in labels[i : end + 1])])
    return labels[0].split("-")[0]


def site_from_html(raw: bytes) -> str | None:
    """The domain of the page's canonical URL (or og:url), as trafilatura reads it."""
    from courlan import extract_domain
    from trafilatura.metadata import extract_url
    from trafilatura.utils import load_html

    tree = load_html(raw)
    url = extract_url(tree) if tree is not None else None
    return extract_domain(url) if url else None


def load_eval(shared: Path) -> list[EvalPage]:
    root = shared / EVAL
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(data):
        entry = data[key]
        path = root / "html" / f"{entry['name']}.html.gz"
        if not path.exists():
            continue
        site = site_from_name(entry["name"])
        if site is None:
            site = site_from_html(gzip.decompress(path.read_bytes())) or entry["name"]
        pages.append(EvalPage(entry["name"], site, tuple(entry["with"]), tuple(entry["without"]), path))
    return pages


# --- the measure -----------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "f1": round(self.f1, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def page_counts(output: str, page: EvalPage) -> Counts:
    """tp/fp/fn of one page's output (title + newline + text) against its snippets."""
    folded = fold(output)
    found = sum(fold(snippet) in folded for snippet in page.with_)
    leaked = sum(fold(snippet) in folded for snippet in page.without)
    return Counts(found, leaked, len(page.with_) - found)


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for item in counts:
        result = result + item
    return result


# --- the systems -----------------------------------------------------------------------------------------------


def cleaner_output(raw: bytes) -> str:
    from cleaner.html import clean_html

    doc = clean_html(raw)
    return f"{doc.title or ''}\n{doc.text}"


def _decoded(raw: bytes) -> str:
    from cleaner.html import decode_html

    return decode_html(raw)


def trafilatura_output(raw: bytes, *, benchmark: bool) -> str:
    import trafilatura

    settings: dict[str, Any] = {"include_comments": False, "include_tables": True} if benchmark else {}
    document = trafilatura.bare_extraction(_decoded(raw), with_metadata=True, **settings)
    if document is None:
        return ""
    return f"{document.title or ''}\n{document.text or ''}"


def readability_output(raw: bytes) -> str:
    from readability import Document
    from selectolax.lexbor import LexborHTMLParser

    from cleaner.html.blocks import text_blocks

    document = Document(_decoded(raw))
    text = "\n".join(text_blocks(LexborHTMLParser(document.summary(html_partial=True)).root))
    return f"{document.short_title() or ''}\n{text}"


@dataclass(frozen=True)
class System:
    name: str
    label: str
    run: Callable[[bytes], str]


SYSTEMS = (
    System("cleaner", "cleaner", cleaner_output),
    System(
        "trafilatura-bench",
        "trafilatura, include_comments=False, include_tables=True",
        lambda raw: trafilatura_output(raw, benchmark=True),
    ),
    System("trafilatura-defaults", "trafilatura, defaults", lambda raw: trafilatura_output(raw, benchmark=False)),
    System("readability", "readability-lxml", readability_output),
)


@cache
def _system(name: str) -> System:
    return next(system for system in SYSTEMS if system.name == name)


@dataclass
class Run:
    system: System
    pages: dict[str, Counts]
    errors: dict[str, str]

    @property
    def counts(self) -> Counts:
        return total(self.pages.values())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"system": self.system.name, "label": self.system.label}
        data.update(self.counts.to_dict())
        if self.system.name in README:
            data["readme_f1"] = README[self.system.name]
        data["errors"] = self.errors
        return data


def run_system(system: System, pages: list[EvalPage]) -> Run:
    counts: dict[str, Counts] = {}
    errors: dict[str, str] = {}
    for page in pages:
        try:
            output = system.run(page.raw())
        except Exception as error:  # a crash on one page is a finding, not the end of the benchmark
            errors[page.name] = "".join(traceback.format_exception_only(error)).strip()
            output = ""
        counts[page.name] = page_counts(output, page)
    return Run(system, counts, errors)


def print_runs(runs: list[Run], pages: list[EvalPage]) -> None:
    sites = len({page.site for page in pages})
    print(f"\ntrafilatura-eval-dev, HTML input ({len(pages)} pages, {sites} sites): snippet F1, P, R over all snippets")
    print(f"  {'system':<58} {'F1':>6} {'P':>6} {'R':>6}  {'README':>6}")
    for run in runs:
        c = run.counts
        readme = f"{README[run.system.name]:.3f}" if run.system.name in README else ""
        errors = f"  ({len(run.errors)} pages raised)" if run.errors else ""
        print(f"  {run.system.label:<58} {c.f1:6.3f} {c.precision:6.3f} {c.recall:6.3f}  {readme:>6}{errors}")
    print(f"  target for cleaner: F1 >= {TARGET_F1}, cross-validated by site (bench.fit_html_choice)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.html_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument("--out", type=Path, default=OUT / "html_eval.json", help="where to write the JSON")
    parser.add_argument("--system", action="append", choices=[s.name for s in SYSTEMS], help="only these systems")
    args = parser.parse_args(argv)
    if not (args.shared / EVAL / "evaldata.json").is_file():
        parser.error(f"no {EVAL}/evaldata.json under {args.shared} (pass --shared)")
    pages = load_eval(args.shared)
    runs = [run_system(_system(name), pages) for name in (args.system or [s.name for s in SYSTEMS])]
    print_runs(runs, pages)
    report = {
        "measure": "trafilatura's snippet measure: title + newline + text, white space folded, substring match",
        "shared": str(args.shared.resolve()),
        "target_f1": TARGET_F1,
        "pages": len(pages),
        "sites": len({page.site for page in pages}),
        "results": [run.to_dict() for run in runs],
        "per_page": {run.system.name: {k: c.to_dict() for k, c in run.pages.items()} for run in runs},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
