"""cleaner on a Dask cluster: `--dask ADDRESS` for `clean`, `dedup` and `learn`, and a library for your own Dask
pipelines (`clean_bag`, `clean_frame`, `dedup_frame`). Needs the extra `cleaner[dask]` (dask, distributed, fsspec,
pyarrow). See docs/dask.md.

- `cluster`: reaching the cluster `--dask` names (a scheduler, or a local cluster the command starts);
- `units`: inputs (and blocks of big JSONL files) as tasks, results back in input order;
- `cleaning`, `dedup`, `learn`: each command's flow on the cluster, the same output as the local command;
- `library`: the functions below.
"""

from __future__ import annotations

from typing import Any

__all__ = ["clean_bag", "clean_frame", "dedup_frame"]


def __getattr__(name: str) -> Any:
    # The library (and Dask with it) is imported on first use: the CLI's --dask needs only the cluster modules.
    if name in __all__:
        from . import library

        return getattr(library, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
