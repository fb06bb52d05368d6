"""HTML input: cleaner next to trafilatura, readability-lxml and jusText on the fetched dev pages, side by side.

    python -m bench.html --shared ../shared [--runs 3] [--out bench/out/html.json]

1. Quality on `benchmarks/article-extraction-dev/html/*.html.gz` (60 pages) in the benchmark's measure
   (`cleaner.evaluate`): cleaner (`clean_html(bytes).text`), three variants of it that show why it is built as
   it is (density filter on trafilatura's text; free-standing card rails taken from it; no selectolax pass),
   trafilatura as the benchmark runs it, readability-lxml (its summary's text blocks) and jusText. Each
   system's in-process CPU seconds are shown too (one pass, after one page has paid the one-off set-up).
2. Whole-process throughput on the same pages, each system a fresh process reading the `.html.gz` files and
   writing its text: `cleaner clean DIR -o OUT -j 1` (and `-j 2`), and a script doing the same with
   trafilatura (`extract(html, include_comments=False)`) and with readability-lxml. Runs alternate between the
   systems, `--runs` times; the best run counts (the machine is shared, so the others are noise). MB/s is
   megabytes of uncompressed HTML per second of wall time; child CPU seconds are reported too, and each
   system's start-up CPU (the same command over one small page), so that the per-page cost beyond the
   one-off imports and tables shows as well.
3. WARC reading: the 60 pages written into a gzipped WARC (with warcio), then read back with warcio and, when
   installed, FastWARC: the cost of reading next to the cost of cleaning.

Everything is written to `bench/out/html.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.evaluate import PageScore, Scores, aggregate, page_scores

from . import DEFAULT_SHARED, OUT, REPO, compiled
from .peers import justext_html, trafilatura_html
from .quality import DEV, Page, load_dev

TARGET_F1 = 0.975
# In-process passes over the pages per system, the fastest counting. One: a second pass over the same pages
# would meet cleaner's per-line and per-sample caches warm, which a corpus of new pages does not.
REPEATS = 1
# The shared README's figures for the peers on these pages.
README = {"trafilatura": 0.968, "readability": 0.963}


# --- the systems ---------------------------------------------------------------------------------------------


def cleaner_html(raw: bytes) -> str:
    from cleaner.html import clean_html

    return clean_html(raw).text


def readability_html(html: str) -> str:
    """readability-lxml's article: its summary's text, a line per block."""
    from readability import Document
    from selectolax.lexbor import LexborHTMLParser

    from cleaner.html.blocks import text_blocks

    summary = Document(html).summary(html_partial=True)
    return "\n".join(text_blocks(LexborHTMLParser(summary).root))


def _variant(module: str, name: str, value: object) -> Callable[[bytes], str]:
    """cleaner with one switch of `module` flipped (restored afterwards)."""

    def run(raw: bytes) -> str:
        import importlib

        mod = importlib.import_module(module)
        old = getattr(mod, name)
        setattr(mod, name, value)
        try:
            return cleaner_html(raw)
        finally:
            setattr(mod, name, old)

    return run


def _without_prepass(raw: bytes) -> str:
    """cleaner with the selectolax pass handing trafilatura the page as it came (selectors still read)."""
    import cleaner.html as module

    real = module.prepare

    def keep_page(html: str, selectors: tuple[Any, ...] = ()) -> Any:
        prepared = real(html, selectors)
        prepared.html = html
        return prepared

    module.prepare = keep_page  # type: ignore[assignment]
    try:
        return cleaner_html(raw)
    finally:
        module.prepare = real  # type: ignore[assignment]


@dataclass(frozen=True)
class System:
    name: str
    label: str
    run: Callable[[Page], str]
    variant: bool = False


SYSTEMS = (
    System("cleaner", "cleaner (selectolax + trafilatura + text filters)", lambda p: cleaner_html(_raw(p))),
    System(
        "cleaner+density",
        "  variant: density filter on trafilatura's text",
        lambda p: _variant("cleaner.html.text", "DENSITY_ON_EXTRACTED", True)(_raw(p)),
        variant=True,
    ),
    System(
        "cleaner+free-rails",
        "  variant: free-standing card rails taken",
        lambda p: _variant("cleaner.html.text", "FREE_RAILS_ON_EXTRACTED", True)(_raw(p)),
        variant=True,
    ),
    System("cleaner-prepass", "  variant: no selectolax pass", lambda p: _without_prepass(_raw(p)), variant=True),
    System("trafilatura", "trafilatura", lambda p: trafilatura_html(p.html)),
    System("readability", "readability-lxml", lambda p: readability_html(p.html)),
    System("justext", "jusText", lambda p: justext_html(p.html)),
)


def _raw(page: Page) -> bytes:
    assert page.html_path is not None
    return gzip.decompress(page.html_path.read_bytes())


# --- quality ---------------------------------------------------------------------------------------------------


@dataclass
class Run:
    system: System
    pages: dict[str, PageScore] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    scores: Scores | None = None

    def to_dict(self) -> dict[str, Any]:
        assert self.scores is not None
        data: dict[str, Any] = {"system": self.system.name, "label": self.system.label.strip()}
        data.update(self.scores.to_dict())
        data["cpu_seconds"] = round(self.cpu_seconds, 3)
        data["errors"] = self.errors
        if self.system.name in README:
            data["readme_f1"] = README[self.system.name]
        return data


def run_quality(pages: list[Page]) -> list[Run]:
    runs = []
    for system in SYSTEMS:
        run = Run(system)
        with contextlib.suppress(Exception):
            system.run(pages[0])  # imports and one-off set-up outside the clock
        predictions: dict[str, str] = {}
        times = []
        for _ in range(REPEATS):
            start = time.process_time()
            for page in pages:
                try:
                    predictions[page.key] = system.run(page)
                except Exception as error:  # a crash on one page is a finding, not the end of the benchmark
                    run.errors[page.key] = "".join(traceback.format_exception_only(error)).strip()
                    predictions[page.key] = ""
            times.append(time.process_time() - start)
        run.cpu_seconds = min(times)
        run.pages = {page.key: page_scores(predictions[page.key], page.gold) for page in pages}
        run.scores = aggregate(run.pages.values())
        runs.append(run)
    return runs


# --- whole-process throughput ----------------------------------------------------------------------------------

_PEER_SCRIPT = """
import gzip, sys
from pathlib import Path
system, src, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if system == "trafilatura":
    import trafilatura
    def run(html):
        return trafilatura.extract(html, include_comments=False) or ""
