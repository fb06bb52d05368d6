"""Language: which stop list judges a page, and which language the cleaned article is in.

Detection is langdetect's: its profiles, its text cleaning and n-gram extraction, and its seeded random trials,
so that the same text always gets the same answer (it samples at random otherwise). Its trial loop multiplies
55-language probability lists in pure Python, a few thousand times per text; the compiled core
(`cleaner._core.Language`, rust/src/language.rs) runs langdetect's n-gram window and the same loop, with the same
random draws and the same floating-point operations in the same order, over the profile files of the installed
langdetect, and so gives langdetect's answer bit for bit in less time (`tests/test_language.py` compares the two).
Python keeps what needs Python's Unicode tables: langdetect's own text cleaning and per-character
normalisation, and the upper-case test where Rust's newer tables differ. Detection runs on a short sample: the
longest lines of the text, which are prose on nearly every page. The page before cleaning and the article after
it usually yield the same sample, and then the answer is reused from a small cache.

Stop lists are jusText's (shipped in its package, a dependency of trafilatura), read from its data files
without importing it.
"""

from __future__ import annotations

import heapq
import importlib.util
import os
import re
from functools import cache, lru_cache
from pathlib import Path

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.utils.ngram import NGram

from ._core import Language

SEED = 0
DetectorFactory.seed = SEED  # for anyone calling langdetect.detect itself in this process

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
    lengths = list(map(len, lines))
    longest = heapq.nlargest(SAMPLE_LINES, range(len(lines)), key=lengths.__getitem__)  # stable: first of equals
    return "\n".join(lines[i][:SAMPLE_CHARS_PER_LINE] for i in sorted(longest))


def profile_paths(directory: str = PROFILES_DIRECTORY) -> list[str]:
    """langdetect's profile files, in the order its `DetectorFactory.load_profile` reads them (directory order,
    hidden files and folders left out): the order of its languages, and so of its sums."""
    paths = (os.path.join(directory, name) for name in os.listdir(directory) if not name.startswith("."))
    return [path for path in paths if os.path.isfile(path)]


_TRIALS = 7  # langdetect's Detector.n_trial (set per detector, not a class constant)


@cache
def _detector() -> Language:
    """The core's detector over the installed langdetect's profiles and constants."""
    return Language(
        profile_paths(),
        seed=SEED,
        trials=_TRIALS,
        alpha=Detector.ALPHA_DEFAULT,
        alpha_width=Detector.ALPHA_WIDTH,
        base_freq=Detector.BASE_FREQ,
        conv_threshold=Detector.CONV_THRESHOLD,
        iteration_limit=Detector.ITERATION_LIMIT,
        prob_threshold=Detector.PROB_THRESHOLD,
        # langdetect normalises with Python's `sum`, which compensates its rounding from Python 3.12 on
        compensated_sum=sum([1e16, 1.0, -1e16]) == 1.0,
    )


@cache
def _languages() -> tuple[str, ...]:
    return tuple(_detector().languages)


def warm_up() -> None:
    """Load the profiles now (a few hundredths of a second), e.g. before forking workers that then share them."""
    _languages()


class _Normalised(dict):  # type: ignore[type-arg]
    """`str.translate` table of langdetect's per-character normalisation, filled as characters are first met."""

    def __missing__(self, code: int) -> str:
        if len(self) >= _NORMALISED_CHARS:  # a page of every code point: stay bounded
            self.clear()
        self[code] = mapped = NGram.normalize(chr(code))
        for char in mapped:
            # langdetect's window asks `str.isupper` of each normalised character; where Rust's Unicode tables
            # (a newer version) say otherwise, the core is told Python's answer
            if char.isupper() != Language.rust_upper(ord(char)):
                _detector().set_upper(ord(char), char.isupper())
        return mapped


_NORMALISED_CHARS = 1 << 16
_normalised = _Normalised()
_SPACES = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")
# langdetect means to leave Latin Extended Additional (U+1E00-1EFF) out of its non-Latin count, but compares its
# block number with the block's name, which never match: every character from U+0300 on counts.
_NON_LATIN = re.compile(r"[^\x00-\u02ff]")
_MAX_TEXT_LENGTH = 10000  # langdetect's Detector.max_text_length


def _detector_text(text: str) -> str:
    """What langdetect's `Detector.append` then `cleaning_text` make of `text`: URLs and e-mail addresses out,
    Vietnamese marks composed, cut to its length limit, runs of spaces made one; and when non-Latin letters
    outnumber Latin ones twice over, the Latin ones taken out."""
    text = Detector.MAIL_RE.sub(" ", Detector.URL_RE.sub(" ", text))
    text = _SPACES.sub(" ", NGram.normalize_vi(text)[:_MAX_TEXT_LENGTH])
    without_latin, latin = _LATIN.subn("", text)
    if latin * 2 < len(_NON_LATIN.findall(text)):
        return without_latin
    return text


def detector_input(text: str) -> bytes:
    """What the core's detector reads of `text`: langdetect's cleaning of it, each character normalised as
    langdetect's n-gram window normalises it, as UTF-8 (a lone surrogate passed as its three bytes)."""
    return _detector_text(text).translate(_normalised).encode("utf-8", "surrogatepass")


@lru_cache(maxsize=256)
def _detect_sample(text: str) -> str | None:
    answer = _detector().detect(detector_input(text))
    if answer is None:  # no letters to judge by
        return None
    return Detector.UNKNOWN_LANG if answer < 0 else _languages()[answer]


# Under this many letters langdetect's answer is noise ("hi" reads as Swahili): no language rather than a guess.
MIN_LETTERS = 10


def detect_language(lines: list[str]) -> str | None:
    """ISO 639-1 code (langdetect's, e.g. `en`, `pt`, `zh-cn`) of the text made of `lines`, or None (also for
    text of fewer than MIN_LETTERS letters)."""
    text = sample(lines)
    if sum(ch.isalpha() for ch in text[: MIN_LETTERS * 4]) < MIN_LETTERS and _letters(text) < MIN_LETTERS:
        return None
    return _detect_sample(text)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)
