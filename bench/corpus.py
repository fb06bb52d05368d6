"""A deterministic corpus of aggregator-style scraped pages, for throughput runs.

    python -m bench.corpus --out bench/out/corpus --size-mb 50 [--seed 8] [--jsonl FILE] [--shared ../shared]

Every page is plain text of 5-20 KB, as a scraper saves it, recombined from material the project may use:
article bodies are runs of paragraphs of the 60 dev gold texts (MIT, article-extraction benchmark) and of the
Daily8 gold texts, sometimes joined with a second article's paragraphs and with their figures changed; titles
are the dev pages' HTML titles and the Daily8 gold titles; site chrome is (a) the real header and footer lines
of the dev text dumps (everything above the first and below the last body line) and (b) synthetic aggregator
chrome written here: logo, title twice, source glued to age, share bars, "Try Our AI Features", comments,
related-article cards carrying full texts or snippets cut mid-word, hashtag listings, app banners, cookie notes.

The page mix: aggregator articles (45%), news-site articles with real chrome (30%), tag/listing pages made only
of cards (15%), chrome-free articles (10%). The same seed, size and sources give byte-identical output.
The corpus goes to a directory of `NNNNNN.txt` files with a `corpus.json` manifest, and optionally one JSONL
file of `{"id", "text"}` records. Nothing here is meant to be committed (`bench/out/` is ignored).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import DEFAULT_SHARED, OUT

GENERATOR_VERSION = 1
MIN_PAGE = 5_000
MAX_PAGE = 20_000
DEV = Path("benchmarks") / "article-extraction-dev"

KINDS = (("aggregator", 45), ("news", 30), ("listing", 15), ("plain", 10))

BRANDS = ("Daily8", "NewsHub", "Briefly", "Updaily", "FeedPoint")
SOURCES = (
    "Russia Today",
    "Al Jazeera",
    "The Morning Ledger",
    "Metro Wire",
    "Coastal Herald",
    "Valley Times",
    "Northern Post",
    "Business Desk",
    "Sports Courier",
    "Tech Digest",
)
CATEGORIES = ("Politics", "World", "Business", "Sports", "Science", "Health", "Entertainment", "Technology")
AGES = (
    "an hour ago",
    "a day ago",
    "2 days ago",
    "5 minutes ago",
    "a week ago",
    *(f"{n} hours ago" for n in range(2, 24)),
)
ALT_TEXTS = (
    "Orange background",
    "File photo",
    "Image credit: Reuters",
    "Representational image",
    "A view of the site on Tuesday",
    "Photo: AFP",
)
SHARE_BARS = (
    ("Share", "Facebook", "Twitter", "WhatsApp", "Email", "Copy link"),
    ("Share this article", "Share on Facebook", "Share on X", "Share via Email"),
    ("Facebook", "Twitter", "LinkedIn", "Reddit", "Print"),
    ("Share", "Tweet", "Pin", "Email"),
)
COOKIE_NOTES = (
    "We use cookies to improve your experience. By continuing you agree to our Cookie Policy.",
    "This site uses cookies. Accept all | Manage preferences",
    "Privacy Policy | Terms of Use | Cookie settings",
)
NEWSLETTER = (
    "Sign up for our newsletter",
    "Get the top stories in your inbox every morning.",
    "Enter your email address",
    "Subscribe",
)
APP_BANNERS = (
    (
        "DOWNLOAD THE APP",
        "Get Started Now: Download the App",
        "Ready to dive into a world of global content with local flavor? Download {brand} app today from your "
        "preferred app store and start exploring.",
        "app-storeplay-store",
    ),
    ("Get the {brand} app", "Read the news that matters to you, wherever you are.", "App Store | Google Play"),
)
AUTHORS = ("Staff Reporter", "Jane Doe", "A. Smith", "Wire Services", "Our Correspondent", "Maria Lopez")


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Material:
    articles: tuple[Article, ...]
    headers: tuple[tuple[str, ...], ...]
    footers: tuple[tuple[str, ...], ...]
    digest: str


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TITLE_SITE = re.compile(r"\s+[-|–—:]\s+[^-|–—:]{2,40}$")
_DIGITS = re.compile(r"\d+")


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip())


def _html_title(path: Path) -> str:
    if not path.exists():
        return ""
    head = gzip.decompress(path.read_bytes())[:200_000].decode("utf-8", errors="replace")
    match = _TITLE.search(head)
    if not match:
        return ""
    title = " ".join(html.unescape(match.group(1)).split())
    return _TITLE_SITE.sub("", title) or title


def load_material(shared: Path) -> Material:
    """Read the usable text of `shared/`: article bodies, titles, and the dev dumps' real chrome."""
    articles: list[Article] = []
    headers: list[tuple[str, ...]] = []
    footers: list[tuple[str, ...]] = []
    digest = hashlib.sha256()
    root = shared / DEV
    for gold_path in sorted((root / "gold").glob("*.txt")):
        key = gold_path.stem
        gold = gold_path.read_text(encoding="utf-8", errors="replace")
        dump_path = root / "text" / f"{key}.txt"
        dump = dump_path.read_text(encoding="utf-8", errors="replace") if dump_path.exists() else ""
        digest.update(gold.encode())
        digest.update(dump.encode())
        paragraphs = _paragraphs(gold)
        if not paragraphs:
            continue
        title = _html_title(root / "html" / f"{key}.html.gz") or " ".join(paragraphs[0].split()[:9])
        articles.append(Article(title, paragraphs))
        # Chrome: what stands above the first and below the last line that belongs to the body.
        flat = " ".join(gold.split())
        lines = [line.strip() for line in dump.splitlines()]
        body = [i for i, line in enumerate(lines) if len(line) > 30 and " ".join(line.split()) in flat]
        if body:
            header = tuple(line for line in lines[: body[0]] if line)[-80:]
            footer = tuple(line for line in lines[body[-1] + 1 :] if line)[:80]
            if header:
                headers.append(header)
            if footer:
                footers.append(footer)
    for gold_path in sorted((shared / "corpus" / "daily8-gold").glob("*.json")):
        record = json.loads(gold_path.read_text(encoding="utf-8"))
        digest.update(gold_path.read_bytes())
        paragraphs = _paragraphs(record.get("text", ""))
        if paragraphs and record.get("title"):
            articles.append(Article(record["title"], paragraphs))
    if not articles:
        raise SystemExit(f"no article text found under {shared} (pass --shared)")
    return Material(tuple(articles), tuple(headers), tuple(footers), digest.hexdigest()[:16])


