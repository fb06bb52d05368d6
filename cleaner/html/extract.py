"""trafilatura: the main content of a page and its metadata (title, date, site name).

trafilatura runs in its fast mode (its own cascade without the external comparisons: main extractor, baseline
rescue on the uncleaned tree, recall retry) or its full mode (with the comparison against its readability port
and jusText, which costs about half as much again), optionally favouring recall; `choose.py` says which runs
on a page and which result is kept, and `cleaner.html` has a last fallback of its own beyond that. The page is
parsed into lxml once for every run (`parse`).

The metadata is trafilatura's own `extract_metadata`, step for step, less the steps whose fields cleaner never
reads: the author search (an XPath sweep over a copy of the whole tree), categories, tags, licence and the
host name. Those were two thirds of its cost, and none of them feeds the title, date, URL or site name, so those
come out exactly as `bare_extraction(with_metadata=True)` gives them (`tests/test_html.py` compares the two).
If trafilatura's metadata helpers are not where this expects them (another major version), its whole
`extract_metadata` runs instead.
"""

from __future__ import annotations

import contextlib
import logging
from copy import copy
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

from ..normalise import one_line
from . import months

# Below this many characters an extraction is "too little" (trafilatura's own MIN_EXTRACTED_SIZE).
MIN_TEXT_CHARS = 250


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found: the main text (paragraphs one per line; lists as `- item`, tables as
    `| a | b |` rows) and the page's metadata, each None when not found."""

    text: str
    title: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None


@cache
def _trafilatura() -> Any:
    import trafilatura

    # Its "discarding data" warnings are routine outcomes here (we fall back), not problems to print.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    return trafilatura


@cache
def _metadata_steps() -> SimpleNamespace | None:
    """trafilatura's metadata helpers, or None when this version does not have them all."""
    try:
        from htmldate import find_date
        from trafilatura import metadata as steps
        from trafilatura.settings import Extractor
    except ImportError:
        return None
    names = ("META_URL", "examine_meta", "extract_meta_json", "extract_sitename", "extract_title", "extract_url")
    if not all(hasattr(steps, name) for name in names):
        return None
    found = {name: getattr(steps, name) for name in names}
    months.install()  # htmldate's month names from cleaner's cache, not from loading all of dateparser
    # The default date search, read once: an `Extractor` reads its configuration anew each time it is made.
    return SimpleNamespace(**found, find_date=find_date, date_params=dict(Extractor().date_params))


def metadata(tree: Any, url: str | None) -> Any:
    """The title, URL, date and site name of a parsed page, as `bare_extraction(with_metadata=True)` finds them
    (a trafilatura `Document`; its other fields are not looked for). They do not depend on `fast`: the date
    search is as extensive as trafilatura's configuration says, in both modes."""
    steps = _metadata_steps()
    if steps is None:
        from trafilatura.metadata import extract_metadata
        from trafilatura.settings import Extractor

        return extract_metadata(tree, url, Extractor().date_params)
    date_config = dict(steps.date_params)
    document = steps.examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # as trafilatura does before reading JSON-LD, which may look at it
    with contextlib.suppress(Exception):  # trafilatura guards this step the same way (bugs in its JSON-LD reader)
        document = steps.extract_meta_json(tree, document)
    if not document.title:
        document.title = steps.extract_title(tree)
    if not document.url:
        document.url = steps.extract_url(tree, url)
    date_config["url"] = document.url
    document.date = steps.find_date(tree, **date_config)
    if not document.sitename:
        document.sitename = steps.extract_sitename(tree)
    if document.sitename:
        document.sitename = document.sitename.lstrip("@")
        if document.sitename and "." not in document.sitename and not document.sitename[0].isupper():
            document.sitename = document.sitename.title()
    elif document.url:
        match = steps.META_URL.match(document.url)
        if match:
            document.sitename = match[1]
    document.filedate = date_config.get("max_date")
    document.clean_and_trim()
    return document


@cache
def _options(fast: bool, recall: bool = False) -> Any:
    """trafilatura's settings for `extract`, made once: making them reads its configuration file's values again,
    about a sixth of a millisecond per page. `extract` gives each page a copy with the page's URL."""
    from trafilatura.settings import Extractor

    return Extractor(output_format="python", fast=fast, recall=recall, comments=False, tables=True, with_metadata=False)


def _page_options(fast: bool, url: str | None, recall: bool = False) -> Any:
    options = copy(_options(fast, recall))
    options.url = url  # as `Extractor(url=url)` sets the two (`source` only names the page in its log lines)
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return one_line(value) or None


def parse(html: str) -> Any:
    """The page as trafilatura parses it (an lxml tree), or None when it is not HTML it can read."""
    from trafilatura.utils import load_html

    try:
        return load_html(html)
    except (ValueError, TypeError, RecursionError, MemoryError):
        return None


def extract(
    page: Any, url: str | None = None, *, fast: bool = True, known: Extracted | None = None, recall: bool = False
) -> Extracted | None:
    """Run trafilatura over a page, its HTML or its `parse`d tree (comments left out, tables kept); None when
    it finds nothing. A tree is not changed: trafilatura and htmldate work on copies. `known`: an earlier
    extraction of the same page, whose metadata is taken instead of being read again. `recall`: trafilatura's
    `favor_recall` (more text when it is unsure)."""
    trafilatura = _trafilatura()
    tree = parse(page) if isinstance(page, str) else page
    if tree is None:
        return None
    try:
        found = known if known is not None else _found(metadata(tree, url))
        document = trafilatura.bare_extraction(tree, options=_page_options(fast, url, recall))
    except (ValueError, TypeError, AttributeError, RecursionError, MemoryError):
        # trafilatura reports most failures as None; a page odd enough to raise is treated the same.
        return None
    if document is None:
        return None
    return Extracted((document.text or "").strip(), found.title, found.date, found.sitename, found.url)


def _found(document: Any) -> Extracted:
    """trafilatura's metadata as the fields of an `Extracted` (the text left empty)."""
    return Extracted("", _clean(document.title), _clean(document.date), _clean(document.sitename), _clean(document.url))


def too_little(chars: int, page_chars: int) -> bool:
    """Whether `chars` characters of article look like a miss on a page with `page_chars` of text: nothing, or
    a scrap of a page that has more to offer."""
    if chars == 0:
        return page_chars > 0
    return chars < MIN_TEXT_CHARS and page_chars > 2 * chars
