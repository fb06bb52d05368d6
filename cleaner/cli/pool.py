"""Documents from the inputs, cleaned in order: the event stream and the bounded pool that cleans it."""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from .. import io as cio
from ..document import Document


# The pipeline and the HTML extractor are imported when a page is first cleaned (`cleaner dedup --no-clean`
# reads inputs through this module and never cleans).
def clean_page(text: str, **options: Any) -> Document:
    from ..pipeline import clean

    return clean(text, **options)


def clean_html(html: bytes | str, **options: Any) -> Document:
    from ..html import clean_html as clean

    return clean(html, **options)


# --- the worker side -------------------------------------------------------------------------------------------

_WORKER_OPTIONS: dict[str, Any] = {}


def _worker_init(options: dict[str, Any]) -> None:
    # The parent handles Ctrl-C and SIGTERM and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_OPTIONS.clear()
    _WORKER_OPTIONS.update(options)


def _worker_clean(pages: list[Page]) -> list[Document | BaseException]:
    """Clean a batch of pages; a page whose cleaning raises gets its exception (picklable) in its place."""
    return [_picklable(result) for result in (_clean_one(page, _WORKER_OPTIONS) for page in pages)]


def _clean_one(page: Page, options: dict[str, Any]) -> Document | BaseException:
    """The page's Document, or the exception its cleaning raised (one page's failure is its own)."""
    try:
        return page.clean(options)
    except Exception as exc:
        return exc


def _picklable(result: Document | BaseException) -> Document | BaseException:
    if not isinstance(result, BaseException):
        return result
    try:
        pickle.dumps(result)
    except Exception:
        return RuntimeError(f"{type(result).__name__}: {result}")
    return result


def clean_pages(pages: Iterable[Page], options: dict[str, Any]) -> list[Document | BaseException]:
    """Clean pages here (`_worker_clean` with the options given): one Dask task's batch (cleaner.dask)."""
    return [_picklable(_clean_one(page, options)) for page in pages]


def clean_events(stream: Iterable[Event], options: dict[str, Any], *, fix_text: bool, details: bool) -> list[Event]:
    """The events of `stream` with their documents cleaned here, in order: one Dask task's share (cleaner.dask)."""
    cleaned: list[Event] = []
    for event in stream:
        if isinstance(event, Doc):
            event.result = _picklable(_clean_one(event.page(fix_text, details), options))
        cleaned.append(event)
    return cleaned


@dataclass(frozen=True)
class Page:
    """What a worker needs to clean one document: its text, or its HTML (bytes or text) with the URL and the
    HTTP charset when a WARC record gave them; the title a JSONL record gave."""

    text: str
    title: str | None = None
    html: bytes | str | None = None
    url: str | None = None
    charset: str | None = None
    fix_text: bool = False  # --fix-text: repair mojibake in the text and title first (here, in the worker)
    # False: the caller reads only the article and its metadata, so the Document comes back without `removed`
    # and `related`, which are most of its pickled bytes (a page's trip from worker to parent cost 0.2 ms, and a
    # -o run of 25 MB 6-9% of its time).
    details: bool = True

    def clean(self, options: dict[str, Any]) -> Document:
        text, title = self.text, self.title
        if self.fix_text:
            text = cio.fix_text(text)
            title = cio.fix_text(title) if title is not None else None
        if self.html is not None:
            doc = clean_html(self.html, url=self.url, charset=self.charset, title=title, **options)
        else:
            doc = clean_page(text, title=title, input_format="text", **options)
        if self.details:
            return doc
        # A listing keeps its cards: its text form is written from them.
        return replace(doc, removed=[]) if doc.kind == "listing" else replace(doc, related=[], removed=[])


def _warm_up(options: dict[str, Any], html: bool) -> None:
    """Pay the one-off costs of the path the run takes (the pipeline's modules, the rule packs, the language
    profiles; for HTML, trafilatura's imports and tables) once in this process, so that forked workers share
    them instead of each paying again."""
    prose = "A sentence of text that warms the pipeline up before the workers start. " * 6
    with contextlib.suppress(Exception):
        if html:
            page = "<html><head><title>Warm-up page</title></head><body><article><h1>Warm-up page</h1>"
            clean_html(f"{page}<p>{prose}</p></article></body></html>", **options)
        else:
            clean_page(f"Warm-up page\n\n{prose}", input_format="text", **options)


