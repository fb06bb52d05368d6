"""htmldate's list of month names, kept in cleaner's cache.

Before htmldate hands a string with a day and a month word to dateparser, it checks the word against the month
names of every dateparser locale (`htmldate.extractors.month_words`). Building that set imports dateparser and
loads all of its 200 locales: a tenth of a second, paid by every process at its first such page, which is more
than cleaning a page costs. The set depends on nothing but the installed htmldate and dateparser, so it is
worked out once and kept as a JSON list in cleaner's cache (`cleaner.cache`), named by a digest of htmldate's
version and both packages' files, and htmldate is given it from there. Like the profile cache, it is only an
optimisation: when the file is missing, broken or cannot be written, or htmldate no longer has the function,
htmldate builds the set itself, as it would without cleaner.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ..cache import named, read_json, store_json

_FORMAT = 1


def _cache_path(htmldate: Any, dateparser_spec: Any) -> Path:
    """Named by htmldate's version and both packages' files (an upgrade rewrites them: new sizes and times)."""
    origin = Path(dateparser_spec.origin)
    sources = (Path(htmldate.__file__), origin, origin.parent / "data" / "date_translation_data")
    return named("htmldate-months", ".json", sources, str(_FORMAT), htmldate.__version__)


def _load(path: Path) -> frozenset[str] | None:
    words = read_json(path)
    if not isinstance(words, list) or not words or not all(isinstance(word, str) for word in words):
        return None
    return frozenset(words)


def _save(path: Path, words: frozenset[str]) -> None:
    store_json(path, sorted(words))


@cache
def install() -> bool:
    """Give htmldate its month names from the cache (building and saving them the first time). True when
    htmldate now reads them from here."""
    import importlib.util

    try:
        import htmldate
        from htmldate import extractors
    except ImportError:
        return False
    original: Callable[[], frozenset[str]] | None = getattr(extractors, "month_words", None)
    original = getattr(original, "htmldate", original)  # installed before (the cache was cleared): htmldate's own
    spec = importlib.util.find_spec("dateparser")
    if original is None or not hasattr(original, "cache_info") or spec is None:
        return False  # another htmldate: leave it as it is
    try:
        path = _cache_path(htmldate, spec)
    except (OSError, TypeError):  # no digest, no cache: htmldate works as it does without one
        return False
    words = _load(path) if path.is_file() else None
    if words is None:
        words = frozenset(original())
        _save(path, words)

    def month_words() -> frozenset[str]:
        return words

    month_words.htmldate = original  # type: ignore[attr-defined]
    extractors.month_words = month_words  # has_date_cue looks the name up at each call
    return True
