"""Inputs as Dask tasks, and their results taken back in input order: what `--dask` shares across commands.

An input is read where its task runs. A JSONL file larger than the partition size (`cleaner.partition-size` in
Dask's configuration, e.g. `DASK_CLEANER__PARTITION_SIZE=64MB`; default 4 MB) is read in blocks of whole lines
(fsspec's block reader: each line in exactly one block), unless it is compressed or UTF-16/32, whose lines cannot
be found in the bytes; any other input is one task. A block's lines are numbered from where the previous block
ended: a small task counts each block's lines first, and this process sums the counts, so the numbers (in
ids, labels and messages) are the ones a whole read gives. Results are taken back in input order through a
bounded window of tasks in flight; a worker that dies takes nothing with it (the scheduler runs its tasks again),
and each task's result is taken once, in its place.

Memory: a task holds its partition's documents, cleaned, until they are taken (about four times the partition's
bytes, its input kept beside its output); this process holds the window of such results, two per worker.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import io as cio
from ..cli.pool import Event, Failed, events, record_event
from ..urls import file_head, read_block
from .cluster import worker_count

DEFAULT_PARTITION_BYTES = 4 << 20


def partition_bytes() -> int:
    """The partition size of big JSONL inputs, from Dask's configuration (`cleaner.partition-size`)."""
    import dask
    from dask.utils import parse_bytes

    value = dask.config.get("cleaner.partition-size", default=DEFAULT_PARTITION_BYTES)
    return max(1, parse_bytes(value) if isinstance(value, str) else int(value))


