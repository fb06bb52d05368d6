"""Getting pages in and results out: finding inputs, decoding bytes, JSONL records, atomic writes.

Nothing here cleans anything; `cleaner.cli` glues these pieces to `cleaner.clean`. Everything streams: a
directory is walked lazily, a JSONL file is read a line at a time, a WARC file a record at a time, and only a
plain-text or HTML input (one page) is read whole.

Formats: `.jsonl` is JSONL; `.html`, `.htm` (also gzipped: `.html.gz`, `.htm.gz`) are HTML pages; `.warc`,
`.warc.gz` are WARC files; anything else is text, unless its content starts like an HTML page (sniffed).

Decoding (`decode`): UTF-8 with or without a BOM, UTF-16/32 with a BOM; bytes that are not UTF-8 are read as
cp1252 (latin-1 for the five bytes cp1252 leaves undefined), so legacy and mixed-encoding pages come out as
text instead of being rejected. A file is binary (`InputError`) when its first 8 KiB hold NUL bytes without a
UTF-16/32 BOM, or are mostly control bytes.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import gzip
import io
import json
import os
import stat
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

InputFormat = Literal["auto", "text", "jsonl", "html", "warc"]

HTML_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz")
#: What a directory walk picks up.
SUFFIXES: tuple[str, ...] = (".txt", ".jsonl", *HTML_SUFFIXES, *WARC_SUFFIXES)
GZIP_MAGIC = b"\x1f\x8b"
# Inputs whose cleaned forms share an output name under -o (an HTML page's is text, a WARC's is JSONL).
TEXT_OUTPUT_GROUP: tuple[str, ...] = (".txt", *HTML_SUFFIXES)
JSONL_OUTPUT_GROUP: tuple[str, ...] = (".jsonl", *WARC_SUFFIXES)
#: How much of an input is looked at to tell binary from text.
SNIFF_BYTES = 8192
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
# Control bytes that do not occur in text (tab, newlines, form feed and escape do).
_CONTROL_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20))
_CONTROL_BYTES_TABLE = bytes(sorted(_CONTROL_BYTES))


def bom_encoding(data: bytes) -> str | None:
    """The codec named by the byte-order mark `data` starts with, if any."""
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
    if b"\0" in head:
        return "binary file (NUL bytes)"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES_TABLE))  # counted in C, not byte by byte
    if controls >= 4 and controls * 10 > len(head):
        return "binary file (control bytes)"
    return None


def decode_text(data: bytes) -> str:
    """Decode without judging: BOM codec, else UTF-8 with non-UTF-8 bytes read as cp1252."""
    encoding = bom_encoding(data)
    if encoding is None:
        return data.decode("utf-8", _LEGACY_ERRORS)
    if encoding == "utf-8-sig":
        return data.decode(encoding, _LEGACY_ERRORS)
    return data.decode(encoding, "replace")


def decode(data: bytes) -> str:
    """Decode one input's bytes; `InputError` if they are binary."""
    reason = binary_reason(data[:SNIFF_BYTES])
    if reason:
        raise InputError(reason)
    return decode_text(data)


def describe_os_error(exc: OSError) -> str:
    """`OSError` in the words of the error lines: `no such file or directory`, `permission denied`."""
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


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
    """How a file is read: as asked, or under `auto` by its extension (`.jsonl`, HTML, WARC, else text)."""
    if input_format != "auto":
        return input_format
    lower = name.lower()
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    return "text"


