"""The dedup benchmark: quality on generated syndication, recall against brute force, speed against datasketch and
rensa, index size, memory, and checking ten new files against an indexed corpus of 100,000.

    python -m bench.dedup [--shared ../shared] [--quality-docs 1500] [--docs 10000] [--index-docs 100000]
    python -m bench.dedup --quality-only        parts 1, 1b and 2 (no timing; the deterministic figures)

Corpora come from `bench.dedup_corpus` (seeded), under `bench/out/dedup/`. Every run of a system is a child
process timed from spawn to exit (interpreter start and imports included), with its peak RSS from `wait4`. The
peers run in the same script, on the same files, one after the other. Writes `bench/out/dedup.json`.

1. Quality: aggregator and news pages carrying syndicated copies (re-titled, own dateline, trimmed, words
   changed, each in different chrome) and other stories on the same events, through `cleaner dedup` with
   default settings (cleaning included). Pairs of documents in one cluster against pairs of the same story.
1b. Quality on `aggregators-dev` (shared): its syndication clusters (`clusters.json`), all 302 pages as input (the
   listing and empty pages are there as distractors), with default settings (cleaning on) and with `--no-clean`
   on the raw dumps (cards and chrome included). Pair precision and recall over pages; the clusters that mix
   stories are listed.
2. Recall against brute force on clean documents: every pair whose exact Jaccard similarity of 5-word shingles
   (the same normalisation) reaches the threshold, computed with a sparse product; the share found (a) as a
   verified pair (shares a band key and passes verification), (b) in one cluster of `cleaner dedup`.
3. Speed on the clean documents: `cleaner dedup --no-clean --no-index` (default -j: sketching in one worker
   process per CPU; and -j 1: all in one process) next to datasketch's MinHash and
   MinHashLSH (128 permutations, 5-word shingles, threshold 0.5) and rensa's RMinHash/RMinHashLSH, each reading
   the same files, tokenising, sketching, querying and inserting, and writing each document's cluster.
4. The index: `cleaner index --no-clean` on the clean documents and on a JSONL corpus of `--index-docs`; its
   size and the peak memory per million documents, extrapolated linearly from the two sizes; the same for the
   in-memory `cleaner dedup --no-clean --no-index`; then `cleaner dedup --check` of ten new files (five
   copies of indexed documents, five new) against the large index: whole process, and the lookup alone.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import DEFAULT_SHARED, OUT, REPO, compiled
from . import dedup_corpus as gen

MILLION = 1_000_000


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: bytes
    stderr: str


def cleaner_cli() -> list[str]:
    script = Path(sys.executable).parent / "cleaner"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


GNU_TIME = shutil.which("time") if os.path.exists("/usr/bin/time") else None


def timed(command: list[str], stdout_path: Path | None = None) -> Run:
    """Run a command to its end: seconds from spawn to exit, and its peak RSS. The peak comes from GNU time
    when it is there: `wait4` here would count this (large) process's pages the child had before its exec."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
    wrapped = ["/usr/bin/time", "-f", "MAXRSS %M", *command] if GNU_TIME else command
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(wrapped, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        data = out.read()
        errors = err.read().decode(errors="replace")
        peak = usage.ru_maxrss / 1024
        if GNU_TIME:
            head, _, last = errors.rstrip("\n").rpartition("\n")
            if last.startswith("MAXRSS "):
                peak, errors = int(last.split()[1]) / 1024, head
        if stdout_path is not None:
            stdout_path.write_bytes(data)
        return Run(seconds, peak, os.waitstatus_to_exitcode(status), data, errors)


def best(command: list[str], repeat: int) -> Run:
    runs = [timed(command) for _ in range(repeat)]
    for run in runs:
        if run.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return min(runs, key=lambda run: run.seconds)


def pairs_of(groups: dict[Any, list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in groups.values():
        out.update(itertools.combinations(sorted(members), 2))
    return out


def clusters_from(jsonl: bytes) -> dict[str, str]:
    return {Path(str(row["id"])).name: str(row["cluster"]) for row in map(json.loads, jsonl.splitlines())}


# --- 1. quality -------------------------------------------------------------------------------------------------


def quality(directory: Path, docs: int, shared: Path) -> dict[str, Any]:
    if not (directory / "truth.json").exists():
        gen.write(gen.generate(docs, 4, shared), directory, pages=True, jsonl=False, shared=shared, seed=4)
    truth = json.loads((directory / "truth.json").read_text())["truth"]
    run = best([*cleaner_cli(), "dedup", "--no-index", "--format", "jsonl", "-q", str(directory)], 1)
    clusters = clusters_from(run.stdout)
    predicted = defaultdict(list)
    stories = defaultdict(list)
    events = defaultdict(list)
    for name, (story, event, _) in truth.items():
        predicted[clusters[name]].append(name)
        stories[story].append(name)
        events[event].append(name)
    found, true = pairs_of(predicted), pairs_of(stories)
    same_event = pairs_of(events) - true
    hit = len(found & true)
    return {
        "documents": len(truth),
        "stories": len(stories),
        "true_pairs": len(true),
        "found_pairs": len(found),
        "precision": hit / len(found) if found else 1.0,
        "recall": hit / len(true) if true else 1.0,
        "same_event_pairs": len(same_event),
        "same_event_pairs_merged": len(found & same_event),
        "seconds": run.seconds,
        "docs_per_s": len(truth) / run.seconds,
    }


# --- 1b. quality on aggregators-dev ------------------------------------------------------------------------------


def aggregators(shared: Path) -> dict[str, Any]:
    """Pair precision and recall of `cleaner dedup` on the aggregators-dev pages, cleaned and raw."""
    bench = shared / "benchmarks" / "aggregators-dev"
    clusters = json.loads((bench / "clusters.json").read_text())
    story = {page: number for number, members in enumerate(clusters) for page in members}
    true = pairs_of(dict(enumerate(clusters)))
    out: dict[str, Any] = {"pages": len(list((bench / "pages").glob("*.txt"))), "true_pairs": len(true)}
    for label, flags in (("default", []), ("no_clean", ["--no-clean"])):
        run = best([*cleaner_cli(), "dedup", "--no-index", "--format", "jsonl", "-q", *flags, str(bench / "pages")], 1)
        rows = [json.loads(line) for line in run.stdout.splitlines()]
        predicted: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            predicted[Path(str(row["cluster"])).stem].append(Path(str(row["id"])).stem)
        found = pairs_of(predicted)
        hit = len(found & true)
        mixed = [
            {page: story.get(page) for page in members}
            for members in predicted.values()
            if len(members) > 1 and (len({story.get(page) for page in members}) > 1 or None in map(story.get, members))
        ]
        out[label] = {
            "found_pairs": len(found),
            "precision": hit / len(found) if found else 1.0,
            "recall": hit / len(true) if true else 1.0,
            "lowest_similarity_to_representative": min(
                (row["similarity"] for row in rows if row["duplicate_of"] is not None), default=None
            ),
            "clusters_mixing_stories (page: story, None for a listing or empty page)": mixed,
        }
    return out


# --- 2. recall against brute force ------------------------------------------------------------------------------


def brute_force(texts: dict[str, str], options: Any) -> dict[str, Any]:
    """Exact Jaccard (and containment) of every pair sharing a shingle, by a sparse product."""
    import numpy as np
    from scipy import sparse

    from cleaner.dedup.shingles import normalise, prepare, shingle_hashes, word_hashes

    names = sorted(texts)
    sets = [np.unique(shingle_hashes(word_hashes(prepare(texts[name])), options.shingle_size)) for name in names]
    words = np.array([len(normalise(texts[name]).split()) for name in names])
    sizes = np.array([s.size for s in sets])
    _, column = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.repeat(np.arange(len(names)), sizes)
    matrix = sparse.csr_matrix((np.ones(column.size, dtype=np.int32), (rows, column)))
    start = time.perf_counter()
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    a, b, inter = shared.row, shared.col, shared.data.astype(float)
    jaccard = inter / (sizes[a] + sizes[b] - inter)
    containment = inter / np.minimum(sizes[a], sizes[b])
    long_enough = np.minimum(words[a], words[b]) >= options.min_words
    by_jaccard = jaccard >= options.jaccard
    by_rule = by_jaccard | (long_enough & (containment >= options.containment))
    pick = lambda mask: {(names[i], names[j]) for i, j in zip(a[mask], b[mask], strict=True)}  # noqa: E731
    return {
        "names": names,
        "jaccard_pairs": pick(by_jaccard),
        "rule_pairs": pick(by_rule),
        "pairs_sharing_a_shingle": int(a.size),
        "seconds": time.perf_counter() - start,
    }


def verified_pairs(texts: dict[str, str], options: Any, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of `wanted`, the pairs that share a band key and pass verification (what dedup links directly)."""
    import numpy as np

    from cleaner.dedup import Deduplicator
    from cleaner.dedup.lsh import Banding
    from cleaner.dedup.verify import estimate, is_duplicate

    dedup = Deduplicator(options)
    banding = Banding(options.num_perm, options.bands)
    names = {name for pair in wanted for name in pair}
    sketches = {name: dedup.sketch(texts[name]) for name in names}
    keys = {name: banding.keys(sketch.signature) for name, sketch in sketches.items()}
    found = set()
    for a, b in wanted:
        if not np.any(keys[a] == keys[b]):
            continue
        if is_duplicate(estimate(sketches[a], sketches[b]), sketches[a], sketches[b], options.thresholds):
            found.add((a, b))
    return found


def recall(directory: Path, texts: dict[str, str], run_output: bytes) -> dict[str, Any]:
    from cleaner.dedup import DedupOptions

    options = DedupOptions()
    exact = brute_force(texts, options)
    clusters = clusters_from(run_output)
    result: dict[str, Any] = {
        "documents": len(texts),
        "pairs_sharing_a_shingle": exact["pairs_sharing_a_shingle"],
        "brute_force_seconds": exact["seconds"],
    }
    for label in ("jaccard_pairs", "rule_pairs"):
        wanted = exact[label]
        direct = verified_pairs(texts, options, wanted)
        together = {pair for pair in wanted if clusters[pair[0]] == clusters[pair[1]]}
        result[label] = {
            "pairs": len(wanted),
            "recall_verified_pair": len(direct) / len(wanted) if wanted else 1.0,
            "recall_same_cluster": len(together) / len(wanted) if wanted else 1.0,
        }
    return result


# --- 3. speed against the peers ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def _peer_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def peer_main(system: str, directory: Path) -> int:
    """One peer, as a child process: read, tokenise, 5-word shingles, sketch, query then insert, cluster."""
    files = sorted(directory.glob("*.txt"))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if system == "datasketch":
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(threshold=0.5, num_perm=128)
        for path in files:
            tokens = _peer_tokens(path.read_text(encoding="utf-8"))
            shingles = {" ".join(tokens[i : i + 5]).encode() for i in range(max(1, len(tokens) - 4))}
            sketch = MinHash(num_perm=128)
            sketch.update_batch(list(shingles))
            name = path.name
            parent[name] = name
            for other in lsh.query(sketch):
                parent[find(other)] = find(name)
            lsh.insert(name, sketch)
    elif system == "rensa":
        from rensa import RMinHash, RMinHashLSH

        lsh = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32)
        keys: list[str] = []
        for path in files:
            tokens = _peer_tokens(path.read_text(encoding="utf-8"))
            shingles = list({" ".join(tokens[i : i + 5]) for i in range(max(1, len(tokens) - 4))})
            sketch = RMinHash(num_perm=128, seed=42)
            sketch.update(shingles)
            name = path.name
            parent[name] = name
            for other in lsh.query(sketch):
                parent[find(keys[other])] = find(name)
            lsh.insert(len(keys), sketch)
            keys.append(name)
    else:
        raise SystemExit(f"unknown peer {system}")
    out = sys.stdout
    for path in files:
        out.write(json.dumps({"id": path.name, "cluster": find(path.name)}) + "\n")
    return 0


def speed(directory: Path, repeat: int) -> dict[str, Any]:
    files = len(list(directory.glob("*.txt")))
    size = sum(path.stat().st_size for path in directory.glob("*.txt"))
    commands = {
        "cleaner dedup --no-clean": [*cleaner_cli(), "dedup", "--no-clean", "--no-index", "--format", "jsonl", "-q"],
        "cleaner dedup --no-clean -j 1": [
            *cleaner_cli(),
            *("dedup", "--no-clean", "--no-index", "--format", "jsonl", "-q", "-j", "1"),
        ],
        "datasketch MinHashLSH": [sys.executable, "-m", "bench.dedup", "--peer", "datasketch"],
        "rensa RMinHashLSH": [sys.executable, "-m", "bench.dedup", "--peer", "rensa"],
    }
    results: dict[str, Any] = {"documents": files, "bytes": size}
    outputs: dict[str, bytes] = {}
    runs: dict[str, list[Run]] = {label: [] for label in commands}
    for _ in range(repeat):  # interleaved rounds, so that a busy spell of the machine hits every system alike
        for label, command in commands.items():
            run = timed([*command, str(directory)])
            if run.returncode:
                raise SystemExit(f"{label} failed ({run.returncode}):\n{run.stderr[-2000:]}")
            runs[label].append(run)
            outputs[label] = run.stdout
    for label in commands:
        times = sorted(run.seconds for run in runs[label])
        fastest = min(runs[label], key=lambda run: run.seconds)
        results[label] = {
            "seconds": times[0],
            "median_seconds": times[len(times) // 2],
            "docs_per_s": files / times[0],
            "max_rss_mb": fastest.max_rss_mb,
        }
    ours = results["cleaner dedup --no-clean"]
    for label in commands:
        results[label]["ours_faster_by"] = results[label]["seconds"] / ours["seconds"]
        results[label]["ours_faster_by_median"] = results[label]["median_seconds"] / ours["median_seconds"]
    return {"results": results, "outputs": outputs}


# --- 4. the index -----------------------------------------------------------------------------------------------


def index_runs(small: Path, large: Path, large_docs: int, work: Path, shared: Path, repeat: int) -> dict[str, Any]:
    cli = cleaner_cli()
    out: dict[str, Any] = {}
    sizes: dict[str, tuple[int, float, float, float, float]] = {}
    for label, corpus, docs in (("small", small, len(list(small.glob("*.txt")))), ("large", large, large_docs)):
        index = work / f"{label}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)
        build = timed([*cli, "index", "--no-clean", "-q", "--index", str(index), str(corpus)])
        if build.returncode:
            raise SystemExit(build.stderr)
        stats = timed([*cli, "index", "--stats", "--index", str(index)]).stdout.decode()
        in_memory = best([*cli, "dedup", "--no-clean", "--no-index", "--format", "jsonl", "-q", str(corpus)], 1)
        index_bytes = sum(os.path.getsize(f"{index}{s}") for s in ("", "-wal") if os.path.exists(f"{index}{s}"))
        sizes[label] = (docs, index_bytes, build.max_rss_mb, in_memory.max_rss_mb, build.seconds)
        out[label] = {
            "documents": docs,
            "index_build_seconds": build.seconds,
            "index_bytes": index_bytes,
            "index_build_max_rss_mb": build.max_rss_mb,
            "dedup_in_memory_seconds": in_memory.seconds,
            "dedup_in_memory_max_rss_mb": in_memory.max_rss_mb,
            "stats": stats.strip(),
        }
    (n1, b1, r1, m1, _), (n2, b2, r2, m2, _) = sizes["small"], sizes["large"]
    out["per_million_documents"] = {
        "index_gb": b2 / n2 * MILLION / 1e9,
        "index_gb_from_the_smaller_run": b1 / n1 * MILLION / 1e9,
        "index_build_peak_rss_mb": r1 + (r2 - r1) / (n2 - n1) * (MILLION - n1),
        "dedup_in_memory_peak_rss_gb": (m1 + (m2 - m1) / (n2 - n1) * (MILLION - n1)) / 1000,
    }
    out["ten_new_files"] = ten_new(large, work / "large.sqlite", work, shared, repeat)
    return out


def ten_new(large: Path, index: Path, work: Path, shared: Path, repeat: int) -> dict[str, Any]:
    """Five copies of indexed documents and five new ones, clean and as pages, checked against the index."""
    from cleaner.dedup import Deduplicator, DedupOptions
    from cleaner.dedup.index import Index

    total = json.loads((large / "truth.json").read_text())["docs"]
    with open(large / "docs.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for line in itertools.islice(handle, 0, None, max(1, total // 5))][:5]
    originals = {doc.story: doc for doc in gen.generate(60, 99, shared) if doc.copy == 0}
    fresh = list(originals.values())[:5]
    new = work / "new"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    pages = work / "new-pages"
    shutil.rmtree(pages, ignore_errors=True)
    copies = []
    for number, record in enumerate(records):
        lines = record["text"].split("\n\n")
        copies.append(gen.Doc(-1, -1, 1, "A new title for an old story", tuple(["ROME — " + lines[1], *lines[2:-1]])))
        (new / f"copy{number}.txt").write_text(copies[-1].text())
    for number, doc in enumerate(fresh):
        (new / f"fresh{number}.txt").write_text(doc.text())
    gen.write(copies + fresh, pages, pages=True, jsonl=False, shared=shared, seed=6)
    (pages / "truth.json").unlink()

    cli = cleaner_cli()
    check = [*cli, "dedup", "--check", "-q", "--index", str(index)]
    clean_run = best([*check, "--no-clean", str(new)], repeat)
    page_run = best([*check, str(pages)], repeat)
    startup = best([*cli, "dedup", "--help"], repeat)
    add = timed([*cli, "index", "--no-clean", "-q", "--index", str(index), str(new)])
    flagged = sum(1 for line in clean_run.stderr.splitlines() if "duplicate of" in line)

    # the lookup alone, in this process: open the index, sketch ten texts, query, verify
    from cleaner.cli.sketching import IndexSource

    texts = [path.read_text() for path in sorted(new.glob("*.txt"))]
    start = time.perf_counter()
    with Index(str(index), DedupOptions()) as opened:
        own = {opened.relative(str(path)) for path in new.glob("*.txt")}  # recorded by the run above: not matches
        dedup = Deduplicator(source=IndexSource(opened, {rel for rel in own if rel}, "raw/auto", lambda op: None))
        matches = [dedup.add(number, text) for number, text in enumerate(texts)]
    lookup = time.perf_counter() - start
    return {
        "clean_files_whole_process_seconds": clean_run.seconds,
        "pages_whole_process_seconds_with_cleaning": page_run.seconds,
        "cleaner_dedup_help_seconds (start-up)": startup.seconds,
        "lookup_only_seconds": lookup,
        "cleaner_index_adding_them_seconds": add.seconds,
        "copies_flagged_of_5": flagged,
        "in_process_matches": sum(match is not None for match in matches),
    }


# --- main ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--quality-docs", type=int, default=1500)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--index-docs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quality-only", action="store_true", help="Parts 1, 1b and 2 only: no timing.")
    parser.add_argument("--peer", choices=["datasketch", "rensa"], help=argparse.SUPPRESS)
    parser.add_argument("peer_dir", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        return peer_main(args.peer, args.peer_dir)

    work = OUT / "dedup"
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"load_average_at_start": os.getloadavg()[0]}
    started = time.perf_counter()
    compiled()

    print("quality on generated pages ...", flush=True)
    report["quality"] = quality(work / f"pages-{args.quality_docs}", args.quality_docs, args.shared)
    print(json.dumps(report["quality"], indent=1), flush=True)

    print("quality on aggregators-dev ...", flush=True)
    report["aggregators"] = aggregators(args.shared)
    print(json.dumps(report["aggregators"], indent=1), flush=True)

    clean_dir = work / f"clean-{args.docs}"
    if not (clean_dir / "truth.json").exists():
        gen.write(
            gen.generate(args.docs, 7, args.shared), clean_dir, pages=False, jsonl=False, shared=args.shared, seed=7
        )
    if args.quality_only:
        output = best(
            [*cleaner_cli(), "dedup", "--no-clean", "--no-index", "--format", "jsonl", "-q", str(clean_dir)], 1
        )
    else:
        print("speed against datasketch and rensa ...", flush=True)
        fast = speed(clean_dir, args.repeat)
        report["speed"] = fast["results"]
        print(json.dumps(report["speed"], indent=1), flush=True)
        output = fast["outputs"]["cleaner dedup --no-clean"]

    print("recall against brute force ...", flush=True)
    texts = {path.name: path.read_text(encoding="utf-8") for path in clean_dir.glob("*.txt")}
    report["recall"] = recall(clean_dir, texts, output if isinstance(output, bytes) else output.stdout)
    print(json.dumps(report["recall"], indent=1), flush=True)
    if args.quality_only:
        (OUT / "dedup-quality.json").write_text(json.dumps(report, indent=2))
        print(f"wrote {OUT / 'dedup-quality.json'}")
        return 0

    large = work / f"jsonl-{args.index_docs}"
    if not (large / "truth.json").exists():
        docs = gen.generate(args.index_docs, 11, args.shared)
        gen.write(docs, large, pages=False, jsonl=True, shared=args.shared, seed=11)
    print("index and memory ...", flush=True)
    report["index"] = index_runs(clean_dir, large, args.index_docs, work, args.shared, args.repeat)
    print(json.dumps(report["index"], indent=1), flush=True)

    report["total_seconds"] = time.perf_counter() - started
    (OUT / "dedup.json").write_text(json.dumps(report, indent=2))
    print(f"wrote {OUT / 'dedup.json'} in {report['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("dedup", main))
