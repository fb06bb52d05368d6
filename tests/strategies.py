"""Hypothesis strategies for scraped pages, shared by the property tests (and any test that wants a page).

A scraped page is a sequence of lines: site chrome (menus, share bars, legal footers, ad labels), article
prose, teaser cards of other stories (headline, an outlet and an age in one of several layouts, perhaps a
snippet) and the odd line of anything at all (right-to-left scripts, combining marks, emoji, CJK, invisible
characters and stray control codes a scraper leaves behind). Every text here is invented.

    >>> from strategies import pages
    >>> @given(pages())
    ... def test_something(page: str) -> None: ...
"""

from __future__ import annotations

from hypothesis import strategies as st

# ── Vocabulary ───────────────────────────────────────────────────────────────────────────────────────────────

# One invented article (the Veldmark grain pier) that several unit tests judge: long enough to read as prose.
PIER_ARTICLE = [
    "The harbour authority of Veldmark confirmed on Tuesday that the old grain pier will be closed to the public "
    "for at least two years while engineers rebuild its rotten foundations.",
    "Inspectors found last spring that several of the oak piles under the pier had been eaten away by shipworm, a "
    "small mollusc that thrives in the warmer water of recent summers.",
    "The closure is a blow to the fishermen who have landed their catch at the pier for generations, and to the "
    "cafés along the quay that depend on the crowds it draws at weekends.",
    "A spokesman for the authority said that temporary moorings would be built on the northern breakwater, but "
    "admitted that they would not be ready before the autumn.",
    "Local councillors have asked the regional government to share the cost of the repairs, which the authority "
    "puts at a little over forty million crowns.",
    "The last major renovation of the pier took place in the nineteen-sixties, when its wooden deck was replaced "
    "with concrete slabs that are now themselves crumbling.",
]

SUBJECTS = [
    "The harbour authority",
    "The regional council",
    "A spokesman for the ministry",
    "The mayor of Brindlecombe",
    "Local fishermen",
    "The railway operator",
    "Engineers at the dam",
    "The school board",
    "Farmers in the valley",
    "The museum's director",
    "Residents of the old quarter",
    "The weather service",
]
VERBS = [
    "said on Tuesday that",
    "announced last week that",
    "warned in a letter that",
    "confirmed after a long meeting that",
    "told reporters on Friday that",
    "admitted in a statement that",
    "argued at the hearing that",
]
CLAUSES = [
    "the bridge would stay closed until the end of the summer",
    "the repairs were likely to cost more than the budget allowed",
    "the new timetable would bring an extra train every hour",
    "the river had risen faster than anyone had expected",
    "the collection would be moved to a larger building by the spring",
    "the price of bread had doubled since the mill burned down",
    "a decision on the new ferry was not expected before the autumn",
    "the old quay was no longer safe for heavy lorries",
    "most of the orchards had been spared by the late frost",
    "the vote would be held again because of a counting error",
    "the library would open on Sundays for the first time in its history",
    "there was no money left for the footpath along the cliffs",
]
TAILS = [
    ", and that further delays could not be ruled out",
    ", although several councillors disagreed",
    " after a winter of heavy storms",
    ", according to figures published by the statistics office",
    " despite protests from shop owners on the high street",
    "",
]

PROSE_DE = [
    "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Herbst zu sperren.",
    "Nach Angaben der Feuerwehr wurde bei dem Brand in der Lagerhalle niemand verletzt, der Schaden ist aber hoch.",
    "Die Bürgermeisterin sagte, man werde die Anwohner in den kommenden Wochen über die Pläne informieren.",
]
PROSE_PT = [
    "A prefeitura anunciou nesta terça-feira que a ponte velha ficará fechada até o fim do inverno.",
    "Segundo os bombeiros, ninguém ficou ferido no incêndio do armazém, mas os prejuízos são grandes.",
    "Os moradores do bairro pediram mais linhas de ônibus e uma nova escola para as crianças da região.",
]