def settle_process(options: dict[str, Any] | None = None, html: bool = False) -> None:
    """Pay this process's one-off costs (the language profiles, then the path a page takes) and settle them: before
    forking the pool's workers, which then share them instead of loading their own, or in a long-lived worker of
    the command line's own (a Dask worker)."""
    from .. import language

    language.warm_up()
    _warm_up(options or {}, html=html)
    _settle()


def _settle() -> None:
    """Move everything alive now (modules, rule packs, profiles, trafilatura's tables) out of the garbage
    collector's sight: it is kept for the whole run, and every collection of the older generations would walk it
    again (25 ms of the 43 the collector took over the 60 dev HTML pages, one process). Forked workers inherit
    it settled, and do not copy the pages it lies on by touching it. Cycles among these objects are never
    collected: one page's worth at most, once."""
    gc.freeze()


# --- events: the inputs, in order --------------------------------------------------------------------------------


@dataclass(eq=False)
class Begin:
    source: cio.Input


@dataclass(eq=False)
class End:
    source: cio.Input
    skipped: int = 0  # WARC records that are not HTML pages


@dataclass(eq=False)
class Failed:
    """An input that could not be read (`source` None: it never opened), or broke off while being read."""

    path: str
    problem: str
    source: cio.Input | None = None


@dataclass(eq=False)
class Doc:
    """One document to clean: a text or HTML input, a JSONL record with a text or html field, or a WARC record
    (given a `line` of its own: it is output as a record, `{"id", "url", ...}`)."""

    source: cio.Input
    id: Any
    label: str  # how messages name it: PATH, PATH:LINE for a record, PATH:RECORD-ID for a WARC record
    text: str
    raw: bytes | None  # the input's bytes (whole file, or the record's line), to tell whether a file changes
    line: cio.Line | None = None
    title: str | None = None
    html: bytes | str | None = None  # the page's HTML, cleaned as HTML when set
    url: str | None = None
    charset: str | None = None
    result: Document | BaseException | None = None
    future: Future[list[Document | BaseException]] | None = None  # of the batch it was sent in
    slot: int = 0  # its place in that batch
    tries: int = 0
    generation: int = 0  # of the pool it was sent to

    @property
    def size(self) -> int:
        if self.line is not None and (self.line.raw is not None or self.html is None):
            return self.line.size
        if self.html is not None:
            return len(self.html)
        return len(self.raw) if self.raw is not None else len(self.text)

    def page(self, fix_text: bool = False, details: bool = True) -> Page:
        # A JSONL record's removed lines and cards go into its output record, whatever the caller reads.
        details = details or self.line is not None
        return Page(self.text, self.title, self.html, self.url, self.charset, fix_text, details)


@dataclass(eq=False)
class Pass:
    """A JSONL line that is not a document (blank, invalid, no text field): passed through as it is."""

    source: cio.Input
    line: cio.Line


@dataclass(eq=False)
class Rendered:
    """A document cleaned and rendered where it was cleaned (a Dask worker): what the session does with it, without
    its input or its Document, which cost the trip back several times the input's bytes (`cli.session.render`)."""

    source: cio.Input
    id: Any
    label: str
    size: int  # the input's bytes, for the progress bar
    record: bool  # a record of a JSONL or WARC input (`out` is its line), else a whole file
    language: str | None
    kind: str
    out: bytes  # what the session writes: the record's line, the file's text, or the line printed (b"" when the
    # settings leave the document out)
    changed: bool  # the document changed: its record, or its text
    raw_changed: bool  # `out` differs from the input's bytes (a file's output differs from the file)


Event = Begin | End | Failed | Doc | Pass | Rendered


