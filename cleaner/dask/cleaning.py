"""Cleaning on a Dask cluster, for `--dask`: the same events, in the same order, as `cli.pool.Cleaning` gives, so
that the session that prints or writes them (and dedup's sketcher) cannot tell the difference.

Each input becomes tasks that read it where they run: a JSONL file larger than the partition size
(`cleaner.partition-size` in Dask's configuration, `DASK_CLEANER__PARTITION_SIZE=64MB`; default 64 MB) is read
in blocks of whole lines, any other input whole. A task returns its events, documents cleaned; this process
takes them back in input order, numbering a block's lines from where the previous block ended. Standard input
(and any stream of events read here) goes to the cluster a batch of documents at a time instead. A bounded window
of tasks is in flight. A worker that dies takes nothing with it: the scheduler runs its tasks again elsewhere,
and each task's events are taken once, in their place.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from .. import io as cio
from ..cli.pool import (
    BATCH_BYTES,
    BATCH_PAGES,
    Begin,
    Doc,
    End,
    Event,
    Failed,
    Pass,
    clean_events,
    clean_pages,
    events,
    record_event,
)
from ..urls import read_block
from .cluster import worker_count

DEFAULT_PARTITION_BYTES = 64 << 20


def partition_bytes() -> int:
    """The partition size of big JSONL inputs, from Dask's configuration (`cleaner.partition-size`)."""
    import dask
    from dask.utils import parse_bytes

    value = dask.config.get("cleaner.partition-size", default=DEFAULT_PARTITION_BYTES)
    return max(1, parse_bytes(value) if isinstance(value, str) else int(value))


@dataclass(frozen=True)
class Job:
    """What a task needs besides its input: the cleaning options and what the caller reads of a page."""

    options: dict[str, Any]
    fix_text: bool = False
    details: bool = True


# --- the tasks (run on the workers) --------------------------------------------------------------------------


def clean_input(source: cio.Input, job: Job) -> list[Event]:
    """One whole input: its events (Begin ... End, or Failed), documents cleaned."""
    return clean_events(events(iter([source]), None), job.options, fix_text=job.fix_text, details=job.details)


def clean_block(source: cio.Input, offset: int, length: int, job: Job) -> tuple[list[Event], int]:
    """The lines of a JSONL input that start in [offset, offset + length): their events, documents cleaned, the
    lines numbered from 1 within the block; and how many lines the block holds."""
    data = read_block(source.fspath or source.path, offset, length)
    found: list[Event] = []
    lines = 0
    try:
        with cio.open_stream(source, io.BytesIO(data)) as opened:
            assert isinstance(opened, cio.JsonlInput)
            for line in opened:
                lines += 1
                found.append(record_event(source, line))
    except cio.InputError as exc:
        found.append(Failed(source.path, str(exc), source))
    return clean_events(found, job.options, fix_text=job.fix_text, details=job.details), lines


def clean_batch(pages: list[Any], job: Job) -> list[Any]:
    """Pages read by the client (standard input): their Documents (or the exceptions their cleaning raised)."""
    return clean_pages(pages, job.options)


# --- the client side -------------------------------------------------------------------------------------------


@dataclass
class _File:
    """A JSONL input read in blocks: the lines its taken blocks held, and whether one of them failed."""

    source: cio.Input
    lines: int = 0
    failed: bool = False


@dataclass
class _Piece:
    """A place in the output: events known already (`ready`) or a task's, taken back in their turn."""

    ready: list[Event] | None = None
    future: Any = None
    source: cio.Input | None = None
    file: _File | None = None  # a block of this file


