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

import heapq
import importlib.util
import io
import json
import math
import os
import random
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path
from types import MappingProxyType

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.utils.ngram import NGram

from .cache import named, store

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


@dataclass(frozen=True)
class _Profiles:
    """P(n-gram | language) as in langdetect's profiles, kept sparse: an n-gram's row holds its nonzero entries
    `values[starts[row]:starts[row + 1]]` in the `columns` (languages) given beside them. (Dense, the table is
    88,000 x 55 doubles: 39 MB a process would fill at start-up, for a few hundred rows per text.)"""

    languages: tuple[str, ...]  # the columns
    grams: _GramRows  # n-gram -> its row
    starts: np.ndarray  # (rows + 1,)
    columns: np.ndarray
    values: np.ndarray
    words: _WordRows  # the rows of the words met so far
    dense: _DenseRows  # dense copies of the rows met so far

    def row(self, gram: str) -> int | None:
        """The row of `gram`, None when no profile has it."""
        return self.grams[gram[-1]].get(gram) if gram else None

    def matrix(self, rows: list[int]) -> np.ndarray:
        """The dense rows `rows` (repeats included), one per n-gram of a text: (len(rows), languages)."""
        return self.dense.take(self, np.asarray(rows, dtype=np.intp))


class _DenseRows:
    """Dense copies of the profile rows that texts have needed so far, made as they are first needed: the texts
    of a corpus draw on a few thousand n-grams again and again, so this stays far smaller than the whole table."""

    def __init__(self, rows: int, languages: int) -> None:
        self.slot = np.full(rows, -1, dtype=np.intp)  # row -> its copy in `table`, or -1
        self.table = np.zeros((1024, languages))
        self.used = 0

    def take(self, profiles: _Profiles, index: np.ndarray) -> np.ndarray:
        slots = self.slot[index]
        if (slots < 0).any():
            missing = np.sort(index[slots < 0])
            # Each missing row once (not np.unique: its first call imports numpy.ma, 25 ms of every start-up).
            self._copy(profiles, missing[np.concatenate(([True], missing[1:] != missing[:-1]))])
            slots = self.slot[index]
        return self.table[slots]

    def _copy(self, profiles: _Profiles, new: np.ndarray) -> None:
        end = self.used + len(new)
        if end > len(self.table):
            grown = np.zeros((max(end, 2 * len(self.table)), self.table.shape[1]))
            grown[: self.used] = self.table[: self.used]
            self.table = grown
        starts = profiles.starts[new]
        counts = profiles.starts[new + 1] - starts
        # Where each new row's entries lie in `values`: its start, then one further per entry.
        positions = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        copies = np.repeat(np.arange(self.used, end), counts)
        self.table[copies, profiles.columns[positions]] = profiles.values[positions]
        self.slot[new] = np.arange(self.used, end)
        self.used = end


@dataclass(frozen=True)
class _Entries:
    """The profiles' nonzero entries, row by row: row r's are `P(n-gram r | languages[columns[i]]) =
    probabilities[i]` for i from `starts[r]` to `starts[r + 1] - 1`. The n-grams are numbered in groups by
    their last character and kept as one string: a process makes a dict of a group only when a text has that
    character (`_GramRows`)."""

    languages: tuple[str, ...]
    grams: str  # every n-gram in the order of its row, each followed by a NUL
    ends: str  # the last character of each group's n-grams, group by group
    group_rows: np.ndarray  # (groups + 1,): group g holds rows group_rows[g] to group_rows[g + 1] - 1,
    group_offsets: np.ndarray  # (groups + 1,): ... written from character group_offsets[g] of `grams` on
    starts: np.ndarray  # (rows + 1,)
    columns: np.ndarray
    probabilities: np.ndarray

    @property
    def row_count(self) -> int:
        return int(self.group_rows[-1])


def _grouped(grams: list[str]) -> tuple[str, str, np.ndarray, np.ndarray]:
    """`grams` (already in groups by last character) as `_Entries` keeps them."""
    ends = "".join(dict.fromkeys(gram[-1] for gram in grams))
    sizes = Counter(gram[-1] for gram in grams)
    group_rows = np.concatenate(([0], np.cumsum([sizes[end] for end in ends]))).astype(np.int64)
    ends_at = np.cumsum([len(gram) + 1 for gram in grams])  # the character after each n-gram's NUL
    group_offsets = np.concatenate(([0], ends_at[group_rows[1:] - 1])).astype(np.int64)
    return "".join(gram + "\0" for gram in grams), ends, group_rows, group_offsets


