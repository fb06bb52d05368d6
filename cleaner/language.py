"""Language: which stop list judges a page, and which language the cleaned article is in.

Detection is langdetect, seeded so that the same text always gets the same answer (it samples at random
otherwise). It costs about a millisecond and a half per call whatever the length, so it runs on a short sample:
the longest lines of the text, which are prose on nearly every page. The page before cleaning and the article
after it usually yield the same sample, and then the answer is reused from a small cache.

Stop lists are jusText's (shipped in its package, a dependency of trafilatura), read from its data files
without importing it.
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from pathlib import Path

from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0

SAMPLE_LINES = 2
SAMPLE_CHARS_PER_LINE = 160

# langdetect's ISO 639-1 codes -> the name of jusText's stop list for that language.
_STOPLIST_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French", "gu": "Gujarati", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "kn": "Kannada",
    "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese",
}  # fmt: skip


def _stoplist_dir() -> Path | None:
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "stoplists"


@cache
def stopwords(language: str | None) -> frozenset[str]:
    """The stop words of `language` (lower case), or an empty set where there is no list for it."""
    name = _STOPLIST_NAMES.get(language or "")
    directory = _stoplist_dir()
    if name is None or directory is None:
        return frozenset()
    path = directory / f"{name}.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(word.strip().lower() for word in path.read_text(encoding="utf-8").split("\n") if word.strip())


def sample(lines: list[str]) -> str:
    """The text langdetect sees: the longest lines, in page order, each cut to a bounded length."""
    if not lines:
        return ""
    longest = sorted(range(len(lines)), key=lambda i: (-len(lines[i]), i))[:SAMPLE_LINES]
    return "\n".join(lines[i][:SAMPLE_CHARS_PER_LINE] for i in sorted(longest))


@lru_cache(maxsize=256)
def _detect_sample(text: str) -> str | None:
    try:
        return detect(text)
    except LangDetectException:  # no letters to judge by
        return None


def detect_language(lines: list[str]) -> str | None:
    """ISO 639-1 code (langdetect's, e.g. `en`, `pt`, `zh-cn`) of the text made of `lines`, or None."""
    text = sample(lines)
    if not any(ch.isalpha() for ch in text):
        return None
    return _detect_sample(text)
