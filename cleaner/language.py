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
import math
import os
import random
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.utils.ngram import NGram

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
    languages: tuple[str, ...]  # the table's columns
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
    return _Profiles(tuple(languages), row, table)


def warm_up() -> None:
    """Load the profiles now (a quarter of a second), e.g. before forking workers that then share them."""
    _profiles()


# langdetect's random stream: one `random.Random(SEED)`, which every detection re-seeds, so every text draws from
# the same sequence of Mersenne Twister words. numpy's MT19937 started from that state gives the same words,
# all at once; `_trials` reads its draws from them exactly as `random.choice` and `random.gauss` would.
_STREAM_WORDS = 1 << 10


@cache
def _stream(words: int = _STREAM_WORDS) -> np.ndarray:
    state = random.Random(SEED).getstate()[1]
    generator = np.random.MT19937()
    generator.state = {
        "bit_generator": "MT19937",
        "state": {"key": np.array(state[:624], dtype=np.uint32), "pos": state[624]},
    }
    return generator.random_raw(words).astype(np.uint32)


def _unit(stream: np.ndarray, at: int) -> float:
    """`random.random()` from the two words at `at`."""
    high, low = int(stream[at]) >> 5, int(stream[at + 1]) >> 6
    return (high * 67108864.0 + low) * (1.0 / 9007199254740992.0)


class _Draws:
    """The draws of langdetect's trial loop over a text of `count` n-grams: `random.gauss` (two normals from four
    words, the second kept for the next call) and `random.choice` (a word's top bits, rejected when too big)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.at = 0  # the next unread word of the stream
        self.spare: float | None = None
        self._read(_stream())

    def _read(self, stream: np.ndarray) -> None:
        self.stream = stream
        picks = stream >> np.uint32(32 - self.count.bit_length())
        self.positions = np.flatnonzero(picks < self.count)  # the words `choice` accepts
        self.values = picks[self.positions].astype(np.intp)
        self.next = int(np.searchsorted(self.positions, self.at))  # the first accepted word not yet read

    def gauss(self) -> float:
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        while self.at + 4 > len(self.stream):
            self._read(_stream(len(self.stream) * 2))
        angle = _unit(self.stream, self.at) * (2.0 * math.pi)
        radius = math.sqrt(-2.0 * math.log(1.0 - _unit(self.stream, self.at + 2)))
        self.at += 4
        self.next = int(np.searchsorted(self.positions, self.at))
        self.spare = math.sin(angle) * radius
        return math.cos(angle) * radius

    def peek(self, steps: int) -> np.ndarray:
        """The next `steps` choices, not yet taken."""
        while self.next + steps > len(self.values):
            self._read(_stream(len(self.stream) * 2))  # a long walk: more words (rare on real text)
        return self.values[self.next : self.next + steps]

    def take(self, steps: int) -> None:
        self.next += steps
        self.at = int(self.positions[self.next - 1]) + 1


# Choices drawn ahead for one walk (most walks converge within a hundred steps); more when a walk is longer.
_LOOKAHEAD = 128


def _trials(table: np.ndarray, rows: list[int]) -> np.ndarray:
    """langdetect's `Detector._detect_block` after extraction: `n_trial` random walks over the text's n-grams,
    each multiplying the language probabilities by one n-gram's (plus a smoothing weight) and normalising every
    fifth step until one language passes the convergence threshold; the walks' results averaged. The products
    between two normalisations are one `multiply.reduce` down [probabilities; the steps' rows], which multiplies
    in the same order as langdetect's successive `*=`; the normalising sum is Python's left-to-right one, and
    the maximum of the quotients is the quotient of the maximum (division by a positive number keeps order)."""
    grams = table[rows]
    languages = table.shape[1]
    draws = _Draws(len(rows))
    trials = 7  # langdetect's n_trial
    total = np.zeros(languages)
    for _ in range(trials):
        prob = np.full(languages, 1.0 / languages)
        weight = (Detector.ALPHA_DEFAULT + draws.gauss() * Detector.ALPHA_WIDTH) / Detector.BASE_FREQ
        steps = 0
        ahead = _LOOKAHEAD
        # walk[k + 1] is the smoothed row of step k; walk[first] is overwritten with the probabilities so far.
        walk = np.empty((ahead + 1, languages))
        np.add(grams[draws.peek(ahead)], weight, out=walk[1:])
        first, last = 0, 1  # step 0 normalises alone, then every fifth step
        while True:
            if last >= ahead + 1:  # a long walk: draw further ahead
                ahead *= 2
                longer = np.empty((ahead + 1, languages))
                longer[: len(walk)] = walk
                np.add(grams[draws.peek(ahead)[len(walk) - 1 :]], weight, out=longer[len(walk) :])
                walk = longer
            walk[first] = prob
            prob = np.multiply.reduce(walk[first : last + 1], axis=0)
            steps = last
            values = prob.tolist()
            norm = sum(values)  # left to right, as langdetect's
            prob /= norm
            if max(values) / norm > Detector.CONV_THRESHOLD or steps - 1 >= Detector.ITERATION_LIMIT:
                break
            first, last = last, last + 5
        draws.take(steps)
        total += prob / trials
    return total


class _Normalised(dict):  # type: ignore[type-arg]
    """`str.translate` table of langdetect's per-character normalisation, filled as characters are first met."""

    def __missing__(self, code: int) -> str:
        if len(self) >= _NORMALISED_CHARS:  # a page of every code point: stay bounded
            self.clear()
        self[code] = mapped = NGram.normalize(chr(code))
        return mapped


_NORMALISED_CHARS = 1 << 16
_normalised = _Normalised()
_SPACES = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")
_NON_LATIN = re.compile(r"[^\x00-\u02ff\u1e00-\u1eff]")


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


_MAX_TEXT_LENGTH = 10000  # langdetect's Detector.max_text_length


def _ngram_rows(text: str, row: dict[str, int]) -> list[int]:
    """langdetect's `Detector._extract_ngrams` (an `NGram` window of three characters that restarts after each
    space and skips the inside of words in capitals), giving each known n-gram's row instead of the n-gram."""
    rows: list[int] = []
    append, find = rows.append, row.get
    grams, capitals = " ", False
    for ch in text.translate(_normalised):
        last = grams[-1]
        if last == " ":
            grams, capitals = " ", False
            if ch == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capitals = True
        else:
            capitals = False
        if capitals:
            continue
        if ch != " " and (index := find(ch)) is not None:
            append(index)
        if len(grams) >= 2 and (index := find(grams[-2:])) is not None:
            append(index)
        if len(grams) == 3 and (index := find(grams)) is not None:
            append(index)
    return rows


@lru_cache(maxsize=256)
def _detect_sample(text: str) -> str | None:
    profiles = _profiles()
    rows = _ngram_rows(_detector_text(text), profiles.row)
    if not rows:  # no letters to judge by
        return None
    probabilities = _trials(profiles.table, rows)
    best = int(probabilities.argmax())  # the first of equals, as langdetect's stable sort
    if probabilities[best] <= Detector.PROB_THRESHOLD:
        return Detector.UNKNOWN_LANG
    return profiles.languages[best]


def detect_language(lines: list[str]) -> str | None:
    """ISO 639-1 code (langdetect's, e.g. `en`, `pt`, `zh-cn`) of the text made of `lines`, or None."""
    text = sample(lines)
    if not any(ch.isalpha() for ch in text):
        return None
    return _detect_sample(text)
