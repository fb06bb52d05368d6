"""Stage 1: make the text comparable before anything judges it.

Unicode NFC, one kind of line ending, no BOM, no control or zero-width characters, no odd spaces, no trailing
whitespace, runs of spaces folded. Blank lines are kept (they mark paragraph breaks) but runs of them folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Zero-width and directional marks scrapers leave behind; they make equal lines compare unequal.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e]")
# C0/C1 control characters other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Every run of Unicode space separators (NBSP, thin space, ideographic space...) and tabs becomes one plain
# space, in two fast scans: odd spaces become plain ones, then runs of plain spaces one. (One expression for both,
# "an odd space, or a space and more", was tried at every plain space of the page: three times slower.)
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN = re.compile(r"  +")
# Invisible and control characters go in one scan.
_DROPPED = re.compile(f"{_INVISIBLE.pattern}|{_CONTROL.pattern}")
_BLANK_RUNS = re.compile(r"\n{3,}")
# Robustness guard: Unicode's stream-safe limit (UAX #15) of 30 combining marks in a row. Longer runs ("Zalgo"
# text) only decorate, and NFC sorts a run in time quadratic in its length (50,000 marks: minutes), so they are
# cut to 30 before normalising. Only text that is not already NFC is scanned for them.
MAX_MARK_RUN = 30


@cache
def _mark_runs() -> re.Pattern[str]:
    """Runs of more than MAX_MARK_RUN combining characters (built on first need: ~15 ms)."""
    marks = [code for code in range(0x300, 0x1F000) if unicodedata.combining(chr(code))]
    ranges: list[list[int]] = []
    for code in marks:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    members = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)
    return re.compile(f"[{members}]{{{MAX_MARK_RUN + 1},}}")


def _nfc(text: str) -> str:
    if unicodedata.is_normalized("NFC", text):  # a linear check; most text is NFC already
        return text
    text = _mark_runs().sub(lambda run: run.group()[:MAX_MARK_RUN], text)
    return unicodedata.normalize("NFC", text)


def normalise(text: str) -> str:
    """Return the canonical form of `text`; `normalise(normalise(t)) == normalise(t)`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _DROPPED.sub("", text)
    text = _nfc(text)
    text = fold_spaces(text).strip(" \n")
    return _BLANK_RUNS.sub("\n\n", text) if "\n\n\n" in text else text


def fold_spaces(text: str) -> str:
    """Every run of space separators and tabs one plain space, and none at either end of a line."""
    text = _ODD_SPACE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    # Spaces now come one at a time: a line has at most one at either end.
    return text.replace(" \n", "\n").replace("\n ", "\n")


def one_line(text: str) -> str:
    """`text` normalised onto one line, every run of white space one space: a title or a card's text taken from
    markup or metadata, in the form the text's own lines have (NFC above all, so that they compare equal)."""
    return " ".join(normalise(text).split())
