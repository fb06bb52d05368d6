"""The learned rule pack (`cleaner.learn.pack`): it is an ordinary rule pack, it reads back as it was written,
and removals by its rules are explained by their ids."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_learn import FAST, HEADER, site_pages

import cleaner
from cleaner import cli
from cleaner.features import count_words
from cleaner.learn import LearnedPack, LearnedRule, learn_pages
from cleaner.learn.pack import LeftOut, read, render, representable, site_label, toml_string
from cleaner.rules import RuleSet, fold, parse_pack


@pytest.fixture(scope="module")
def pack() -> LearnedPack:
    return learn_pages(site_pages(pages=25), FAST)


def test_the_pack_is_a_rule_pack_with_one_rule_per_line(pack: LearnedPack) -> None:
    rules = parse_pack(pack.to_toml(), "learned.toml")
    assert rules.name == "learned"
    assert [rule.id for rule in rules.rules] == [rule.id for rule in pack.rules]
    for loaded, learnt in zip(rules.rules, pack.rules, strict=True):
        assert loaded.phrases == frozenset({fold(learnt.phrase)})
        assert (loaded.action, loaded.where, loaded.max_words) == (learnt.action, learnt.where, learnt.max_words)
        assert loaded.note == learnt.note and loaded.reason == f"learned/{learnt.id}"


def test_the_pack_reads_back_as_it_was_written(pack: LearnedPack) -> None:
    again = read(pack.to_toml())
    assert again.rules == pack.rules
    assert again.sites == pack.sites and again.left_out == pack.left_out
    assert (again.min_docs, again.min_share, again.name) == (pack.min_docs, pack.min_share, pack.name)
    assert render(again) == render(pack).replace(_left_out_comments(pack), _left_out_comments(again))


def _left_out_comments(pack: LearnedPack) -> str:
    return "\n".join(line for line in render(pack).splitlines() if line.startswith("#   "))


def test_each_rule_is_commented_with_its_evidence(pack: LearnedPack) -> None:
    text = pack.to_toml()
    for rule in pack.rules:
        block = text[: text.index(f'id = "{rule.id}"')].rsplit("[[rules]]", 1)[0]
        comment = block.strip().splitlines()[-1]
        assert comment.startswith("# ") and f"on {rule.count} of {rule.site_pages} pages" in comment
        assert rule.example in comment


def test_cleaner_rules_checks_and_lists_the_pack(pack: LearnedPack, tmp_path: Path) -> None:
    path = tmp_path / "learned.toml"
    path.write_text(pack.to_toml(), encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["rules", "--pack", "generic", "--rules", str(path)])
    assert result.exit_code == 0, result.output
    for rule in pack.rules:
        assert f"learned/{rule.id}" in result.output


def test_explain_names_the_learned_rule(pack: LearnedPack, tmp_path: Path) -> None:
    path = tmp_path / "learned.toml"
    path.write_text(pack.to_toml(), encoding="utf-8")
    page = site_pages(pages=1, first_story=700)[0].text
    doc = cleaner.clean(page, rule_files=[str(path)])
    by_line = {fold(rule.phrase): rule for rule in pack.rules}
    explained = [removal for removal in doc.removed if removal.reason.startswith("learned/")]
    assert explained
    for removal in explained:
        assert removal.reason == f"learned/{by_line[fold(removal.text)].id}" or removal.text not in by_line
    assert {fold(line) for line in HEADER} & {fold(removal.text) for removal in explained}


@given(st.text().filter(representable))
def test_any_line_survives_toml_quoting(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_lines_toml_cannot_hold_are_not_representable() -> None:
    assert not representable("half a pair \ud800")
    assert representable("emoji 🎉 and tab\t")


@given(
    st.lists(st.text(min_size=1, max_size=40).filter(lambda t: representable(t) and fold(t)), min_size=1, max_size=6),
    st.sampled_from(["head", "tail", "any"]),
)
def test_rendered_rules_of_any_text_load(phrases: list[str], where: str) -> None:
    rules = tuple(
        LearnedRule(
            site='corpus/site "one"',
            id=f"site:{n}",
            action="drop",
            where=where,
            phrase=phrase,
            count=5,
            site_pages=9,
            example=f"corpus/{phrase}.txt",
            position="head",
            max_words=max(12, count_words(phrase)),
        )
        for n, phrase in enumerate(phrases, start=1)
    )
    learned = LearnedPack("learned", rules, {'corpus/site "one"': 9}, 5, 0.1, {}, (LeftOut("x", "a\nb", 3, "r"),))
    loaded = RuleSet.of((learned.rule_pack(),))
    for phrase in phrases:
        assert any(rule.pack == "learned" for rule, _ in loaded.matches(phrase))
    assert read(learned.to_toml()).rules == rules


def test_site_labels() -> None:
    assert site_label("corpus/Brightfold") == "brightfold"
    assert site_label("news.example.com") == "news.example.com"
    assert site_label("/") == "site"
    assert site_label("a b/c d!") == "c-d"
