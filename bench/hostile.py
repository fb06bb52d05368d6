"""Throughput and memory per class of hostile input, next to ordinary pages measured the same way.

    python -m bench.hostile [--shared ../shared] [--out bench/out/hostile.json] [--only NAME ...] [--scratch DIR]

Each class is a set of generated files (seeded, invented text; written under `bench/out/hostile/`), of a few
MB in all so that process start-up does not dominate. The whole-process runs write their outputs to tmpfs
(`/dev/shm`, or `--scratch DIR`), as the throughput benchmark does, so that the disk's file-creation cost does not
move the figures. Three measures per class:

- whole process, one core: `cleaner clean -q -j 1 -o OUT FILES` from spawn to exit (time, and the process's peak
  RSS from `wait4`);
- whole process as a user runs it: the same with the default `-j` (every core; a class of one file still runs
  on one);
- in process: a fresh Python that imports cleaner, warms up on one ordinary page, then opens every file with
  `cleaner.io` (decompression, decoding, JSONL) and cleans every document with `cleaner.clean`; its time and
  its peak RSS growth over the warm-up. With `--fix-text`, the time of the repair alone (ftfy) is kept apart
  too (`repair_mb_s`).

MB/s is input bytes (as read, decompressed) per second. The ordinary class (pages of the throughput corpus,
`bench/corpus.py`) runs in the same script, so the ratios stay meaningful on a busy machine. The machine is
shared: read the ratios as well as the absolutes.
"""

from __future__ import annotations

import argparse
import bz2
import codecs
import gzip
import json
import lzma
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import DEFAULT_SHARED, OUT, REPO, compiled, scratch_dir
from .corpus import ensure, prefix
from .throughput import Measure, cleaner_cli, measure

MB = 1_000_000
HOSTILE_DIR = OUT / "hostile"
ORDINARY_BYTES = 4 * MB

SUBJECTS = ("The harbour authority", "The regional council", "A spokesman for the ministry", "Local fishermen",
            "The railway operator", "Engineers at the dam", "The school board", "Residents of the quarter")  # fmt: skip
VERBS = ("said on Tuesday that", "announced last week that", "warned in a letter that", "confirmed that",
         "told reporters on Friday that", "admitted in a statement that")  # fmt: skip
CLAUSES = ("the bridge would stay closed until the end of the summer", "the repairs would cost more than planned",
           "the new timetable would bring an extra train every hour", "the river had risen faster than expected",
           "the collection would move to a larger building", "the old quay was no longer safe for lorries",
           "most of the orchards had been spared by the late frost", "the vote would be held again")  # fmt: skip
CHROME = ("Home", "News", "Sport", "Menu", "Search", "Sign in", "Share", "Facebook", "Copy link", "Advertisement",
          "Privacy Policy", "Cookie settings", "Read more", "Most read", "Related Articles", "You may also like",
          "Load more", "Back to top", "Subscribe")  # fmt: skip
RUSSIAN = (
    "Городской совет во вторник решил закрыть старый мост через реку до осени. Жители района будут "
    "проинформированы в ближайшие недели, сообщила пресс-служба администрации."
)
WORDS = ("harbour", "ferry", "council", "orchard", "railway", "museum", "quarry", "budget", "strike", "frost")


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}."


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def article(rng: random.Random, paragraphs: int = 6) -> str:
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(6))
    return title + "\n\n" + "\n\n".join(paragraph(rng) for _ in range(paragraphs)) + "\n"


# --- the classes --------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    what: str  # the input, in a few words
    build: Callable[[Path, random.Random], None]
    flags: list[str] = field(default_factory=list)  # extra `cleaner clean` flags (and in-process options)


def _copies(directory: Path, name: str, count: int, make: Callable[[int], bytes]) -> None:
    """`count` files `NAME-000.txt`... (`name` as `stem.suffix`), each `make(i)`."""
    stem, _, suffix = name.partition(".")
    for i in range(count):
        (directory / f"{stem}-{i:03d}.{suffix}").write_bytes(make(i))


