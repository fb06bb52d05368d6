"""The persistent index: SQLite, one row per file and per document, band keys in an indexed table.

    files(id, path UNIQUE, size, mtime_ns, hash, setting)        path relative to the corpus root
    docs(id, file, line, rid, raw, words, distinct, exact, signature, positions,
         lead_signature, lead_positions, lead_distinct)                the lead's: NULL for a short document
    bands(key, doc) PRIMARY KEY (key, doc) WITHOUT ROWID           the LSH lookup: one seek per band key; a lead's
                                                                   keys are filed under -doc, a short document's
                                                                   probe under doc (see `candidates`)
    meta(key, value)                                               schema version, signature parameters, root

A file whose size and mtime are those recorded (and that was cleaned with the same settings) is not read at
all; one that changed is read and each of its documents whose bytes hash (`raw`) as before keeps its sketch
without being cleaned again. Band rows are deleted through the keys recomputed from the stored signature, so
the table needs no second index on `doc`.

Concurrency: WAL (readers never wait for the writer), a busy timeout, and short write transactions taken with
`BEGIN IMMEDIATE` (a batch of files at a time; reading and cleaning happen outside them), so two runs on the
same index interleave safely; the last to write a file wins.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .lsh import BY_LEAD, BY_WHOLE, DocumentBanding
from .minhash import Lead, Sketch
from .options import DEFAULT_DIR, DedupOptions

# 2: the positions of the signature's minima; 3: the lead sketches; 4: narrow leads (`minhash.LEAD_BINS` bins)
# banded apart, and short documents' probe keys. An older index cannot be completed without the texts (3: its
# band rows are not this version's): it is emptied (the index is a cache) and the next run reads and sketches
# every file again.
SCHEMA_VERSION = 4
BUSY_TIMEOUT = 60.0  # seconds a run waits for another one's write transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash BLOB,
    setting TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file INTEGER NOT NULL,
    line INTEGER,
    rid TEXT,
    raw BLOB,
    words INTEGER NOT NULL,
    distinct_shingles INTEGER NOT NULL,
    exact BLOB NOT NULL,
    signature BLOB NOT NULL,
    positions BLOB NOT NULL,
    lead_signature BLOB,
    lead_positions BLOB,
    lead_distinct INTEGER
);
CREATE INDEX IF NOT EXISTS docs_file ON docs(file);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
"""


class IndexProblem(Exception):
    """The index cannot be used: `str()` says why and what to do."""


@dataclass(frozen=True)
class FileRow:
    id: int
    path: str
    size: int
    mtime_ns: int
    hash: bytes | None
    setting: str


@dataclass(frozen=True)
class DocRow:
    id: int
    path: str  # of its file, relative to the root
    line: int | None  # a JSONL record's line number
    rid: str | None  # a JSONL record's own id, as JSON
    raw: bytes | None  # digest of the document's input bytes
    sketch: Sketch
    size: int  # the file's, as recorded
    mtime_ns: int
    setting: str

    @property
    def record_id(self) -> object:
        return json.loads(self.rid) if self.rid is not None else None


@dataclass(frozen=True)
class StoredDoc:
    """A document to store: its place in the file and its sketch."""

    line: int | None
    rid: object  # a record's own id (any JSON value), or None
    raw: bytes | None
    sketch: Sketch


@dataclass(frozen=True)
class Replace:
    path: str
    size: int
    mtime_ns: int
    hash: bytes | None
    setting: str
    docs: Sequence[StoredDoc]


