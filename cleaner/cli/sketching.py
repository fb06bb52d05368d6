"""Sketching inputs for dedup and the index: the event stream of `cleaner clean` with cached files and reused
documents in it, the cleaning pool, the sketches, and the index updates (in short transactions).

A file whose size, mtime and cleaning settings are as recorded is not read (`Cached`: its sketches come from the
index); a changed file is read and each document whose bytes hash as recorded keeps its sketch (`Reused`)
instead of going through the cleaning pool. Imported by `cleaner dedup` and `cleaner index` when they run (it
needs numpy).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import io as cio
from ..dedup import Deduplicator, External, MinHasher, Sketch
from ..dedup.deduplicator import story_text
from ..dedup.index import DocRow, Index, Operation, Remove, Replace, StoredDoc, Touch
from ..dedup.minhash import Packed, unpack
from ..dedup.options import DedupOptions
from ..document import Document
from .common import Progress, Reporter, default_jobs
from .pool import Begin, Cleaning, Doc, End, Failed, Pass, _pool_context, events

# --- sketching the inputs -----------------------------------------------------------------------------------------


@dataclass(eq=False)
class Cached:
    """A file whose size, mtime and settings are as recorded: its documents come from the index unread."""

    source: cio.Input
    docs: list[DocRow]


@dataclass(eq=False)
class Reused:
    """A document of a changed file whose bytes are as recorded: its sketch is reused, it is not cleaned."""

    doc: Doc
    sketch: Sketch


@dataclass(frozen=True)
class Sketched:
    """One document of the inputs, sketched (with its band keys when they were computed with its batch's)."""

    id: Any
    label: str
    sketch: Sketch
    keys: Any = None


@dataclass(eq=False)
class _Pending:
    """A document waiting for its batch to be sketched (or with its sketch already, to keep its place)."""

    doc: Doc
    text: str
    record: _FileRecord | None
    sketch: Sketch | None = None


@dataclass(eq=False)
class _FileEnd:
    record: _FileRecord


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    error: bool = True


@dataclass
class _FileRecord:
    source: cio.Input
    rel: str | None
    size: int = 0
    mtime_ns: int = 0
    hasher: Any = None
    docs: list[StoredDoc] = field(default_factory=list)
    clean: bool = True  # read without a message: may be recorded
    raws: dict[bytes, Sketch] = field(default_factory=dict)  # the recorded documents of the file, by raw digest
    recorded_hash: bytes | None = None


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


# --- sketching in worker processes (--no-clean) --------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _sketch_init(options: DedupOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER["hasher"] = MinHasher(options.num_perm, options.seed)
    _WORKER["shingle_size"] = options.shingle_size
    _WORKER["dedup"] = Deduplicator(options)  # its sketching and banding only


def _sketch_batch(texts: list[str]) -> Packed:
    return _WORKER["hasher"].sketch_packed(texts, _WORKER["shingle_size"])


@dataclass(frozen=True)
class _Chunk:
    """What a worker gives back for a chunk of files: in input order, each `Problem`, or None for the next
    document (`ids`, `labels`, `sketches`, `keys`: one entry or row per document)."""

    entries: list[Problem | None]
    ids: list[Any]
    labels: list[str]
    sketches: Packed
    keys: np.ndarray


def _sketch_files(inputs: list[cio.Input | cio.Unreadable]) -> _Chunk:
    """Read and sketch a chunk of one-page files in a worker: the same flow as in the main process."""
    sketcher = Sketcher(_WORKER["dedup"], None, 1, None, "", lambda op: None, Progress(False, None))
    sketcher.BATCH = len(inputs)  # one batch of array operations for the whole chunk
    return _pack(list(sketcher.run(inputs, None)), _WORKER["dedup"].key_width)


def _pack(items: list[Sketched | Problem], key_width: int) -> _Chunk:
    docs = [item for item in items if isinstance(item, Sketched)]
    num_perm = docs[0].sketch.signature.size if docs else 0
    return _Chunk(
        [item if isinstance(item, Problem) else None for item in items],
        [doc.id for doc in docs],
        [doc.label for doc in docs],
        Packed(
            np.stack([doc.sketch.signature for doc in docs]) if docs else np.zeros((0, num_perm), dtype=np.uint32),
            [doc.sketch.distinct for doc in docs],
            [doc.sketch.words for doc in docs],
            [doc.sketch.exact for doc in docs],
            np.stack([doc.sketch.positions for doc in docs]) if docs else np.zeros((0, num_perm), dtype=np.uint16),
            [doc.sketch.lead for doc in docs],
        ),
        np.stack([doc.keys for doc in docs]) if docs else np.zeros((0, key_width), dtype=np.int64),
    )


def _unpack(chunk: _Chunk) -> Iterator[Sketched | Problem]:
    sketches = unpack(chunk.sketches)
    next_doc = 0
    for entry in chunk.entries:
        if entry is not None:
            yield entry
            continue
        yield Sketched(chunk.ids[next_doc], chunk.labels[next_doc], sketches[next_doc], chunk.keys[next_doc])
        next_doc += 1


def sketching_jobs(requested: int | None, cleaning: bool) -> int:
    """The processes to use: as asked; by default one per CPU when cleaning, and with --no-clean one per CPU
    the load average leaves idle. Without cleaning, this process reads and bands on one core and workers only
    sketch: on a machine whose cores are taken they add their start-up and hand-over costs and win nothing."""
    if requested is not None:
        return requested
    cpus = default_jobs()
    if cleaning:
        return cpus
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cpus
    return max(1, min(cpus, int(cpus - load + 0.5)))


def _one_page_file(item: cio.Input | cio.Unreadable) -> bool:
    """A file read as one page (or one that cannot be read): a worker can take it whole. JSONL and WARC files
    hold any number of documents; standard input is this process's."""
    return isinstance(item, cio.Unreadable) or (item.fspath is not None and item.format in ("text", "html"))


class Sketcher:
    """Inputs in, `Sketched` documents and `Problem`s out, in input order; index updates handed to `write`.

    `options` None means --no-clean. Documents are cleaned in the pool (`jobs` processes) and sketched here a
    batch at a time; with --no-clean the batches go to `jobs` worker processes once the input is long enough.
    """

    def __init__(
        self,
        dedup: Deduplicator,
        options: dict[str, Any] | None,
        jobs: int,
        index: Index | None,
        setting: str,
        write: Callable[[Operation], None],
        progress: Progress,
    ) -> None:
        self.dedup = dedup
        self.options = options
        self.index = index
        self.setting = setting
        self.write = write
        self.progress = progress
        # Only the text is sketched: the pages come back from the workers without their removed lines and cards.
        self.cleaning = Cleaning(options, jobs, details=False) if options is not None else None
        # per file being read, from its Begin (seen when it enters the pool) to its End (when it leaves)
        self._files: dict[int, _FileRecord] = {}
        self._reading: _FileRecord | None = None
        # what is handed on, in input order; documents are sketched a batch at a time (array operations over
        # the batch cost much less per document than one at a time)
        self._queue: list[Any] = []
        self._pending = 0
        self._pending_bytes = 0
        self.jobs = jobs
        # (queue, its documents to sketch, the worker's future, bytes) or (None, [], a chunk of files' future, bytes)
        self._jobs: deque[tuple[list[Any] | None, list[_Pending], Future[Any] | None, int]] = deque()
        self._workers = max(1, jobs - 1)  # --no-clean: this process reads and bands, a core's worth of work
        self._batches = 0
        self._executor: ProcessPoolExecutor | None = None

    BATCH = 32
    BATCH_BYTES = 1 << 20
    POOL_AFTER = 4  # batches sketched here before worker processes are worth starting (--no-clean, -j > 1)

    FILES = 64  # one-page files per chunk a worker reads and sketches (--no-clean, no index, -j > 1)

    def run(self, inputs: Iterable[cio.Input | cio.Unreadable], stdin: Any) -> Iterator[Sketched | Problem]:
        if self.index is None and self.cleaning is None and self.jobs > 1:
            yield from self._run_files(inputs, stdin)
            return
        # without an index nothing is recorded: no per-file bookkeeping
        indexed = self.index is not None
        stream: Iterator[Any] = self._reuse(self._events(inputs, stdin)) if indexed else events(iter(inputs), stdin)
        yield from self.run_events(stream)

    def run_events(self, stream: Iterator[Any]) -> Iterator[Sketched | Problem]:
        """The documents of an event stream, cleaned (unless --no-clean) and sketched: `run`'s flow, and a Dask
        task's over its share of the inputs (cleaner.dask)."""
        if self.cleaning is not None:
            stream = self.cleaning.run(stream)
        for event in stream:
            self._handle(event)
            if self._pending >= self.BATCH or self._pending_bytes >= self.BATCH_BYTES:
                self._submit()
                yield from self._deliver(wait=len(self._jobs) > 2 * self.jobs)
        self._submit()
        yield from self._deliver(wait=True, everything=True)
        self.close()

    def _run_files(self, inputs: Iterable[cio.Input | cio.Unreadable], stdin: Any) -> Iterator[Sketched | Problem]:
        """--no-clean without an index: one-page files go to the workers a chunk at a time, to be read there as
        well as sketched (this process only finds the inputs and bands); the rest (JSONL, WARC, standard input)
        is read here and its documents' texts sent a batch at a time."""
        chunk: list[cio.Input | cio.Unreadable] = []
        size = 0
        for item in inputs:
            if _one_page_file(item):
                chunk.append(item)
                size += (item.size or 0) if isinstance(item, cio.Input) else 0
                if len(chunk) >= self.FILES or size >= self.BATCH_BYTES:
                    yield from self._file_chunk(chunk, size)
                    chunk, size = [], 0
                continue
            if chunk:
                yield from self._file_chunk(chunk, size)
                chunk, size = [], 0
            yield from self._read_here([item], stdin)
        if chunk:
            yield from self._file_chunk(chunk, size)
        self._submit()
        yield from self._deliver(wait=True, everything=True)
        self.close()

    def _file_chunk(self, chunk: list[cio.Input | cio.Unreadable], size: int) -> Iterator[Sketched | Problem]:
        """A chunk of one-page files (`size`: their bytes): to a worker once the input has proved long enough to
        pay for the pool, and while the workers keep up; else read here."""
        self._batches += 1
        if self._batches <= self.POOL_AFTER or self._in_flight() >= 2 * self._workers:
            yield from self._read_here(chunk, None)
            return
        self._submit()  # what is queued goes first
        self._jobs.append((None, [], self._pool().submit(_sketch_files, chunk), size))
        yield from self._deliver(wait=len(self._jobs) > 2 * self.jobs)

    def _read_here(self, inputs: list[cio.Input | cio.Unreadable], stdin: Any) -> Iterator[Sketched | Problem]:
        for event in events(iter(inputs), stdin):
            self._handle(event)
            if self._pending >= self.BATCH or self._pending_bytes >= self.BATCH_BYTES:
                self._submit()
                yield from self._deliver(wait=len(self._jobs) > 2 * self.jobs)

    def _in_flight(self) -> int:
        return sum(1 for job in self._jobs if job[2] is not None and not job[2].done())

    def _submit(self) -> None:
        """Hand the queue on as one job: its waiting documents sketched here, or in a worker process when the
        cleaning pool is not using the cores (--no-clean) and the input is long enough to pay for one."""
        queue, self._queue = self._queue, []
        self._pending = self._pending_bytes = 0
        if not queue:
            return
        waiting = [item for item in queue if isinstance(item, _Pending) and item.sketch is None]
        texts = [item.text for item in waiting]
        self._batches += 1
        future = None
        if (
            texts
            and self.cleaning is None
            and self.jobs > 1
            and self._batches > self.POOL_AFTER
            and self._in_flight() < 2 * self._workers  # workers behind (a busy machine): this process sketches too
        ):
            future = self._pool().submit(_sketch_batch, texts)
        elif texts:
            for item, sketch in zip(waiting, self.dedup.sketch_many(texts), strict=True):
                item.sketch = sketch
        self._jobs.append((queue, waiting, future, 0))

    def _deliver(self, *, wait: bool, everything: bool = False) -> Iterator[Sketched | Problem]:
        while self._jobs:
            queue, waiting, future, size = self._jobs[0]
            if future is not None:
                if not (wait or future.done()):
                    return
                if queue is None:  # a chunk of files, read and sketched in a worker
                    self._jobs.popleft()
                    chunk = future.result()
                    self.progress.advance(size, len(chunk.ids))
                    yield from _unpack(chunk)
                    wait = everything
                    continue
                for item, sketch in zip(waiting, unpack(future.result()), strict=True):
                    item.sketch = sketch
            self._jobs.popleft()
            yield from self._hand_on(queue)
            wait = everything

    def _hand_on(self, queue: list[Any]) -> Iterator[Sketched | Problem]:
        ready = [item for item in queue if isinstance(item, _Pending)]
        keys = iter(self.dedup.keys([item.sketch for item in ready]))  # type: ignore[misc]
        for item in queue:
            if isinstance(item, _Pending):
                assert item.sketch is not None
                self._store(item.doc, item.record, item.sketch)
                yield Sketched(item.doc.id, item.doc.label, item.sketch, next(keys))
            elif isinstance(item, _FileEnd):
                self._end(item.record)
            else:
                yield item

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            options = self.dedup.options
            self._executor = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=_pool_context(),
                initializer=_sketch_init,
                initargs=(options,),
            )
        return self._executor

    def close(self, *, kill: bool = False) -> None:
        if self.cleaning is not None:
            self.cleaning.close(kill=kill)
        executor, self._executor = self._executor, None
        if executor is not None:
            if kill:
                for process in list(getattr(executor, "_processes", {}).values()):
                    with contextlib.suppress(Exception):
                        process.terminate()
            executor.shutdown(wait=not kill, cancel_futures=True)

    # the event stream, with cached files and reused documents in it

    def _events(self, inputs: Iterable[cio.Input | cio.Unreadable], stdin: Any) -> Iterator[Any]:
        for item in inputs:
            if isinstance(item, cio.Input):
                cached = self._cached(item)
                if cached is not None:
                    yield cached
                    continue
            yield from events(iter([item]), stdin)

    def _cached(self, item: cio.Input) -> Cached | None:
        if self.index is None or item.fspath is None:
            return None
        rel = self.index.relative(item.fspath)
        if rel is None:
            return None
        row = self.index.file(rel)
        if row is None or row.setting != self.setting:
            return None
        try:
            info = os.stat(item.fspath)
        except OSError:
            return None
        if (info.st_size, info.st_mtime_ns) != (row.size, row.mtime_ns):
            return None
        return Cached(item, self.index.docs_of(row.id))

    def _reuse(self, stream: Iterator[Any]) -> Iterator[Any]:
        for event in stream:
            if isinstance(event, Begin):
                self._begin(event.source)
            elif isinstance(event, Doc) and event.raw is not None and self._reading is not None and self._reading.raws:
                sketch = self._reading.raws.get(_digest(event.raw))
                if sketch is not None:
                    yield Reused(event, sketch)
                    continue
            yield event

    def _begin(self, source: cio.Input) -> None:
        record = _FileRecord(source, None)
        self._files[id(source)] = record
        self._reading = record
        if self.index is None or source.fspath is None:
            return
        record.rel = self.index.relative(source.fspath)
        if record.rel is None:
            return
        try:
            info = os.stat(source.fspath)
        except OSError:
            record.rel = None
            return
        record.size, record.mtime_ns = info.st_size, info.st_mtime_ns
        record.hasher = hashlib.blake2b(digest_size=16)
        row = self.index.file(record.rel)
        if row is not None and row.setting == self.setting:
            record.recorded_hash = row.hash
            record.raws = {doc.raw: doc.sketch for doc in self.index.docs_of(row.id) if doc.raw is not None}

    # turning events into sketches

    def _handle(self, event: Any) -> None:
        kind = type(event)  # by exact type, the commonest first: this runs for every event
        if kind is Doc:
            self.progress.advance(event.size, 1)
            self._doc(event, None)
        elif kind is Begin:
            return  # a file's bookkeeping starts in `_reuse`
        elif kind is Reused:
            self.progress.advance(event.doc.size, 1)
            self._doc(event.doc, event.sketch)
        elif isinstance(event, Cached):
            self.progress.advance(event.source.size or 0, len(event.docs))
            self._queue.extend(self._from_index(event))
        elif isinstance(event, Pass):
            self.progress.advance(event.line.size)
            self._queue.extend(self._pass(event))
        elif isinstance(event, End):
            record = self._files.pop(id(event.source), None)
            if record is self._reading:
                self._reading = None
            if record is not None:
                self._queue.append(_FileEnd(record))
        elif isinstance(event, Failed):
            record = self._files.get(id(event.source)) if event.source is not None else None
            if record is not None:
                record.clean = False
            self._queue.append(Problem(event.path, event.problem))

    def _from_index(self, cached: Cached) -> Iterator[Sketched]:
        path = cached.source.path
        for row in cached.docs:
            if row.line is None:
                doc_id: Any = path
                label = path
            else:
                label = f"{path}:{row.line}"
                doc_id = row.record_id if row.rid is not None else label
            yield Sketched(doc_id, label, row.sketch)

    def _doc(self, doc: Doc, sketch: Sketch | None) -> None:
        record = self._files.get(id(doc.source))
        text = doc.text
        if sketch is None and self.cleaning is not None:
            result = doc.result
            if not isinstance(result, Document):
                problem = f"{type(result).__name__}: {result}" if result is not None else "not cleaned"
                if record is not None:
                    record.clean = False
                self._queue.append(Problem(doc.label, f"cleaning failed ({problem})"))
                return
            text = story_text(result)
        if record is not None and record.hasher is not None:
            if doc.raw is None:
                record.hasher = None  # a UTF-16/32 file: not recorded
                record.rel = None
            else:
                record.hasher.update(doc.raw)
        self._queue.append(_Pending(doc, text, record, sketch))
        if sketch is None:
            self._pending += 1
            self._pending_bytes += len(text)

    def _store(self, doc: Doc, record: _FileRecord | None, sketch: Sketch) -> None:
        if record is None or record.hasher is None or doc.raw is None:
            return
        rid = doc.line.record.get("id") if doc.line is not None and doc.line.record is not None else None
        line = doc.line.lineno if doc.line is not None else None
        record.docs.append(StoredDoc(line, rid, _digest(doc.raw), sketch))

    def _pass(self, event: Pass) -> Iterator[Problem]:
        line = event.line
        record = self._files.get(id(event.source))
        if record is not None and record.hasher is not None:
            if line.raw is None:
                record.hasher = None
                record.rel = None
            else:
                record.hasher.update(line.raw)
        where = f"{event.source.path}:{line.lineno}"
        if line.kind == "invalid":
            if record is not None:
                record.clean = False
            yield Problem(where, line.problem or "invalid JSON")
        elif line.kind == "notext":
            if record is not None:
                record.clean = False
            problem = "no text field" if "text" not in (line.record or {}) else "text field is not a string"
            yield Problem(where, problem, error=False)

    def _end(self, record: _FileRecord) -> None:
        if record.rel is None or record.hasher is None:
            return
        if not record.clean:
            return
        digest = record.hasher.digest()
        if digest == record.recorded_hash:
            self.write(Touch(record.rel, record.size, record.mtime_ns))
        else:
            self.write(Replace(record.rel, record.size, record.mtime_ns, digest, self.setting, record.docs))


