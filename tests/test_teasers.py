"""Teaser cards (`cleaner.filters.teasers`): rails of cards for other stories, and listing pages made only of
cards, parsed into `RelatedItem`s by their structure; an article's own head is not a card.

Unit tests run the card parser on a page whose rail header is found by a one-rule pack of our own (so the
shipped packs play no part); the end-to-end tests run `cleaner.clean` with the shipped packs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from strategies import PIER_ARTICLE

from cleaner import RelatedItem, clean
from cleaner.blocks import split_blocks
from cleaner.filters.patterns import apply_rules
from cleaner.filters.teasers import find_teasers
from cleaner.normalise import normalise
from cleaner.page import Page
from cleaner.rules import RuleSet, parse_pack

ARTICLE = PIER_ARTICLE
TITLE = "Veldmark closes its old grain pier for two years of repairs"

SNIPPET_A = (
    "Marine biologists say the mollusc has turned up in ports where nobody had seen it before, and they expect it "
    "to spread further north."
)
SNIPPET_C = (
    "Hundreds of boats sailed into the capital's harbour on Monday to protest against the catch limits the "
    "ministry set for the coming year."
)
# Three layouts: headline / outlet · age / snippet; outlet glued to age / headline, no snippet;
# outlet / age / bulleted outlet / headline / snippet.
CARD_A = ["Shipworm Spreads Along the Northern Coast", "Coastal Herald · 3h", SNIPPET_A]
CARD_B = ["Island Post2 days ago", "Ferry Timetable Changes for the Summer Season"]
CARD_C = ["Nordic Wire", "5 hours ago", "• Nordic Wire", "Fishermen Protest New Quota Rules", SNIPPET_C]
EXPECTED_ABC = [
    RelatedItem(title="Shipworm Spreads Along the Northern Coast", source="Coastal Herald", date="3h", text=SNIPPET_A),
    RelatedItem(title="Ferry Timetable Changes for the Summer Season", source="Island Post", date="2 days ago"),
    RelatedItem(title="Fishermen Protest New Quota Rules", source="Nordic Wire", date="5 hours ago", text=SNIPPET_C),
]

RAIL_PACK = '[pack]\nname = "t"\n[[rules]]\nid = "rail"\naction = "rail"\nphrases = ["Elsewhere on the coast"]\n'
END_PACK = '[pack]\nname = "t"\n[[rules]]\nid = "end"\naction = "truncate"\nphrases = ["Elsewhere on the coast"]\n'


def parsed(lines: list[str], pack: str = RAIL_PACK) -> Page:
    """The page after the pattern filter (our own one-rule pack) and the card parser."""
    page = Page(blocks=split_blocks(normalise("\n".join(lines))))
    apply_rules(page, RuleSet.of((parse_pack(pack, "t.toml"),)))
    find_teasers(page)
    return page


def kept_text(page: Page) -> list[str]:
    return [block.text for block in page.kept()]


def accounted(doc_lines: list[str], page_text: str, removed: list[str]) -> Counter[str]:
    """Input lines that are neither in the output nor in `removed`."""
    need = Counter(line for line in normalise(page_text).split("\n") if line)
    return need - Counter(doc_lines) - Counter(removed)


# ── A rail under a header ───────────────────────────────────────────────────────────────────────────────────


def test_rail_of_three_cards_in_different_layouts() -> None:
    page = parsed([*ARTICLE, "Elsewhere on the coast", *CARD_A, *CARD_B, *CARD_C])
    assert page.related == EXPECTED_ABC
    assert kept_text(page) == ARTICLE
    card_lines = CARD_A + CARD_B + CARD_C
    assert all(block.verdict is not None for block in page.blocks if block.text in card_lines)


def test_rail_of_three_cards_after_an_end_marker() -> None:
    page = parsed([*ARTICLE, "Elsewhere on the coast", *CARD_A, *CARD_B, *CARD_C], pack=END_PACK)
    assert page.related == EXPECTED_ABC
    assert kept_text(page) == ARTICLE


def test_rail_of_three_cards_without_a_header() -> None:
    page = parsed([*ARTICLE, *CARD_A, *CARD_B, *CARD_C])
    assert page.related == EXPECTED_ABC
    assert kept_text(page) == ARTICLE


def test_repeated_headline_is_the_cards_title() -> None:
    # An image's alt text repeats the headline; the longer line next to it is the snippet, not the title.
    card_d = ["Gull Census Finds Fewer Birds", "Valley Courier · 6h", "Gull Census Finds Fewer Birds on the Cliffs",
              "Gull Census Finds Fewer Birds"]  # fmt: skip
    page = parsed([*ARTICLE, "Elsewhere on the coast", *card_d, *CARD_A])
    assert [item.title for item in page.related] == ["Gull Census Finds Fewer Birds", CARD_A[0]]
    assert page.related[0].source == "Valley Courier"
    assert page.related[0].date == "6h"


def test_cards_with_ages_on_their_own_lines() -> None:
    cards = [
        "Storm Closes the Coastal Railway",
        "2 hours ago",
        "Engineers say the line between the two fishing towns will stay shut until the embankment is rebuilt.",
        "Lighthouse Keeper Retires After Forty Years",
        "a day ago",
        "She climbed the hundred and twelve steps every evening, and says she will miss the view more than anything.",
    ]
    page = parsed([*ARTICLE, "Elsewhere on the coast", *cards])
    assert [(item.title, item.date, item.text) for item in page.related] == [
        (cards[0], "2 hours ago", cards[2]),
        (cards[3], "a day ago", cards[5]),
    ]


def test_rail_header_mid_article_followed_by_prose_stops_the_rail() -> None:
    page = parsed([*ARTICLE[:3], "Elsewhere on the coast", *CARD_A, *ARTICLE[3:]])
    assert [item.title for item in page.related] == [CARD_A[0]]
    assert kept_text(page) == ARTICLE


def test_rail_header_mid_article_through_clean() -> None:
    text = "\n\n".join([TITLE, *ARTICLE[:3], "Related Articles", *CARD_A, *ARTICLE[3:]])
    doc = clean(text)
    assert [item.title for item in doc.related] == [CARD_A[0]]
    for paragraph in ARTICLE:
        assert paragraph in doc.text
    assert SNIPPET_A not in doc.text
    assert "Coastal Herald · 3h" not in doc.text


def test_rail_through_clean_with_the_shipped_packs() -> None:
    text = "\n".join([TITLE, "", *(p + "\n" for p in ARTICLE), "Related Articles", *CARD_A, "", *CARD_B, "", *CARD_C])
    doc = clean(text)
    assert doc.kind == "article"
    assert doc.related == EXPECTED_ABC
    assert doc.text == "\n\n".join(ARTICLE)
    # A card's age is not the article's date.
    assert doc.date is None


def test_cards_with_ages_on_their_own_lines_through_clean() -> None:
    cards = [
        "Storm Closes the Coastal Railway",
        "2 hours ago",
        "Engineers say the line between the two fishing towns will stay shut until the embankment is rebuilt.",
        "Lighthouse Keeper Retires After Forty Years",
        "a day ago",
        "She climbed the hundred and twelve steps every evening, and says she will miss the view more than anything.",
    ]
    doc = clean("\n\n".join([TITLE, *ARTICLE, "Related Articles", *cards]))
    assert [(item.title, item.date) for item in doc.related] == [(cards[0], "2 hours ago"), (cards[3], "a day ago")]
    assert cards[2] not in doc.text and cards[5] not in doc.text
    assert doc.date is None


# ── Listings ────────────────────────────────────────────────────────────────────────────────────────────────

LISTING_CARDS = [
    ("Ferry Strike Delays Island Deliveries", "Island Wire", "3h",
     "Shops on the outer islands are running short of milk and bread as the ferry crews stay ashore for a third day."),
    ("Old Mill Roof Torn Off in Night Storm", "Valley Courier", "5h",
     "The miller and his family were asleep in the house next door when the gale lifted the slates off the roof."),
    ("Harbour Dues to Rise for Pleasure Boats", "Coastal Herald", "8h",
     "Owners of yachts moored in the inner basin will pay a third more from April, the harbour board has decided."),
    ("Museum Finds a Lost Map of the Bay", "Brindlecombe Post", "11h",
     "The chart, drawn by a customs officer in the eighteenth century, was found folded inside a ledger in the attic."),
]  # fmt: skip


def listing_text() -> str:
    lines = []
    for title, source, age, snippet in LISTING_CARDS:
        lines += [title, f"{source} · {age}", snippet, ""]
    return "\n".join(lines)


def test_a_page_of_cards_is_a_listing() -> None:
    doc = clean(listing_text())
    assert doc.kind == "listing"
    assert doc.text == ""
    assert doc.title == ""
    assert doc.related == [RelatedItem(title=t, source=s, date=a, text=x) for t, s, a, x in LISTING_CARDS]
    assert {r.reason for r in doc.removed} == {"related:card"}
    assert len(doc.removed) == 3 * len(LISTING_CARDS)


def test_a_listing_has_the_language_of_its_cards() -> None:
    assert clean(listing_text()).language == "en"


@pytest.mark.parametrize(
    "text",
    [
        # A header above cards without snippets.
        "Topic: Harbours\nFerry Strike Delays Island Deliveries\nIsland Wire · 3h\n"
        "Storm Damages Old Mill Roof\nValley Courier · 5h\n",
        # A line under the last card's snippet.
        listing_text() + "Older Harbour Stories\n",
    ],
    ids=["header", "footer"],
)
def test_listing_accounts_for_every_line_it_does_not_keep(text: str) -> None:
    """A listing keeps no text, so any line that is not part of a card must be listed in `removed`."""
    doc = clean(text)
    assert doc.kind == "listing"
    missing = accounted([], text, [r.text for r in doc.removed])
    assert not missing, f"lines neither kept nor removed: {dict(missing)}"


# ── Card-shaped text that is not a card ─────────────────────────────────────────────────────────────────────


def test_article_head_shaped_like_a_card_is_not_a_card() -> None:
    """Headline, dateline, lede: like a card, but the story goes on after the 'snippet'."""
    lines = [TITLE, "Harbour Chronicle · 3h", *ARTICLE]
    page = parsed(lines)
    assert page.related == []
    assert kept_text(page) == lines


def test_article_head_shaped_like_a_card_above_a_real_rail() -> None:
    lines = [TITLE, "Harbour Chronicle · 3h", *ARTICLE, *CARD_A, *CARD_B, *CARD_C]
    page = parsed(lines)
    assert page.related == EXPECTED_ABC
    assert kept_text(page) == [TITLE, "Harbour Chronicle · 3h", *ARTICLE]


def test_article_head_shaped_like_a_card_through_clean() -> None:
    doc = clean("\n\n".join([TITLE, "Harbour Chronicle · 3h", *ARTICLE]))
    assert doc.kind == "article"
    assert doc.related == []
    for paragraph in ARTICLE:
        assert paragraph in doc.text


def test_a_single_card_shaped_block_without_a_rail_is_left_alone() -> None:
    """One card is not a rail: without a header, it takes two or more cards in a row."""
    lines = [*ARTICLE[:3], *CARD_A, *ARTICLE[3:]]
    page = parsed(lines)
    assert page.related == []
    assert kept_text(page) == lines


def test_a_short_article_is_not_a_listing() -> None:
    lines = [*ARTICLE, *CARD_A, *CARD_B]
    page = parsed(lines)
    assert not page.listing
    assert len(page.related) == 2


def test_a_bulleted_sidebar_heading_is_no_cards_metadata() -> None:
    """A short bulleted line ("* Latest comments", a menu entry, "> 29" in code) is no card's metadata line: a blog
    post's second paragraph, its comment form and the sidebar heading under it read as "headline ... outlet /
    snippet", one more card after the post's card-shaped head, and the post came out as a listing of two."""
    post = [
        "harbournotes",
        "Number two: Finn",
        "3 August 2015 · Filed under quite private",
        "It has been a while since Henry arrived, number one. A few days ago his little brother followed, and the "
        "house has been loud and happy ever since.",
        "This is how it looked when Henry first saw the newcomer, talked to him and fell asleep beside him",
    ]
    sidebar = ["=)", "No responses so far »", "Say your words", "Name (required)", "Website (optional)",
               "* Latest comments",
               "Notice: the comment feed could not be loaded because the widget uses a setting that this version of "
               "the blog software no longer supports"]  # fmt: skip
    page = parsed([*post, *sidebar])
    assert page.related == []
    assert not page.listing
    assert kept_text(page) == [*post, *sidebar]


