"""Getting pages in and results out: finding inputs, decoding bytes, JSONL records, atomic writes.

Nothing here cleans anything; `cleaner.cli` glues these pieces to `cleaner.clean`. Everything streams: a
directory is walked lazily, a JSONL file is read a line at a time, a WARC file a record at a time, and only a
plain-text or HTML input (one page) is read whole.

Formats: `.jsonl` is JSONL; `.html`, `.htm` (also gzipped: `.html.gz`, `.htm.gz`) are HTML pages; `.warc`,
`.warc.gz` are WARC files; anything else is text, unless its content starts like an HTML page (sniffed).

Compression (`compression_of`): gzip, bzip2, xz and zstd inputs are recognised by their first bytes (not their
names) and read decompressed, files and stdin alike; `AtomicFile(compression=...)` writes the same way back.

Decoding (`decode`): UTF-8 with or without a BOM, UTF-16/32 with a BOM. Bytes that are not UTF-8: in a file that
is mostly UTF-8 (well-formed multi-byte characters outnumber the stray bytes) each stray byte is read as cp1252;
otherwise the file is in a legacy encoding, which charset-normalizer names (cp1251, koi8-r, Shift JIS, GBK...),
cp1252 (latin-1 for the five bytes it leaves undefined) winning whenever it reads the bytes as well, as it does
nearly every Western page. A file is binary (`InputError`) when its first 8 KiB hold more than one NUL byte per
thousand without a UTF-16/32 BOM, or are mostly control bytes; a stray NUL is text (normalising drops it).

Size: one page (a text input, or one JSONL line) may be at most `MAX_DOCUMENT_BYTES` after decompression; a
larger one is refused with a reason instead of exhausting memory (a decompression bomb, a runaway dump).
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import errno
import gzip
import io
import json
import lzma
import os
import re
import shutil
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, BinaryIO, Literal

InputFormat = Literal["auto", "text", "jsonl", "html", "warc"]
Compression = Literal["gz", "bz2", "xz", "zst"]

HTML_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz")
#: What a directory walk picks up (each also compressed: `.txt.gz`, `.jsonl.zst`, `.html.xz`...).
SUFFIXES: tuple[str, ...] = (".txt", ".jsonl", ".html", ".htm", ".warc")
COMPRESSED_SUFFIXES: dict[str, Compression] = {".gz": "gz", ".bz2": "bz2", ".xz": "xz", ".zst": "zst"}
_COMPRESSED = tuple(COMPRESSED_SUFFIXES)
GZIP_MAGIC = b"\x1f\x8b"
# Inputs whose cleaned forms share an output name under -o (an HTML page's is text, a WARC's is JSONL).
TEXT_OUTPUT_GROUP: tuple[str, ...] = (".txt", *HTML_SUFFIXES)
JSONL_OUTPUT_GROUP: tuple[str, ...] = (".jsonl", *WARC_SUFFIXES)
#: How much of an input is looked at to tell binary from text.
SNIFF_BYTES = 8192
#: The most one page (a text input, or one JSONL line) may hold, decompressed.
MAX_DOCUMENT_BYTES = 64 << 20
#: The name standing for standard input on the command line.
STDIN = "-"


class InputError(Exception):
    """An input that cannot be read. `str()` is the problem in a few words: `binary file (NUL bytes)`."""


# --- decoding ------------------------------------------------------------------------------------------------


def _cp1252_table() -> tuple[str, ...]:
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))  # 0x81 0x8D 0x8F 0x90 0x9D: latin-1, i.e. the C1 control of that number
    return tuple(chars)


_CP1252 = _cp1252_table()
_LEGACY_ERRORS = "cleaner-cp1252"


def _legacy_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_CP1252[byte] for byte in bad), exc.end


codecs.register_error(_LEGACY_ERRORS, _legacy_bytes)

# UTF-32 LE before UTF-16 LE: its BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BOM_LEADS = frozenset(bom[:1] for bom, _ in _BOMS)
# Control bytes that do not occur in text (tab, newlines, form feed and escape do).
_CONTROL_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20))
_CONTROL_BYTES_TABLE = bytes(sorted(_CONTROL_BYTES))
# Text may carry a stray NUL (a scraper's padding, a truncated write): at most one per this many bytes.
_BYTES_PER_NUL = 1000
# How much of a non-UTF-8 input is weighed to tell mixed UTF-8 from a legacy encoding, and to name the encoding.
_ENCODING_SAMPLE = 1 << 18
# Under this many non-ASCII bytes there is too little to name an encoding by: cp1252, the web's default.
_MIN_LEGACY_EVIDENCE = 8
# Languages written in Latin letters whose Windows codec is not cp1252, as charset-normalizer names them.
_CENTRAL_EUROPEAN = ("Czech", "Slovak", "Polish", "Hungarian", "Slovene", "Croatian", "Romanian")
_LANGUAGE_CODECS = dict.fromkeys(_CENTRAL_EUROPEAN, "cp1250")
_LANGUAGE_CODECS.update(Turkish="cp1254", Lithuanian="cp1257", Estonian="cp1257", Vietnamese="cp1258")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def bom_encoding(data: bytes) -> str | None:
    """The codec named by the byte-order mark `data` starts with, if any."""
    if data[:1] not in _BOM_LEADS:
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _wide(data: bytes) -> bool:
    encoding = bom_encoding(data)
    return encoding is not None and encoding != "utf-8-sig"


def binary_reason(head: bytes) -> str | None:
    """Why the start of an input says it is not text (None if it is text)."""
    if _wide(head):
        return None
    nuls = head.count(0)
    if nuls and nuls * _BYTES_PER_NUL > len(head):
        return "binary file (NUL bytes)"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES_TABLE))  # counted in C, not byte by byte
    if controls >= 4 and controls * 10 > len(head):
        return "binary file (control bytes)"
    # Random bytes without a NUL (compressed or encrypted data): about one byte in ten is a control byte, and
    # they are not UTF-8. Text in a legacy encoding has high bytes but next to no control bytes.
    if controls >= 4 and controls * _BYTES_PER_CONTROL > len(head) and not _utf8_like(head):
        return "binary file (not text)"
    return None


# Text that is not UTF-8 holds fewer control bytes than one per this many bytes.
_BYTES_PER_CONTROL = 100


def _utf8_like(head: bytes) -> bool:
    """UTF-8, but for a character cut at the end of the sample, or mostly UTF-8 with a few stray bytes."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 or _mostly_utf8(head)
    return True