# --- on the workers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """Lines [offset, offset + length) of a JSONL input (by the byte each starts at), the first one numbered
    `first_line` + 1."""

    offset: int
    length: int
    first_line: int = 0
    problem: str | None = None  # the block cannot be read (its start could not be found): why


def count_lines(source: cio.Input, offset: int, length: int) -> int:
    data = read_block(source.fspath or source.path, offset, length)
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def open_block(source: cio.Input, block: Block) -> cio.JsonlInput:
    """The lines of a block of a JSONL input, numbered as in the whole file (raises InputError as `open_input`)."""
    if block.problem is not None:
        raise cio.InputError(block.problem)
    data = read_block(source.fspath or source.path, block.offset, block.length)
    opened = cio.open_stream(source, io.BytesIO(data))
    assert isinstance(opened, cio.JsonlInput)
    opened.first_line = block.first_line
    return opened


def unit_events(source: cio.Input, block: Block | None) -> Iterator[Event]:
    """The events of an input (Begin ... End, or Failed) or of a block of one (its lines' events only)."""
    if block is None:
        yield from events(iter([source]), None)
        return
    try:
        with open_block(source, block) as opened:
            for line in opened:
                yield record_event(source, line)
    except cio.InputError as exc:
        yield Failed(source.path, str(exc), source)


@dataclass(frozen=True)
class RuleFile:
    """A rule pack of the user's (--rules FILE, a learned pack), carried to the workers by its bytes: a worker on
    another machine has no such file."""

    path: str
    data: bytes


def ship_rules(paths: Iterable[str]) -> tuple[RuleFile, ...]:
    """The rule files' bytes, read here (they were checked when the command started)."""
    return tuple(RuleFile(str(path), Path(path).read_bytes()) for path in paths)


def land_rules(files: tuple[RuleFile, ...]) -> tuple[str, ...]:
    """Paths on this worker holding the carried rule files: the file itself when it is here with the same bytes (a
    shared file system, this machine), else a copy under the temporary directory, in a folder named by its bytes'
    digest and under its own file name (a pack's name defaults to its file's)."""
    paths = []
    for rule_file in files:
        source = Path(rule_file.path)
        try:
            if source.read_bytes() == rule_file.data:
                paths.append(rule_file.path)
                continue
        except OSError:
            pass
        digest = hashlib.blake2b(rule_file.data, digest_size=8).hexdigest()
        target = Path(tempfile.gettempdir()) / "cleaner-dask-rules" / digest / source.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            cio.write_atomic(target, rule_file.data, durable=False)
        paths.append(str(target))
    return tuple(paths)


def landed_options(options: dict[str, Any] | None, files: tuple[RuleFile, ...]) -> dict[str, Any] | None:
    """Cleaning options with their rule files as this worker has them."""
    if options is None or not files:
        return options
    return {**options, "rule_files": land_rules(files)}


# --- on the client --------------------------------------------------------------------------------------------


@dataclass
class Piece:
    """A place in the output: a value known already, or a task's result, handed to `take` in its turn."""

    value: Any = None
    future: Any = None
    take: Callable[[Any], Any] | None = None  # the result -> what is handed on
    failed: Callable[[BaseException], Any] | None = None  # the task's exception -> what is handed on


class Units:
    """Plans an input's tasks and hands results back in input order, a bounded window in flight."""

    def __init__(self, client: Any, partition: int | None = None, window: int | None = None) -> None:
        self.client = client
        self.partition = partition or partition_bytes()
        self.window = window or 2 * worker_count(client) + 2
        self.pending: deque[Piece] = deque()
        self._submitted = 0

    def blocks(self, item: cio.Input) -> Iterator[Block] | None:
        """The blocks of a JSONL file larger than a partition, each numbered from the lines of those before it; None
        for an input read whole.

        The blocks' line counts are tasks submitted first, ahead of any cleaning; each block is yielded once the
        counts before it are known. A block is a plain value, not a future: a task that depended on a future
        would be placed where that future's result lives, one worker for every block of the file."""
        if item.format != "jsonl" or item.fspath is None or item.size is None or item.size <= self.partition:
            return None
        head = file_head(item.fspath)
        if cio.compression_of(head) is not None or cio.bom_encoding(head) not in (None, "utf-8-sig"):
            return None
        offsets = range(0, item.size, self.partition)
        # Every block's count but the last one's: the last block's lines number no block after it.
        counts = [
            self.client.submit(count_lines, item, offset, self.partition, pure=False, priority=1)
            for offset in offsets[:-1]
        ]
        return self._numbered(offsets, counts)

    def _numbered(self, offsets: range, counts: list[Any]) -> Iterator[Block]:
        """The blocks at `offsets`, numbered from `counts`, the line counts of all blocks but the last."""
        start = 0
        for offset, count in zip(offsets, [*counts, None], strict=True):
            yield Block(offset, self.partition, start)
            if count is None:
                break
            try:
                start += count.result()
            except Exception as exc:  # the read failed: the rest of the file cannot be numbered, nor read
                yield Block(offset + self.partition, self.partition, start, problem=f"cannot read it ({exc})")
                break
        self.client.cancel(counts)

    def submit(self, task: Callable[..., Any], *args: Any) -> Any:
        # Earlier pieces first: their results are the next to be handed on.
        self._submitted += 1
        return self.client.submit(task, *args, pure=False, priority=-self._submitted)

    def add(self, piece: Piece) -> Iterator[Any]:
        self.pending.append(piece)
        yield from self.drain(self.window)

    def drain(self, keep: int = 0) -> Iterator[Any]:
        """Hand on the pieces in order while more than `keep` are pending, or the first is done."""
        while self.pending and (len(self.pending) > keep or self._done(self.pending[0])):
            piece = self.pending.popleft()
            yield self._take(piece)

    @staticmethod
    def _done(piece: Piece) -> bool:
        return piece.future is None or piece.future.done()

    def _take(self, piece: Piece) -> Any:
        if piece.future is None:
            return piece.value
        try:
            result = piece.future.result()
        except Exception as exc:  # a read the task could not do (a URL that failed), or a task lost for good
            if piece.failed is None:
                raise
            return piece.failed(exc)
        finally:
            piece.future = None
        return piece.take(result) if piece.take is not None else result

    def cancel(self) -> None:
        futures = [piece.future for piece in self.pending if piece.future is not None]
        self.pending.clear()
        if futures:
            self.client.cancel(futures)