SETTINGS_PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "html" / "brackwater_settings.html"


def test_table_rows_are_never_cards() -> None:
    # As cleaner writes tables ("| a | b |" rows): the pipes read like a bullet, the cells like headlines, and
    # the HTML output of a page of settings tables, cleaned again, became a "listing" with nothing in it.
    text = clean(SETTINGS_PAGE.read_bytes(), input_format="html").render()
    assert text.count("\n| ") >= 11  # the fixture's eleven settings, a row each
    doc = clean(text, input_format="text", density=False)  # the card step alone
    assert doc.kind == "article"
    assert doc.related == []
    assert doc.text.count("\n| ") == text.count("\n| ")


# ── Cards the cut must put back together ────────────────────────────────────────────────────────────────────

LONG_HEADLINE = (
    "[Harbour Week] The Old Grain Pier Opens Its Gates to Visitors One Last Time Before the Long Repairs! Come "
    "and See the Piles!"
)


@pytest.mark.parametrize("meta_first", [False, True], ids=["headline-first", "meta-first"])
def test_a_headline_long_enough_to_read_as_a_snippet_stays_its_cards_headline(meta_first: bool) -> None:
    """Cut after each snippet, a card whose headline reads as a snippet by its length falls in two pieces, neither a
    card; the run of cards around it then breaks, and its lines were left as an article."""
    cards = [(title, f"{source} · {age}", snippet) for title, source, age, snippet in LISTING_CARDS]
    cards.insert(2, (LONG_HEADLINE, "Harbour Chronicle · 1h", SNIPPET_A))
    lines = [
        line for head, meta, snippet in cards for line in ((meta, head) if meta_first else (head, meta)) + (snippet,)
    ]
    assert len(LONG_HEADLINE.split()) >= 21  # a snippet by its length alone
    doc = clean("\n".join(lines))
    assert doc.kind == "listing"
    assert [item.title for item in doc.related] == [head for head, _, _ in cards]
    assert doc.related[2] == RelatedItem(title=LONG_HEADLINE, source="Harbour Chronicle", date="1h", text=SNIPPET_A)


