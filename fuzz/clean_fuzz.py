"""Coverage-guided fuzzing of cleaner's whole input path with atheris (libFuzzer for Python).

    pip install -e '.[fuzz]'                     # atheris
    mkdir -p fuzz/corpus
    nice python fuzz/clean_fuzz.py fuzz/corpus fuzz/seeds fixtures/pages \
        -max_total_time=1200 -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1

(`make fuzz` runs the same.) Each input is the bytes of a file as a scraper might leave it. It goes where the
command line sends a file: `cleaner.io.open_input` (compression sniffed and undone, binary refused, encoding
decoded, JSONL split and parsed, the size cap), then `cleaner.clean` for the page or each record, and the
results are checked:

- nothing raises but `InputError` (an input refused with a reason is a correct outcome);
- cleaning is idempotent: the rendered output cleans to itself;
- every word of the output is in the input: nothing is invented;
- the JSONL record the CLI would write parses back to the same fields.

A failure is a crash for libFuzzer: it stops and writes the input to `crash-*`; `-timeout` makes an input that
takes too long (a backtracking regex, a quadratic loop) one too. New inputs that reach new code go to the
corpus directory (the first argument); `fuzz/seeds` and the fixture pages seed it.
"""

from __future__ import annotations

import io
import json
import re
import sys

import atheris

with atheris.instrument_imports(include=["cleaner"]):
    import cleaner
    from cleaner import io as cio
    from cleaner.normalise import normalise

_WORD = re.compile(r"\w+")
STDIN = cio.Input(cio.STDIN, None, None, "auto")


def check_document(text: str, title: str | None = None) -> None:
    doc = cleaner.clean(text, title=title)
    rendered = doc.render()
    again = cleaner.clean(rendered, title=title).render()
    if again != rendered:
        raise AssertionError(f"not idempotent:\n{rendered!r}\n!=\n{again!r}")
    source = normalise(text + "\n" + (title or "")).casefold()
    invented = [word for word in _WORD.findall((doc.title + "\n" + doc.text).casefold()) if word not in source]
    if invented:
        raise AssertionError(f"words not in the input: {invented[:10]}")
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
    with opened:
        try:
            for line in opened:
                if line.kind == "record" and line.record is not None:
                    title = line.record.get("title")
                    check_document(line.record["text"], title if isinstance(title, str) and title.strip() else None)
        except cio.InputError:
            return


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
