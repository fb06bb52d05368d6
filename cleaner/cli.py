"""The `cleaner` command line: a click group (`main`) with the `clean` subcommand.

`cleaner clean` turns a stream of inputs (files, directories, stdin; plain text or JSONL) into a stream of
events in input order (`_events`), runs `cleaner.clean` over the documents in it, in worker processes when
that pays, with a bounded window of work in flight (`_Cleaning`), and hands each event, still in input order, to
a `_Session` that prints, writes, checks or diffs it. Nothing holds more than the window: memory stays flat on
corpora of any size.

Exit status: 0 done, 1 `--check` found inputs that would change, 2 any input or line could not be read or
cleaned (and usage errors), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import click

from . import __version__
from . import io as cio
from .document import Document
from .pipeline import clean as clean_page

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_OK, EXIT_CHANGED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="cleaner", message="%(prog)s %(version)s")
def main() -> None:
    """Strip boilerplate from scraped news pages and web corpora: the article only, with its metadata.

    Each page (a .txt file, one record of a .jsonl file, or standard input) comes out as its title and body
    text, with menus, share bars, cookie notices, teasers and other boilerplate removed, plus what was learnt
    about it (kind, language, source, date, related articles, removed lines and why).

    \b
    Examples:
      cleaner clean page.txt                      print the article of one page
      cleaner clean corpus/ -o clean/             clean a tree of .txt/.jsonl files into clean/
      cleaner clean --format jsonl < pages.jsonl > clean.jsonl
      cleaner clean --check corpus/               exit 1 if any file would change
      cleaner clean --explain page.txt            show what was removed and why

    Run `cleaner COMMAND --help` for the options of a command.
    """


# --- the worker side -------------------------------------------------------------------------------------------

_WORKER_OPTIONS: dict[str, Any] = {}


def _worker_init(options: dict[str, Any]) -> None:
    # The parent handles Ctrl-C and SIGTERM and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_OPTIONS.clear()
    _WORKER_OPTIONS.update(options)


def _worker_clean(text: str, title: str | None) -> Document:
    return clean_page(text, title=title, **_WORKER_OPTIONS)


# --- events: the inputs, in order --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Begin:
    source: cio.Input


@dataclass(eq=False)
class _End:
    source: cio.Input


@dataclass(eq=False)
class _Failed:
    """An input that could not be read (`source` None: it never opened), or broke off while being read."""

    path: str
    problem: str
    source: cio.Input | None = None


@dataclass(eq=False)
class _Doc:
    """One document to clean: a text input, or a JSONL record with a text field."""

    source: cio.Input
    id: Any
    label: str  # how messages name it: PATH, or PATH:LINE for a record
    text: str
    raw: bytes | None  # the input's bytes (whole file, or the record's line), to tell whether a file changes
    line: cio.Line | None = None
    title: str | None = None
    result: Document | BaseException | None = None
    future: Future[Document] | None = None
    tries: int = 0
    generation: int = 0  # of the pool it was sent to

    @property
    def size(self) -> int:
        if self.line is not None:
            return self.line.size
        return len(self.raw) if self.raw is not None else len(self.text)


@dataclass(eq=False)
class _Pass:
    """A JSONL line that is not a document (blank, invalid, no text field): passed through as it is."""

    source: cio.Input
    line: cio.Line


_Event = _Begin | _End | _Failed | _Doc | _Pass


def _events(inputs: Iterator[cio.Input | cio.Unreadable], stdin: BinaryIO | None) -> Iterator[_Event]:
    for item in inputs:
        if isinstance(item, cio.Unreadable):
            yield _Failed(item.path, item.problem)
            continue
        try:
            opened = cio.open_input(item, stdin)
        except cio.InputError as exc:
            yield _Failed(item.path, str(exc))
            continue
        if isinstance(opened, cio.TextInput):
            yield _Begin(item)
            yield _Doc(item, item.path, item.path, opened.text, opened.raw)
            yield _End(item)
            continue
        yield _Begin(item)
        with opened:
            try:
                for line in opened:
                    yield _record_event(item, line)
            except cio.InputError as exc:
                yield _Failed(item.path, str(exc), item)
        yield _End(item)


def _record_event(source: cio.Input, line: cio.Line) -> _Doc | _Pass:
    if line.kind != "record" or line.record is None:
        return _Pass(source, line)
    record = line.record
    label = f"{source.path}:{line.lineno}"
    doc_id = record.get("id")
    if doc_id is None:
        doc_id = label
    title = record.get("title")
    title = title if isinstance(title, str) and title.strip() else None
    return _Doc(source, doc_id, label, record["text"], line.raw, line=line, title=title)


# --- cleaning, in order, in a bounded window ---------------------------------------------------------------------


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    # fork is the cheapest start and safe while this process has a single thread (it does, as a CLI).
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class _Cleaning:
    """Clean the documents of an event stream and give the events back in input order, results filled in.

    With `jobs > 1` the documents go to a process pool, but only once there is a second one: a single page is
    cleaned in-process without paying for a pool. At most `window` documents (and about `budget` bytes of them)
    are in flight; the stream is pulled only as results are handed on, so neither the input nor the output
    piles up. A document whose cleaning raises gets the exception as its result; one that was in a pool whose
    worker died is retried once in a fresh pool.
    """

    def __init__(self, options: dict[str, Any], jobs: int, *, window: int | None = None, budget: int = 64 << 20):
        self.options = options
        self.jobs = max(1, jobs)
        self.window = window if window is not None else 4 * self.jobs
        self.budget = budget
        self._pool: ProcessPoolExecutor | None = None
        self._context: multiprocessing.context.BaseContext | None = None
        self._generation = 0  # of the pool: bumped when a broken one is replaced
        self._deferred: _Doc | None = None
        self._docs_seen = 0
        self._in_flight = 0
        self._bytes = 0

    def run(self, events: Iterator[_Event]) -> Iterator[_Event]:
        pending: deque[_Event] = deque()
        for event in events:
            if isinstance(event, _Doc):
                self._submit(event)
            pending.append(event)
            while pending and (self._ready(pending[0]) or self._full(len(pending))):
                yield self._finish(pending.popleft())
        while pending:
            yield self._finish(pending.popleft())

    def _full(self, pending: int) -> bool:
        return self._in_flight > self.window or pending > 4 * self.window or self._bytes > self.budget

    @staticmethod
    def _ready(event: _Event) -> bool:
        if not isinstance(event, _Doc):
            return True
        return event.result is not None or (event.future is not None and event.future.done())

    def _submit(self, doc: _Doc) -> None:
        self._in_flight += 1
        self._bytes += doc.size
        if self.jobs == 1:
            doc.result = self._here(doc)
            return
        self._docs_seen += 1
        if self._pool is None:
            if self._docs_seen == 1:
                self._deferred = doc  # maybe the only one
                return
            if self._deferred is not None and self._deferred.result is None:
                self._send(self._deferred)
            self._deferred = None
        self._send(doc)

    def _send(self, doc: _Doc) -> None:
        doc.tries += 1
        for _ in range(2):
            pool = self._ensure_pool()
            try:
                doc.future = pool.submit(_worker_clean, doc.text, doc.title)
            except BrokenProcessPool:
                self._restart(self._generation)  # broken by an earlier document's worker: start afresh
                continue
            doc.generation = self._generation
            return
        doc.future = None
        doc.result = RuntimeError("no worker process could be started")

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            if self._context is None:
                self._context = _pool_context()  # chosen once: a replacement pool starts the same way
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=self._context,
                initializer=_worker_init,
                initargs=(self.options,),
            )
        return self._pool

    def _here(self, doc: _Doc) -> Document | BaseException:
        try:
            return clean_page(doc.text, title=doc.title, **self.options)
        except Exception as exc:
            return exc

    def _finish(self, event: _Event) -> _Event:
        if not isinstance(event, _Doc):
            return event
        doc = event
        while doc.result is None:
            if doc.future is None:
                doc.result = self._here(doc)
                break
            try:
                doc.result = doc.future.result()
            except BrokenProcessPool as exc:
                if doc.tries >= 2:
                    doc.result = RuntimeError(f"worker process died ({exc})")
                    break
                self._restart(doc.generation)
                self._send(doc)
            except Exception as exc:
                doc.result = exc
        doc.future = None
        if doc is self._deferred:
            self._deferred = None
        self._in_flight -= 1
        self._bytes -= doc.size
        return doc

    def _restart(self, broken: int) -> None:
        # Every document still in a broken pool fails the same way; the first one seen replaces the pool.
        if broken == self._generation and self._pool is not None:
            pool, self._pool = self._pool, None
            self._generation += 1
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self, *, kill: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            # Interrupted: do not wait for the pages being cleaned; stop our own workers.
            for process in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        else:
            pool.shutdown(wait=True)


# --- reporting on stderr -----------------------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on stderr (bytes of input done, documents), for runs longer than a moment."""

    DELAY = 0.5
    INTERVAL = 0.1

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.docs = 0
        self.started = time.monotonic()
        self._last = 0.0
        self._shown = False

    def advance(self, size: int, docs: int = 0) -> None:
        self.done += size
        self.docs += docs
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.DELAY or now - self._last < self.INTERVAL:
            return
        self._last = now
        self._draw()

    def _draw(self) -> None:
        docs = f"{self.docs} {_plural(self.docs, 'document')}"
        if self.total:
            share = min(1.0, self.done / self.total)
            bar = "#" * int(share * 30)
            line = f"[{bar:<30}] {share:4.0%}  {_bytes(self.done)}/{_bytes(self.total)}  {docs}"
        else:
            line = f"{_bytes(self.done)}  {docs}"
        # color=True: the erase-line code must survive (the bar is only drawn on a terminal anyway)
        click.echo(f"\rcleaning {line}\x1b[K", err=True, nl=False, color=True)
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\x1b[K", err=True, nl=False, color=True)
            self._shown = False


def _bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


class _Reporter:
    def __init__(self, progress: _Progress) -> None:
        self.progress = progress

    def echo(self, message: str) -> None:
        self.progress.clear()
        click.echo(message, err=True)

    def problem(self, where: str, problem: str) -> None:
        self.echo(f"cleaner: {where}: {problem}")


# --- what happens to each result -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    fmt: str = "text"
    output_dir: str | None = None
    in_place: bool = False
    check: bool = False
    diff: bool = False
    explain: bool = False
    langs: frozenset[str] | None = None
    lang_label: str = ""
    quiet: bool = False

    @property
    def compare(self) -> bool:
        return self.check or self.diff

    @property
    def to_files(self) -> bool:
        return self.output_dir is not None or self.in_place or self.compare


@dataclass
class _Unit:
    """The output of one input file in the file modes (-o, --in-place, --check, --diff)."""

    source: cio.Input
    writer: cio.AtomicFile | None = None
    changed: bool = False  # differs from the input
    written: int = 0  # lines or documents that go to the output
    dropped: int = 0  # documents left out by --lang under -o
    failed: bool = False
    old: list[str] = field(default_factory=list)  # for --diff
    new: list[str] = field(default_factory=list)


class _Session:
    """Consume the cleaned events in input order: print, write, check or diff; count; report."""

    def __init__(
        self,
        settings: _Settings,
        stdout: BinaryIO,
        reporter: _Reporter,
        claims: Callable[[cio.Input], str | None],
    ) -> None:
        self.settings = settings
        self.stdout = stdout
        self.reporter = reporter
        self.claims = claims
        self.docs = 0
        self.changed = 0
        self.errors = 0
        self.skipped = 0
        self.files_changed = 0
        self._held: tuple[str, bytes] | None = None  # the first text document, until we know it is not alone
        self._printed = 0
        self._unit: _Unit | None = None

    # events

    def handle(self, event: _Event) -> None:
        progress = self.reporter.progress
        if isinstance(event, _Doc):
            progress.advance(event.size, 1)
            self._doc(event)
        elif isinstance(event, _Pass):
            progress.advance(event.line.size)
            self._pass(event)
        elif isinstance(event, _Begin):
            if self.settings.to_files:
                self._unit = _Unit(event.source)
        elif isinstance(event, _End):
            self._end(event.source)
        else:
            self.errors += 1
            self.reporter.problem(event.path, event.problem)
            if self._unit is not None and event.source is self._unit.source:
                self._unit.failed = True

    def _doc(self, doc: _Doc) -> None:
        result = doc.result
        if not isinstance(result, Document):
            self.errors += 1
            problem = f"{type(result).__name__}: {result}" if result is not None else "not cleaned"
            self.reporter.problem(doc.label, f"cleaning failed ({problem})")
            self._keep(doc)
            return
        if self.settings.langs is not None and result.language not in self.settings.langs:
            self.skipped += 1
            self._keep(doc)
            return
        self.docs += 1
        if self.settings.explain:
            self._explain(doc, result)
        if doc.line is None:
            rendered = result.render()
            if rendered != doc.text:
                self.changed += 1
            if self.settings.to_files:
                self._file_text(doc, rendered)
            elif self.settings.fmt == "jsonl":
                self._write(cio.jsonl_line({"id": doc.id, **result.to_dict()}))
            else:
                self._print_text(str(doc.id), _encode(rendered))
            return
        record = _merge(doc, result)
        if record != doc.line.record:
            self.changed += 1
        if self.settings.to_files:
            self._file_line(doc.line, cio.jsonl_line(record))
        elif self.settings.fmt == "jsonl":
            self._write(cio.jsonl_line(record))
        else:
            self._print_text(str(doc.id), _encode(result.render()))

    def _keep(self, doc: _Doc) -> None:
        """A document that is not output (failed, or not in --lang): in place it stays as it was."""
        unit = self._unit
        if unit is None:
            return
        if doc.line is None:
            unit.dropped += 1
        elif self.settings.output_dir is not None and isinstance(doc.result, Document):
            unit.dropped += 1
            unit.changed = True
        else:
            self._file_line(doc.line, None)

    def _pass(self, event: _Pass) -> None:
        line = event.line
        where = f"{event.source.path}:{line.lineno}"
        if line.kind == "invalid":
            self.errors += 1
            self.reporter.problem(where, line.problem or "invalid JSON")
        elif line.kind == "notext":
            record = line.record or {}
            problem = "no text field" if "text" not in record else "text field is not a string"
            self.reporter.problem(where, problem)
        if self.settings.to_files:
            if line.kind == "blank":
                if self._unit is not None:
                    self._unit.changed = True  # blank lines are not written
                    if self.settings.diff:
                        self._unit.old.append(_old_line(line))
            else:
                self._file_line(line, None)
        elif line.kind == "notext" and self.settings.fmt == "jsonl":
            self._write(_encode(line.text + "\n"))

    # stdout

    def _write(self, data: bytes) -> None:
        self.stdout.write(data)

    def _print_text(self, doc_id: str, rendered: bytes) -> None:
        if self._held is None and self._printed == 0:
            self._held = (doc_id, rendered)
            return
        if self._held is not None:
            self._print_with_header(*self._held)
            self._held = None
        self._print_with_header(doc_id, rendered)

    def _print_with_header(self, doc_id: str, rendered: bytes) -> None:
        if self._printed:
            self._write(b"\n")
        self._write(_encode(f"==> {doc_id} <==\n"))
        if rendered and not rendered.endswith(b"\n"):
            rendered += b"\n"
        self._write(rendered)
        self._printed += 1

    # files

    def _file_text(self, doc: _Doc, rendered: str) -> None:
        unit = self._unit
        if unit is None:
            return
        data = _encode(rendered)
        unit.changed = data != doc.raw
        unit.written += 1
        if self.settings.diff:
            unit.old = _lines(doc.text)
            unit.new = _lines(rendered)
        if self.settings.compare:
            return
        if self.settings.in_place and not unit.changed:
            return
        if self._open_writer(unit):
            self._put(unit, data)

    def _file_line(self, line: cio.Line, out: bytes | None) -> None:
        """One JSONL line of the current file: `out` is its new form, None to keep it as it was."""
        unit = self._unit
        if unit is None or unit.failed:
            return
        if out is None:
            out = _encode(line.text + "\n")
        if out != line.raw:
            unit.changed = True
        unit.written += 1
        if self.settings.diff:
            unit.old.append(_old_line(line))
            unit.new.append(out.decode("utf-8", "replace"))
        if self.settings.compare:
            return
        if unit.writer is None and not self._open_writer(unit):
            return
        self._put(unit, out)

    def _put(self, unit: _Unit, data: bytes) -> None:
        writer = unit.writer
        assert writer is not None
        try:
            writer.write(data)
        except OSError as exc:  # a full disk: this file is not written, the others are still tried
            unit.failed = True
            unit.writer = None
            writer.discard()
            self.errors += 1
            self.reporter.problem(unit.source.path, f"cannot write {writer.target} ({cio.describe_os_error(exc)})")

    def _open_writer(self, unit: _Unit) -> bool:
        if unit.writer is not None:
            return True
        if unit.failed:
            return False
        source = unit.source
        if self.settings.in_place:
            assert source.fspath is not None
            target = source.fspath
            if not os.path.isfile(target):  # a fifo or a device: there is no file to replace
                unit.failed = True
                self.errors += 1
                self.reporter.problem(source.path, "not a regular file, cannot rewrite it in place")
                return False
        else:
            assert self.settings.output_dir is not None and source.relname is not None
            earlier = self.claims(source)
            if earlier is not None:
                unit.failed = True
                self.errors += 1
                self.reporter.problem(source.path, f"not written: {earlier} goes to the same output file")
                return False
            target = os.path.join(self.settings.output_dir, source.relname)
        try:
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            unit.writer = cio.AtomicFile(target)
        except OSError as exc:
            unit.failed = True
            self.errors += 1
            self.reporter.problem(source.path, f"cannot write {target} ({cio.describe_os_error(exc)})")
            return False
        return True

    def _end(self, source: cio.Input) -> None:
        unit, self._unit = self._unit, None
        if unit is None or unit.source is not source:
            return
        writer, unit.writer = unit.writer, None
        if unit.failed:
            if writer is not None:
                writer.discard()
            return
        if self.settings.compare:
            if unit.changed:
                self.files_changed += 1
                if self.settings.check:
                    self.reporter.echo(f"would clean {source.path}")
                if self.settings.diff:
                    self._diff(unit)
            return
        if self.settings.in_place:
            if writer is not None and unit.changed:
                self._commit(unit, writer)
            elif writer is not None:
                writer.discard()
            return
        # -o: write what there is, even an empty file; no file when everything was left out
        if unit.written == 0 and unit.dropped:
            if writer is not None:
                writer.discard()
            return
        if writer is None and self._open_writer(unit):
            writer, unit.writer = unit.writer, None
        if writer is not None:
            self._commit(unit, writer)

    def _commit(self, unit: _Unit, writer: cio.AtomicFile) -> None:
        try:
            writer.commit()
        except OSError as exc:
            self.errors += 1
            self.reporter.problem(unit.source.path, f"cannot write {writer.target} ({cio.describe_os_error(exc)})")
        else:
            if unit.changed:
                self.files_changed += 1

    def _diff(self, unit: _Unit) -> None:
        path = unit.source.path
        lines = difflib.unified_diff(unit.old, unit.new, fromfile=path, tofile=path)
        for line in lines:
            if not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            self._write(_encode(line))

    # --explain

    def _explain(self, doc: _Doc, result: Document) -> None:
        if not result.removed:
            return
        lines = [click.style(str(doc.id), bold=True)]
        for removal in result.removed:
            lines.append(f"  {click.style(f'[{removal.reason}]', fg='yellow')} {removal.text}")
        self.reporter.echo("\n".join(lines))

    # the end

    def finish(self) -> int:
        if self._held is not None:
            self._write(self._held[1])
            self._held = None
        if self._unit is not None:  # interrupted inside a file
            if self._unit.writer is not None:
                self._unit.writer.discard()
            self._unit = None
        settings = self.settings
        if not settings.quiet:
            errors = f"{self.errors} {_plural(self.errors, 'error')}"
            if settings.compare:
                summary = (
                    f"checked {self.docs} {_plural(self.docs, 'document')} "
                    f"({self.files_changed} {_plural(self.files_changed, 'file')} would change, {errors})"
                )
            else:
                summary = f"cleaned {self.docs} {_plural(self.docs, 'document')} ({self.changed} changed, {errors})"
            if self.skipped:
                summary += f"\nskipped {self.skipped} {_plural(self.skipped, 'document')} not in {settings.lang_label}"
            self.reporter.echo(summary)
        if self.errors:
            return EXIT_ERROR
        if settings.check and self.files_changed:
            return EXIT_CHANGED
        return EXIT_OK

    def abandon(self) -> None:
        """Interrupted: drop the file being written, write nothing more."""
        if self._unit is not None and self._unit.writer is not None:
            self._unit.writer.discard()
        self._unit = None


def _merge(doc: _Doc, result: Document) -> dict[str, Any]:
    """The output record: the input record's fields updated with the contract fields (`id` first if added).

    What the page no longer shows does not erase what the record already knows, so that cleaning a cleaned
    record changes nothing: `source`, `date` and `language` found as null, or `related` found empty, keep the
    record's own value; `removed` is appended to the record's own list; a record whose text is blank keeps its
    `kind` (a cleaned listing has no text left, only its `related` cards).
    """
    assert doc.line is not None and doc.line.record is not None
    old = doc.line.record
    record = dict(old)
    if record.get("id") is None:
        record.pop("id", None)
        record = {"id": doc.id, **record}
    new = result.to_dict()
    for key in ("source", "date", "language"):
        if new.get(key) is None and old.get(key) is not None:
            new[key] = old[key]
    if not new.get("related") and isinstance(old.get("related"), list) and old["related"]:
        new["related"] = old["related"]
    if isinstance(old.get("removed"), list) and old["removed"]:
        new["removed"] = old["removed"] + new.get("removed", [])
    if result.kind == "empty" and not doc.text.strip() and isinstance(old.get("kind"), str):
        new["kind"] = old["kind"]
    record.update(new)
    return record


def _lines(text: str) -> list[str]:
    """Lines with their breaks, split at "\n" only (not at the form feeds and separators `splitlines` knows)."""
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def _old_line(line: cio.Line) -> str:
    if line.raw is None:
        return line.text + "\n"
    return line.raw.decode("utf-8", "replace") if _is_utf8(line.raw) else line.text + "\n"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "backslashreplace")