MENU = ["Harbour News", "Home", "Coast", "Islands", "Ferries", "Weather", "Fishing", "Culture", "Sport", "Opinion",
        "Results for “pier”"]  # fmt: skip


def test_cards_that_print_their_age_last_keep_their_own_age() -> None:
    """outlet / headline / snippet / age: cut after each snippet, every age opened the next card, the first card
    (glued to the menu above it) had none and the last age headed the footer."""
    lines = [*MENU]
    for title, source, age, snippet in LISTING_CARDS:
        lines += [source, title, snippet, f"{age} ago"]
    lines += ["About Harbour News", "Help"]
    doc = clean("\n".join(lines))
    assert doc.kind == "listing"
    assert [(item.title, item.date) for item in doc.related] == [
        (title, f"{age} ago") for title, _, age, _ in LISTING_CARDS
    ]


CUT_SNIPPET = (
    "Shops on the outer islands are running short of milk and bread as the ferry crews stay ashore for a third "
    "day, and the …"
)


def test_a_card_carrying_a_whole_story_inside_a_run_of_teasers_is_a_card() -> None:
    """A topic page: a teaser cut off mid-sentence, then a card that carries a whole story, then more cards. The
    carried story's head is shaped like an article's (headline, outlet and age, paragraphs), but it stands in a
    run of teasers, so the page is a listing and the story is that card's text."""
    # The story as wire updates print it: a lede of headline size, a time as a subheading, a short last line.
    story = [*ARTICLE[:3], "10 p.m.", *ARTICLE[3:], "No one was hurt."]
    lede = "VELDMARK (Harbour Wire) — The latest on the closing of the old grain pier (all times local):"
    lines = ["Topic: Harbours", "Ferry Strike Delays Island Deliveries", "Island Wire · 3h", CUT_SNIPPET]
    lines += [TITLE, "Harbour Chronicle · 4h", lede, *story]
    for title, source, age, snippet in LISTING_CARDS[1:]:
        lines += [title, f"{source} · {age}", snippet]
    doc = clean("\n".join(lines))
    assert doc.kind == "listing"
    assert [item.title for item in doc.related] == [
        "Ferry Strike Delays Island Deliveries",
        TITLE,
        *(title for title, *_ in LISTING_CARDS[1:]),
    ]
    assert doc.related[1].text == "\n\n".join([lede, *story])
    assert doc.related[1].source == "Harbour Chronicle"