def _high_bytes(data: bytes) -> int:
    """How many bytes of `data` are not ASCII (counted in C)."""
    return len(data) - len(data.translate(None, _HIGH_BYTES))


def _mostly_utf8(data: bytes) -> bool:
    """Whether the well-formed multi-byte UTF-8 characters of a non-UTF-8 input outnumber its stray bytes: a
    UTF-8 page with a few cp1252 quotes pasted in, not a legacy page whose bytes pair up by chance."""
    sample = data[:_ENCODING_SAMPLE]
    text = sample.decode("utf-8", "surrogateescape")  # each stray byte: one lone surrogate
    stray = len(sample) - len(text.encode("utf-8", "ignore"))
    wide = len(text) - (len(sample) - _high_bytes(sample)) - stray
    return wide > 0 and wide >= stray


def _sample_for_detection(data: bytes) -> bytes:
    if len(data) <= _ENCODING_SAMPLE:
        return data
    cut = data.rfind(b"\n", 0, _ENCODING_SAMPLE)  # whole lines: a cut must not split a multi-byte character
    return data[: cut + 1] if cut > 0 else data[:_ENCODING_SAMPLE]


def guess_legacy(data: bytes) -> str:
    """The codec of a legacy (non-Unicode) input: charset-normalizer's best, unless cp1252 reads it as well.

    charset-normalizer tells Cyrillic, Greek, Hebrew, Arabic, Thai, Central European and CJK encodings apart far
    better than a fixed fallback could. Two corrections: a best guess in which it recognises no language (a CJK
    codec that happens to decode KOI8 Cyrillic) gives way to one almost as clean in which it does; and cp1252,
    the default browsers assume, wins whenever it decodes the bytes as cleanly and as coherently as the best
    guess (charset-normalizer cannot tell cp1252 German from cp1250 German, or a short German paragraph from
    Big5). Too little evidence (a few non-ASCII bytes) is cp1252 too.
    """
    sample = _sample_for_detection(data)
    if _high_bytes(sample) < _MIN_LEGACY_EVIDENCE:
        return "cp1252"
    from charset_normalizer import from_bytes  # imported only when a legacy input turns up

    matches = list(from_bytes(sample))
    if not matches:
        return "cp1252"
    best = matches[0]
    if best.coherence == 0:
        best = next((m for m in matches if m.coherence > 0.3 and m.chaos <= best.chaos + 0.02), best)
    western = from_bytes(sample, cp_isolation=["cp1252"]).best()
    if western is not None and western.chaos <= best.chaos + 0.01 and western.coherence >= best.coherence - 0.01:
        # A tie: cp1252, unless the language recognised is one whose own Windows codec reads the bytes as well.
        own = _LANGUAGE_CODECS.get(best.language)
        readings = {codecs.lookup(name).name for name in [best.encoding, *best.could_be_from_charset]}
        return own if own in readings else "cp1252"
    return codecs.lookup(best.encoding).name


def _decode_legacy(data: bytes, codec: str) -> str:
    return data.decode(codec, _LEGACY_ERRORS if codec == "cp1252" else "replace")


def decode_text(data: bytes, legacy: str | None = None) -> str:
    """Decode without judging: BOM codec; else UTF-8; else mostly UTF-8 with stray bytes read as cp1252; else
    the legacy codec `legacy`, or the one `guess_legacy` names."""
    encoding = bom_encoding(data)
    if encoding is not None and encoding != "utf-8-sig":
        return data.decode(encoding, "replace")
    if encoding == "utf-8-sig":
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", _LEGACY_ERRORS)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", _LEGACY_ERRORS)
    return _decode_legacy(data, legacy or guess_legacy(data))


def decode(data: bytes) -> str:
    """Decode one input's bytes; `InputError` if they are binary."""
    reason = binary_reason(data[:SNIFF_BYTES])
    if reason:
        raise InputError(reason)
    return decode_text(data)


@cache
def _fix_config() -> Any:
    import ftfy  # imported only for --fix-text

    # Encoding repairs only: what ftfy would also "improve" (curly quotes, ligatures, full-width letters, HTML
    # entities, line breaks, normalisation) is the page's own text, and normalising is cleaner's job.
    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=True,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def fix_text(text: str) -> str:
    """Repair mojibake, text that was decoded with the wrong codec before it reached us ("CafÃ©" -> "Café",
    "donâ€™t" -> "don’t"), with ftfy; text without such damage comes back unchanged."""
    import ftfy

    if _nothing_to_fix(text):
        return text
    # ftfy repairs a line at a time (each with its line break); an ASCII line, most of a page's chrome and many of
    # its paragraphs, is passed over here without the dozen scans ftfy would make of it to find nothing.
    config = _fix_config()
    fixed: list[str] = []
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        line = text[start:end]
        fixed.append(line if _nothing_to_fix(line) else ftfy.fix_text(line, config))
        start = end
    return "".join(fixed)


def _nothing_to_fix(text: str) -> bool:
    """Text ftfy leaves as it is under `_fix_config`: ASCII without an escape sequence (mojibake is not ASCII,
    nor are C1 controls or lone surrogates; terminal escapes start with ESC)."""
    return text.isascii() and "\x1b" not in text


