"""The selectolax (lexbor) pass: cut away what is certainly not the article before trafilatura parses the page.

It drops what a reader never sees (scripts, styles, templates, embedded objects, hidden elements, form
controls) and the chrome the rule packs' `selectors` name (navigation, share bars, comment sections, cookie
banners...). Elements matched by a `related` selector (the "related articles" rails) go too, after their
teaser cards are read into `RelatedItem`s. What is left is serialised again for trafilatura: on typical news
pages that is a third of the bytes, so its slower lxml parse and tree walks have less to do.

Two guards keep the article safe from a careless selector: an element holding a large share of the page's
text, or most of its prose (the text of its paragraphs: a page whose menus, tag clouds and sidebars outweigh
its article still has its article in paragraphs), is never dropped (a `<form>` that wraps a whole ASP.NET page,
a `.share` class on the article's own container), and neither is `<body>`, `<html>` or `<head>`.

A page whose text is all in `<noscript>` or in a `<script type="text/template">` (a blog rendered by
JavaScript, its post kept for crawlers) has no body once those go: then the pass runs again over the page with
their content put in their place (`reveal_hidden`), when that gives the page more than twice its text.

JSON-LD scripts and `<head>` metadata stay: trafilatura reads the title, date and site name from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..document import RelatedItem, Removal
from ..normalise import one_line
from ..rules import SelectorRule

# Never seen by a reader as text; removed wholesale by lexbor (no guard: they hold no article text). Images go
# too: trafilatura is run without them, and a page's many <img srcset> are a good share of what it would parse.
INVISIBLE_TAGS = (
    "style",
    "template",
    "noscript",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "img",
    "picture",
    "source",
    "video",
    "audio",
    "map",
    "button",
    "input",
    "select",
    "textarea",
)
SCRIPTS = 'script:not([type="application/ld+json"])'
HIDDEN = (
    '[hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"], '
    '[style*="visibility:hidden"], [style*="visibility: hidden"]'
)
FORMS = "form"
# An element holding more than this share of the page's text is taken to hold the article: never dropped.
GUARD_SHARE = 0.4
# Pages shorter than this (characters of text) are not guarded by share: every element is a large share.
GUARD_MIN_CHARS = 400
PROTECTED_TAGS = frozenset({"html", "head", "body"})
# An element holding more than this share of the page's paragraph text holds the article: never dropped.
PROSE_GUARD_SHARE = 0.5
# Pages with less paragraph text than this are not guarded by prose.
PROSE_GUARD_MIN_CHARS = 400
PROSE = "p"
# Scripts whose text is markup a page's JavaScript renders (templates), revealed with <noscript>.
TEMPLATE_SCRIPTS = 'script[type="text/template"], script[type="text/x-template"], script[type="text/html"]'
# Hidden content is used when it gives the page more than this many times its visible text, and this much more.
REVEAL_RATIO = 2.0
REVEAL_MIN_CHARS = 250
# A card's title is a headline: a few words, not a button ("More") or a whole paragraph.
CARD_TITLE_MIN_WORDS = 2
CARD_TITLE_MAX_WORDS = 30
CARD_CONTAINERS = "article, li"
HEADINGS = "h1, h2, h3, h4, h5, h6"


@dataclass
class Prepared:
    """The page after the pass: its HTML for trafilatura, its parsed tree (for the DOM fallback), the teaser
    cards of its related rails, and the chrome the selectors removed (reason `pack/id`)."""

    html: str
    tree: LexborHTMLParser
    related: list[RelatedItem] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    text_chars: int = 0  # characters of visible text left in the body
    title: str | None = None  # the page's <title>
    hidden_chars: int = 0  # characters of text in <noscript> and markup templates (upper bound: tags counted)

    @cached_property
    def cards(self) -> list[Card]:
        """The teaser cards left on the page (see `page_cards`)."""
        return page_cards(self.tree)


def squash(text: str | None) -> str:
    """Text of an element as one line: every run of white space one space. (`str.split` splits on exactly the
    characters `\\s` matches, at a seventh of a regular expression's cost.)"""
    return " ".join((text or "").split())


def _text_len(node: LexborNode) -> int:
    return len(squash(node.text(deep=True)))


@dataclass
class _Cut:
    node: LexborNode
    reason: str | None  # a selector rule's `pack/id`; None for invisible or hidden elements and forms
    related: bool = False


def _ancestor_ids(node: LexborNode) -> list[int]:
    ids = []
    parent = node.parent
    while parent is not None:
        ids.append(parent.mem_id)
        parent = parent.parent
    return ids


def _prose_len(node: LexborNode) -> int:
    """Characters of paragraph text in `node` (itself included when it is a paragraph). The parser nests one
    paragraph in another only through a table in a quirks-mode page, where the inner one counts twice."""
    if node.tag == PROSE:
        return _text_len(node)
    return sum(_text_len(paragraph) for paragraph in node.css(PROSE))


def prepare(html: str, selectors: tuple[SelectorRule, ...] = ()) -> Prepared:
    """Run the pass over a decoded page (see the module's notes)."""
    prepared = _prepare(html, selectors)
    # Revealing can add at most the hidden text: parse the page again only when that could be enough.
    could_add = prepared.hidden_chars > max((REVEAL_RATIO - 1) * prepared.text_chars, REVEAL_MIN_CHARS)
    revealed = reveal_hidden(html) if could_add else None
    if revealed is not None:
        again = _prepare(revealed, selectors)
        if again.text_chars > max(REVEAL_RATIO * prepared.text_chars, prepared.text_chars + REVEAL_MIN_CHARS):
            return again
    return prepared


def reveal_hidden(html: str) -> str | None:
    """The page with its `<noscript>` elements' and template scripts' content in their place, as markup; None
    when it has neither."""
    tree = LexborHTMLParser(html)
    templates = list(tree.css(TEMPLATE_SCRIPTS))
    noscripts = tree.css_first("noscript")
    if not templates and noscripts is None:
        return None
    for script in templates:
        markup = script.text()
        # Only markup: templates also carry JSON and code, whose text is no body.
        holder = LexborHTMLParser(f"<div>{markup}</div>").css_first("body > div") if _is_markup(markup) else None
        if holder is None:
            script.decompose()
        else:
            script.replace_with(holder)
    tree.unwrap_tags(["noscript"])
    return tree.html or None


def _is_markup(text: str) -> bool:
    text = text.lstrip()
    return text.startswith("<") and not text.startswith("<%")


def _hidden_chars(tree: LexborHTMLParser) -> int:
    """Characters of text in the page's `<noscript>` elements and markup templates (`reveal_hidden`'s)."""
    noscript = sum(_text_len(node) for node in _innermost(list(tree.css("noscript"))))
    templates = sum(len(squash(node.text())) for node in tree.css(TEMPLATE_SCRIPTS) if _is_markup(node.text()))
    return noscript + templates


def _prepare(html: str, selectors: tuple[SelectorRule, ...]) -> Prepared:
    tree = LexborHTMLParser(html)
    hidden = _hidden_chars(tree)
    tree.strip_tags(list(INVISIBLE_TAGS))
    for script in tree.css(SCRIPTS):
        script.decompose()
    body = tree.body
    total = _text_len(body) if body is not None else 0
    prose = _prose_len(body) if body is not None else 0

    def guarded(node: LexborNode) -> bool:
        if node.tag in PROTECTED_TAGS:
            return True
        chars = _text_len(node)
        if total >= GUARD_MIN_CHARS and chars > GUARD_SHARE * total:
            return True
        # (An element with less text than that share of the prose cannot hold it: no need to count.)
        limit = PROSE_GUARD_SHARE * prose
        return prose >= PROSE_GUARD_MIN_CHARS and chars > limit and _prose_len(node) > limit

    cuts: dict[int, _Cut] = {}
    # Selector rules first, so that their reason (and a rail's cards) wins over a plain "hidden".
    for rule in selectors:
        for node in tree.css(rule.css):
            if node.mem_id not in cuts and not guarded(node):
                cuts[node.mem_id] = _Cut(node, rule.reason, rule.action == "related")
    for query in (HIDDEN, FORMS):
        for node in tree.css(query):
            if node.mem_id not in cuts and not guarded(node):
                cuts[node.mem_id] = _Cut(node, None)

    # Only the outermost cut of a nest is removed: a node inside a removed one is gone with it (and must not be
    # touched once its ancestor is freed), so the nesting is settled while every node is still in the tree.
    outermost = [cut for cut in cuts.values() if not any(i in cuts for i in _ancestor_ids(cut.node))]
    related: list[RelatedItem] = []
    removed: list[Removal] = []
    seen_titles: set[str] = set()
    for cut in outermost:
        if cut.related:
            for item in rail_cards(cut.node):
                key = item.title.casefold()
                if key not in seen_titles:
                    seen_titles.add(key)
                    related.append(item)
        if cut.reason is not None:
            text = squash(cut.node.text(deep=True, separator=" "))
            if text:
                removed.append(Removal(text, cut.reason))
    for cut in outermost:
        cut.node.decompose()
    body = tree.body
    left = _text_len(body) if body is not None else 0
    title_node = tree.css_first("title")
    title = one_line(title_node.text(deep=True)) if title_node is not None else None
    html = tree.html or ""
    return Prepared(
        html=html,
        tree=tree,
        related=related,
        removed=removed,
        text_chars=left,
        title=title or None,
        hidden_chars=hidden,
    )


# --- teaser cards ------------------------------------------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _card_title(card: LexborNode) -> str:
    for heading in card.css(HEADINGS):
        title = one_line(heading.text(deep=True, separator=" "))
        if title:
            return title
    links = [one_line(link.text(deep=True, separator=" ")) for link in card.css("a[href]")]
    links = [text for text in links if CARD_TITLE_MIN_WORDS <= _words(text) <= CARD_TITLE_MAX_WORDS]
    return max(links, key=len, default="")


def _card_date(card: LexborNode) -> str | None:
    node = card.css_first("time")
    if node is None:
        return None
    value = node.attributes.get("datetime") or node.text(deep=True)
    return one_line(value) or None


def _card_snippet(card: LexborNode, title: str) -> str:
    for paragraph in card.css("p"):
        text = one_line(paragraph.text(deep=True, separator=" "))
        if text and text != title and _words(text) > CARD_TITLE_MIN_WORDS:
            return text
    return ""


def _innermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """The nodes that contain none of the others (a <li> may hold an <article>, a list may be nested)."""
    ids = {node.mem_id for node in nodes}
    outer = {i for node in nodes for i in _ancestor_ids(node) if i in ids}
    return [node for node in nodes if node.mem_id not in outer]


def _card_item(card: LexborNode) -> RelatedItem | None:
    title = _card_title(card) if card.tag != "a" else one_line(card.text(deep=True, separator=" "))
    if not CARD_TITLE_MIN_WORDS <= _words(title) <= CARD_TITLE_MAX_WORDS:
        return None
    return RelatedItem(title=title, date=_card_date(card), text=_card_snippet(card, title))


def rail_cards(rail: LexborNode) -> list[RelatedItem]:
    """The teaser cards of a related rail: one per `<article>`/`<li>` (or per link when it has neither), each
    with its headline, its `<time>` and its snippet when it shows them."""
    containers = _innermost(list(rail.css(CARD_CONTAINERS))) or list(rail.css("a[href]"))
    items: list[RelatedItem] = []
    seen: set[str] = set()
    for card in containers:
        item = _card_item(card)
        if item is not None and item.title.casefold() not in seen:
            seen.add(item.title.casefold())
            items.append(item)
    return items


@dataclass(frozen=True)
class Card:
    """A teaser card found on the page: what it says, and how many characters of text it holds."""

    item: RelatedItem
    chars: int


# A card's headline is a link in a heading, or a heading in a link.
HEADLINE_LINKS = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"
# How far above its headline a card's <article>/<li> may be.
CARD_DEPTH = 6


def page_cards(tree: LexborHTMLParser) -> list[Card]:
    """Teaser cards anywhere on the page: each innermost <article> or <li> holding a headline link."""
    containers: dict[int, LexborNode] = {}
    for headline in tree.css(HEADLINE_LINKS):
        node, depth = headline.parent, 0
        while node is not None and depth < CARD_DEPTH and node.tag not in ("article", "li"):
            node, depth = node.parent, depth + 1
        if node is not None and node.tag in ("article", "li"):
            containers.setdefault(node.mem_id, node)
    cards = []
    seen: set[str] = set()
    for node in _innermost(list(containers.values())):
        item = _card_item(node)
        if item is not None and item.title.casefold() not in seen:
            seen.add(item.title.casefold())
            cards.append(Card(item, _text_len(node)))
    return cards
