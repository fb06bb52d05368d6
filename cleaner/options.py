"""The knobs of one cleaning run, shared by the library API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .normalise import one_line

DEFAULT_PACKS: tuple[str, ...] = ("generic", "daily8")


@dataclass(frozen=True)
class Options:
    """How to clean.

    packs: names of the rule packs shipped with cleaner to apply (`cleaner rules` lists them).
    rule_files: paths of the user's own rule packs, applied after the shipped ones.
    title: the page's title when it is known from elsewhere (a JSONL record's `title`); then no title is guessed,
        and a copy of it at the top of the text is removed.
    density: run the density filters (off: only the rule packs and the segmentation cut).
    trust_clean: text that already looks cleaned (a blank line before every paragraph, and no chrome any rule pack
        knows) is not trimmed by the density model at all. For corpora of cleaner's own outputs: by default the
        model may still trim such text when it doubts a tenth of it or more (a page whose chrome no pack knows can
        be laid out that way), and then tables, lists and short lines of an article cleaned from HTML can go.
    """

    packs: tuple[str, ...] = DEFAULT_PACKS
    rule_files: tuple[str | Path, ...] = ()
    title: str | None = None
    density: bool = True
    trust_clean: bool = False

    def __post_init__(self) -> None:
        # A known title is set against the text's lines, which are normalised, and written out as the title: it
        # takes their form too (a JSONL record's title may hold control characters or odd spaces; a title of
        # nothing is none). Otherwise a cleaned text whose first line is that title would not be a fixed point.
        if self.title is not None:
            object.__setattr__(self, "title", one_line(self.title) or None)

    @classmethod
    def of(cls, **options: object) -> Options:
        """Build from keyword arguments, accepting lists where tuples are meant."""
        for key in ("packs", "rule_files"):
            if key in options and not isinstance(options[key], tuple):
                options[key] = tuple(options[key])  # type: ignore[arg-type]
        return cls(**options)  # type: ignore[arg-type]
