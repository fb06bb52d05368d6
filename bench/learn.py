"""Learning an aggregator's chrome: quality with and without `--learn`, and memory on 100,000 pages.

    python -m bench.learn --shared ../shared [--sites 5] [--pages-per-site 70] [--big 100000] [--seed 5]

1. A generated corpus (`generate`, seeded; every word invented here): pages of several aggregators whose chrome
   is in no shipped pack, each with its own header, inline ads, end-of-article widgets, teaser-rail header and
   card format, footer and listing pages; stories are written from templates, a quarter of each site's carried
   by another site too (syndicated), one wire story republished on an eighth of each site's article pages, and
   the teaser rails favour a few popular stories, so a story's headline and snippet stand on many pages of its
   site. One directory per site, one .txt per page.
2. `cleaner clean DIR --format jsonl` and `cleaner clean --learn DIR --format jsonl` (the console script, in a
   subprocess) on that corpus, on the 60 dev text dumps (one directory: learnt as one site), on the Daily8
   pages and on the invented aggregator pages of `fixtures/`, scored with `cleaner.evaluate` (title + blank line
   + body against the same of the gold; dev pages: body against gold, as `bench.quality` does). Also the
   learner with its analyses switched off (every line past the threshold dropped anywhere: plain frequency
   filtering), for what the syndication, card, position and marker analyses are worth.
3. `cleaner learn` over a generated JSONL corpus of `--big` pages (sites told by the records' `url`), and over a
   tenth of it, each in a subprocess: wall time and peak RSS (`ru_maxrss` of the child). Next to them the same
   learner with an exact table of unbounded size (no sketch), to show what the sketch saves.

Writes `bench/out/learn.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.evaluate import aggregate, page_scores

from . import DEFAULT_SHARED, OUT, REPO

DEV = Path("benchmarks") / "article-extraction-dev"
DAILY8 = Path("corpus") / "daily8"
DAILY8_GOLD = Path("corpus") / "daily8-gold"

# ── Invented vocabulary ─────────────────────────────────────────────────────────────────────────────────────

TOWNS = [
    "Corran",
    "Haldane",
    "Westmere",
    "Lowfield",
    "Pinecrest",
    "Norhaven",
    "Eastbrook",
    "Thornbury",
    "Greywater",
    "Millbank",
    "Ashcombe",
    "Fallowmere",
    "Quenby",
    "Rothwick",
    "Saltash Vale",
    "Dunmore",
    "Kelbridge",
    "Orsett",
    "Wyncliffe",
    "Brackenholm",
    "Sedgeford",
    "Tarrow",
    "Ullesby",
    "Vantmoor",
]
PEOPLE = [
    "Marta Quill",
    "Osei Brandt",
    "Ilse Morrow",
    "Tomas Redvers",
    "Priya Calloway",
    "Jun Halvorsen",
    "Agnes Tully",
    "Rafael Ostrander",
    "Noor Kessler",
    "Bram Willet",
    "Yusuf Carrow",
    "Edda Lindqvist",
    "Callum Frayne",
    "Sofia Arkwright",
    "Dmitri Vale",
    "Hattie Cornish",
]
ROLES = [
    "chairs the transport committee",
    "runs the town's food bank",
    "has farmed there for thirty years",
    "leads the engineers' union",
    "teaches at the primary school",
    "owns the bakery on the square",
    "sits on the regional council",
    "manages the harbour",
    "coordinates the volunteer lifeboat crew",
]
ORGS = [
    "the water board",
    "the regional council",
    "the rail operator",
    "the hospital trust",
    "the ferry company",
    "the growers' cooperative",
    "the planning inspectorate",
    "the fire service",
    "the university",
    "the housing association",
    "the chamber of commerce",
    "the weather service",
]
THINGS = [
    "the old ferry terminal",
    "the river footbridge",
    "the night bus service",
    "the public library",
    "the cattle market",
    "the coastal path",
    "the grain silo",
    "the swimming baths",
    "the tram depot",
    "the community orchard",
    "the covered market",
    "the lifeboat station",
    "the reservoir dam",
    "the school kitchens",
    "the sea wall",
    "the cycle lane on the high street",
]
ACTIONS = [
    ("close", "closes", "will close"),
    ("rebuild", "rebuilds", "will rebuild"),
    ("sell", "sells", "will sell"),
    ("reopen", "reopens", "will reopen"),
    ("expand", "expands", "will expand"),
    ("repair", "repairs", "will repair"),
    ("move", "moves", "will move"),
    ("review", "reviews", "will review"),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
SUBJECTS = [
    "{org_cap} said on {day} that",
    "A spokesperson for {org} confirmed that",
    "{person}, who {role}, said that",
    "Residents of {town} were told at a packed meeting that",
    "Figures published by {org} show that",
    "Engineers working for {org} warned that",
    "In a letter to councillors, {person} wrote that",
    "Campaigners in {town} argue that",
    "Officials admitted on {day} that",
    "A report commissioned by {org} found that",
]
CLAUSES = [
    "{thing} would stay shut until the end of {month}",
    "the bill for {thing} had risen to {n} million",
    "{n} households in {town} would be affected by the change",
    "work on {thing} could not start before {month}",
    "the plan for {thing} had been delayed for a third time",
    "nobody had been told about the cracks in {thing}",
    "the number of visitors to {thing} had fallen by {n} per cent",
    "{thing} had flooded twice since {month}",
    "a temporary replacement for {thing} would be found within {n} weeks",
    "{org} had not been consulted about {thing}",
    "the survey of {thing} had found {n} separate faults",
    "the cost of running {thing} had doubled in {n} years",
    "volunteers had kept {thing} open through the winter",
    "the money for {thing} would come from a fund set up in {month}",
]
TAILS = [
    "",
    ", although not everyone agreed",
    " despite objections from shopkeepers",
    ", according to the minutes",
    " after a winter of storms",
    ", a decision that surprised many",
    " in a vote of {n} to {m}",
    ", and that further delays could not be ruled out",
    " for the first time in a generation",
]
QUOTES = [
    "We have waited long enough for an answer, and people here deserve better than another consultation.",
    "Nobody wants to see it go, but the numbers simply do not add up any more.",
    "It is a small thing on a map, but for the people who use it every day it is everything.",
    "We will keep pressing until there is a date on the calendar and money in the budget.",
    "I have lived here all my life and I have never seen the town this united about anything.",
]
SUBHEADS = ["What happens next", "A long wait", "Why it matters", "The cost", "Reaction", "Background"]
OUTLETS = [
    "Corran Evening Star",
    "The Haldane Courier",
    "Westmere Gazette",
    "Lowfield Observer",
    "Pinecrest Daily",
    "The Salt Road Ledger",
    "Norhaven Times",
    "Eastbrook Bulletin",
    "Thornbury Record",
    "Greywater Chronicle",
    "Millbank Herald",
    "Ashcombe Post",
]
AUTHORS = ["Lena Farrow", "Kit Ambrose", "Rosa Delacourt", "Theo Marsh", "Ines Carvell", "Hugh Penrose"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SECTIONS = ["Local", "Money", "Transport", "Environment", "Health", "Politics"]


@dataclass(frozen=True)
class Story:
    id: int
    title: str
    lede: str
    body: tuple[str, ...]  # paragraphs after the lede, subheadings among them
    outlet: str
    section: str

    @property
    def gold_text(self) -> str:
        return "\n\n".join((self.lede, *self.body))


class Writer:
    """Invented stories from templates; every story's sentences are drawn afresh, so they do not repeat."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._titles: set[str] = set()

    def _fill(self, template: str) -> str:
        r = self.rng
        org = r.choice(ORGS)
        n = r.randint(2, 95)
        return template.format(
            org=org,
            org_cap=org[0].upper() + org[1:],
            day=r.choice(DAYS),
            person=r.choice(PEOPLE),
            role=r.choice(ROLES),
            town=r.choice(TOWNS),
            thing=r.choice(THINGS),
            month=r.choice(MONTHS),
            n=n,
            m=r.randint(1, n),
        )

    def sentence(self) -> str:
        text = f"{self._fill(self.rng.choice(SUBJECTS))} {self._fill(self.rng.choice(CLAUSES))}"
        return text + self._fill(self.rng.choice(TAILS)) + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        while True:
            r = self.rng
            town, thing = r.choice(TOWNS), r.choice(THINGS)
            verb = r.choice(ACTIONS)
            who = r.choice(["Council", "Ministry", "Operator", "Trust", "Board", "Residents"])
            form = r.randrange(4)
            if form == 0:
                title = f"{town} {who.lower() if who != 'Residents' else 'residents'} {verb[1]} plan for {thing}"
            elif form == 1:
                title = f"{who} {verb[2]} {thing} in {town} after {r.randint(2, 40)}-year wait"
            elif form == 2:
                title = f"Why {town} wants to {verb[0]} {thing}"
            else:
                title = f"{town}: {thing} to {verb[0]} by {r.choice(MONTHS)}, {who.lower()} says"
            title = title[0].upper() + title[1:]
            if title not in self._titles:
                self._titles.add(title)
                return title

    def story(self, story_id: int, paragraphs: tuple[int, int] = (4, 8)) -> Story:
        r = self.rng
        lede = f"{r.choice(TOWNS).upper()} — {self.sentence()} {self.sentence()}"
        body = [self.paragraph(r.randint(2, 4)) for _ in range(r.randint(*paragraphs))]
        if r.random() < 0.3:
            body.insert(r.randint(1, len(body) - 1), r.choice(SUBHEADS))
        if r.random() < 0.3:
            body.insert(r.randint(1, len(body)), f'"{r.choice(QUOTES)}" said {r.choice(PEOPLE)}.')
        return Story(story_id, self.title(), lede, tuple(body), r.choice(OUTLETS), r.choice(SECTIONS))


