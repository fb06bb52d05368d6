"""The benchmarks page: each benchmark run by `make bench` writes its report into its own section of
docs/benchmarks.md, so that the figures live in one place and are never copied by hand.

A section is the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; the prose around the sections
is written by hand and left alone. A benchmark's section holds what it printed, under a line saying how, when
and where it ran. Only runs that name the page (the environment variable BENCH_PAGE, which `make bench` sets)
write it: a benchmark run by hand to try something leaves the page as it is.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import REPO

PAGE_VARIABLE = "BENCH_PAGE"


class Tee(io.TextIOBase):
    """A text stream that writes to another and keeps a copy."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def recorded(name: str, main: Callable[[], int]) -> int:
    """Run a benchmark's `main`, and when BENCH_PAGE names the page, write what it printed into its section.
    Returns `main`'s exit status (written into the section too when it is not 0)."""
    page = os.environ.get(PAGE_VARIABLE)
    if not page:
        return main()
    tee = Tee(sys.stdout)  # type: ignore[arg-type]
    with contextlib.redirect_stdout(tee):
        status = main()
    write_section(Path(page), name, section_body(name, tee.copy.getvalue(), status))
    return status


def section_body(name: str, printed: str, status: int) -> str:
    """The provenance line and the report as printed."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    command = " ".join([f"python -m bench.{name}", *sys.argv[1:]])
    line = f"_`{command}`, {when}, {machine}, commit {commit()}_"
    if status:
        line += f" — **exit status {status}** (a target missed or a check failed: see the report)"
    return f"{line}\n\n```text\n{printed.strip(chr(10))}\n```"


def commit() -> str:
    """The checkout's commit, marked `+changes` when files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True)
    except OSError:
        return "unknown"
    if head.returncode:
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def write_section(page: Path, name: str, body: str) -> None:
    """Put `body` between the markers of section `name` (added at the end of the page when it has none),
    atomically: a run that fails half-way leaves the page as it was."""
    text = page.read_text(encoding="utf-8") if page.exists() else "# Benchmarks\n"
    start, end = markers(name)
    block = f"{start}\n{body}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    found = pattern.search(text)
    text = text[: found.start()] + block + text[found.end() :] if found else text.rstrip("\n") + f"\n\n{block}\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=page.parent, delete=False, suffix=".tmp") as out:
        out.write(text)
    os.replace(out.name, page)
