"""`cleaner.dask.clean_bag`, `clean_frame` and `dedup_frame`: cleaning and dedup inside a Dask pipeline of your own.

Each runs the single-machine code on each partition (`cleaner.clean`, the dedup `Sketcher` flow) and returns a lazy
collection; `dedup_frame` computes the sketches and the band-key shuffle when it is called (the clusters need the
whole frame) and returns a frame whose partitions take their columns from that result.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from .. import io as cio
from ..cli.pool import Doc, Page, clean_pages, record_event
from ..cli.sketching import Problem, Sketched
from ..dedup import Deduplicator
from ..dedup.options import DedupOptions
from ..document import Document

CONTRACT = ("title", "text", "kind", "language", "source", "date", "related", "removed")
_BAG = cio.Input("<bag>", None, None, "jsonl")


# --- clean_bag ------------------------------------------------------------------------------------------------


def clean_bag(bag: Any, **options: Any) -> Any:
    """A Dask bag of pages cleaned: a text (`str`) gives its `Document`; a record (`dict` with a `text` or `html`
    field) gives the record `cleaner clean --format jsonl` writes for it (its fields updated with the contract's).
    `options` are those of `cleaner.clean` (packs, rule_files, density, trust_clean...).

    >>> import dask.bag as db
    >>> cleaned = clean_bag(db.from_sequence(texts, npartitions=8), packs=("default",))
    >>> [doc.title for doc in cleaned.compute()]
    """
    return bag.map_partitions(_clean_items, options)


def _clean_items(items: Any, options: dict[str, Any]) -> list[Any]:
    items = list(items)
    out: list[Any] = []
    for number, item in enumerate(items, 1):
        if isinstance(item, str):
            result = clean_pages([Page(item)], options)[0]
            if isinstance(result, BaseException):
                raise result
            out.append(result)
        elif isinstance(item, dict):
            out.append(_clean_record(item, number, options))
        else:
            raise TypeError(f"clean_bag: a page is a str or a dict record, not {type(item).__name__}")
    return out


def _clean_record(record: dict[str, Any], number: int, options: dict[str, Any]) -> dict[str, Any]:
    """The record as `cleaner clean --format jsonl` writes it (a record without a page is returned as it is)."""
    from ..cli.session import merge_record

    line = cio.parse_line(number, cio.jsonl_line(record).decode("utf-8").rstrip("\n"), None)
    event = record_event(_BAG, line)
    if not isinstance(event, Doc):
        return record
    result = clean_pages([event.page()], options)[0]
    if isinstance(result, BaseException):
        raise result
    return merge_record(event, result)


# --- clean_frame ----------------------------------------------------------------------------------------------


def clean_frame(ddf: Any, column: str = "text", **options: Any) -> Any:
    """A Dask DataFrame with the page in `column` cleaned: the contract's columns (title, text, kind, language,
    source, date, related, removed) added, or replaced when the frame has them (`text` becomes the cleaned
    text). `related` and `removed` hold lists of dicts. `options` are those of `cleaner.clean`.

    >>> frame = clean_frame(dd.read_parquet("s3://crawl/pages/"), column="body", trust_clean=True)
    """
    meta = _contract_meta(ddf._meta, column)
    return ddf.map_partitions(_clean_partition, column, options, meta=meta)


def _contract_meta(meta: Any, column: str) -> Any:
    frame = meta.copy()
    for name in CONTRACT:
        frame[name] = frame[column] if name == "text" else None
        frame[name] = frame[name].astype(object)
    return frame


def _clean_partition(part: Any, column: str, options: dict[str, Any]) -> Any:
    results = clean_pages([Page(text if isinstance(text, str) else "") for text in part[column]], options)
    rows = [_contract_row(result) for result in results]
    frame = part.copy()
    for name in CONTRACT:
        frame[name] = [row[name] for row in rows]
        frame[name] = frame[name].astype(object)
    return frame


def _contract_row(result: Document | BaseException) -> dict[str, Any]:
    if isinstance(result, BaseException):
        raise result
    return result.to_dict()


# --- dedup_frame ----------------------------------------------------------------------------------------------


def dedup_frame(
    ddf: Any,
    column: str = "text",
    *,
    id_column: str | None = None,
    clean: dict[str, Any] | None = None,
    options: DedupOptions | None = None,
    client: Any = None,
) -> Any:
    """A Dask DataFrame with `cluster` (the id of the cluster's representative), `duplicate_of` (None for a
    representative) and `similarity` added, as `cleaner dedup` finds them over the frame's rows in order. A row's
    id is its `id_column` value, else its index value. `clean`: options for `cleaner.clean` to clean the text
    with first (None: compared as it is, as `dedup --no-clean`). `options`: the dedup thresholds and shingles.
    Computes the sketches and the band-key shuffle on `client` (default: the current one) when called.

    >>> frame = dedup_frame(dd.read_parquet("s3://crawl/clean/"), id_column="id")
    >>> frame[frame.duplicate_of.isna()].to_parquet("s3://crawl/unique/")
    """
    import dask
    import dask.dataframe as dd
    from distributed import default_client

    from .dedup import deduplicate

    client = client or default_client()
    options = options or DedupOptions()
    parts = ddf.to_delayed()
    sketch = dask.delayed(_sketch_partition, pure=True)
    futures = client.compute([sketch(part, column, id_column, clean, options) for part in parts])
    dedup = Deduplicator(options)
    sizes: list[int] = []
    for unit, found in deduplicate(client, futures):
        if unit == len(sizes):
            sizes.append(0)
        if isinstance(found, Problem):
            raise ValueError(f"dedup_frame: {found.where}: {found.message}")
        sizes[-1] += 1
        dedup.add_batch([(found.id, found.sketch, found.keys)])
    rows = list(dedup.assignments())
    columns: list[Any] = []
    start = 0
    for size in sizes + [0] * (len(parts) - len(sizes)):
        chunk = rows[start : start + size]
        start += size
        columns.append(
            ([row.cluster for row in chunk], [row.duplicate_of for row in chunk], [row.similarity for row in chunk])
        )
    meta = _attach(ddf._meta, ([], [], []))
    attach = dask.delayed(_attach, pure=True)
    # Dask may hold the meta's object columns as strings: the partitions are built by the same function as it.
    partitions = [attach(part, cols) for part, cols in zip(parts, columns, strict=True)]
    return dd.from_delayed(partitions, meta=meta, verify_meta=False)


def _sketch_partition(
    part: Any, column: str, id_column: str | None, clean: dict[str, Any] | None, options: DedupOptions
) -> list[Sketched | Problem]:
    from .dedup import sketch_events

    ids: list[Hashable] = list(part[id_column]) if id_column is not None else list(part.index)
    texts = [text if isinstance(text, str) else "" for text in part[column]]
    docs = [Doc(_BAG, doc_id, str(doc_id), text, None) for doc_id, text in zip(ids, texts, strict=True)]
    return sketch_events(docs, clean, options)


def _attach(part: Any, columns: tuple[list[Any], list[Any], list[float]]) -> Any:
    cluster, duplicate_of, similarity = columns
    return part.assign(
        cluster=np.array(cluster, dtype=object),
        duplicate_of=np.array(duplicate_of, dtype=object),
        similarity=np.array(similarity, dtype=np.float64),
    )
