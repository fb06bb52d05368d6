"""LSH banding: a signature cut into `bands` bands of `rows` values, each band hashed to one key.

Two documents become candidates when any band key is equal: with Jaccard similarity `s` that happens with
probability `1 - (1 - s**rows)**bands`. The default 42 bands of 3 rows (126 of 128 values) make a pair at
s = 0.5 a candidate 99.6% of the time and one at s = 0.3 (a trimmed copy: contained in its original though
their Jaccard is low) 68% of the time; the verification step then judges each candidate on its estimates.

Keys are 47-bit non-negative integers (SQLite stores them in six bytes); the band's number is hashed in, so
equal values in different bands are different keys. A random collision between two unrelated bands costs one
needless verification, never a wrong match.

A document's keys are a row of `DocumentBanding.width`: its whole signature's `bands` keys, then `LEAD_BANDS`
keys of a narrow lead banding (2 rows a band, over the first bins): a long document's are its lead's
(`minhash.Lead`), a short one's are its own signature's first bins (its *probe*), so that the short copy of a
story meets the lead of a long copy (`NO_KEY`: an empty text). Those keys live in a key space of their own (their
own salts): a lead key meets only probes, a probe only leads. Lead keys are filed under the document's complement
(`~node`), so a lookup tells them from a probe; two leads never meet (`BandTable.candidates`), nor do two probes
(two short texts are compared on their whole-text keys). A pair found that way is verified on that lead
(`verify.judge`).

Why 20 bands of 2 rows: a short copy's Jaccard similarity with a lead it is in is 0.26 to 0.8 (0.31 to 0.40 for
most summaries on aggregators-dev), where they propose 75% to 100% of pairs (93% at 0.35), and an unrelated pair
at 0.05 under 5% of the time; 42 bands of 3 rows (a lead banded like the whole text) propose 84% at 0.35. Costs:
20 keys per document (a short one's probe or a long one's lead), against 42.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from .shingles import mix

U64 = np.uint64
KEY_BITS = 47
_ROW_BASE = U64(0xD6E8FEB86659FD93)
NO_KEY = -1  # the lead keys of an empty text
BY_WHOLE, BY_LEAD = 1, 2  # how a candidate was found: it is verified on the whole texts, on the lead, or both
LEAD_BANDS, LEAD_ROWS = 20, 2  # the lead banding: its keys and a probe's are made of the first 40 bins
_LEAD_SALT = 1 << 20  # the lead bands' numbers, hashed into their keys: never a whole-text band's


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - similarity**rows) ** bands


class Banding:
    """`bands` bands of `num_perm // bands` rows over the first bins of a signature; `first_band`: the number the
    bands' salts start at (another key space for another banding)."""

    def __init__(self, num_perm: int, bands: int, first_band: int = 1) -> None:
        if not 1 <= bands <= num_perm:
            raise ValueError(f"bands must be between 1 and num_perm ({num_perm})")
        self.bands = bands
        self.rows = num_perm // bands
        self._salt = mix(np.arange(first_band, first_band + bands, dtype=U64))

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


def lead_banding(num_perm: int) -> Banding:
    """The banding of leads and probes: `LEAD_BANDS` bands of `LEAD_ROWS` rows (fewer with under 40 bins)."""
    bands = max(1, min(LEAD_BANDS, num_perm // LEAD_ROWS))
    return Banding(min(num_perm, bands * LEAD_ROWS), bands, _LEAD_SALT)


@dataclass(frozen=True)
class DocumentKeys:
    """A document's row of keys, split: `whole` its whole text's; `lead` its lead's (a long document) or `probe`
    its opening bins' (a short one): at most one of the two is filled."""

    whole: list[int]
    lead: list[int]
    probe: list[int]


class DocumentBanding:
    """The keys of documents: the whole signature's (`whole`, a `Banding` of `bands`), then the lead banding's
    of its lead or, for a document without one, of its own signature (its probe)."""

    def __init__(self, num_perm: int, bands: int) -> None:
        self.whole = Banding(num_perm, bands)
        self.lead = lead_banding(num_perm)
        self.width = self.whole.bands + self.lead.bands

    def rows(self, signatures: np.ndarray, leads: list[np.ndarray | None], empty: list[bool]) -> np.ndarray:
        """The keys of a stack of documents, one row each: `signatures` theirs, `leads` their leads' signatures
        (None: a document without a lead probes with its own), `empty` whether a text had no words (NO_KEY)."""
        whole = self.whole.keys_many(signatures)
        narrow = [lead if lead is not None else signature for signature, lead in zip(signatures, leads, strict=True)]
        second = self.lead.keys_many(np.stack([row[: self.lead.bands * self.lead.rows] for row in narrow]))
        second[np.asarray(empty, dtype=bool)] = NO_KEY
        return np.concatenate([whole, second], axis=1)

    def split(self, keys: np.ndarray | Sequence[int], has_lead: bool) -> DocumentKeys:
        """A document's row of keys (`has_lead`: whether its second part is a lead's) as `DocumentKeys`; a row of
        whole-text keys only (a document handed on without its other keys) has neither lead nor probe."""
        values = keys.tolist() if isinstance(keys, np.ndarray) else list(keys)
        whole, second = values[: self.whole.bands], values[self.whole.bands :]
        if not second or second[0] == NO_KEY:
            second = []
        return DocumentKeys(whole, second if has_lead else [], [] if has_lead else second)

    def stored(self, signature: np.ndarray, lead: np.ndarray | None) -> DocumentKeys:
        """The keys of a stored non-empty document, from its signature and its lead's (None: it has none)."""
        return self.split(self.rows(signature[None, :], [lead], [False])[0], lead is not None)


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

    def candidates(self, node: int, keys: DocumentKeys, *, insert: bool = True) -> dict[int, int]:
        """The documents that are candidates for `node` (filed under its keys when `insert`), each with how it
        was found (`BY_WHOLE`, `BY_LEAD` or both): sharing a whole-text key with it, or a lead key with its probe
        key, or a probe key with its lead key. A lead is filed under `~node`: two leads, or two probes, meeting
        are no candidates; a whole-text key meeting a lead's is a collision across key spaces, ignored."""
        look = self.insert if insert else (lambda doc, keys: self.query(keys))
        found: dict[int, int] = {}
        for other in look(node, keys.whole):
            if other >= 0:
                found[other] = found.get(other, 0) | BY_WHOLE
        if keys.lead:
            for other in look(~node, keys.lead):
                if other >= 0:  # a short document's probe
                    found[other] = found.get(other, 0) | BY_LEAD
        if keys.probe:
            for other in look(node, keys.probe):
                if other < 0:  # a long document's lead
                    found[~other] = found.get(~other, 0) | BY_LEAD
        found.pop(node, None)
        return found

    def __len__(self) -> int:
        return len(self._table)
