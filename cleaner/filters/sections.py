"""Card runs by shape: teaser rails and listings in formats no rule pack and no metadata pattern knows.

`filters.teasers` finds cards around a metadata line it can read ("Reuters · 3h"). Aggregators print many other
card formats: "short by NAME / 9:18 pm on 14 Nov" and "read more at OUTLET", an outlet's name above a headline
and a snippet that may run to a whole article, a number before each headline. What they share is rhythm: the
same few kinds of line, in the same order, card after card. So each line gets a *shape*:

- `P` prose: a long line, or one ending like a sentence (a snippet, or paragraphs of a carried article);
- `M` metadata: a line `parse_meta` reads, or a *template* line (short, and its first two words open another
  line of the page too: "short by …", "read more at …", "Flipped into … by …");
- `N` a number alone (a ranked list's "1", "2.");
- `S` a short line: a headline, an outlet's name, a label;
- `T` a table's row ("| a | b |", as cleaner writes tables): content, never part of a card;
- `X` a line an earlier filter removed (a pack's "Read more" rule, a rail header).

Consecutive `P` lines are one token (a carried article is one snippet), consecutive `T` and `X` lines too. A *run* is a
unit of 2 to 6 tokens repeated back to back at least twice, holding a short line of headline size and some
evidence of a card (a metadata line, a number, or a second short line). A run is taken as cards when no
article prose follows it (a ranked list or a gallery inside an article is followed by the article again); two
runs of the same unit with one odd card between them (a carried article with subheadings) are one run. The
short line standing right above a run is its section heading ("More news", "Leia também") and goes with it.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .. import regexes
from ..document import Block, RelatedItem
from ..features import count_words, ends_sentence, tokens
from ..meta import has_bullet, parse_meta
from ..page import Page
from .teasers import MIN_CARDS_IN_RAIL, OUTLET_MAX_WORDS, RAIL_LINE, decide_listing, ends_snippet, is_table_row

MAX_UNIT = 6
MIN_REPEATS = 2
# A snippet: this long, or shorter and ending like a sentence (or cut off: "…", "...", "[…]").
SNIPPET_MIN_WORDS = 12
SNIPPET_ALWAYS_WORDS = 25
# A template line is at most this long (a byline or a read-more line, not a paragraph).
TEMPLATE_MAX_WORDS = 16
HEADLINE_MIN_WORDS = 3
SHORT_MAX_WORDS = 30
# Article prose after a run means the run was inside the article (a list, a gallery), not a rail.
ARTICLE_RESUMES_WORDS = 60
HEADING_MAX_WORDS = 6

_NUMBER = regexes.compile(r"^(?:#|no\.? ?)?\d{1,3}[.)]?$", re.IGNORECASE)
# An outlet's name with the card's age after it, without a separator: "Florida Today 6m", "SFGate 1h".
_OUTLET_AGE = regexes.compile(r"^\S.{0,60}\s\d{1,2}\s?(?:s|m|h|d|w|mo|min|mins|hr|hrs|std|tg)\.?$", re.IGNORECASE)
OUTLET_AGE_MAX_WORDS = 6


@dataclass(frozen=True, slots=True)
class Token:
    """One step of a page's rhythm: a shape and the blocks it covers (consecutive `P`, `T` or `X` lines are one)."""

    shape: str
    blocks: tuple[Block, ...]
    headline: bool = False


def _template_keys(blocks: list[Block], stopwords: frozenset[str]) -> set[tuple[str, ...]]:
    """The openings that short lines of the page share while going on differently: two words ("short by …",
    "read more at …"), or a word, a number and a word ("reply # likes") on at least three lines. An opening with
    a stop word first ("the doobie") is a topic, not a template; a line repeated word for word (an image's alt
    text on every card, a title printed twice) is a label, not a template."""
    texts: dict[tuple[str, ...], set[str]] = {}
    for block in blocks:
        key = _opening(block.text)
        if key is not None and key[0] not in stopwords:
            texts.setdefault(key, set()).add(block.text)
    return {key for key, seen in texts.items() if len(seen) >= (MIN_REPEATS if len(key) == 2 else 3)}


