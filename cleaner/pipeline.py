"""The pipeline: read -> normalise -> segment into blocks -> filter -> describe.

Pure functions only: text in, `Document` out. Reading files and writing results live in `cleaner.io` and
`cleaner.cli`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .document import Document
from .normalise import normalise
from .options import Options


def clean(text: str, **options: object) -> Document:
    """Clean one page. `options` are the fields of `cleaner.options.Options`."""
    opts = Options.of(**options)
    text = normalise(text)
    # PLACEHOLDER until the filters land: keeps every line.
    lines = [line for line in text.split("\n") if line]
    if not lines:
        return Document()
    title = opts.title if opts.title is not None else lines[0]
    return Document(title=title, text="\n\n".join(lines[1:]), kind="article")


def clean_many(texts: Iterable[str], **options: object) -> Iterator[Document]:
    """Clean a stream of pages lazily, in order."""
    for text in texts:
        yield clean(text, **options)
