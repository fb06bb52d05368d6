"""The learned rule pack: what `cleaner learn` writes, as a reviewable TOML rule pack.

It is an ordinary rule pack (`cleaner/rules.py` loads it; `cleaner rules --rules FILE` checks it): one rule per
learned line, whose `phrases` is that line as it stood on its example page. Next to the fields the engine uses
(`id`, `action`, `where`, `phrases`, `max_words`, `note`) each rule records what it was learnt from: `site`,
`count` (on how many of the site's pages the line stands), `example` (one of them) and `position` (where it
usually stands: head, body, tail, listing, or marker of trailing teasers). The engine ignores those; a
reviewer reads them, and a comment above each rule says the same in words. Delete a rule to keep its line.

Removals by a learned rule are explained as `<pack>/<site>:<n>` (`learned/brightfold:3`).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from ..rules import DEFAULT_MAX_WORDS, RulePack, parse_pack

DEFAULT_NAME = "learned"
POSITIONS = ("head", "body", "tail", "listing", "marker")
_SLUG = re.compile(r"[^a-z0-9.]+")

_POSITION_WORDS = {
    "head": "head chrome",
    "body": "chrome inside the article",
    "tail": "tail chrome",
    "listing": "chrome of listing pages",
    "marker": "marker of trailing teasers",
}


@dataclass(frozen=True)
class LearnedRule:
    """One learned line and what it was learnt from."""

    site: str
    id: str
    action: str  # drop | truncate | rail
    where: str  # any | head | tail
    phrase: str  # the line as it stood on the example page
    count: int  # pages of the site the line stands on
    site_pages: int
    example: str  # one of those pages (the first by name)
    position: str  # one of POSITIONS
    max_words: int = DEFAULT_MAX_WORDS

    @property
    def share(self) -> float:
        return self.count / self.site_pages if self.site_pages else 0.0

    @property
    def note(self) -> str:
        what = _POSITION_WORDS.get(self.position, self.position)
        label = self.id.rpartition(":")[0] or self.site
        return f"Learned: {what}, on {self.count} of {self.site_pages} pages of {label}."


@dataclass(frozen=True)
class LeftOut:
    """A line past the threshold that was not learnt, and why (written as a comment, for the reviewer)."""

    site: str
    text: str
    pages: int
    reason: str


@dataclass(frozen=True)
class LearnedPack:
    """A learned pack: its rules, and the corpus they were learnt from (pages per site, thresholds)."""

    name: str
    rules: tuple[LearnedRule, ...]
    sites: dict[str, int] = field(default_factory=dict)
    min_docs: int = 0
    min_share: float = 0.0
    # What was left out, by reason (syndication, card part, known to the shipped packs...): counts of lines.
    left_out: dict[str, int] = field(default_factory=dict)
    # The most frequent of those lines per site and reason (comments in the TOML; not read back).
    examples_left_out: tuple[LeftOut, ...] = ()

    @property
    def documents(self) -> int:
        return sum(self.sites.values())

    @property
    def description(self) -> str:
        sites = len(self.sites)
        return (
            f"Chrome learnt from {self.documents} pages of {sites} site{'s' if sites != 1 else ''}: lines on at "
            f"least {self.min_docs} pages and {self.min_share:.0%} of their site's."
        )

    def to_toml(self) -> str:
        return render(self)

    def rule_pack(self, origin: str | None = None) -> RulePack:
        """The pack as the cleaning engine sees it."""
        return parse_pack(self.to_toml(), origin or f"{self.name} (learned)")


def toml_string(text: str) -> str:
    """A TOML basic string. JSON's escapes (\\" \\\\ \\n \\uXXXX...) are TOML's; DEL must be escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def representable(text: str) -> bool:
    """Whether a line can be written into a TOML file (lone surrogates, which JSON input may carry, cannot)."""
    return not any("\ud800" <= char <= "\udfff" for char in text)