def describe_os_error(exc: OSError) -> str:
    """`OSError` in the words of the error lines: `no such file or directory`, `permission denied`."""
    if isinstance(exc, ReadOnlyFileError):
        return "read-only file"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


# --- compression ---------------------------------------------------------------------------------------------

_BZ2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")  # the magic of a first block, or of an empty stream's end


def compression_of(head: bytes) -> Compression | None:
    """The compression the first bytes of an input show (gzip, bzip2, xz, zstd), if any."""
    if head.startswith(b"\x1f\x8b\x08"):
        return "gz"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zst"
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] in _BZ2_BLOCKS:
        return "bz2"
    return None


def file_compression(path: str) -> Compression | None:
    """The compression of the file at `path` (None if it is not compressed or cannot be read)."""
    if _is_url(path):
        from .urls import file_head

        return compression_of(file_head(path))
    try:
        with open(path, "rb") as stream:
            return compression_of(stream.read(16))
    except OSError:
        return None


def strip_compression(name: str) -> str:
    """`name` without a compression suffix: `a.jsonl.gz` -> `a.jsonl`."""
    if not name.lower().endswith(_COMPRESSED):
        return name
    root, suffix = os.path.splitext(name)
    return root if suffix.lower() in COMPRESSED_SUFFIXES else name


# Decompressed bytes are read this many at a time. The codecs' own readers refill 8 KB at a call, and between
# two refills the cleaning of a record evicts the decompressor's tables from the CPU caches: bzip2's inverse
# transform walks 3.6 MB at random, so JSONL records of 2 KB took a third longer to clean from .bz2 than plain.
DECOMPRESSED_CHUNK = 1 << 20
_PIECE = io.DEFAULT_BUFFER_SIZE


def _decompressing(stream: BinaryIO, codec: Compression) -> BinaryIO:
    reader: Any
    if codec == "gz":
        reader = gzip.GzipFile(fileobj=stream, mode="rb")
    elif codec == "bz2":
        reader = bz2.BZ2File(stream, "rb")
    elif codec == "xz":
        reader = lzma.LZMAFile(stream, "rb")  # noqa: SIM115 -- closed with the reader returned
    else:
        reader = _zstd().ZstdFile(stream, "rb")
    return io.BufferedReader(_Chunks(reader), DECOMPRESSED_CHUNK)  # type: ignore[return-value]


class _Chunks(io.RawIOBase):
    """A decompressing reader read in large chunks, each gathered by reads of `_PIECE` bytes one after another
    (the codecs lose what a read was decoding when the stream breaks off, so a read is kept small). A stream that
    breaks off (truncated, corrupt) still hands over every piece decoded before the break, and raises at the next
    read: the records before it are kept."""

    def __init__(self, reader: BinaryIO) -> None:
        self.reader = reader
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.error is not None:
            raise self.error
        view, filled = memoryview(buffer), 0
        while filled < len(view):
            try:
                got = self.reader.readinto(view[filled : filled + _PIECE])  # type: ignore[attr-defined]
            except Exception as error:  # a decompression error: after what came before it
                if not filled:
                    raise
                self.error = error
                break
            if not got:
                break
            filled += got
        return filled

    def close(self) -> None:
        if not self.closed:
            self.reader.close()
        super().close()


def _is_url(path: str) -> bool:
    """An fsspec URL (`s3://...`, `memory://...`): found, read and written by `cleaner.urls`."""
    from .urls import is_url

    return "://" in path and is_url(path)


def compressing(stream: BinaryIO, codec: Compression) -> BinaryIO:
    """A writer that compresses into `stream` (closing it ends the compressed stream, not `stream`)."""
    return _compressing(stream, codec)


def _compressing(stream: BinaryIO, codec: Compression) -> BinaryIO:
    # Deterministic output: no timestamp or file name in a gzip header.
    if codec == "gz":
        return gzip.GzipFile(filename="", mode="wb", fileobj=stream, compresslevel=6, mtime=0)  # type: ignore[return-value]
    if codec == "bz2":
        return bz2.BZ2File(stream, "wb")  # type: ignore[return-value]
    if codec == "xz":
        return lzma.LZMAFile(stream, "wb")  # type: ignore[return-value]
    return _zstd().ZstdFile(stream, "wb")  # type: ignore[no-any-return]


def _zstd() -> Any:
    """The standard library's zstd module (Python 3.14), or its backport: the same file API as gzip, bz2 and lzma,
    frames read one after another, a truncated stream an error (zstandard's readers end quietly there)."""
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        from backports import zstd  # type: ignore[import-not-found,no-redef]
    return zstd


def _decompression_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)
    zstd = sys.modules.get("compression.zstd") or sys.modules.get("backports.zstd")
    return (*errors, zstd.ZstdError) if zstd is not None else errors


def _read_problem(exc: BaseException, codec: Compression | None) -> str:
    """The reason for an error met while reading (and perhaps decompressing) an input."""
    if codec is not None:
        if isinstance(exc, EOFError):
            return f"truncated {codec} data"
        if not isinstance(exc, OSError) or exc.errno is None:
            detail = str(exc).strip() or type(exc).__name__
            return f"corrupt {codec} data ({detail[:1].lower() + detail[1:]})"
    if isinstance(exc, OSError):
        return f"read error ({describe_os_error(exc)})"
    return f"read error ({exc})"


class _Closing:
    """Close a decompressing stream and the file under it."""

    def __init__(self, *streams: BinaryIO | None) -> None:
        self._streams = [stream for stream in streams if stream is not None]

    def close(self) -> None:
        for stream in self._streams:
            with contextlib.suppress(Exception):
                stream.close()
        self._streams = []


