"""Header filter: the article's title, and its own byline or dateline, found above the body.

Runs last, once the body is known: the title is a headline-shaped line standing just above the first kept
paragraph (preferring one the page repeats, as many sites print the title twice). Its copies near the top are
removed with the reason `title:repeat`; metadata lines between title and body go to the document's metadata, and
a short line still kept there (a byline the metadata patterns do not read, a label) is removed as the header's.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from .. import regexes
from ..document import Block
from ..features import count_words, ends_sentence, tokens
from ..meta import has_bullet, parse_meta
from ..page import Page
from ..rules import fold

_IDEOGRAPHIC = regexes.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

TITLE_MIN_WORDS = 2
TITLE_MAX_WORDS = 24
# How far above the body a title may stand, in blocks, when it is not repeated.
TITLE_REACH = 6
# A title's byline stands right under it, or under the outlet's name under it.
BYLINE_REACH = 2
BYLINED_MIN_WORDS = 4
# The title must share this share of its content words with the first paragraphs (unless repeated).
MIN_LEDE_OVERLAP = 0.2
LEDE_BLOCKS = 3
# How far down the kept text a copy of the title is still a copy and not a quotation of it.
COPY_REACH = 3
# The first line of an already clean page is its title up to this many words (a headline with its standfirst).
OPENING_TITLE_MAX_WORDS = 40
# A line at least this share of whose words are capitalised is in title case ("Why You Shouldn't Worry.").
TITLE_CASE_SHARE = 0.6
# How many headline-shaped kept lines at the top may compete for the title before the body.
HEADLINE_RUN = 2
_CLOSERS = "\"'”’»)"


def headline_shaped(text: str) -> bool:
    words = count_words(text)
    return (
        TITLE_MIN_WORDS <= words <= TITLE_MAX_WORDS
        and not ends_sentence(text.rstrip("\"'”’»)"))
        and not text.endswith(":")
        and not has_bullet(text)
        and parse_meta(text) is None
        and "http" not in text
    )


def opening_headline(text: str) -> bool:
    """The first line of a page that is already clean ("Title", blank, body) is its title when it could be one,
    even punctuated as a sentence: a question or an exclamation ("Is Football Violence a Crime?") or a line in
    title case ("Stock Is Falling. Why You Shouldn't Worry."), as a page's own headline often is."""
    if not TITLE_MIN_WORDS <= count_words(text) <= OPENING_TITLE_MAX_WORDS:
        return False
    if text.endswith(":") or has_bullet(text) or parse_meta(text) is not None or "http" in text:
        return False
    if not ends_sentence(text.rstrip(_CLOSERS)) or text.rstrip(_CLOSERS).endswith(("?", "!", "？", "！")):
        return True
    words = [word for word in tokens(text) if word[0].isalpha()]
    return sum(1 for word in words if word[0].isupper()) >= TITLE_CASE_SHARE * len(words)


def _judged_by_density_only(block: Block) -> bool:
    """Kept, or removed by the density model alone (whose doubt the header may overrule)."""
    return block.verdict is None or block.verdict.startswith("density:")


def _candidates(page: Page, body_start: int) -> list[Block]:
    """Blocks above the body that a filter did not take for certain (rules and cards are certain)."""
    return [
        block for block in page.blocks[:body_start] if _judged_by_density_only(block) and headline_shaped(block.text)
    ]


def _content_words(text: str, stopwords: frozenset[str]) -> set[str]:
    """Lower-cased words that are not stop words; in scripts without spaces, pairs of kanji/katakana/hangul."""
    found: set[str] = set()
    for word in tokens(text.casefold()):
        if _IDEOGRAPHIC.search(word):
            found.update(a + b for a, b in itertools.pairwise(word) if _IDEOGRAPHIC.match(a) or _IDEOGRAPHIC.match(b))
        elif word not in stopwords and len(word) > 2:
            found.add(word)
    return found


