"""Cleaning HTML is idempotent too: the text output of an HTML page (title, blank line, body) is a fixed point of
the text pipeline, so `cleaner clean out.txt` over it changes nothing, title and text.

The HTML path keeps the density filter off (trafilatura has cut the page down to its article already); the text
pipeline recognises text that is already clean (a cleaned document's layout, nothing a rule pack calls chrome)
and is as careful with it. Checked on the 60 fetched dev pages of the shared benchmark, the HTML fixtures, and
generated article pages with the tables, lists and credits the density filter would cut from a text dump.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import headlines, prose_paragraphs, sentences

import cleaner
from cleaner.html import clean_html
from cleaner.options import Options
from cleaner.pipeline import prepare

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CLEANER_SHARED") or ROOT.parent / "shared")
DEV_HTML = SHARED / "benchmarks" / "article-extraction-dev" / "html"
HTML_PAGES = sorted(DEV_HTML.glob("*.html.gz")) + sorted((ROOT / "fixtures" / "html").glob("*.html"))


def _reclean(doc: cleaner.Document) -> cleaner.Document:
    return cleaner.clean(doc.render(), input_format="text")


def test_the_dev_html_pages_are_there() -> None:
    # The parametrised test below would pass vacuously without them: fail instead (CI has ../shared).
    assert len(list(DEV_HTML.glob("*.html.gz"))) == 60, f"the 60 dev pages are not under {DEV_HTML}"


@pytest.mark.parametrize("path", HTML_PAGES, ids=[p.name.split(".")[0][:16] for p in HTML_PAGES])
def test_html_output_is_a_fixed_point_of_the_text_pipeline(path: Path) -> None:
    raw = path.read_bytes()
    doc = clean_html(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    again = _reclean(doc)
    assert (again.title, again.text) == (doc.title, doc.text)


# --- what makes it so ------------------------------------------------------------------------------------------

TABLE_ARTICLE = """Harbour Dues Rise for the Winter Season

The harbour board raised the dues for visiting boats on Monday, the first rise in six years, and published \
the new rates for the winter season.

Berth | Length | Rate

Inner | 12 m | 40

Outer | 20 m | 55

Contributing: Tom Weyl
"""


def test_clean_text_is_not_put_to_the_density_filter() -> None:
    doc = cleaner.clean(TABLE_ARTICLE)
    assert doc.render() == TABLE_ARTICLE
    assert doc.title == "Harbour Dues Rise for the Winter Season"
    assert prepare(TABLE_ARTICLE, Options()).clean


def test_chrome_or_a_dump_layout_is_not_clean() -> None:
    with_chrome = TABLE_ARTICLE.replace("Contributing: Tom Weyl", "Share on Facebook")
    assert not prepare(with_chrome, Options()).clean
    dump_layout = TABLE_ARTICLE.replace("\n\n", "\n")
    assert not prepare(dump_layout, Options()).clean


@pytest.mark.parametrize(
    "title",
    [
        "Is Football Violence a Crime?",
        "Stock Is Falling After Its Earnings Release. Why You Shouldn't Worry.",
        "The ferry is back!",
    ],
)
def test_the_first_line_of_clean_text_is_its_title_even_punctuated(title: str) -> None:
    body = "The ferry between Valemount and the island of Skerra returned to service on Saturday morning, weeks late."
    doc = cleaner.clean(f"{title}\n\n{body}\n")
    assert (doc.title, doc.text) == (title, body)


def test_a_first_sentence_is_not_taken_for_a_title() -> None:
    text = "The council met on Tuesday.\n\nIt voted to keep the ferry running through the winter and into spring.\n"
    doc = cleaner.clean(text)
    assert doc.title == "" and doc.text.startswith("The council met on Tuesday.")


# --- property ----------------------------------------------------------------------------------------------------


@st.composite
def article_html(draw: st.DrawFn) -> str:
    """A news page: navigation, then an article of paragraphs with perhaps a table, a list and a credit line."""
    title = draw(headlines())
    parts = [f"<p>{paragraph}</p>" for paragraph in draw(st.lists(prose_paragraphs(), min_size=2, max_size=5))]
    extras = draw(st.lists(st.sampled_from(["table", "list", "credit"]), max_size=3))
    for extra in extras:
        if extra == "table":
            rows = draw(st.lists(st.tuples(headlines(), st.integers(0, 99)), min_size=2, max_size=5))
            cells = "".join(f"<tr><td>{name}</td><td>{n}</td></tr>" for name, n in rows)
            parts.insert(draw(st.integers(1, len(parts))), f"<table>{cells}</table>")
        elif extra == "list":
            items = draw(st.lists(st.one_of(headlines(), sentences()), min_size=2, max_size=6))
            parts.insert(draw(st.integers(1, len(parts))), "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        else:
            parts.append(f"<p>Contributing: {draw(headlines())}</p>")
    nav = "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
    return (
        f"<!DOCTYPE html><html><head><title>{title} | The Harbour Chronicle</title></head><body>{nav}"
        f"<article><h1>{title}</h1>{''.join(parts)}</article><footer>© The Harbour Chronicle</footer></body></html>"
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_html())
def test_cleaning_html_output_again_changes_nothing(page: str) -> None:
    doc = clean_html(page)
    again = _reclean(doc)
    assert (again.title, again.text) == (doc.title, doc.text)
