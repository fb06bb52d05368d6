"""What a block looks like, in numbers: the evidence the density filter and the card parser weigh.

Prose is long, made of stop words, punctuated into sentences; chrome is short, capitalised, bulleted, full of
digits and separators, or repeated. Word-based measures count characters in languages written without spaces.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from . import regexes
from .memo import LINE_CACHE_SIZE
from .meta import has_bullet, parse_meta

_WORD = regexes.compile(r"\w+")
_UNSPACED_CHAR = regexes.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_HIRAGANA = regexes.compile(r"[\u3040-\u309f、。]")
_SENTENCE_END = regexes.compile(r"[.!?。！？…](?:[\"'”’»)\]]*)$")
_INNER_SENTENCE = regexes.compile(r"[.!?。！？](?:[\"'”’»)]*)\s+[\"'“‘«(]?[A-ZА-ЯÀ-Ý]|[。！？]")
# Link-likeness: "https?://", "www.", ".com", "@name" or a file name ("\w.html"). Only whether there is one
# matters, so each is found from its mark (":", ".", "@") and checked behind it: a leading character class lets
# the engine skip from mark to mark instead of trying every alternative at every position.
_URLISH = regexes.compile(
    r"[.:@](?:(?<=https:)//|(?<=http:)//|(?<=www\.)|(?<=\.)com\b|(?<=@)\w|(?<=\w\.)(?:html?|php|aspx?)\b)",
    re.IGNORECASE,
)
_SEPARATOR = regexes.compile(r"[|·›»/\\]")
_COMMA = regexes.compile(r"[,;:，、]")
_DIGIT = regexes.compile(r"\d")
# "©", "(c)", "copyright" or "all rights reserved", found from their first character in the same way.
_COPYRIGHT = regexes.compile(r"[©(ca](?:(?<=©)|(?<=\()c\)|(?<=c)opyright|(?<=a)ll rights reserved)", re.IGNORECASE)

# Sentence-like blocks at least this long are prose for the head/tail boundaries and the card parser.
PROSE_MIN_WORDS = 10

# ASCII text (most lines of an English page) is measured without the regular expression engine, at a third of
# its cost. Among ASCII characters \w is [0-9A-Za-z_]: mapping every other one to a space, `split()` gives
# exactly the \w+ runs. \d is [0-9]. With IGNORECASE, the copyright marks' letters match only their own two
# cases in ASCII text (the other matches, such as "ſ" for "s", are not ASCII), so `lower()` finds them alike.
_ASCII_NON_WORD_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})
_ASCII_DIGITS_OUT = str.maketrans("", "", "0123456789")
_ASCII_COPYRIGHT_MARKS = ("(c)", "copyright", "all rights reserved")


def tokens(text: str) -> list[str]:
    r"""The `\w+` runs of `text` (its words, as the line features count them)."""
    if text.isascii():
        return text.translate(_ASCII_NON_WORD_TO_SPACE).split()
    return _WORD.findall(text)


def _digits(text: str) -> int:
    if text.isascii():
        return len(text) - len(text.translate(_ASCII_DIGITS_OUT))
    return len(_DIGIT.findall(text))


def _has_copyright(text: str) -> bool:
    if text.isascii():
        lowered = text.lower()
        return any(mark in lowered for mark in _ASCII_COPYRIGHT_MARKS)
    return bool(_COPYRIGHT.search(text))


@lru_cache(maxsize=LINE_CACHE_SIZE)
def count_words(text: str) -> int:
    """Words of a spaced script, plus half the characters of unspaced scripts (CJK, Thai)."""
    if text.isascii():
        return len(tokens(text))
    unspaced = len(_UNSPACED_CHAR.findall(text))
    if unspaced:
        spaced = len(_WORD.findall(_UNSPACED_CHAR.sub(" ", text)))
        return spaced + (unspaced + 1) // 2
    return len(_WORD.findall(text))


@lru_cache(maxsize=LINE_CACHE_SIZE)
def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


@lru_cache(maxsize=LINE_CACHE_SIZE)
def is_prose(text: str) -> bool:
    """A block that reads as a sentence of an article, judged on itself alone (cheap)."""
    return count_words(text) >= PROSE_MIN_WORDS and ends_sentence(text)


@dataclass(frozen=True)
class BlockFeatures:
    """The own features of one block; `model_row` is the density model's view of them."""

    chars: int
    words: int
    stop_ratio: float
    ends_sentence: bool
    ends_colon: bool
    sentences: int
    title_case: float
    all_caps: bool
    digit_ratio: float
    comma_ratio: float
    bullet: bool
    urlish: bool
    meta: bool
    separators: int
    copyright: bool
    avg_word_len: float
    repeated: bool
    blank_before: bool

    @cached_property
    def model_row(self) -> tuple[float, ...]:
        """What the density model reads of the block: its own vector, then the view its neighbours get of it
        (remembered on the object: hashing eighteen fields to look it up would cost as much as building it)."""
        return (*self._vector, *self.neighbour_view)

    @cached_property
    def neighbour_view(self) -> tuple[float, ...]:
        """The plain features a block's neighbours see (the last value flags an empty place: 0 for a block)."""
        return (
            math.log1p(self.words),
            self.stop_ratio,
            float(self.ends_sentence),
            float(self.ends_colon),
            float(self.meta),
            float(self.bullet),
            0.0,
        )

    @cached_property
    def _vector(self) -> tuple[float, ...]:
        return (
            math.log1p(self.chars),
            math.log1p(self.words),
            self.stop_ratio,
            float(self.ends_sentence),
            float(self.ends_colon),
            math.log1p(self.sentences),
            self.title_case,
            float(self.all_caps),
            self.digit_ratio,
            self.comma_ratio,
            float(self.bullet),
            float(self.urlish),
            float(self.meta),
            math.log1p(self.separators),
            float(self.copyright),
            min(self.avg_word_len, 15.0) / 15.0,
            float(self.repeated),
            float(self.blank_before),
        )