class _GramRows(dict):  # type: ignore[type-arg]
    """last character -> {n-gram ending in it: its row}. A group becomes a dict when a text first needs it: the
    whole table as one dict cost 17 ms of every start-up, and a page in one language needs a few dozen groups.
    Characters no profile has get an empty mapping, not stored (a text of every code point stays small)."""

    def __init__(self, entries: _Entries) -> None:
        super().__init__()
        self.grams = entries.grams
        self.group = {end: number for number, end in enumerate(entries.ends)}
        self.rows = entries.group_rows.tolist()
        self.offsets = entries.group_offsets.tolist()

    def __missing__(self, end: str) -> Mapping[str, int]:
        number = self.group.get(end)
        if number is None:
            return _NO_GRAMS
        names = self.grams[self.offsets[number] : self.offsets[number + 1] - 1].split("\0")
        self[end] = found = dict(zip(names, range(self.rows[number], self.rows[number + 1]), strict=True))
        return found


_NO_GRAMS: Mapping[str, int] = MappingProxyType({})


def _read_entries() -> _Entries:
    """langdetect's profile files: P(n-gram | language) = the n-gram's count over the language's count of
    n-grams of that length, as langdetect computes it (one IEEE division of the same two whole numbers, so the
    same bits); languages in the order langdetect loads them (directory order), so that its sums run in the
    same order; every n-gram of any profile is known, as in langdetect."""
    profiles = []
    for filename in os.listdir(PROFILES_DIRECTORY):
        path = os.path.join(PROFILES_DIRECTORY, filename)
        if filename.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as file:
            profiles.append(json.load(file))
    # Only n-grams langdetect can extract (one to three characters; a NUL could not be stored) get a row.
    grams = [
        gram
        for gram in dict.fromkeys(chain.from_iterable(profile["freq"] for profile in profiles))
        if 1 <= len(gram) <= 3 and "\0" not in gram
    ]
    grams.sort(key=lambda gram: gram[-1])  # stable: in groups by last character
    row = dict(zip(grams, range(len(grams)), strict=True))
    rows, columns, probabilities = [], [], []
    for column, profile in enumerate(profiles):
        freq: dict[str, int] = profile["freq"]
        lengths = np.fromiter(map(len, freq), dtype=np.intp, count=len(freq))
        counts = np.fromiter(freq.values(), dtype=np.float64, count=len(freq))
        found = np.fromiter((row.get(gram, -1) for gram in freq), dtype=np.int32, count=len(freq))
        usable = found >= 0
        n_words = np.asarray(profile["n_words"], dtype=np.float64)
        rows.append(found[usable])
        columns.append(np.full(int(usable.sum()), column, dtype=np.int16))
        probabilities.append(counts[usable] / n_words[lengths[usable] - 1])
    by_row = np.concatenate(rows)
    order = np.argsort(by_row, kind="stable")
    return _Entries(
        tuple(profile["name"] for profile in profiles),
        *_grouped(grams),
        np.searchsorted(by_row[order], np.arange(len(grams) + 1)),
        np.concatenate(columns)[order],
        np.concatenate(probabilities)[order],
    )


# --- a cache of the entries, keyed on langdetect's profile files --------------------------------------------------
# Reading the 55 JSON profiles and indexing their 184,000 entries is most of a process's start-up after the
# imports; the same entries as flat arrays load in a tenth of the time. The cache holds nothing but what the
# installed profile files give (its name is a digest of their names, sizes and modification times, so another
# langdetect, or edited profiles, make another file), is written atomically, and is only an optimisation: a
# missing, unwritable or unreadable cache means the profiles are read as they are.
_CACHE_FORMAT = 3  # 2: entries in the order of their rows; 3: n-grams in groups by last character, as one string


def _cache_path() -> Path:
    profiles = Path(PROFILES_DIRECTORY)
    return named(
        "langdetect-profiles", ".npz", map(profiles.joinpath, sorted(os.listdir(profiles))), str(_CACHE_FORMAT)
    )


def _load_entries(path: Path) -> _Entries | None:
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as data:  # np.load(path) leaks on errors
            entries = _Entries(
                tuple(data["languages"].tolist()),
                data["grams"].tobytes().decode("utf-8"),
                data["ends"].tobytes().decode("utf-8"),
                data["group_rows"],
                data["group_offsets"],
                data["starts"],
                data["columns"],
                data["probabilities"],
            )
    except (OSError, ValueError, KeyError, EOFError, UnicodeDecodeError, zipfile.BadZipFile):
        return None
    return entries if _well_formed(entries) else None