def age(rng: random.Random) -> str:
    n = rng.randint(1, 23)
    return rng.choice([f"{n} hours ago", f"{n}h ago", f"{rng.randint(2, 59)} min ago", "yesterday", f"{n} days ago"])


def date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} 2025"


def snippet(story: Story, words: int = 16) -> str:
    cut = story.lede.split()[:words]
    return " ".join(cut) + "…"


# ── Aggregators ──────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Style:
    """One aggregator's chrome. `card` renders a teaser card of a story as lines."""

    name: str
    header: tuple[str, ...]
    title_twice: bool
    byline: Callable[[random.Random, Story], str]
    ads: tuple[tuple[str, ...], ...]  # inline ad boxes, one drawn per slot
    ad_every: int  # an ad box after every this many paragraphs
    end: tuple[str, ...]  # widgets under the article
    rail_header: str
    card: Callable[[random.Random, Story], list[str]]
    cards: tuple[int, int]
    footer: tuple[str, ...]
    listing_header: Callable[[str], str]
    mid_rail: str | None = None  # a box of two cards inside the article, after the third paragraph


def _card_outlet_age_snippet(rng: random.Random, story: Story) -> list[str]:
    return [story.title, f"{story.outlet} · {age(rng)}", snippet(story)]


def _card_outlet_first(rng: random.Random, story: Story) -> list[str]:
    return [story.outlet, story.title, age(rng)]


