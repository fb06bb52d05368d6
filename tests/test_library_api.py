"""The library's edges (issue 21, defect 9): signatures that say what they take, a `TypeError` naming the
parameter for a wrong type, a lone string or pack name taken as one item, no language for too little text."""

from __future__ import annotations

import inspect

import pytest

import cleaner
from cleaner import Deduplicator, Document, clean, clean_html, clean_many

PAGE = "A Title For The Page\n\n" + "The council met on Tuesday to discuss the budget for the coming year. " * 4


def test_a_single_pack_name_is_one_pack() -> None:
    assert clean(PAGE, packs="generic") == clean(PAGE, packs=["generic"])


def test_a_single_rule_file_is_one_file(tmp_path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text('[[rules]]\nid = "x"\naction = "drop"\npattern = "nothing like this"\n', encoding="utf-8")
    assert clean(PAGE, rule_files=rules) == clean(PAGE, rule_files=[str(rules)])


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: clean(None), "text"),  # type: ignore[arg-type]
        (lambda: clean(PAGE, density="no"), "density"),  # type: ignore[arg-type]
        (lambda: clean(PAGE, trust_clean=1), "trust_clean"),  # type: ignore[arg-type]
        (lambda: clean(PAGE, packs=[1]), "packs"),  # type: ignore[list-item]
        (lambda: clean(PAGE, packs=3), "packs"),  # type: ignore[arg-type]
        (lambda: clean(PAGE, title=5), "title"),  # type: ignore[arg-type]
        (lambda: clean(PAGE, url=5), "url"),  # type: ignore[arg-type]
        (lambda: clean_html(None), "html"),  # type: ignore[arg-type]
        (lambda: clean_html("<p>x</p>", density=None), "density"),  # type: ignore[arg-type]
        (lambda: clean_many("a string"), "texts"),
        (lambda: clean_many([PAGE], packs=7), "packs"),  # type: ignore[arg-type]
        (lambda: Deduplicator(jaccard="0.6"), "jaccard"),  # type: ignore[arg-type]
        (lambda: Deduplicator(min_words=2.5), "min_words"),  # type: ignore[arg-type]
        (lambda: Deduplicator("options"), "options"),  # type: ignore[arg-type]
    ],
)
def test_a_wrong_type_is_a_type_error_naming_the_parameter(call, parameter: str) -> None:
    with pytest.raises(TypeError, match=rf"^{parameter}\b"):
        call()


def test_an_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="jaccard"):
        clean(PAGE, jaccard=0.5)  # type: ignore[call-arg]


@pytest.mark.parametrize("function", [clean, clean_many, clean_html])
def test_the_options_are_named_in_the_signature(function) -> None:
    parameters = inspect.signature(function).parameters
    assert {"packs", "rule_files", "title", "density", "trust_clean"} <= set(parameters)
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_deduplicator_takes_its_thresholds_by_name() -> None:
    assert Deduplicator(jaccard=0.6, containment=0.8, min_words=10).options.thresholds == (
        Deduplicator(cleaner.dedup.DedupOptions(jaccard=0.6, containment=0.8, min_words=10)).options.thresholds
    )
    assert "jaccard" in inspect.signature(Deduplicator).parameters


def test_deduplicator_adds_a_document() -> None:
    doc = clean(PAGE)
    dedup = Deduplicator()
    assert dedup.add("a", doc) is None
    match = dedup.add("b", doc.render())
    assert match is not None and match.id == "a"
    assert [m.id if m else None for m in Deduplicator().add_many([("x", doc), ("y", doc)])] == [None, "x"]


def test_deduplicator_refuses_an_id_twice() -> None:
    dedup = Deduplicator()
    dedup.add("a", PAGE)
    with pytest.raises(ValueError, match="'a'"):
        dedup.add("a", "another text entirely")
    with pytest.raises(ValueError, match="'a'"):
        list(dedup.add_many([("a", PAGE)]))
    with pytest.raises(TypeError, match="'z'"):
        dedup.add("z", 42)  # type: ignore[arg-type]


def test_dir_lists_the_api_only() -> None:
    names = {name for name in dir(cleaner) if not name.startswith("__")}
    assert names == set(cleaner.__all__)
    assert not {"TYPE_CHECKING", "annotations", "lazy"} & set(dir(cleaner))


def test_too_little_text_has_no_language() -> None:
    assert clean_html("<p>hi</p>").language is None
    assert clean("hi").language is None
    assert clean(PAGE).language == "en"


def test_clean_many_checks_its_options_before_the_first_page() -> None:
    pages = iter([PAGE])
    with pytest.raises(TypeError):
        clean_many(pages, density="yes")  # type: ignore[arg-type]
    assert next(pages) == PAGE  # nothing was read
    assert isinstance(next(clean_many([PAGE])), Document)
