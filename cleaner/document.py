"""The values that flow through the pipeline and out of it.

A page becomes a list of `Block`s (one per non-blank line of the normalised text); each stage of the pipeline
marks blocks as removed (with the reason) or pulls facts out of them; `describe` turns what is left into a
`Document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

Kind = Literal["article", "listing", "empty"]


@dataclass(frozen=True)
class Removal:
    """A line the cleaner took out of the page, and why (a rule id such as `generic/share-bar`, or a
    density verdict such as `density:boilerplate`). `line` is where it stood in the normalised input (it orders
    the removals; it is not part of the output contract)."""

    text: str
    reason: str
    line: int | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}

    def __reduce__(self) -> tuple[type[Removal], tuple[str, str, int | None]]:
        # A plain tuple: a page's removals cross from worker to parent three times faster than as dataclass state.
        return Removal, (self.text, self.reason, self.line)


@dataclass(frozen=True)
class RelatedItem:
    """A teaser card for another article (a "Related Articles" rail, or one entry of a listing page)."""

    title: str
    source: str | None = None
    date: str | None = None
    text: str = ""

    def to_dict(self) -> dict[str, str | None]:
        return {"title": self.title, "source": self.source, "date": self.date, "text": self.text}

    def paragraph(self) -> str:
        """The card as text: its title, its source and date ("Al Jazeera · 12 hours ago"), its snippet."""
        said = " · ".join(part for part in (self.source, self.date) if part)
        return "\n".join(part for part in (self.title, said, self.text) if part)

    def __reduce__(self) -> tuple[type[RelatedItem], tuple[str, str | None, str | None, str]]:
        return RelatedItem, (self.title, self.source, self.date, self.text)


@dataclass
class Block:
    """One non-blank line of the normalised page, the unit every filter judges.

    `line` is its 1-based line number in the normalised text; `blank_before` tells whether a blank line stood
    above it (a paragraph break the scraper kept). `verdict` stays None while the block is kept; a filter that
    removes it sets the reason.
    """

    index: int
    line: int
    text: str
    blank_before: bool = False
    verdict: str | None = None

    @property
    def kept(self) -> bool:
        return self.verdict is None


@dataclass
class Document:
    """What `cleaner.clean()` returns: the article and what was learnt about the page.

    `text` is the body without the title, paragraphs separated by one blank line. `kind` is `article`, `listing`
    (a tag or topic page made only of teaser cards: its cards are in `related`, `text` is empty) or `empty`
    (nothing worth keeping). `removed` lists every line taken out, in page order, with the reason.
    """

    title: str = ""
    text: str = ""
    kind: Kind = "empty"
    language: str | None = None
    source: str | None = None
    date: str | None = None
    related: list[RelatedItem] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)

    def render(self) -> str:
        """The plain-text form written by `cleaner clean --format text`: title, a blank line, the body. A listing
        (whose `text` is empty: its cards are in `related`) is written from its fields as its title and then a
        paragraph per card (the card's title, its source and date, its snippet), so that nothing a listing page
        had is lost when it is written as text."""
        parts = [part for part in (self.title, self.text) if part]
        if self.kind == "listing":
            parts += [card.paragraph() for card in self.related]
        return "\n\n".join(parts) + ("\n" if parts else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of the output contract (without `id`, which belongs to the input)."""
        # The fields in their order, by hand: `asdict` would deep-copy every card and removal first, only for
        # them to be replaced by their dicts below.
        data = {name: getattr(self, name) for name in _DOCUMENT_FIELDS}
        data["related"] = [item.to_dict() for item in self.related]
        data["removed"] = [removal.to_dict() for removal in self.removed]
        return data


_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))
