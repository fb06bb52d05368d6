"""Coverage-guided fuzzing of cleaner's whole input path with atheris (libFuzzer for Python).

    pip install -e '.[fuzz]'                     # atheris
    mkdir -p fuzz/corpus
    nice python fuzz/clean_fuzz.py fuzz/corpus fuzz/seeds fixtures/pages \
        -max_total_time=1200 -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1

(`make fuzz` runs the same.) Each input is the bytes of a file as a scraper might leave it. It goes where the
command line sends a file: `cleaner.io.open_input` (compression sniffed and undone, binary refused, encoding
decoded, JSONL split and parsed, WARC records and HTML pages told apart, the size cap), then `cleaner.clean`
for a text page or a record's text, `cleaner.html.clean_html` for an HTML page, record or WARC response, and
the results are checked:

- nothing raises but `InputError` (an input refused with a reason is a correct outcome);
- cleaning text is idempotent: the rendered output cleans to itself;
- every word of the output is in the input (for an HTML string: in its source, entities decoded);
- the JSONL record the CLI would write parses back to the same fields.

A failure is a crash for libFuzzer: it stops and writes the input to `crash-*`; `-timeout` makes an input
that takes too long (a backtracking regex, a quadratic loop) one too. With `CLEANER_FUZZ_SOFT_IDEMPOTENCE=1`, an
idempotence failure is instead saved to `fuzz/findings/idempotence-*.txt` and counted (the count is printed at
exit), so that a known, open one does not stop a run looking for others. New inputs that reach new code go to
the corpus directory (the first argument); `fuzz/seeds` and the fixture pages seed it.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import io
import json
import os
import re
import sys
import unicodedata

import atheris

with atheris.instrument_imports(include=["cleaner"]):
    import cleaner
    from cleaner import io as cio
    from cleaner.html import clean_html
    from cleaner.normalise import normalise

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^<>]*>")
SOFT_IDEMPOTENCE = os.environ.get("CLEANER_FUZZ_SOFT_IDEMPOTENCE") == "1"
FINDINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings")
_soft_failures = 0
STDIN = cio.Input(cio.STDIN, None, None, "auto")


def check_document(text: str, title: str | None = None) -> None:
    doc = cleaner.clean(text, title=title, input_format="text")
    rendered = doc.render()
    again = cleaner.clean(rendered, title=title, input_format="text").render()
    if again != rendered:
        if not SOFT_IDEMPOTENCE:
            raise AssertionError(f"not idempotent:\n{rendered!r}\n!=\n{again!r}")
        _note_idempotence(text)
    source = normalise(text + "\n" + (title or "")).casefold()
    invented = [word for word in _WORD.findall((doc.title + "\n" + doc.text).casefold()) if word not in source]
    if invented:
        raise AssertionError(f"words not in the input: {invented[:10]}")
    check_record(doc)


def _note_idempotence(text: str) -> None:
    global _soft_failures
    _soft_failures += 1
    if _soft_failures <= 20:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        with open(
            os.path.join(FINDINGS, f"idempotence-{digest}.txt"), "w", encoding="utf-8", errors="surrogatepass"
        ) as out:
            out.write(text)


def check_html(page: bytes | str, url: str | None = None, charset: str | None = None) -> None:
    doc = clean_html(page, url=url, charset=charset)
    if isinstance(page, str):  # bytes may be in any charset: their words are judged by the text path only
        # compared bare (letters and digits only, decomposed, without marks): the HTML path
        # may drop a control or format character between two parts of a word, or give the title decomposed
        # with tags taken out (text either side of a tag joins, as HTML renders it) or kept (what only looks
        # like a tag, "<Ÿp>", is text to an HTML parser)
        source = bare(html.unescape(_TAG.sub("", page))) + " " + bare(html.unescape(page))
        invented = [word for word in _WORD.findall(doc.title + "\n" + doc.text) if bare(word) not in source]
        if invented:
            raise AssertionError(f"words not in the page: {invented[:10]}")
    check_record(doc)


def bare(text: str) -> str:
    """Letters and digits only, decomposed, without marks, case folded."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch)[0] in "LN").casefold()


def check_record(doc: cleaner.Document) -> None:
    record = {"id": "fuzz", **doc.to_dict()}
    if json.loads(cio.jsonl_line(record)) != record:
        raise AssertionError("the JSONL line does not parse back to the record")


def TestOneInput(data: bytes) -> None:
    try:
        opened = cio.open_input(STDIN, io.BytesIO(data))
    except cio.InputError:
        return
    if isinstance(opened, cio.TextInput):
        check_document(opened.text)
        return
    if isinstance(opened, cio.HtmlInput):
        check_html(opened.raw)
        return
    with opened:
        try:
            for item in opened:
                if isinstance(item, cio.Line):
                    if item.kind == "record" and item.record is not None:
                        check_line(item.record)
                else:  # a WARC record's page
                    check_html(item.html, item.url, item.charset)
        except cio.InputError:
            return


def check_line(record: dict[str, object]) -> None:
    title = record.get("title")
    url = record.get("url")
    page = record.get("html")
    if isinstance(page, str):
        check_html(page, url if isinstance(url, str) else None)
        return
    check_document(record["text"], title if isinstance(title, str) and title.strip() else None)  # type: ignore[arg-type]


def main() -> None:
    if SOFT_IDEMPOTENCE:
        atexit.register(lambda: print(f"idempotence failures (not stopping): {_soft_failures}", file=sys.stderr))
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