# --- finding inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One input: a file named on the command line, a file found in a directory, or standard input.

    `path` is how it is named in ids and messages: as given, or joined from the directory given. `fspath` is what
    to open (None for stdin). `relname` is its name relative to the directory it was found in (None for stdin;
    `output_name` gives its name under `-o DIR`). `format` is `text`, `jsonl`, `html` or `warc` (`auto` only
    for stdin, decided by sniffing). `sniff`: the format came from the name, so a `text` input whose content
    is an HTML page is read as HTML. `arg` is the index of the command-line path it came from; `size` its
    size in bytes when known.
    """

    path: str
    fspath: str | None
    relname: str | None
    format: InputFormat
    arg: int = 0
    size: int | None = None
    sniff: bool = False

    @property
    def is_stdin(self) -> bool:
        return self.fspath is None


@dataclass(frozen=True)
class Unreadable:
    """A command-line path, or a directory met on a walk, that yields no input: `problem` says why."""

    path: str
    problem: str


def format_of(name: str, input_format: InputFormat) -> InputFormat:
    """How a file is read: as asked, or under `auto` by its extension (`.jsonl`, HTML, WARC, else text), a
    compression suffix aside (`a.jsonl.zst` is JSONL)."""
    if input_format != "auto":
        return input_format
    lower = strip_compression(name.lower())
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.endswith((".html", ".htm")):
        return "html"
    if lower.endswith(".warc"):
        return "warc"
    return "text"


def output_name(relname: str, input_format: InputFormat) -> str:
    """The name an input's cleaned form gets under `-o DIR`: an HTML page becomes text (`a.html`, `a.htm.gz`
    -> `a.txt`), a WARC file a JSONL file of its documents (`crawl.warc.gz` -> `crawl.jsonl`); other inputs
    keep their name."""
    if input_format == "html":
        stem = strip_compression(relname)
        for suffix in (".html", ".htm"):
            if stem.lower().endswith(suffix):
                return stem[: -len(suffix)] + ".txt"
        return relname
    if input_format == "warc":
        stem = strip_compression(relname)
        return (stem[: -len(".warc")] if stem.lower().endswith(".warc") else stem) + ".jsonl"
    return relname


def same_output_siblings(name: str) -> tuple[str, ...]:
    """The file names in one directory whose inputs would go to the same file under `-o` as `name` (`a.txt`,
    `a.html`, `a.htm.gz`...; `a.jsonl`, `a.warc.gz`), `name` included, in walk (sorted) order."""
    lower = name.lower()
    for group in (TEXT_OUTPUT_GROUP, JSONL_OUTPUT_GROUP):
        for suffix in group:
            if lower.endswith(suffix):
                stem = name[: -len(suffix)]
                return tuple(sorted(stem + other for other in group))
    return (name,)


def wanted(name: str) -> bool:
    """Whether a directory walk picks up a file of this name (`*.txt`, `*.jsonl`, each perhaps compressed:
    `.gz`, `.bz2`, `.xz`, `.zst`; not hidden)."""
    return not name.startswith(".") and strip_compression(name.lower()).endswith(SUFFIXES)


NO_PAGES = "no pages found under it (*.txt, *.jsonl, *.html, *.htm, *.warc, perhaps compressed)"


def discover(
    paths: Iterable[str], input_format: InputFormat = "auto", *, exclude: Iterable[str] = ()
) -> Iterator[Input | Unreadable]:
    """Expand the command-line paths into inputs, lazily, in order.

    A directory is walked recursively in sorted order (path component by component), picking `*.txt` and
    `*.jsonl` files and skipping hidden entries and the directories in `exclude` (such as the output directory,
    which may sit inside an input). Symbolic links are followed, loops are not. `-` is standard input. A
    directory in which the walk finds no page is `Unreadable` (NO_PAGES).
    """
    excluded = {os.path.realpath(path) for path in exclude}
    for arg, path in enumerate(paths):
        if path == STDIN:
            yield Input(STDIN, None, None, "auto" if input_format == "auto" else input_format, arg)
            continue
        if _is_url(path):
            from .urls import discover_url

            yield from discover_url(path, arg, input_format)
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            yield Unreadable(path, describe_os_error(exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            ancestors = {(info.st_dev, info.st_ino)}
            found = False
            for item in _walk(path, path, "", arg, input_format, ancestors, excluded):
                found = True  # a page, or one that could not be read (already a message)
                yield item
            if not found:
                # A folder of other files (a.csv, b.md) is a mistake to say, not "0 documents" and exit 0.
                yield Unreadable(path, NO_PAGES)
        else:
            name = os.path.basename(path.rstrip(os.sep)) or path
            sniff = input_format == "auto"
            yield Input(path, path, name, format_of(path, input_format), arg, info.st_size, sniff)


def _walk(
    top: str,
    shown: str,
    rel: str,
    arg: int,
    input_format: InputFormat,
    ancestors: set[tuple[int, int]],
    excluded: set[str],
) -> Iterator[Input | Unreadable]:
    try:
        with os.scandir(top) as scan:
            entries = sorted((entry for entry in scan if not entry.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        yield Unreadable(shown, describe_os_error(exc))
        return
    for entry in entries:
        child_shown = os.path.join(shown, entry.name)
        child_rel = os.path.join(rel, entry.name) if rel else entry.name
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError as exc:
            yield Unreadable(child_shown, describe_os_error(exc))
            continue
        if is_dir:
            try:
                info = entry.stat()
            except OSError as exc:
                yield Unreadable(child_shown, describe_os_error(exc))
                continue
            key = (info.st_dev, info.st_ino)
            if key in ancestors or (excluded and os.path.realpath(entry.path) in excluded):
                continue
            ancestors.add(key)
            yield from _walk(entry.path, child_shown, child_rel, arg, input_format, ancestors, excluded)
            ancestors.discard(key)
        elif wanted(entry.name):
            if not is_file:
                if entry.is_symlink() and not os.path.exists(entry.path):
                    yield Unreadable(child_shown, "broken symbolic link")
                continue  # a socket or a fifo is not a page
            try:
                size: int | None = entry.stat().st_size
            except OSError:
                size = None
            fmt = format_of(entry.name, input_format)
            yield Input(child_shown, entry.path, child_rel, fmt, arg, size, input_format == "auto")


# --- reading ---------------------------------------------------------------------------------------------------


@dataclass
class TextInput:
    """A plain-text input: one page. `raw` is the bytes as read."""

    text: str
    raw: bytes


@dataclass
class HtmlInput:
    """An HTML input: one page. `raw` is its bytes as read (un-gzipped), decoded by `cleaner.html`, which
    knows about charsets."""

    raw: bytes


class WarcInput:
    """The HTML pages of a WARC input (`cleaner.warc.WarcPage`), read lazily; `skipped` counts the records that
    are not HTML pages. Close it (or use `with`) when done."""

    def __init__(self, stream: BinaryIO, closer: BinaryIO | None = None) -> None:
        from .warc import WarcReader

        self._reader = WarcReader(stream)
        self._closer = closer

    @property
    def skipped(self) -> int:
        return self._reader.skipped

    def __iter__(self) -> Iterator[Any]:
        from .warc import WarcError

        try:
            yield from self._reader
        except WarcError as exc:
            raise InputError(str(exc)) from exc

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()
            self._closer = None

    def __enter__(self) -> WarcInput:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass
class Line:
    """One line of a JSONL input.

    `kind`: `record` (a JSON object whose `text` or `html` is a string, in `record`), `notext` (an object
    with neither: passed through as it is), `invalid` (not a JSON object: `problem` says why), `blank`.
    `text` is the line decoded, without its line break; `raw` its bytes with the line break (None when the whole
    input had to be decoded at once, as UTF-16/32 is).
    """

    lineno: int
    kind: Literal["record", "notext", "invalid", "blank"]
    text: str
    raw: bytes | None
    record: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def size(self) -> int:
        return len(self.raw) if self.raw is not None else len(self.text.encode("utf-8", "replace")) + 1


def parse_line(lineno: int, text: str, raw: bytes | None) -> Line:
    """Classify one decoded JSONL line."""
    if not text.strip():
        return Line(lineno, "blank", text, raw)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Line(lineno, "invalid", text, raw, problem=f"invalid JSON ({json_problem(exc)})")
    except RecursionError:
        return Line(lineno, "invalid", text, raw, problem="invalid JSON (nested too deeply)")
    except ValueError as exc:  # such as a number too long to convert
        return Line(lineno, "invalid", text, raw, problem=f"invalid JSON ({str(exc)[:100]})")
    if not isinstance(value, dict):
        return Line(lineno, "invalid", text, raw, problem=f"invalid JSON (not an object: {_json_type(value)})")
    has_page = isinstance(value.get("text"), str) or isinstance(value.get("html"), str)
    kind: Literal["record", "notext"] = "record" if has_page else "notext"
    return Line(lineno, kind, text, raw, record=value)


def json_problem(exc: json.JSONDecodeError) -> str:
    """The decoder's message with where it stopped: "Expecting value at column 7" (some messages end in "at"
    already: "Unterminated string starting at column 26")."""
    message = exc.msg.removesuffix(" at").removesuffix(":")
    return f"{message} at column {exc.colno}"


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def looks_like_jsonl(line: str) -> bool:
    """The stdin sniff: a first non-blank line that starts with `{` and parses as a JSON object."""
    line = line.strip()
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


# Streams whose read(n) gives fewer than n bytes only at the end (a buffered reader blocks until it has n).
_SHORT_AT_END = (io.BufferedReader, io.BytesIO)


def _head(stream: BinaryIO) -> tuple[bytes, bool]:
    """The first `SNIFF_BYTES` of a stream, and whether they are all of it (then a small page costs no further
    reads)."""
    chunks = []
    size = 0
    while size < SNIFF_BYTES:
        want = SNIFF_BYTES - size
        chunk = stream.read(want)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if len(chunk) < want and isinstance(stream, _SHORT_AT_END):
            return b"".join(chunks), True
    return b"".join(chunks), False


def _too_large() -> str:
    return f"larger than {MAX_DOCUMENT_BYTES / (1 << 20):g} MB"


_CHUNK = 1 << 16


def _read_rest(stream: BinaryIO, have: int) -> bytes:
    """The rest of a page whose first `have` bytes are read; `InputError` past `MAX_DOCUMENT_BYTES`.

    Read in chunks that grow: `read(n)` allocates `n` bytes up front, and asking for the whole limit at once
    cost more than reading a small page (most pages end in the first chunk)."""
    chunks = []
    size = have
    want = _CHUNK
    while True:
        chunk = stream.read(min(want, MAX_DOCUMENT_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(f"too large for one page ({_too_large()} of text)")
        want = min(want * 2, 16 << 20)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _LineTooLong(Exception):
    """A JSONL line longer than `MAX_DOCUMENT_BYTES`."""


class _Lines:
    """The decoded lines of a stream whose first bytes (`head`) were already read to judge it.

    A line that is not UTF-8 is decoded as a whole text would be; the legacy codec named for the first such line
    (when it had enough to go by) is kept for the rest of the file, which is in one encoding.
    """

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head = head
        self.stream = stream
        self.whole: bytes | None = None  # every byte, once a UTF-16/32 input has been read at once
        self._raw_lines: Iterator[bytes] | None = None
        self._legacy: str | None = None

    def __iter__(self) -> Iterator[tuple[str, bytes | None]]:
        if _wide(self.head):
            # UTF-16/32: decoded whole (rare, and line breaks cannot be found in the bytes).
            self.whole = self.head + _read_rest(self.stream, len(self.head))
            text = decode_text(self.whole)
            pieces = text.split("\n")
            if pieces and pieces[-1] == "":
                pieces.pop()
            for piece in pieces:
                yield piece.removesuffix("\r"), None
            return
        first = True
        self._raw_lines = self._raw()
        for raw in self._raw_lines:
            if first:
                first = False
                body = raw.removeprefix(codecs.BOM_UTF8)
            else:
                body = raw
            yield self._decode(body).removesuffix("\n").removesuffix("\r"), raw

    def _decode(self, body: bytes) -> str:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if _mostly_utf8(body):
            return body.decode("utf-8", _LEGACY_ERRORS)
        if self._legacy is not None:
            return _decode_legacy(body, self._legacy)
        codec = guess_legacy(body)
        if _high_bytes(body) >= _MIN_LEGACY_EVIDENCE:
            self._legacy = codec  # named on real evidence: the file's encoding
        return _decode_legacy(body, codec)

    def _raw(self) -> Iterator[bytes]:
        pieces = self.head.split(b"\n")
        for piece in pieces[:-1]:
            yield piece + b"\n"
        tail = pieces[-1]
        if tail:
            yield _checked(tail + self.stream.readline(MAX_DOCUMENT_BYTES + 1 - len(tail)))
        while True:
            # readline with a limit: a line of a gigabyte (or a decompression bomb) is never held whole.
            line = self.stream.readline(MAX_DOCUMENT_BYTES + 1)
            if not line:
                return
            yield _checked(line)

    def rest(self) -> bytes:
        """The bytes after `head`, before any line was taken."""
        return _read_rest(self.stream, len(self.head))

    def undecoded(self) -> bytes:
        """The bytes of the lines not yet taken (once iteration has started), without decoding them."""
        if self._raw_lines is None:
            return self.head + self.rest()
        parts, size = [], 0
        for raw in self._raw_lines:
            size += len(raw)
            if size > MAX_DOCUMENT_BYTES:
                raise InputError(f"too large for one page ({_too_large()} of text)")
            parts.append(raw)
        return b"".join(parts)


def _checked(line: bytes) -> bytes:
    if len(line) > MAX_DOCUMENT_BYTES:
        raise _LineTooLong
    return line


class JsonlInput:
    """The lines of a JSONL input, read lazily; close it (or use `with`) when done."""

    def __init__(
        self,
        lines: Iterable[tuple[str, bytes | None]],
        closer: Any = None,
        compression: Compression | None = None,
    ) -> None:
        self._lines = lines
        self._closer = closer
        self.compression = compression
        self.first_line = 0  # the number of the line before the first: a block of a file starts further on

    def __iter__(self) -> Iterator[Line]:
        lineno = self.first_line
        try:
            for text, raw in self._lines:
                lineno += 1
                yield parse_line(lineno, text, raw)
        except _LineTooLong:
            raise InputError(f"line {lineno + 1} is {_too_large()}; the rest of the file is not read") from None
        except InputError:
            raise
        except (OSError, *_decompression_errors()) as exc:
            raise InputError(_read_problem(exc, self.compression)) from exc

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()
            self._closer = None

    def __enter__(self) -> JsonlInput:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


Opened = TextInput | JsonlInput | HtmlInput | WarcInput


def open_input(source: Input, stdin: BinaryIO | None = None) -> Opened:
    """Open one input: a whole page (`TextInput`, `HtmlInput`), its JSONL lines (`JsonlInput`) or the pages of
    a WARC file (`WarcInput`).

    Raises `InputError` when it cannot be opened or read, or is binary, corrupt or too large. A compressed input
    (gzip, bzip2, xz, zstd; known by its first bytes) is read decompressed, except a WARC file, whose reader
    takes gzipped records as they are. For stdin (`stdin` is its binary stream), format `auto` sniffs: a WARC
    (plain or gzipped), a first non-blank line that is a JSON object (JSONL), an HTML page, else text. A file
    named as text is read as HTML when it starts like a page.
    """
    if source.fspath is None:
        if stdin is None:
            raise InputError("no standard input")
        return _open_stream(stdin, source.format, None, sniff=True)
    try:
        # a one-page file is read in a few large reads: unbuffered, it costs no buffer and no copy through it
        buffering = 0 if source.format in ("text", "html") else -1
        if _is_url(source.fspath):
            from .urls import open_url

            stream = open_url(source.fspath)
        else:
            stream = open(source.fspath, "rb", buffering=buffering)  # noqa: SIM115 -- closed by JsonlInput or below
    except OSError as exc:
        raise InputError(describe_os_error(exc)) from exc
    try:
        return _open_stream(stream, source.format, stream, sniff=source.sniff)
    except BaseException:
        stream.close()
        raise


def open_stream(source: Input, stream: BinaryIO) -> Opened:
    """Open `source` from a stream the caller opened (a partition of a file, read into memory), as `open_input`
    opens its file; the stream is closed with what is returned."""
    try:
        return _open_stream(stream, source.format, stream, sniff=source.sniff)
    except BaseException:
        stream.close()
        raise


def _open_stream(stream: BinaryIO, input_format: InputFormat, owned: BinaryIO | None, *, sniff: bool) -> Opened:
    codec: Compression | None = None
    try:
        head, ended = _head(stream)
        if input_format == "warc" or (input_format == "auto" and _is_warc(head)):
            if not _is_warc(head):
                raise InputError("not a WARC file (it does not start with a WARC/ header)")
            return WarcInput(_Replay(head, stream), owned)
        codec = compression_of(head)
        closer: Any = owned
        if codec is not None:
            stream = _decompressing(io.BufferedReader(_Replay(head, stream)), codec)
            closer = _Closing(stream, owned)
            head, ended = _head(stream)
        if input_format == "html":
            raw = head if ended else head + _read_rest(stream, len(head))
            _close(closer)
            _check_binary(raw[:SNIFF_BYTES])
            return HtmlInput(raw)
        _check_binary(head)
        lines = _Lines(head, stream)
        if input_format == "jsonl":
            return JsonlInput(lines, closer, codec)
        if input_format == "text":
            raw = head if ended else head + lines.rest()
            _close(closer)
            if sniff and looks_like_html(head):
                return HtmlInput(raw)
            return TextInput(decode_text(raw), raw)
        return _sniff(lines, closer, codec)
    except _LineTooLong:
        raise InputError(f"too large for one page ({_too_large()} on one line)") from None
    except InputError:
        raise
    except (OSError, *_decompression_errors()) as exc:
        raise InputError(_read_problem(exc, codec)) from exc


def _check_binary(head: bytes) -> None:
    reason = binary_reason(head)
    if reason:
        raise InputError(reason)


SNIFF_CHARS = 1024
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # the ASCII characters `\s` matches in a str
_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|base|link|script|style|div|article"
    r"|section|main|header|p|table|h[1-6])[\s>/]",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(head: str | bytes) -> bool:
    """Whether the start of an input is an HTML page: its first tag (after comments and blank space) is one
    that pages open with. Text dumps start with words, so they are not taken for HTML."""
    if isinstance(head, bytes):
        start = head.removeprefix(codecs.BOM_UTF8).lstrip(_ASCII_SPACE)[:1]
        if start and start < b"\x80" and start != b"<":
            return False  # starts with a character that is no space and no tag, in any ASCII-compatible codec
        head = decode_text(head[: SNIFF_CHARS * 4])
    return _HTML_START.match(head.lstrip("\ufeff")[:SNIFF_CHARS]) is not None


def _is_warc(head: bytes) -> bool:
    """A WARC stream, plain or gzipped (per record, as crawlers write them)."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _sniff_whole(raw: bytes) -> TextInput | HtmlInput:
    """A whole (un-gzipped) input of unknown format: an HTML page or text."""
    if looks_like_html(raw[:SNIFF_BYTES]):
        return HtmlInput(raw)
    return TextInput(decode_text(raw), raw)


