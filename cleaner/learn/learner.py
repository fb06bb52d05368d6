"""Learning a corpus's chrome in two passes over its pages.

Pass 1 (`Learner.count`) counts, per site, on how many pages each folded line stands (`count.DocFrequency`:
exact while it fits, a sketch after). Its counts never fall short, so it names every line that could be chrome,
and a few that are not.

Pass 2 (`Learner.observe`) reads the pages again. On every page it counts exactly on how many pages each of those
lines stands. On the site's evidence pages (all of them on a site of up to `evidence_pages` pages, else that
many, chosen by a hash of their label) it also notes where each stands (`position`), whether the shipped packs
or the card parser remove it already, what it stands beside (`syndication`) and whether teaser cards start
under it; and on `sample_pages` of them it runs the whole cleaner, to see what it removes anyway. The costly
work is so bounded per site, whatever the corpus's size.

`Learner.result` decides from those counts alone, so the pack depends neither on the order of the pages nor on
the sketch's collisions. A line is learnt when it stands on at least `min_docs` pages and `min_share` of its
site's and is none of: removed by the shipped packs on most of its pages, part of teaser cards (another story's
headline, outlet or snippet), bound to a story (syndication), removed by the cleaner anyway. It is a marker
(`truncate` or `rail`) when teaser cards start under it on most of its pages, else a `drop`, narrowed to the head
or the tail when it stands only there.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..blocks import split_blocks
from ..document import Block
from ..features import count_words
from ..filters.patterns import apply_rules
from ..filters.teasers import find_teasers
from ..normalise import normalise
from ..options import DEFAULT_PACKS
from ..page import Page
from ..pipeline import clean
from ..rules import DEFAULT_MAX_WORDS, RuleSet, fold, load_rules
from .count import (
    BLOOM_BITS,
    FOLD_MAX_CHARS,
    MAX_EXACT_KEYS,
    SKETCH_DEPTH,
    SKETCH_WIDTH,
    DocFrequency,
    combine,
    line_form,
    stable_hash,
)
from .pack import DEFAULT_NAME, LearnedPack, LearnedRule, LeftOut, representable, site_label
from .position import (
    CARD_VERDICT,
    PageShape,
    PositionCounts,
    marker_shaped,
    may_open_rail,
    position_bit,
    prose_bounds,
    prose_flags,
    rail_after,
)
from .syndication import TOGETHER_SHARE, UBIQUITY_SHARE, Companion, story_companion, ubiquitous

# Reasons a line past the threshold is not learnt (keys of `LearnedPack.left_out`).
KNOWN = "removed by the shipped packs already"
CLEANED = "removed by the cleaner already"
CARD_PART = "part of teaser cards"
STORY = "travels with a story (syndication)"

_HASHES = 1 << 64


@dataclass(frozen=True)
class CorpusPage:
    """One page to learn from: `label` names it as a rule's example (PATH, or PATH:LINE for a JSONL record),
    `site` groups it with the pages whose chrome it shares."""

    label: str
    site: str
    text: str


@dataclass(frozen=True)
class LearnSettings:
    """How much repetition makes chrome, and what the learner may conclude.

    min_docs, min_share: a line is learnt when it stands on at least `min_docs` pages and `min_share` of its
        site's pages (so the bar rises with the site; a site smaller than `min_docs` teaches nothing).
    max_words: longer lines (or longer than `count.FOLD_MAX_CHARS` characters) are never learnt: they are an
        article's sentences.
    window: how many lines either side a line's companions are looked for (syndication).
    together, ubiquity: see `syndication`.
    marker_share: teaser cards start under a marker on at least this share (and `min_docs`) of the pages where
        the shipped packs and card parser leave it (where they take it, with the cards, it needs no rule).
    truncate_loose_share: a marker is a `truncate` when article prose resumes below its cards on at most this
        share of the pages they start under it, a `rail` otherwise.
    card_part_share: a line that is part of teaser cards on this share of its pages is left out.
    known_share: a line the shipped packs (`packs`, `rule_files`) remove on this share of its pages is left out.
    evidence_pages: per site, how many pages the evidence is gathered on (the others are only counted).
    sample_pages, min_sampled, cleaned_share: per site, this many pages are cleaned in full; a line the cleaner
        removes on `cleaned_share` of the sampled pages it stands on (at least `min_sampled`) needs no rule.
    syndication, positions, markers, card_parts: switch the analyses off (to measure what each is worth).
    max_exact_keys, sketch_width, sketch_depth, bloom_bits: the counting's memory (see `count`).
    """

    min_docs: int = 5
    min_share: float = 0.1
    max_words: int = 40
    window: int = 3
    together: float = TOGETHER_SHARE
    ubiquity: float = UBIQUITY_SHARE
    marker_share: float = 0.8
    truncate_loose_share: float = 0.05
    card_part_share: float = 0.5
    known_share: float = 0.5
    evidence_pages: int = 300
    sample_pages: int = 30
    min_sampled: int = 3
    cleaned_share: float = 0.9
    packs: tuple[str, ...] = DEFAULT_PACKS
    rule_files: tuple[str, ...] = ()
    name: str = DEFAULT_NAME
    max_exact_keys: int = MAX_EXACT_KEYS
    sketch_width: int = SKETCH_WIDTH
    sketch_depth: int = SKETCH_DEPTH
    bloom_bits: int = BLOOM_BITS
    syndication: bool = True
    positions: bool = True
    markers: bool = True
    card_parts: bool = True

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ValueError("min_docs must be at least 2: a line on one page is never chrome")
        if not 0.0 <= self.min_share <= 1.0:
            raise ValueError("min_share must be between 0 and 1")
        if self.evidence_pages < 1 or self.sample_pages < 0:
            raise ValueError("evidence_pages must be positive and sample_pages not negative")
        if "/" in self.name or not self.name:
            raise ValueError("the pack name must be a non-empty string without '/'")

    def threshold(self, site_pages: int) -> int:
        """On how many of its site's pages a line must stand to be learnt."""
        return max(self.min_docs, math.ceil(self.min_share * site_pages - 1e-9))


