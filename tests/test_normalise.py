"""Stage 1, `cleaner.normalise`: one canonical form of the text before anything judges it."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import pages, unicode_lines

from cleaner.normalise import fold_spaces, normalise


def test_composes_to_nfc() -> None:
    decomposed = "Cafe\u0301 in Sa\u0303o Paulo, Zu\u0308rich"
    assert normalise(decomposed) == "Café in São Paulo, Zürich"
    assert unicodedata.is_normalized("NFC", normalise(decomposed))


def test_nfc_makes_equal_lines_equal() -> None:
    assert normalise("Mu\u0308ller\nM\u00fcller").split("\n") == ["Müller", "Müller"]


@pytest.mark.parametrize(
    "raw",
    ["first line\r\nsecond line\r\nthird line", "first line\rsecond line\rthird line", "first line\u2028second line"
     "\u2029third line", "first line\r\nsecond line\nthird line"],
)  # fmt: skip
def test_line_endings_become_newlines(raw: str) -> None:
    assert normalise(raw) == "first line\nsecond line\nthird line"


def test_crlf_is_one_line_break_not_two() -> None:
    assert normalise("a\r\nb") == "a\nb"
    assert normalise("a\r\n\r\nb") == "a\n\nb"


def test_bom_is_removed() -> None:
    assert normalise("\ufeffThe mill reopened.") == "The mill reopened."
    assert normalise("The mill\ufeff reopened.") == "The mill reopened."


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u200e", "\u200f", "\u202a",
                                  "\u202b", "\u202c", "\u202d", "\u202e"])  # fmt: skip
def test_zero_width_and_directional_marks_are_removed(mark: str) -> None:
    assert normalise(f"Share{mark}") == "Share"
    assert normalise(f"harb{mark}our") == "harbour"


@pytest.mark.parametrize("space", ["\u00a0", "\u2002", "\u2003", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000",
                                   "\u1680", "\t"])  # fmt: skip
def test_odd_spaces_become_one_plain_space(space: str) -> None:
    assert normalise(f"old{space}quay") == "old quay"
    assert normalise(f"old{space}{space} {space}quay") == "old quay"


def test_runs_of_spaces_fold() -> None:
    assert normalise("the   river     rose") == "the river rose"


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85",
                                  "\x9f"])  # fmt: skip
def test_control_characters_are_removed(char: str) -> None:
    assert normalise(f"bri{char}dge") == "bridge"


def test_tab_and_newline_are_not_treated_as_control_characters() -> None:
    assert normalise("a\tb\nc") == "a b\nc"


def test_trailing_and_leading_spaces_are_trimmed_on_every_line() -> None:
    assert normalise("  one  \n\ttwo\t\nthree \u00a0") == "one\ntwo\nthree"


def test_runs_of_blank_lines_fold_to_one_blank_line() -> None:
    assert normalise("one\n\n\n\n\ntwo\n\n\nthree") == "one\n\ntwo\n\nthree"
    # Lines holding only spaces or invisible characters are blank too.
    assert normalise("one\n \n\u00a0\n\u200b\n\t\ntwo") == "one\n\ntwo"


def test_single_blank_lines_are_kept() -> None:
    assert normalise("one\n\ntwo\nthree") == "one\n\ntwo\nthree"


def test_leading_and_trailing_blank_lines_are_dropped() -> None:
    assert normalise("\n\n\r\n  \nbody\n\n\n") == "body"


def test_empty_and_blank_inputs() -> None:
    assert normalise("") == ""
    assert normalise(" \n\r\n\t\u200b\ufeff\u00a0") == ""


def test_text_of_other_scripts_is_untouched() -> None:
    text = "東京駅で記者会見\nשלום עליכם\nمرحبا بالعالم\nПривет, мир 👍🏽"
    assert normalise(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_idempotent_on_any_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=150, deadline=None)
@given(st.lists(unicode_lines(), max_size=8).map("\r\n\n".join) | pages())
def test_idempotent_on_scraped_pages(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_output_invariants(text: str) -> None:
    out = normalise(text)
    assert "\r" not in out and "\ufeff" not in out and "\u200b" not in out and "\u00a0" not in out
    assert "\n\n\n" not in out
    assert not out.startswith("\n") and not out.endswith("\n")
    assert unicodedata.is_normalized("NFC", out)
    for line in out.split("\n"):
        assert line == line.strip()
        assert "  " not in line
        assert not any(unicodedata.category(ch) == "Cc" for ch in line)


# The space rules as first written, in one expression each: a run of space separators and tabs becomes one
# space, then a space at either end of a line goes. The shipped two-step form must do exactly this.
SPACE_RUNS_AS_DEFINED = re.compile(
    r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000][ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*"
    r"| [ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+"
)
LINE_EDGES_AS_DEFINED = re.compile(r" \n ?|\n ")
SPACY = st.text(alphabet=st.sampled_from(list(" \t\n\u00a0\u2009\u3000\u202fab.")), max_size=40)


@settings(max_examples=600, deadline=None)
@given(SPACY | st.text(max_size=40))
def test_spaces_fold_as_defined(text: str) -> None:
    assert fold_spaces(text) == LINE_EDGES_AS_DEFINED.sub("\n", SPACE_RUNS_AS_DEFINED.sub(" ", text))
