"""`cleaner dedup --dask`: documents sketched where their inputs are read, band keys shuffled on the cluster, and
the same `Deduplicator` as the local command deciding the clusters.

1. Map: each input (or block of a big JSONL file: `units`) is read, cleaned (unless --no-clean) and sketched
   in its task, by the local command's own flow (`cli.sketching.Sketcher.run_events`); a task keeps its
   sketches and band keys on the cluster.
2. Shuffle: every (band key, document) pair goes into a Dask DataFrame, grouped by key (a shuffle across the
   workers); the documents that share a key with another document are the candidates, and only their numbers
   come back here.
3. Collect and cluster: the tasks' results are taken back one at a time in input order and added to a
   `Deduplicator`, which verifies the candidate pairs and forms the clusters exactly as the local command does.
   A document that shares no band key with any other has no candidate here either, and can be no candidate of
   any other: it is added without its keys (its own cluster, as locally), so the band table holds the candidates
   only. Bound: this process keeps one sketch and id per document (about 600 bytes with the default 128
   permutations, 400 more for a document with a lead) plus the band keys of the candidates.

The same clusters and representatives as the local command on the same inputs, in the same order. Without an
index: with --dask the index is not read or written (`--index` and `--git` are refused).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import numpy as np

from .. import io as cio
from ..cli.common import Progress
from ..cli.pool import BATCH_PAGES, Doc, Event, events
from ..cli.sketching import Problem, Sketched, Sketcher
from ..dedup import Deduplicator
from ..dedup.lsh import NO_KEY
from ..dedup.options import DedupOptions
from .units import Block, RuleFile, Units, landed_options, ship_rules, unit_events

Rules = tuple[RuleFile, ...]

# A document's number in the shuffle: its task's number in the high bits, its place in the task's output below.
_PLACE_BITS = 32
_NO_KEYS = np.zeros(0, dtype=np.int64)


# --- the tasks (run on the workers) --------------------------------------------------------------------------


def _sketch(stream: Iterator[Event], clean: dict[str, Any] | None, options: DedupOptions) -> list[Sketched | Problem]:
    dedup = Deduplicator(options)  # its sketching and banding only
    sketcher = Sketcher(dedup, clean, 1, None, "", lambda op: None, Progress(False, None))
    found = list(sketcher.run_events(stream))
    missing = [item for item in found if isinstance(item, Sketched) and item.keys is None]
    if missing:  # the band keys of every document: the shuffle needs them
        keys = iter(dedup.keys([item.sketch for item in missing]))
        filled = {id(item): dataclasses.replace(item, keys=next(keys)) for item in missing}
        found = [filled.get(id(item), item) for item in found]
    return found


def sketch_unit(
    source: cio.Input, block: Block | None, clean: dict[str, Any] | None, options: DedupOptions, rules: Rules = ()
) -> list[Sketched | Problem]:
    try:
        return _sketch(unit_events(source, block), landed_options(clean, rules), options)
    except Exception as exc:  # a read that failed (a URL): the input's problem, and the shuffle goes on
        return [Problem(source.path, f"{type(exc).__name__}: {exc}")]


def sketch_events(
    batch: list[Event], clean: dict[str, Any] | None, options: DedupOptions, rules: Rules = ()
) -> list[Sketched | Problem]:
    """Events read elsewhere (standard input, a partition of a frame)."""
    return _sketch(iter(batch), landed_options(clean, rules), options)


def band_pairs(found: list[Sketched | Problem], unit: int) -> Any:
    """The (band key, document number) pairs of a task's documents, as a pandas frame."""
    import pandas as pd

    sketched = [item for item in found if isinstance(item, Sketched) and not item.sketch.empty]
    places = [place for place, item in enumerate(i for i in found if isinstance(i, Sketched)) if not item.sketch.empty]
    if not sketched:
        return pd.DataFrame({"key": np.zeros(0, np.int64), "doc": np.zeros(0, np.int64)})
    keys = np.stack([np.asarray(item.keys, dtype=np.int64) for item in sketched])
    docs = np.repeat((np.int64(unit) << _PLACE_BITS) + np.asarray(places, dtype=np.int64), keys.shape[1])
    # a document's lead or probe keys too (a short copy's probe meets a long one's lead there); NO_KEY: an empty
    # text. Two leads (or two probes) sharing a key make their documents candidates here, though the
    # Deduplicator never pairs them on it: one more document keeps its keys, the same clusters.
    keys = keys.ravel()
    filed = keys != NO_KEY
    return pd.DataFrame({"key": keys[filed], "doc": docs[filed]})


# --- the client side -------------------------------------------------------------------------------------------