HEADLINE_WORDS = [
    "Council",
    "Ferry",
    "Harbour",
    "Flood",
    "Orchard",
    "Bridge",
    "Library",
    "Storm",
    "Mill",
    "Railway",
    "Museum",
    "Quarry",
    "Vote",
    "Frost",
    "Budget",
    "Strike",
    "Reopens",
    "Delays",
    "Closes",
    "Rescues",
    "Approves",
    "Rejects",
]
OUTLETS = [
    "Harbour Chronicle",
    "Valley Courier",
    "Brindlecombe Post",
    "Nordwind Zeitung",
    "Gazeta do Vale",
    "Coastal Herald",
    "Le Petit Écho",
    "Island Wire",
]
AGES = [
    "2 hours ago",
    "a day ago",
    "15 minutes ago",
    "3h",
    "45m",
    "vor 5 Stunden",
    "il y a 2 heures",
    "hace 3 horas",
    "há 4 horas",
    "5 минут назад",
    "3時間前",
    "12 March 2024",
    "2024-03-12",
]
CHROME = [
    "Home",
    "News",
    "Sport",
    "Weather",
    "World",
    "Business",
    "Culture",
    "Menu",
    "Search",
    "Sign in",
    "Subscribe",
    "Share",
    "Facebook",
    "Twitter",
    "Copy link",
    "Print",
    "Advertisement",
    "Privacy Policy",
    "Terms of Use",
    "Cookie settings",
    "Contact us",
    "About us",
    "Read more",
    "Load more",
    "Back to top",
    "© 2024 Brindlecombe Post. All rights reserved.",
    "We use cookies to improve your experience. Accept all",
    "Sign up for our morning newsletter",
    "Home › News › Local",
    "News | Sport | Weather | Culture",
    "Most read",
    "Skip to content",
]
NAMES = ["Mira Castellan", "Tobias Wren", "Ana Lúcia Prado", "Katrin Vogel", "Olu Adebayo"]

# ── Unicode oddities ─────────────────────────────────────────────────────────────────────────────────────────

RTL = "אבגדהשלוםالسلامعليكم"
COMBINING = "\u0300\u0301\u0302\u0303\u0308\u030a\u0327\u0323"
EMOJI = "\U0001f600\U0001f30d\U0001f4f0\u2764\ufe0f\U0001f1e9\U0001f1ea\U0001f44d\U0001f3fd"
CJK = "東京駅電車記者会見今日新聞のはをにがでとしたアイウエオ한국어뉴스"
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüßéèçñãõÅØ0123456789"
PUNCT = " .,;:!?-–—'\"()«»„“”…·•|/@#%&*+="
# What scrapers leave in text: invisible marks, odd spaces, stray control characters.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202c"
ODD_SPACES = "\u00a0\u2002\u2003\u2009\u202f\u3000\t"
CONTROL = "\x00\x01\x07\x0b\x0c\x1b\x7f\x85\x9f"

unicode_chars = st.sampled_from(RTL + COMBINING + EMOJI + CJK + LATIN + PUNCT + INVISIBLE + ODD_SPACES + CONTROL)


@st.composite
def unicode_lines(draw: st.DrawFn) -> str:
    """A line of anything: mixed scripts, combining marks without a base, emoji, invisible and control chars."""
    return "".join(draw(st.lists(unicode_chars, min_size=1, max_size=40)))


# ── Page parts ──────────────────────────────────────────────────────────────────────────────────────────────


@st.composite
def sentences(draw: st.DrawFn) -> str:
    return f"{draw(st.sampled_from(SUBJECTS))} {draw(st.sampled_from(VERBS))} {draw(st.sampled_from(CLAUSES))}" + (
        f"{draw(st.sampled_from(TAILS))}."
    )