def _paragraphs(rng: random.Random, separator: str, size: int = 15 * MB) -> str:
    """Paragraphs of eight sentences, each followed by `separator`, until there are `size` characters."""
    parts, total = [], 0
    while total < size:
        text = paragraph(rng, 8) + separator
        parts.append(text)
        total += len(text)
    return "".join(parts)


def _one_line(directory: Path, rng: random.Random) -> None:
    text = "Title of the page\n\n" + _paragraphs(rng, " ") + "\n"
    (directory / "one-line.txt").write_bytes(text.encode())


def _spaces(directory: Path, rng: random.Random) -> None:
    def make(i: int) -> bytes:
        return (article(rng, 2) + " " * 200_000 + "\n" + paragraph(rng) + "\n").encode()

    _copies(directory, "spaces.txt", 20, make)


def _repeated_word(directory: Path, rng: random.Random) -> None:
    _copies(
        directory,
        "word.txt",
        20,
        lambda i: (article(rng, 2) + (WORDS[i % len(WORDS)] + f"{i} ") * 50_000 + "\n" + paragraph(rng)).encode(),
    )


def _short_lines(directory: Path, rng: random.Random) -> None:
    for page in range(8):
        lines = "\n".join(f"{rng.choice(WORDS)}{i % 97}" for i in range(60_000))
        (directory / f"short-lines-{page}.txt").write_bytes((lines + "\n" + paragraph(rng) + "\n").encode())


def _rail_headers(directory: Path, rng: random.Random) -> None:
    for i in range(4):
        lines = "\n".join(rng.choice(CHROME) for _ in range(40_000))
        (directory / f"rail-headers-{i}.txt").write_bytes((article(rng) + lines + "\n").encode())


def _combining(directory: Path, rng: random.Random) -> None:
    _copies(
        directory,
        "zalgo.txt",
        10,
        lambda i: (article(rng, 2) + "Z" + "\u0301\u0316\u0358" * 50_000 + "algo\n" + paragraph(rng)).encode(),
    )


def _controls(directory: Path, rng: random.Random) -> None:
    def make(i: int) -> bytes:
        text = article(rng, 40).replace("\n", "\r")  # old Mac line endings
        noisy = "".join(ch + ("\x00" if j % 2000 == 1999 else "\x07\x1b\u200b" if j % 97 == 0 else "")
                        for j, ch in enumerate(text))  # fmt: skip
        return noisy.encode()

    _copies(directory, "controls.txt", 250, make)


def _legacy(directory: Path, rng: random.Random) -> None:
    def make(i: int) -> bytes:
        body = "\n\n".join(RUSSIAN + f" Выпуск {i}, абзац {j}." for j in range(300))
        return ("Новости города\n\n" + body + "\n").encode("cp1251")

    _copies(directory, "cp1251.txt", 80, make)


def _utf16(directory: Path, rng: random.Random) -> None:
    _copies(directory, "utf16.txt", 170, lambda i: codecs.BOM_UTF16_LE + article(rng, 30).encode("utf-16-le"))


def _mojibake(directory: Path, rng: random.Random) -> None:
    def make(i: int) -> bytes:
        text = article(rng, 30).replace("said", "saïd").replace(".", " — “café”.")
        return text.encode("utf-8").decode("cp1252", "replace").encode("utf-8")

    _copies(directory, "mojibake.txt", 300, make)


def _records(i: int) -> bytes:
    """The i-th JSONL file of 250 records, the same for every codec."""
    rng = random.Random(f"records-{i}")
    return "".join(json.dumps({"id": f"{i}-{j}", "text": article(rng)}) + "\n" for j in range(250)).encode()


def _plain_jsonl(directory: Path, rng: random.Random) -> None:
    for i in range(8):
        (directory / f"records-{i}.jsonl").write_bytes(_records(i))