class PageMaker:
    """Builds one page at a time from `Material` with its own seeded random stream."""

    def __init__(self, material: Material, seed: int) -> None:
        self.m = material
        self.rng = random.Random(seed)

    # -- pieces

    def _vary(self, paragraph: str) -> str:
        """Change a paragraph's figures now and then, so recombined pages do not repeat each other exactly."""
        if self.rng.random() < 0.3:
            return _DIGITS.sub(lambda m: str(self.rng.randrange(10 ** len(m.group()))), paragraph)
        return paragraph

    def article(self) -> Article:
        base = self.rng.choice(self.m.articles)
        paras = list(base.paragraphs)
        if len(paras) > 4 and self.rng.random() < 0.5:
            start = self.rng.randrange(len(paras) // 2)
            paras = paras[start : start + self.rng.randint(3, len(paras))]
        if self.rng.random() < 0.25:  # recombine with part of another story
            other = self.rng.choice(self.m.articles).paragraphs
            cut = self.rng.randint(1, len(other))
            paras += other[:cut]
        return Article(base.title, tuple(self._vary(p) for p in paras))

    def _fit(self, paragraphs: tuple[str, ...], budget: int) -> list[str]:
        kept: list[str] = []
        size = 0
        for paragraph in paragraphs:
            if kept and size + len(paragraph) > budget:
                break
            kept.append(paragraph)
            size += len(paragraph) + 1
        return kept

    def card(self, full: bool) -> str:
        story = self.article()
        source = self.rng.choice(SOURCES)
        text = " ".join(story.paragraphs)
        if not full or len(text) > 4000:
            cut = self.rng.randint(120, 260)
            text = text[:cut]  # cut mid-word, as the teaser rails do
        lines = [story.title, story.title, "", source, "", f"time{self.rng.choice(AGES)}", ""]
        if self.rng.random() < 0.5:
            lines += [f"  • {self.rng.choice(CATEGORIES)}"]
        lines += [f"  • {source}", "", story.title, "", text, ""]
        return "\n".join(lines)

    def app_banner(self, brand: str) -> str:
        return "\n\n".join(line.format(brand=brand) for line in self.rng.choice(APP_BANNERS))

    # -- page kinds

    def aggregator(self, target: int) -> str:
        brand = self.rng.choice(BRANDS)
        story = self.article()
        body = self._fit(story.paragraphs, max(600, int(target * self.rng.uniform(0.3, 0.7))))
        head = ["logo", story.title, "", story.title, "", f"{self.rng.choice(SOURCES)}{self.rng.choice(AGES)}"]
        head += body
        if self.rng.random() < 0.5:
            head.append(self.rng.choice(ALT_TEXTS))
        if self.rng.random() < 0.4:
            head += ["", "Hashtags", "", " ".join(f"#{c}" for c in self.rng.sample(CATEGORIES, 3))]
        head += ["", "Try Our AI Features", "", f"Explore what {brand} AI can do for you:", ""]
        head += ["Comments", "", "No comments yet...", "", "Related Articles", ""]
        tail = self.app_banner(brand) if self.rng.random() < 0.5 else ""
        return self._fill("\n".join(head) + "\n", tail, target, full_cards=self.rng.random() < 0.6)

    def listing(self, target: int) -> str:
        brand = self.rng.choice(BRANDS)
        tag = self.rng.choice(self.rng.choice(self.m.articles).title.split() or ["News"]).strip(".,:;'\"")
        head = f"logo\n#\n\nLatest news with #{tag or 'News'}\n\n"
        return self._fill(head, self.app_banner(brand), target, full_cards=True, minimum=4)

    def news(self, target: int) -> str:
        story = self.article()
        header = list(self.rng.choice(self.m.headers)) if self.m.headers else ["Home", "News", "Sport"]
        footer = list(self.rng.choice(self.m.footers)) if self.m.footers else ["About us", "Contact"]
        share = list(self.rng.choice(SHARE_BARS))
        chrome = sum(len(line) + 1 for line in header + footer + share) + 400
        budget = max(800, target - chrome)
        body = self._fit(story.paragraphs, budget)
        while sum(map(len, body)) < budget * 0.6:  # a short story: run on with another one
            more = self._fit(self.article().paragraphs, int(budget - sum(map(len, body))))
            if not more:
                break
            body += more
        sep = "\n\n" if self.rng.random() < 0.5 else "\n"
        byline = f"By {self.rng.choice(AUTHORS)} | {self.rng.randint(1, 28)} {self.rng.choice(('May', 'June', 'July'))}"
        parts = ["\n".join(header), story.title, byline, "\n".join(share), sep.join(body), "\n".join(share)]
        if self.rng.random() < 0.5:
            related = [self.article().title for _ in range(self.rng.randint(3, 6))]
            parts.append("Related\n" + "\n".join(related))
        if self.rng.random() < 0.4:
            parts.append("\n".join(NEWSLETTER))
        parts += ["\n".join(footer), self.rng.choice(COOKIE_NOTES)]
        page = "\n".join(parts) + "\n"
        return page[:MAX_PAGE] if len(page) > MAX_PAGE else page

    def plain(self, target: int) -> str:
        story = self.article()
        body = self._fit(story.paragraphs, target)
        while sum(map(len, body)) < MIN_PAGE:
            more = self._fit(self.article().paragraphs, MAX_PAGE - sum(map(len, body)) - 400)
            if not more:
                break
            body += more
        sep = "\n\n" if self.rng.random() < 0.5 else "\n"
        return f"{story.title}\n\n{story.title}\n\n" + sep.join(body) + "\n"

    def _fill(self, head: str, tail: str, target: int, full_cards: bool, minimum: int = 1) -> str:
        """Add related cards between `head` and `tail` up to `target` characters (never past MAX_PAGE)."""
        cards: list[str] = []
        size = len(head) + len(tail) + 1
        misses = 0
        while (size < target or len(cards) < minimum) and misses < 6:
            card = self.card(full=full_cards and misses < 3)
            if size + len(card) > MAX_PAGE:
                misses += 1
                continue
            cards.append(card)
            size += len(card) + 1
        return head + "\n".join(cards) + ("\n" + tail + "\n" if tail else "")

    def page(self) -> tuple[str, str]:
        """One page of a kind drawn by KINDS' weights, 5-20 KB (UTF-8) long: one out of range is drawn again."""
        kind = self.rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        for _ in range(20):
            target = int(self.rng.triangular(MIN_PAGE, MAX_PAGE, 9_000))
            text = getattr(self, kind)(target)
            if MIN_PAGE <= len(text.encode("utf-8")) <= MAX_PAGE:
                break
        return kind, text


def generate(
    out: Path,
    size: int,
    seed: int = 8,
    shared: Path = DEFAULT_SHARED,
    jsonl: Path | None = None,
) -> dict[str, Any]:
    """Write pages to `out` until they hold at least `size` bytes; return the manifest (also `corpus.json`)."""
    material = load_material(shared)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    maker = PageMaker(material, seed)
    total = count = 0
    kinds: dict[str, int] = {}
    smallest, largest = MAX_PAGE * 10, 0
    records = jsonl.open("w", encoding="utf-8") if jsonl else None
    try:
        while total < size:
            kind, text = maker.page()
            data = text.encode("utf-8")
            name = f"{count:06d}"
            (out / f"{name}.txt").write_bytes(data)
            if records is not None:
                records.write(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n")
            total += len(data)
            count += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            smallest, largest = min(smallest, len(data)), max(largest, len(data))
    finally:
        if records is not None:
            records.close()
    manifest = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "size": size,
        "sources": material.digest,
        "files": count,
        "bytes": total,
        "kinds": kinds,
        "smallest": smallest,
        "largest": largest,
    }
    (out / "corpus.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def ensure(out: Path, size: int, seed: int = 8, shared: Path = DEFAULT_SHARED) -> dict[str, Any]:
    """The corpus at `out`, generated unless one from the same generator, seed, size and sources is there."""
    manifest_path = out / "corpus.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (
            manifest.get("generator") == GENERATOR_VERSION
            and manifest.get("seed") == seed
            and manifest.get("size") == size
            and manifest.get("sources") == load_material(shared).digest
            and len(list(out.glob("*.txt"))) == manifest.get("files")
        ):
            return manifest
    return generate(out, size, seed, shared)


def prefix(corpus: Path, size: int, dest: Path) -> dict[str, int]:
    """A directory holding the corpus's first files up to `size` bytes (hard links where possible)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    total = count = 0
    for path in sorted(corpus.glob("*.txt")):
        if total >= size:
            break
        try:
            os.link(path, dest / path.name)
        except OSError:
            shutil.copyfile(path, dest / path.name)
        total += path.stat().st_size
        count += 1
    return {"files": count, "bytes": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT / "corpus", help="directory for the .txt pages")
    parser.add_argument("--size-mb", type=float, default=50.0, help="total size in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument("--jsonl", type=Path, help="also write every page as one JSONL record here")
    args = parser.parse_args(argv)
    manifest = generate(args.out, int(args.size_mb * 1e6), args.seed, args.shared, args.jsonl)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