def _card_section_first(rng: random.Random, story: Story) -> list[str]:
    return [f"{story.section} • {age(rng)}", story.title, story.lede]


def _card_bullet(rng: random.Random, story: Story) -> list[str]:
    return [f"• {story.outlet}", story.title, snippet(story, 22), age(rng)]


def _card_dated(rng: random.Random, story: Story) -> list[str]:
    return [story.title, f"{story.outlet} | {date(rng)}"]


STYLES: tuple[Style, ...] = (
    Style(
        name="brightfold",
        header=("BRIGHTFOLD", "Top", "Local", "Money", "Weather", "Sign in"),
        title_twice=False,
        byline=lambda rng, s: f"{s.outlet} · {age(rng)}",
        ads=(("Advertisement",), ("ADVERTISEMENT", "Story continues below")),
        ad_every=3,
        end=("Did you find this summary useful?", "Yes", "No", "Brightfold summaries are checked by our editors."),
        rail_header="More on Brightfold",
        card=_card_outlet_age_snippet,
        cards=(3, 4),
        footer=("© 2025 Brightfold Media", "About Brightfold", "Help centre", "Privacy", "Cookie choices"),
        listing_header=lambda section: f"Latest in {section}",
    ),
    Style(
        name="quillstream",
        header=("Quillstream", "Your briefing", "Saved", "Settings", "Get the Quillstream app"),
        title_twice=True,
        byline=lambda rng, s: f"By {rng.choice(AUTHORS)} | {date(rng)}",
        ads=(
            ("Sponsored", "Switch to Fernway Energy and cut your winter heating bills by a fifth this year."),
            ("Sponsored", "Tarrowby Homes: new two-bedroom flats by the river, with the first year of service free."),
            ("Sponsored", "Learn a language in ten minutes a day with Parlio, free for the first month."),
        ),
        ad_every=2,
        end=(
            "Quillstream writes short summaries of the news with the help of automated tools, checked by editors.",
            "Report an error",
        ),
        rail_header="Keep reading",
        card=_card_outlet_first,
        cards=(3, 4),
        footer=("Quillstream Ltd, 4 Ropewalk, Dunmore", "Contact", "Careers", "Terms"),
        listing_header=lambda section: section.upper(),
        mid_rail="Most read on Quillstream",
    ),
    Style(
        name="morrowline",
        header=(
            "Morrowline",
            "Morrowline brings you the stories that matter from hundreds of trusted local outlets.",
            "Menu",
            "Search Morrowline",
        ),
        title_twice=False,
        byline=lambda rng, s: f"{s.outlet}{age(rng)}",
        ads=(("— Ad —",), ("— Ad —", "Continue reading below")),
        ad_every=3,
        end=("Rate this summary", "★★★★★", "Comments", "No comments yet. Be the first to share your view."),
        rail_header="You might also like",
        card=_card_section_first,
        cards=(2, 3),
        footer=("Morrowline", "Our promise", "Advertise with Morrowline", "Accessibility"),
        listing_header=lambda section: f"{section} stories on Morrowline",
    ),
    Style(
        name="kettlepost",
        header=("KETTLEPOST", "Home", "For you", "Following", "Open in the app"),
        title_twice=True,
        byline=lambda rng, s: f"{s.outlet} — {date(rng)}",
        ads=(("Promoted content",), ("Promoted content", "Scroll to continue")),
        ad_every=4,
        end=("Listen to this story", "Add Kettlepost to your home screen"),
        rail_header="From around Kettlepost",
        card=_card_bullet,
        cards=(3, 4),
        footer=("Kettlepost is an independent news reader.", "Imprint", "Data protection", "Send feedback"),
        listing_header=lambda section: f"Kettlepost › {section}",
    ),
    Style(
        name="harborlight",
        header=("harborlight", "Today", "Regions", "Puzzles", "Log in", "Subscribe for 1 €"),
        title_twice=False,
        byline=lambda rng, s: f"{rng.choice(AUTHORS)}, {s.outlet} · {date(rng)}",
        ads=(("Anzeige",), ("Anzeige", "Weiterlesen nach der Anzeige")),
        ad_every=3,
        end=("Was this article helpful? Let us know.", "Harborlight — the harbour of good news"),
        rail_header="Also on Harborlight",
        card=_card_dated,
        cards=(3, 5),
        footer=("harborlight.example", "Impressum", "Jobs at Harborlight", "Newsletter"),
        listing_header=lambda section: f"{section} · Harborlight",
    ),
)


