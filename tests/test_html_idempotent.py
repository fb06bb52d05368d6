"""Cleaning HTML output again: the text output of an HTML page (title, blank line, body) is a fixed point of the
text pipeline unless the density model doubts much of it.

The HTML path keeps the density filter off (trafilatura has cut the page down to its article already). The text
pipeline recognises text that looks clean already (a cleaned document's layout, nothing a rule pack calls
chrome) and overrules the density model's trims on it (a table, a list, a credit line), but not a verdict
against a fifth of its words or two fifths of its lines: that is how a page of chrome no pack knows still loses its
chrome. So an
HTML output changes on re-cleaning only where the model doubts that much of it, and then once: the re-cleaned
text is a fixed point. Checked on the 60 fetched dev pages of the shared benchmark, the HTML fixtures, and
generated article pages with tables, lists and credits.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import headlines, prose_paragraphs, sentences

import cleaner
from cleaner.filters.density import classify_density
from cleaner.html import clean_html
from cleaner.options import Options
from cleaner.pipeline import density_trim_stands, prepare

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CLEANER_SHARED") or ROOT.parent / "shared")
DEV_HTML = SHARED / "benchmarks" / "article-extraction-dev" / "html"
HTML_PAGES = sorted(DEV_HTML.glob("*.html.gz")) + sorted((ROOT / "fixtures" / "html").glob("*.html"))


def _reclean(doc: cleaner.Document) -> cleaner.Document:
    return cleaner.clean(doc.render(), input_format="text")


def doubted(text: str) -> tuple[int, bool]:
    """How many of `text`'s lines the density model would remove, and whether that verdict would stand, judging it
    as the text pipeline does."""
    page = prepare(text, Options())
    classify_density(page)
    return sum(block.verdict is not None for block in page.blocks), density_trim_stands(page)


def assert_settles(doc: cleaner.Document) -> None:
    """Re-cleaning changes nothing, or only where the density model's verdict stands, and only once."""
    again = _reclean(doc)
    if (again.title, again.text) != (doc.title, doc.text):
        assert doubted(doc.render())[1]
        third = _reclean(again)
        assert (third.title, third.text) == (again.title, again.text)


def test_the_dev_html_pages_are_there() -> None:
    # The parametrised test below would pass vacuously without them: fail instead (CI has ../shared).
    assert len(list(DEV_HTML.glob("*.html.gz"))) == 60, f"the 60 dev pages are not under {DEV_HTML}"


@pytest.mark.parametrize("path", HTML_PAGES, ids=[p.name.split(".")[0][:16] for p in HTML_PAGES])
def test_html_output_is_a_fixed_point_of_the_text_pipeline(path: Path) -> None:
    raw = path.read_bytes()
    assert_settles(clean_html(gzip.decompress(raw) if path.suffix == ".gz" else raw))


# --- what makes it so ------------------------------------------------------------------------------------------

TABLE_ARTICLE = """Harbour Dues Rise for the Winter Season

The harbour board raised the dues for visiting boats on Monday, the first rise in six years, and published \
the new rates for the winter season, which begins on the first of November.

The board said the money would pay for dredging the inner basin, where silt has made the berths too shallow \
for the larger yachts that used to winter there, and for new lights along the outer mole.

Boat owners who booked before the announcement will pay the old rates until the end of the year, the board \
said, and the rates will be reviewed again in the spring after the dredging is done.

Fishing boats registered in the town are exempt, as they have been since the harbour was built, and the board \
has promised that the ferry company's fees will not change before its contract runs out in two years.

Several owners said at the meeting that they would move their boats to the marina across the bay, where the \
winter rates are lower, although its berths are further from the town and its shops and its boatyards.

Berth | Length | Rate

Inner | 12 m | 40

Outer | 20 m | 55

Contributing: Tom Weyl
"""


def test_small_trims_of_clean_text_are_overruled() -> None:
    assert prepare(TABLE_ARTICLE, Options()).clean
    removed, stands = doubted(TABLE_ARTICLE)
    assert removed > 0 and not stands  # the model doubts the table, a little
    doc = cleaner.clean(TABLE_ARTICLE)
    assert doc.render() == TABLE_ARTICLE
    assert doc.title == "Harbour Dues Rise for the Winter Season"


# Chrome in no pack's words, laid out like a cleaned article (a blank line between lines, as some scrapers save).
UNKNOWN_CHROME = ["Kaiku Uutiset", "Etusivu", "Kotimaa", "Ulkomaat", "Urheilu", "Kulttuuri", "Tiede", "Kirjaudu"]