# --- the command -------------------------------------------------------------------------------------------------


def _split_list(values: Sequence[str]) -> list[str]:
    items: list[str] = []
    for value in values:
        items.extend(part.strip() for part in value.split(",") if part.strip())
    return items


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _Claims:
    """Under -o, find an earlier command-line path whose input goes to the same output file.

    Only inputs from different command-line paths can collide (one directory's walk names each file once), so
    this looks at the earlier arguments instead of remembering every file written: memory stays flat.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = paths
        self.is_dir = [path != cio.STDIN and os.path.isdir(path) for path in paths]

    def __call__(self, source: cio.Input) -> str | None:
        relname = source.relname
        if relname is None:
            return None
        for arg in range(source.arg):
            path = self.paths[arg]
            if path == cio.STDIN:
                continue
            if self.is_dir[arg]:
                candidate = os.path.join(path, relname)
                parts = relname.split(os.sep)
                walked = all(not part.startswith(".") for part in parts) and cio.wanted(parts[-1])
                if walked and os.path.isfile(candidate):
                    return candidate
            elif os.path.basename(path.rstrip(os.sep)) == relname:
                return path
        return None


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that temporary files are cleaned up on the way out."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command("clean", context_settings=CONTEXT_SETTINGS, short_help="Clean pages: print, write or check them.")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="Format of what goes to stdout (-o and --in-place keep each file's own format). text: the article "
    "(title, blank line, body); several documents each "
    "get a '==> ID <==' header. jsonl: one JSON object per document with id, title, text, kind, language, "
    "source, date, related and removed.",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "text", "jsonl"]),
    default="auto",
    show_default=True,
    help="How inputs are read. auto: .jsonl files as JSONL, other files as text, stdin as JSONL if its first "
    "non-blank line is a JSON object. JSONL records need a 'text' field; their other fields are kept.",
)
@click.option(
    "-o",
    "--output-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=str),
    help="Write each input under DIR, by its name relative to the directory it was found in (a file "
    "argument: its base name), instead of printing. .txt inputs are written as text, .jsonl as JSONL.",
)
@click.option("--in-place", is_flag=True, help="Rewrite each input file with its cleaned form (atomically).")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; list each file that would change ('would clean PATH' on stderr) and exit 1 if any would.",
)
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of each file that would change.")
@click.option("--explain", is_flag=True, help="Print every removed line and the reason on stderr, per document.")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    metavar="FILE",
    help="A rule pack of your own, applied after the shipped ones. Repeatable.",
)
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="A shipped rule pack to apply instead of the default set (see 'cleaner rules'). Repeatable, or "
    "comma-separated.",
)
@click.option("--no-density", is_flag=True, help="Turn off the density filters: only rule packs and segmentation.")
@click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANGS",
    help="Keep only documents whose detected language is in this comma-separated list (e.g. en,de). Others are "
    "not printed or written (left untouched with --in-place) and counted at the end.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes (default: one per CPU). -j 1 cleans in this process. Output order is input order.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line; errors are still shown.")
@click.pass_context
def clean_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    input_format: str,
    output_dir: str | None,
    in_place: bool,
    check: bool,
    diff: bool,
    explain: bool,
    rule_files: tuple[str, ...],
    packs: tuple[str, ...],
    no_density: bool,
    langs: tuple[str, ...],
    jobs: int | None,
    quiet: bool,
) -> None:
    """Clean pages: files, directories (their *.txt and *.jsonl files, recursively, in sorted order) or
    standard input ('-', or no PATHS).

    By default the result goes to stdout; -o DIR and --in-place write files instead, --check and --diff only
    tell what would change. Errors (unreadable, binary or missing inputs, invalid JSON lines) are reported one
    line each on stderr and the other inputs are still cleaned; the exit status is then 2.

    \b
    Examples:
      cleaner clean page.txt other.txt            two articles, each under a '==> PATH <==' header
      cleaner clean -j 4 --lang en corpus/ -o clean/
      cleaner clean --in-place --rules mysite.toml corpus/
      cat pages.jsonl | cleaner clean --format jsonl --explain > clean.jsonl

    \b
    Exit status: 0 done; 1 --check found files that would change; 2 errors.
    """
    paths = paths or (cio.STDIN,)
    if output_dir is not None and in_place:
        raise click.UsageError("-o/--output-dir and --in-place are mutually exclusive.")
    if paths.count(cio.STDIN) > 1:
        raise click.UsageError("standard input ('-') can be read only once.")
    if cio.STDIN in paths and in_place:
        raise click.UsageError("--in-place cannot rewrite standard input.")
    if cio.STDIN in paths and output_dir is not None and not (check or diff):
        raise click.UsageError("-o/--output-dir needs file names: standard input has none.")

    options: dict[str, Any] = {"rule_files": tuple(rule_files), "density": not no_density}
    pack_names = _split_list(packs)
    if pack_names:
        options["packs"] = tuple(pack_names)
    for path in rule_files:
        if not os.path.isfile(path):
            problem = "is a directory" if os.path.isdir(path) else "no such file or directory"
            _fail(ctx, f"--rules {path}: {problem}")
    try:
        clean_page("", **options)  # loads and checks the rule packs once, before any input is read
    except (ValueError, KeyError, OSError) as exc:
        _fail(ctx, str(exc).strip("'\"") or type(exc).__name__)

    lang_list = [lang.lower() for lang in _split_list(langs)]
    settings = _Settings(
        fmt=fmt,
        output_dir=output_dir,
        in_place=in_place,
        check=check,
        diff=diff,
        explain=explain,
        langs=frozenset(lang_list) if langs else None,
        lang_label=",".join(lang_list),
        quiet=quiet,
    )
    exclude = [output_dir] if output_dir is not None and not settings.compare else []

    def inputs() -> Iterator[cio.Input | cio.Unreadable]:
        return cio.discover(paths, input_format, exclude=exclude)  # type: ignore[arg-type]

    show_progress = not quiet and _stderr_is_tty()
    reporter = _Reporter(_Progress(show_progress, None))
    stdin = _binary(sys.stdin) if cio.STDIN in paths else None
    stdout = _binary(sys.stdout)
    session = _Session(settings, stdout, reporter, _Claims(paths))
    cleaning = _Cleaning(options, jobs or _default_jobs())
    if stdin is not None and not quiet and _is_tty(sys.stdin):
        reporter.echo("cleaner: reading pages from standard input (end with Ctrl-D)")

    status = EXIT_OK
    interrupted = False
    try:
        with _sigterm_raises():
            if show_progress and stdin is None:
                # a walk over the inputs' sizes first, so that the bar has an end
                reporter.progress.total = sum(item.size or 0 for item in inputs() if isinstance(item, cio.Input))
            for event in cleaning.run(_events(inputs(), stdin)):
                session.handle(event)
            cleaning.close()
            status = session.finish()
            stdout.flush()
    except (KeyboardInterrupt, _Terminated) as exc:
        interrupted = True
        session.abandon()
        cleaning.close(kill=True)
        reporter.echo("cleaner: interrupted")
        status = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): stop quietly.
        session.abandon()
        cleaning.close(kill=True)
        _silence_stdout()
        status = 128 + signal.SIGPIPE
    except OSError as exc:
        # stdout itself failed (a full disk...): nothing more can be delivered.
        session.abandon()
        cleaning.close(kill=True)
        reporter.echo(f"cleaner: cannot write the output ({cio.describe_os_error(exc)})")
        status = EXIT_ERROR
    finally:
        if not interrupted:
            cleaning.close(kill=True)
        reporter.progress.clear()
    ctx.exit(status)


def _binary(stream: Any) -> BinaryIO:
    """The byte stream under a text stream (sys.stdin, sys.stdout), or the stream itself if it is binary."""
    return getattr(stream, "buffer", stream)


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"cleaner: {message}", err=True)
    ctx.exit(EXIT_ERROR)


def _stderr_is_tty() -> bool:
    return _is_tty(sys.stderr)


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@main.command("rules", context_settings=CONTEXT_SETTINGS, short_help="List the rule packs and their rules.")
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="Only this shipped pack (repeatable). Default: every shipped pack.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help="Also show this rule pack of your own (repeatable), checking that it loads.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Show each rule's phrases or pattern too.")
def rules_command(packs: tuple[str, ...], rule_files: tuple[str, ...], fmt: str, verbose: bool) -> None:
    """List the rule packs and their rules: id, action, where on the page it applies, and why.

    The shipped packs are `generic` (chrome seen across the web) and one per known aggregator. A pack of your
    own is a TOML file in the same format (see the README); `cleaner clean --rules FILE` applies it, and
    `cleaner rules --rules FILE` checks it.

    Exit code 2 if a pack cannot be loaded.
    """
    from .rules import RulePackError, file_pack, shipped_pack, shipped_pack_names

    try:
        loaded = [shipped_pack(name) for name in (_split_list(packs) or shipped_pack_names())]
        loaded += [file_pack(path) for path in rule_files]
    except RulePackError as error:
        click.echo(f"cleaner: {error}", err=True)
        sys.exit(2)
    if fmt == "json":
        data = [
            {
                "pack": pack.name,
                "origin": pack.origin,
                "description": pack.description,
                "rules": [
                    {
                        "id": rule.reason,
                        "action": rule.action,
                        "where": rule.where,
                        "max_words": rule.max_words,
                        "note": rule.note,
                        "phrases": sorted(rule.phrases),
                        "pattern": rule.pattern.pattern if rule.pattern is not None else None,
                    }
                    for rule in pack.rules
                ],
            }
            for pack in loaded
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    for pack in loaded:
        count = len(pack.rules)
        click.echo(click.style(pack.name, bold=True) + f"  ({pack.origin}: {count} {_plural(count, 'rule')})")
        if pack.description:
            click.echo(f"  {pack.description}")
        for rule in pack.rules:
            what = f"{len(rule.phrases)} phrases" if rule.phrases else "pattern"
            click.echo(f"  {rule.action:<9} {rule.reason:<34} {rule.where:<5} {what:<12} {rule.note}")
            if verbose:
                shown = ", ".join(sorted(rule.phrases)) if rule.phrases else str(getattr(rule.pattern, "pattern", ""))
                click.echo(click.style(f"            {shown}", dim=True))
        click.echo()