def _comment(text: str) -> str:
    """Text fit for a TOML comment (which may hold no control characters): unprintable ones escaped."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def site_label(site: str) -> str:
    """A short name for a site in rule ids: its last path component or its host, lower case, [a-z0-9.] runs
    joined by '-'."""
    tail = site.rstrip("/").rsplit("/", 1)[-1] or site
    label = _SLUG.sub("-", tail.lower()).strip("-.")
    return label or "site"


def render(pack: LearnedPack) -> str:
    """The pack as TOML, grouped by site, with a comment above each rule."""
    lines = [
        f"# Rule pack learnt by `cleaner learn` from {pack.documents} pages of {len(pack.sites)} site(s).",
        "# Each rule removes one line that stands on many pages of its site: `count` says on how many, `example`",
        "# names one, `position` where it usually stands (head, body, tail, listing, or marker: the line above a",
        "# site's teaser cards, which ends the article). Apply it with `cleaner clean --rules FILE`; delete a rule",
        "# to keep its line.",
        "",
        "[pack]",
        f"name = {toml_string(pack.name)}",
        f"description = {toml_string(pack.description)}",
        f"min_docs = {pack.min_docs}",
        f"min_share = {pack.min_share!r}",
        "",
        "[pack.sites]",
        *(f"{toml_string(site)} = {pages}" for site, pages in sorted(pack.sites.items())),
    ]
    if pack.left_out:
        lines += ["", "[pack.left_out]"]
        lines += [f"{toml_string(reason)} = {count}" for reason, count in sorted(pack.left_out.items())]
    for site in sorted({rule.site for rule in pack.rules} | {item.site for item in pack.examples_left_out}):
        rules = [rule for rule in pack.rules if rule.site == site]
        lines += ["", f"# ── {_comment(site)}: {pack.sites.get(site, 0)} pages, {len(rules)} rules " + "─" * 20]
        for rule in rules:
            lines += ["", *_render_rule(rule)]
        skipped = [item for item in pack.examples_left_out if item.site == site]
        if skipped:
            lines += ["", f"# Left out on {_comment(site)} (the most frequent, by reason):"]
            lines += [f"#   {item.reason}: {item.text!r}, on {item.pages} pages" for item in skipped]
    return "\n".join(lines) + "\n"


def _render_rule(rule: LearnedRule) -> list[str]:
    what = _POSITION_WORDS.get(rule.position, rule.position)
    out = [
        f"# {what}: on {rule.count} of {rule.site_pages} pages ({rule.share:.0%}), e.g. {_comment(rule.example)}",
        "[[rules]]",
        f"id = {toml_string(rule.id)}",
        f"action = {toml_string(rule.action)}",
    ]
    if rule.where != "any":
        out.append(f"where = {toml_string(rule.where)}")
    if rule.max_words != DEFAULT_MAX_WORDS:
        out.append(f"max_words = {rule.max_words}")
    out += [
        f"phrases = [{toml_string(rule.phrase)}]",
        f"note = {toml_string(rule.note)}",
        f"site = {toml_string(rule.site)}",
        f"count = {rule.count}",
        f"example = {toml_string(rule.example)}",
        f"position = {toml_string(rule.position)}",
    ]
    return out


def read(text: str, origin: str = "<learned pack>") -> LearnedPack:
    """Read a pack `render` wrote back into a `LearnedPack` (checking that the engine loads it too)."""
    parse_pack(text, origin)
    data: dict[str, Any] = tomllib.loads(text)
    header = data.get("pack", {})
    sites = {str(site): int(pages) for site, pages in header.get("sites", {}).items()}
    rules = tuple(
        LearnedRule(
            site=raw["site"],
            id=raw["id"],
            action=raw["action"],
            where=raw.get("where", "any"),
            phrase=raw["phrases"][0],
            count=raw["count"],
            site_pages=sites.get(raw["site"], 0),
            example=raw["example"],
            position=raw["position"],
            max_words=raw.get("max_words", DEFAULT_MAX_WORDS),
        )
        for raw in data.get("rules", [])
    )
    return LearnedPack(
        name=header.get("name", DEFAULT_NAME),
        rules=rules,
        sites=sites,
        min_docs=header.get("min_docs", 0),
        min_share=header.get("min_share", 0.0),
        left_out={str(k): int(v) for k, v in header.get("left_out", {}).items()},
    )