def _choose_title(page: Page, body_start: int) -> Block | None:
    """The headline-shaped line above the body that shares the most content words with the lede.

    A title announces what the first paragraphs tell, so it shares their names and nouns; menu entries, buttons
    and section labels ("Watch Live", "Getty Images") share nothing. A line the page repeats is the title even
    when the lede words it differently.
    """
    candidates = _candidates(page, body_start)
    if not candidates:
        return None
    folded = [fold(block.text) for block in candidates]
    seen = Counter(folded)
    lede = " ".join(block.text for block in [b for b in page.kept() if b.index >= body_start][:LEDE_BLOCKS])
    lede_words = _content_words(lede, page.stopwords)
    best, best_score = None, 0.0
    for block, key in zip(candidates, folded, strict=True):
        repeated = seen[key] > 1
        distance = body_start - block.index
        if not repeated and distance > TITLE_REACH:
            continue
        words = _content_words(block.text, page.stopwords)
        overlap = len(words & lede_words) / max(1, len(words)) if words else 0.0
        # The page's first line standing right above the body is its title by position, as in cleaned text; so is
        # a headline with the article's byline or date right under it.
        opening = block.index == 0 and distance == 1
        bylined = _bylined(page, block)
        score = overlap + (1.0 if repeated else 0.0) + (0.5 if opening or bylined else 0.0) - 0.01 * distance
        if (overlap >= MIN_LEDE_OVERLAP or repeated or opening or bylined) and score > best_score:
            best, best_score = block, score
    return best


def _bylined(page: Page, block: Block) -> bool:
    """A metadata line (a byline, a date, an outlet and an age; one a pack's extract rule read counts too) stands
    right under `block`, or under the outlet's name right under it: "Title / Story by X • 2d", "Title / NDTV /
    14m". Only a line of headline length: an outlet's or an author's name has a byline under it too."""
    if count_words(block.text) < BYLINED_MIN_WORDS:
        return False
    below = page.blocks[block.index + 1 : block.index + 1 + BYLINE_REACH]
    for i, other in enumerate(below):
        if other.index in page.dropped:
            return False
        if parse_meta(other.text) is not None or other.index in page.metadata_lines:
            return True
        # (words as written: "L'Écho du Val d'Orme" is a name of four)
        if i + 1 < len(below) and not (1 <= len(other.text.split()) <= OUTLET_MAX_WORDS):
            return False
    return False


def _note_byline(page: Page, title_index: int, body_start: int) -> None:
    for block in page.blocks[title_index + 1 : body_start]:
        meta = parse_meta(block.text) if block.index not in page.dropped else None
        if meta is not None:
            page.note_metadata("date", meta.date)
            page.note_metadata("source", meta.source)
    if "source" not in page.metadata:
        page.note_metadata("source", _outlet(page, title_index, body_start))


# "Source: Reuters", "read more at The Hindu", "Fonte: Autoracing", "Quelle: dpa", "From Newsweek · 6 min read".
_CREDIT = regexes.compile(
    r"^\W{0,3}(?:source|sources|read more at|read the full (?:story|article) at|full story at|via|from|quelle|"
    r"fonte|fuente|origem|leia mais em|lea más en|mehr bei|weiterlesen bei)\s*[:：]?\s*(?P<outlet>[^.!?|·•/]{2,60}?)"
    r"(?:\s*[|·•/]\s*[^|·•/]{1,40})?\W{0,3}$",
    re.IGNORECASE,
)
# An outlet then its writer or age: "Axios - Kenji Mori", "New York Post / by Nadia Rahman / 6m".
_OUTLET_THEN = regexes.compile(
    r"^(?P<outlet>[^\W\d_][^|·•/–—-]{1,40}?)\s+[|·•/–—-]\s+(?:by\s+)?\S.{0,60}$", re.IGNORECASE
)
# An agency's dateline opening the article: "LONDON (Reuters) -", "(CNN) —", "SÃO PAULO (Agência Brasil) –".
_DATELINE = regexes.compile(
    r"^[^\W\d_a-z][^()]{0,40}?\((?P<outlet>[^()]{2,40})\)\s*[-–—]|^\((?P<first>[^()]{2,40})\)\s*[-–—]"
)
OUTLET_MAX_WORDS = 5
# How far from the title, in lines, an outlet's credit or name may stand.
OUTLET_REACH = 3


