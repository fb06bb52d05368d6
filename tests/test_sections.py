"""Card runs found by their shape (`cleaner.filters.sections`), and the article's outlet found in its header.

The pages here are written for these tests: card formats no rule pack and no metadata pattern knows, laid out
the way aggregators lay them, next to article content of similar shape that must stay.
"""

from __future__ import annotations

import cleaner
from cleaner.document import Block
from cleaner.filters.sections import find_runs, page_tokens

ARTICLE = [
    "Harbour authority approves night dredging to keep the ferry channel open",
    "The harbour authority voted on Tuesday to allow dredging at night through the winter, after silt narrowed "
    "the ferry channel to a single lane for most of October.",
    "Skippers had complained for weeks that the morning crossings ran late because the larger boats had to wait "
    "for the tide before they could pass the sandbar at the mouth of the river.",
    "The work will start next month and is expected to cost about four hundred thousand pounds, which the "
    "authority said it would cover from its maintenance reserve rather than from higher fares.",
]

CARDS_SHORT_BY = [
    "Library extends opening hours for the exam season",
    "short by Mara Quist / 8:01 am on 18 Nov, Tuesday",
    "The town library will stay open until ten in the evening during the exam weeks, the council said.",
    "read more at Valley Courier",
    "New cycle lane opens on the river road after two years",
    "short by Tomas Endre / 9:10 am on 15 Nov, Saturday",
    "Cyclists can now ride from the station to the old mill without sharing the road with lorries.",
    "read more at Westbank Times",
    "Bakery on the square wins regional bread award",
    "short by Ilse Varga / 5:46 pm on 18 Nov, Tuesday",
    "The family bakery, open since 1962, took first prize for its rye loaf at the regional fair.",
    "read more at Valley Courier",
]


def _clean(lines: list[str]) -> cleaner.Document:
    return cleaner.clean("\n".join(lines) + "\n", input_format="text")


def test_a_rail_of_cards_in_an_unknown_format_goes_to_related() -> None:
    doc = _clean(["Portside Wire", "Home", "Local", *ARTICLE, "More news", *CARDS_SHORT_BY, "About us"])
    assert doc.kind == "article"
    assert [card.title for card in doc.related] == [CARDS_SHORT_BY[0], CARDS_SHORT_BY[4], CARDS_SHORT_BY[8]]
    assert "library" not in doc.text.lower() and "bakery" not in doc.text.lower()
    assert "dredging at night" in doc.text


def test_cards_of_an_outlet_a_headline_and_a_snippet_go_to_related() -> None:
    cards = [
        "Valley Courier",
        "Library extends opening hours for the exam season",
        "The town library will stay open until ten in the evening during the exam weeks, the council said.",
        "Westbank Times",
        "New cycle lane opens on the river road after two years",
        "Cyclists can now ride from the station to the old mill without sharing the road with lorries.",
        "Hill Gazette",
        "Bakery on the square wins regional bread award",
        "The family bakery, open since 1962, took first prize for its rye loaf at the regional fair.",
    ]
    doc = _clean([*ARTICLE, "Recommended for you", *cards])
    assert len(doc.related) == 3
    assert [card.title for card in doc.related] == [cards[1], cards[4], cards[7]]
    assert "cycle lane" not in doc.text


def test_a_page_of_numbered_headlines_is_a_listing() -> None:
    headlines = [
        "Library extends opening hours for the exam season",
        "New cycle lane opens on the river road after two years",
        "Bakery on the square wins regional bread award",
        "Council delays vote on the harbour car park",
        "School choir to sing at the cathedral in December",
    ]
    numbered = [line for i, headline in enumerate(headlines, 1) for line in (str(i), headline)]
    doc = _clean(["Portside Wire", "Home", "Topic: Harbour", *numbered, "Imprint", "© 2025 Portside Wire"])
    assert doc.kind == "listing"
    assert [card.title for card in doc.related] == headlines
    assert doc.text == ""


def test_an_article_with_subheadings_keeps_them() -> None:
    sections = [
        "Why the channel silted up",
        "Engineers said the dry summer left the river too weak to carry the silt out to sea, so it settled at the "
        "mouth where the ferry turns.",
        "What the dredging will change",
        "Two crossings that were cancelled in October will return to the timetable once the channel is deep "
        "enough for the larger boats again.",
        "What happens next",
        "The authority will report on the work in March and decide then whether night dredging should become a "
        "regular part of winter maintenance.",
    ]
    doc = _clean([*ARTICLE, *sections])
    assert doc.related == []
    for line in sections:
        assert line in doc.text


