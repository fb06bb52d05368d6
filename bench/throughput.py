"""Whole-process throughput and memory of `cleaner clean` next to datatrove's C4 line filter.

    python -m bench.throughput [--sizes 25,50] [--jobs N] [--repeat 2] [--mode auto|cli|library]

Generates (or reuses) the seeded corpus of `bench.corpus` under `bench/out/corpus` at the largest size, and a
prefix of it for each smaller size. On each size it runs, as child processes timed from spawn to exit:

* cleaner: `.venv/bin/cleaner clean DIR -o OUTDIR -q` (the console script, with its default -j, all cores,
  unless --jobs is given). If the CLI is not there yet (`cleaner clean --help` fails), `--mode auto` falls back
  to a child Python process that calls `cleaner.clean` on each file in turn and writes `doc.render()`: a
  stand-in only, flagged as such in the output; the figure that counts is the CLI's.
* datatrove's C4 line filter (`python -m bench.peers c4-lines DIR -o OUTDIR`): one process that reads each
  file, filters it, writes the kept text.

Outputs go to a scratch directory on tmpfs (`/dev/shm`) when there is one (`--scratch` picks another): on
this machine's ext4 disk, creating a file costs from 20 us to 0.7 ms depending on what was deleted in the
minutes before (the allocator passes over recently freed inodes), which moved the C4 filter's figure between 7
and 16 MB/s. Both systems write to the same place.

For each: MB/s and docs/s over the whole process (interpreter start and imports included; MB = 10^6 bytes of
input), CPU seconds, the largest single process's peak RSS (`ru_maxrss` from `wait4` on the child, which folds
in the worker processes it waited for), and the peak of the summed RSS and PSS of the whole process tree,
sampled from /proc every 50 ms. Running on two sizes shows whether memory stays flat as the input grows.
Writes `bench/out/throughput.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import DEFAULT_SHARED, OUT, REPO, compiled, scratch_dir
from . import corpus as corpus_mod

MB = 1_000_000
SLOW = 20.0  # seconds: runs longer than this are not repeated


@dataclass
class Measure:
    system: str
    mode: str
    size_label: str
    files: int
    bytes: int
    command: list[str]
    returncode: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    max_rss_mb: float = 0.0
    peak_tree_rss_mb: float = 0.0
    peak_tree_pss_mb: float = 0.0
    peak_processes: int = 0
    outputs: int = 0
    output_bytes: int = 0
    inner: dict[str, Any] = field(default_factory=dict)
    stderr_tail: str = ""
    load_before: float = 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds else 0.0

    @property
    def inner_mb_per_s(self) -> float | None:
        """MB/s as the child timed its own loop (no interpreter start or imports), where it reports one."""
        seconds, size = self.inner.get("seconds"), self.inner.get("bytes")
        return size / MB / seconds if seconds and size else None

    @property
    def docs_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["mb"] = round(self.bytes / MB, 3)
        data["mb_per_s"] = round(self.mb_per_s, 3)
        inner = self.inner_mb_per_s
        data["inner_mb_per_s"] = round(inner, 3) if inner else None
        data["docs_per_s"] = round(self.docs_per_s, 1)
        data["mb_per_cpu_s"] = round(self.bytes / MB / self.cpu_seconds, 3) if self.cpu_seconds else None
        for key in ("seconds", "cpu_seconds", "max_rss_mb", "peak_tree_rss_mb", "peak_tree_pss_mb"):
            data[key] = round(data[key], 3)
        return data


# ---------------------------------------------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids.extend(int(x) for x in handle.read().split())
    except OSError:
        pass
    return kids


def _tree(pid: int) -> list[int]:
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(_children(current))
    return seen


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; PSS falls back to RSS where smaps_rollup cannot be read."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
    except OSError:
        return 0, 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pss = rss
    return rss, pss or rss


class TreeSampler(threading.Thread):
    """Samples the summed RSS/PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = self.peak_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = _tree(self.pid)
            rss = pss = 0
            for pid in pids:
                r, p = _memory_kib(pid)
                rss += r
                pss += p
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(pids))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(command: list[str], measure_: Measure) -> Measure:
    """Run `command` to completion, filling in time, CPU and memory of it and of everything it waited for."""
    measure_.load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, env=env)
        sampler = TreeSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read().decode(errors="replace"), stderr.read().decode(errors="replace")
    measure_.command = command
    measure_.returncode = child.returncode
    measure_.seconds = seconds
    measure_.cpu_seconds = usage.ru_utime + usage.ru_stime
    measure_.max_rss_mb = usage.ru_maxrss * 1024 / MB  # Linux reports KiB
    measure_.peak_tree_rss_mb = sampler.peak_rss * 1024 / MB
    measure_.peak_tree_pss_mb = sampler.peak_pss * 1024 / MB
    measure_.peak_processes = sampler.peak_processes
    measure_.stderr_tail = err[-2000:] if child.returncode else ""
    last = out.strip().splitlines()[-1] if out.strip() else ""
    if last.startswith("{"):
        with contextlib.suppress(json.JSONDecodeError):
            measure_.inner = json.loads(last)
    return measure_


