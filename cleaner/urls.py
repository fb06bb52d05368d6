"""Inputs and outputs named by fsspec URLs (`s3://bucket/crawl/*.jsonl.gz`, `gs://`, `hdfs://`, `file://`,
`memory://`): found, read and written through fsspec, the optional extra `cleaner[dask]`.

A URL input is an `io.Input` whose `fspath` is its URL; `io.open_input` opens it here and reads it as it reads a
file. A URL with a glob (`*`, `?`, `[`) is expanded by fsspec; a URL naming a directory (a prefix, on an object
store) is walked like a local directory: the files `io.wanted` picks, in sorted order. An output under `-o URL`
is written to a local temporary file and put in place whole when committed (`UrlAtomicFile`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from .io import Compression, Input, InputFormat, Unreadable

_GLOB = re.compile(r"[*?\[]")
# Stores whose single upload is all-or-nothing: an object appears whole or not at all, so a part is put under its
# own name. On other file systems (hdfs, sftp...) it is put beside under a temporary name and moved in place.
_WHOLE_PUTS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "memory"})
NEEDS_FSSPEC = "URLs need fsspec: pip install 'cleaner[dask]'"


def is_url(path: str) -> bool:
    """Whether a command-line path is a URL (`scheme://...`: a letter, then letters, digits, `+`, `.` or `-`)
    rather than a local path. String tests, not a pattern: a path is checked for every input."""
    scheme, separator, _ = path.partition("://")
    return (
        bool(separator) and scheme[:1].isalpha() and scheme.isascii() and all(c.isalnum() or c in "+.-" for c in scheme)
    )


def _filesystem(url: str) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    return url_to_fs(url)


def _spelt(url: str, path: str, found: str) -> str:
    """The URL of a file fsspec `found` under `path` (what fsspec made of `url`), spelt as the user spelt `url`:
    the part of `url` before its first glob or its end, then the rest of the file's path."""
    fixed = path[: _GLOB.search(path).start()] if _GLOB.search(path) else path.rstrip("/") + "/"
    fixed = fixed[: fixed.rfind("/") + 1]
    user = url[: _GLOB.search(url).start()] if _GLOB.search(url) else url.rstrip("/") + "/"
    user = user[: user.rfind("/") + 1]
    if found.startswith(fixed) and "://" in user:
        return user + found[len(fixed) :]
    return found


def discover_url(url: str, arg: int, input_format: InputFormat) -> Iterator[Input | Unreadable]:
    """The inputs a URL names: one file, the files a glob matches, or the wanted files under a directory."""
    from .io import Input, Unreadable, format_of, wanted

    try:
        fs, path = _filesystem(url)
    except ImportError:
        yield Unreadable(url, NEEDS_FSSPEC)
        return
    except (ValueError, OSError) as exc:
        yield Unreadable(url, str(exc) or type(exc).__name__)
        return
    try:
        if _GLOB.search(path):
            found = sorted(
                (p, info) for p, info in fs.glob(path, detail=True).items() if info.get("type") != "directory"
            )
            if not found:
                yield Unreadable(url, "no file matches")
            for name, info in found:
                target = _spelt(url, path, name)
                yield Input(
                    target,
                    target,
                    os.path.basename(name),
                    format_of(name, input_format),
                    arg,
                    info.get("size"),
                    input_format == "auto",
                )
            return
        if fs.isdir(path):
            top = path.rstrip("/") + "/"
            files = fs.find(path, detail=True)
            for name in sorted(files):
                rel = name[len(top) :] if name.startswith(top) else os.path.basename(name)
                if not all(
                    wanted(part) if i == len(rel.split("/")) - 1 else not part.startswith(".")
                    for i, part in enumerate(rel.split("/"))
                ):
                    continue
                target = _spelt(url, path, name)
                yield Input(
                    target,
                    target,
                    rel,
                    format_of(name, input_format),
                    arg,
                    files[name].get("size"),
                    input_format == "auto",
                )
            return
        info = fs.info(path)
    except FileNotFoundError:
        yield Unreadable(url, "no such file or directory")
        return
    except OSError as exc:
        yield Unreadable(url, str(exc) or type(exc).__name__)
        return
    name = os.path.basename(path.rstrip("/")) or path
    yield Input(url, url, name, format_of(path, input_format), arg, info.get("size"), input_format == "auto")


def open_url(url: str) -> BinaryIO:
    """The bytes of a URL input, as a binary stream (raises OSError as `open` does)."""
    try:
        fs, path = _filesystem(url)
    except ImportError as exc:
        raise OSError(NEEDS_FSSPEC) from exc
    except ValueError as exc:
        raise OSError(str(exc)) from exc
    return fs.open(path, "rb")


def read_block(url: str, offset: int, length: int) -> bytes:
    """The whole lines of a file (path or URL) that start in [offset, offset + length): fsspec's block reader, so
    that line-delimited partitions of one file cover each line exactly once."""
    from fsspec.core import url_to_fs
    from fsspec.utils import read_block as read

    fs, path = url_to_fs(url)
    with fs.open(path, "rb") as stream:
        return read(stream, offset, length, delimiter=b"\n")


def file_head(url: str, size: int = 16) -> bytes:
    try:
        with open_url(url) as stream:
            return stream.read(size)
    except OSError:
        return b""


def join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


class UrlAtomicFile:
    """An output at a URL that appears whole or not at all: written to a local temporary file (through a
    compressor with `compression`), put in place by `commit()`; `discard()` drops it. The interface of
    `io.AtomicFile` that the session uses."""

    def __init__(self, target: str, *, compression: Compression | None = None) -> None:
        from . import io as cio

        self.target = target
        self.size = 0
        self._fs, self._path = _filesystem(target)
        self._file: Any = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by commit or discard
        self._sink: Any = self._file if compression is None else cio.compressing(self._file, compression)

    def write(self, data: bytes) -> None:
        if self._sink is None:
            raise ValueError("UrlAtomicFile is closed")
        self.size += len(data)
        self._sink.write(data)

    def commit(self, backup: str | None = None) -> None:
        if self._sink is None:
            raise ValueError("UrlAtomicFile is closed")
        try:
            if self._sink is not self._file:
                self._sink.close()
            self._sink = None
            self._file.flush()
            self._file.seek(0)
            parent = self._path.rsplit("/", 1)[0] if "/" in self._path else ""
            if parent:
                with contextlib.suppress(OSError):
                    self._fs.makedirs(parent, exist_ok=True)
            protocols = {self._fs.protocol} if isinstance(self._fs.protocol, str) else set(self._fs.protocol)
            if protocols & _WHOLE_PUTS:
                self._put(self._path)
            else:
                temporary = f"{parent}/.{self._path.rsplit('/', 1)[-1]}.{os.urandom(6).hex()}.tmp"
                self._put(temporary)
                self._fs.mv(temporary, self._path)
        finally:
            self.discard()

    def _put(self, path: str) -> None:
        with self._fs.open(path, "wb") as out:
            while chunk := self._file.read(1 << 20):
                out.write(chunk)

    def discard(self) -> None:
        if self._sink is not None and self._sink is not self._file:
            with contextlib.suppress(Exception):
                self._sink.close()
        self._sink = None
        if self._file is not None:
            self._file.close()
            self._file = None