class DaskCleaning:
    """`cli.pool.Cleaning` on a Dask client: `run(events)` cleans a stream read here, `run_inputs(inputs, stdin)`
    reads the inputs on the cluster as well."""

    def __init__(
        self,
        client: Any,
        options: dict[str, Any],
        *,
        fix_text: bool = False,
        details: bool = True,
        partition: int | None = None,
        window: int | None = None,
    ) -> None:
        self.client = client
        self.job = Job(options, fix_text, details)
        self.partition = partition or partition_bytes()
        self.window = window or 4 * worker_count(client) + 4
        self._pending: deque[_Piece] = deque()
        self._submitted = 0

    # the two ways in

    def run(self, stream: Iterable[Event]) -> Iterator[Event]:
        yield from self._ship(stream)
        yield from self._drain(0)

    def run_inputs(self, inputs: Iterable[cio.Input | cio.Unreadable], stdin: BinaryIO | None) -> Iterator[Event]:
        for item in inputs:
            if isinstance(item, cio.Unreadable):
                self._pending.append(_Piece(ready=[Failed(item.path, item.problem)]))
            elif item.is_stdin:
                yield from self._ship(events(iter([item]), stdin))
            elif self._splits(item):
                self._blocks(item)
            else:
                self._pending.append(_Piece(future=self._submit(clean_input, item), source=item))
            yield from self._drain(self.window)
        yield from self._drain(0)

    def close(self, *, kill: bool = False) -> None:
        futures = [piece.future for piece in self._pending if piece.future is not None]
        self._pending.clear()
        if futures:
            self.client.cancel(futures)

    # planning

    def _splits(self, item: cio.Input) -> bool:
        """A JSONL file larger than a partition, whose lines can be told apart in its bytes (not compressed, not
        UTF-16/32)."""
        if item.format != "jsonl" or item.fspath is None or item.size is None or item.size <= self.partition:
            return False
        from ..urls import file_head

        head = file_head(item.fspath)
        return cio.compression_of(head) is None and cio.bom_encoding(head) in (None, "utf-8-sig")

    def _blocks(self, item: cio.Input) -> None:
        assert item.size is not None
        file = _File(item)
        self._pending.append(_Piece(ready=[Begin(item)]))
        for offset in range(0, item.size, self.partition):
            future = self._submit(clean_block, item, offset, self.partition)
            self._pending.append(_Piece(future=future, source=item, file=file))
        self._pending.append(_Piece(ready=[End(item)]))

    def _ship(self, stream: Iterable[Event]) -> Iterator[Event]:
        batch: list[Event] = []
        docs = size = 0
        for event in stream:
            batch.append(event)
            if isinstance(event, Doc):
                docs += 1
                size += event.size
            if docs >= BATCH_PAGES or size >= BATCH_BYTES:
                self._pending.append(self._batch_piece(batch))
                batch, docs, size = [], 0, 0
                yield from self._drain(self.window)
        if batch:
            self._pending.append(self._batch_piece(batch) if docs else _Piece(ready=batch))

    def _batch_piece(self, batch: list[Event]) -> _Piece:
        pages = [event.page(self.job.fix_text, self.job.details) for event in batch if isinstance(event, Doc)]
        return _Piece(ready=batch, future=self._submit(clean_batch, pages))

    def _submit(self, task: Any, *args: Any) -> Any:
        # Earlier pieces first: their events are the next to be handed on.
        self._submitted += 1
        return self.client.submit(task, *args, self.job, pure=False, priority=-self._submitted)

    # taking back, in order

    def _drain(self, keep: int) -> Iterator[Event]:
        while self._pending and (len(self._pending) > keep or self._ready(self._pending[0])):
            yield from self._take(self._pending.popleft())

    @staticmethod
    def _ready(piece: _Piece) -> bool:
        return piece.future is None or piece.future.done()

    def _take(self, piece: _Piece) -> list[Event]:
        if piece.future is None:
            return piece.ready or []
        try:
            result = piece.future.result()
        except Exception as exc:  # a read the task could not do (a URL that failed), or a task lost for good
            if piece.ready is not None:
                for event in piece.ready:
                    if isinstance(event, Doc):
                        event.result = RuntimeError(f"{type(exc).__name__}: {exc}")
                return piece.ready
            source = piece.source
            where = source.path if source is not None else "input"
            if piece.file is not None:
                if piece.file.failed:
                    return []
                piece.file.failed = True
            return [Failed(where, f"{type(exc).__name__}: {exc}", source)]
        finally:
            piece.future = None
        if piece.ready is not None:  # a batch read here: the results go into its own events
            docs = [event for event in piece.ready if isinstance(event, Doc)]
            for doc, cleaned in zip(docs, result, strict=True):
                doc.result = cleaned
            return piece.ready
        if piece.file is not None:
            found, lines = result
            return self._renumbered(piece.file, found, lines)
        return [self._owned(event, piece.source) for event in result]

    @staticmethod
    def _owned(event: Event, source: cio.Input | None) -> Event:
        """The event with this process's own Input as its source (the session tells files apart by identity)."""
        if source is not None and getattr(event, "source", None) is not None:
            event.source = source
        return event

    def _renumbered(self, file: _File, found: list[Event], lines: int) -> list[Event]:
        """A block's events, its lines numbered within the file (and a record without an id named by that line,
        as it is when read whole); nothing after a block whose reading failed, as a file read whole stops."""
        if file.failed:
            return []
        start = file.lines
        file.lines += lines
        source = file.source
        for event in found:
            event.source = source  # type: ignore[union-attr]
            if isinstance(event, (Doc, Pass)) and event.line is not None:
                event.line.lineno += start
            if isinstance(event, Doc) and event.line is not None:
                label = f"{source.path}:{event.line.lineno}"
                record = event.line.record or {}
                if record.get("id") is None:
                    event.id = label
                event.label = label
            if isinstance(event, Failed):
                file.failed = True
        return found