class Writer:
    """Index updates in short transactions: a batch of files at a time, at least once a second."""

    BATCH = 256
    INTERVAL = 1.0

    def __init__(self, index: Index | None) -> None:
        self.index = index
        self.pending: list[Operation] = []
        self.written = 0
        self._last = time.monotonic()

    def __call__(self, op: Operation) -> None:
        if self.index is None:
            return
        self.pending.append(op)
        if len(self.pending) >= self.BATCH or time.monotonic() - self._last > self.INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self.index is not None and self.pending:
            self.index.apply(self.pending)
            self.written += sum(1 for op in self.pending if isinstance(op, Replace))
        self.pending = []
        self._last = time.monotonic()


class IndexSource:
    """The indexed documents as dedup candidates: those of files that are not among the inputs, still there
    and unchanged since they were recorded (a file gone is dropped from the index; one changed is left for the
    next `cleaner index`)."""

    ORDER_BASE = -(1 << 62)  # indexed documents count as seen before every input

    def __init__(self, index: Index, exclude: set[str], setting: str, write: Callable[[Operation], None]) -> None:
        self.index = index
        self.exclude = exclude
        self.setting = setting
        self.write = write
        self._checked: dict[str, bool] = {}
        self._cwd = os.getcwd()

    def candidates(self, keys: Any, sketch: Sketch) -> Iterator[External]:
        found = self.index.candidates(keys.tolist(), sketch.lead is not None)
        if not found:
            return
        for row in self.index.docs(list(found)):
            if row.path in self.exclude or row.setting != self.setting or not self._current(row):
                continue
            yield External(self.display(row), row.sketch, self.ORDER_BASE + row.id, found[row.id])

    def _current(self, row: DocRow) -> bool:
        known = self._checked.get(row.path)
        if known is not None:
            return known
        try:
            info = os.stat(self.index.absolute(row.path))
            current = (info.st_size, info.st_mtime_ns) == (row.size, row.mtime_ns)
        except FileNotFoundError:
            self.write(Remove(row.path))
            current = False
        except OSError:
            current = False
        self._checked[row.path] = current
        return current

    def display(self, row: DocRow) -> Any:
        path = self.index.absolute(row.path)
        shown = os.path.relpath(path, self._cwd)
        if shown.startswith(os.pardir):
            shown = path
        if row.line is None:
            return shown
        return row.record_id if row.rid is not None else f"{shown}:{row.line}"