# Robustness guard: a block longer than this is measured on its first and last LONG_BLOCK_SAMPLE / 2 characters,
# its counts scaled to its length (its ratios are those of the whole to a fraction of a percent, and the model
# reads counts as logarithms), so that a 15 MB line costs what a long paragraph does, not seconds per pass.
LONG_BLOCK_CHARS = 50_000
LONG_BLOCK_SAMPLE = 20_000


@lru_cache(maxsize=LINE_CACHE_SIZE)
def block_features(
    text: str, stopwords: frozenset[str], *, repeated: bool = False, blank_before: bool = False
) -> BlockFeatures:
    """The features of one block (memoised: the fixed-point pass and a site's pages repeat lines). What the text
    alone decides is remembered apart from where the block stands (a repeat, after a blank line): the
    fixed-point pass sees the same lines with a blank line before each."""
    features = _text_features(text, stopwords)
    if repeated or blank_before:
        features = replace(features, repeated=repeated, blank_before=blank_before)
    return features


@lru_cache(maxsize=LINE_CACHE_SIZE)
def _text_features(text: str, stopwords: frozenset[str]) -> BlockFeatures:
    if len(text) > LONG_BLOCK_CHARS:
        half = LONG_BLOCK_SAMPLE // 2
        ends = text[:half] + " " + text[-half:]
        sample = _text_features(ends, stopwords)
        scale = len(text) / (LONG_BLOCK_SAMPLE + 1)
        return replace(
            sample,
            chars=len(text),
            words=count_words(text),
            sentences=round(sample.sentences * scale),
            separators=round(sample.separators * scale),
        )
    words_found = tokens(text)
    unspaced = 0 if text.isascii() else len(_UNSPACED_CHAR.findall(text))
    words = count_words(text) if unspaced else len(words_found)  # (what count_words counts in a spaced script)
    if unspaced > len(text) / 4:
        # No word boundaries: particles written in hiragana stand in for stop words.
        stop_ratio = len(_HIRAGANA.findall(text)) / max(1, len(text))
    elif stopwords:
        stop_ratio = sum(map(stopwords.__contains__, map(str.lower, words_found))) / max(1, len(words_found))
    else:
        stop_ratio = 0.0
    alpha_tokens = [t for t in words_found if t[0].isalpha()]
    sentence_end = ends_sentence(text)
    return BlockFeatures(
        chars=len(text),
        words=words,
        stop_ratio=stop_ratio,
        ends_sentence=sentence_end,
        ends_colon=text.endswith(":"),
        sentences=len(_INNER_SENTENCE.findall(text)) + int(sentence_end),
        title_case=sum(1 for t in alpha_tokens if t[0].isupper()) / max(1, len(alpha_tokens)),
        all_caps=len(text) >= 2 and text.isupper(),
        digit_ratio=_digits(text) / max(1, len(text)),
        comma_ratio=len(_COMMA.findall(text)) / max(1, words),
        bullet=has_bullet(text),
        urlish=bool(_URLISH.search(text)),
        meta=parse_meta(text) is not None,
        separators=len(_SEPARATOR.findall(text)),
        copyright=_has_copyright(text),
        avg_word_len=sum(map(len, words_found)) / max(1, len(words_found)),
        repeated=False,
        blank_before=False,
    )