def _well_formed(entries: _Entries) -> bool:
    """Whether loaded entries hang together (a cache file is only trusted so far)."""
    starts = entries.starts
    if len(entries.columns) != len(entries.probabilities) or entries.probabilities.dtype != np.float64:
        return False
    if len(starts) != entries.row_count + 1 or starts[0] != 0 or starts[-1] != len(entries.columns):
        return False
    group_rows, group_offsets = entries.group_rows, entries.group_offsets
    if not len(entries.ends) + 1 == len(group_rows) == len(group_offsets):
        return False
    if group_rows[0] != 0 or group_offsets[0] != 0 or group_offsets[-1] != len(entries.grams):
        return False
    if (np.diff(group_rows) <= 0).any() or (np.diff(group_offsets) <= 0).any():
        return False
    if entries.grams.count("\0") != entries.row_count or not entries.grams.endswith("\0"):
        return False
    # Each group ends with an n-gram ending in its character.
    if any(entries.grams[end - 2] != last for end, last in zip(group_offsets[1:].tolist(), entries.ends, strict=True)):
        return False
    if (np.diff(starts) <= 0).any():  # every row has an entry
        return False
    return bool(entries.columns.min() >= 0 and entries.columns.max() < len(entries.languages))


def _save_entries(path: Path, entries: _Entries) -> None:
    # np.str_ arrays pad with NULs and strip them when read: a name ending in one could not come back as it was.
    if any(name.endswith("\0") for name in entries.languages):
        return
    buffer = io.BytesIO()
    np.savez(
        buffer,
        languages=np.array(entries.languages),
        grams=np.frombuffer(entries.grams.encode("utf-8"), dtype=np.uint8),
        ends=np.frombuffer(entries.ends.encode("utf-8"), dtype=np.uint8),
        group_rows=entries.group_rows,
        group_offsets=entries.group_offsets,
        starts=entries.starts,
        columns=entries.columns,
        probabilities=entries.probabilities,
    )
    store(path, buffer.getvalue())


def _entries() -> _Entries:
    try:
        path = _cache_path()
    except OSError:
        return _read_entries()
    entries = _load_entries(path) if path.is_file() else None
    if entries is None:
        entries = _read_entries()
        _save_entries(path, entries)
    return entries


@cache
def _profiles() -> _Profiles:
    """langdetect's profiles as a matrix (see `_read_entries`), from the cache when it holds them."""
    entries = _entries()
    grams = _GramRows(entries)
    columns = entries.columns.astype(np.intp)
    dense = _DenseRows(entries.row_count, len(entries.languages))
    return _Profiles(entries.languages, grams, entries.starts, columns, entries.probabilities, _WordRows(grams), dense)


def warm_up() -> None:
    """Load the profiles now (a few hundredths of a second from the cache, a tenth without), e.g. before forking
    workers that then share them."""
    _profiles()


# langdetect's random stream: one `random.Random(SEED)`, which every detection re-seeds, so every text draws from
# the same sequence of Mersenne Twister words. `getrandbits(32)` hands out those words one by one (numpy's MT19937
# from the same state gives the same words, but importing numpy.random cost more than drawing them);
# `_trials` reads its draws from them exactly as `random.choice` and `random.gauss` would.
_STREAM_WORDS = 1 << 10


@cache
def _stream(words: int = _STREAM_WORDS) -> np.ndarray:
    draw = random.Random(SEED).getrandbits
    return np.fromiter((draw(32) for _ in range(words)), dtype=np.uint32, count=words)


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


# Slack for the rounding of the running sums when deciding that the remaining trials cannot change the answer.
_DECIDED_SLACK = 1e-9


def _decided(total: np.ndarray, trials_left: int, trials: int) -> bool:
    """Whether the answer (the first language with the most, if it is over langdetect's threshold) is fixed
    whatever the `trials_left` walks bring: each adds at most 1/`trials` to any language, so a leader ahead of
    every other language by more than that many shares stays ahead, and a share over the threshold stays over."""
    first, second = np.partition(total, -2)[-2:][::-1] if len(total) > 1 else (total[0], 0.0)
    left = trials_left / trials
    return first - second > left + _DECIDED_SLACK and first > Detector.PROB_THRESHOLD + _DECIDED_SLACK