@dataclass
class GenPage:
    site: str
    name: str
    text: str
    title: str  # gold
    body: str  # gold
    kind: str  # article | listing

    @property
    def gold(self) -> str:
        return f"{self.title}\n\n{self.body}" if self.kind == "article" else ""


def _pick(rng: random.Random, stories: list[Story], weights: list[float], k: int, skip: Story | None) -> list[Story]:
    chosen: list[Story] = []
    while len(chosen) < k:
        story = rng.choices(stories, weights)[0]
        if story is not skip and story not in chosen:
            chosen.append(story)
    return chosen


def article_page(rng: random.Random, style: Style, story: Story, pool: list[Story], weights: list[float]) -> str:
    lines = list(style.header)
    lines.append(story.title)
    if style.title_twice:
        lines.append(story.title)
    lines.append(style.byline(rng, story))
    paragraphs = [story.lede, *story.body]
    for i, paragraph in enumerate(paragraphs, start=1):
        lines.append(paragraph)
        if i < len(paragraphs) and i % style.ad_every == 0:
            lines.extend(rng.choice(style.ads))
        if style.mid_rail and i == 3 and i < len(paragraphs):
            lines.append(style.mid_rail)
            for teaser in _pick(rng, pool, weights, 2, story):
                lines += [teaser.title, age(rng)]
    lines.extend(style.end)
    lines.append(style.rail_header)
    for teaser in _pick(rng, pool, weights, rng.randint(*style.cards), story):
        lines.extend(style.card(rng, teaser))
    lines.extend(style.footer)
    return "\n".join(lines) + "\n"


