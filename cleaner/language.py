"""Language: which stop list judges a page, and which language the cleaned article is in.

Detection is langdetect's: its profiles, its text cleaning and n-gram extraction, and its seeded random trials,
so that the same text always gets the same answer (it samples at random otherwise). Its trial loop multiplies
55-language probability lists in pure Python, a few thousand times per text: `_trials` runs the same loop,
with the same random draws and the same floating-point operations in the same order, on numpy vectors over a
matrix of the profiles, and so gives langdetect's answer bit for bit in less time (`tests/test_language.py`
compares the two). It still runs on a short sample: the longest lines of the text, which are prose on nearly
every page. The page before cleaning and the article after it usually yield the same sample, and then the
answer is reused from a small cache.

Stop lists are jusText's (shipped in its package, a dependency of trafilatura), read from its data files
without importing it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

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
    longest = sorted(range(len(lines)), key=lambda i: (-len(lines[i]), i))[:SAMPLE_LINES]
    return "\n".join(lines[i][:SAMPLE_CHARS_PER_LINE] for i in sorted(longest))


@dataclass(frozen=True)
class _Profiles:
    factory: DetectorFactory  # creates detectors that clean the text and extract its n-grams
    row: dict[str, int]  # n-gram -> its row in `table`
    table: np.ndarray  # (n-grams, languages): P(n-gram | language), as in langdetect's profiles


@cache
def _profiles() -> _Profiles:
    """langdetect's profiles, read straight into a matrix: P(n-gram | language) = the n-gram's count over the
    language's count of n-grams of that length, as langdetect computes it; languages in the order langdetect
    loads them (directory order), so that its sums run in the same order."""
    languages: list[str] = []
    row: dict[str, int] = {}
    entries: list[tuple[list[int], list[float]]] = []
    for filename in os.listdir(PROFILES_DIRECTORY):
        path = os.path.join(PROFILES_DIRECTORY, filename)
        if filename.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as file:
            profile = json.load(file)
        languages.append(profile["name"])
        n_words = profile["n_words"]
        rows, probabilities = [], []
        for gram, count in profile["freq"].items():
            index = row.setdefault(gram, len(row))  # every n-gram is known, as in langdetect
            if 1 <= len(gram) <= 3:
                rows.append(index)
                probabilities.append(count / n_words[len(gram) - 1])
        entries.append((rows, probabilities))
    table = np.zeros((len(row), len(languages)))
    for column, (rows, probabilities) in enumerate(entries):
        table[rows, column] = probabilities
    factory = DetectorFactory()
    factory.langlist = languages
    # Extraction only asks whether an n-gram is known, which the row index answers.
    factory.word_lang_prob_map = row  # type: ignore[assignment]
    factory.set_seed(SEED)
    return _Profiles(factory, row, table)


def warm_up() -> None:
    """Load the profiles now (a quarter of a second), e.g. before forking workers that then share them."""
    _profiles()


def _trials(table: np.ndarray, rows: list[int]) -> np.ndarray:
    """langdetect's `Detector._detect_block` after extraction: `n_trial` random walks over the text's n-grams,
    each multiplying the language probabilities by one n-gram's (plus a smoothing weight) and normalising every
    fifth step until one language passes the convergence threshold; the walks' results averaged."""
    grams = table[rows]
    languages = table.shape[1]
    rng = random.Random()
    rng.seed(SEED)
    picks = range(len(rows))
    trials = 7  # langdetect's n_trial
    total = np.zeros(languages)
    for _ in range(trials):
        prob = np.full(languages, 1.0 / languages)
        alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        smoothed = grams + alpha / Detector.BASE_FREQ
        step = 0
        while True:
            prob *= smoothed[rng.choice(picks)]
            if step % 5 == 0:
                prob /= sum(prob.tolist())  # a left-to-right sum, as langdetect's
                if prob.max() > Detector.CONV_THRESHOLD or step >= Detector.ITERATION_LIMIT:
                    break
            step += 1
        total += prob / trials
    return total


@lru_cache(maxsize=256)
def _detect_sample(text: str) -> str | None:
    profiles = _profiles()
    detector = profiles.factory.create()
    detector.append(text)
    detector.cleaning_text()
    rows = [profiles.row[gram] for gram in detector._extract_ngrams()]
    if not rows:  # no letters to judge by
        return None
    ranked = detector._sort_probability(_trials(profiles.table, rows).tolist())
    return ranked[0].lang if ranked else Detector.UNKNOWN_LANG


def detect_language(lines: list[str]) -> str | None:
    """ISO 639-1 code (langdetect's, e.g. `en`, `pt`, `zh-cn`) of the text made of `lines`, or None."""
    text = sample(lines)
    if not any(ch.isalpha() for ch in text):
        return None
    return _detect_sample(text)