def _opening(text: str) -> tuple[str, ...] | None:
    words = tokens(text.casefold())
    if len(words) < 3 or count_words(text) > TEMPLATE_MAX_WORDS or words[0].isdigit():
        return None
    # Numbers differ from card to card ("Reply · 14 likes", "Reply · 9 likes"): the word after one counts too.
    if words[1].isdigit():
        return words[0], "#", words[2]
    return words[0], words[1]


def _shape(block: Block, templates: set[tuple[str, ...]]) -> tuple[str, bool]:
    """A block's shape, and whether it is a short line of headline size."""
    # A rail's line that the teaser parser read as no card keeps its shape here: a numbered rail ("1 / headline /
    # 2 / headline") has no metadata line for that parser to read.
    if block.verdict is not None and block.verdict != RAIL_LINE:
        return "X", False
    text = block.text
    if is_table_row(text):
        return "T", False  # a table's row ("| a | b |", as cleaner writes tables): table content, never a card's
    words = count_words(text)
    if words >= SNIPPET_ALWAYS_WORDS or (words >= SNIPPET_MIN_WORDS and ends_snippet(text)):
        return "P", False
    if (
        parse_meta(text) is not None
        or _opening(text) in templates
        or (has_bullet(text) and words <= 5)
        or (words <= OUTLET_AGE_MAX_WORDS and _OUTLET_AGE.match(text))
    ):
        return "M", False
    if _NUMBER.match(text.strip()):
        return "N", False
    if words > SHORT_MAX_WORDS or (words >= HEADLINE_MIN_WORDS and ends_snippet(text)):
        return "P", False  # a short sentence is text, not a headline
    return "S", words >= HEADLINE_MIN_WORDS


def page_tokens(blocks: list[Block], stopwords: frozenset[str] = frozenset()) -> list[Token]:
    templates = _template_keys([block for block in blocks if block.verdict is None], stopwords)
    # Groups first, tokens after: a run of thousands of removed lines is one token, built once (not copied out
    # line by line, which made 40,000 chrome lines cost 7 s).
    groups: list[tuple[str, bool, list[Block]]] = []
    for block in blocks:
        shape, headline = _shape(block, templates)
        if groups and shape in ("P", "T", "X") and groups[-1][0] == shape:
            groups[-1][2].append(block)
        else:
            groups.append((shape, headline, [block]))
    return [Token(shape, tuple(group), headline if len(group) == 1 else False) for shape, headline, group in groups]


def _card_unit(unit: list[Token]) -> bool:
    """Whether a unit can be a card's shape: a head (headline, labels, metadata) and at most one snippet."""
    shapes = [token.shape for token in unit]
    # A card opens with its head (headline, outlet, number), never with its snippet.
    if len(unit) < 2 or shapes[0] == "P" or shapes.count("P") > 1:
        return False
    # ... and its headline stands above its snippet (a comment's "Reply · 14 likes" comes after its text).
    head = unit[: shapes.index("P")] if "P" in shapes else unit
    if not any(token.headline for token in head):
        return False
    return shapes.count("X") < len(shapes) - 1


def _card_evidence(cards: list[list[Token]]) -> bool:
    """Beside its headline a card has a metadata line, a number, or a short label (an outlet's name) in its head,
    before any snippet: in at least one card of the run. A run of short lines only (a menu, a list of links)
    must repeat at least three times."""
    shapes = [token.shape for token in cards[0]]
    if "M" in shapes or "N" in shapes:
        return True
    if "P" not in shapes and len(cards) < 3:
        return False
    for card in cards:
        head = card[: shapes.index("P")] if "P" in shapes else card
        if any(token.shape == "S" and not token.headline for token in head) and len(head) >= 2:
            return True
    return False


@dataclass
class Run:
    start: int  # token index
    unit: int  # tokens per card
    cards: list[list[Token]]

    @property
    def end(self) -> int:
        return self.start + sum(len(card) for card in self.cards)


