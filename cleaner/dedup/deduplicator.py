"""The streaming deduplicator: `add(id, text) -> Match | None`, then `clusters()` or `assignments()`.

Each document is shingled, signed and banded as it comes; its candidates are the documents sharing a band key
(in memory, and in a `Source` such as the persistent index when one is given); each candidate is verified on
its estimates (`verify.py`) and the verified pairs are kept; at the end each document joins a representative it
was verified against (`cluster.py`: no chaining through a third page). Memory per document: its signature
(`num_perm` 32-bit values) and where each value stands (`num_perm` 16-bit positions), the first 64 of each for
its lead when it has one (`minhash.Lead`), a few counts, its band keys in a dict (the whole text's, and 20 of its
lead or its probe) and its verified pairs; nothing of its text.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from ..document import Document
from .cluster import Rank, Stars
from .lsh import BY_LEAD, BY_WHOLE, BandTable, DocumentBanding, DocumentKeys
from .minhash import MinHasher, Sketch
from .options import DedupOptions
from .shingles import shingle
from .verify import Verdict, contained_shares, judge, lead_passes, ordered, passes

_EXACT = Verdict(1.0, 1.0, True)


def story_text(document: Document) -> str:
    """What dedup compares of a cleaned page: its title and article. A listing or an empty page carries no story
    of its own (a listing's text form is other stories' cards, any of which may be a whole article): nothing, so
    it is never anyone's duplicate."""
    return document.render() if document.kind == "article" else ""


@dataclass(frozen=True)
class Match:
    """The earlier document a new one duplicates (the best of those verified: highest similarity, then first
    seen). `similarity` is the containment of the smaller text in the other (1.0: exact copy); `words` is the
    matched document's word count."""

    id: Hashable
    similarity: float
    jaccard: float
    containment: float
    exact: bool
    words: int


@dataclass(frozen=True)
class Assignment:
    """One document's line of the output contract."""

    id: Hashable
    cluster: Hashable  # the representative's id
    duplicate_of: Hashable | None  # None for the representative
    similarity: float  # to the representative (1.0 for the representative itself)


@dataclass
class Cluster:
    representative: Hashable
    members: list[Hashable] = field(default_factory=list)  # in the order seen, the representative included


@dataclass(frozen=True)
class External:
    """A document from a `Source`: `order` ranks it against the documents added (lower is earlier)."""

    id: Hashable
    sketch: Sketch
    order: int
    found: int = BY_WHOLE | BY_LEAD  # how its band keys met the new document's (`lsh.BY_WHOLE`, `lsh.BY_LEAD`)


class Source(Protocol):
    """Documents outside this run that new ones are compared with (the persistent index)."""

    def candidates(self, keys: np.ndarray, sketch: Sketch) -> Iterable[External]: ...