def sync_tracked(
    index: Index,
    tracked: list[str],
    exclude: set[str],
    clean_options: dict[str, Any] | None,
    jobs: int | None,
    setting: str,
    writer: Writer,
    reporter: Reporter,
) -> int:
    """Bring the index up to date with the tracked files (the inputs aside: they are read anyway); drop the
    files no longer tracked. The number of errors."""
    top = index.root
    wanted = set(tracked)
    gone = [path for path in index.paths() if path not in wanted]
    for path in gone:
        writer(Remove(path))
    files = [os.path.join(top, *path.split("/")) for path in tracked if path not in exclude]
    return sync(index, files, clean_options, jobs, setting, writer, reporter)


def sync(
    index: Index,
    files: Iterable[str],
    clean_options: dict[str, Any] | None,
    jobs: int | None,
    setting: str,
    writer: Writer,
    reporter: Reporter,
    input_format: str = "auto",
) -> int:
    """Record the given files in the index (reading only those that changed). The number of errors."""
    dedup = Deduplicator(index.options)  # only its sketching is used
    jobs = sketching_jobs(jobs, clean_options is not None)
    sketcher = Sketcher(dedup, clean_options, jobs, index, setting, writer, reporter.progress)
    errors = 0
    try:
        for item in sketcher.run(cio.discover(files, input_format), None):  # type: ignore[arg-type]
            if isinstance(item, Problem):
                errors += item.error
                reporter.problem(item.where, item.message)
    finally:
        sketcher.close()
    writer.flush()
    return errors