def find_runs(toks: list[Token]) -> list[Run]:
    """Units of 2 to MAX_UNIT tokens repeated back to back, scanned left to right. Where runs start near each
    other, the one covering most tokens wins (so the phase and the unit are the cards' own: "1 / headline"
    five times, not "label / 1 / headline / 2" twice)."""
    rhythm = "".join(token.shape for token in toks)  # one letter a token: repeats are found by comparing text
    scan = _Scan(toks, rhythm)
    at: dict[int, Run | None] = {}
    runs: list[Run] = []
    i = 0
    while i < len(toks):
        for j in range(i, min(i + MAX_UNIT, len(toks))):
            if j not in at:
                at[j] = scan.run_at(j)
        found = [run for j in range(i, min(i + MAX_UNIT, len(toks))) if (run := at[j]) is not None]
        if not found:
            i += 1
            continue
        best = max(found, key=lambda run: (run.end - run.start, -run.start))
        runs.append(best)
        i = best.end
    for n, run in enumerate(runs):
        _extend(run, toks, runs[n + 1].start if n + 1 < len(runs) else len(toks))
    return _join(runs, toks)


def _extend(run: Run, toks: list[Token], limit: int) -> None:
    """Cards after a run that lack one line of its unit (one without a snippet, or without its metadata line) and
    the run's full cards after them go on the run: cards print what each story has. Such a card still shows a
    card's head beside its headline (a metadata line, a number or a label): a question over its answer is none."""
    unit = [token.shape for token in run.cards[0]]
    headed = run.start > 0 and toks[run.start - 1].shape == "X"
    end = run.end
    while end < limit:
        card = None
        for shapes in (unit, *(unit[:j] + unit[j + 1 :] for j in range(len(unit)))):
            window = toks[end : end + len(shapes)]
            if end + len(shapes) > limit or len(shapes) < 2 or [t.shape for t in window] != shapes:
                continue
            evidence = any(t.shape in ("M", "N") or (t.shape == "S" and not t.headline) for t in window)
            if any(t.headline for t in window) and evidence and (headed or _one_paragraph(window)):
                card = window
                break
        if card is None:
            return
        run.cards.append(card)
        end += len(card)


class _Scan:
    """The runs starting at each token, in time linear in the page: how often each unit repeats from each token is
    counted once (from the right), and a unit that fails as cards from one token fails from the later repeats of
    the same run too (they hold a subset of its cards), so those are never looked at again. Without this, a page
    of 20,000 two-word lines cost 11 s."""

    def __init__(self, toks: list[Token], rhythm: str) -> None:
        self.toks = toks
        n = len(rhythm)
        self.repeats: dict[int, list[int]] = {}
        for k in range(2, MAX_UNIT + 1):
            counts = [1] * n
            for i in range(n - 2 * k, -1, -1):
                if rhythm[i : i + k] == rhythm[i + k : i + 2 * k]:
                    counts[i] = counts[i + k] + 1
            self.repeats[k] = counts
        self.dead: set[tuple[int, int]] = set()  # (unit, token) known to start no run
        # Headlines before each token: a unit without one is no card, told without looking at its tokens.
        self.headlines = list(itertools.accumulate((token.headline for token in toks), initial=0))

    def run_at(self, i: int) -> Run | None:
        """The longest run of cards starting at token `i`, if any."""
        toks = self.toks
        best: Run | None = None
        for k in range(2, MAX_UNIT + 1):
            if i + 2 * k > len(toks) or self.repeats[k][i] < 2 or (k, i) in self.dead:
                continue
            if self.headlines[i + k] == self.headlines[i]:
                continue
            if not _card_unit(toks[i : i + k]):
                continue
            repeats = self.repeats[k][i]
            cards = [toks[i + n * k : i + (n + 1) * k] for n in range(repeats)]
            if not _card_evidence(cards):
                self._bury(k, i, repeats)
                continue
            if not (i > 0 and toks[i - 1].shape == "X"):
                cards = list(itertools.takewhile(_one_paragraph, cards))
            if len(cards) < MIN_REPEATS:
                # From a later repeat, the run stops at the same card: shorter still.
                self._bury(k, i, len(cards) + 1)
                continue
            if best is None or len(cards) * k > best.end - best.start:
                best = Run(i, k, cards)
        return best

    def _bury(self, k: int, i: int, repeats: int) -> None:
        self.dead.update((k, i + n * k) for n in range(1, repeats))