def test_an_article_under_a_teaser_that_is_not_cut_off_stays_the_article() -> None:
    """The same page with a whole sentence for the first card's snippet: an article under one card (a "top story"
    box) keeps its story."""
    lines = ["Ferry Strike Delays Island Deliveries", "Island Wire · 3h", SNIPPET_A]
    lines += [TITLE, "Harbour Chronicle · 4h", *ARTICLE]
    for title, source, age, snippet in LISTING_CARDS[1:]:
        lines += [title, f"{source} · {age}", snippet]
    doc = clean("\n".join(lines))
    assert doc.kind == "article"
    for paragraph in ARTICLE:
        assert paragraph in doc.text


def test_few_cards_led_by_a_cut_off_teaser_are_a_listing() -> None:
    """Fewer than four cards, the first with a paragraph-long snippet, are a story and its related cards, unless
    that snippet is cut off: a teaser, not a story told in full."""
    long_cut = " ".join(ARTICLE[:2]) + " The repairs …"
    lines = ["Latest", "Veldmark Pier Closes for Two Years", long_cut, "Harbour Chronicle · 3h"]
    for title, source, age, snippet in LISTING_CARDS[1:3]:
        lines += [title, snippet, f"{source} · {age}"]
    assert len(long_cut.split()) >= 40
    doc = clean("\n".join(lines))
    assert doc.kind == "listing"
    assert len(doc.related) == 3