def listing_page(rng: random.Random, style: Style, section: str, pool: list[Story], weights: list[float]) -> str:
    lines = [*style.header, style.listing_header(section)]
    for teaser in _pick(rng, pool, weights, rng.randint(6, 9), None):
        lines.extend(style.card(rng, teaser))
    lines.extend(style.footer)
    return "\n".join(lines) + "\n"


def generate(
    seed: int = 5,
    sites: int = 5,
    pages_per_site: int = 70,
    listing_share: float = 0.2,
    syndicated_share: float = 0.25,
    paragraphs: tuple[int, int] = (4, 8),
    styles: tuple[Style, ...] = STYLES,
    wire_share: float = 0.12,
) -> Iterator[GenPage]:
    """The pages of `sites` aggregators (styles reused, renamed, when there are more sites than styles).

    Each site also carries one wire story many times (`wire_share` of its article pages: the same story under
    several addresses, as when a wire story is republished through the day): syndication within the site."""
    rng = random.Random(seed)
    writer = Writer(rng)
    articles_per_site = round(pages_per_site * (1 - listing_share))
    shared: list[Story] = []
    next_id = 0
    for number in range(sites):
        style = styles[number % len(styles)]
        site = style.name if number < len(styles) else f"{style.name}{number // len(styles) + 1}"
        # A quarter of the stories come from the previous site's (syndicated), the rest are new.
        borrowed = shared[: round(articles_per_site * syndicated_share)] if shared else []
        own = []
        copies = round(articles_per_site * wire_share)
        for _ in range(articles_per_site - len(borrowed) - max(0, copies - 1)):
            own.append(writer.story(next_id, paragraphs))
            next_id += 1
        stories = own + borrowed + [own[0]] * max(0, copies - 1)
        shared = own
        # Teasers favour a few popular stories (weights fall as rank^-0.8).
        ranked = own + borrowed
        rng.shuffle(ranked)
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(ranked))]
        listings = pages_per_site - articles_per_site
        for index, story in enumerate(stories):
            text = article_page(rng, style, story, ranked, weights)
            yield GenPage(site, f"a{index:04d}.txt", text, story.title, story.gold_text, "article")
        for index in range(listings):
            text = listing_page(rng, style, SECTIONS[index % len(SECTIONS)], ranked, weights)
            yield GenPage(site, f"l{index:04d}.txt", text, "", "", "listing")