def test_a_comment_thread_is_not_taken_for_cards() -> None:
    comments = [
        "harbour_fan",
        "2h",
        "About time. The morning boat has been late every day this month and nobody explained why.",
        "Reply · 14 likes",
        "M. Okonjo",
        "3h",
        "Night work will keep half the quay awake, but I suppose it is better than losing the ferry altogether.",
        "Reply · 9 likes",
    ]
    doc = _clean([*ARTICLE, "Comments", *comments])
    assert all("Reply" not in card.title for card in doc.related)


def test_a_list_of_dates_inside_an_article_stays() -> None:
    dates = [
        "June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL",
        "June 10 -- Credit Union Amphitheatre, Tampa, FL",
        "June 14 -- Bank Amphitheatre, Alpharetta, GA",
        "June 19 -- PNC Music Pavilion, Charlotte, NC",
        "June 29 -- PNC Bank Arts Center, Holmdel, NJ",
    ]
    doc = _clean([*ARTICLE, "The tour dates:", *dates, ARTICLE[1].replace("Tuesday", "Friday")])
    assert doc.related == []
    assert all(line in doc.text for line in dates)


def test_a_missing_page_comes_out_empty() -> None:
    doc = _clean(["Portside Wire", "Home", "Page not found", "We can't find the page you're looking for.", "About"])
    assert doc.kind == "empty"
    assert doc.text == "" and doc.title == ""


def test_runs_need_card_evidence_not_just_repetition() -> None:
    # Headline after headline, nothing else: a menu of two-word labels or a list of links, not cards.
    blocks = [Block(i, i + 1, text) for i, text in enumerate(["Harbour news today", "Ferry times this week"] * 2)]
    assert find_runs(page_tokens(blocks)) == []


def test_the_outlet_comes_from_the_articles_own_credit_line() -> None:
    doc = _clean(["Portside Wire", *ARTICLE, "read more at Harbour Herald", "More news", *CARDS_SHORT_BY])
    assert doc.source == "Harbour Herald"


def test_the_outlet_comes_from_an_agency_dateline() -> None:
    body = ["LONDON (Reuters) - " + ARTICLE[1], *ARTICLE[2:]]
    doc = _clean(["Portside Wire", "Home", ARTICLE[0], *body, "About us"])
    assert doc.source == "Reuters"


def test_the_outlet_is_the_name_above_the_title() -> None:
    doc = _clean(["Portside Wire", "Home", "Harbour Herald", *ARTICLE, "About us"])
    assert doc.title == ARTICLE[0]
    assert doc.source == "Harbour Herald"


def test_cleaning_a_page_with_card_runs_is_idempotent() -> None:
    doc = _clean(["Portside Wire", "Home", "Local", *ARTICLE, "More news", *CARDS_SHORT_BY, "About us"])
    again = cleaner.clean(doc.render(), input_format="text")
    assert again.render() == doc.render()


def test_a_lone_card_under_the_article_goes_to_related() -> None:
    doc = _clean([*ARTICLE, "More for you", "Bakery on the square wins regional bread award", "Hill Gazette", "9h"])
    assert [card.title for card in doc.related] == ["Bakery on the square wins regional bread award"]
    assert "Bakery" not in doc.text and "Hill Gazette" not in doc.text


def test_a_numbered_rail_under_a_rail_header_gives_a_card_per_headline() -> None:
    body = "The council voted on Tuesday to close the old bridge until the autumn, officials said on Wednesday. " * 3
    headlines = [
        "Helicopter crash kills two service members in the north",
        "Prison guards charged over records of a death in custody",
        "Trade talks leave investors with mixed feelings in Asia",
        "Four things to do in the city this October weekend",
    ]
    rail = [line for n, headline in enumerate(headlines, 1) for line in (str(n), headline)]
    page = "\n".join(["Bridge to close until autumn", body, body, "Related Articles", *rail, "Privacy Policy"])
    doc = cleaner.clean(page)
    assert [card.title for card in doc.related] == headlines
    assert "Helicopter" not in doc.text