def _compressed(codec: str) -> Callable[[Path, random.Random], None]:
    compress = {"gz": lambda d: gzip.compress(d, mtime=0), "bz2": bz2.compress, "xz": lzma.compress}.get(codec)

    def build(directory: Path, rng: random.Random) -> None:
        squeeze = compress
        if squeeze is None:
            from backports import zstd

            squeeze = zstd.compress
        for i in range(8):
            (directory / f"records-{i}.jsonl.{codec}").write_bytes(squeeze(_records(i)))

    return build


def _jsonl_big_record(directory: Path, rng: random.Random) -> None:
    record = {"id": "big", "text": "Title of the page\n\n" + _paragraphs(rng, "\n\n")}
    (directory / "big-record.jsonl").write_bytes((json.dumps(record) + "\n").encode())


def _jsonl_broken(directory: Path, rng: random.Random) -> None:
    for i in range(4):
        lines = []
        for j in range(500):
            kind = j % 4
            if kind == 0:
                lines.append(json.dumps({"id": f"{i}-{j}", "text": article(rng)}))
            elif kind == 1:
                lines.append('{"id": "cut", "text": "' + article(rng)[:500])  # truncated mid-string
            elif kind == 2:
                lines.append("[" * 5_000)  # nested too deeply
            else:
                lines.append(json.dumps({"id": f"{i}-{j}", "body": paragraph(rng)}))  # no text field
        (directory / f"broken-{i}.jsonl").write_bytes(("\n".join(lines) + "\n").encode())


def _random_bytes(directory: Path, rng: random.Random) -> None:
    _copies(directory, "random.txt", 40, lambda i: rng.randbytes(100_000))


CASES = [
    Case("one-line-15mb", "a 15 MB page on a single line", _one_line),
    Case("spaces-200k", "200,000 spaces on a line (20 pages)", _spaces),
    Case("word-50k", "one word repeated 50,000 times on a line (20 pages)", _repeated_word),
    Case("short-lines", "60,000 one-word lines (8 pages)", _short_lines),
    Case("rail-headers", "40,000 chrome lines, 1 in 4 a rail header (4 pages)", _rail_headers),
    Case("combining-marks", "150,000 combining marks on one letter (10 pages)", _combining),
    Case("controls-nul-cr", "CR line ends, stray NUL, BEL, ESC, zero-width (250 pages)", _controls),
    Case("legacy-cp1251", "Russian pages in cp1251 (80)", _legacy),
    Case("utf16-bom", "UTF-16 LE pages with a BOM (170)", _utf16),
    Case("mojibake", "UTF-8 read as cp1252 upstream, cleaned as it is (300)", _mojibake),
    Case("mojibake-fix-text", "UTF-8 read as cp1252 upstream, with --fix-text (300)", _mojibake, ["--fix-text"]),
    Case("plain-jsonl", "JSONL, 2,000 records of 2 KB (the reference for the compressed ones)", _plain_jsonl),
    Case("gzip-jsonl", "the same JSONL, gzip", _compressed("gz")),
    Case("bz2-jsonl", "the same JSONL, bzip2", _compressed("bz2")),
    Case("xz-jsonl", "the same JSONL, xz", _compressed("xz")),
    Case("zstd-jsonl", "the same JSONL, zstd", _compressed("zst")),
    Case("jsonl-15mb-record", "one JSONL record of 15 MB (20,000 paragraphs)", _jsonl_big_record),
    Case("jsonl-broken", "JSONL, 3 lines in 4 broken, deep or without text", _jsonl_broken),
    Case("random-bytes", "random bytes (40 files of 100 KB): refused", _random_bytes),
]


def build_case(case: Case, base: Path) -> Path:
    directory = base / case.name
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    case.build(directory, random.Random(f"hostile-{case.name}"))
    return directory


# --- measuring ----------------------------------------------------------------------------------------------