def _outlet(page: Page, title_index: int, body_start: int) -> str | None:
    """The outlet the article names, when no byline between title and body did: in order, a credit line near
    the title or at the article's end ("Source: Reuters", "read more at The Hindu"); a metadata line near the
    title ("Reuters · 3h", "Axios - Kenji Mori"); an agency's dateline opening the body ("LONDON (Reuters) -");
    a name standing right above or below the title ("South China Morning Post")."""
    near = page.blocks[max(0, title_index - OUTLET_REACH) : max(body_start, title_index + OUTLET_REACH + 1)]
    kept = page.kept()
    # (The article's last kept line too: the credit may still be kept on a first pass.)
    tail = [b for b in page.blocks if kept and kept[-1].index <= b.index <= kept[-1].index + OUTLET_REACH]
    for block in [*near, *tail]:
        credit = _CREDIT.match(block.text)
        if credit is not None and _outlet_sized(credit.group("outlet")):
            return credit.group("outlet").strip()
    for block in near:
        if block.index == title_index or block.index in page.dropped:
            continue
        meta = parse_meta(block.text)
        if meta is not None and meta.source and _outlet_sized(meta.source):
            return meta.source
        then = _OUTLET_THEN.match(block.text)
        if then is not None and _outlet_name(then.group("outlet")):
            return then.group("outlet").strip()
    # The page's own outlet beside the title comes before the agency its body credits ("NDTV" above a story
    # whose dateline says "NEW YORK (AP) —"): the gold of syndication is who published this copy.
    beside = _name_beside_title(page, title_index)
    if beside is not None:
        return beside
    if kept:
        dateline = _DATELINE.match(kept[0].text if kept[0].index != title_index or len(kept) < 2 else kept[1].text)
        if dateline is not None:
            return (dateline.group("outlet") or dateline.group("first")).strip()
    return None


def _name_beside_title(page: Page, title_index: int) -> str | None:
    """A publisher's name standing right above the title (above its first copy, when the page repeats it), or
    else right below it."""
    key = fold(page.blocks[title_index].text)
    first = title_index
    while first > 0 and fold(page.blocks[first - 1].text) == key:
        first -= 1
    for index in (first - 1, title_index + 1):
        if not 0 <= index < len(page.blocks):
            continue
        block = page.blocks[index]
        generic = block.verdict is not None and block.verdict.startswith(("generic/", "title"))
        name = fold(block.text)
        if not generic and name != key and _outlet_name(block.text) and not _in_menu(page, block.index, name):
            return block.text.strip()
    return None


def _in_menu(page: Page, index: int, name: str) -> bool:
    """Whether the page prints the (folded) `name` as a line of its own above line `index`: a menu's entry, the
    section ("Money"), not the outlet."""
    return any(fold(other.text) == name for other in page.blocks[:index])


def _outlet_sized(name: str) -> bool:
    return 1 <= count_words(name) <= OUTLET_MAX_WORDS and not ends_sentence(name)


def _outlet_name(text: str) -> bool:
    """A publisher's name: one to five words, capitalised (or one word with a dot: "CNN.com"), no sentence,
    no date, no bullet."""
    words = tokens(text)
    if not 1 <= len(text.split()) <= OUTLET_MAX_WORDS or ends_sentence(text) or has_bullet(text) or ":" in text:
        return False
    if parse_meta(text) is not None or any(ch.isdigit() for ch in text):
        return False
    return all(word[0].isupper() or word in _NAME_PARTICLES for word in words) or (len(words) <= 2 and "." in text)