def _trials(grams: np.ndarray, *, answer_only: bool = False) -> np.ndarray:
    """langdetect's `Detector._detect_block` after extraction: `n_trial` random walks over the text's n-grams,
    each multiplying the language probabilities by one n-gram's (plus a smoothing weight) and normalising every
    fifth step until one language passes the convergence threshold; the walks' results averaged. The products
    between two normalisations are one `multiply.reduce` down [probabilities; the steps' rows], which multiplies
    in the same order as langdetect's successive `*=`; the normalising sum is Python's left-to-right one, and
    the maximum of the quotients is the quotient of the maximum (division by a positive number keeps order).

    `answer_only`: the caller reads only the best language and whether it passes the threshold, so the walks stop
    once the remaining ones cannot change that (`_decided`); the probabilities returned are then partial sums.
    Most texts are decided after four of the seven walks."""
    languages = grams.shape[1]
    draws = _Draws(len(grams))
    trials = 7  # langdetect's n_trial
    total = np.zeros(languages)
    for trial in range(trials):
        prob = np.full(languages, 1.0 / languages)
        weight = (Detector.ALPHA_DEFAULT + draws.gauss() * Detector.ALPHA_WIDTH) / Detector.BASE_FREQ
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
            prob = np.multiply.reduce(walk[first : last + 1], axis=0)  # steps first to last - 1 done
            values = prob.tolist()
            norm = sum(values)  # left to right, as langdetect's
            prob /= norm
            if max(values) / norm > Detector.CONV_THRESHOLD or last - 1 >= Detector.ITERATION_LIMIT:
                break
            first, last = last, last + 5
        draws.take(last)
        total += prob / trials
        if answer_only and _decided(total, trials - trial - 1, trials):
            break
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


def _ngram_rows(text: str, known: _WordRows) -> list[int]:
    """langdetect's `Detector._extract_ngrams` (an `NGram` window of three characters that restarts after each
    space and skips the inside of words in capitals), giving each known n-gram's row instead of the n-gram.

    The window starts afresh after every space, so the rows are those of each space-separated word (with the
    space that closes it) one after another; a word's rows are worked out once and remembered (`_WordRows`)."""
    words = text.translate(_normalised).split(" ")
    rows: list[int] = []
    extend = rows.extend
    for word in words[:-1]:
        if word:
            extend(known[word + " "])
    if words[-1]:  # the text's last word has no closing space: no n-grams ending in one
        extend(known[words[-1]])
    return rows


class _WordRows(dict):  # type: ignore[type-arg]
    """word (with its closing space, if any) -> the rows of its n-grams, filled as words are first met."""

    def __init__(self, grams: _GramRows) -> None:
        super().__init__()
        self.grams = grams

    def __missing__(self, word: str) -> tuple[int, ...]:
        if len(self) >= _REMEMBERED_WORDS:  # a corpus of ever new words: stay bounded
            self.clear()
        self[word] = rows = _window_rows(word, self.grams)
        return rows


_REMEMBERED_WORDS = 1 << 15  # a few megabytes; emptied when full


def _window_rows(word: str, table: _GramRows) -> tuple[int, ...]:
    """The rows of the n-grams langdetect's window yields over `word` (already normalised), starting as after
    a space: the word's characters, its pairs and triples, with the leading space; in a run of capitals only the
    first capital's. All three n-grams of a step end in its character: one group of `table` holds them."""
    rows: list[int] = []
    append = rows.append
    grams, capitals = " ", False
    for ch in word:
        last = grams[-1]
        if len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capitals = True
        else:
            capitals = False
        if capitals:
            continue
        find = table[ch].get
        if ch != " " and (index := find(ch)) is not None:
            append(index)
        if len(grams) >= 2 and (index := find(grams[-2:])) is not None:
            append(index)
        if len(grams) == 3 and (index := find(grams)) is not None:
            append(index)
    return tuple(rows)


@lru_cache(maxsize=256)
def _detect_sample(text: str) -> str | None:
    profiles = _profiles()
    rows = _ngram_rows(_detector_text(text), profiles.words)
    if not rows:  # no letters to judge by
        return None
    probabilities = _trials(profiles.matrix(rows), answer_only=True)
    best = int(probabilities.argmax())  # the first of equals, as langdetect's stable sort
    if probabilities[best] <= Detector.PROB_THRESHOLD:
        return Detector.UNKNOWN_LANG
    return profiles.languages[best]


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