def output_name(relname: str, input_format: InputFormat) -> str:
    """The name an input's cleaned form gets under `-o DIR`: an HTML page becomes text (`a.html`, `a.htm.gz`
    -> `a.txt`), a WARC file a JSONL file of its documents (`crawl.warc.gz` -> `crawl.jsonl`); other inputs
    keep their name."""
    lower = relname.lower()
    if input_format == "html":
        for suffix in HTML_SUFFIXES:
            if lower.endswith(suffix):
                return relname[: -len(suffix)] + ".txt"
        return relname
    if input_format == "warc":
        for suffix in WARC_SUFFIXES:
            if lower.endswith(suffix):
                return relname[: -len(suffix)] + ".jsonl"
        return relname + ".jsonl"
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
    """Whether a directory walk picks up a file of this name (`*.txt`, `*.jsonl`, not hidden)."""
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def discover(
    paths: Iterable[str], input_format: InputFormat = "auto", *, exclude: Iterable[str] = ()
) -> Iterator[Input | Unreadable]:
    """Expand the command-line paths into inputs, lazily, in order.

    A directory is walked recursively in sorted order (path component by component), picking `*.txt` and
    `*.jsonl` files and skipping hidden entries and the directories in `exclude` (such as the output directory,
    which may sit inside an input). Symbolic links are followed, loops are not. `-` is standard input.
    """
    excluded = {os.path.realpath(path) for path in exclude}
    for arg, path in enumerate(paths):
        if path == STDIN:
            yield Input(STDIN, None, None, "auto" if input_format == "auto" else input_format, arg)
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            yield Unreadable(path, describe_os_error(exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            ancestors = {(info.st_dev, info.st_ino)}
            yield from _walk(path, path, "", arg, input_format, ancestors, excluded)
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
        return Line(lineno, "invalid", text, raw, problem=f"invalid JSON ({exc.msg} at column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        return Line(lineno, "invalid", text, raw, problem=f"invalid JSON ({type(exc).__name__})")
    if not isinstance(value, dict):
        return Line(lineno, "invalid", text, raw, problem=f"invalid JSON (not an object: {_json_type(value)})")
    has_page = isinstance(value.get("text"), str) or isinstance(value.get("html"), str)
    kind: Literal["record", "notext"] = "record" if has_page else "notext"
    return Line(lineno, kind, text, raw, record=value)


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


def _read_head(stream: BinaryIO) -> bytes:
    chunks = []
    size = 0
    while size < SNIFF_BYTES:
        chunk = stream.read(SNIFF_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class _Lines:
    """The decoded lines of a stream whose first bytes (`head`) were already read to judge it."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head = head
        self.stream = stream
        self.whole: bytes | None = None  # every byte, once a UTF-16/32 input has been read at once
        self._raw_lines: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[tuple[str, bytes | None]]:
        if _wide(self.head):
            # UTF-16/32: decoded whole (rare, and line breaks cannot be found in the bytes).
            self.whole = self.head + self.stream.read()
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
            text = body.decode("utf-8", _LEGACY_ERRORS)
            yield text.removesuffix("\n").removesuffix("\r"), raw

    def _raw(self) -> Iterator[bytes]:
        pieces = self.head.split(b"\n")
        for piece in pieces[:-1]:
            yield piece + b"\n"
        tail = pieces[-1]
        if tail:
            tail += self.stream.readline()
            yield tail
        yield from self.stream

    def rest(self) -> bytes:
        """The bytes after `head`, before any line was taken."""
        return self.stream.read()

    def undecoded(self) -> bytes:
        """The bytes of the lines not yet taken (once iteration has started), without decoding them."""
        if self._raw_lines is None:
            return self.head + self.stream.read()
        return b"".join(self._raw_lines)


class JsonlInput:
    """The lines of a JSONL input, read lazily; close it (or use `with`) when done."""

    def __init__(self, lines: Iterable[tuple[str, bytes | None]], closer: BinaryIO | None = None) -> None:
        self._lines = lines
        self._closer = closer

    def __iter__(self) -> Iterator[Line]:
        try:
            for lineno, (text, raw) in enumerate(self._lines, 1):
                yield parse_line(lineno, text, raw)
        except OSError as exc:
            raise InputError(f"read error ({describe_os_error(exc)})") from exc

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

    Raises `InputError` when it cannot be opened or read, or is binary. For stdin (`stdin` is its binary
    stream), format `auto` sniffs: a WARC (plain or gzipped), a first non-blank line that is a JSON object
    (JSONL), an HTML page, else text. A file named as text is read as HTML when it starts like a page.
    """
    if source.fspath is None:
        if stdin is None:
            raise InputError("no standard input")
        return _open_stream(stdin, source.format, None, sniff=True)
    try:
        stream = open(source.fspath, "rb")  # noqa: SIM115 -- closed by JsonlInput or below
    except OSError as exc:
        raise InputError(describe_os_error(exc)) from exc
    try:
        return _open_stream(stream, source.format, stream, sniff=source.sniff)
    except BaseException:
        stream.close()
        raise


def _open_stream(stream: BinaryIO, input_format: InputFormat, owned: BinaryIO | None, *, sniff: bool) -> Opened:
    try:
        head = _read_head(stream)
        if input_format == "warc" or (input_format == "auto" and _is_warc(head)):
            if not _is_warc(head):
                raise InputError("not a WARC file (it does not start with a WARC/ header)")
            return WarcInput(_Replay(head, stream), owned)
        if input_format == "html" or (input_format == "auto" and head.startswith(GZIP_MAGIC)):
            raw = _gunzip(head + stream.read())
            _close(owned)
            _check_binary(raw[:SNIFF_BYTES])
            if input_format == "auto":
                return _sniff_whole(raw)
            return HtmlInput(raw)
        _check_binary(head)
        lines = _Lines(head, stream)
        if input_format == "jsonl":
            return JsonlInput(lines, owned)
        if input_format == "text":
            raw = head + lines.rest()
            _close(owned)
            if sniff and _looks_like_html(head):
                return HtmlInput(raw)
            return TextInput(decode_text(raw), raw)
        return _sniff(lines, owned)
    except OSError as exc:
        raise InputError(f"read error ({describe_os_error(exc)})") from exc


def _check_binary(head: bytes) -> None:
    reason = binary_reason(head)
    if reason:
        raise InputError(reason)


def _looks_like_html(head: bytes) -> bool:
    from .html.decode import looks_like_html

    return looks_like_html(head)


def _is_warc(head: bytes) -> bool:
    """A WARC stream, plain or gzipped (per record, as crawlers write them)."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _gunzip(data: bytes) -> bytes:
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"not valid gzip ({exc})") from exc


def _sniff_whole(raw: bytes) -> TextInput | HtmlInput:
    """A whole (un-gzipped) input of unknown format: an HTML page or text."""
    if _looks_like_html(raw[:SNIFF_BYTES]):
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


def _sniff(lines: _Lines, owned: BinaryIO | None) -> TextInput | JsonlInput | HtmlInput:
    seen: list[tuple[str, bytes | None]] = []
    iterator = iter(lines)
    for text, raw in iterator:
        seen.append((text, raw))
        if text.strip():
            if looks_like_jsonl(text):
                return JsonlInput(_chain(seen, iterator), owned)
            break
    if lines.whole is not None:
        _close(owned)
        return _sniff_whole(lines.whole)
    raw = b"".join(part or b"" for _, part in seen) + lines.undecoded()
    _close(owned)
    return _sniff_whole(raw)


def _chain(
    first: list[tuple[str, bytes | None]], rest: Iterator[tuple[str, bytes | None]]
) -> Iterator[tuple[str, bytes | None]]:
    yield from first
    first.clear()
    yield from rest


def _close(stream: BinaryIO | None) -> None:
    if stream is not None:
        stream.close()


# --- writing ---------------------------------------------------------------------------------------------------


def jsonl_line(record: dict[str, Any]) -> bytes:
    """One record as a JSONL line: UTF-8, not ASCII-escaped, newline-terminated. A lone surrogate (which a JSON
    input may carry as `\\ud800`) is written back as that escape instead of failing."""
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicFile:
    """Write a file so that readers see the old content or the new, never a part.

    The bytes go to a temporary file beside the target; `commit()` flushes it (and with `durable`, fsyncs it and
    then its directory), gives it the mode (and, when permitted, the owner) of the file it replaces (new files:
    the default mode under the umask), and renames it over the target. `durable` is for files whose old content
    exists nowhere else (rewriting in place): without the fsyncs a power cut could leave an empty file where the
    only copy was. Output written beside intact inputs (-o) can skip them: two fsyncs cost more than cleaning
    the page. Leaving the `with` block without `commit()`, or by an exception (Ctrl-C included),
    removes the temporary file and leaves the target as it was. A symbolic link as target is written through:
    the file it points to is replaced, the link stays.
    """

    def __init__(self, target: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.target = os.path.realpath(target)
        self.durable = durable
        directory, name = os.path.split(self.target)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
        self._file: BinaryIO | None = os.fdopen(fd, "wb")
        self.size = 0

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ValueError("AtomicFile is closed")
        self._file.write(data)
        self.size += len(data)

    def commit(self) -> None:
        if self._file is None:
            raise ValueError("AtomicFile is closed")
        try:
            self._file.flush()
            if self.durable:
                os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            self._copy_metadata()
            os.replace(self._tmp, self.target)
        except BaseException:
            self.discard()
            raise
        self._tmp = ""
        if self.durable:
            _fsync_directory(os.path.dirname(self.target))

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
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        if self._tmp:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp)
            self._tmp = ""

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


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


def write_atomic(target: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Replace `target` with `data` atomically (see `AtomicFile`)."""
    with AtomicFile(target, durable=durable) as out:
        out.write(data)
        out.commit()
