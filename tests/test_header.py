"""The header filter (`cleaner.filters.header`): which line above the body is the title, and its copies.

Unit tests give `find_header` a page as the density filter leaves it (chrome above the body marked
`density:...`, the body kept), so the choice is the header filter's alone; end-to-end tests run `cleaner.clean`.
"""

from __future__ import annotations

from cleaner import clean
from cleaner.blocks import split_blocks
from cleaner.filters.header import find_header
from cleaner.language import stopwords
from cleaner.page import Page

BODY = [
    "Shipworm has eaten through most of the oak piles under the Veldmark grain pier, and the harbour authority "
    "said on Tuesday that the pier will stay shut for two years.",
    "Inspectors found the damage last spring, when a diver reported that several piles crumbled at a touch; the "
    "mollusc thrives in the warmer water of recent summers.",
    "The closure is a blow to the fishermen who have landed their catch at the pier for generations, and to the "
    "cafés along the quay that depend on the crowds it draws at weekends.",
    "Local councillors have asked the regional government to share the cost of the repairs, which the authority "
    "puts at a little over forty million crowns.",
]
TITLE = "Shipworm shuts the Veldmark grain pier for two years"
MENU = ["Quayside Gazette", "Fleet", "Tides", "Markets"]


def page_of(above: list[str], body: list[str] = BODY, kept_above: tuple[str, ...] = ()) -> Page:
    """`above` the body as the density filter leaves it: removed (unless listed in `kept_above`); body kept."""
    page = Page(blocks=split_blocks("\n".join(above + body)), language="en", stopwords=stopwords("en"))
    for block in page.blocks[: len(above)]:
        if block.text not in kept_above:
            block.verdict = "density:outside-article"
    return page


def removed_pairs(doc_removed: list) -> list[tuple[str, str]]:
    return [(r.text, r.reason) for r in doc_removed]


# ── Unit: choosing the title ────────────────────────────────────────────────────────────────────────────────


def test_repeated_title_is_chosen_and_every_copy_removed() -> None:
    page = page_of([*MENU, TITLE, "Home › Coast › Veldmark", TITLE, "Share this story"])
    find_header(page)
    assert page.title == TITLE
    copies = [block for block in page.blocks if block.text == TITLE]
    assert len(copies) == 2
    assert all(block.verdict is not None and block.verdict.startswith("title") for block in copies)
    assert [block.text for block in page.kept()] == BODY


def test_repetition_wins_even_without_lede_overlap() -> None:
    quiet = "A Quiet Spring on the Cliffs"
    page = page_of([*MENU, quiet, "Watch the Harbour Video", quiet])
    find_header(page)
    assert page.title == quiet


def test_title_chosen_by_lede_overlap_over_a_button_label_above_it() -> None:
    page = page_of([*MENU, "Open the Photo Gallery", TITLE])
    find_header(page)
    assert page.title == TITLE


def test_title_chosen_by_lede_overlap_over_a_button_label_nearer_the_body() -> None:
    page = page_of([*MENU, TITLE, "Open the Photo Gallery", "Listen to the Podcast"])
    find_header(page)
    assert page.title == TITLE
    assert next(b for b in page.blocks if b.text == TITLE).verdict == "title"


def test_a_short_line_kept_between_the_title_and_the_body_is_the_headers() -> None:
    # A byline in a format the metadata patterns do not read, which the density model let through.
    byline = "filed by Maren Holt | 7:02 am, the nineteenth of November"
    page = page_of([*MENU, TITLE, byline], kept_above=(TITLE, byline))
    find_header(page)
    assert page.title == TITLE
    assert next(b for b in page.blocks if b.text == byline).verdict == "header:between-title-and-body"
    assert [block.text for block in page.kept()] == BODY


def test_a_standfirst_between_the_title_and_the_body_stays() -> None:
    standfirst = "The harbour authority says the repairs will take two years and cost forty million crowns."
    page = page_of([*MENU, TITLE, standfirst], kept_above=(TITLE, standfirst))
    find_header(page)
    assert page.title == TITLE
    assert [block.text for block in page.kept()] == [standfirst, *BODY]


def test_no_title_when_nothing_above_the_body_shares_its_words() -> None:
    page = page_of([*MENU, "Open the Photo Gallery", "Listen to the Podcast"])
    find_header(page)
    assert page.title == ""
    assert [block.text for block in page.kept()] == BODY