_NAME_PARTICLES = frozenset(
    {"of", "the", "and", "de", "d", "la", "le", "l", "du", "des", "del", "da", "do", "di", "der", "die"}
)


def _remove_copies(page: Page, title: str) -> None:
    """Copies of the title standing before the COPY_REACH-th line of the body. (Counted in body lines, not in
    kept lines: whether the title itself is still among the kept lines, as when an HTML page's headline is
    its first line, or already set apart, as when its cleaned text is read again, the same copies go.)"""
    key = fold(title)
    body_lines = 0
    for block in page.kept():
        if fold(block.text) == key:
            block.verdict = "title:repeat"
            continue
        body_lines += 1
        if body_lines >= COPY_REACH:
            break


# A notice above the title is one sentence or two: longer, it is the article's own lede.
NOTICE_MAX_WORDS = 40


def _notice_above_title(page: Page, kept: list[Block]) -> bool:
    if page.clean or len(kept) < 3 or headline_shaped(kept[0].text) or count_words(kept[0].text) > NOTICE_MAX_WORDS:
        return False
    return headline_shaped(kept[1].text) and _bylined(page, kept[1])


def find_header(page: Page, known_title: str | None = None) -> None:
    kept = page.kept()
    if known_title is not None:
        page.title = known_title
        _remove_copies(page, known_title)
        return
    if not kept or page.listing:
        return
    if _notice_above_title(page, kept):
        # A sentence kept above a headline that has the article's byline under it (a cookie notice no pack knew)
        # is chrome of the page's head, not the body's start.
        kept[0].verdict = "header:above-title"
        kept = kept[1:]
    body_start = kept[0].index
    # The first kept line may be the title itself (a page that is already clean: "Title", blank, body).
    # ... or be in competition with a headline-shaped line above it (an outlet's name, a section label): the
    # one that tells what the lede tells is the title.
    # So may the second, under a button or a label the density filter let through ("Open the Photo Gallery"):
    # the body starts at the first line that is not headline-shaped, and the lines above it compete.
    leading = 0
    while leading < min(HEADLINE_RUN, len(kept) - 1) and headline_shaped(kept[leading].text):
        leading += 1
    body_start = kept[leading].index
    opening = page.blocks[0]
    if page.clean and len(kept) > 1 and _judged_by_density_only(opening) and opening_headline(opening.text):
        # (The title of a clean page even where the density model doubted it: it stands apart, above the body.)
        title: Block | None = opening
        body_start = next(block.index for block in kept if block.index > 0)
    else:
        title = _choose_title(page, body_start)
    if title is None:
        return
    page.title = title.text
    if _judged_by_density_only(title):
        title.verdict = "title"
    # A headline-shaped line kept above the title lost the title to it: a copy of it, a label or a button.
    for block in kept[:leading]:
        if block.index < title.index and block.verdict is None:
            block.verdict = "title:repeat" if fold(block.text) == fold(title.text) else "header:above-title"
    for block in page.blocks[:body_start]:
        density_verdict = block.verdict is not None and block.verdict.startswith("density:")
        if density_verdict and fold(block.text) == fold(title.text):
            block.verdict = "title:repeat"
    _remove_copies(page, title.text)
    # A short line the density model kept between the title and the body is the header's (a byline in a format
    # the metadata patterns do not read, a label): not the body's first line.
    for block in page.blocks[title.index + 1 : body_start]:
        if block.verdict is None and headline_shaped(block.text):
            block.verdict = "header:between-title-and-body"
    _note_byline(page, title.index, body_start)
    # The outlet's name standing between the title and the body is the header's, now the page's `source`.
    source = page.metadata.get("source")
    for block in page.blocks[title.index + 1 : body_start] if source is not None else ():
        if block.verdict is None and block.text.strip() == source:
            block.verdict = "header:source"
