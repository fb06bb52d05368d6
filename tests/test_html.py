"""HTML input: `cleaner.clean_html` on the hand-written pages of `fixtures/html/`, the selectolax pass, charsets,
sniffing, selectors in rule packs, the fallbacks, and properties (never raises, deterministic).

Expected values are what the fixture pages were written to say (their paragraphs, their chrome, their cards),
never output copied from the program.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

import cleaner
import cleaner.html as html_module
from cleaner.html import clean_html, decode_html, headline, looks_like_html, months
from cleaner.html.blocks import text_blocks
from cleaner.html.extract import Extracted, extract, parse
from cleaner.html.prepass import prepare, rail_cards
from cleaner.normalise import one_line
from cleaner.rules import RulePackError, SelectorRule, parse_pack

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"
TEXT_PAGES = ROOT / "fixtures" / "pages"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def reasons(doc: cleaner.Document) -> set[str]:
    return {removal.reason for removal in doc.removed}


# --- the fixture pages ---------------------------------------------------------------------------------------

FERRY_PARAGRAPHS = [
    "The ferry between Valemount and the island of Skerra returned to service on Saturday morning",
    "The first crossing left the mainland pier at a quarter past seven",
    "Engineers replaced the ramp's hinge assembly and two of its hydraulic rams",
    "Island councillor Petra Lindqvist said the weeks without a proper ferry",
    "The transport office said it would publish a review of the outage",
]


def test_aggregator_keeps_the_article_and_nothing_of_its_chrome() -> None:
    doc = clean_html(page("orbitdesk_aggregator.html"))
    assert doc.kind == "article"
    assert doc.title == "Ferry link to Skerra island restored after six-week repair"
    paragraphs = doc.text.split("\n\n")
    assert len(paragraphs) == len(FERRY_PARAGRAPHS)
    for paragraph, opening in zip(paragraphs, FERRY_PARAGRAPHS, strict=True):
        assert paragraph.startswith(opening)
    for chrome in ("All rights reserved", "Copy link", "first to comment", "Orbitdesk app", "Related stories"):
        assert chrome not in doc.text
    assert "Ferry link tracking" not in doc.text  # script text
    assert doc.language == "en"
    assert doc.source == "Orbitdesk"  # the site name: the text names no outlet of its own
    assert doc.date is not None and doc.date.startswith("2026-03-14")


def test_aggregator_related_rail_becomes_cards() -> None:
    doc = clean_html(page("orbitdesk_aggregator.html"))
    assert [item.title for item in doc.related] == [
        "Valemount harbour dues to rise for the first time in a decade",
        "Storm surge review calls for higher sea walls along the bay",
        "Skerra pupils cross to school by fishing boat during ferry outage",
    ]
    assert [item.date for item in doc.related] == ["2026-03-12", "2026-02-28", "2026-02-03"]
    assert doc.related[0].text.startswith("Fishing crews say the increase")
    assert {"generic/html-related", "generic/html-comments", "generic/html-navigation"} <= reasons(doc)
    # The title's copy at the top of the extracted text is removed, and said so.
    assert "title:repeat" in reasons(doc)


def test_cookie_banner_is_removed_and_json_ld_gives_the_date() -> None:
    doc = clean_html(page("larchpost_cookie_banner.html"))
    assert doc.kind == "article"
    assert doc.title == "Larchfield library reopens with a seed bank and repair café"
    assert doc.text.startswith("Larchfield's public library reopened on Friday")
    assert doc.text.endswith("About three hundred people came through the doors on the first morning.")
    assert "cookie" not in doc.text.lower()
    assert "Accept all" not in doc.text
    banner = [r for r in doc.removed if r.reason == "generic/html-consent"]
    assert banner and "143 partners use cookies" in banner[0].text
    assert doc.source == "Larch Post"
    assert doc.date is not None and doc.date.startswith("2026-05-02")


def test_listing_page_has_cards_and_no_article() -> None:
    doc = clean_html(page("tidewire_listing.html"))
    assert doc.kind == "listing"
    assert doc.text == "" and doc.title == "Wildfires"  # the page's own title, kept (issue 21)
    assert [item.title for item in doc.related] == [
        "Crews contain hillside blaze above Marrow Creek after two days",
        "Evacuation order lifted for four villages in the Dunmore valley",
        "Drone pilots warned after grounding of water-bombing aircraft",
        "Farmers count losses as grass fires sweep through summer pasture",
    ]
    assert doc.related[1].date == "2026-07-09T08:00:00Z"
    assert doc.related[3].text.startswith("Several farms lost hay stores")
    assert doc.language == "en"


def test_german_page() -> None:
    doc = clean_html(page("kurzlage_fernwaerme.html"))
    assert doc.kind == "article"
    assert doc.language == "de"
    assert doc.title == "Stadtwerke Birkenau bauen Fernwärmenetz aus"
    assert doc.text.startswith("Die Stadtwerke Birkenau wollen in den kommenden fünf Jahren")
    assert len(doc.text.split("\n\n")) == 4
    for chrome in ("Startseite", "Teilen", "Drucken", "Impressum", "Von Jana Reuter"):
        assert chrome not in doc.text
    assert doc.source == "Kurzlage"
    assert doc.date == "2026-01-20"


def test_broken_markup_still_gives_the_article() -> None:
    doc = clean_html(page("broken_markup.html"))
    assert doc.kind == "article"
    # The <h1> is never closed, so it swallows the page; the title comes from <title> instead.
    assert doc.title == "Night buses return to the Orrin estate"
    for opening in (
        "Night buses are running through the Orrin estate again from Monday",
        "The N14 will stop at the estate every forty minutes",
        "Councillor Ade Mensah said the cut had left people walking home",
        "The authority said passenger numbers would be reviewed",
    ):
        assert opening in doc.text
    assert "not content" not in doc.text


# --- cleaner.clean routes HTML ------------------------------------------------------------------------------------


def test_clean_sniffs_html_and_can_be_told() -> None:
    raw = page("kurzlage_fernwaerme.html")
    text = raw.decode("utf-8")
    assert cleaner.clean(text) == clean_html(raw)
    assert cleaner.clean(raw) == clean_html(raw)
    assert cleaner.clean(text, input_format="html") == clean_html(raw)
    as_text = cleaner.clean(text, input_format="text")
    assert as_text != clean_html(raw)
    with pytest.raises(ValueError, match="input_format"):
        cleaner.clean(text, input_format="pdf")


def test_text_dumps_are_not_taken_for_html() -> None:
    for path in sorted(TEXT_PAGES.glob("*.txt")):
        assert not looks_like_html(path.read_text(encoding="utf-8")), path.name
    for name in sorted(p.name for p in FIXTURES.glob("*.html")):
        assert looks_like_html(page(name)), name
    assert looks_like_html("\ufeff  <!-- saved page -->\n<!DOCTYPE html><html><body>x")
    assert looks_like_html(b"<div class='a'>text</div>")
    assert not looks_like_html("<3 this page, said nobody")
    assert not looks_like_html("Prices rose 3% <b>")


# --- charsets ----------------------------------------------------------------------------------------------------

CAFE = "Le café de la gare rouvre après des mois de travaux, et les habitués sont déjà revenus."


def html_page(body: str, head: str = "", title: str = "News") -> str:
    return f"<html><head>{head}<title>{title}</title></head><body><article><p>{body}</p></article></body></html>"


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (html_page(CAFE, '<meta charset="iso-8859-1">').encode("cp1252"), None),  # declared and right
        (html_page(CAFE, '<meta charset="iso-8859-1">').encode("utf-8"), None),  # declared and wrong
        (html_page(CAFE).encode("cp1252"), None),  # undeclared legacy bytes
        (html_page(CAFE).encode("utf-8-sig"), None),  # UTF-8 with a BOM
        (codecs.BOM_UTF16_LE + html_page(CAFE).encode("utf-16-le"), None),  # UTF-16 with its BOM
        (html_page(CAFE, '<meta charset="utf-16">').encode("utf-8"), None),  # a <meta> cannot mean UTF-16
        (html_page(CAFE).encode("cp1252"), "windows-1252"),  # the HTTP header's charset
    ],
)
def test_decode_html_reads_the_text_whatever_the_declaration(data: bytes, declared: str | None) -> None:
    assert CAFE in decode_html(data, declared)


def test_decode_html_declared_legacy_charsets() -> None:
    russian = "Мост через реку откроют после ремонта в конце месяца."
    data = html_page(russian, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">')
    assert russian in decode_html(data.encode("cp1251"))
    japanese = "駅前の商店街に新しい図書館が開館しました。"
    data = html_page(japanese, "<meta charset=Shift_JIS>")
    assert japanese in decode_html(data.encode("shift_jis"))
    assert russian in decode_html(html_page(russian).encode("cp1251"), "windows-1251")
    assert russian in decode_html(html_page(" ".join([russian] * 3)).encode("cp1251"))  # undeclared: guessed
    assert decode_html("already text") == "already text"


def test_clean_html_takes_bytes_in_a_wrong_charset() -> None:
    body = " ".join([CAFE] * 4)
    data = html_page(body, '<meta charset="utf-8">').encode("cp1252")  # says UTF-8, is cp1252
    doc = clean_html(data)
    assert "café de la gare" in doc.text and "\ufffd" not in doc.text


# --- the selectolax pass ----------------------------------------------------------------------------------------


def test_prepass_drops_the_invisible_keeps_metadata() -> None:
    html = (
        "<html><head><title>T</title><meta property='og:site_name' content='Site'>"
        "<script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script><script>var x = 'code';</script>"
        "<style>p{}</style></head><body><template><p>tpl</p></template><div hidden>hidden text</div>"
        "<p style='display: none'>styled away</p><form><input value='q'><p>form text</p></form>"
        "<noscript>enable js</noscript><p>Visible words.</p></body></html>"
    )
    prepared = prepare(html)
    for gone in ("code", "tpl", "hidden text", "styled away", "form text", "enable js", "p{}"):
        assert gone not in prepared.html
    assert "Visible words." in prepared.html
    assert "og:site_name" in prepared.html and "application/ld+json" in prepared.html
    assert prepared.title == "T"
    assert prepared.removed == []  # only selector rules' removals are recorded


def test_guard_keeps_an_element_holding_the_article() -> None:
    prose = "<p>" + "Words of the article that make up most of what this page says. " * 20 + "</p>"
    html = f"<html><body><form id='aspnetForm'><div class='share'>{prose}</div></form><nav>Home</nav></body></html>"
    rules = (SelectorRule("mine", "share", "drop", ".share, nav"),)
    prepared = prepare(html, rules)
    assert "Words of the article" in prepared.html
    assert "Home" not in prepared.html
    assert [r.reason for r in prepared.removed] == ["mine/share"]


def test_rail_cards_one_per_innermost_container_or_link() -> None:
    rail = LexborHTMLParser(
        "<div id='r'><ul><li><article><h3><a href='/1'>First teaser headline here</a></h3>"
        "<time datetime='2026-01-02'>2 Jan</time><p>A snippet of the first story.</p></article></li>"
        "<li><a href='/2'>Second teaser headline here</a></li><li><a href='/3'>More</a></li></ul></div>"
    ).css_first("#r")
    items = rail_cards(rail)
    assert [(i.title, i.date) for i in items] == [
        ("First teaser headline here", "2026-01-02"),
        ("Second teaser headline here", None),
    ]
    assert items[0].text == "A snippet of the first story."
    links = LexborHTMLParser("<div id='r'><a href='/a'>One linked headline</a> <a href='/b'>Two</a></div>")
    assert [i.title for i in rail_cards(links.css_first("#r"))] == ["One linked headline"]


def test_text_blocks_one_line_per_block() -> None:
    tree = LexborHTMLParser("<body><div>Hello <b>wo</b>rld<p>Para.</p>tail<ul><li>a</li><li>b<br>c</li></ul></div>")
    assert text_blocks(tree.body) == ["Hello world", "Para.", "tail", "a", "b", "c"]
    deep = LexborHTMLParser("<div>" * 5000 + "deep text")
    assert text_blocks(deep.body) == ["deep text"]
    assert text_blocks(None) == []


def test_headline_finds_the_title_part_the_text_opens_with() -> None:
    assert headline("Bridge reopens | The Daily Site", "Bridge reopens\nThe bridge reopened.") == "Bridge reopens"
    assert headline("Opinion - Bridge reopens", "Intro\nBridge reopens\nBody") == "Bridge reopens"
    assert headline("Bridge reopens | Site", "Something else\nBody") == "Bridge reopens | Site"
    assert headline(None, "Body") is None


def test_headline_reads_titles_with_long_runs_of_white_space() -> None:
    # The split on separators is linear: a run of white space is not tried from each of its spaces in turn.
    title = "Bridge reopens" + " \t" * 50_000 + "| The Daily Site"
    assert headline(title, "Bridge reopens\nThe bridge reopened.") == "Bridge reopens"
    assert headline(title, "Something else") == "Bridge reopens | The Daily Site"
    words = "word " * 50_000
    assert headline(words, "Body") == words.strip()


NFD_TITLE = unicodedata.normalize("NFD", "Crèche à Genève: réunion du conseil")
NFD_PARAGRAPH = (
    "<p>The council of the city met on Tuesday to decide what to do about the crèche, the ferry and the roads.</p>"
)


def test_titles_and_cards_come_out_nfc_as_on_the_text_path() -> None:
    nfc = unicodedata.normalize("NFC", NFD_TITLE)
    assert nfc != NFD_TITLE
    assert headline(NFD_TITLE, nfc + "\nBody") == nfc
    page = (
        f"<html><head><title>{NFD_TITLE}</title></head><body><article><h1>{NFD_TITLE}</h1>{NFD_PARAGRAPH * 4}"
        "</article></body></html>"
    )
    doc = clean_html(page)
    assert doc.title == nfc
    assert nfc not in doc.text  # the headline's copy at the top went, as the text path's would
    assert doc.title == cleaner.clean(page.replace(NFD_TITLE, nfc)).title
    rail = LexborHTMLParser(f"<div id='r'><a href='/1'>{NFD_TITLE}</a></div>").css_first("#r")
    assert [item.title for item in rail_cards(rail)] == [nfc]


# --- selectors in rule packs -------------------------------------------------------------------------------------


def test_pack_selectors_parse_and_check() -> None:
    pack = parse_pack(
        '[pack]\nname = "mine"\n[[selectors]]\nid = "promo"\ncss = [".promo", "#ad-top"]\n'
        '[[selectors]]\nid = "more"\naction = "related"\ncss = "section.more"\nnote = "rail"\n',
        "mine.toml",
    )
    assert [(s.reason, s.action, s.css) for s in pack.selectors] == [
        ("mine/promo", "drop", ".promo, #ad-top"),
        ("mine/more", "related", "section.more"),
    ]
    for bad, message in [
        ('[[selectors]]\nid = "x"\ncss = "div >"', "bad CSS selector"),
        ('[[selectors]]\nid = "x"\ncss = []', "css must be"),
        ('[[selectors]]\nid = "x"\naction = "truncate"\ncss = "p"', "action must be one of"),
        ('[[selectors]]\nid = "x"\ncss = "p"\nwhere = "head"', "unknown key"),
        ('[[rules]]\nid = "x"\naction = "drop"\nphrases = ["a"]\n[[selectors]]\nid = "x"\ncss = "p"', "used twice"),
        ('selectors = "p"', "array of tables"),
    ]:
        with pytest.raises(RulePackError, match=message):
            parse_pack(bad, "bad.toml")


def test_user_pack_selector_removes_its_chrome(tmp_path: Path) -> None:
    prose = " ".join(["The harbour committee met on Tuesday to agree the new mooring fees for the summer."] * 4)
    html = (
        f"<html><body><article><h1>Mooring fees agreed</h1><div class='sitepitch'>Support local news: "
        f"subscribe to the Harbour Gazette for one pound a week and never miss a story.</div>"
        f"<p>{prose}</p><p>{prose}</p></article></body></html>"
    )
    assert "Support local news" in clean_html(html).text
    pack = tmp_path / "mine.toml"
    pack.write_text('[pack]\nname = "mine"\n[[selectors]]\nid = "pitch"\ncss = ".sitepitch"\n', encoding="utf-8")
    doc = clean_html(html, rule_files=[pack])
    assert "Support local news" not in doc.text
    assert "mine/pitch" in reasons(doc)
    assert "harbour committee" in doc.text


# --- fallbacks ---------------------------------------------------------------------------------------------------

FALLBACK_PAGE = (
    "<html><head><title>Orchard frost</title></head><body><div class='menu'>Home</div>"
    + "".join(
        f"<div class='para'>Growers in the valley say the late frost damaged {n} orchards, and the cooperative will "
        "ask the regional government for help with the losses before the harvest season starts.</div>"
        for n in ("apple", "pear", "cherry", "plum")
    )
    + "</body></html>"
)


def test_nothing_extracted_falls_back_to_the_dom_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "extract", lambda *args, **kwargs: None)
    doc = clean_html(FALLBACK_PAGE)
    assert doc.kind == "article"
    for fruit in ("apple", "pear", "cherry", "plum"):
        assert f"damaged {fruit} orchards" in doc.text


def test_too_little_tries_trafilatura_fallbacks_then_the_dom(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def scrap(html: object, url: str | None = None, *, fast: bool = True, known: object = None) -> Extracted:
        calls.append(fast)
        return Extracted("Home", title="Orchard frost")

    monkeypatch.setattr(html_module, "extract", scrap)
    doc = clean_html(FALLBACK_PAGE)
    assert calls == [True, False]  # fast first, then with its own fallbacks
    assert "damaged cherry orchards" in doc.text
    assert doc.title == "Orchard frost"


# --- trafilatura as cleaner runs it -------------------------------------------------------------------------------

SHARED = Path(os.environ.get("CLEANER_SHARED") or ROOT.parent / "shared")
DEV_HTML = SHARED / "benchmarks" / "article-extraction-dev" / "html"


def _pages_for_trafilatura() -> list[str]:
    pages = [decode_html(path.read_bytes()) for path in sorted(FIXTURES.glob("*.html"))]
    pages += [decode_html(gzip.decompress(path.read_bytes())) for path in sorted(DEV_HTML.glob("*.html.gz"))[::6]]
    return pages


def test_extract_gives_what_trafilatura_with_metadata_gives() -> None:
    """One parse, the metadata steps cleaner reads, both modes: the same text, title, date, site name and URL
    as `bare_extraction(with_metadata=True)` on the page's HTML."""
    import trafilatura

    pages = _pages_for_trafilatura()
    assert len(pages) >= 10
    for number, html in enumerate(pages):
        tree = parse(html)
        url = f"https://news.example.org/2024/story-{number}.html" if number % 2 else None
        first = extract(tree, url, fast=True)
        for fast in (True, False):
            ours = extract(tree, url, fast=fast, known=first if not fast else None)
            theirs = trafilatura.bare_extraction(
                html, url=url, fast=fast, include_comments=False, include_tables=True, with_metadata=True
            )
            if theirs is None:
                assert ours is None
                continue
            assert ours is not None
            assert ours.text == (theirs.text or "").strip()
            expected = [one_line(value or "") or None for value in (theirs.title, theirs.date, theirs.sitename)]
            assert [ours.title, ours.date, ours.sitename] == expected
            assert ours.url == (one_line(theirs.url or "") or None)


