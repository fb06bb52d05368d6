"""The knobs of one cleaning run, shared by the library API and the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterable
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
        model may still trim such text when it doubts a fifth of its words or two fifths of its lines (a page whose
        chrome no pack knows can be laid out that way), and then tables, lists and short lines of an article
        cleaned from HTML can go.
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
        """Build from keyword arguments as a caller gives them: one pack name or rule file alone, or any iterable
        of them; every value's type is checked (a `TypeError` names the parameter)."""
        known = {"packs", "rule_files", "title", "density", "trust_clean"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unexpected option {unknown[0]!r} (cleaning options: {', '.join(sorted(known))})")
        values: dict[str, object] = dict(options)
        if "packs" in values:
            values["packs"] = names("packs", values["packs"], (str,))
        if "rule_files" in values:
            values["rule_files"] = names("rule_files", values["rule_files"], (str, os.PathLike))
        if values.get("title") is not None:
            expect("title", values["title"], str, "a str or None")
        for flag in ("density", "trust_clean"):
            if flag in values:
                expect(flag, values[flag], bool, "True or False")
        return cls(**values)  # type: ignore[arg-type]


def expect(name: str, value: object, types: type | tuple[type, ...], wanted: str) -> None:
    """A `TypeError` naming the parameter when `value` is not of `types`."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {wanted}, not {type(value).__name__}")


def names(name: str, value: object, types: tuple[type, ...]) -> tuple:
    """One item (a str, or a path for rule files) or an iterable of them, as a tuple: a lone string is one name,
    never its characters."""
    if isinstance(value, types):
        return (value,)
    wanted = "a str" if types == (str,) else "a str or path"
    if not isinstance(value, Iterable) or isinstance(value, bytes | dict):
        raise TypeError(f"{name} must be {wanted} or a list of them, not {type(value).__name__}")
    items = tuple(value)
    for item in items:
        expect(f"{name} item", item, types, wanted)
    return items
