"""cleaner's cache on disk: data derived from installed packages that saves start-up time (htmldate's month
names, the shipped rule packs' parsed TOML, compiled regular expressions).
Nothing in it changes a result: a missing, broken or unwritable cache means the data is worked out again from
the packages themselves.

Each file is named by a digest of what it was derived from, so another installation (another virtual
environment, an upgrade) writes another file. Writing one removes the older files of its kind beyond the newest
`KEEP`, so that a machine where fresh environments come and go (CI with a shared home) does not pile them up.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .io import write_atomic

VARIABLE = "CLEANER_CACHE_DIR"
KEEP = 4  # files of one kind kept: one per installation in use, within reason


def cache_dir() -> Path:
    """Where cleaner keeps derived data: `$CLEANER_CACHE_DIR`, else `$XDG_CACHE_HOME/cleaner`, else
    `~/.cache/cleaner`."""
    if os.environ.get(VARIABLE):
        return Path(os.environ[VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cleaner"


def named(kind: str, suffix: str, sources: Iterable[Path], *facts: str) -> Path:
    """The cache file of `kind` derived from the files `sources` and the `facts` beside them (a format number, a
    version): named by a digest of the facts and of each file's path, size and modification time, so that
    another installation, an upgrade or an edited file makes another name. Raises `OSError` if a source is gone."""
    digest = hashlib.sha256("\0".join(facts).encode())
    for source in sources:
        stat = source.stat()
        digest.update(f"\0{source}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return cache_dir() / f"{kind}-{digest.hexdigest()[:24]}{suffix}"


def kind_of(path: Path) -> str:
    """The glob of a cache file's kind: its name with the digest (after the last '-') as a wildcard."""
    return path.name.rsplit("-", 1)[0] + "-*" + path.suffix


def store(path: Path, data: bytes) -> None:
    """Write `path` atomically, then remove the older files of its kind beyond the newest `KEEP`. A read-only
    home or a full disk: nothing is written, and nothing fails."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, durable=False)
    with contextlib.suppress(OSError):
        _prune(path)


def read_json(path: Path) -> Any:
    """A JSON cache file's value; None when it is missing or not JSON (the caller checks its shape)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def store_json(path: Path, value: Any) -> None:
    """`store` `value` as JSON. `TypeError` if it is not JSON (a date, a set), before anything is written."""
    store(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _prune(path: Path) -> None:
    siblings = []
    for sibling in path.parent.glob(kind_of(path)):
        if sibling != path:
            with contextlib.suppress(OSError):  # removed by another process meanwhile
                siblings.append((sibling.stat().st_mtime_ns, sibling))
    siblings.sort(reverse=True)
    for _, stale in siblings[KEEP - 1 :]:
        with contextlib.suppress(OSError):
            stale.unlink()