# --- htmldate's month names from cleaner's cache -------------------------------------------------------------------


@pytest.fixture
def months_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Any]]:
    """A cache folder of the test's own, and htmldate's own `month_words` (put back afterwards)."""
    from htmldate import extractors

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "cache"))
    original = getattr(extractors.month_words, "htmldate", extractors.month_words)  # htmldate's own, not ours
    monkeypatch.setattr(extractors, "month_words", original)
    months.install.cache_clear()
    yield tmp_path / "cache", original
    months.install.cache_clear()


def test_month_names_are_htmldates_and_kept_in_the_cache(months_cache: tuple[Path, Any]) -> None:
    from htmldate import extractors

    folder, original = months_cache
    assert months.install()
    (path,) = folder.glob("htmldate-months-*.json")
    assert extractors.month_words() == original() and len(original()) > 1000
    # A later process reads them from the file (here, a file changed by hand shows that it is read).
    path.write_text(json.dumps(["brumaire"]), encoding="utf-8")
    extractors.month_words = original
    months.install.cache_clear()
    assert months.install() and extractors.month_words() == frozenset({"brumaire"})


@pytest.mark.parametrize("damage", ["broken", "unwritable"])
def test_month_names_without_a_usable_cache_are_htmldates_own(months_cache: tuple[Path, Any], damage: str) -> None:
    from htmldate import extractors

    folder, original = months_cache
    if damage == "broken":
        assert months.install()
        (path,) = folder.glob("htmldate-months-*.json")
        path.write_text('{"not": "a list"', encoding="utf-8")
        extractors.month_words = original
        months.install.cache_clear()
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.write_text("a file where the cache folder should be")
    assert months.install()
    assert extractors.month_words() == original()


