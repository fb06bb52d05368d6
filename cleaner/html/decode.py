"""Bytes of a fetched page -> text, and telling HTML from a text dump.

Pages lie about their charset: a `<meta charset=iso-8859-1>` over UTF-8 bytes is common, and so are pages
without a declaration. The order of trust, first that works wins:

1. a byte-order mark (it cannot be there by accident);
2. strict UTF-8 (valid UTF-8 that is not UTF-8 is vanishingly rare, so it beats a declaration);
3. the declared charset (an HTTP header's, then the page's own `<meta>`), if the bytes decode with it;
4. charset-normalizer's guess (trafilatura's own dependency) on the undecodable bytes, unless it guesses one
   of the Latin code pages: on short pages it cannot tell cp1252 from cp1250 or latin-2 ("après" reads
   "aprčs"), so there the browsers' default for undeclared pages, cp1252, is taken;
5. UTF-8 with the bytes that are not UTF-8 read as cp1252 (`cleaner.io.decode_text`), which never fails.

Labels are read the way browsers read them (WHATWG): `iso-8859-1`, `latin1` and `ascii` mean cp1252, and a
`<meta>` naming UTF-16 on an ASCII-compatible page means UTF-8.
"""

from __future__ import annotations

import codecs
import re

from ..io import bom_encoding, decode_text
from ..io import looks_like_html as looks_like_html  # the sniff lives in io: reading must not import the extractor

# How far into the page a <meta> declaration is looked for (the HTML standard says 1024 bytes; pages with long
# heads put it later, so look a little further).
META_SCAN_BYTES = 4096
# charset-normalizer reads this much of a large page (head and tail), as trafilatura does.
GUESS_BYTES = 10_000

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""",
    re.IGNORECASE,
)
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-user-defined": "cp1252",
}
_WIDE = ("utf-16", "utf-32")


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label, read as a browser reads it; None for an unknown label."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The codec a page's `<meta charset>` or `<meta http-equiv content-type>` names near its top."""
    match = _META_CHARSET.search(data[:META_SCAN_BYTES])
    if match is None:
        return None
    name = codec_name(match.group(1).decode("ascii", "replace"))
    if name is not None and name.startswith(_WIDE):
        return "utf-8"  # bytes we could read the <meta> in are not UTF-16 or UTF-32
    return name


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


# Code pages of Latin letters, which a guess cannot tell apart on a page of text (the last step decodes cp1252).
_LATIN = frozenset(
    codecs.lookup(name).name
    for name in (
        "cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
        "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_roman",
        "mac_latin2", "cp437", "cp850", "cp852", "cp858", "ascii", "utf_8",
    )
)  # fmt: skip


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    sample = data if len(data) <= GUESS_BYTES else data[: GUESS_BYTES // 2] + data[-GUESS_BYTES // 2 :]
    best = from_bytes(sample).best()
    if best is None or codec_name(best.encoding) in _LATIN:
        return None
    return _try(data, best.encoding)


def decode_html(data: bytes | str, declared: str | None = None) -> str:
    """Decode a page's bytes (see the module's notes); text is returned as it is. Never raises."""
    if isinstance(data, str):
        return data
    bom = bom_encoding(data)
    if bom is not None:
        return decode_text(data)
    return (
        _try(data, "utf-8")
        or _try(data, _narrow(codec_name(declared)))
        or _try(data, declared_charset(data))
        or _guess(data)
        or decode_text(data)
    )


def _narrow(codec: str | None) -> str | None:
    if codec is not None and codec.startswith(_WIDE):
        return None  # a header saying UTF-16 over bytes without a BOM: do not trust it
    return codec
