"""Fuzzing with hypothesis: hostile pages, odd Unicode and random bytes, through `cleaner.clean`, the input path
(`cleaner.io`) and the command line.

Properties, on every input:

1. No exception: a page is cleaned; bytes are cleaned or refused with `InputError` (never another exception);
   the command line exits 0 or 2 with one `cleaner: WHERE: reason` line per problem, never a traceback.
2. Idempotence: cleaning the rendered output changes nothing.
3. Nothing is invented: every word of the output is a word of the input (allowing for the fragments `strip`
   rules cut out of a line, as `test_properties.py` does).
4. The JSONL output always parses, one object per line, whatever the records held.

The suite runs a modest number of examples per property; `CLEANER_FUZZ_EXAMPLES=20000` runs a long campaign
(see docs/hostile-input.md).
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import html
import io
import json
import lzma
import os
import re
import unicodedata

from backports import zstd
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import CHROME, PIER_ARTICLE, article_pages, listing_pages, pages, unicode_lines
from test_properties import fragments_of, input_lines, without_fragments, words

from cleaner import clean, cli
from cleaner import io as cio

_TAG = re.compile(r"<[^<>]*>")
EXAMPLES = int(os.environ.get("CLEANER_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# ── Strategies ───────────────────────────────────────────────────────────────────────────────────────────────

# Any code point at all, lone surrogates and noncharacters included.
any_char = st.characters(exclude_categories=())
# Characters that make lines long or odd when repeated: spaces of every kind, combining marks, punctuation,
# separators, zero-width marks, control characters, CJK, right-to-left letters.
RUN_CHARS = " \u00a0\u3000\t\u0301\u0316\u0358!.|·-\u200b\u200e\ufeff\x00\x07\x1b\x85\u2028東ש"


@st.composite
def runs(draw: st.DrawFn) -> str:
    """One character or a short word repeated thousands of times on a line."""
    unit = draw(st.sampled_from(list(RUN_CHARS)) | st.sampled_from(["word ", "Share ", "a", "1 ", ". ", "| a "]))
    return unit * draw(st.integers(500, 6000))


@st.composite
def hostile_pages(draw: st.DrawFn) -> str:
    """A scraped page with hostile stretches spliced in: runs, text of any code point, stray controls."""
    lines = draw(pages(max_parts=8)).split("\n")
    inserts = draw(
        st.lists(
            st.one_of(runs(), st.text(any_char, max_size=80), unicode_lines(), st.sampled_from(CHROME)),
            max_size=4,
        )
    )
    for insert in inserts:
        lines.insert(draw(st.integers(0, len(lines))), insert)
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


any_page = st.one_of(pages(), article_pages(), listing_pages(), hostile_pages(), st.text(any_char, max_size=400))


@st.composite
def raw_inputs(draw: st.DrawFn) -> bytes:
    """The bytes of a file: random, or a page encoded in some encoding, perhaps compressed, perhaps damaged."""
    kind = draw(st.sampled_from(["random", "encoded", "encoded", "compressed", "damaged"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    text = draw(pages(max_parts=6))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "cp1251", "latin-1"]))
    data = text.encode(encoding, "replace")
    if kind == "encoded":
        return data
    compress = draw(st.sampled_from([lambda d: gzip.compress(d, mtime=0), bz2.compress, lzma.compress, zstd.compress]))
    packed = compress(data)
    if kind == "compressed":
        return packed
    cut = draw(st.integers(0, max(0, len(packed) - 1)))  # truncated, or with a byte flipped
    if draw(st.booleans()):
        return packed[:cut]
    return packed[:cut] + bytes([packed[cut] ^ 0xFF]) + packed[cut + 1 :] if packed else packed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(any_char, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def jsonl_inputs(draw: st.DrawFn) -> bytes:
    """A JSONL file: records with a text (a page, or text of any code point) and fields of any JSON type, lines
    without a text, broken lines, blank lines, perhaps CRLF line ends."""
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["record", "record", "record", "notext", "broken", "blank", "deep"]))
        if kind == "record":
            record = draw(st.dictionaries(st.sampled_from(["id", "url", "meta", "title", "removed"]), json_values))
            record["text"] = draw(st.one_of(pages(max_parts=5), st.text(any_char, max_size=200)))
            lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
        elif kind == "notext":
            lines.append(json.dumps({"id": draw(json_values), "html": "<p>x</p>"}))
        elif kind == "broken":
            lines.append(draw(st.text(max_size=40)).replace("\n", " ").replace("\r", " "))
        elif kind == "deep":
            lines.append("[" * draw(st.integers(900, 3000)))
        else:
            lines.append("")
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (end.join(lines) + end).encode("utf-8", "surrogatepass")


# ── Properties of clean() ────────────────────────────────────────────────────────────────────────────────────


def assert_well_behaved(text: str) -> None:
    doc = clean(text, input_format="text")
    rendered = doc.render()
    assert clean(rendered, input_format="text").render() == rendered, "not idempotent"
    lines = input_lines(text)
    fragments = fragments_of(doc)
    allowed = set().union(*(words(variant) for line in lines for variant in without_fragments(line, fragments)))
    invented = words(doc.title + "\n" + doc.text) - allowed
    assert not invented, f"words not in the input: {sorted(invented)[:10]}"
    record = {"id": "x", **doc.to_dict()}
    assert json.loads(cio.jsonl_line(record)) == record


@FUZZ
@given(any_page)
@example("\ud800 lone surrogate \udfff in a page that goes on long enough to be an article of some sort.")
@example("Title\n\n" + " ".join(PIER_ARTICLE) + "\n" + "\u0301" * 5000)
@example("\x00" * 50 + "\n".join(PIER_ARTICLE))
def test_clean_survives_hostile_pages(page: str) -> None:
    assert_well_behaved(page)


@FUZZ
@given(raw_inputs())
def test_any_bytes_are_cleaned_or_refused_with_a_reason(data: bytes) -> None:
    try:
        opened = cio.open_input(cio.Input(cio.STDIN, None, None, "text"), io.BytesIO(data))
    except cio.InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(opened, cio.TextInput)
    assert_well_behaved(opened.text)


@FUZZ
@given(raw_inputs() | jsonl_inputs())
def test_any_bytes_on_stdin_are_sniffed_without_surprises(data: bytes) -> None:
    try:
        opened = cio.open_input(cio.Input(cio.STDIN, None, None, "auto"), io.BytesIO(data))
    except cio.InputError:
        return
    if isinstance(opened, cio.TextInput | cio.HtmlInput):
        return
    with opened:
        try:
            for line in opened:
                if isinstance(opened, cio.WarcInput):
                    continue
                assert line.kind in ("record", "notext", "invalid", "blank")
                if line.kind == "invalid":
                    assert line.problem and line.problem.startswith("invalid JSON (")
        except cio.InputError:
            pass


def bare(text: str) -> str:
    """Letters and digits only, decomposed, without marks, case folded."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch)[0] in "LN").casefold()


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    """A page as HTML: the lines of a scraped page in paragraphs, headings and lists, with hostile stretches,
    stray and unclosed tags, entities, scripts and comments."""
    lines = [line for line in draw(hostile_pages()).replace("\r", "\n").split("\n") if line.strip()]
    tags = ["p", "p", "div", "li", "h2", "span", "td", "a"]
    body = []
    for line in lines:
        tag = draw(st.sampled_from(tags))
        escaped = html.escape(line) if draw(st.booleans()) else line.replace("<", " ")
        body.append(f"<{tag}>{escaped}" + ("" if draw(st.integers(0, 5)) == 0 else f"</{tag}>"))
        if draw(st.integers(0, 8)) == 0:
            extra = ["<script>var x = '</p>';</script>", "<!-- <p>hidden</p> -->", "<br/>", "&nbsp;&amp;&#x2603;",
                     "<img alt='x'>", "</div></div>"]  # fmt: skip
            body.append(draw(st.sampled_from(extra)))
    title = html.escape(lines[0]) if lines else ""
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>" + "\n".join(body) + "</body></html>"