def test_a_title_copy_kept_at_the_top_of_the_body_is_removed() -> None:
    page = page_of([*MENU, TITLE], body=[TITLE, *BODY], kept_above=())
    find_header(page)
    assert page.title == TITLE
    assert [block.text for block in page.kept()] == BODY


def test_a_clean_page_whose_first_line_is_the_title() -> None:
    page = page_of([], body=[TITLE, *BODY])
    find_header(page)
    assert page.title == TITLE
    assert [block.text for block in page.kept()] == BODY


def test_sentence_bullet_and_metadata_lines_are_not_titles() -> None:
    not_titles = ["Shipworm shuts the Veldmark grain pier.", "• Shipworm shuts the Veldmark grain pier",
                  "Harbour Chronicle · 3h", "The pier and the shipworm:"]  # fmt: skip
    page = page_of([*MENU, *not_titles])
    find_header(page)
    assert page.title == ""


def test_dateline_under_the_title_gives_the_page_its_date_and_source() -> None:
    page = page_of([*MENU, TITLE, "Harbour Chronicle · 3h"])
    find_header(page)
    assert page.title == TITLE
    assert page.metadata.get("date") == "3h"
    assert page.metadata.get("source") == "Harbour Chronicle"


def test_known_title_removes_its_copy_and_is_not_guessed() -> None:
    page = page_of([*MENU, "Open the Photo Gallery"], body=["GULL CENSUS: FEWER BIRDS", *BODY])
    find_header(page, known_title="Gull census: fewer birds!")
    assert page.title == "Gull census: fewer birds!"
    assert page.blocks[len(MENU) + 1].verdict == "title:repeat"
    assert [block.text for block in page.kept()] == BODY


def test_known_title_absent_from_the_page_changes_nothing() -> None:
    page = page_of([*MENU], body=BODY)
    find_header(page, known_title="Gull census: fewer birds")
    assert page.title == "Gull census: fewer birds"
    assert [block.text for block in page.kept()] == BODY


def test_no_title_on_a_listing_page() -> None:
    page = page_of([*MENU, TITLE])
    page.listing = True
    find_header(page)
    assert page.title == ""


# ── End to end ──────────────────────────────────────────────────────────────────────────────────────────────


def body_text(body: list[str] = BODY) -> list[str]:
    return [line for paragraph in body for line in (paragraph, "")]


def test_clean_repeated_title() -> None:
    doc = clean("\n".join([*MENU, TITLE, "Home › Coast › Veldmark", TITLE, "", *body_text()]))
    assert doc.title == TITLE
    assert TITLE not in doc.text
    assert doc.text.startswith(BODY[0])
    assert [text for text, reason in removed_pairs(doc.removed) if text == TITLE and reason.startswith("title")] == [
        TITLE,
        TITLE,
    ]


def test_clean_keeps_a_title_found_by_repetition_on_a_short_page() -> None:
    """The first pass chooses the repeated line as the title; cleaning to a fixed point must not lose it (the
    rendered text holds it once, so repetition no longer shows on the later pass)."""
    quiet = "A Quiet Spring on the Cliffs"
    doc = clean("\n".join([quiet, quiet, "", BODY[0]]))
    assert doc.title == quiet
    assert doc.text == BODY[0]
    assert [r.text for r in doc.removed].count(quiet) == 2


def test_clean_title_by_lede_overlap() -> None:
    doc = clean("\n".join([*MENU, "Open the Photo Gallery", TITLE, "", *body_text()]))
    assert doc.title == TITLE
    assert "Open the Photo Gallery" not in doc.text


def test_clean_with_known_title_removes_its_copy() -> None:
    doc = clean("\n".join([TITLE.upper(), "", *body_text()]), title=TITLE + "!")
    assert doc.title == TITLE + "!"
    assert TITLE.upper() not in doc.text
    assert (TITLE.upper(), "title:repeat") in removed_pairs(doc.removed)
    assert doc.text == "\n\n".join(BODY)


def test_known_title_takes_the_texts_normal_form_and_settles() -> None:
    # A record's title with a control character, odd and doubled spaces, and decomposed letters.
    raw = "  Gull\x7f census:\u00a0fewer  birds at Cafe\u0301 Pier\n"
    doc = clean("\n".join([*MENU, "", *body_text()]), title=raw)
    assert doc.title == "Gull census: fewer birds at Café Pier"
    again = clean(doc.render(), title=raw)
    assert (again.title, again.text) == (doc.title, doc.text)
    assert clean("\n".join(body_text()), title=" \x7f ").title != " \x7f "  # a title of nothing is none


