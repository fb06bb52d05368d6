"""Stage 1: make the text comparable before anything judges it.

Unicode NFC, one kind of line ending, no BOM, no control or zero-width characters, no odd spaces, no trailing
whitespace, runs of spaces folded. Blank lines are kept (they mark paragraph breaks) but runs of them folded.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and directional marks scrapers leave behind; they make equal lines compare unequal.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e]")
# C0/C1 control characters other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Every Unicode space separator (NBSP, thin space, ideographic space...) and tabs become one plain space.
# (Only what needs rewriting matches: a lone plain space does not, which keeps this fast on long pages.)
_SPACE_CLASS = r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_SPACES = re.compile(rf"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{_SPACE_CLASS}*| {_SPACE_CLASS}+")
_LINE_EDGES = re.compile(r" \n ?|\n ")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Return the canonical form of `text`; `normalise(normalise(t)) == normalise(t)`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGES.sub("\n", text).strip(" \n")
    return _BLANK_RUNS.sub("\n\n", text) if "\n\n\n" in text else text