@st.composite
def prose_paragraphs(draw: st.DrawFn) -> str:
    """An article paragraph: two to four sentences (English), or one German or Portuguese sentence."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(PROSE_DE + PROSE_PT))
    return " ".join(draw(st.lists(sentences(), min_size=2, max_size=4)))


@st.composite
def headlines(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(HEADLINE_WORDS), min_size=4, max_size=9))
    return " ".join(words)


@st.composite
def meta_lines(draw: st.DrawFn) -> str:
    """A card's or an article's metadata line: an age, perhaps glued to or separated from an outlet, or a byline."""
    outlet, age = draw(st.sampled_from(OUTLETS)), draw(st.sampled_from(AGES))
    return draw(
        st.sampled_from(
            [
                f"{outlet} · {age}",
                f"{outlet}{age}",
                f"{outlet} | {age}",
                age,
                f"By {draw(st.sampled_from(NAMES))}",
                f"time{age}" if age[0].isdigit() else age,
            ]
        )
    )


@st.composite
def snippets(draw: st.DrawFn) -> str:
    return draw(sentences())


CARD_LAYOUTS = 5
RAIL_HEADERS = ["Related Articles", "More from the Harbour Chronicle", "You may also like", "Read more",
                "Mehr zum Thema", "Leia também", "Elsewhere on the coast"]  # fmt: skip


@st.composite
def teaser_cards(draw: st.DrawFn, layout: int | None = None) -> list[str]:
    """One teaser card in one of the layouts aggregators use (`layout`: 0 to CARD_LAYOUTS - 1, or any)."""
    headline, outlet, age = draw(headlines()), draw(st.sampled_from(OUTLETS)), draw(st.sampled_from(AGES))
    snippet = draw(st.none() | snippets())
    tail = [snippet] if snippet else []
    if layout is None:
        layout = draw(st.integers(0, CARD_LAYOUTS - 1))
    if layout == 0:
        return [headline, f"{outlet} · {age}", *tail]
    if layout == 1:
        return [f"{outlet}{age}", headline, *tail]
    if layout == 2:
        return [outlet, age, f"• {outlet}", headline, *tail]
    if layout == 3:
        return [headline, age, headline, *tail]
    return [f"{outlet} – {age}", headline]


@st.composite
def rails(draw: st.DrawFn) -> list[str]:
    """A rail of teaser cards in one layout, perhaps under a header."""
    layout = draw(st.integers(0, CARD_LAYOUTS - 1))
    cards = draw(st.lists(teaser_cards(layout), min_size=2, max_size=5))
    header = draw(st.none() | st.sampled_from(RAIL_HEADERS))
    return ([header] if header else []) + [line for card in cards for line in card]


@st.composite
def chrome_lines(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(CHROME) | st.sampled_from(HEADLINE_WORDS))


@st.composite
def page_parts(draw: st.DrawFn) -> list[str]:
    """One stretch of a page, as lines."""
    kind = draw(st.sampled_from(["chrome", "chrome", "prose", "prose", "prose", "card", "rail", "meta", "headline",
                                 "odd"]))  # fmt: skip
    if kind == "chrome":
        return draw(st.lists(chrome_lines(), min_size=1, max_size=5))
    if kind == "prose":
        paragraphs = draw(st.lists(prose_paragraphs(), min_size=1, max_size=4))
        if draw(st.integers(0, 5)) == 0:  # an ad label glued to a paragraph by the scraper
            paragraphs[0] = draw(st.sampled_from(["Advertisement", "Anzeige", "Publicidade"])) + paragraphs[0]
        return paragraphs
    if kind == "card":
        return draw(teaser_cards())
    if kind == "rail":
        return draw(rails())
    if kind == "meta":
        return [draw(meta_lines())]
    if kind == "headline":
        return [draw(headlines())]
    return [draw(unicode_lines())]


@st.composite
def dirty(draw: st.DrawFn, line: str) -> str:
    """`line` as a careless scraper writes it: odd spaces, invisible characters, trailing blanks."""
    if draw(st.integers(0, 4)) != 0:
        return line
    junk = draw(st.text(alphabet=INVISIBLE + ODD_SPACES + CONTROL, max_size=3))
    at = draw(st.integers(0, len(line)))
    return line[:at] + junk + line[at:] + draw(st.sampled_from(["", " ", "\t", "\u00a0"]))


@st.composite
def pages(draw: st.DrawFn, min_parts: int = 1, max_parts: int = 12) -> str:
    """A whole scraped page: parts of every sort in any order, lines joined by assorted line breaks."""
    parts = draw(st.lists(page_parts(), min_size=min_parts, max_size=max_parts))
    lines = [draw(dirty(line)) for part in parts for line in part]
    text = ""
    for line in lines:
        text += line + draw(st.sampled_from(["\n", "\n", "\n\n", "\r\n", "\n\n\n", "\r"]))
    return text


@st.composite
def article_pages(draw: st.DrawFn) -> str:
    """A page that certainly holds an article: chrome, a headline, several prose paragraphs, more chrome."""
    head = draw(st.lists(chrome_lines(), max_size=6))
    body = draw(st.lists(prose_paragraphs(), min_size=3, max_size=8))
    foot = draw(st.lists(st.one_of(chrome_lines(), teaser_cards().map("\n".join)), max_size=6))
    return "\n".join([*head, draw(headlines()), "", *(p + "\n" for p in body), *foot])


@st.composite
def listing_pages(draw: st.DrawFn) -> str:
    """A tag or topic page: perhaps a header and some chrome, then only cards, perhaps a footer."""
    head = draw(st.lists(st.one_of(chrome_lines(), headlines(), st.just("Topic: Harbours")), max_size=3))
    foot = draw(st.lists(chrome_lines(), max_size=3))
    separator = draw(st.sampled_from(["\n", "\n\n"]))
    return separator.join([*head, *draw(rails()), *foot]) + "\n"