def test_clean_looking_text_with_chrome_no_pack_knows_still_loses_it() -> None:
    body = TABLE_ARTICLE.split("\n\n")[1:4]
    page = "\n\n".join([*UNKNOWN_CHROME, "Harbour Dues Rise for the Winter Season", *body, *UNKNOWN_CHROME[1:]])
    assert prepare(page, Options()).clean  # no pack finds anything, the layout is a cleaned one
    assert doubted(page)[1]  # the model doubts enough of it for its verdicts to stand
    doc = cleaner.clean(page)
    assert not set(UNKNOWN_CHROME) & set(doc.text.split("\n\n")), doc.text
    assert all(paragraph in doc.text for paragraph in body)


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


# --- trusting clean-looking text (--trust-clean, the pre-commit hooks) ------------------------------------------

# Text the HTML path writes that the density model alone would change: an article element holding a site's menu
# (which trafilatura keeps as paragraphs). Re-cleaned as text, the menu goes, and the short article with it.
MENU_IN_ARTICLE_HTML = (
    "<!DOCTYPE html><html><head><title>Ferry Fares Stay the Same</title></head><body><article>"
    "<h1>Ferry Fares Stay the Same</h1><p>The island ferry company said on Friday that fares will not change this "
    "winter, although crossings will run less often from November.</p>"
    + "".join(f"<p>{line}</p>" for line in UNKNOWN_CHROME)
    + "<p>The last boat of the evening will leave the mainland an hour earlier than in summer.</p>"
    "</article></body></html>"
)


def _trusted(text: str) -> cleaner.Document:
    return cleaner.clean(text, input_format="text", trust_clean=True)


def test_trusted_html_output_is_left_as_it_is() -> None:
    doc = clean_html(MENU_IN_ARTICLE_HTML)
    assert all(line in doc.text.split("\n\n") for line in UNKNOWN_CHROME)
    # By default the model's verdict stands on it (it doubts most of its lines), and the menu goes.
    assert doubted(doc.render())[1]
    assert not set(UNKNOWN_CHROME) & set(_reclean(doc).text.split("\n\n"))
    again = _trusted(doc.render())
    assert again.render() == doc.render() and again.title == doc.title


@pytest.mark.parametrize("path", HTML_PAGES, ids=[p.name.split(".")[0][:16] for p in HTML_PAGES])
def test_trusted_html_output_is_a_fixed_point_at_once(path: Path) -> None:
    raw = path.read_bytes()
    doc = clean_html(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    again = _trusted(doc.render())
    assert (again.title, again.text) == (doc.title, doc.text)


def test_trust_clean_still_applies_the_packs() -> None:
    with_chrome = TABLE_ARTICLE.replace("Contributing: Tom Weyl", "Share on Facebook")
    assert "Share on Facebook" not in _trusted(with_chrome).text


def test_trust_clean_does_not_change_a_scraped_dump() -> None:
    # The daily8 pages are dumps (chrome the packs know, one line per block): trust has nothing to trust.
    pages = sorted((SHARED / "corpus" / "daily8").glob("*.txt"))
    assert len(pages) == 5
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert _trusted(text) == cleaner.clean(text), path.name


def test_trust_clean_keeps_chrome_no_pack_knows_in_a_clean_layout() -> None:
    # The price of trusting (why it is not the default): such chrome, laid out like a cleaned article, stays.
    body = TABLE_ARTICLE.split("\n\n")[1:6]
    page = "\n\n".join([*UNKNOWN_CHROME, "Harbour Dues Rise for the Winter Season", *body, *UNKNOWN_CHROME[1:]])
    kept = _trusted(page).render().split("\n\n")
    assert set(UNKNOWN_CHROME[1:]) <= set(kept)


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


# Found by this property in CI: a list item that repeats the title, third line of the body once the headline is
# set apart; the copies of the title are now counted in body lines on both paths.
TITLE_IN_A_LIST = (
    "<!DOCTYPE html><html><head><title>Council Council Council Council | The Harbour Chronicle</title></head><body>"
    "<article><h1>Council Council Council Council</h1><p>Der Stadtrat hat am Dienstag beschlossen, die alte Brücke "
    "über den Fluss bis zum Herbst zu sperren.</p><ul><li>The harbour authority said on Tuesday that the bridge "
    "would stay closed until the end of the summer, and that further delays could not be ruled out.</li>"
    "<li>Council Council Council Council</li></ul><p>Nach Angaben der Feuerwehr wurde bei dem Brand in der "
    "Lagerhalle niemand verletzt, der Schaden ist aber hoch.</p></article></body></html>"
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_html())
@example(TITLE_IN_A_LIST)
def test_cleaning_html_output_again_settles_at_once(page: str) -> None:
    doc = clean_html(page)
    assert_settles(doc)
    trusted = _trusted(doc.render())
    assert (trusted.title, trusted.text) == (doc.title, doc.text)
