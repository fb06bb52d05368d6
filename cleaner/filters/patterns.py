"""Pattern filter: apply the rule packs to every block.

Runs first, so that what the packs know for certain (chrome phrases, glued prefixes, metadata lines, the
header of a related rail) is settled before the density filter weighs what is left.
"""

from __future__ import annotations

from ..document import Removal
from ..features import is_prose
from ..page import Page
from ..rules import Rule, RuleMatch, RuleSet


def _strip(page: Page, rules: RuleSet) -> None:
    for block in page.blocks:
        for rule in rules.strip_rules:
            match = rule.pattern.search(block.text)  # type: ignore[union-attr]
            if match and match.group(0):
                rest = (block.text[: match.start()] + block.text[match.end() :]).strip()
                if rest:
                    page.stripped.append(Removal(match.group(0), rule.reason, block.line))
                    block.text = rest


def _prose_bounds(page: Page, matches: list[tuple[RuleMatch, ...]]) -> tuple[int, int]:
    """First and last block that reads as article prose; head and tail rules apply outside them. A sentence that a
    rule drops wherever it stands ("Comments are moderated") is chrome, not the article's last line."""
    prose = [
        block.index
        for block, found in zip(page.blocks, matches, strict=True)
        if is_prose(block.text) and not any(rule.where == "any" and rule.action == "drop" for rule, _ in found)
    ]
    if not prose:
        return len(page.blocks), -1
    return prose[0], prose[-1]


def _applies(rule: Rule, index: int, first_prose: int, last_prose: int) -> bool:
    if rule.where == "head":
        return index < first_prose
    if rule.where == "tail":
        return index > last_prose
    return True


def apply_rules(page: Page, rules: RuleSet) -> None:
    """Strip glued fragments, then drop whole lines, mark end markers and rail headers, and note metadata lines
    (`apply_extracts` settles them once the cards are known), by the first matching rule that fits."""
    _strip(page, rules)
    matches = [rules.matches(block.text) for block in page.blocks]
    first_prose, last_prose = _prose_bounds(page, matches)
    for block, candidates in zip(page.blocks, matches, strict=True):
        found = next((c for c in candidates if _applies(c[0], block.index, first_prose, last_prose)), None)
        if found is None:
            continue
        rule, captured = found
        if rule.action == "truncate":
            # An end marker above the article is just a line to drop; below it, the page is over.
            if page.tail_start is None and block.index > first_prose:
                page.tail_start = block.index
                page.tail_rule = rule
        elif rule.action == "rail":
            page.rail_starts.append(block.index)
        elif rule.action == "extract":
            # Decided after the card parser: an age line may be a card's, not the article's.
            page.pending_metadata.append((block, rule, captured))
            continue
        elif rule.action == "drop":
            page.dropped.add(block.index)
            page.missing = page.missing or rule.missing
        block.verdict = rule.reason


def apply_extracts(page: Page) -> None:
    """The metadata lines the extract rules found, less those the card parser took for a card's own: their
    values become the page's metadata (the first found wins) and the lines go."""
    for block, rule, captured in page.pending_metadata:
        in_tail = page.tail_start is not None and block.index > page.tail_start
        # A title line (a listing's header, "Latest news with #Izhevsk") names the page even where the listing's
        # chrome or the first card's lead-in swept it up; it is the title, moved rather than removed.
        names_page = "title" in captured and block.verdict in (None, "listing:chrome", "related:card")
        if (block.verdict is not None and not names_page) or in_tail:
            continue
        for key, value in captured.items():
            page.note_metadata(key, value)
        if not names_page:
            page.metadata_lines.add(block.index)
        block.verdict = "title" if names_page else rule.reason
    page.pending_metadata.clear()


# The verdict of what is left of a page that says it is missing: its menus and footer.
MISSING_PAGE_LINE = "missing:chrome"


def settle_missing_page(page: Page) -> None:
    """A page where a `missing` rule fired ("Page not found") and no sentence of prose is left after the density
    filter is empty: the lines left are its menus ("Read Later"), not an article."""
    kept = page.kept()
    if page.missing and not page.listing and kept and not any(is_prose(block.text) for block in kept):
        for block in kept:
            block.verdict = MISSING_PAGE_LINE
