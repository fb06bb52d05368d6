"""The text filters over trafilatura's output: the stages of `cleaner.pipeline`, chosen for clean prose.

trafilatura has already cut the page down to its article, so the filters look for what survives it: rule-pack
chrome (reprint notices, "Don't miss" labels, share bars written as text), the related cards under a rule
pack's rail header or end marker, and the title's copy at the top. Two stages behave differently here than on
a naive text dump, and `bench/html.py` measures both:

- the density filter (fit on text dumps, where a line's neighbours are menus and footers) removes article
  paragraphs from text that is already clean, so it is off here (it runs on the DOM fallback);
- a free-standing run of card-shaped lines is, inside an extracted article, far more often an embedded tweet
  (text, then "— Name (@handle) date") or a table than a teaser rail, so cards are taken only below a rule
  pack's rail header or end marker, or when the whole text is cards (a listing page).
"""

from __future__ import annotations

from ..describe import describe
from ..document import Document
from ..filters.density import classify_density
from ..filters.header import find_header
from ..filters.patterns import apply_extracts
from ..pipeline import find_cards, read_page
from ..rules import RuleSet

# The two choices above, as switches `bench/html.py` flips to measure them (not options: both measured worse).
DENSITY_ON_EXTRACTED = False
FREE_RAILS_ON_EXTRACTED = False


def filter_extracted(
    text: str, rules: RuleSet, title: str | None, *, density: bool = True, listing: bool = True
) -> Document:
    """One pass of the text filters over extracted text; `title` is the known headline (its copy at the top
    goes), None to let the header filter find one. `density` False keeps the density filter off even where
    `DENSITY_ON_EXTRACTED` turns it on (the user's --no-density). `listing` False: the page's markup has no
    teaser cards, so text whose lines merely look like cards (a settings table, a list of items) is not a
    listing; the card step is undone and the text kept."""
    page = read_page(text, rules)
    before = [block.verdict for block in page.blocks]
    find_cards(page, free_rails=FREE_RAILS_ON_EXTRACTED)
    if page.listing and not listing:
        for block, verdict in zip(page.blocks, before, strict=True):
            block.verdict = verdict
        page.related = []
        page.card_blocks = []
        page.listing = False
    apply_extracts(page)
    if DENSITY_ON_EXTRACTED and density and not page.listing:
        classify_density(page)
    find_header(page, known_title=title)
    return describe(page)