def _one_paragraph(card: list[Token]) -> bool:
    """A card's snippet is one paragraph (a carried article is too, on one line); only under a rail's header
    (which the rules removed) may a card carry an article of several paragraphs."""
    return all(len(t.blocks) == 1 for t in card if t.shape == "P")


def _join(runs: list[Run], toks: list[Token]) -> list[Run]:
    """A card that carries a whole article with subheadings breaks its run's rhythm: under a section header
    (a removed rail header above the run), two runs of the same unit with only short lines and prose between
    them are one run, the lines between them the end of the odd card."""
    joined: list[Run] = []
    for run in runs:
        if joined:
            last = joined[-1]
            gap = toks[last.end : run.start]
            headed = last.start > 0 and toks[last.start - 1].shape == "X"
            if headed and last.unit == run.unit and all(t.shape in ("S", "P") for t in gap):
                last.cards[-1] = [*last.cards[-1], *gap]
                last.cards.extend(run.cards)
                continue
        joined.append(run)
    return joined


def _prose_words(tokens_: list[Token]) -> int:
    return sum(count_words(b.text) for t in tokens_ if t.shape == "P" for b in t.blocks if b.verdict is None)


def _heading(toks: list[Token], run: Run) -> Block | None:
    if run.start == 0:
        return None
    before = toks[run.start - 1]
    if before.shape != "S" or len(before.blocks) != 1:
        return None
    block = before.blocks[0]
    if count_words(block.text) > HEADING_MAX_WORDS or ends_sentence(block.text):
        return None
    return block


def find_card_runs(page: Page) -> None:
    """Take runs of same-shaped cards that no article prose follows: their cards into `related`, their lines
    (and the section heading above them) out of the article; a page left with no article prose is a listing."""
    toks = page_tokens(page.blocks, page.stopwords)
    runs = find_runs(toks)
    in_runs = {i for run in runs for i in range(run.start, run.end)}
    runs += _single_cards(toks, in_runs)
    taken = 0
    for run in runs:
        after = [t for i, t in enumerate(toks[run.end :], run.end) if i not in in_runs]
        if _prose_words(after) >= ARTICLE_RESUMES_WORDS:
            continue
        heading = _heading(toks, run)
        if heading is not None:
            heading.verdict = RAIL_LINE
        for card in run.cards:
            blocks = [b for t in card for b in t.blocks if b.verdict in (None, RAIL_LINE)]
            if not blocks:
                continue
            page.take_card(_card_item(card), blocks)
            taken += 1
    if taken:
        decide_listing(page)


def _single_cards(toks: list[Token], in_runs: set[int]) -> list[Run]:
    """A lone card below the article: a headline and a metadata line (an outlet, an age), with at most two
    short lines around them and perhaps a count ("305" reactions), standing after the last of the article's
    prose ("More for You" / headline / "Dawgs By Nature" / "9h")."""
    prose = [_prose_words([t]) if i not in in_runs else 0 for i, t in enumerate(toks)]
    before = list(itertools.accumulate(prose, initial=0))
    cards: list[Run] = []
    for m, token in enumerate(toks):
        if token.shape != "M" or m in in_runs or before[m] < ARTICLE_RESUMES_WORDS:
            continue
        if before[-1] - before[m] >= ARTICLE_RESUMES_WORDS or (cards and m < cards[-1].end):
            continue
        start = m
        while start > 0 and m - start < 2 and toks[start - 1].shape == "S" and start - 1 not in in_runs:
            start -= 1
        end = m + 1
        while end < len(toks) and toks[end].shape in ("N", "M") and end not in in_runs and end - m < 2:
            end += 1
        card = toks[start:end]
        # What follows a lone card is the footer: not another headline, a snippet or cards already taken.
        after = toks[end] if end < len(toks) else None
        card_like = after is not None and (
            after.headline or after.shape == "P" or any(b.verdict == "related:card" for b in after.blocks)
        )
        if any(t.headline for t in card) and not card_like:
            cards.append(Run(start, len(card), [card]))
    return cards