def events(inputs: Iterator[cio.Input | cio.Unreadable], stdin: BinaryIO | None) -> Iterator[Event]:
    for item in inputs:
        if isinstance(item, cio.Unreadable):
            yield Failed(item.path, item.problem)
            continue
        try:
            opened = cio.open_input(item, stdin)
        except cio.InputError as exc:
            yield Failed(item.path, str(exc))
            continue
        if isinstance(opened, cio.TextInput):
            yield Begin(item)
            yield Doc(item, item.path, item.path, opened.text, opened.raw)
            yield End(item)
            continue
        if isinstance(opened, cio.HtmlInput):
            yield Begin(item)
            yield Doc(item, item.path, item.path, "", opened.raw, html=opened.raw)
            yield End(item)
            continue
        if isinstance(opened, cio.WarcInput):
            yield from _warc_events(item, opened)
            continue
        yield Begin(item)
        with opened:
            try:
                for line in opened:
                    yield record_event(item, line)
            except cio.InputError as exc:
                yield Failed(item.path, str(exc), item)
        yield End(item)


def _warc_events(source: cio.Input, opened: cio.WarcInput) -> Iterator[Event]:
    yield Begin(source)
    with opened:
        try:
            for number, page in enumerate(opened, 1):
                record = {"id": page.id, "url": page.url}
                # A record that fails to clean is written back as this line: its id and url.
                line = cio.Line(number, "record", json.dumps(record, ensure_ascii=False), None, record=record)
                label = f"{source.path}:{page.id}"
                yield Doc(
                    source, page.id, label, "", None, line=line, html=page.html, url=page.url, charset=page.charset
                )
        except cio.InputError as exc:
            yield Failed(source.path, str(exc), source)
    yield End(source, opened.skipped)


def record_event(source: cio.Input, line: cio.Line) -> Doc | Pass:
    if line.kind != "record" or line.record is None:
        return Pass(source, line)
    record = line.record
    label = f"{source.path}:{line.lineno}"
    doc_id = record.get("id")
    if doc_id is None:
        doc_id = label
    title = record.get("title")
    title = title if isinstance(title, str) and title.strip() else None
    text = record.get("text")
    text = text if isinstance(text, str) else ""
    html = record.get("html")
    if isinstance(html, str):
        # A record with its page's HTML is cleaned from it (so re-cleaning an output record is stable).
        url = record.get("url")
        url = url if isinstance(url, str) else None
        return Doc(source, doc_id, label, text, line.raw, line=line, title=title, html=html, url=url)
    return Doc(source, doc_id, label, text, line.raw, line=line, title=title)


# --- cleaning, in order, in a bounded window ---------------------------------------------------------------------


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    # fork is the cheapest start and safe while this process has a single thread (it does, as a CLI).
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


# Pages go to the workers in batches, so that the pool's cost per task (a future, a trip through its queues) is
# paid once per batch. Batches start at one page and grow with the run, so that a short run still spreads over
# every worker, up to BATCH_PAGES pages or BATCH_BYTES of input.
BATCH_PAGES = 32
BATCH_BYTES = 1 << 20