@dataclass
class _Site:
    hash: int
    pages: int = 0
    # Set when pass 2 starts: a page is an evidence page when its label hashes below `evidence`, and is cleaned in
    # full when it hashes below `sample` (a lower bound, so the sample is among the evidence pages).
    evidence: int = 0
    sample: int = 0
    observed: int = 0  # evidence pages seen in pass 2


@dataclass
class _LineStats:
    """The evidence on one line that pass 1 found possibly frequent enough to learn, from the evidence pages."""

    key: int
    site: str
    folded: str
    observed: int = 0  # evidence pages it stands on
    positions: PositionCounts = field(default_factory=PositionCounts)
    known: int = 0  # pages where the shipped packs remove it already
    in_cards: int = 0  # pages where it is part of a teaser card (the card parser's, shipped packs' or under a line)
    sampled: int = 0  # pages cleaned in full it stands on
    cleaned: int = 0  # ... where the cleaner removes it
    considered: int = 0  # pages where it could head teasers (short, not a sentence, left by the shipped packs)
    opens: int = 0  # ... where teaser cards start under it (it ends the article, or heads a rail)
    loose: int = 0  # ... where article prose resumes below the cards
    carded: Counter[int] = field(default_factory=Counter)  # marker -> pages where it is a card part under it
    below: Counter[int] = field(default_factory=Counter)  # marker -> pages where it stands under it, article over
    example: str = ""
    text: str = ""

    def note_example(self, label: str, text: str) -> None:
        if not self.example or label < self.example:
            self.example, self.text = label, text


@dataclass
class _PageView:
    """One evidence page as pass 2 sees it: its blocks after the shipped packs and the card parser, and per block
    its original line, key and flags."""

    blocks: list[Block]
    originals: list[str]
    keys: list[int]
    tracked: list[bool]  # possibly on half the threshold's pages: a companion worth counting
    chrome: list[bool]  # possibly on the threshold's pages: a line that may be learnt
    handled: list[bool]  # removed by the shipped packs or the card parser
    cards: list[bool]  # taken by the card parser as part of a card
    prose: list[bool]