def write_corpus(pages: list[GenPage], root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    for page in pages:
        folder = root / page.site
        folder.mkdir(parents=True, exist_ok=True)
        (folder / page.name).write_text(page.text, encoding="utf-8")


# ── Runs ─────────────────────────────────────────────────────────────────────────────────────────────────────


def cleaner_exe() -> str:
    exe = Path(sys.executable).with_name("cleaner")
    return str(exe) if exe.exists() else "cleaner"


@dataclass
class Scored:
    label: str
    f1: float
    precision: float
    recall: float
    pages: int
    seconds: float
    rules: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_clean(paths: list[str], args: list[str], cwd: Path | None = None) -> tuple[dict[str, dict[str, Any]], float]:
    """`cleaner clean --format jsonl -q ARGS PATHS` in a subprocess: records by id, and the wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [cleaner_exe(), "clean", "--format", "jsonl", "-q", *args, *paths],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"cleaner clean {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {str(record["id"]): record for record in records}, seconds


def score(
    label: str, records: dict[str, dict[str, Any]], gold: dict[str, str], body_only: bool, seconds: float
) -> Scored:
    pairs = []
    for key, truth in gold.items():
        record = records[key]
        if body_only:
            prediction = record["text"]
        else:
            prediction = f"{record['title']}\n\n{record['text']}" if record["kind"] == "article" else ""
        pairs.append(page_scores(prediction, truth))
    scores = aggregate(pairs)
    return Scored(label, scores.f1, scores.precision, scores.recall, scores.pages, round(seconds, 2))


def learn_pack(paths: list[str], out: Path, cwd: Path | None = None) -> int:
    """`cleaner learn -o OUT PATHS` in a subprocess; returns the number of rules."""
    done = subprocess.run(
        [cleaner_exe(), "learn", "-q", "-o", str(out.resolve()), *paths],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
    if done.returncode != 0:
        raise SystemExit(f"cleaner learn failed ({done.returncode}): {done.stderr[-2000:]}")
    return out.read_text(encoding="utf-8").count("[[rules]]")


def frequency_pack(paths: list[str], out: Path, cwd: Path | None = None) -> int:
    """The learner with its analyses off (no syndication, card-part, position or marker analysis, no check of
    what the cleaner removes already): every line past the threshold dropped anywhere."""
    from cleaner.cli.common import Progress
    from cleaner.cli.learn import read_pages
    from cleaner.learn import Learner, LearnSettings

    settings = LearnSettings(syndication=False, positions=False, markers=False, card_parts=False, sample_pages=0)
    learner = Learner(settings)
    root = cwd or Path.cwd()
    for add in (learner.count, learner.observe):
        for page in read_pages(
            tuple(str(root / p) for p in paths), "auto", None, lambda w, p: None, Progress(False, None)
        ):
            add(page)
    pack = learner.result()
    out.write_text(pack.to_toml(), encoding="utf-8")
    return len(pack.rules)


def compare(
    name: str, paths: list[str], gold: dict[str, str], body_only: bool, work: Path, cwd: Path | None = None
) -> dict[str, Any]:
    """F1 without learning, with `--learn`, and with a plain frequency filter (the learner's analyses off).
    `paths` (and the gold's keys, which are the records' ids) are relative to `cwd` when it is given."""
    plain, plain_s = run_clean(paths, [], cwd)
    learnt, learnt_s = run_clean(paths, ["--learn"], cwd)
    pack = work / f"{name.replace(' ', '-')}.toml"
    rules = learn_pack(paths, pack, cwd)
    naive_pack = work / f"{name.replace(' ', '-')}-frequency.toml"
    naive_rules = frequency_pack(paths, naive_pack, cwd)
    naive, naive_s = run_clean(paths, ["--rules", str(naive_pack.resolve())], cwd)
    rows = [
        score("without learning", plain, gold, body_only, plain_s),
        score("--learn", learnt, gold, body_only, learnt_s),
        score("frequency only (learner's analyses off)", naive, gold, body_only, naive_s),
    ]
    rows[1].rules, rows[2].rules = rules, naive_rules
    return {"corpus": name, "pages": len(gold), "rows": [row.__dict__ for row in rows], "pack": str(pack)}


def generated_gold(pages: list[GenPage], root: str) -> dict[str, str]:
    return {f"{root}/{page.site}/{page.name}": page.gold for page in pages}


def dev_gold(shared: Path) -> tuple[list[str], dict[str, str]]:
    text = shared / DEV / "text"
    gold = {
        str(text / path.name): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted((shared / DEV / "gold").glob("*.txt"))
    }
    return [str(text)], gold


def fixtures_gold() -> tuple[list[str], dict[str, str]]:
    """The invented aggregator pages of `fixtures/` (one directory: learnt as one site) and their gold cuts."""
    folder = REPO / "fixtures" / "pages"
    gold = {}
    for path in sorted((REPO / "fixtures" / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        text = f"{record.get('title', '')}\n\n{record.get('text', '')}" if record.get("kind") == "article" else ""
        gold[str(folder / f"{path.stem}.txt")] = text
    return [str(folder)], gold


def daily8_gold(shared: Path) -> tuple[list[str], dict[str, str]]:
    folder = shared / DAILY8
    gold = {}
    for path in sorted((shared / DAILY8_GOLD).glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        gold[str(folder / f"{path.stem}.txt")] = f"{record.get('title', '')}\n\n{record.get('text', '')}"
    return [str(folder)], gold


# ── Memory on a large corpus ─────────────────────────────────────────────────────────────────────────────────


BIG_SITE_PAGES = 2000


def write_big(path: Path, pages: int, seed: int) -> int:
    """`pages` generated pages as JSONL records with a `url` (2,000 pages a site); returns the bytes written."""
    sites = max(1, -(-pages // BIG_SITE_PAGES))
    size = 0
    with path.open("w", encoding="utf-8") as out:
        if not pages:
            return 0
        for n, page in enumerate(generate(seed, sites=sites, pages_per_site=BIG_SITE_PAGES, paragraphs=(2, 4))):
            if n >= pages:
                break
            record = {"url": f"https://{page.site}.example/{page.name[:-4]}", "text": page.text}
            line = json.dumps(record, ensure_ascii=False) + "\n"
            size += len(line.encode("utf-8"))
            out.write(line)
    return size


# The same learner with an exact table that never spills into the sketch (the peer of the memory run).
_EXACT_LEARN = """
import sys
from pathlib import Path
from cleaner.cli.learn import learn_inputs
from cleaner.learn import LearnSettings
pack = learn_inputs((sys.argv[1],), "auto", None, LearnSettings(max_exact_keys=1 << 62),
                    problem=lambda where, what: None, show_progress=False)
Path(sys.argv[2]).write_text(pack.to_toml(), encoding="utf-8")
"""


def measure_learn(path: Path, out: Path, exact: bool) -> dict[str, Any]:
    """One learning run in a child process: wall time, CPU time and the child's peak RSS."""
    if exact:
        command = [sys.executable, "-c", _EXACT_LEARN, str(path), str(out)]
    else:
        command = [cleaner_exe(), "learn", "-q", "-o", str(out), str(path)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    stderr = child.stderr.read() if child.stderr else ""
    if status != 0:
        raise SystemExit(f"learning run failed ({status}): {stderr[-2000:]}")
    return {
        "mode": "exact table (no sketch)" if exact else "bounded (default)",
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rules": out.read_text(encoding="utf-8").count("[[rules]]"),
    }


def big_runs(pages: int, seed: int, work: Path, exact_peer: bool) -> list[dict[str, Any]]:
    rows = []
    for size in sorted({0, max(1, pages // 10), pages}):
        path = work / f"learn-big-{size}.jsonl"
        size_bytes = write_big(path, size, seed)  # 0 pages: the floor (interpreter and imports)
        for exact in (False, True) if exact_peer and size else (False,):
            row = measure_learn(path, work / f"learn-big-{size}{'-exact' if exact else ''}.toml", exact)
            row.update(pages=size, mb=round(size_bytes / 1e6, 1))
            rows.append(row)
            print(
                f"  {size:>7} pages {row['mb']:>6} MB  {row['mode']:<24} {row['seconds']:>7} s  "
                f"{row['max_rss_mb']:>7} MB peak RSS  {row['rules']} rules",
                flush=True,
            )
        path.unlink()
    return rows


# ── Main ─────────────────────────────────────────────────────────────────────────────────────────────────────


def print_comparison(result: dict[str, Any]) -> None:
    print(f"\n{result['corpus']} ({result['pages']} pages with gold)")
    print(f"  {'':<52} {'F1':>6} {'P':>6} {'R':>6} {'rules':>6} {'s':>6}")
    for row in result["rows"]:
        rules = "" if row["rules"] is None else str(row["rules"])
        print(
            f"  {row['label']:<52} {row['f1']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f} {rules:>6} "
            f"{row['seconds']:6.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--pages-per-site", type=int, default=70)
    parser.add_argument("--big", type=int, default=100_000, help="pages of the memory run (0: skip it)")
    parser.add_argument("--no-exact-peer", action="store_true", help="skip the exact-table run on the big corpus")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "learn"
    work.mkdir(exist_ok=True)
    results: dict[str, Any] = {"seed": args.seed, "corpora": []}

    pages = list(generate(args.seed, args.sites, args.pages_per_site))
    write_corpus(pages, work / "corpus")
    generated = compare("generated aggregators", ["corpus"], generated_gold(pages, "corpus"), False, work, work)
    results["corpora"].append(generated)
    print_comparison(generated)
    if (args.shared / DEV).exists():
        paths, gold = dev_gold(args.shared)
        results["corpora"].append(compare("dev text dumps", paths, gold, True, work))
        print_comparison(results["corpora"][-1])
        paths, gold = daily8_gold(args.shared)
        daily8 = compare("daily8", paths, gold, False, work)
        results["corpora"].append(daily8)
        print_comparison(daily8)
    else:
        print(f"(no {args.shared / DEV}: dev and Daily8 comparisons skipped)")
    paths, gold = fixtures_gold()
    results["corpora"].append(compare("fixtures", paths, gold, False, work))
    print_comparison(results["corpora"][-1])
    worse = [c["corpus"] for c in results["corpora"] if c["rows"][1]["f1"] < c["rows"][0]["f1"] - 1e-9]
    results["never_worse"] = not worse
    results["target_met"] = generated["rows"][1]["f1"] >= 0.98
    print(f"\n--learn F1 on the generated corpus: {generated['rows'][1]['f1']:.3f} (target >= 0.98)")
    print("--learn never below without: " + ("yes" if not worse else f"NO on {', '.join(worse)}"))

    if args.big:
        print(f"\nlearning over {args.big:,} generated pages (and a tenth of them), each in a child process:")
        results["big"] = big_runs(args.big, args.seed, work, not args.no_exact_peer)
    (OUT / "learn.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT / 'learn.json'}")
    return 0 if results["target_met"] and not worse else 1


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("learn", main))