class Cleaning:
    """Clean the documents of an event stream and give the events back in input order, results filled in.

    With `jobs > 1` the documents go to a process pool in batches, but only once there is a second one: a single
    page is cleaned in-process without paying for a pool. At most `window` documents (and about `budget` bytes of
    them) are in flight; the stream is pulled only as results are handed on, so neither the input nor the output
    piles up. A document whose cleaning raises gets the exception as its result; one that was in a pool whose
    worker died is retried once, on its own, in a fresh pool.
    """

    def __init__(
        self,
        options: dict[str, Any],
        jobs: int,
        *,
        window: int | None = None,
        budget: int = 64 << 20,
        fix_text: bool = False,
        details: bool = True,
    ):
        self.options = options
        self.fix_text = fix_text  # --fix-text: each page is repaired where it is cleaned (ftfy's cost spread too)
        self.details = details  # False: whole-file documents come back without removed lines and cards
        self.jobs = max(1, jobs)
        self.window = window if window is not None else 4 * self.jobs * BATCH_PAGES
        self.budget = budget
        self._pool: ProcessPoolExecutor | None = None
        self._context: multiprocessing.context.BaseContext | None = None
        self._generation = 0  # of the pool: bumped when a broken one is replaced
        self._batch: list[Doc] = []  # taken in, not yet sent
        self._batch_bytes = 0
        self._sent = 0  # documents sent to the pool so far: the batches grow with it
        self._html_seen = False
        self._settled = False  # `_settle` has run after the first page cleaned here
        self._in_flight = 0
        self._bytes = 0

    def run(self, events: Iterator[Event]) -> Iterator[Event]:
        pending: deque[Event] = deque()
        for event in events:
            if isinstance(event, Doc):
                self._submit(event)
            pending.append(event)
            while pending and (self._ready(pending[0]) or self._full(len(pending))):
                yield self._finish(pending.popleft())
        while pending:
            yield self._finish(pending.popleft())

    def _full(self, pending: int) -> bool:
        return self._in_flight > self.window or pending > 4 * self.window or self._bytes > self.budget

    @staticmethod
    def _ready(event: Event) -> bool:
        if not isinstance(event, Doc):
            return True
        return event.result is not None or (event.future is not None and event.future.done())

    def _submit(self, doc: Doc) -> None:
        self._html_seen = self._html_seen or doc.html is not None
        self._in_flight += 1
        self._bytes += doc.size
        if self.jobs == 1:
            doc.result = self._here(doc)
            return
        self._batch.append(doc)
        self._batch_bytes += doc.size
        if self._pool is None and len(self._batch) == 1:
            return  # maybe the only one: no pool yet
        if len(self._batch) >= self._batch_target() or self._batch_bytes >= BATCH_BYTES:
            self._send_batch()

    def _batch_target(self) -> int:
        return min(BATCH_PAGES, 1 + self._sent // (4 * self.jobs))

    def _send_batch(self) -> None:
        docs, self._batch, self._batch_bytes = self._batch, [], 0
        if docs:
            self._send(docs)

    def _send(self, docs: list[Doc]) -> None:
        self._sent += len(docs)
        for doc in docs:
            doc.tries += 1
        for _ in range(2):
            pool = self._ensure_pool()
            try:
                future = pool.submit(_worker_clean, [doc.page(self.fix_text, self.details) for doc in docs])
            except BrokenProcessPool:
                self._restart(self._generation)  # broken by an earlier document's worker: start afresh
                continue
            for slot, doc in enumerate(docs):
                doc.future, doc.slot, doc.generation = future, slot, self._generation
            return
        for doc in docs:
            doc.future = None
            doc.result = RuntimeError("no worker process could be started")

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            if self._context is None:
                self._context = _pool_context()  # chosen once: a replacement pool starts the same way
            if self._context.get_start_method() == "fork":
                settle_process(self.options, html=self._html_seen)
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=self._context,
                initializer=_worker_init,
                initargs=(self.options,),
            )
        return self._pool

    def _here(self, doc: Doc) -> Document | BaseException:
        result = _clean_one(doc.page(self.fix_text, self.details), self.options)
        if not self._settled:  # the first page has loaded what every page needs
            self._settled = True
            _settle()
        return result

    def _finish(self, event: Event) -> Event:
        if not isinstance(event, Doc):
            return event
        doc = event
        if doc.future is None and doc.result is None and self._batch:
            if self._pool is None and self._batch == [doc]:
                self._batch, self._batch_bytes = [], 0  # the only document: cleaned here, no pool
            else:
                self._send_batch()  # it is waited for: its batch goes now, full or not
        while doc.result is None:
            if doc.future is None:
                doc.result = self._here(doc)
                break
            try:
                doc.result = doc.future.result()[doc.slot]
            except BrokenProcessPool as exc:
                if doc.tries >= 2:
                    doc.result = RuntimeError(f"worker process died ({exc})")
                    break
                self._restart(doc.generation)
                self._send([doc])  # on its own: a page that kills its worker takes no other page with it
            except Exception as exc:
                doc.result = exc
        doc.future = None
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