@dataclass(frozen=True)
class Touch:
    """The file's bytes are as recorded; only its size/mtime moved (a `touch`, a checkout)."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Remove:
    path: str


Operation = Replace | Touch | Remove


@dataclass(frozen=True)
class Stats:
    path: str
    root: str
    schema_version: int
    structure: dict[str, int]
    files: int
    docs: int
    bands: int
    bytes: int


class Index:
    """One SQLite index file. `root` is the directory its paths are relative to (recorded in the index,
    relative to the index file, so the two can move together)."""

    def __init__(
        self, path: str, options: DedupOptions, *, root: str | None = None, timeout: float = BUSY_TIMEOUT
    ) -> None:
        self.path = os.path.abspath(path)
        self.options = options
        self._banding = DocumentBanding(options.num_perm, options.bands)
        existed = os.path.exists(self.path)
        if not existed:
            directory = os.path.dirname(self.path)
            os.makedirs(directory, exist_ok=True)
            if os.path.basename(directory) == DEFAULT_DIR:
                ignore = os.path.join(directory, ".gitignore")
                if not os.path.exists(ignore):  # the index is a cache: never committed with the corpus
                    with open(ignore, "w", encoding="utf-8") as out:
                        out.write("*\n")
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.root = self._setup(root)
        except sqlite3.DatabaseError as exc:
            raise IndexProblem(f"{self.path}: not a usable index ({exc})") from exc

    # -- set-up

    def _setup(self, root: str | None) -> str:
        here = os.path.dirname(self.path)
        with self._write():
            tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" not in tables:
                if tables - {"sqlite_sequence"}:
                    raise IndexProblem(f"{self.path}: not a cleaner index")
                for statement in _SCHEMA.split(";"):  # not executescript: it would commit the transaction
                    if statement.strip():
                        self.db.execute(statement)
                chosen = os.path.abspath(root) if root is not None else os.path.dirname(here)
                meta = {"schema_version": str(SCHEMA_VERSION), "root": os.path.relpath(chosen, here)}
                meta.update({key: str(value) for key, value in self.options.structure().items()})
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        if meta.get("schema_version") in ("1", "2", "3"):
            self._upgrade(int(meta["schema_version"]))
            meta["schema_version"] = str(SCHEMA_VERSION)
        version = int(meta.get("schema_version", "0"))
        if version != SCHEMA_VERSION:
            raise IndexProblem(
                f"{self.path}: schema version {version}, this cleaner uses {SCHEMA_VERSION} "
                "(run 'cleaner index --rebuild')"
            )
        for key, value in self.options.structure().items():
            if int(meta.get(key, "-1")) != value:
                raise IndexProblem(
                    f"{self.path}: built with {key} {meta.get(key)}, asked for {value} "
                    "(use the same settings, another --index, or 'cleaner index --rebuild')"
                )
        return os.path.normpath(os.path.join(here, meta["root"]))

    def _upgrade(self, version: int) -> None:
        """Version 1 kept no positions, version 2 no leads, version 3 wide leads and no probes, and none can be made
        up without the texts: forget every file (the index is a cache; the next run reads and sketches them again)
        and add the columns missing."""
        with self._write():
            self.db.execute("DELETE FROM bands")
            self.db.execute("DELETE FROM docs")
            self.db.execute("DELETE FROM files")
            if version < 2:
                self.db.execute("ALTER TABLE docs ADD COLUMN positions BLOB NOT NULL DEFAULT x''")
            if version < 3:
                for column in ("lead_signature BLOB", "lead_positions BLOB", "lead_distinct INTEGER"):
                    self.db.execute(f"ALTER TABLE docs ADD COLUMN {column}")
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    class _Transaction:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> None:
            self.db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, *rest: object) -> None:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")

    def _write(self) -> Index._Transaction:
        return Index._Transaction(self.db)

    # -- paths

    def relative(self, fspath: str) -> str | None:
        """`fspath` relative to the root ('/'-separated), or None when it lies outside."""
        rel = os.path.relpath(os.path.realpath(fspath), self.root)
        if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
            return None
        return rel.replace(os.sep, "/")

    def absolute(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/"))

    # -- reading

    def file(self, path: str) -> FileRow | None:
        row = self.db.execute(
            "SELECT id, path, size, mtime_ns, hash, setting FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileRow(*row) if row else None

    def paths(self, under: str = "") -> Iterator[str]:
        """The file paths recorded, in order; `under` ('' for all) limits them to one directory."""
        if not under:
            query, args = "SELECT path FROM files ORDER BY path", ()
        else:
            prefix = under.rstrip("/") + "/"
            # '0' is the character after '/': a range scan of the unique index on path
            query, args = (
                "SELECT path FROM files WHERE path >= ? AND path < ? ORDER BY path",
                (prefix, prefix[:-1] + "0"),
            )
        for (path,) in self.db.execute(query, args):
            yield path

    def docs_of(self, file_id: int) -> list[DocRow]:
        return self._docs("d.file = ?", (file_id,))

    def candidates(self, keys: Sequence[int], has_lead: bool) -> dict[int, int]:
        """The documents that are candidates for a document of these keys (a row of `Deduplicator.keys`: the whole
        text's, then its lead's when `has_lead`, else its probe's), each with how it was found (`lsh.BY_WHOLE`,
        `lsh.BY_LEAD` or both): sharing a whole-text key with it, or a lead key (filed under -doc) with its probe,
        or a probe key with its lead; never lead with lead, nor probe with probe (as `lsh.BandTable.candidates`)."""
        split = self._banding.split(np.asarray(list(keys), dtype=np.int64), has_lead)
        found: dict[int, int] = {}
        asked = (
            (split.whole, "doc > 0", BY_WHOLE),  # a whole-text key meeting a lead's: a collision, ignored
            (split.lead, "doc > 0", BY_LEAD),  # a lead meets the probes of short documents
            (split.probe, "doc < 0", BY_LEAD),  # a probe meets the leads of long ones
        )
        for values, which, how in asked:
            if not values:
                continue
            marks = ",".join("?" * len(values))
            for (doc,) in self.db.execute(f"SELECT DISTINCT doc FROM bands WHERE key IN ({marks}) AND {which}", values):
                found[abs(doc)] = found.get(abs(doc), 0) | how
        return dict(sorted(found.items()))

    def docs(self, ids: Sequence[int]) -> list[DocRow]:
        found: list[DocRow] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            found += self._docs(f"d.id IN ({','.join('?' * len(chunk))})", chunk)
        return found

    def _docs(self, where: str, args: Sequence[object]) -> list[DocRow]:
        rows = self.db.execute(
            "SELECT d.id, f.path, d.line, d.rid, d.raw, d.words, d.distinct_shingles, d.exact, d.signature, "
            "d.positions, d.lead_signature, d.lead_positions, d.lead_distinct, f.size, f.mtime_ns, f.setting "
            f"FROM docs d JOIN files f ON f.id = d.file WHERE {where} ORDER BY d.id",
            args,
        )
        found = []
        for row in rows:
            doc_id, path, line, rid, raw, words, distinct, exact, signature, positions = row[:10]
            lead_signature, lead_positions, lead_distinct, size, mtime, setting = row[10:]
            lead = None
            if lead_signature is not None:
                lead = Lead(_unsigned(lead_signature, "<u4"), _unsigned(lead_positions, "<u2"), lead_distinct)
            sketch = Sketch(_unsigned(signature, "<u4"), distinct, words, exact, _unsigned(positions, "<u2"), lead)
            found.append(DocRow(doc_id, path, line, rid, raw, sketch, size, mtime, setting))
        return found

    def stats(self) -> Stats:
        count = self.db.execute
        meta = dict(count("SELECT key, value FROM meta"))
        # The database's own size, pages in use times page size: the same whether or not its write-ahead log has
        # been folded in yet (the files on disk are larger while it has not: `cleaner index` right after a run and
        # `--stats` later told two sizes).
        pages = count("PRAGMA page_count").fetchone()[0] - count("PRAGMA freelist_count").fetchone()[0]
        size = pages * count("PRAGMA page_size").fetchone()[0]
        return Stats(
            path=self.path,
            root=self.root,
            schema_version=int(meta["schema_version"]),
            structure={key: int(meta[key]) for key in self.options.structure()},
            files=count("SELECT count(*) FROM files").fetchone()[0],
            docs=count("SELECT count(*) FROM docs").fetchone()[0],
            bands=count("SELECT count(*) FROM bands").fetchone()[0],
            bytes=size,
        )

    # -- writing

    def apply(self, operations: Sequence[Operation]) -> None:
        """Apply a batch of changes in one short write transaction."""
        if not operations:
            return
        with self._write():
            for op in operations:
                if isinstance(op, Touch):
                    self.db.execute(
                        "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (op.size, op.mtime_ns, op.path)
                    )
                    continue
                self._drop_docs(op.path)
                if isinstance(op, Remove):
                    self.db.execute("DELETE FROM files WHERE path = ?", (op.path,))
                    continue
                file_id = self.db.execute(
                    "INSERT INTO files (path, size, mtime_ns, hash, setting) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
                    "hash = excluded.hash, setting = excluded.setting RETURNING id",
                    (op.path, op.size, op.mtime_ns, op.hash, op.setting),
                ).fetchone()[0]
                for doc in op.docs:
                    self._insert_doc(file_id, doc)

    def rebuild(self) -> None:
        """Forget every file and document (the next update reads and cleans everything again)."""
        with self._write():
            self.db.execute("DELETE FROM bands")
            self.db.execute("DELETE FROM docs")
            self.db.execute("DELETE FROM files")
        self.db.execute("VACUUM")

    def _drop_docs(self, path: str) -> None:
        old = self.db.execute(
            "SELECT d.id, d.signature, d.lead_signature, d.words FROM docs d JOIN files f ON f.id = d.file "
            "WHERE f.path = ?",
            (path,),
        ).fetchall()
        for doc_id, signature, lead, words in old:
            if words:
                rows = self._band_rows(doc_id, signature, lead)
                self.db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", rows)
            self.db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))

    def _band_rows(self, doc_id: int, signature: bytes, lead: bytes | None) -> list[tuple[int, int]]:
        """The (key, doc) rows of a non-empty document: its whole signature's keys and its probe's under its id, its
        lead's under -id."""
        keys = self._banding.stored(_unsigned(signature, "<u4"), _unsigned(lead, "<u4") if lead is not None else None)
        return [(key, doc_id) for key in keys.whole + keys.probe] + [(key, -doc_id) for key in keys.lead]

    def _insert_doc(self, file_id: int, doc: StoredDoc) -> None:
        sketch = doc.sketch
        lead = sketch.lead
        lead_bytes = lead.signature.astype("<u4").tobytes() if lead is not None else None
        rid = json.dumps(doc.rid, ensure_ascii=False) if doc.rid is not None else None
        doc_id = self.db.execute(
            "INSERT INTO docs (file, line, rid, raw, words, distinct_shingles, exact, signature, positions, "
            "lead_signature, lead_positions, lead_distinct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                file_id,
                doc.line,
                rid,
                doc.raw,
                sketch.words,
                sketch.distinct,
                sketch.exact,
                sketch.signature.astype("<u4").tobytes(),
                sketch.positions.astype("<u2").tobytes(),
                lead_bytes,
                lead.positions.astype("<u2").tobytes() if lead is not None else None,
                lead.distinct if lead is not None else None,
            ),
        ).fetchone()[0]
        if not sketch.empty:
            rows = self._band_rows(doc_id, sketch.signature.astype("<u4").tobytes(), lead_bytes)
            self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", rows)


def _unsigned(data: bytes, dtype: str) -> np.ndarray:
    """A stored little-endian array as the native unsigned type."""
    return np.frombuffer(data, dtype=dtype).astype(dtype.replace("<", "="))
