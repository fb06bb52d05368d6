"""The pipeline: read -> normalise -> segment into blocks -> filter -> describe.

Pure functions only: text in, `Document` out. Reading files and writing results live in `cleaner.io` and
`cleaner.cli`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from os import PathLike
from typing import Any, Literal

from .blocks import split_blocks
from .describe import describe
from .document import Document, Removal
from .features import count_words
from .filters.density import DensityModel, classify_density, classify_listing
from .filters.header import find_header, opening_headline
from .filters.patterns import apply_extracts, apply_rules, settle_missing_page
from .filters.sections import find_card_runs, find_written_listing
from .filters.teasers import find_teasers
from .language import detect_language, stopwords
from .normalise import normalise
from .options import DEFAULT_PACKS, Options, expect
from .page import Page
from .rules import RuleSet, load_rules


def prepare(text: str, opts: Options, *, normalised: bool = False, chrome_seen: bool = False) -> Page:
    """Normalise (unless the text is already a rendered `Document`, which is normal by construction), cut into
    blocks, pick the language's stop list, apply the rule packs and find the cards: everything before the
    density filter (the density model is fit on pages prepared this way). `chrome_seen`: an earlier pass over
    this page found chrome, so free-standing card runs are taken even if this pass finds none."""
    page = read_page(text, load_rules(opts.packs, tuple(map(str, opts.rule_files))), normalised=normalised)
    page.clean = already_clean(page)
    find_cards(page, free_rails=chrome_seen or not page.clean, first_look=not chrome_seen and not page.clean)
    apply_extracts(page)
    return page


def read_page(text: str, rules: RuleSet, *, normalised: bool = False) -> Page:
    """The opening every path shares: normalise (unless `normalised`), cut into blocks, pick the language's stop
    list, and apply the rule packs."""
    blocks = split_blocks(text if normalised else normalise(text))
    language = detect_language([block.text for block in blocks])
    page = Page(blocks=blocks, language=language, stopwords=stopwords(language))
    apply_rules(page, rules)
    return page


def already_clean(page: Page) -> bool:
    """Text laid out as a cleaned document (a blank line before every paragraph) in which no rule pack finds
    chrome: a cleaned article, as `cleaner clean` or the HTML path writes it (call it after the rules ran)."""
    return all(block.blank_before for block in page.blocks[1:]) and not page.shows_chrome()


def find_cards(page: Page, *, free_rails: bool, first_look: bool = False) -> None:
    """The teaser cards of the page. Without `free_rails`, a run of card-shaped lines counts only below a rail
    header or an end marker, or when the whole page is cards (a listing): inside text with no other chrome it is
    far more often an embedded tweet ("— Name (@handle) date") or a table than a related rail. `first_look`: the
    first pass over a page that does not look clean, where card runs are found by their shape too."""
    if find_written_listing(page):
        return
    before = [block.verdict for block in page.blocks]
    find_teasers(page)
    # Runs of same-shaped cards are read on the page as scraped, where its rhythm is whole: a later pass sees
    # an article with its chrome gone, whose head (title, byline, lede) can look like one more card.
    if first_look:
        find_card_runs(page)
    anchored = page.tail_start is not None or bool(page.rail_starts)
    if not free_rails and not anchored and not page.listing and page.related:
        for block, verdict in zip(page.blocks, before, strict=True):
            block.verdict = verdict
        page.related = []
        page.card_blocks = []


# Cleaning settles in one or two passes. A pass that shortens the output may be followed by another for as long
# as it keeps shortening it (that ends: the output only shrinks); passes that change it without shortening it
# (an oscillation) are allowed only MAX_STALLS times; MAX_PASSES bounds the cost on a pathological page.
MAX_STALLS = 2
MAX_PASSES = 50


def clean_with_model(text: str, opts: Options, model: DensityModel) -> Document:
    """`clean` of a text page with another density model (how `make fit` scores candidate models on pages they
    were not fit on: the whole cleaning, passes and all, as users get it)."""
    return _clean_text(text, opts, model)


def clean_once(text: str, opts: Options, model: DensityModel | None = None) -> Document:
    """One pass of the pipeline over `text` (with another density model: how `make fit` scores candidates)."""
    return _clean_pass(text, opts, model)[0]


def _clean_pass(
    text: str,
    opts: Options,
    model: DensityModel | None = None,
    *,
    normalised: bool = False,
    chrome_seen: bool = False,
) -> tuple[Document, list[int | None], bool]:
    """One pass, for each line of the document's rendered text the input line it came from, and whether the
    pass found chrome (or was told an earlier one did: `chrome_seen`)."""
    page = prepare(text, opts, normalised=normalised, chrome_seen=chrome_seen)
    careful = page.clean
    # With `trust_clean` the user says such text is cleaned output: the model is not asked at all. (A later pass's
    # input is cleaner's own output of a page that had chrome: it is weighed as without trust.)
    trusted = careful and not chrome_seen and opts.trust_clean
    if opts.density and page.listing and not trusted:
        classify_listing(page, model)
    elif opts.density and not trusted:
        classify_density(page, model)
        # Text that looks clean already (a cleaned article's layout, nothing a pack calls chrome) keeps the lines
        # the density model doubts unless it doubts much of it: fit to tell articles from the menus and footers
        # around them, the model trims a clean article's tables, lists and credits, while a page of chrome no
        # pack knows loses far more than a trim. A later pass reads the earlier one's output, which looks
        # clean, the same way: so a trim the model would make on a fresh run over the output is one it makes
        # here (the output is a fixed point), and an article is not eroded a few lines a pass.
        if careful:
            if not density_trim_stands(page):
                _undo_density(page)
            else:
                careful = False  # the model found chrome after all: later passes are weighed by it too
    settle_missing_page(page)
    find_header(page, known_title=opts.title)
    doc = describe(page)
    return doc, _rendered_origin(page, doc), chrome_seen or not careful


# The share of an already-clean-looking text's words the density model may doubt and still be overruled ...
CLEAN_TRIM_SHARE = 0.2
# ... and of its lines, a table's rows aside (a menu no pack knows is many lines worth few words).
CLEAN_TRIM_LINES = 0.4


def density_trim_stands(page: Page) -> bool:
    """Whether the density model doubts enough of a clean-looking page for its verdicts to stand: a fifth of its
    words, or two fifths of its lines not counting a table's rows (a table the model doubts is a trim of the
    article, which the care taken with clean text overrules). Counted over the lines left after the rules and the
    card parser, not counting the page's opening headline, its title, which the header takes whatever the model
    says."""
    judged = [block for block in page.blocks if block.verdict is None or block.verdict.startswith("density:")]
    if judged and judged[0].index == 0 and opening_headline(judged[0].text):
        judged = judged[1:]
    if not judged:
        return False
    doubted = [block for block in judged if block.verdict is not None]
    words = sum(count_words(block.text) for block in judged)
    doubted_words = sum(count_words(block.text) for block in doubted)
    doubted_lines = sum(1 for block in doubted if "|" not in block.text)
    return doubted_words >= CLEAN_TRIM_SHARE * words or doubted_lines >= CLEAN_TRIM_LINES * len(judged)


def _undo_density(page: Page) -> None:
    for block in page.blocks:
        if block.verdict is not None and block.verdict.startswith("density:"):
            block.verdict = None


def _rendered_origin(page: Page, doc: Document) -> list[int | None]:
    """Line k of `doc.render()` came from input line `origin[k]` (None for blank lines, or a known title)."""
    origin: list[int | None] = []
    if doc.title:
        title_block = next((b for b in page.blocks if b.verdict == "title"), None)
        origin += [title_block.line if title_block else None, None]
    for block in page.kept() if doc.kind == "article" else ():
        origin += [block.line, None]
    return origin


InputFormat = Literal["auto", "text", "html"]


def clean(
    text: str | bytes,
    *,
    packs: str | Iterable[str] = DEFAULT_PACKS,
    rule_files: str | PathLike[str] | Iterable[str | PathLike[str]] = (),
    title: str | None = None,
    density: bool = True,
    trust_clean: bool = False,
    input_format: InputFormat = "auto",
    url: str | None = None,
    charset: str | None = None,
) -> Document:
    """Clean one page.

    packs: the shipped rule packs to apply (a name or a list of names; `cleaner rules` lists them).
    rule_files: your own rule packs (a path or a list), applied after the shipped ones.
    title: the page's title when known from elsewhere (then none is guessed, and a copy atop the text goes).
    density: run the density filters (False: only the rule packs and the segmentation).
    trust_clean: leave text that already looks cleaned as it is (see `cleaner.options.Options`).
    input_format: "auto" sends HTML (bytes, or text that starts like a page) to `cleaner.html.clean_html`;
        "html" or "text" forces the choice. url, charset: passed on to `clean_html` (its metadata, its bytes).

    A wrong type is a `TypeError` naming the parameter. The result is a fixed point: cleaning its rendered text
    again changes nothing. A pass judges every block in its context, and once chrome is gone a block's context
    changes, so the pipeline is run again on its own output until the output stops changing (nearly always:
    one confirming pass).
    """
    opts = Options.of(packs=packs, rule_files=rule_files, title=title, density=density, trust_clean=trust_clean)
    routed = _route(text, opts, input_format, url, charset)
    if not isinstance(routed, str):
        return routed
    return _clean_text(routed, opts)


def _clean_text(text: str, opts: Options, model: DensityModel | None = None) -> Document:
    text = normalise(text)
    doc = _settle(text, opts, model)
    # (A written listing is read back without `trust_clean`: trust spares an article's text, not a listing's cards.)
    untrusted = replace(opts, trust_clean=False)
    for _ in range(MAX_PASSES):
        if doc.kind != "listing":
            break
        # A listing must read as the same listing once written as text (its title and a paragraph per card).
        rendered = doc.render()
        again = _settle(normalise(rendered), untrusted, model)
        if again.render() == rendered and again.title == doc.title:
            break
        # Otherwise it is settled like an article: its text form cleaned until that stops changing (what was
        # removed from the page itself stays on record).
        doc = replace(again, removed=doc.removed if again.kind == "listing" else _still_removed(doc.removed, again))
    return doc


def _still_removed(removed: list[Removal], doc: Document) -> list[Removal]:
    """The page's removals, less the lines the article `doc` (cleaned from the page's text form) keeps."""
    kept = Counter(doc.render().splitlines())
    still = []
    for removal in removed:
        if kept[removal.text] > 0:
            kept[removal.text] -= 1
        else:
            still.append(removal)
    return still


def _settle(text: str, opts: Options, model: DensityModel | None) -> Document:
    """Passes of the pipeline over normalised `text` until its output stops changing."""
    doc, origin, chrome_seen = _clean_pass(text, opts, model, normalised=True)
    stalls = 0
    for _ in range(MAX_PASSES):
        if doc.kind != "article":
            break
        rendered = doc.render()
        if rendered == text + "\n" and not chrome_seen:
            break  # the pass gave its input back (an article already clean): another would see what it saw
        again, again_origin, _ = _clean_pass(rendered, opts, model, normalised=True, chrome_seen=chrome_seen)
        again_rendered = again.render()
        # A title is the first line, or not: the same rendered text may be read either way, so it settles too.
        if again_rendered == rendered and again.title == doc.title:
            break
        if len(again_rendered) >= len(rendered):
            stalls += 1
            if stalls > MAX_STALLS:
                break
        doc = _merge(doc, again, origin)
        origin = [origin[line - 1] if line is not None else None for line in again_origin]
    return doc


def _route(text: str | bytes, opts: Options, input_format: str, url: str | None, charset: str | None) -> str | Document:
    """Text to clean here, or the Document of an HTML page."""
    expect("text", text, (str, bytes), "a str or bytes")
    if input_format not in ("auto", "text", "html"):
        raise ValueError(f"input_format must be auto, text or html, not {input_format!r}")
    for name, value in (("url", url), ("charset", charset)):
        if value is not None:
            expect(name, value, str, "a str or None")
    from .html import decode_html, looks_like_html

    if isinstance(text, bytes):
        text = decode_html(text, charset)
    if input_format == "html" or (input_format == "auto" and looks_like_html(text)):
        from .html import clean_with

        return clean_with(text, opts, url=url, charset=charset)
    return text


def _merge(first: Document, again: Document, origin: list[int | None]) -> Document:
    """The later pass's article, with what the earlier pass learnt about the page and removed from it; the
    later pass's removals are placed by the input lines they came from (`origin` of the earlier output)."""
    later = [
        replace(r, line=origin[r.line - 1] if r.line is not None else None)
        for r in again.removed
        if not (r.reason.startswith("title") and r.text == first.title and again.title == first.title)
    ]
    # The title line was moved, not removed, by the earlier pass: a later verdict on it replaces that entry.
    relabelled = {r.line for r in later}
    earlier = [r for r in first.removed if not (r.reason == "title" and r.line in relabelled)]
    return replace(
        again,
        source=first.source or again.source,
        date=first.date or again.date,
        related=first.related + again.related,
        removed=sorted(earlier + later, key=lambda removal: removal.line or 0),
    )


def clean_many(
    texts: Iterable[str | bytes],
    *,
    packs: str | Iterable[str] = DEFAULT_PACKS,
    rule_files: str | PathLike[str] | Iterable[str | PathLike[str]] = (),
    title: str | None = None,
    density: bool = True,
    trust_clean: bool = False,
    input_format: InputFormat = "auto",
    url: str | None = None,
    charset: str | None = None,
) -> Iterator[Document]:
    """Clean a stream of pages lazily, in order, each with the options of `clean` (checked before the first).
    A lone string is refused (it is one page, not a stream of them: iterating it would clean each character)."""
    if isinstance(texts, str | bytes) or not isinstance(texts, Iterable):
        raise TypeError(f"texts must be an iterable of pages (str or bytes), not {type(texts).__name__}")
    options = {"packs": packs, "rule_files": rule_files, "title": title, "density": density}
    Options.of(trust_clean=trust_clean, **options)  # a wrong option fails here, not at the first page
    routing = {"input_format": input_format, "url": url, "charset": charset}
    return _clean_each(texts, {**options, "trust_clean": trust_clean, **routing})


def _clean_each(texts: Iterable[str | bytes], options: dict[str, Any]) -> Iterator[Document]:
    for text in texts:
        yield clean(text, **options)