def test_clean_with_known_title_and_chrome() -> None:
    doc = clean("\n".join([*MENU, TITLE, "", *body_text()]), title=TITLE)
    assert doc.title == TITLE
    assert TITLE not in doc.text
    assert TITLE in [r.text for r in doc.removed]


def test_clean_listing_has_no_title() -> None:
    cards = []
    for headline, outlet, age in [("Ferry Strike Delays Island Deliveries", "Island Wire", "3h"),
                                  ("Old Mill Roof Torn Off in Night Storm", "Valley Courier", "5h"),
                                  ("Harbour Dues to Rise for Pleasure Boats", "Coastal Herald", "8h")]:  # fmt: skip
        cards += [headline, f"{outlet} · {age}", ""]
    doc = clean("\n".join(cards))
    assert doc.kind == "listing"
    assert doc.title == ""


def test_a_listen_button_shaped_like_a_source_line_is_not_the_articles_metadata() -> None:
    # "Listen · 4 min" reads like "Reuters · 3h"; the rule pack drops it as a control, so it names nothing.
    body = "The council voted on Tuesday to close the old bridge until the autumn, officials said. " * 3
    page = "\n\n".join(["TechCrunch", "Bridge to close until autumn", "Listen · 4 min", body, body])
    doc = clean(page)
    assert doc.title == "Bridge to close until autumn"
    assert doc.source != "Listen" and doc.date != "4 min"
    assert "Listen · 4 min" in [removal.text for removal in doc.removed]


def test_a_headline_with_the_byline_right_under_it_is_the_title_though_the_lede_shares_no_word() -> None:
    lede = "NEW YORK (AP) — If you are like me, you do not follow football closely through the season at all. " * 2
    body = "Football food is comfort food, and the fans who gather on Sunday want something warm to share. " * 3
    for head in (["NDTV", "14m"], ["Story by Priya Raman • 2d • 7 min read"]):
        page = "\n".join(["Home", "World", "Sport", "How to Tackle Game Day Snack Temptations", *head, lede, body])
        assert clean(page).title == "How to Tackle Game Day Snack Temptations", head
    # An outlet's name with an age under it is no title: too short to be a headline.
    page = "\n".join(["Home", "Los Angeles Times", "15 minutes ago", lede, body])
    assert clean(page).title != "Los Angeles Times"


def test_the_outlet_above_the_title_wins_over_the_agency_of_the_dateline() -> None:
    body = "NEW YORK (AP) — The council voted on Tuesday to close the old bridge until the autumn, officials said. "
    more = "Residents will be told in the coming weeks, and a ferry will run every hour while the work goes on. " * 2
    page = "\n".join(
        ["The Hindu", "Bridge to close until the autumn", "Bridge to close until the autumn", body * 2, more]
    )
    assert clean(page).source == "The Hindu"
    # With no outlet beside the title, the dateline's agency is the source.
    assert clean("\n".join(["Bridge to close until the autumn", body * 2, more])).source == "AP"


def test_a_notice_kept_above_a_bylined_title_is_not_the_start_of_the_body() -> None:
    # A consent notice in words no pack knows, kept as a sentence, above the headline and its byline.
    notice = "This site measures its audience with trackers; you can accept them, refuse them or choose at any time."
    page = "\n".join(
        ["Quayside Gazette", "Fleet", "Tides", notice, TITLE, "Harbour Desk", "Published 2 Apr 2025", *BODY]
    )
    doc = clean(page)
    assert doc.title == TITLE
    assert notice not in doc.text
    assert doc.text.startswith(BODY[0][:40])  # the outlet's name under the title is the source, not the body
    assert doc.source == "Harbour Desk"


def test_a_section_the_menu_lists_is_not_the_outlet_above_the_title() -> None:
    menu = ["Quayside Gazette", "Menu", "Fleet", "Tides", "Markets", "Log in"]
    page = "\n".join([*menu, "Markets", TITLE, "Harbour Courier", "by Ines Vold | 4 min read", *BODY])
    assert clean(page).source == "Harbour Courier"
