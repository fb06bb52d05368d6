"""Properties of learning (hypothesis): a learned rule never matches a line that stands on one page only, a
learned drop never removes one, and what is learnt does not depend on the order of the pages, whether the
counting stays exact or spills into the sketch."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import CLAUSES, SUBJECTS, TAILS, VERBS

import cleaner
from cleaner.learn import CorpusPage, LearnedPack, Learner, LearnSettings, learn_pages
from cleaner.normalise import normalise
from cleaner.rules import RuleSet, fold

CHROME = ["Menu", "Sign in", "Advertisement", "Get the Tarnwick app", "Related stories", "2h ago", "© Tarnwick"]
HEADLINES = [
    f"{subject.split()[-1]} {clause.split()[-1]} row deepens"
    for subject, clause in zip(SUBJECTS, CLAUSES, strict=False)
]


def story_lines(number: int) -> list[str]:
    """A story's sentences (a story may stand on several pages: syndication)."""
    return [
        f"{SUBJECTS[(number + k) % len(SUBJECTS)]} {VERBS[(number * 3 + k) % len(VERBS)]} "
        f"{CLAUSES[(number + 2 * k) % len(CLAUSES)]}{TAILS[k % len(TAILS)]}, story {number} line {k}."
        for k in range(3)
    ]


@st.composite
def page_lines(draw: st.DrawFn, index: int) -> list[str]:
    lines: list[str] = []
    for line in CHROME[:3]:
        if draw(st.booleans()):
            lines.append(line)
    lines.append(HEADLINES[draw(st.integers(0, len(HEADLINES) - 1))])
    lines += story_lines(draw(st.integers(0, 6)))  # few stories: they repeat across pages
    lines.append(f"Only page {index} says this: {draw(st.sampled_from(TAILS))} and nothing else."[:200])
    if draw(st.booleans()):
        lines.append(draw(st.text(min_size=1, max_size=60)).replace("\n", " "))  # anything at all
    for line in CHROME[3:]:
        if draw(st.booleans()):
            lines.append(line)
    return lines


@st.composite
def corpora(draw: st.DrawFn) -> list[CorpusPage]:
    pages = []
    for site in draw(st.lists(st.sampled_from(["tarnwick", "oxley"]), min_size=1, max_size=2, unique=True)):
        for index in range(draw(st.integers(4, 14))):
            text = "\n".join(draw(page_lines(index)))
            pages.append(CorpusPage(f"{site}/{index:02d}.txt", site, text))
    return pages


def fold_counts(pages: list[CorpusPage]) -> Counter[str]:
    """On how many pages of the whole corpus each folded line stands."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({fold(line) for line in normalise(page.text).split("\n") if fold(line)})
    return counts


FAST = LearnSettings(sample_pages=0, min_docs=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_no_learned_rule_matches_a_line_on_one_page_only(pages: list[CorpusPage]) -> None:
    pack = learn_pages(pages, FAST)
    rules = RuleSet.of((pack.rule_pack(),))
    counts = fold_counts(pages)
    for page in pages:
        for line in normalise(page.text).split("\n"):
            if line and counts[fold(line)] == 1:
                assert rules.matches(line) == (), line
    assert all(counts[fold(rule.phrase)] >= FAST.min_docs for rule in pack.rules)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=corpora())
def test_a_learned_drop_never_removes_a_line_on_one_page_only(
    pages: list[CorpusPage], tmp_path_factory: pytest.TempPathFactory
) -> None:
    pack = learn_pages(pages, FAST)
    path = tmp_path_factory.mktemp("pack") / "learned.toml"
    path.write_text(pack.to_toml(), encoding="utf-8")
    actions = {f"learned/{rule.id}": rule.action for rule in pack.rules}
    counts = fold_counts(pages)
    for page in pages:
        doc = cleaner.clean(page.text, packs=(), rule_files=[str(path)], density=False)
        for removal in doc.removed:
            if removal.reason in actions and counts[fold(removal.text)] == 1:
                assert actions[removal.reason] in ("truncate", "rail"), removal  # below a marker: by design


def same_pack(pages: list[CorpusPage], order: list[int], learn: LearnSettings) -> tuple[LearnedPack, LearnedPack]:
    return learn_pages(pages, learn), learn_pages([pages[i] for i in order], learn)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_learning_does_not_depend_on_the_order_of_the_pages(data: st.DataObject) -> None:
    pages = data.draw(corpora())
    order = data.draw(st.permutations(range(len(pages))))
    first, second = same_pack(pages, order, FAST)
    assert first.to_toml() == second.to_toml()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_nor_when_the_counting_spills_into_the_sketch(data: st.DataObject) -> None:
    pages = data.draw(corpora())
    order = data.draw(st.permutations(range(len(pages))))
    spilling = LearnSettings(sample_pages=0, min_docs=3, max_exact_keys=2)  # every drawn corpus has more keys
    learner = Learner(spilling)
    for page in pages:
        learner.count(page)
    assert not learner.counting_exact  # the case under test: the exact table did spill into the sketch
    exact = learn_pages(pages, FAST)
    first, second = same_pack(pages, order, spilling)
    assert first.to_toml() == second.to_toml() == exact.to_toml()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_nor_when_pages_are_cleaned_in_full(data: st.DataObject) -> None:
    pages = data.draw(corpora())
    order = data.draw(st.permutations(range(len(pages))))
    first, second = same_pack(pages, order, LearnSettings(min_docs=3, sample_pages=5))
    assert first.to_toml() == second.to_toml()


def test_the_property_corpora_do_teach_something() -> None:
    """The strategies above are not vacuous: a corpus of them yields rules."""
    pages = []
    for index in range(12):
        lines = [
            *CHROME[:3],
            HEADLINES[index % 5],
            *story_lines(100 + index),
            f"Only page {index} says so.",
            *CHROME[3:],
        ]
        pages.append(CorpusPage(f"t/{index}", "t", "\n".join(lines)))
    assert learn_pages(pages, FAST).rules
    assert Path(__file__).name.startswith("test_learn")