else:
    from readability import Document
    from selectolax.lexbor import LexborHTMLParser
    from cleaner.html.blocks import text_blocks
    def run(html):
        return "\\n".join(text_blocks(LexborHTMLParser(Document(html).summary(html_partial=True)).root))
for path in sorted(src.glob("*.html.gz")):
    html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    (out / (path.name[: -len(".html.gz")] + ".txt")).write_text(run(html), encoding="utf-8")
"""


@dataclass(frozen=True)
class Command:
    name: str
    label: str
    argv: list[str]


def _commands(src: Path, out: Path) -> list[Command]:
    python = sys.executable
    cleaner = [python, "-m", "cleaner", "clean", str(src), "-o", str(out), "-q"]
    script = [python, "-c", _PEER_SCRIPT]
    return [
        Command("cleaner", "cleaner clean -j 1", [*cleaner, "-j", "1"]),
        Command("cleaner-j2", "cleaner clean -j 2", [*cleaner, "-j", "2"]),
        Command("trafilatura", "trafilatura (script)", [*script, "trafilatura", str(src), str(out)]),
        Command("readability", "readability-lxml (script)", [*script, "readability", str(src), str(out)]),
    ]


def _time(argv: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds of one run into a fresh output directory."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


STARTUP_PAGE = (
    "<html><head><title>A short page</title></head><body><article><h1>A short page</h1><p>"
    + "One sentence of an article that only measures how long a process takes to start and stop. " * 4
    + "</p></article></body></html>"
)


def run_throughput(pages: list[Page], runs: int) -> dict[str, Any]:
    html_bytes = sum(len(_raw(page)) for page in pages)
    with tempfile.TemporaryDirectory(prefix="cleaner-bench-html-") as tmp:
        src, out, tiny = Path(tmp) / "html", Path(tmp) / "out", Path(tmp) / "tiny"
        src.mkdir()
        tiny.mkdir()
        for page in pages:
            assert page.html_path is not None
            shutil.copyfile(page.html_path, src / page.html_path.name)
        (tiny / "page.html.gz").write_bytes(gzip.compress(STARTUP_PAGE.encode()))
        commands = _commands(src, out)
        startups = _commands(tiny, out)
        walls: dict[str, list[float]] = {c.name: [] for c in commands}
        cpus: dict[str, list[float]] = {c.name: [] for c in commands}
        startup_cpus: dict[str, list[float]] = {c.name: [] for c in commands}
        for _ in range(runs):
            for command, startup in zip(commands, startups, strict=True):
                wall, cpu = _time(command.argv, out)
                walls[command.name].append(wall)
                cpus[command.name].append(cpu)
                startup_cpus[command.name].append(_time(startup.argv, out)[1])
    results = {}
    for command in commands:
        startup_cpu = min(startup_cpus[command.name])
        work_cpu = max(1e-6, min(cpus[command.name]) - startup_cpu)
        best = min(walls[command.name])
        results[command.name] = {
            "label": command.label,
            "wall_seconds": [round(w, 3) for w in walls[command.name]],
            "cpu_seconds": [round(c, 3) for c in cpus[command.name]],
            "best_wall": round(best, 3),
            "median_wall": round(statistics.median(walls[command.name]), 3),
            "best_cpu": round(min(cpus[command.name]), 3),
            "mb_per_s": round(html_bytes / 1e6 / best, 2),
            "mb_per_cpu_s": round(html_bytes / 1e6 / min(cpus[command.name]), 2),
            "startup_cpu": round(startup_cpu, 3),
            "mb_per_cpu_s_after_startup": round(html_bytes / 1e6 / work_cpu, 2),
        }
    base = results["trafilatura"]
    for result in results.values():
        result["vs_trafilatura"] = round(result["mb_per_s"] / base["mb_per_s"], 2)
        result["cpu_vs_trafilatura"] = round(result["mb_per_cpu_s"] / base["mb_per_cpu_s"], 2)
        ratio = result["mb_per_cpu_s_after_startup"] / base["mb_per_cpu_s_after_startup"]
        result["after_startup_vs_trafilatura"] = round(ratio, 2)
    return {"pages": len(pages), "html_bytes": html_bytes, "runs": runs, "systems": results}


# --- WARC reading ----------------------------------------------------------------------------------------------


def run_warc(pages: list[Page]) -> dict[str, Any]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for page in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        body = _raw(page)
        record = writer.create_warc_record(
            page.url or page.key, "response", io.BytesIO(body), len(body), http_headers=headers
        )
        writer.write_record(record)
    data = buffer.getvalue()
    results: dict[str, Any] = {"records": len(pages), "warc_gz_bytes": len(data)}

    def warcio_read() -> int:
        return sum(
            len(r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(data)) if r.rec_type == "response"
        )

    readers: dict[str, Callable[[], int]] = {"warcio": warcio_read}
    try:
        from fastwarc.warc import ArchiveIterator as FastIterator
        from fastwarc.warc import WarcRecordType

        def fastwarc_read() -> int:
            records = FastIterator(io.BytesIO(data), record_types=WarcRecordType.response, parse_http=True)
            return sum(len(r.reader.read()) for r in records)

        readers["fastwarc"] = fastwarc_read
    except ImportError:
        results["fastwarc"] = "not installed"
    for name, read in readers.items():
        best = min(_clock(read) for _ in range(5))
        results[name] = {"seconds": round(best, 4), "mb_per_s": round(len(data) / 1e6 / best, 1)}
    return results


def _clock(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# --- output ----------------------------------------------------------------------------------------------------


def print_quality(runs: list[Run]) -> None:
    print(f"\nDev pages, HTML input ({len(runs[0].pages)} pages): token 4-gram shingles, P and R macro-averaged")
    print(f"  {'system':<52} {'F1':>6} {'P':>6} {'R':>6}  {'README':>6}  {'cpu s':>6}")
    for run in runs:
        s = run.scores
        assert s is not None
        readme = f"{README[run.system.name]:.3f}" if run.system.name in README else ""
        errors = f"  ({len(run.errors)} pages raised)" if run.errors else ""
        print(
            f"  {run.system.label:<52} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f}  {readme:>6}"
            f"  {run.cpu_seconds:6.2f}{errors}"
        )
    print(f"  target for cleaner: F1 >= {TARGET_F1}")


def print_throughput(result: dict[str, Any]) -> None:
    mb = result["html_bytes"] / 1e6
    print(f"\nWhole-process throughput: {result['pages']} pages, {mb:.1f} MB of HTML, best of {result['runs']} runs")
    print(
        f"  {'system':<28} {'best s':>7} {'median':>7} {'MB/s':>6} {'x traf':>7} {'cpu s':>6} {'cpu x traf':>10}"
        f" {'start cpu':>9} {'MB/cpu-s after':>14} {'x traf':>7}"
    )
    for item in result["systems"].values():
        print(
            f"  {item['label']:<28} {item['best_wall']:7.2f} {item['median_wall']:7.2f} {item['mb_per_s']:6.2f}"
            f" {item['vs_trafilatura']:7.2f} {item['best_cpu']:6.2f} {item['cpu_vs_trafilatura']:10.2f}"
            f" {item['startup_cpu']:9.2f} {item['mb_per_cpu_s_after_startup']:14.2f}"
            f" {item['after_startup_vs_trafilatura']:7.2f}"
        )
    print("  (start cpu: the same process over one small page; 'after' divides by the CPU beyond it)")


def print_warc(result: dict[str, Any]) -> None:
    print(f"\nWARC reading ({result['records']} records, {result['warc_gz_bytes'] / 1e6:.1f} MB gzipped)")
    for name in ("warcio", "fastwarc"):
        item = result.get(name)
        if isinstance(item, dict):
            print(f"  {name:<10} {item['seconds']:.3f} s  {item['mb_per_s']:.0f} MB/s")
        elif item:
            print(f"  {name:<10} {item}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.html", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder")
    parser.add_argument("--runs", type=int, default=3, help="whole-process runs per system (best counts)")
    parser.add_argument("--out", type=Path, default=OUT / "html.json", help="where to write the JSON")
    args = parser.parse_args(argv)
    if not (args.shared / DEV / "html").is_dir():
        parser.error(f"no {DEV}/html under {args.shared} (pass --shared)")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    compiled()
    pages = [page for page in load_dev(args.shared) if page.html_path is not None]

    quality = run_quality(pages)
    print_quality(quality)
    throughput = run_throughput(pages, args.runs)
    print_throughput(throughput)
    warc = run_warc(pages)
    print_warc(warc)

    report = {
        "measure": "token 4-gram shingles; per-page tp/fp/fn normalised to sum 1; P and R macro-averaged "
        "(cleaner.evaluate)",
        "shared": str(args.shared.resolve()),
        "target_f1": TARGET_F1,
        "quality": [run.to_dict() for run in quality],
        "per_page": {run.system.name: {k: s.to_dict() for k, s in run.pages.items()} for run in quality},
        "throughput": throughput,
        "warc_reading": warc,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    from .report import recorded

    sys.exit(recorded("html", main))