# --- properties --------------------------------------------------------------------------------------------------

TAGS = ["p", "div", "span", "a", "h1", "h2", "li", "ul", "table", "td", "script", "style", "nav", "article", "form"]
WORDS = ["harbour", "frost", "café", "Мост", "図書館", "the", "and", "<", "&amp;", "&#0;", "\x00", "\ufeff", ".", "\n"]


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    """Markup that is mostly HTML and often broken: unclosed and stray tags, entities, odd characters."""
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=12))))
    return draw(st.sampled_from(["", "<!DOCTYPE html><html><body>", "<html>"])) + "".join(parts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tag_soup(), st.binary(max_size=300), st.text(max_size=200)))
def test_clean_html_never_raises_and_is_deterministic(data: str | bytes) -> None:
    first = clean_html(data)
    assert first.kind in ("article", "listing", "empty")
    assert clean_html(data) == first


def test_huge_and_deep_pages_do_not_crash() -> None:
    paragraph = "<p>" + "A long report on the state of the county roads and what it will cost to mend them. " * 12
    huge = "<html><body><article>" + (paragraph + "</p>") * 1200 + "</article></body></html>"  # ~1.2 MB
    doc = clean_html(huge)
    assert doc.kind == "article" and "county roads" in doc.text
    deep = "<html><body>" + "<div>" * 20000 + paragraph + "</p>" + "</div>" * 100 + "</body></html>"
    assert clean_html(deep).kind in ("article", "empty")