class Deduplicator:
    """Find near-duplicate documents as they stream in.

    >>> dedup = Deduplicator()
    >>> for id, text in rows:
    ...     match = dedup.add(id, text)     # None, or the earlier document it duplicates
    >>> dedup.clusters()                    # [Cluster(representative, members), ...]
    """

    def __init__(
        self,
        options: DedupOptions | None = None,
        *,
        jaccard: float | None = None,
        containment: float | None = None,
        min_words: int | None = None,
        shingle_size: int | None = None,
        source: Source | None = None,
    ) -> None:
        """`options` (a `DedupOptions`), with any of its thresholds given here by name instead:
        `Deduplicator(jaccard=0.6)` is `Deduplicator(DedupOptions(jaccard=0.6))`. A wrong type is a `TypeError`
        naming the parameter."""
        if options is not None and not isinstance(options, DedupOptions):
            raise TypeError(f"options must be a DedupOptions or None, not {type(options).__name__}")
        given = {"jaccard": jaccard, "containment": containment, "min_words": min_words, "shingle_size": shingle_size}
        for name, value in given.items():
            wanted: tuple[type, ...] = (int,) if name in ("min_words", "shingle_size") else (int, float)
            if value is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
                kind = "an int" if wanted == (int,) else "a number"
                raise TypeError(f"{name} must be {kind}, not {type(value).__name__}")
        chosen = {name: value for name, value in given.items() if value is not None}
        self.options = replace(options or DedupOptions(), **chosen)
        self.source = source
        self._hasher = MinHasher(self.options.num_perm, self.options.seed)
        self._banding = DocumentBanding(self.options.num_perm, self.options.bands)
        self._thresholds = self.options.thresholds
        self._table = BandTable()
        self._stars = Stars()
        self._ids: list[Hashable] = []
        self._sketches: list[Sketch] = []
        self._added: list[int] = []  # nodes added (not pulled from the source), in order
        self._external: dict[Hashable, int] = {}
        self._order = 0
        self._named: set[Hashable] = set()  # the ids `add` and `add_many` took

    # -- the API

    def sketch(self, text: str) -> Sketch:
        return self._hasher.sketch(shingle(text, self.options.shingle_size), self.options.shingle_size)

    def sketch_many(self, texts: Sequence[str]) -> list[Sketch]:
        """Sketches of several texts, computed together (array operations over the batch: much faster per text
        than one at a time)."""
        return self._hasher.sketch_many(list(texts), self.options.shingle_size)

    @property
    def key_width(self) -> int:
        """The band keys per document (a row of `keys`)."""
        return self._banding.width

    def keys(self, sketches: Sequence[Sketch]) -> np.ndarray:
        """The LSH band keys of several sketches, one row each (to hand to `add_sketch`): the whole text's, then
        its lead's or its probe's (`lsh.DocumentBanding`)."""
        if not sketches:
            return np.zeros((0, self._banding.width), dtype=np.int64)
        return self._banding.rows(
            np.stack([sketch.signature for sketch in sketches]),
            [sketch.lead.signature if sketch.lead is not None else None for sketch in sketches],
            [sketch.empty for sketch in sketches],
        )

    def add(self, id: Hashable, text: str | Document) -> Match | None:
        """Add a document (its text, or a cleaned `Document`: its rendered text); the earlier document it
        duplicates, if any. An id added before is a `ValueError`: a second document under it could not be told
        from the first in the clusters."""
        text = self._text(id, text)
        self._claim(id)
        return self.add_sketch(id, self.sketch(text))

    def add_many(self, documents: Iterable[tuple[Hashable, str | Document]], batch: int = 32) -> Iterator[Match | None]:
        """Add documents (id, text or `Document`) in order, sketched `batch` at a time; each one's match, in
        order (ids as in `add`)."""
        pending: list[tuple[Hashable, str]] = []
        for doc_id, document in documents:
            text = self._text(doc_id, document)
            self._claim(doc_id)
            pending.append((doc_id, text))
            if len(pending) >= batch:
                yield from self._add_batch(pending)
                pending = []
        yield from self._add_batch(pending)

    def _add_batch(self, documents: list[tuple[Hashable, str]]) -> Iterator[Match | None]:
        sketches = self.sketch_many([text for _, text in documents])
        keys = self.keys(sketches)
        yield from self.add_batch(
            [(doc_id, sketch, row) for (doc_id, _), sketch, row in zip(documents, sketches, keys, strict=True)]
        )

    def add_sketch(self, id: Hashable, sketch: Sketch, keys: np.ndarray | None = None) -> Match | None:
        """Add a document by its sketch (and its band keys, when `keys()` computed them with others')."""
        node = self._node(id, sketch, self._order)
        self._order += 1
        self._added.append(node)
        if sketch.empty:
            return None
        if keys is None:
            keys = self.keys([sketch])[0]
        earlier = self._table.candidates(node, self._split(keys, sketch))
        matches = self._verified(sketch, keys, earlier)
        for other, verdict in matches:
            self._stars.link(node, other, verdict.similarity)
        return self._best(matches)

    def add_batch(self, documents: Sequence[tuple[Hashable, Sketch, np.ndarray | None]]) -> list[Match | None]:
        """`add_sketch` of each (id, sketch, band keys or None) in turn, with the candidates of the whole batch
        verified at once (array operations instead of a comparison per pair): the same matches and clusters."""
        if self.source is not None:  # the source's candidates are looked up one document at a time
            return [self.add_sketch(doc_id, sketch, keys) for doc_id, sketch, keys in documents]
        nodes: list[int] = []
        pairs_new: list[int] = []  # position in the batch of each candidate pair's new document
        pairs_old: list[int] = []  # the earlier node
        pairs_found: list[int] = []  # how: BY_WHOLE, BY_LEAD or both
        candidates, split = self._table.candidates, self._split
        for position, (doc_id, sketch, keys) in enumerate(documents):
            node = self._node(doc_id, sketch, self._order)
            self._order += 1
            self._added.append(node)
            nodes.append(node)
            if sketch.empty:
                continue
            if keys is None:
                keys = self.keys([sketch])[0]
            earlier = candidates(node, split(keys, sketch))
            if earlier:
                pairs_new.extend([position] * len(earlier))
                pairs_old.extend(earlier)
                pairs_found.extend(earlier.values())
        results: list[Match | None] = [None] * len(documents)
        if not pairs_new:
            return results
        # per new document, its best verified match: (similarity, earlier first), the pair's verdict
        best: dict[int, tuple[tuple[float, int], int, Verdict]] = {}
        rank = self._stars.rank
        link = self._stars.link
        for position, other, verdict in self._verify_pairs(documents, pairs_new, pairs_old, pairs_found):
            link(nodes[position], other, verdict.similarity)
            key = (verdict.similarity, -rank[other].order)
            held = best.get(position)
            if held is None or key > held[0]:
                best[position] = (key, other, verdict)
        for position, (_, other, verdict) in best.items():
            results[position] = self._match(other, verdict)
        return results

    def _verify_pairs(
        self,
        documents: Sequence[tuple[Hashable, Sketch, np.ndarray | None]],
        new: list[int],
        old: list[int],
        found: list[int],
    ) -> Iterator[tuple[int, int, Verdict]]:
        """The pairs (new document's position, earlier node; `found`: how) that pass verification, with their
        verdicts: `verify.judge` computed over all pairs at once (the same arithmetic, in the same order)."""
        sketches = self._sketches
        mine = [documents[position][1] for position in new]
        theirs = [sketches[node] for node in old]
        agree_at = np.stack([sketch.signature for sketch in mine]) == np.stack([sketch.signature for sketch in theirs])
        agree = np.count_nonzero(agree_at, axis=1)
        jaccard = agree / float(self.options.num_perm)
        size_a = np.array([sketch.distinct for sketch in mine], dtype=np.float64)
        size_b = np.array([sketch.distinct for sketch in theirs], dtype=np.float64)
        containment = contained_shares(jaccard, size_a, size_b, of=np.minimum(size_a, size_b))
        words = np.minimum([sketch.words for sketch in mine], [sketch.words for sketch in theirs])
        exact = np.array([a.exact == b.exact for a, b in zip(mine, theirs, strict=True)], dtype=bool)  # both filed
        by_whole = np.array([bool(how & BY_WHOLE) for how in found], dtype=bool)
        passed = by_whole & passes(
            jaccard,
            containment,
            words,
            exact,
            agree_at,
            lambda rows: (
                np.stack([mine[row].positions for row in rows.tolist()]),
                np.stack([theirs[row].positions for row in rows.tolist()]),
            ),
            self._thresholds,
        )
        jaccards, containments = jaccard.tolist(), containment.tolist()
        # a pair that fails on the whole texts: judged again on the longer one's lead
        pairs = {
            index: ordered(mine[index], theirs[index])
            for index in np.flatnonzero(~passed).tolist()
            if found[index] & BY_LEAD
        }
        on_lead = [index for index, (_, longer) in pairs.items() if longer.lead is not None]
        if on_lead:
            shorts = [pairs[index][0] for index in on_lead]
            leads = [pairs[index][1].lead for index in on_lead]
            lead_passed, lead_containment = lead_passes(shorts, leads, self._thresholds)  # type: ignore[arg-type]
            for index, ok, value in zip(on_lead, lead_passed.tolist(), lead_containment.tolist(), strict=True):
                if ok:
                    passed[index] = True
                    containments[index] = value
        for index in np.flatnonzero(passed).tolist():
            verdict = _EXACT if exact[index] else Verdict(jaccards[index], containments[index], False)
            yield new[index], old[index], verdict

    def query(self, text: str, *, complete: bool = False) -> Match | None:
        """The earlier document `text` would duplicate, without adding it; with `complete`, only one at least as
        long (in words) as `text`."""
        return self.query_sketch(self.sketch(text), complete=complete)

    def query_sketch(self, sketch: Sketch, *, complete: bool = False) -> Match | None:
        if sketch.empty:
            return None
        keys = self.keys([sketch])[0]
        matches = self._verified(sketch, keys, self._table.candidates(-1, self._split(keys, sketch), insert=False))
        if complete:
            matches = [(node, verdict) for node, verdict in matches if self._sketches[node].words >= sketch.words]
        return self._best(matches)

    def clusters(self) -> list[Cluster]:
        """Every cluster with its members in the order seen (documents pulled from a source included), ordered by
        each cluster's first member."""
        representative = self._stars.places(self._check).representative
        groups: dict[int, Cluster] = {}
        for node in sorted(range(len(self._ids)), key=lambda n: self._stars.rank[n].order):
            root = representative[node]
            if root not in groups:
                groups[root] = Cluster(self._ids[root])
            groups[root].members.append(self._ids[node])
        return list(groups.values())

    def assignments(self) -> Iterator[Assignment]:
        """The documents added, in order, each with its cluster's representative and the similarity of the
        verified pair that joined it to that representative."""
        places = self._stars.places(self._check)
        for node in self._added:
            root = places.representative[node]
            doc_id = self._ids[node]
            if root == node:
                yield Assignment(doc_id, doc_id, None, 1.0)
                continue
            representative = self._ids[root]
            yield Assignment(doc_id, representative, representative, places.similarity[node])

    def __len__(self) -> int:
        return len(self._added)

    @staticmethod
    def _text(id: Hashable, document: str | Document) -> str:
        if isinstance(document, str):
            return document
        if isinstance(document, Document):
            return story_text(document)
        raise TypeError(f"the text of {id!r} must be a str or a cleaner.Document, not {type(document).__name__}")

    def _claim(self, id: Hashable) -> None:
        if id in self._named:
            raise ValueError(f"id {id!r} was added already: each document needs its own id")
        self._named.add(id)

    # -- the work

    def _node(self, id: Hashable, sketch: Sketch, order: int) -> int:
        self._ids.append(id)
        self._sketches.append(sketch)
        return self._stars.add(Rank(sketch.words, order))

    def _split(self, keys: np.ndarray, sketch: Sketch) -> DocumentKeys:
        return self._banding.split(keys, sketch.lead is not None)

    def _verified(self, sketch: Sketch, keys: np.ndarray, earlier: dict[int, int]) -> list[tuple[int, Verdict]]:
        """The candidates (`earlier`: each with how it was found, and the source's) that pass verification, with
        their verdicts."""
        found: list[tuple[int, Verdict]] = []
        for node, how in earlier.items():
            verdict = judge(sketch, self._sketches[node], self._thresholds, how)
            if verdict is not None:
                found.append((node, verdict))
        if self.source is not None:
            for external in self.source.candidates(keys, sketch):
                node = self._external.get(external.id)
                if node is not None and any(node == seen for seen, _ in found):
                    continue
                verdict = judge(sketch, external.sketch, self._thresholds, external.found)
                if verdict is None:
                    continue
                if node is None:
                    node = self._pull(external)
                found.append((node, verdict))
        return found

    def _check(self, a: int, b: int) -> float | None:
        """Verify a pair the stream did not (see `cluster.py`): its similarity, or None."""
        verdict = judge(self._sketches[a], self._sketches[b], self._thresholds)
        return verdict.similarity if verdict is not None else None

    def _pull(self, external: External) -> int:
        """A document of the source, now a node: verified against the nodes it shares band keys with, so that
        the clustering knows its pairs with the documents already here (indexed ones included)."""
        node = self._node(external.id, external.sketch, external.order)
        self._external[external.id] = node
        keys = self.keys([external.sketch])[0]
        for other, how in self._table.candidates(node, self._split(keys, external.sketch)).items():
            verdict = judge(external.sketch, self._sketches[other], self._thresholds, how)
            if verdict is not None:
                self._stars.link(node, other, verdict.similarity)
        return node

    def _best(self, matches: list[tuple[int, Verdict]]) -> Match | None:
        if not matches:
            return None
        node, verdict = max(matches, key=lambda item: (item[1].similarity, -self._stars.rank[item[0]].order))
        return self._match(node, verdict)

    def _match(self, node: int, verdict: Verdict) -> Match:
        return Match(
            self._ids[node],
            verdict.similarity,
            verdict.jaccard,
            verdict.containment,
            verdict.exact,
            self._sketches[node].words,
        )
