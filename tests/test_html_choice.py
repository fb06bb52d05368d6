"""The HTML path's choice of extraction (`cleaner.html.choose`), the DOM fallback's guard (`cleaner.html.keeps`)
and the snippet measure of `bench.html_eval`."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

import cleaner.html as html_module
import cleaner.html.choose as choose
from cleaner.document import Document
from cleaner.html import clean_html, keeps
from cleaner.html.choose import Choice, ChoiceModel, choose_extraction, load_model
from cleaner.html.extract import Extracted


def test_the_shipped_model_loads_and_names_a_fuller_mode() -> None:
    data = json.loads(resources.files("cleaner.models").joinpath(choose.MODEL_FILE).read_text(encoding="utf-8"))
    model = load_model()
    assert model == ChoiceModel.from_dict(data)
    assert model.alternative in choose.MODES and model.alternative != "fast"
    assert ChoiceModel.from_dict(model.to_dict()) == model


def test_a_model_naming_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fuller mode"):
        ChoiceModel.from_dict({"alternative": "fast", "gate_share": 0, "gate_chars": 0, "min_ratio": 1})


MODEL = ChoiceModel("full", gate_share=0.2, gate_chars=300, min_ratio=2.0)


def test_gate_and_keep_rules() -> None:
    assert MODEL.gate(100, 200)  # fewer than 300 characters
    assert MODEL.gate(1000, 10_000)  # a tenth of the page
    assert not MODEL.gate(1000, 4000)  # a quarter of the page, and long enough
    assert MODEL.keeps_fuller(100, 200) and not MODEL.keeps_fuller(100, 199)
    assert not MODEL.keeps_fuller(0, 0)


def _runs(monkeypatch: pytest.MonkeyPatch, found: dict[str, int]) -> list[str]:
    """`run_mode` replaced by one that finds `found[mode]` characters; the modes it was asked for."""
    calls: list[str] = []

    def run_mode(tree: Any, url: str | None, mode: str, known: Extracted | None = None) -> Extracted:
        calls.append(mode)
        return Extracted("x" * found[mode], title="T")

    monkeypatch.setattr(choose, "run_mode", run_mode)
    return calls


def test_fast_mode_alone_when_it_found_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _runs(monkeypatch, {"fast": 2000, "full": 9000})
    choice = choose_extraction(None, None, 4000, MODEL)
    assert calls == ["fast"]
    assert choice.mode == "fast" and choice.extractions == 1
    assert choice.extracted is not None and len(choice.extracted.text) == 2000


def test_the_fuller_mode_is_kept_when_it_finds_enough_more(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _runs(monkeypatch, {"fast": 400, "full": 5000})
    choice = choose_extraction(None, None, 8000, MODEL)
    assert calls == ["fast", "full"]
    assert (choice.mode, choice.extractions) == ("full", 2)
    assert choice.extracted is not None and len(choice.extracted.text) == 5000


def test_the_fuller_mode_is_dropped_when_it_finds_too_little_more(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _runs(monkeypatch, {"fast": 400, "full": 700})
    choice = choose_extraction(None, None, 8000, MODEL)
    assert calls == ["fast", "full"]
    assert choice == Choice(choice.extracted, "fast", 2)
    assert choice.extracted is not None and len(choice.extracted.text) == 400


# --- the DOM fallback keeps what trafilatura found ------------------------------------------------------------------


def test_keeps_asks_for_most_of_the_found_lines() -> None:
    found = "First line of a short poem\nSecond line of it\nThird"
    assert keeps("Title\nFirst line of a short poem\nSecond   line of it\nThird\nMore text", found)
    assert not keeps("Licensed under a free licence.\nMake a free website.", found)
    assert keeps("anything", "")


POEM = "The boats lie down in the mud and wait.\nThe gulls walk where the water was."
CHROME = "All the words on this website are shared under a free licence.\n\nMake a website of your own today."
PAGE = "<html><body>" + "<p>Some text of the page, in a paragraph of its own.</p>" * 20 + "</body></html>"


def test_a_short_article_is_not_replaced_by_the_pages_chrome(monkeypatch: pytest.MonkeyPatch) -> None:
    # trafilatura found a short poem; the DOM fallback, longer, holds none of it: the poem stays.
    monkeypatch.setattr(choose, "run_mode", lambda *args, **kwargs: Extracted(POEM, title="Low tide"))
    monkeypatch.setattr(html_module, "_from_blocks", lambda *args: Document(text=CHROME, kind="article"))
    doc = clean_html(PAGE)
    assert doc.text == POEM.replace("\n", "\n\n")


def test_the_fallback_is_taken_when_it_holds_what_was_found_and_more(monkeypatch: pytest.MonkeyPatch) -> None:
    fuller = "The tide went out at noon.\n\n" + POEM.replace("\n", "\n\n") + "\n\nThen it came back at six."
    monkeypatch.setattr(choose, "run_mode", lambda *args, **kwargs: Extracted(POEM, title="Low tide"))
    monkeypatch.setattr(html_module, "_from_blocks", lambda *args: Document(text=fuller, kind="article"))
    assert clean_html(PAGE).text == fuller


# --- bench.html_eval's measure ----------------------------------------------------------------------------------------


def test_snippet_measure_and_site_names() -> None:
    from pathlib import Path

    from bench.html_eval import Counts, EvalPage, page_counts, site_from_name, total

    page = EvalPage("x", "x", ("the harbour  opened", "not there"), ("Share this",), Path("x"))
    counts = page_counts("Harbour news\nOn Monday the harbour\nopened again. Share this", page)
    assert counts == Counts(tp=1, fp=1, fn=1)
    assert total([counts, Counts(2, 0, 0)]) == Counts(3, 1, 1)
    assert round(total([counts, Counts(2, 0, 0)]).f1, 4) == round(6 / 8, 4)
    assert site_from_name("dw.com.colonial") == "dw.com"
    assert site_from_name("auto.oe24.at-golfchina") == "oe24.at"
    assert site_from_name("cybercook.com.br.sequilho") == "cybercook.com.br"
    assert site_from_name("der-farang.com-Grab-Bote") == "der-farang.com"
    assert site_from_name("0a4a8ab61c054192b1ec70cc3570cf45") is None
