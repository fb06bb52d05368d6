"""LSH banding: a signature cut into `bands` bands of `rows` values, each band hashed to one key.

Two documents become candidates when any band key is equal: with Jaccard similarity `s` that happens with
probability `1 - (1 - s**rows)**bands`. The default 42 bands of 3 rows (126 of 128 values) make a pair at
s = 0.5 a candidate 99.6% of the time and one at s = 0.3 (a trimmed copy: contained in its original though
their Jaccard is low) 68% of the time; the verification step then judges each candidate on its estimates.

Keys are 47-bit non-negative integers (SQLite stores them in six bytes); the band's number is hashed in, so
equal values in different bands are different keys. A random collision between two unrelated bands costs one
needless verification, never a wrong match.

A document's keys are a row of `2 * bands`: its whole signature's bands, then its lead's (`minhash.Lead`), or
`NO_KEY` for a document without a lead. Both go into one table, the lead's filed under the document's
complement (`~node`), so that a shorter text's own keys meet a long copy's lead keys; two leads meeting are no
candidates (`BandTable.candidates`). A pair found through a lead is verified on that lead (`verify.judge`).
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from .shingles import mix

U64 = np.uint64
KEY_BITS = 47
_ROW_BASE = U64(0xD6E8FEB86659FD93)
NO_KEY = -1  # the lead keys of a document without a lead
BY_WHOLE, BY_LEAD = 1, 2  # how a candidate was found: it is verified on the whole texts, on the lead, or both


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - similarity**rows) ** bands


class Banding:
    def __init__(self, num_perm: int, bands: int) -> None:
        if not 1 <= bands <= num_perm:
            raise ValueError(f"bands must be between 1 and num_perm ({num_perm})")
        self.bands = bands
        self.rows = num_perm // bands
        self._salt = mix(np.arange(1, bands + 1, dtype=U64))

    def keys(self, signature: np.ndarray) -> np.ndarray:
        """The band keys of one signature, as int64."""
        return self.keys_many(signature.reshape(1, -1))[0]

    def keys_many(self, signatures: np.ndarray) -> np.ndarray:
        """The band keys of a stack of signatures (one per row), as int64."""
        used = signatures[:, : self.bands * self.rows].astype(U64)
        table = used.reshape(used.shape[0], self.bands, self.rows)
        key = np.broadcast_to(self._salt, table.shape[:2]).copy()
        for row in range(self.rows):
            key = mix(key * _ROW_BASE + table[:, :, row])
        return (key >> U64(64 - KEY_BITS)).astype(np.int64)

    def keys_with_leads(self, signatures: np.ndarray, leads: list[np.ndarray | None]) -> np.ndarray:
        """The keys of a stack of documents, one row each: the whole signature's bands, then the lead's (or
        NO_KEY) from `leads` (per document: its lead's signature, or None)."""
        whole = self.keys_many(signatures)
        lead = np.full_like(whole, NO_KEY)
        having = [row for row, signature in enumerate(leads) if signature is not None]
        if having:
            lead[having] = self.keys_many(np.stack([leads[row] for row in having]))  # type: ignore[misc]
        return np.concatenate([whole, lead], axis=1)

    def split(self, keys: np.ndarray) -> tuple[list[int], list[int]]:
        """A document's row of keys as its whole-text keys and its lead keys (none when it has no lead, or when
        the row is empty: a document handed on without keys)."""
        values = keys.tolist()
        lead = values[self.bands :]
        return values[: self.bands], [] if not lead or lead[0] == NO_KEY else lead


class BandTable:
    """In-memory LSH table: band key -> the documents (small integers) that have it.

    A key seen once maps to the document itself, a shared one to a tuple of them: most keys are never shared,
    an int is much smaller than a container, and both loops below run in C (`map`, `set`) for the usual case.
    """

    def __init__(self) -> None:
        self._table: dict[int, int | tuple[int, ...]] = {}

    def insert(self, doc: int, keys: list[int]) -> set[int]:
        """File `doc` under its keys; the documents that held any of them before (one dict operation per key:
        inserting is also the lookup)."""
        table = self._table
        held = list(map(table.setdefault, keys, repeat(doc, len(keys))))
        if held.count(doc) == len(held):
            return set()  # every key was new (or already this document's)
        # A copy shares most keys with its original, so the values held are few: each is extended once, and
        # every key is updated in one call.
        earlier: set[int] = set()
        grown: dict[int | tuple[int, ...], int | tuple[int, ...]] = {}
        for value in set(held):
            if isinstance(value, tuple):
                earlier.update(value)
                grown[value] = value if doc in value else (*value, doc)
            elif value != doc:
                earlier.add(value)
                grown[value] = (value, doc)
        table.update(zip(keys, map(grown.get, held, held), strict=True))
        earlier.discard(doc)
        return earlier

    def query(self, keys: list[int]) -> set[int]:
        """Every document sharing a key."""
        held = set(map(self._table.get, keys))
        held.discard(None)
        found: set[int] = set()
        for value in held:
            if isinstance(value, tuple):
                found.update(value)
            else:
                found.add(value)  # type: ignore[arg-type]
        return found

    def candidates(self, node: int, whole: list[int], lead: list[int], *, insert: bool = True) -> dict[int, int]:
        """The documents that are candidates for `node` (filed under its keys when `insert`), each with how it
        was found (`BY_WHOLE`, `BY_LEAD` or both): sharing a whole-text key with it, or either way round a
        lead key with a whole-text key; two leads meeting are no candidates."""
        look = self.insert if insert else (lambda doc, keys: self.query(keys))
        found: dict[int, int] = {}
        for other in look(node, whole):
            if other >= 0:
                found[other] = found.get(other, 0) | BY_WHOLE
            else:
                found[~other] = found.get(~other, 0) | BY_LEAD
        if lead:
            for other in look(~node, lead):
                if other >= 0:
                    found[other] = found.get(other, 0) | BY_LEAD
        found.pop(node, None)
        return found

    def __len__(self) -> int:
        return len(self._table)
