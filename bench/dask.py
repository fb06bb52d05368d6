"""`--dask` scaling on this machine: 2 workers against 1, memory per worker as the corpus grows, and
`--dask local:2` next to the local process pool.

    python -m bench.dask [--size-mb 200] [--small-mb 50] [--dedup-mb 50] [--shared ../shared]

Generates (or reuses) the seeded corpus of `bench.corpus` as one JSONL file of `--size-mb` (and a prefix of it of
`--small-mb`, a quarter by default), which `--dask` reads in partitions of the default size (4 MB).
Each run is a child process timed from spawn to exit (the local cluster's start included), writing under -o to
tmpfs when there is one:

1. speed-up: `cleaner clean --dask local:1` and `--dask local:2` on the big corpus (target: 2 workers >= 1.7x);
2. memory per worker: the peak RSS of each worker process of `--dask local:2` on the small corpus and on the big
   one (4x): the largest worker's peak should not grow with the corpus (a worker holds a partition, not the
   corpus);
3. `--dask local:2` against `cleaner clean -j 2` (the local pool) on the big corpus (target: within 15%);
4. `cleaner dedup --dask local:2` on `--dedup-mb` of the corpus: MB/s and the (band key, document) pairs it
   shuffles, for the plan in docs/dask.md.

The machine's speed drifts by 10-15% from one run to the next (the same run's CPU time moves as much), more than
the margins of the targets: `--dask local:2` and the pool run side by side in `--rounds` rounds (3 by default;
which of the two goes first alternates), and the figures are medians: of the rounds' ratios for 3, of the
`local:2` runs against the one `local:1` run for 1.

Prints a table and writes `bench/out/dask.json` and `bench/out/dask.md` (the table docs/dask.md's figures come
from). Use small sizes (`--size-mb 4 --small-mb 1 --dedup-mb 1`) for a smoke run: the figures then say nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import DEFAULT_SHARED, OUT, compiled, scratch_dir
from .corpus import generate
from .throughput import MB, _memory_kib, _tree


class WorkerSampler(threading.Thread):
    """The peak RSS of every process under a command (the command's own process aside): its workers."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peaks: dict[int, int] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            for pid in _tree(self.pid)[1:]:
                rss, _ = _memory_kib(pid)
                self.peaks[pid] = max(self.peaks.get(pid, 0), rss)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def worker_peaks_mb(self) -> list[float]:
        """Peaks of the processes that did work (a worker holds far more than a helper process such as the
        multiprocessing resource tracker), largest first."""
        peaks = sorted((kib * 1024 / MB for kib in self.peaks.values()), reverse=True)
        return [round(peak, 1) for peak in peaks if peak >= 50]


@dataclass
class Run:
    name: str
    corpus_mb: float
    command: list[str] = field(default_factory=list)
    returncode: int | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the command and the processes it waited for (not a remote cluster's)
    worker_peaks_mb: list[float] = field(default_factory=list)
    load_before: float = 0.0
    stderr_tail: str = ""

    @property
    def mb_per_s(self) -> float:
        return self.corpus_mb / self.seconds if self.seconds else 0.0


def timed(name: str, command: list[str], corpus_mb: float, env: dict[str, str]) -> Run:
    """Run `command` to completion: its time from spawn to exit, its CPU, its workers' peak memory."""
    run = Run(name, corpus_mb, command, load_before=os.getloadavg()[0])
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL, env={**os.environ, **env}
        )
        sampler = WorkerSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        run.seconds = time.perf_counter() - start
        sampler.stop()
        run.returncode = os.waitstatus_to_exitcode(status)
        run.cpu_seconds = usage.ru_utime + usage.ru_stime
        run.worker_peaks_mb = sampler.worker_peaks_mb()
        if run.returncode:
            stderr.seek(0)
            run.stderr_tail = stderr.read().decode(errors="replace")[-2000:]
            print(f"{name}: exit {run.returncode}\n{run.stderr_tail}", file=sys.stderr)
    return run


def corpus_file(size_mb: float, seed: int, shared: Path, workdir: Path) -> Path:
    """The generated corpus as one JSONL file of at least `size_mb` MB (reused when there)."""
    path = workdir / f"corpus-{size_mb:g}mb-seed{seed}.jsonl"
    if not path.exists():
        pages = workdir / "pages"
        generate(pages, int(size_mb * MB), seed, shared, jsonl=path)
        shutil.rmtree(pages)
    return path


def prefix_file(source: Path, size_mb: float, dest: Path) -> Path:
    """The first whole lines of `source` up to `size_mb` MB."""
    if not dest.exists():
        limit = int(size_mb * MB)
        with open(source, "rb") as inp, open(dest, "wb") as out:
            written = 0
            for line in inp:
                if written >= limit:
                    break
                out.write(line)
                written += len(line)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dask", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=200.0, help="the big corpus (default 200 MB)")
    parser.add_argument("--small-mb", type=float, help="the small corpus for memory growth (default a quarter)")
    parser.add_argument("--dedup-mb", type=float, default=50.0, help="corpus for dedup --dask (default 50 MB)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of local:2 against the pool (default 3)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--workdir", type=Path, default=OUT / "dask")
    parser.add_argument("--out", type=Path, default=OUT / "dask.json")
    args = parser.parse_args(argv)
    small_mb = args.small_mb or args.size_mb / 4
    compiled()
    args.workdir.mkdir(parents=True, exist_ok=True)
    big = corpus_file(args.size_mb, args.seed, args.shared, args.workdir)
    small = prefix_file(big, small_mb, args.workdir / f"prefix-{small_mb:g}mb.jsonl")
    dedup_input = prefix_file(big, args.dedup_mb, args.workdir / f"prefix-{args.dedup_mb:g}mb.jsonl")
    sizes = {path: path.stat().st_size / MB for path in (big, small, dedup_input)}
    cleaner = str(Path(sys.executable).parent / "cleaner")
    scratch = scratch_dir(args.workdir, "bench-dask")
    env: dict[str, str] = {}  # the default partition size

    def clean(name: str, source: Path, *extra: str) -> Run:
        out = scratch / name
        shutil.rmtree(out, ignore_errors=True)
        run = timed(name, [cleaner, "clean", "-q", str(source), "-o", str(out), *extra], sizes[source], env)
        shutil.rmtree(out, ignore_errors=True)
        return run

    one = clean("dask local:1", big, "--dask", "local:1")
    twos: list[Run] = []
    pools: list[Run] = []
    for number in range(1, max(1, args.rounds) + 1):
        pair = [
            ("dask", f"dask local:2 #{number}", ("--dask", "local:2")),
            ("pool", f"pool -j 2 #{number}", ("-j", "2")),
        ]
        for kind, name, extra in pair if number % 2 else pair[::-1]:
            (twos if kind == "dask" else pools).append(clean(name, big, *extra))
    small_run = clean("dask local:2 (small)", small, "--dask", "local:2")
    runs = [one, *[run for pair in zip(twos, pools, strict=True) for run in pair], small_run]
    dedup = timed(
        "dedup dask local:2",
        [cleaner, "dedup", "-q", "--format", "jsonl", "--dask", "local:2", str(dedup_input)],
        sizes[dedup_input],
        env,
    )
    runs.append(dedup)
    two_seconds = statistics.median(run.seconds for run in twos)
    ratios = [two.seconds / pool.seconds for two, pool in zip(twos, pools, strict=True) if pool.seconds]
    figures: dict[str, Any] = {
        "speedup_2_vs_1": round(one.seconds / two_seconds, 3) if two_seconds else None,
        "dask2_vs_pool": round(statistics.median(ratios), 3) if ratios else None,
        "dask2_vs_pool_rounds": [round(ratio, 3) for ratio in ratios],
        "worker_peak_mb_small": max(small_run.worker_peaks_mb, default=None),
        "worker_peak_mb_big": max((peak for run in twos for peak in run.worker_peaks_mb), default=None),
        "per_worker_mb_s": round(sizes[big] / two_seconds / 2, 3) if two_seconds else None,
        "dedup_mb_s": round(dedup.mb_per_s, 3),
        "targets": {"speedup_2_vs_1": ">= 1.7", "dask2_vs_pool": "<= 1.15", "worker memory": "flat over 4x"},
        "sizes_mb": {
            "big": round(sizes[big], 1),
            "small": round(sizes[small], 1),
            "dedup": round(sizes[dedup_input], 1),
        },
        "load_before": [round(run.load_before, 2) for run in runs],
    }
    rows = ["| run | corpus MB | seconds | MB/s | worker peaks MB |", "| --- | ---: | ---: | ---: | --- |"]
    for run in runs:
        peaks = ", ".join(f"{peak:g}" for peak in run.worker_peaks_mb) or "-"
        rows.append(f"| {run.name} | {run.corpus_mb:.1f} | {run.seconds:.2f} | {run.mb_per_s:.2f} | {peaks} |")
    table = "\n".join(rows)
    summary = "\n".join(f"- {key}: {value}" for key, value in figures.items() if key != "load_before")
    print(table + "\n\n" + summary)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"figures": figures, "runs": [{**asdict(run), "mb_per_s": run.mb_per_s} for run in runs]}
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(table + "\n\n" + summary + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("dask", main))
