"""The working state of one page as it moves through the filters.

Filters take a `Page` and mark its blocks (a block's `verdict` is the reason it was removed) or record what they
learnt (metadata, the start of the teaser tail, related cards, the title). `describe` turns it into a Document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Block, RelatedItem, Removal
from .meta import SEPARATORS
from .rules import Rule


@dataclass
class Page:
    blocks: list[Block]
    language: str | None = None
    stopwords: frozenset[str] = frozenset()
    metadata: dict[str, str] = field(default_factory=dict)
    # Where the article ends (a `truncate` rule's marker), the rule that said so, and rail headers (`rail`).
    tail_start: int | None = None
    tail_rule: Rule | None = None
    rail_starts: list[int] = field(default_factory=list)
    related: list[RelatedItem] = field(default_factory=list)
    # The blocks each of `related` was parsed from, in the same order (a card may be given back to the article).
    card_blocks: list[tuple[Block, ...]] = field(default_factory=list)
    # Blocks the cards were parsed from are marked with a verdict too; a listing has no article of its own.
    listing: bool = False
    title: str = ""
    # Fragments cut out of kept lines by `strip` rules (whole removed lines are the blocks' verdicts).
    stripped: list[Removal] = field(default_factory=list)
    # Lines a `drop` rule removed (a listen button, a share bar): chrome, never the article's metadata even when
    # shaped like it ("Listen · 4 min" reads like "Reuters · 3h").
    dropped: set[int] = field(default_factory=set)
    # A `missing` rule fired: the page says it is missing ("Page not found").
    missing: bool = False
    # Lines an `extract` rule matched, with what it captured, until the card parser has had its pick ...
    pending_metadata: list[tuple[Block, Rule, dict[str, str]]] = field(default_factory=list)
    # ... and then those that gave the page its metadata (a byline, a date): the header's lines.
    metadata_lines: set[int] = field(default_factory=set)
    # No rule pack found anything on the page (`shows_chrome` after the rules ran): text that is already clean,
    # such as a cleaned article, which the later filters treat with care (see `cleaner.pipeline.prepare`).
    clean: bool = False

    def shows_chrome(self) -> bool:
        """Whether the rule packs found chrome: a removed line, a cut fragment, a metadata line, an end marker
        or a rail header (call it after `apply_rules`, before the card parser marks its own lines)."""
        return (
            any(block.verdict is not None for block in self.blocks)
            or bool(self.stripped or self.pending_metadata or self.rail_starts)
            or self.tail_start is not None
        )

    def take_card(self, item: RelatedItem, blocks: list[Block] | tuple[Block, ...]) -> None:
        """Record a teaser card and remove the blocks it was parsed from from the article."""
        self.related.append(item)
        self.card_blocks.append(tuple(blocks))
        for block in blocks:
            block.verdict = "related:card"

    def kept(self) -> list[Block]:
        return [block for block in self.blocks if block.verdict is None]

    def note_metadata(self, key: str, value: str | None) -> None:
        """Record a fact about the page; the first one found wins (the head of the page comes first)."""
        # An outlet glued to its age keeps the separator between them ("Bloomberg - 2 hours ago").
        value = value.strip(SEPARATORS if key == "source" else None) if value else value
        if value and key not in self.metadata:
            self.metadata[key] = value