class _Replay(io.RawIOBase):
    """A stream whose first bytes (`head`) were already read to judge it: they are given back first."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sniff(lines: _Lines, closer: Any, codec: Compression | None) -> TextInput | JsonlInput | HtmlInput:
    seen: list[tuple[str, bytes | None]] = []
    iterator = iter(lines)
    for text, raw in iterator:
        seen.append((text, raw))
        if text.strip():
            if looks_like_jsonl(text):
                return JsonlInput(_chain(seen, iterator), closer, codec)
            break
    if lines.whole is not None:
        _close(closer)
        return _sniff_whole(lines.whole)
    raw = b"".join(part or b"" for _, part in seen) + lines.undecoded()
    _close(closer)
    return _sniff_whole(raw)


def _chain(
    first: list[tuple[str, bytes | None]], rest: Iterator[tuple[str, bytes | None]]
) -> Iterator[tuple[str, bytes | None]]:
    yield from first
    first.clear()
    yield from rest


def _close(stream: Any) -> None:
    if stream is not None:
        stream.close()


# --- writing ---------------------------------------------------------------------------------------------------


# Characters JSON leaves as they are but some readers end a line at (Python's str.splitlines, older JavaScript):
# escaped, so that one record is one line for every reader.
_LINE_ENDERS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def jsonl_line(record: dict[str, Any]) -> bytes:
    """One record as a JSONL line: UTF-8, not ASCII-escaped, newline-terminated. A lone surrogate (which a JSON
    input may carry as `\\ud800`) is written back as that escape instead of failing; so are the Unicode line
    and paragraph separators and NEL, which some readers take for line ends."""
    line = json.dumps(record, ensure_ascii=False)
    for char, escape in _LINE_ENDERS.items():
        if char in line:  # only inside strings: json.dumps writes nothing else that is not ASCII
            line = line.replace(char, escape)
    return (line + "\n").encode("utf-8", "backslashreplace")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ReadOnlyFileError(PermissionError):
    """The file to be replaced is read-only: cleaner does not replace it (a rename could)."""

    def __init__(self, path: str) -> None:
        super().__init__(errno.EACCES, "read-only file", path)


#: What `--backup` adds to a file's name for the copy of its original.
BACKUP_SUFFIX = ".orig"


# Compressed output is gathered and handed to the compressor this many bytes at a time. Fed record by record
# (a JSONL line of a few KB), the compressor's tables were evicted from the CPU caches by the cleaning of the
# next record: xz output took as long again as compressing the same bytes in one go.
_COMPRESS_CHUNK = 1 << 20


class AtomicFile:
    """Write a file so that readers see the old content or the new, never a part.

    The bytes go to a temporary file beside the target (through a compressor with `compression`); `commit()`
    flushes it (and with `durable`, fsyncs it and then its directory), gives it the mode (and, when permitted,
    the owner) of the file it replaces (new files: the default mode under the umask), and renames it over the
    target. `durable` is for files whose old content exists nowhere else (rewriting in place): without the fsyncs
    a power cut could leave an empty file where the only copy was. Output written beside intact inputs (-o) can
    skip them: two fsyncs cost more than cleaning the page. Leaving the `with` block without `commit()`, or by
    an exception (Ctrl-C included), removes the temporary file and leaves the target as it was. A symbolic link
    as target is written through: the file it points to is replaced, the link stays.

    A target without write permission is refused (`ReadOnlyFileError`) before anything is written: replacing
    it by a rename would succeed, but read-only says it is not to be changed.
    """

    def __init__(
        self, target: str | os.PathLike[str], *, durable: bool = True, compression: Compression | None = None
    ) -> None:
        self.target = os.path.realpath(target)
        self.durable = durable
        self.size = 0
        self._file: BinaryIO | None = None
        self._sink: BinaryIO | None = None
        self._backup_tmp = ""
        # Compressed output is handed to the compressor a megabyte at a time (see `_COMPRESS_CHUNK`).
        self._held: list[bytes] = []
        self._held_size = 0
        _refuse_read_only(self.target)
        directory, name = os.path.split(self.target)
        self._tmp = ""
        fd = _create_temporary(self, os.path.join(directory, f".{name}."))
        try:
            self._file = os.fdopen(fd, "wb")
            self._sink = self._file if compression is None else _compressing(self._file, compression)
        except BaseException:
            if self._file is None:
                # The descriptor may be closed already (io.open closes the file it made when it fails after
                # making it): an error here must not replace the one being raised (a Ctrl-C turned into a "bad
                # file descriptor" write error would let the run go on).
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.discard()
            raise

    def write(self, data: bytes) -> None:
        if self._sink is None:
            raise ValueError("AtomicFile is closed")
        self.size += len(data)
        if self._sink is self._file:
            self._sink.write(data)
            return
        self._held.append(data)
        self._held_size += len(data)
        if self._held_size >= _COMPRESS_CHUNK:
            self._compress_held()

    def _compress_held(self) -> None:
        assert self._sink is not None
        self._sink.write(b"".join(self._held))
        self._held.clear()
        self._held_size = 0

    def commit(self, backup: str | None = None) -> None:
        """Put the new content in place; with `backup` (a suffix), the file it replaces is kept beside it under
        its name plus that suffix (replacing an older backup). The target is never without a whole content: the
        backup is made (a hard link, or a copy) before the new file is renamed over the old."""
        if self._file is None or self._sink is None:
            raise ValueError("AtomicFile is closed")
        try:
            if self._sink is not self._file:
                self._compress_held()
                self._sink.close()  # the compressor's last block
            self._sink = None
            self._file.flush()
            if self.durable:
                os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            self._copy_metadata()
            if backup:
                self._keep_original(backup)
            os.replace(self._tmp, self.target)
        except BaseException:
            self.discard()
            raise
        _TEMPORARIES.discard(self._tmp)
        self._tmp = ""
        if self.durable:
            _fsync_directory(os.path.dirname(self.target))

    def _keep_original(self, suffix: str) -> None:
        if not os.path.exists(self.target):
            return
        directory, name = os.path.split(self.target)
        self._backup_tmp = os.path.join(directory, f".{name}{suffix}.{os.urandom(6).hex()}.tmp")
        _TEMPORARIES.add(self._backup_tmp)  # before it exists: an interrupt cannot orphan it
        try:
            os.link(self.target, self._backup_tmp)  # the original itself, its mode and times, at no cost
        except OSError:
            shutil.copy2(self.target, self._backup_tmp)  # a file system without hard links
        if self.durable:
            with open(self._backup_tmp, "rb") as kept:
                os.fsync(kept.fileno())
        os.replace(self._backup_tmp, self.target + suffix)
        _TEMPORARIES.discard(self._backup_tmp)
        self._backup_tmp = ""

    def _copy_metadata(self) -> None:
        try:
            old = os.stat(self.target)
        except FileNotFoundError:
            os.chmod(self._tmp, 0o666 & ~_umask())
            return
        os.chmod(self._tmp, stat.S_IMODE(old.st_mode))
        mine = os.stat(self._tmp)
        if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
            with contextlib.suppress(OSError):
                os.chown(self._tmp, old.st_uid, old.st_gid)

    def discard(self) -> None:
        """Drop what was written; the target stays as it was."""
        self._held.clear()
        if self._sink is not None and self._sink is not self._file:
            with contextlib.suppress(Exception):
                self._sink.close()
        self._sink = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        for leftover in (self._tmp, self._backup_tmp):
            if leftover:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
                _TEMPORARIES.discard(leftover)
        self._tmp = self._backup_tmp = ""

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


# Every temporary file an AtomicFile made and has not yet renamed or removed, by name, noted before the file is
# created. An interrupt can strike between any two calls, even inside a library call that creates a file and
# then works out its name; `remove_temporaries` clears whatever such a strike left behind.
_TEMPORARIES: set[str] = set()


def _create_temporary(owner: AtomicFile, prefix: str) -> int:
    """Create `prefix` + a random part + `.tmp`, exclusively, noted in `_TEMPORARIES` (and as `owner._tmp`)
    before it exists; the open descriptor."""
    while True:
        path = f"{prefix}{os.urandom(6).hex()}.tmp"
        owner._tmp = path
        _TEMPORARIES.add(path)
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:  # not ours: never to be removed
            _TEMPORARIES.discard(path)
            owner._tmp = ""
        # Any other exception (Ctrl-C is delivered as the call returns, the file made) leaves the name noted.


def remove_temporaries() -> None:
    """Remove the temporary files of writes that were neither committed nor discarded (after an interrupt)."""
    for path in list(_TEMPORARIES):
        with contextlib.suppress(OSError):
            os.unlink(path)
        _TEMPORARIES.discard(path)


def _refuse_read_only(path: str) -> None:
    try:
        info = os.stat(path)
    except OSError:
        return  # a new file, or one whose problem opening will tell
    # The write bits, not os.access alone: as root, access() says yes to every file.
    if stat.S_ISREG(info.st_mode) and (not info.st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise ReadOnlyFileError(path)


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(
    target: str | os.PathLike[str], data: bytes, *, durable: bool = True, compression: Compression | None = None
) -> None:
    """Replace `target` with `data` atomically (see `AtomicFile`)."""
    with AtomicFile(target, durable=durable, compression=compression) as out:
        out.write(data)
        out.commit()