def _outputs(directory: Path) -> tuple[int, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# ---------------------------------------------------------------------------------------------------- systems


def cleaner_cli() -> Path | None:
    """The `cleaner` console script beside this interpreter (or on PATH) if it has a working `clean` command."""
    candidate = Path(sys.executable).with_name("cleaner")
    exe = str(candidate) if candidate.exists() else shutil.which("cleaner")
    if exe is None:
        return None
    try:
        probe = subprocess.run([exe, "clean", "--help"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(exe) if probe.returncode == 0 else None


def library_worker(source: Path, out: Path) -> dict[str, Any]:
    """The stand-in for the CLI: clean each file with the library in this one process."""
    import cleaner

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    files = size = 0
    for path in sorted(source.glob("*.txt")):
        data = path.read_bytes()
        doc = cleaner.clean(data.decode("utf-8", errors="replace"))
        (out / path.name).write_text(doc.render(), encoding="utf-8")
        files += 1
        size += len(data)
    return {"files": files, "bytes": size, "seconds": time.perf_counter() - start}


def run_cleaner(
    mode: str, exe: Path | None, source: Path, out: Path, jobs: int | None, extra: list[str], base: Measure
) -> Measure:
    if mode == "cli":
        assert exe is not None
        command = [str(exe), "clean", str(source), "-o", str(out), "-q", *extra]
        if jobs:
            command += ["-j", str(jobs)]
    else:
        command = [sys.executable, "-m", "bench.throughput", "--library-worker", str(source), str(out)]
    return measure(command, base)


def run_c4(source: Path, out: Path, base: Measure) -> Measure:
    return measure([sys.executable, "-m", "bench.peers", "c4-lines", str(source), "-o", str(out)], base)


# ---------------------------------------------------------------------------------------------------- main


def _warm(directory: Path) -> None:
    """Read every file once so every system starts from the same (cached) state."""
    for path in directory.glob("*.txt"):
        path.read_bytes()


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print(results: list[Measure]) -> None:
    head = (
        f"  {'system':<26} {'size':>6} {'files':>6} {'MB':>7} {'wall s':>7} {'MB/s':>7} {'docs/s':>8}"
        f" {'cpu s':>7} {'MB/cpu-s':>8} {'maxRSS MB':>9} {'tree RSS':>9} {'tree PSS':>9} {'procs':>5}"
        f" {'loop MB/s':>9}"
    )
    print(head)
    print("  " + "-" * (len(head) - 2))
    for m in results:
        per_cpu = m.bytes / MB / m.cpu_seconds if m.cpu_seconds else 0.0
        label = m.system if m.mode in ("cli", "batch") else f"{m.system} [{m.mode}]"
        flag = "" if m.returncode == 0 else f"  FAILED (exit {m.returncode})"
        print(
            f"  {label:<26} {m.size_label:>6} {m.files:6d} {m.bytes / MB:7.1f} {m.seconds:7.2f} {m.mb_per_s:7.2f}"
            f" {m.docs_per_s:8.0f} {m.cpu_seconds:7.2f} {per_cpu:8.2f} {m.max_rss_mb:9.1f}"
            f" {m.peak_tree_rss_mb:9.1f} {m.peak_tree_pss_mb:9.1f} {m.peak_processes:5d}"
            f" {_fmt(m.inner_mb_per_s):>9}{flag}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25,50", help="corpus sizes in MB, comma-separated (default 25,50)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument("--workdir", type=Path, default=OUT / "throughput", help="corpus copies and outputs")
    parser.add_argument("--corpus", type=Path, default=OUT / "corpus", help="where the generated corpus lives")
    parser.add_argument(
        "--scratch",
        type=Path,
        help="where the systems write their outputs (default: a directory on /dev/shm if it is writable, else WORKDIR)",
    )
    parser.add_argument("--jobs", "-j", type=int, help="pass -j N to cleaner (default: the CLI's own default)")
    parser.add_argument("--cleaner-args", default="", help="more arguments for `cleaner clean`, e.g. '--no-density'")
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help=f"runs of each system per size, the fastest counting (runs over {SLOW:g}s: one)",
    )
    parser.add_argument("--mode", choices=("auto", "cli", "library"), default="auto")
    parser.add_argument("--out", type=Path, default=OUT / "throughput.json")
    parser.add_argument("--library-worker", nargs=2, type=Path, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    compiled()

    if args.library_worker:
        print(json.dumps(library_worker(*args.library_worker)))
        return 0

    sizes = sorted({int(float(s) * MB) for s in args.sizes.split(",") if s.strip()})
    exe = cleaner_cli()
    mode = args.mode
    if mode == "auto":
        mode = "cli" if exe is not None else "library"
    if mode == "cli" and exe is None:
        parser.error("no working `cleaner clean` console script (install the package, or use --mode library)")
    if mode == "library":
        print(
            "WARNING: `cleaner clean` is not available; timing the library in one child process instead."
            " This is a stand-in: the figure that counts is the CLI's.",
            file=sys.stderr,
        )

    start = time.perf_counter()
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"note: load average {load:.2f} before starting: other work on this machine skews the figures")
    manifest = corpus_mod.ensure(args.corpus, sizes[-1], args.seed, args.shared)
    print(
        f"corpus: {args.corpus} ({manifest['files']} pages, {manifest['bytes'] / MB:.1f} MB, seed {args.seed},"
        f" kinds {manifest['kinds']}), ready in {time.perf_counter() - start:.1f}s"
    )
    args.workdir.mkdir(parents=True, exist_ok=True)
    scratch = args.scratch or scratch_dir(args.workdir, "bench")
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"outputs written under {scratch}")
    results: list[Measure] = []
    for size in sizes:
        label = f"{size / MB:g}MB"
        if size == sizes[-1]:
            source, picked = args.corpus, {"files": manifest["files"], "bytes": manifest["bytes"]}
        else:
            source = args.workdir / f"corpus-{label}"
            picked = corpus_mod.prefix(args.corpus, size, source)
        _warm(source)
        for system in ("datatrove C4 line filter", "cleaner"):
            best: Measure | None = None
            for attempt in range(max(1, args.repeat)):
                if attempt and best is not None and best.seconds > SLOW:
                    break  # a long run is timed well enough once
                out = scratch / "output"
                if out.exists():
                    shutil.rmtree(out)
                out.mkdir(parents=True)
                base = Measure(system, "batch", label, picked["files"], picked["bytes"], [])
                if system == "cleaner":
                    base.mode = mode
                    m = run_cleaner(mode, exe, source, out, args.jobs, shlex.split(args.cleaner_args), base)
                else:
                    m = run_c4(source, out, base)
                m.outputs, m.output_bytes = _outputs(out)
                shutil.rmtree(out)
                if best is None or (m.returncode == 0 and (best.returncode != 0 or m.seconds < best.seconds)):
                    best = m
            assert best is not None
            results.append(best)
        if source != args.corpus:
            shutil.rmtree(source)
    if args.scratch is None and scratch != args.workdir:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nThroughput on the generated corpus ({os.cpu_count()} cores; whole process, spawn to exit)")
    _print(results)

    cleaner_runs = [m for m in results if m.system == "cleaner" and m.returncode == 0]
    c4_runs = [m for m in results if m.system != "cleaner" and m.returncode == 0]
    summary: dict[str, Any] = {}
    if cleaner_runs and c4_runs:
        big_cleaner, big_c4 = cleaner_runs[-1], c4_runs[-1]
        ratio = big_cleaner.mb_per_s / big_c4.mb_per_s if big_c4.mb_per_s else 0.0
        summary["cleaner_vs_c4_mb_per_s"] = round(ratio, 3)
        print(
            f"\ncleaner {big_cleaner.mb_per_s:.2f} MB/s vs C4 line filter {big_c4.mb_per_s:.2f} MB/s on "
            f"{big_cleaner.size_label}: {ratio:.2f}x (target: at least 1x)"
        )
        if len(cleaner_runs) > 1:
            small, big = cleaner_runs[0], cleaner_runs[-1]
            growth = big.peak_tree_pss_mb / small.peak_tree_pss_mb if small.peak_tree_pss_mb else 0.0
            summary["cleaner_memory"] = {
                m.size_label: {"max_rss_mb": round(m.max_rss_mb, 1), "peak_tree_pss_mb": round(m.peak_tree_pss_mb, 1)}
                for m in cleaner_runs
            }
            summary["cleaner_memory_growth"] = round(growth, 3)
            print(
                "cleaner memory: "
                + ", ".join(
                    f"{m.size_label}: max RSS {m.max_rss_mb:.1f} MB, tree PSS {m.peak_tree_pss_mb:.1f} MB"
                    for m in cleaner_runs
                )
                + f" (x{growth:.2f} for x{big.bytes / small.bytes:.2f} input)"
            )
    for m in results:
        if m.outputs != m.files:
            print(f"note: {m.system} on {m.size_label} wrote {m.outputs} files for {m.files} inputs")
    if mode != "cli":
        print("NOTE: cleaner was timed through the library stand-in, not the `cleaner clean` CLI.")

    report = {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "cleaner_mode": mode,
        "cleaner_cli": str(exe) if exe else None,
        "corpus": {"dir": str(args.corpus), **manifest},
        "outputs_under": str(scratch),
        "results": [m.to_dict() for m in results],
        "summary": summary,
        "seconds_total": round(time.perf_counter() - start, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    failed = [m for m in results if m.returncode != 0]
    for m in failed:
        tail = "\n".join(m.stderr_tail.strip().splitlines()[-8:])
        print(f"FAILED {m.system} on {m.size_label}: exit {m.returncode}; its stderr ends:\n{tail}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("throughput", main))
