"""Learning a site's chrome (`cleaner.learn`) end to end through the library: what is learnt from a small
invented site, where it stands, what is left out and why, and what cleaning with the learned pack does.

The site builder here (`site_pages`) is shared with the other `test_learn_*` files. Every text is invented: an
aggregator ("Fernleaf") with a header menu, an inline ad, an end-of-article widget, a teaser rail with its own
header and cards, and a footer; each article's sentences are built from its number, so no two pages share one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

import cleaner
from cleaner.learn import CorpusPage, LearnedPack, LearnSettings, learn_pages
from cleaner.learn.learner import CARD_PART, CLEANED, STORY
from cleaner.rules import fold

HEADER = ["FERNLEAF", "Front page", "Nearby", "Saved stories", "Fernleaf Plus"]
INLINE_AD = ["Paid placement", "Brightwater Mutual insures boats, barns and bicycles across the valley for less."]
WIDGET = ["Was this digest worth your time?", "Thumbs up", "Thumbs down"]
RAIL = "Elsewhere on Fernleaf"
FOOTER = ["Fernleaf Media Cooperative", "House rules", "Write to the desk"]
OUTLETS = ["Lindqvist Ledger", "Harrowgate Echo", "The Oban Standard", "Crane Valley News"]
TOWNS = ["Oban", "Lindqvist", "Harrowgate", "Crane", "Mersey Hollow", "Tallis", "Quarry End", "Wexcombe"]
THINGS = ["the tram line", "the town pool", "the grain store", "the ferry slip", "the library roof", "the dam"]


def sentence(story: int, k: int) -> str:
    """A sentence only story `story` has (its number and the sentence's are in it)."""
    town = TOWNS[(story + k) % len(TOWNS)]
    thing = THINGS[(story * 3 + k) % len(THINGS)]
    return (
        f"Councillors in {town} agreed at meeting number {story * 10 + k} that the work on {thing} "
        f"would cost {story + 3 * k + 7} thousand more than the estimate of {2 * story + k} thousand."
    )


@dataclass(frozen=True)
class Story:
    number: int
    paragraphs: int = 4

    @property
    def title(self) -> str:
        return f"{TOWNS[self.number % len(TOWNS)]} votes on item {self.number} of the works plan"

    @property
    def body(self) -> list[str]:
        return [f"{sentence(self.number, 2 * k)} {sentence(self.number, 2 * k + 1)}" for k in range(self.paragraphs)]

    @property
    def snippet(self) -> str:
        return " ".join(sentence(self.number, 0).split()[:14]) + "…"


def card(story: Story, rng: random.Random) -> list[str]:
    return [story.title, f"{OUTLETS[story.number % len(OUTLETS)]} · {rng.randint(1, 23)}h", story.snippet]


def article_page(story: Story, rng: random.Random, teasers: list[Story], *, ad: bool = True) -> str:
    lines = [*HEADER, story.title, f"{OUTLETS[story.number % len(OUTLETS)]} · {rng.randint(1, 23)} hours ago"]
    for k, paragraph in enumerate(story.body):
        lines.append(paragraph)
        if ad and k == 1:
            lines.extend(INLINE_AD)
    lines += [*WIDGET, RAIL]
    for teaser in teasers:
        lines += card(teaser, rng)
    lines += FOOTER
    return "\n".join(lines) + "\n"


def site_pages(
    site: str = "fernleaf", pages: int = 30, seed: int = 1, first_story: int = 0, wire_copies: int = 0
) -> list[CorpusPage]:
    """`pages` article pages of the site, the first `wire_copies` of them the same story (republished)."""
    rng = random.Random(seed)
    out = []
    for n in range(pages):
        number = first_story if n < wire_copies else first_story + n
        story = Story(number)
        # One card (the card parser needs two in a row to see a rail by itself) or two.
        teasers = [Story(first_story + 1000 + rng.randrange(400)) for _ in range(rng.randint(1, 2))]
        out.append(CorpusPage(f"{site}/p{n:03d}.txt", site, article_page(story, rng, teasers)))
    return out


FAST = LearnSettings(sample_pages=0)


def rules_by_phrase(pack: LearnedPack) -> dict[str, list]:
    found: dict[str, list] = {}
    for rule in pack.rules:
        found.setdefault(fold(rule.phrase), []).append(rule)
    return found


@pytest.fixture(scope="module")
def fernleaf() -> tuple[list[CorpusPage], LearnedPack]:
    pages = site_pages(pages=30)
    return pages, learn_pages(pages, FAST)


def test_header_inline_ad_widget_and_footer_are_learnt(fernleaf: tuple[list[CorpusPage], LearnedPack]) -> None:
    _, pack = fernleaf
    learnt = rules_by_phrase(pack)
    for line in [*HEADER, *INLINE_AD, *WIDGET[:1], *FOOTER[:1]]:
        assert fold(line) in learnt, line


def test_where_each_rule_applies_follows_where_its_line_stands(fernleaf: tuple[list[CorpusPage], LearnedPack]) -> None:
    _, pack = fernleaf
    learnt = rules_by_phrase(pack)
    assert all(rule.where == "head" and rule.position == "head" for rule in learnt[fold("Front page")])
    # The ad stands between paragraphs: body chrome, applied anywhere.
    assert all(rule.where == "any" and rule.position == "body" for rule in learnt[fold(INLINE_AD[1])])


def test_the_line_the_teaser_cards_start_under_is_a_marker(fernleaf: tuple[list[CorpusPage], LearnedPack]) -> None:
    _, pack = fernleaf
    markers = [rule for rule in pack.rules if rule.position == "marker"]
    assert markers, "no marker learnt"
    assert all(rule.action in ("truncate", "rail") for rule in markers)
    # The first line under the article that ends it: the widget's question (everything below is not article).
    assert fold(WIDGET[0]) in {fold(rule.phrase) for rule in markers if rule.action == "truncate"}


def test_teaser_headlines_and_snippets_are_never_rules(fernleaf: tuple[list[CorpusPage], LearnedPack]) -> None:
    pages, pack = fernleaf
    phrases = {fold(rule.phrase) for rule in pack.rules}
    for page in pages:
        lines = page.text.splitlines()
        rail = lines.index(RAIL)
        for line in lines[rail + 1 : -len(FOOTER)]:
            assert fold(line) not in phrases or line in FOOTER, line


def test_rules_record_count_example_and_site(fernleaf: tuple[list[CorpusPage], LearnedPack]) -> None:
    pages, pack = fernleaf
    labels = {page.label for page in pages}
    for rule in pack.rules:
        assert rule.site == "fernleaf" and rule.site_pages == len(pages)
        assert rule.example in labels
        assert rule.phrase in next(p.text for p in pages if p.label == rule.example).splitlines()
        having = sum(fold(rule.phrase) in {fold(line) for line in page.text.splitlines()} for page in pages)
        assert rule.count == having
        assert rule.id.startswith("fernleaf:")


def test_cleaning_with_the_pack_removes_the_chrome_and_keeps_the_article(
    fernleaf: tuple[list[CorpusPage], LearnedPack], tmp_path: Path
) -> None:
    _, pack = fernleaf
    path = tmp_path / "learned.toml"
    path.write_text(pack.to_toml(), encoding="utf-8")
    story = Story(500)
    page = article_page(story, random.Random(9), [Story(900), Story(901)])
    doc = cleaner.clean(page, rule_files=[str(path)])
    assert doc.title == story.title
    for paragraph in story.body:
        assert paragraph in doc.text
    kept = doc.text.splitlines()
    for line in [*INLINE_AD, *WIDGET, RAIL, *FOOTER, Story(900).title]:
        assert line not in kept
    reasons = {removal.reason for removal in doc.removed if fold(removal.text) in {fold(x) for x in INLINE_AD}}
    assert reasons and all(reason.startswith("learned/fernleaf:") for reason in reasons)


def test_a_story_republished_on_many_pages_is_not_learnt() -> None:
    pages = site_pages(pages=30, wire_copies=8)
    wire = Story(0)
    pack = learn_pages(pages, FAST)
    phrases = {fold(rule.phrase) for rule in pack.rules}
    assert fold(wire.title) not in phrases
    assert pack.left_out.get(STORY, 0) >= 1
    # Without the syndication analysis the republished headline would be taken for chrome.
    naive = learn_pages(pages, LearnSettings(sample_pages=0, syndication=False))
    assert fold(wire.title) in {fold(rule.phrase) for rule in naive.rules}


def test_lines_the_cleaner_removes_anyway_are_left_out() -> None:
    pages = site_pages(pages=20)
    sampled = learn_pages(pages, LearnSettings(sample_pages=20))  # every page cleaned in full
    unsampled = learn_pages(pages, LearnSettings(sample_pages=0))
    kept = {(fold(rule.phrase), rule.action) for rule in sampled.rules}
    assert kept <= {(fold(rule.phrase), rule.action) for rule in unsampled.rules}
    dropped = [rule for rule in unsampled.rules if (fold(rule.phrase), rule.action) not in kept]
    assert dropped and sampled.left_out.get(CLEANED) == len(dropped)
    for rule in dropped:
        having = [page for page in pages if rule.phrase in page.text.splitlines()]
        removed = sum(
            any(r.text == rule.phrase and r.reason != "title" for r in cleaner.clean(page.text).removed)
            for page in having
        )
        assert removed >= 0.9 * len(having), rule.phrase


def test_a_site_smaller_than_min_docs_teaches_nothing() -> None:
    assert learn_pages(site_pages(pages=4), FAST).rules == ()


def test_the_bar_rises_with_the_site() -> None:
    settings = LearnSettings(min_docs=5, min_share=0.1)
    assert settings.threshold(20) == 5
    assert settings.threshold(200) == 20
    assert settings.threshold(201) == 21


def test_sites_are_learnt_apart() -> None:
    one = site_pages("fernleaf", pages=20)
    other = [
        CorpusPage(page.label.replace("fernleaf", "ashgrove"), "ashgrove", page.text.replace("FERNLEAF", "ASHGROVE"))
        for page in site_pages("fernleaf", pages=3, first_story=5000)
    ]
    pack = learn_pages(one + other, FAST)
    # Three pages of ashgrove are under the bar: nothing of theirs is learnt, even lines fernleaf has too.
    assert {rule.site for rule in pack.rules} == {"fernleaf"}
    assert fold("ASHGROVE") not in {fold(rule.phrase) for rule in pack.rules}
    assert pack.sites == {"fernleaf": 20, "ashgrove": 3}


def test_card_parts_are_reported_as_left_out(fernleaf: tuple[list[CorpusPage], LearnedPack]) -> None:
    _, pack = fernleaf
    assert set(pack.left_out) <= {CARD_PART, CLEANED, STORY, "removed by the shipped packs already"}


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        LearnSettings(min_docs=1)
    with pytest.raises(ValueError):
        LearnSettings(min_share=1.5)
    with pytest.raises(ValueError):
        LearnSettings(name="a/b")


def test_the_library_entry_takes_plain_texts() -> None:
    texts = [page.text for page in site_pages(pages=12)]
    pack = cleaner.learn_pages(texts, FAST)
    assert pack.sites == {"": 12}
    assert {rule.id.split(":")[0] for rule in pack.rules} == {"site"}
    assert all(rule.example.startswith("#") for rule in pack.rules)
    assert fold(INLINE_AD[1]) in {fold(rule.phrase) for rule in pack.rules}
    assert pack.rule_pack().name == "learned"
