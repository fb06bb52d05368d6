"""`--output-format parquet`: the records `--format jsonl` prints, written as a Parquet dataset under a folder or URL.

The contract's fields are columns (`related` and `removed` nested lists of structs); a record's other fields, and
any contract field whose value is not of the contract's type, go into `extra`, the JSON of them, so nothing is
lost. An `id` that is not a string is written as its JSON text (`7` -> "7"; the value itself stays in `extra`).
Parts of up to `PART_ROWS` documents (`part-00000.parquet`, ...) are each written whole under their own name, or
not at all; `_manifest.json`, written last, lists the parts and their documents: a dataset without it is not done.
"""

from __future__ import annotations

import io
import json
import os
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import io as cio
from .urls import UrlAtomicFile, is_url, join

PART_ROWS = 100_000
MANIFEST = "_manifest.json"

_RELATED = pa.struct([("title", pa.string()), ("source", pa.string()), ("date", pa.string()), ("text", pa.string())])
_REMOVED = pa.struct([("text", pa.string()), ("reason", pa.string())])
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("kind", pa.string()),
        ("language", pa.string()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("url", pa.string()),
        ("related", pa.list_(_RELATED)),
        ("removed", pa.list_(_REMOVED)),
        ("extra", pa.string()),
    ]
)
_STRINGS = ("title", "text", "kind", "language", "source", "date", "url")
_NESTED = {"related": tuple(_RELATED.names), "removed": tuple(_REMOVED.names)}


def row(record: dict[str, Any]) -> dict[str, Any]:
    """One output record as a row of `SCHEMA`."""
    out: dict[str, Any] = {}
    extra = {key: value for key, value in record.items() if key not in SCHEMA.names}
    doc_id = record.get("id")
    out["id"] = doc_id if isinstance(doc_id, str) or doc_id is None else json.dumps(doc_id, ensure_ascii=False)
    if not (isinstance(doc_id, str) or doc_id is None):
        extra["id"] = doc_id
    for name in _STRINGS:
        value = record.get(name)
        if value is None or isinstance(value, str):
            out[name] = value
        else:
            out[name] = None
            extra[name] = value
    for name, keys in _NESTED.items():
        value = record.get(name)
        if value is None or _nested(value, keys):
            out[name] = value
        else:
            out[name] = None
            extra[name] = value
    out["extra"] = json.dumps(extra, ensure_ascii=False) if extra else None
    return out


def _nested(value: Any, keys: tuple[str, ...]) -> bool:
    """A list of objects whose fields are the struct's, each a string or null."""
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and set(item) <= set(keys)
        and all(field is None or isinstance(field, str) for field in item.values())
        for item in value
    )


class ParquetParts:
    """A byte sink for JSONL records (what the session writes to stdout) that writes them as Parquet parts."""

    def __init__(self, folder: str, part_rows: int = PART_ROWS) -> None:
        self.folder = folder
        self.part_rows = part_rows
        self.parts: list[dict[str, Any]] = []
        self._rows: list[dict[str, Any]] = []
        self._tail = b""

    def write(self, data: bytes) -> int:
        lines = (self._tail + data).split(b"\n")
        self._tail = lines.pop()
        for line in lines:
            if line.strip():
                self._rows.append(row(json.loads(line)))
        if len(self._rows) >= self.part_rows:
            self._flush_part()
        return len(data)

    def flush(self) -> None:
        """Nothing is held back that a part could take yet: parts are written at `part_rows`, and at `close`."""

    def close(self) -> None:
        """The last part (even an empty one, when there were no documents), then the manifest."""
        if self._tail.strip():
            self.write(b"\n")
        if self._rows or not self.parts:
            self._flush_part()
        manifest = {"format": "parquet", "parts": self.parts, "documents": sum(p["documents"] for p in self.parts)}
        self._put(MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))

    def _flush_part(self) -> None:
        rows, self._rows = self._rows[: self.part_rows], self._rows[self.part_rows :]
        table = pa.Table.from_pylist(rows, schema=SCHEMA)
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        name = f"part-{len(self.parts):05d}.parquet"
        self._put(name, buffer.getvalue())
        self.parts.append({"name": name, "documents": len(rows)})

    def _put(self, name: str, data: bytes) -> None:
        if is_url(self.folder):
            out: Any = UrlAtomicFile(join(self.folder, name))
        else:
            os.makedirs(self.folder, exist_ok=True)
            out = cio.AtomicFile(os.path.join(self.folder, name), durable=False)
        try:
            out.write(data)
            out.commit()
        finally:
            out.discard()