class Learner:
    """Learn a corpus's chrome: `count` every page, then `observe` every page again, then `result`."""

    def __init__(self, settings: LearnSettings | None = None) -> None:
        self.settings = settings or LearnSettings()
        s = self.settings
        self._counts = DocFrequency(
            s.max_exact_keys, sketch_width=s.sketch_width, sketch_depth=s.sketch_depth, bloom_bits=s.bloom_bits
        )
        self._known: RuleSet = load_rules(s.packs, s.rule_files)
        self._sites: dict[str, _Site] = {}
        self._observing = False
        self._pages: Counter[int] = Counter()  # exact page counts of the lines that may be learnt, all pages
        self._observed: Counter[int] = Counter()  # evidence page counts of the tracked lines
        self._stats: dict[int, _LineStats] = {}
        self._pairs: Counter[tuple[int, int]] = Counter()  # (line, companion) -> evidence pages together

    @property
    def counting_exact(self) -> bool:
        """Whether pass 1's counts are exact (the table did not spill into the sketch)."""
        return self._counts.exact

    # --- pass 1 ----------------------------------------------------------------------------------------------

    def count(self, page: CorpusPage) -> None:
        self.count_keys(page.site, page_keys(page))

    def count_keys(self, site_name: str, keys: set[int]) -> None:
        """Count one page by its site and its `page_keys` (computed elsewhere: on a Dask worker, cleaner.dask)."""
        if self._observing:
            raise RuntimeError("count() after observe(): every page is counted before any is observed")
        site = self._sites.get(site_name)
        if site is None:
            site = self._sites[site_name] = _Site(stable_hash(site_name))
        site.pages += 1
        self._counts.add_document(keys)

    # --- pass 2 ----------------------------------------------------------------------------------------------

    def observe(self, page: CorpusPage) -> None:
        if not self._observing:
            self._start_observing()
        site = self._sites.get(page.site)
        if site is None or site.pages < self.settings.min_docs:
            return
        threshold = self.settings.threshold(site.pages)
        blocks = split_blocks(normalise(page.text))
        originals = [block.text for block in blocks]
        keys = [combine(site.hash, stable_hash(form)) if form else 0 for form in map(line_form, originals)]
        estimates = [self._counts.estimate(key) if key else 0 for key in keys]
        chrome = [
            estimate >= threshold
            and len(text) <= FOLD_MAX_CHARS
            and count_words(text) <= self.settings.max_words
            and representable(text)
            for estimate, text in zip(estimates, originals, strict=True)
        ]
        self._pages.update({key for key, flag in zip(keys, chrome, strict=True) if flag})
        label = stable_hash(page.label)
        if label >= site.evidence:
            return
        site.observed += 1
        half = max(2, math.ceil(threshold / 2))
        tracked = [estimate >= half for estimate in estimates]
        if not any(tracked):
            return
        # The page as the shipped packs and the card parser leave it (the pipeline's first two filters).
        shipped = Page(blocks=blocks)
        apply_rules(shipped, self._known)
        find_teasers(shipped)
        handled = [block.verdict is not None for block in blocks]
        cards = [block.verdict == CARD_VERDICT for block in blocks]
        view = _PageView(blocks, originals, keys, tracked, chrome, handled, cards, prose_flags(blocks))
        self._note_companions(view)
        cleaned = self._cleaned(page, view) if label < site.sample else None
        self._note_chrome(page, view, cleaned)

    def _start_observing(self) -> None:
        self._observing = True
        s = self.settings
        for site in self._sites.values():
            site.evidence = _HASHES if site.pages <= s.evidence_pages else _HASHES * s.evidence_pages // site.pages
            site.sample = min(site.evidence, _HASHES * s.sample_pages // max(1, site.pages))

    def _cleaned(self, page: CorpusPage, view: _PageView) -> list[bool]:
        """Which blocks the cleaner itself removes (its density filter too): lines it removes anyway need no
        rule, and a rule for them would only change the context the density filter judges their neighbours in."""
        doc = clean(page.text, packs=self.settings.packs, rule_files=self.settings.rule_files)
        removed = {(r.line, r.text) for r in doc.removed if r.reason != "title"}
        return [(block.line, block.text) in removed for block in view.blocks]

    def _note_companions(self, view: _PageView) -> None:
        """Count the tracked lines, and which stand near which (a line that may be learnt, and a repeated
        sentence within `window` lines of it)."""
        self._observed.update({key for key, flag in zip(view.keys, view.tracked, strict=True) if flag})
        pairs: set[tuple[int, int]] = set()
        window = self.settings.window
        n = len(view.blocks)
        for i in (i for i in range(n) if view.chrome[i]):
            key = view.keys[i]
            for j in range(max(0, i - window), min(n, i + window + 1)):
                if view.tracked[j] and view.prose[j] and view.keys[j] != key:
                    pairs.add((key, view.keys[j]))
        self._pairs.update(pairs)

    def _note_chrome(self, page: CorpusPage, view: _PageView, cleaned: list[bool] | None) -> None:
        n = len(view.blocks)
        bounds = prose_bounds(view.prose)
        shape = PageShape.of(view.blocks, view.prose, view.chrome)
        bits: dict[int, int] = defaultdict(int)
        first: dict[int, int] = {}
        known: dict[int, bool] = {}  # removed by a shipped rule wherever it stands on the page
        removed: dict[int, bool] = {}  # removed by the cleaner wherever it stands on the page
        in_cards: set[int] = set()
        ends: dict[int, tuple[bool, bool]] = {}  # marker-shaped line -> (cards start under it, prose resumes)
        carded: set[tuple[int, int]] = set()  # (line, marker): the line is a card part under the marker
        below: set[tuple[int, int]] = set()  # (line, marker): the line stands under the marker, article over
        # The card parser lets the last card run on to the end of the page; what stands below the page's last
        # metadata line and last sentence is the footer, not a card.
        last_card_line = max(
            (i for i in range(n) if shape.meta[i] or (view.prose[i] and not view.chrome[i])), default=-1
        )

        def card_part(j: int) -> bool:
            """A repeated line the card parser took into a card, above the footer."""
            return view.chrome[j] and j <= last_card_line

        for i in (i for i in range(n) if view.chrome[i]):
            key = view.keys[i]
            bits[key] |= position_bit(i, bounds)
            first.setdefault(key, i)
            known[key] = known.get(key, True) and view.handled[i] and not view.cards[i]
            if cleaned is not None:
                removed[key] = removed.get(key, True) and cleaned[i]
            if view.cards[i] and card_part(i):
                in_cards.add(key)
            if not marker_shaped(view.blocks[i].text, view.prose[i]):
                continue
            if shape.in_rail[i]:
                # Among the cards already (an outlet's name above each card): on this page, no header of theirs.
                ends.setdefault(key, (False, False))
                continue
            if view.handled[i]:
                continue  # the shipped packs or the card parser take it (and the cards under it): no evidence
            opens, loose = ends.setdefault(key, (False, False))
            if shape.ends_article(i):
                ends[key] = (True, loose)
                below.update((view.keys[j], key) for j in range(i + 1, n) if view.chrome[j] and view.keys[j] != key)
            elif may_open_rail(view.blocks, i, view.prose, view.chrome):
                evidence = rail_after(view.blocks, i, view.prose, view.chrome)
                ends[key] = (opens or evidence.opens_rail, loose or evidence.loose_prose)
                taken = {view.keys[j] for j in evidence.carded if card_part(j)} - {key}
                carded.update((part, key) for part in taken)
                in_cards.update(taken)
        for key, position in bits.items():
            stats = self._stats.get(key)
            if stats is None:
                stats = self._stats[key] = _LineStats(key, page.site, fold(view.originals[first[key]]))
            stats.observed += 1
            stats.positions.add(position)
            stats.known += known[key]
            stats.in_cards += key in in_cards
            if key in removed:
                stats.sampled += 1
                stats.cleaned += removed[key]
            stats.note_example(page.label, view.originals[first[key]])
        for key, (opens, loose) in ends.items():
            self._stats[key].considered += 1
            self._stats[key].opens += opens
            self._stats[key].loose += opens and loose
        for part, marker in carded:
            self._stats[part].carded[marker] += 1
        for part, marker in below:
            self._stats[part].below[marker] += 1

    # --- decisions -------------------------------------------------------------------------------------------

    def result(self) -> LearnedPack:
        s = self.settings
        skipped: list[tuple[_LineStats, str]] = []
        companions = self._companions()
        learnt: dict[int, _LineStats] = {}
        markers: dict[int, str] = {}
        for key in sorted(self._stats):
            stats = self._stats[key]
            site = self._sites[stats.site]
            if self._pages[key] < s.threshold(site.pages):
                continue  # a collision of the sketch: on fewer pages than it seemed
            reason = self._left_out(stats, site, companions.get(key, ()))
            if reason:
                skipped.append((stats, reason))
                continue
            if s.markers and stats.opens >= max(s.min_docs, s.marker_share * stats.considered):
                markers[key] = "truncate" if stats.loose <= s.truncate_loose_share * stats.opens else "rail"
            elif stats.sampled >= s.min_sampled and stats.cleaned >= s.cleaned_share * stats.sampled:
                skipped.append((stats, CLEANED))
                continue
            learnt[key] = stats
        # A marker among another marker's cards is one of the cards (an outlet's name above each card).
        for key in sorted(markers):
            if self._under_marker(key, learnt[key], markers):
                del markers[key]
        for key in sorted(learnt):
            if key not in markers and self._under_marker(key, learnt[key], markers):
                skipped.append((learnt.pop(key), CARD_PART))
        return LearnedPack(
            name=s.name,
            rules=self._rules(learnt, markers),
            sites={site: info.pages for site, info in self._sites.items()},
            min_docs=s.min_docs,
            min_share=s.min_share,
            left_out=dict(Counter(reason for _, reason in skipped)),
            examples_left_out=self._examples(skipped),
        )

    def _left_out(self, stats: _LineStats, site: _Site, companions: Iterable[Companion]) -> str | None:
        """Why a line past the threshold is not learnt, if it is not. (Shares are of the evidence pages.)"""
        s = self.settings
        if stats.known >= s.known_share * stats.observed:
            return KNOWN
        # Teaser cards are other stories' headlines, outlets and snippets: a rule would strip the story's own page
        # (and keep the card parser from seeing the cards). A line on most of the site's pages is not another
        # story's, even when the card parser takes it into a card (a widget right above the first card).
        boilerplate = ubiquitous(stats.observed, site.observed, s.ubiquity)
        if s.card_parts and not boilerplate and stats.in_cards >= s.card_part_share * stats.observed:
            return CARD_PART
        if s.syndication:
            bound = story_companion(stats.observed, site.observed, companions, together=s.together, ubiquity=s.ubiquity)
            if bound is not None:
                return STORY
        return None

    def _under_marker(self, key: int, stats: _LineStats, markers: dict[int, str]) -> bool:
        """Whether a line stands among the teaser cards under a learned marker on most of its pages: a card's
        headline, outlet or snippet. Under a `truncate` marker every line goes anyway, except boilerplate on
        most of the site's pages (its footer), which stays a rule for the pages without the marker."""
        s = self.settings
        if not s.card_parts:
            return False
        boilerplate = ubiquitous(stats.observed, self._sites[stats.site].observed, s.ubiquity)
        for marker, action in markers.items():
            if marker == key:
                continue
            taken = stats.carded.get(marker, 0)
            if action == "truncate" and not boilerplate:
                taken += stats.below.get(marker, 0)
            if taken >= s.card_part_share * stats.observed:
                return True
        return False

    def _companions(self) -> dict[int, list[Companion]]:
        found: dict[int, list[Companion]] = defaultdict(list)
        for (key, other), together in self._pairs.items():
            found[key].append(Companion(other, together, self._observed[other]))
        return found

    def _rules(self, learnt: dict[int, _LineStats], markers: dict[int, str]) -> tuple[LearnedRule, ...]:
        actions = {key: markers.get(key, "drop") for key in learnt}
        # Rules are not limited to their site: a line that ends the article on one site but not on another must
        # not cut the other's articles short, so it becomes a rail (the cards under it, until prose resumes).
        by_phrase: dict[str, set[str]] = defaultdict(set)
        for key, stats in learnt.items():
            by_phrase[stats.folded].add(actions[key])
        for key, stats in learnt.items():
            if actions[key] == "truncate" and len(by_phrase[stats.folded]) > 1:
                actions[key] = "rail"
        labels = _site_labels(sorted({stats.site for stats in learnt.values()}))
        order = {"head": 0, "body": 1, "tail": 2, "listing": 3, "marker": 4}
        drafted = []
        for key, stats in learnt.items():
            action = actions[key]
            position = "marker" if action != "drop" else stats.positions.usual()
            where = stats.positions.where(stats.observed) if action == "drop" and self.settings.positions else "any"
            drafted.append((stats, self._pages[key], action, where, position))
        drafted.sort(key=lambda d: (d[0].site, order[d[4]], -d[1], d[0].folded))
        rules = []
        numbers: Counter[str] = Counter()
        for stats, pages, action, where, position in drafted:
            numbers[stats.site] += 1
            rules.append(
                LearnedRule(
                    site=stats.site,
                    id=f"{labels[stats.site]}:{numbers[stats.site]}",
                    action=action,
                    where=where,
                    phrase=stats.text,
                    count=pages,
                    site_pages=self._sites[stats.site].pages,
                    example=stats.example,
                    position=position,
                    max_words=max(DEFAULT_MAX_WORDS, count_words(stats.text)),
                )
            )
        return tuple(rules)

    def _examples(self, skipped: list[tuple[_LineStats, str]]) -> tuple[LeftOut, ...]:
        """The most frequent left-out lines, per site and reason (the pack lists them as comments)."""
        counted = [(stats, reason, self._pages[stats.key]) for stats, reason in skipped]
        counted.sort(key=lambda item: (item[0].site, item[1], -item[2], item[0].folded))
        shown: Counter[tuple[str, str]] = Counter()
        examples = []
        for stats, reason, pages in counted:
            shown[stats.site, reason] += 1
            if shown[stats.site, reason] <= EXAMPLES_LEFT_OUT:
                examples.append(LeftOut(stats.site, stats.text, pages, reason))
        return tuple(examples)


# How many left-out lines per site and reason the pack lists (as comments).
EXAMPLES_LEFT_OUT = 5


def page_keys(page: CorpusPage) -> set[int]:
    """What pass 1 counts of a page: the keys of its line forms, within its site."""
    site = stable_hash(page.site)
    forms = (line_form(line) for line in normalise(page.text).split("\n"))
    return {combine(site, stable_hash(form)) for form in forms if form}


def _site_labels(sites: list[str]) -> dict[str, str]:
    """A distinct short label per site for rule ids (`brightfold`, `brightfold-2` when two share a name)."""
    labels: dict[str, str] = {}
    used: Counter[str] = Counter()
    for site in sites:
        label = site_label(site)
        used[label] += 1
        labels[site] = label if used[label] == 1 else f"{label}-{used[label]}"
    return labels


def learn_pages(pages: Iterable[CorpusPage | str], settings: LearnSettings | None = None) -> LearnedPack:
    """Both passes over pages held in memory (a generator is read once into a list). A plain string is a page of
    one site ("") labelled by its place (`#1`, `#2`...): give `CorpusPage`s for sites and stable labels."""
    pages = [page if isinstance(page, CorpusPage) else CorpusPage(f"#{n}", "", page) for n, page in enumerate(pages, 1)]
    learner = Learner(settings)
    for page in pages:
        learner.count(page)
    for page in pages:
        learner.observe(page)
    return learner.result()
