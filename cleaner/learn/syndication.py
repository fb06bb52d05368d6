"""Tell a story's repeats from chrome.

A line can stand on many pages of a site for two reasons: it is chrome, or it belongs to a story the site carries
several times (a wire story republished through the day, a printer-friendly twin, a popular story's teaser). The
difference is what the line travels with. Chrome sits beside different text on every page (a new article's
sentences around "Advertisement"), or beside other chrome (a menu). A story's lines travel together: wherever
one of its sentences stands, its headline and its other sentences stand too.

So a line is bound to a story when, on at least half of its pages, a sentence stands within a few lines of it
(its companion) that:

- is repeated itself, and stands beside the line on nearly all of its own pages (`TOGETHER_SHARE`): the rest of
  the article, which never goes anywhere without it; and
- is not on most of the site's pages (`UBIQUITY_SHARE`): a sentence on most pages is boilerplate (an AI
  disclaimer, a newsletter pitch), whatever it travels with.

A line on most of the site's pages is never bound: that is the site's boilerplate. Lines bound to a story are
left out of the learned pack: repeating together with the rest of their article is what syndication looks like.
The counts are of pages (a line's `pages`, a companion's `pages`, and `together`: the pages where both stand
near each other), so the test needs no per-page state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# A companion travels with a line when it stands beside it on at least this share of its own pages.
TOGETHER_SHARE = 0.8
# A line bound to a story has such a companion on at least this share of its pages.
BOUND_SHARE = 0.5
# A line (or companion) on at least this share of its site's pages is boilerplate.
UBIQUITY_SHARE = 0.5


@dataclass(frozen=True)
class Companion:
    """A repeated sentence seen near a line: on how many pages it stands near it (`together`), and on how many
    pages it stands at all (`pages`)."""

    key: int
    together: int
    pages: int


def ubiquitous(pages: int, site_pages: int, share: float = UBIQUITY_SHARE) -> bool:
    return site_pages > 0 and pages >= share * site_pages


def travels_with(companion: Companion, share: float = TOGETHER_SHARE) -> bool:
    """Whether the companion stands beside the line on nearly all of its own pages: it never goes without it."""
    return companion.together >= share * companion.pages


def story_companion(
    pages: int,
    site_pages: int,
    companions: Iterable[Companion],
    *,
    together: float = TOGETHER_SHARE,
    ubiquity: float = UBIQUITY_SHARE,
) -> Companion | None:
    """The companion that binds a line on `pages` of its site's `site_pages` pages to a story, if any."""
    if ubiquitous(pages, site_pages, ubiquity):
        return None
    for companion in sorted(companions, key=lambda c: (-c.together, c.key)):
        if companion.together * 1.0 < BOUND_SHARE * pages:
            break  # sorted: no later companion stands beside it often enough either
        if travels_with(companion, together) and not ubiquitous(companion.pages, site_pages, ubiquity):
            return companion
    return None