@FUZZ
@given(html_pages())
def test_html_pages_are_cleaned_without_surprises(page: str) -> None:
    doc = clean(page)  # sniffed as HTML
    # Compared bare (letters and digits only, decomposed, without marks): the HTML path may drop a control or
    # format character between two parts of a word, or give the title decomposed.
    # With tags taken out (text either side of a tag joins, as HTML renders it) or kept (what only looks like a
    # tag, "<Ÿp>", is text to an HTML parser).
    source = bare(html.unescape(_TAG.sub("", page))) + " " + bare(html.unescape(page))
    invented = [word for word in words(doc.title + "\n" + doc.text) if bare(word) not in source]
    assert not invented, f"words not in the page: {invented[:10]}"
    record = {"id": "x", **doc.to_dict()}
    assert json.loads(cio.jsonl_line(record)) == record


# ── The command line ─────────────────────────────────────────────────────────────────────────────────────────


def run_cli(*args: str, data: bytes | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli.main, ["clean", "-j", "1", *args], input=data, catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


@settings(FUZZ, max_examples=max(10, EXAMPLES // 2))
@given(jsonl_inputs())
def test_jsonl_output_always_parses(data: bytes) -> None:
    status, out, err = run_cli("--format", "jsonl", "--input-format", "jsonl", "-", data=data)
    assert status in (0, 2)
    text = out.decode("utf-8")
    lines = text.split("\n")
    assert lines.pop() == ""
    assert text.splitlines() == lines  # no character any reader takes for a line end inside a record
    for line in lines:
        assert isinstance(json.loads(line), dict)
    problems = [line for line in err.splitlines() if line.startswith("cleaner: ")]
    assert all(line.startswith("cleaner: -:") for line in problems), problems
    assert "Traceback" not in err


@settings(FUZZ, max_examples=max(10, EXAMPLES // 2))
@given(st.lists(raw_inputs(), min_size=1, max_size=3))
def test_files_of_any_bytes_never_crash_the_command(tmp_path_factory, inputs: list[bytes]) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    for i, data in enumerate(inputs):
        (directory / f"page{i}.txt").write_bytes(data)
    status, out, err = run_cli("--format", "jsonl", "-q", str(directory))
    assert status in (0, 2)
    assert "Traceback" not in err
    for line in err.splitlines():
        assert line.startswith(f"cleaner: {directory}"), line
    ids = [json.loads(line)["id"] for line in out.decode("utf-8").splitlines()]
    refused = len(err.splitlines())
    assert len(ids) + refused == len(inputs)
    assert status == (2 if refused else 0)


def test_the_fuzz_strategies_reach_every_kind_of_input() -> None:
    """The strategies are not vacuous: bytes that decode, bytes refused, JSONL with every kind of line."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(raw_inputs())
    def probe(data: bytes) -> None:
        try:
            cio.open_input(cio.Input(cio.STDIN, None, None, "text"), io.BytesIO(data))
            seen.add("decoded")
        except cio.InputError as exc:
            seen.add("binary" if "binary" in str(exc) else "corrupt")
        if cio.compression_of(data[:16]):
            seen.add("compressed")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE)):
            seen.add("wide")

    probe()
    assert {"decoded", "binary", "corrupt", "compressed", "wide"} <= seen
