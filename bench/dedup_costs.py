"""What dedup's lead sketches cost and find, without timing (deterministic counts; docs/dedup-clusters.md, section 3).

    python -m bench.dedup_costs [--shared ../shared]

1. Costs on the 10,000 clean generated documents (`bench.dedup`'s corpus, made if missing): band keys per
   document (`Deduplicator.keys`), what a `Deduplicator` holds per document after adding them all (tracemalloc),
   and the index per document (`cleaner index --no-clean` into a new index: its file's size, `index --stats`).
2. Candidate pairs verified (handed to `Deduplicator._verify_pairs` or `_verified`) by `cleaner dedup --no-index
   -j 1`, run in this process, on aggregators-dev (cleaned and `--no-clean`) and the two generated corpora.
3. The lead on aggregators-dev's true pairs of a short copy (at most `LEAD_WORDS` words, cleaned) and a long
   one: the exact Jaccard similarity with the lead, whether the lead banding proposes the pair, whether
   `verify.lead_passes` passes it.
4. Synthetic short copies (50 and 80 words, a run of their words replaced, seeded) of 1,500-word texts: the
   share passed by the lead rule with leads of 32, 64 and 128 bins.

Prints one JSON report and writes it to `bench/out/dedup-costs.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import DEFAULT_SHARED, OUT
from . import dedup_corpus as gen


def _texts(corpus: Path) -> list[tuple[str, str]]:
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(corpus.glob("*.txt"))]


def costs(corpus: Path) -> dict[str, Any]:
    from cleaner.dedup import Deduplicator
    from cleaner.dedup.lsh import NO_KEY

    texts = _texts(corpus)
    probe = Deduplicator()
    sketches = probe.sketch_many([text for _, text in texts])
    keys = probe.keys(sketches)
    tracemalloc.start()
    dedup = Deduplicator()
    before = tracemalloc.get_traced_memory()[0]
    for _ in dedup.add_many(texts):
        pass
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    cli = [str(Path(sys.executable).parent / "cleaner")]
    with tempfile.TemporaryDirectory() as tmp:
        index = os.path.join(tmp, "index.sqlite")
        subprocess.run([*cli, "index", "--no-clean", "-q", "--index", index, str(corpus)], check=True)
        stats = subprocess.run(
            [*cli, "index", "--stats", "--index", index, str(corpus)], check=True, capture_output=True, text=True
        ).stdout.strip()
        index_bytes = os.path.getsize(index)
    return {
        "documents": len(texts),
        "with_a_lead": sum(sketch.lead is not None for sketch in sketches),
        "band_keys_per_document": int(np.count_nonzero(keys != NO_KEY)) / len(texts),
        "bytes_held_per_document": round(held / len(texts)),
        "index_stats": stats.splitlines()[-1],
        "index_bytes_per_document": round(index_bytes / len(texts)),
    }


@contextlib.contextmanager
def _counting() -> Iterator[dict[str, int]]:
    """Count the candidate pairs the Deduplicator verifies while inside."""
    from cleaner.dedup.deduplicator import Deduplicator

    counts = {"pairs": 0}
    batch, single = Deduplicator._verify_pairs, Deduplicator._verified

    def verify_pairs(self: Any, documents: Any, new: list[int], *rest: Any) -> Any:
        counts["pairs"] += len(new)
        return batch(self, documents, new, *rest)

    def verified(self: Any, sketch: Any, keys: Any, earlier: Any) -> Any:
        counts["pairs"] += len(earlier)
        return single(self, sketch, keys, earlier)

    Deduplicator._verify_pairs, Deduplicator._verified = verify_pairs, verified  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        Deduplicator._verify_pairs, Deduplicator._verified = batch, single  # type: ignore[method-assign]


def candidate_pairs(arguments: list[str]) -> int:
    from cleaner.cli import main

    with _counting() as counts, tempfile.TemporaryFile() as out:
        real, sys.stdout = sys.stdout, io.TextIOWrapper(out, encoding="utf-8")
        try:
            main(["dedup", "--no-index", "--format", "jsonl", "-q", "-j", "1", *arguments], standalone_mode=False)
        except SystemExit:
            pass
        finally:
            sys.stdout.flush()
            sys.stdout = real
    return counts["pairs"]


def lead_pairs(shared: Path) -> dict[str, Any]:
    from cleaner import clean
    from cleaner.dedup import Deduplicator
    from cleaner.dedup.lsh import lead_banding
    from cleaner.dedup.minhash import LEAD_WORDS
    from cleaner.dedup.options import Thresholds
    from cleaner.dedup.verify import lead_passes

    bench = shared / "benchmarks" / "aggregators-dev"
    clusters = json.loads((bench / "clusters.json").read_text())
    dedup = Deduplicator()
    banding = lead_banding(dedup.options.num_perm)
    sketches = {
        page: dedup.sketch(clean((bench / "pages" / f"{page}.txt").read_text(encoding="utf-8")).text)
        for members in clusters
        for page in members
    }
    rows = []
    for members in clusters:
        for a, b in itertools.combinations(members, 2):
            short, long = sorted((sketches[a], sketches[b]), key=lambda sketch: sketch.words)
            if short.words < Thresholds().min_words or short.words > LEAD_WORDS or long.lead is None:
                continue
            proposed = bool(np.any(banding.keys(short.signature) == banding.keys(long.lead.signature)))
            passed = bool(lead_passes([short], [long.lead], Thresholds())[0][0])
            rows.append((proposed, passed))
    return {
        "pairs": len(rows),
        "proposed": sum(proposed for proposed, _ in rows),
        "pass_the_lead_rule": sum(passed for _, passed in rows),
        "both": sum(proposed and passed for proposed, passed in rows),
    }


def synthetic(trials: int = 400) -> dict[str, float]:
    from cleaner.dedup import Deduplicator, minhash
    from cleaner.dedup.options import Thresholds
    from cleaner.dedup.verify import lead_passes

    vocabulary = [f"w{number}" for number in range(20_000)]
    shown = minhash.LEAD_BINS
    rates: dict[str, float] = {}
    try:
        for bins in (32, 64, 128):
            minhash.LEAD_BINS = bins  # read when a lead is made
            rng = np.random.default_rng(5)
            dedup = Deduplicator()
            for words, kept in itertools.product((50, 80), (1.0, 0.9, 0.7, 0.6, 0.5)):
                passed = 0
                for _ in range(trials):
                    story = list(rng.choice(vocabulary, 1500))
                    short, replaced = story[:words], round(words * (1 - kept))
                    start = int(rng.integers(0, words - replaced + 1))
                    short[start : start + replaced] = list(rng.choice(vocabulary, replaced))
                    copy, full = dedup.sketch(" ".join(short)), dedup.sketch(" ".join(story))
                    passed += bool(lead_passes([copy], [full.lead], Thresholds())[0][0])  # type: ignore[list-item]
                rates[f"{bins} bins, {words} words, {kept:.0%} kept"] = passed / trials
    finally:
        minhash.LEAD_BINS = shown
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    work = OUT / "dedup"
    clean_dir, pages_dir = work / "clean-10000", work / "pages-1500"
    if not (clean_dir / "truth.json").exists():
        gen.write(gen.generate(10_000, 7, args.shared), clean_dir, pages=False, jsonl=False, shared=args.shared, seed=7)
    if not (pages_dir / "truth.json").exists():
        gen.write(gen.generate(1500, 4, args.shared), pages_dir, pages=True, jsonl=False, shared=args.shared, seed=4)
    aggregators = args.shared / "benchmarks" / "aggregators-dev" / "pages"
    with contextlib.redirect_stderr(io.StringIO()):
        report = {
            "costs_on_10000_clean_documents": costs(clean_dir),
            "candidate_pairs_verified": {
                "aggregators-dev": candidate_pairs([str(aggregators)]),
                "aggregators-dev --no-clean": candidate_pairs(["--no-clean", str(aggregators)]),
                "generated 1,500 pages": candidate_pairs([str(pages_dir)]),
                "generated 10,000 clean documents": candidate_pairs(["--no-clean", str(clean_dir)]),
            },
            "lead_on_aggregators_dev_short_copies": lead_pairs(args.shared),
            "synthetic_short_copies_passing_the_lead_rule": synthetic(),
        }
    text = json.dumps(report, indent=1)
    print(text)
    (OUT / "dedup-costs.json").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
