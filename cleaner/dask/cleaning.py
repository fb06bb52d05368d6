"""Cleaning on a Dask cluster, for `--dask`: the same events, in the same order, as `cli.pool.Cleaning` gives, so
that the session that prints or writes them cannot tell the difference.

Each input is read and cleaned where its task runs (`units`: a big JSONL file in blocks of lines); standard
input, and any stream of events read here (`run`), goes to the cluster a batch of documents at a time instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from .. import io as cio
from ..cli.pool import BATCH_BYTES, BATCH_PAGES, Begin, Doc, End, Event, Failed, clean_events, clean_pages, events
from ..cli.session import Settings, render
from ..document import Document
from .units import Block, Piece, RuleFile, Units, landed_options, ship_rules, unit_events


@dataclass(frozen=True)
class Job:
    """What a task needs besides its input: the cleaning options and what the caller reads of a page."""

    options: dict[str, Any]
    fix_text: bool = False
    details: bool = True
    rules: tuple[RuleFile, ...] = ()  # the options' rule files, carried
    # The session's settings when its documents are rendered on the workers: a task then sends back each
    # document's output bytes, not the document read and its Document (several times the input's bytes, which
    # the command spent its time taking in and out of pickles).
    render: Settings | None = None

    def landed(self) -> dict[str, Any]:
        return landed_options(self.options, self.rules)  # type: ignore[return-value]


# --- the tasks (run on the workers) --------------------------------------------------------------------------


def clean_unit(source: cio.Input, block: Block | None, job: Job) -> list[Event]:
    """An input's events, or a block's, documents cleaned (and rendered, when the job says so)."""
    found = clean_events(unit_events(source, block), job.landed(), fix_text=job.fix_text, details=job.details)
    if job.render is None:
        return found
    return [_rendered(event, job.render) for event in found]


def _rendered(event: Event, settings: Settings) -> Event:
    if isinstance(event, Doc) and isinstance(event.result, Document):
        return render(event, event.result, settings)
    return event  # what the session reports or passes through as it is (a failed document too)


def clean_batch(pages: list[Any], job: Job) -> list[Any]:
    """Pages read by the client: their Documents (or the exceptions their cleaning raised)."""
    return clean_pages(pages, job.landed())


# --- the client side -------------------------------------------------------------------------------------------


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
        render: Settings | None = None,
        partition: int | None = None,
        window: int | None = None,
    ) -> None:
        self.job = Job(options, fix_text, details, ship_rules(options.get("rule_files", ())), render)
        self.units = Units(client, partition, window)

    def run(self, stream: Iterable[Event]) -> Iterator[Event]:
        yield from self._ship(stream)
        yield from self._events(self.units.drain())

    def run_inputs(self, inputs: Iterable[cio.Input | cio.Unreadable], stdin: BinaryIO | None) -> Iterator[Event]:
        units = self.units
        for item in inputs:
            if isinstance(item, cio.Unreadable):
                yield from self._events(units.add(Piece([Failed(item.path, item.problem)])))
            elif item.is_stdin:
                yield from self._ship(events(iter([item]), stdin))
            else:
                yield from self._events(self._input(item))
        yield from self._events(units.drain())

    def close(self, *, kill: bool = False) -> None:
        self.units.cancel()

    def _input(self, item: cio.Input) -> Iterator[list[Event]]:
        units = self.units
        blocks = units.blocks(item)
        if blocks is None:
            future = units.submit(clean_unit, item, None, self.job)
            yield from units.add(Piece(future=future, take=_owned(item), failed=_failed(item)))
            return
        # A file read in blocks: nothing of it after a block whose reading failed, as a whole read stops there.
        state = _Split(item)
        yield from units.add(Piece([Begin(item)]))
        for block in blocks:
            future = units.submit(clean_unit, item, block, self.job)
            yield from units.add(Piece(future=future, take=state.take, failed=state.failed))
        yield from units.add(Piece([End(item)]))

    def _ship(self, stream: Iterable[Event]) -> Iterator[Event]:
        batch: list[Event] = []
        docs = size = 0
        for event in stream:
            batch.append(event)
            if isinstance(event, Doc):
                docs += 1
                size += event.size
            if docs >= BATCH_PAGES or size >= BATCH_BYTES:
                yield from self._events(self._batch(batch))
                batch, docs, size = [], 0, 0
        if batch:
            yield from self._events(self._batch(batch))

    def _batch(self, batch: list[Event]) -> Iterator[list[Event]]:
        docs = [event for event in batch if isinstance(event, Doc)]
        if not docs:
            yield from self.units.add(Piece(batch))
            return
        pages = [doc.page(self.job.fix_text, self.job.details) for doc in docs]

        def take(results: list[Any]) -> list[Event]:
            for doc, result in zip(docs, results, strict=True):
                doc.result = result
            return batch

        def failed(exc: BaseException) -> list[Event]:
            for doc in docs:
                doc.result = RuntimeError(f"{type(exc).__name__}: {exc}")
            return batch

        future = self.units.submit(clean_batch, pages, self.job)
        yield from self.units.add(Piece(future=future, take=take, failed=failed))

    @staticmethod
    def _events(lists: Iterator[list[Event]]) -> Iterator[Event]:
        for found in lists:
            yield from found


def _owned(source: cio.Input) -> Any:
    """The events with this process's own Input as their source (the session tells files apart by identity)."""

    def take(found: list[Event]) -> list[Event]:
        for event in found:
            if getattr(event, "source", None) is not None:
                event.source = source  # type: ignore[union-attr]
        return found

    return take


def _failed(source: cio.Input) -> Any:
    def failed(exc: BaseException) -> list[Event]:
        return [Failed(source.path, f"{type(exc).__name__}: {exc}")]

    return failed


class _Split:
    """The blocks of one file: their events owned by this process's Input; none after a block that failed."""

    def __init__(self, source: cio.Input) -> None:
        self.source = source
        self.stopped = False
        self._own = _owned(source)

    def take(self, found: list[Event]) -> list[Event]:
        if self.stopped:
            return []
        found = self._own(found)
        self.stopped = any(isinstance(event, Failed) for event in found)
        return found

    def failed(self, exc: BaseException) -> list[Event]:
        if self.stopped:
            return []
        self.stopped = True
        return [Failed(self.source.path, f"{type(exc).__name__}: {exc}", self.source)]