def in_process(directory: Path, fix_text: bool) -> dict[str, Any]:
    """Open and clean every file of `directory` here (run in a fresh child process); time and memory."""
    import cleaner
    from cleaner import io as cio

    cleaner.clean(article(random.Random(0)))  # warm-up: imports, models, rule packs
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    docs = errors = size = 0
    repairing = 0.0  # of the time, ftfy's repair (--fix-text)

    def repaired(text: str) -> str:
        nonlocal repairing
        if not fix_text:
            return text
        began = time.perf_counter()
        text = cio.fix_text(text)
        repairing += time.perf_counter() - began
        return text

    start = time.perf_counter()
    for path in sorted(directory.iterdir()):
        source = cio.Input(str(path), str(path), path.name, cio.format_of(path.name, "auto"))
        try:
            opened = cio.open_input(source)
        except cio.InputError:
            errors += 1
            size += path.stat().st_size
            continue
        if isinstance(opened, cio.TextInput):
            size += len(opened.raw)
            cleaner.clean(repaired(opened.text), input_format="text")
            docs += 1
            continue
        with opened:
            try:
                for line in opened:
                    size += line.size
                    if line.kind == "record" and line.record is not None:
                        page = line.record.get("text")
                        if isinstance(page, str):
                            cleaner.clean(repaired(page), input_format="text")
                        else:  # a record with the page's HTML
                            cleaner.clean(line.record["html"], input_format="html")
                        docs += 1
                    elif line.kind == "invalid":
                        errors += 1
            except cio.InputError:
                errors += 1
    seconds = time.perf_counter() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss
    measured = {"seconds": seconds, "bytes": size, "docs": docs, "errors": errors, "rss_growth_mb": grown * 1024 / MB}
    if fix_text:
        measured["repair_seconds"] = repairing
        measured["repair_mb_s"] = size / MB / repairing if repairing else None
    return measured


def _input_bytes(directory: Path) -> tuple[int, int, int]:
    """Files, bytes on disk, and the largest file's bytes as read (decompressed)."""
    from cleaner import io as cio

    files = sorted(p for p in directory.iterdir() if p.is_file())
    largest = 0
    for path in files:
        data = path.read_bytes()
        largest = max(largest, len(_decompressed(data, cio.compression_of(data[:16]))))
    return len(files), sum(p.stat().st_size for p in files), largest


def _decompressed(data: bytes, codec: str | None) -> bytes:
    if codec == "gz":
        return gzip.decompress(data)
    if codec == "bz2":
        return bz2.decompress(data)
    if codec == "xz":
        return lzma.decompress(data)
    if codec == "zst":
        from backports import zstd

        return zstd.decompress(data)
    return data


@dataclass
class Result:
    name: str
    what: str
    files: int
    disk_bytes: int
    largest_doc_bytes: int
    whole: dict[str, Any]
    inproc: dict[str, Any]


def run_case(case: Case, exe: Path, base: Path, scratch: Path) -> Result:
    directory = build_case(case, base)
    files, disk, largest = _input_bytes(directory)
    out = scratch / f"{case.name}.out"
    if out.exists():
        shutil.rmtree(out)
    command = [str(exe), "clean", "-q", "-j", "1", "-o", str(out), str(directory), *case.flags]
    whole = measure(command, Measure("cleaner", "cli", case.name, files, disk, command))
    shutil.rmtree(out, ignore_errors=True)
    default_jobs = [str(exe), "clean", "-q", "-o", str(out), str(directory), *case.flags]
    users = measure(default_jobs, Measure("cleaner", "cli", case.name, files, disk, default_jobs))
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.hostile",
            "--child",
            str(directory),
            *(["--fix"] if "--fix-text" in case.flags else []),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH"))))},
    )
    inproc = (
        json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0 else {"error": child.stderr[-500:]}
    )
    size = inproc.get("bytes") or disk
    whole_stats = {
        "seconds": round(whole.seconds, 3),
        "mb_s": round(size / MB / whole.seconds, 2) if whole.seconds else None,
        "peak_rss_mb": round(whole.max_rss_mb, 1),
        "exit": whole.returncode,
        "default_jobs_mb_s": round(size / MB / users.seconds, 2) if users.seconds else None,
        "default_jobs_exit": users.returncode,
    }
    if "seconds" in inproc:
        inproc["mb_s"] = round(size / MB / inproc["seconds"], 2) if inproc["seconds"] else None
        inproc["seconds"] = round(inproc["seconds"], 3)
        inproc["rss_growth_mb"] = round(inproc["rss_growth_mb"], 1)
        if inproc.get("repair_mb_s"):
            inproc["repair_mb_s"] = round(inproc["repair_mb_s"], 2)
            inproc["repair_seconds"] = round(inproc["repair_seconds"], 3)
    shutil.rmtree(out, ignore_errors=True)
    return Result(case.name, case.what, files, disk, largest, whole_stats, inproc)


