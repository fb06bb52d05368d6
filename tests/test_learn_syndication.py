"""Telling a story's repeats from chrome (`cleaner.learn.syndication`), on counts and on whole corpora."""

from __future__ import annotations

import random

from test_learn import FAST, HEADER, Story, article_page, site_pages

from cleaner.learn import CorpusPage, LearnSettings, learn_pages
from cleaner.learn.learner import STORY
from cleaner.learn.syndication import Companion, story_companion, travels_with, ubiquitous
from cleaner.rules import fold

SITE = 100  # pages of the site in these counts


def test_a_headline_whose_lede_goes_nowhere_without_it_is_bound() -> None:
    # A republished story's headline on 13 pages, 8 of them with its lede, which stands on those 8 only.
    lede = Companion(key=1, together=8, pages=8)
    assert story_companion(13, SITE, [lede]) == lede


def test_an_ad_label_beside_one_of_several_rotating_ads_is_not_bound() -> None:
    # "Sponsored" on 56 pages; each of three ads beside it on about a third of them.
    ads = [Companion(key=k, together=19, pages=19) for k in range(3)]
    assert story_companion(56, SITE, ads) is None


def test_chrome_beside_a_republished_story_now_and_then_is_not_bound() -> None:
    # "Advertisement" on 60 pages, 8 of them inside copies of one wire story.
    paragraph = Companion(key=1, together=8, pages=8)
    assert story_companion(60, SITE, [paragraph]) is None


def test_a_companion_that_goes_elsewhere_too_does_not_bind() -> None:
    # The sentence stands beside the line on 10 of its 40 pages: it is not the line's story.
    assert story_companion(12, SITE, [Companion(key=1, together=10, pages=40)]) is None
    assert not travels_with(Companion(key=1, together=10, pages=40))
    assert travels_with(Companion(key=1, together=8, pages=8))


def test_boilerplate_is_never_bound_and_never_binds() -> None:
    # The line on most of the site's pages: boilerplate, whatever it travels with.
    assert story_companion(60, SITE, [Companion(key=1, together=60, pages=60)]) is None
    # A disclaimer on most pages does not make the line beside it a story's.
    assert story_companion(30, SITE, [Companion(key=1, together=30, pages=70)]) is None
    assert ubiquitous(50, 100) and not ubiquitous(49, 100) and not ubiquitous(0, 0)


def test_a_wire_story_republished_through_the_day_is_left_out_but_the_chrome_around_it_is_learnt() -> None:
    pages = site_pages(pages=40, wire_copies=10)
    wire = Story(0)
    pack = learn_pages(pages, FAST)
    learnt = {fold(rule.phrase) for rule in pack.rules}
    assert fold(wire.title) not in learnt
    assert all(fold(line) in learnt for line in HEADER)
    assert pack.left_out.get(STORY, 0) >= 1
    assert any(item.reason == STORY and item.text == wire.title for item in pack.examples_left_out)


def test_short_paragraphs_of_a_republished_story_are_left_out() -> None:
    rng = random.Random(3)
    short = Story(7, paragraphs=3)
    pages = []
    for n in range(30):
        story = short if n < 8 else Story(100 + n)
        text = article_page(story, rng, [Story(900 + n)])
        # Each paragraph is short enough to be learnt if it were chrome: the first sentence only.
        for paragraph in story.body:
            text = text.replace(paragraph, paragraph.split(". ")[0] + ".")
        pages.append(CorpusPage(f"site/p{n:02d}.txt", "site", text))
    learnt = {fold(rule.phrase) for rule in learn_pages(pages, FAST).rules}
    for paragraph in short.body:
        assert fold(paragraph.split(". ")[0] + ".") not in learnt
    naive = learn_pages(pages, LearnSettings(sample_pages=0, syndication=False))
    assert any(fold(p.split(". ")[0] + ".") in {fold(r.phrase) for r in naive.rules} for p in short.body)
