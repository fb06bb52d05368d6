"""WARC input: the HTML pages of a crawl's WARC file (`.warc`, `.warc.gz`), one document per response record.

Read with warcio (Webrecorder's reader and writer): it streams plain and gzipped WARCs (and old ARCs) record by
record, and undoes the HTTP transfer and content encodings (chunked, gzip, deflate, brotli) that crawlers store
as they were sent. FastWARC reads the raw records faster, but reading is a few percent of cleaning either way
(`bench/html.py` measures it) and it leaves the content encodings to the caller.

A document is a `response` (or `resource`) record whose payload is HTML (by its HTTP `Content-Type`, else by
sniffing) with a 2xx status. Every other record (requests, metadata, warcinfo, images, scripts, redirects and
errors) is skipped and counted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from .html.decode import looks_like_html

PAGE_RECORDS = frozenset({"response", "resource"})
HTML_TYPES = ("text/html", "application/xhtml+xml")


class WarcError(Exception):
    """A WARC file that cannot be read on (not a WARC, or cut off): `str()` says why in a few words."""


@dataclass(frozen=True)
class WarcPage:
    """One HTML record: its `WARC-Record-ID`, `WARC-Target-URI`, payload bytes and the HTTP charset."""

    id: str
    url: str | None
    html: bytes
    charset: str | None = None


def _content_type(value: str | None) -> tuple[str, str | None]:
    """`text/html; charset=UTF-8` -> ("text/html", "UTF-8")."""
    if not value:
        return "", None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media.strip().lower(), charset


class WarcReader:
    """The HTML pages of a WARC stream, lazily, in file order; `skipped` counts the other records read."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.skipped = 0

    def __iter__(self) -> Iterator[WarcPage]:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        try:
            for record in ArchiveIterator(self.stream):
                page = self._page(record)
                if page is None:
                    self.skipped += 1
                else:
                    yield page
        except ArchiveLoadFailed as exc:
            raise WarcError(f"not a readable WARC ({_first_line(exc)})") from exc
        except (EOFError, ValueError, OSError) as exc:  # a cut-off gzip member, a broken header
            raise WarcError(f"WARC cut off or corrupt ({_first_line(exc) or type(exc).__name__})") from exc

    @staticmethod
    def _page(record: Any) -> WarcPage | None:
        if record.rec_type not in PAGE_RECORDS:
            return None
        http = record.http_headers
        if http is not None:
            status = http.get_statuscode() or ""
            if not status.startswith("2"):
                return None
            media, charset = _content_type(http.get_header("Content-Type"))
        else:
            media, charset = _content_type(record.rec_headers.get_header("Content-Type"))
        try:
            payload = record.content_stream().read()
        except (OSError, ValueError, EOFError, zlib.error):
            return None  # a payload whose content encoding does not decode: not a page we can read
        html = media in HTML_TYPES or (not media and looks_like_html(payload[:4096]))
        if not html or not payload:
            return None
        record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
        url = record.rec_headers.get_header("WARC-Target-URI")
        return WarcPage(id=record_id, url=url, html=payload, charset=charset)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else ""


def looks_like_warc(head: bytes) -> bool:
    """Whether an (uncompressed) input starts as a WARC file does."""
    return head.startswith(b"WARC/")