def _card_item(card: list[Token]) -> RelatedItem:
    """A card as `RelatedItem`: its first headline-sized short line is the title; a metadata line gives the
    date and perhaps the outlet, else a short label beside the headline names the outlet; the snippet is its
    text (a carried article's paragraphs joined)."""
    live = [t for t in card if t.shape != "X"]
    head = live[: [t.shape for t in live].index("P")] if any(t.shape == "P" for t in live) else live
    title = next((t.blocks[0].text for t in head if t.headline), "")
    metas = [m for t in live if t.shape == "M" for m in [parse_meta(t.blocks[0].text)] if m is not None]
    date = next((m.date for m in metas if m.date), None)
    source = next((m.source for m in metas if m.source), None)
    if source is None:
        # (an outlet's name may be as long as a short headline: "Los Angeles Times")
        names = [t.blocks[0].text for t in head if t.shape == "S" and t.blocks[0].text != title]
        source = next((name for name in names if count_words(name) <= OUTLET_MAX_WORDS), None)
    text = "\n\n".join(b.text for t in live if t.shape == "P" for b in t.blocks)
    return RelatedItem(title=title, source=source, date=date, text=text)


def find_written_listing(page: Page) -> bool:
    """A listing as cleaner writes it (`Document.render`): perhaps a title, then paragraphs (set apart by blank
    lines) of one to three lines, each a card: a short line first (its title), perhaps its outlet and date, perhaps
    its snippet last. Read back as the same listing, so that cleaning a written listing changes nothing. Nothing
    else on the page: an article's paragraphs open with sentences."""
    paragraphs: list[list[Block]] = []
    for block in page.blocks:
        if block.verdict is not None:
            return False
        if not paragraphs or block.blank_before:
            paragraphs.append([])
        paragraphs[-1].append(block)
    # A first paragraph of one line is the title, unless every card is one line too (then it is one of them).
    title = paragraphs[0] if len(paragraphs) > 2 and len(paragraphs[0]) == 1 else None
    if title is not None and all(len(p) == 1 for p in paragraphs):
        title = None
    cards = paragraphs[1:] if title is not None else paragraphs
    shapes = [[_shape(block, set())[0] for block in card] for card in cards]
    if len(cards) < MIN_CARDS_IN_RAIL or not all(map(_written_card, shapes)):
        return False
    # Each card's title is of headline size (a list of one-word links is a menu).
    if not all(_shape(card[0], set())[1] for card in cards):
        return False
    if all(len(card) == 1 for card in cards) and (len(cards) < 3 or _list_items([card[0].text for card in cards])):
        return False
    if title is not None and _shape(title[0], set())[0] == "P":
        return False
    for card, card_shapes in zip(cards, shapes, strict=True):
        tokens_ = [
            Token(shape, (block,), _shape(block, set())[1]) for block, shape in zip(card, card_shapes, strict=True)
        ]
        page.take_card(_card_item(tokens_), card)
    if title is not None:
        title[0].verdict = "listing:chrome"
    page.listing = True
    return True


_DIGITS = re.compile(r"\d+")


def _list_items(lines: list[str]) -> bool:
    """Whether one-line paragraphs are an article's list, not cards: most open alike, numbers aside ("1a etapa:
    10 de março", "2a etapa: 8 de abril"), where the headlines of different stories do not."""
    openings = Counter(tuple(_DIGITS.sub("#", word) for word in tokens(line.casefold())[:2]) for line in lines)
    return openings.most_common(1)[0][1] * 2 > len(lines)


def _written_card(shapes: list[str]) -> bool:
    """A card's paragraph: a short line, then at most a metadata or short line and a snippet."""
    if not 1 <= len(shapes) <= 3 or shapes[0] not in ("S", "N"):
        return False
    return all(shape in ("S", "M") for shape in shapes[1:-1]) and (len(shapes) == 1 or shapes[-1] in ("S", "M", "P"))