def ordinary_case(shared: Path, base: Path) -> Case:
    corpus = OUT / "corpus-hostile"
    ensure(corpus, ORDINARY_BYTES, shared=shared)

    def build(directory: Path, rng: random.Random) -> None:
        prefix(corpus, ORDINARY_BYTES, directory)

    return Case("ordinary", "ordinary pages of the throughput corpus (the reference)", build)


def _print(results: list[Result]) -> None:
    reference = next((r for r in results if r.name == "ordinary"), None)
    print(
        "| input | MB | whole process MB/s, -j 1 | whole process MB/s, default -j | in process MB/s "
        "| vs ordinary (in process) | peak RSS (-j 1) | exit |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        mb = (r.inproc.get("bytes") or r.disk_bytes) / MB
        ratio = ""
        if reference and r.inproc.get("mb_s") and reference.inproc.get("mb_s"):
            ratio = f"{r.inproc['mb_s'] / reference.inproc['mb_s']:.2f}"
        repair = f" (the repair alone {r.inproc['repair_mb_s']})" if r.inproc.get("repair_mb_s") else ""
        print(
            f"| {r.name}: {r.what} | {mb:.1f} | {r.whole['mb_s']} | {r.whole['default_jobs_mb_s']} | "
            f"{r.inproc.get('mb_s')}{repair} | {ratio} | "
            f"{r.whole['peak_rss_mb']} MB | {r.whole['exit']} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=OUT / "hostile.json")
    parser.add_argument("--only", nargs="*", help="only these classes (and the ordinary reference)")
    parser.add_argument(
        "--scratch",
        type=Path,
        help="where the whole-process runs write their outputs (default: a directory on /dev/shm if it is "
        "writable, else bench/out/hostile)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--fix", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(in_process(args.child, args.fix)))
        return 0
    compiled()
    exe = cleaner_cli()
    if exe is None:
        print("bench.hostile: the cleaner console script is not installed (make install)", file=sys.stderr)
        return 2
    HOSTILE_DIR.mkdir(parents=True, exist_ok=True)
    scratch = args.scratch or scratch_dir(HOSTILE_DIR, "hostile")
    scratch.mkdir(parents=True, exist_ok=True)
    cases = [ordinary_case(args.shared, HOSTILE_DIR), *(c for c in CASES if not args.only or c.name in args.only)]
    results = []
    for case in cases:
        result = run_case(case, exe, HOSTILE_DIR, scratch)
        results.append(result)
        print(f"{case.name}: whole {result.whole}  in-process {result.inproc}", file=sys.stderr, flush=True)
        shutil.rmtree(HOSTILE_DIR / case.name, ignore_errors=True)
    if args.scratch is None and scratch != HOSTILE_DIR:
        shutil.rmtree(scratch, ignore_errors=True)
    measured = [r for r in results if r.name != "ordinary" and r.inproc.get("mb_s")]
    slowest = min(measured, key=lambda r: min(r.inproc["mb_s"], r.whole["mb_s"] or 0), default=None)
    report = {
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]},
        "outputs_under": str(scratch),
        "classes": [asdict(r) for r in results],
        "slowest": slowest.name if slowest else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    _print(results)
    return 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("hostile", main))
