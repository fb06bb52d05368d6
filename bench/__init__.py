"""Benchmarks for cleaner: quality on the article-extraction dev pages and the Daily8 pages next to peer
systems (`python -m bench.quality`), and whole-process throughput on a generated corpus
(`python -m bench.corpus`, `python -m bench.throughput`). Needs the `bench` extra; results go to `bench/out/`."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
# `shared/` lives beside the project checkout (see the shared README).
DEFAULT_SHARED = REPO.parent / "shared"


def compiled() -> None:
    """Byte-compile the package, as installing it does (pip writes every module's .pyc; the peers' are in
    site-packages). An editable install run with PYTHONDONTWRITEBYTECODE would compile every module of ours
    from source at every start: a cost no installed copy pays. Every whole-process benchmark calls this first."""
    import compileall

    compileall.compile_dir(str(REPO / "cleaner"), quiet=1)


def scratch_dir(fallback: Path, name: str) -> Path:
    """Where a whole-process benchmark has the systems write their outputs: a directory on tmpfs (`/dev/shm`)
    when the machine has one, so that creating a file costs the same in every run (on this machine's ext4 disk
    it costs from 20 us to 0.7 ms, depending on what was deleted in the minutes before); else `fallback`."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm / f"cleaner-{name}-{os.getpid()}"
    return fallback
