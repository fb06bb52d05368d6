"""The knobs of one cleaning run, shared by the library API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PACKS: tuple[str, ...] = ("generic", "daily8")


@dataclass(frozen=True)
class Options:
    """How to clean.

    packs: names of the rule packs shipped with cleaner to apply (`cleaner rules` lists them).
    rule_files: paths of the user's own rule packs, applied after the shipped ones.
    title: the page's title when it is known from elsewhere (a JSONL record's `title`); then no title is guessed,
        and a copy of it at the top of the text is removed.
    density: run the density filters (off: only the rule packs and the segmentation cut).
    """

    packs: tuple[str, ...] = DEFAULT_PACKS
    rule_files: tuple[str | Path, ...] = ()
    title: str | None = None
    density: bool = True

    @classmethod
    def of(cls, **options: object) -> Options:
        """Build from keyword arguments, accepting lists where tuples are meant."""
        for key in ("packs", "rule_files"):
            if key in options and not isinstance(options[key], tuple):
                options[key] = tuple(options[key])  # type: ignore[arg-type]
        return cls(**options)  # type: ignore[arg-type]