def shared_documents(client: Any, pair_futures: list[Any]) -> set[int]:
    """The numbers of the documents that share a band key with another document: the (key, document) pairs
    shuffled by key across the workers (a Dask DataFrame shuffle), so that each key's documents meet in one
    partition, where those under a key held by more than one are picked."""
    import dask
    import dask.dataframe as dd
    import pandas as pd

    if not pair_futures:
        return set()
    meta = pd.DataFrame({"key": np.zeros(0, np.int64), "doc": np.zeros(0, np.int64)})
    pairs = dd.from_delayed(pair_futures, meta=meta, verify_meta=False)
    # The task-based shuffle: the peer-to-peer one starts up for seconds, too long for a small corpus.
    with dask.config.set({"dataframe.shuffle.method": "tasks"}):
        spread = pairs.shuffle(on="key", npartitions=max(1, pairs.npartitions // 4))
        shared = spread.map_partitions(_shared_here, meta=pd.Series(np.zeros(0, np.int64), name="doc"))
        found = client.compute(shared).result()
    return set(found.tolist())


def _shared_here(pairs: Any) -> Any:
    """The documents of a partition of pairs (each key's pairs all here) under a key more than one holds."""
    pairs = pairs.drop_duplicates()
    held = pairs.groupby("key")["doc"].transform("size")
    return pairs.loc[held > 1, "doc"].drop_duplicates()


def deduplicate(client: Any, futures: list[Any]) -> Iterator[tuple[int, Sketched | Problem]]:
    """The tasks' documents and problems, in order, each with its task's number; a document that shares no band
    key with another without its keys. The tasks' results are released as they are taken."""
    pairs = [client.submit(band_pairs, future, unit, pure=False) for unit, future in enumerate(futures)]
    shared = shared_documents(client, pairs)
    client.cancel(pairs)
    for unit, future in enumerate(futures):
        found = future.result()
        future.release()
        place = 0
        for item in found:
            if isinstance(item, Sketched):
                number = (unit << _PLACE_BITS) + place
                place += 1
                if number not in shared:
                    item = dataclasses.replace(item, keys=_NO_KEYS)
            yield unit, item


class DaskSketching:
    """`cli.sketching.Sketcher.run` on a cluster: the inputs' `Sketched` documents and `Problem`s in input order,
    a document that shares no band key with another handed on without its keys."""

    def __init__(self, client: Any, clean: dict[str, Any] | None, options: DedupOptions, progress: Progress) -> None:
        self.client = client
        self.clean = clean
        self.options = options
        self.progress = progress
        self.units = Units(client)
        self.rules = ship_rules(clean.get("rule_files", ())) if clean is not None else ()
        self._futures: list[tuple[Any, int]] = []  # (task, its input bytes), in input order

    def run(self, inputs: Iterable[cio.Input | cio.Unreadable], stdin: BinaryIO | None) -> Iterator[Sketched | Problem]:
        ready: list[tuple[int, list[Problem]]] = []  # problems known here, before the task of that number
        for item in inputs:
            if isinstance(item, cio.Unreadable):
                ready.append((len(self._futures), [Problem(item.path, item.problem)]))
            elif item.is_stdin:
                self._ship(events(iter([item]), stdin))
            else:
                self._input(item)
        self._wait()
        problems = iter(ready)
        waiting = next(problems, None)
        for unit, item in deduplicate(self.client, [future for future, _ in self._futures]):
            while waiting is not None and waiting[0] <= unit:
                yield from waiting[1]
                waiting = next(problems, None)
            yield item
        while waiting is not None:
            yield from waiting[1]
            waiting = next(problems, None)
        self._futures.clear()

    def close(self, *, kill: bool = False) -> None:
        futures = [future for future, _ in self._futures]
        self._futures.clear()
        if futures:
            self.client.cancel(futures)

    def _input(self, item: cio.Input) -> None:
        blocks = self.units.blocks(item)
        if blocks is None:
            future = self.units.submit(sketch_unit, item, None, self.clean, self.options, self.rules)
            self._futures.append((future, item.size or 0))
            return
        for block in blocks:
            future = self.units.submit(sketch_unit, item, block, self.clean, self.options, self.rules)
            self._futures.append((future, self.units.partition))

    def _ship(self, stream: Iterator[Event]) -> None:
        batch: list[Event] = []
        size = 0
        for event in stream:
            batch.append(event)
            if isinstance(event, Doc):
                size += event.size
                if len(batch) >= BATCH_PAGES:
                    self._futures.append(
                        (self.units.submit(sketch_events, batch, self.clean, self.options, self.rules), size)
                    )
                    batch, size = [], 0
        if batch:
            self._futures.append((self.units.submit(sketch_events, batch, self.clean, self.options, self.rules), size))

    def _wait(self) -> None:
        """Every task done (they keep their results on the cluster), the bar advancing as they finish."""
        from distributed import as_completed

        sizes = {future.key: size for future, size in self._futures}
        for future in as_completed([future for future, _ in self._futures]):
            self.progress.advance(sizes.get(future.key, 0))
