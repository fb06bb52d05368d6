"""Reaching the cluster that `--dask ADDRESS` names: a scheduler (`tcp://host:8786`), or `local` / `local:N`, a
`distributed.LocalCluster` of N worker processes (default: one per CPU) that lives as long as the command."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..cli.common import default_jobs

_LOCAL = re.compile(r"local(?::(\d+))?")
_SCHEDULER = re.compile(r"(?:tcp|tls|ws|wss|ucx)://\S+")
USAGE = "--dask ADDRESS: give a scheduler address (tcp://HOST:PORT), local or local:N"


# A local cluster shares the command's cores with it: what Dask does on its own timers comes out of the cleaning.
# No statistical profiler: sampling the task thread's stack every 10 ms cost a seventh of a worker's time
# (bench.dask). Event loop ticks every second, not every 20 ms; memory and system sampled every second and every
# 5 s, not every 100 and 500 ms: an idle cluster of two workers then costs 1.5% of a core, not 9%.
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


class ClusterError(Exception):
    """The cluster could not be reached or started: one line that says why."""


def local_workers(address: str) -> int | None:
    """N of `local:N` (one per CPU for `local`), None for a scheduler address; ValueError for anything else."""
    match = _LOCAL.fullmatch(address)
    if match is not None:
        count = int(match.group(1)) if match.group(1) else default_jobs()
        if count < 1:
            raise ValueError(f"{USAGE} (N is at least 1)")
        return count
    if _SCHEDULER.fullmatch(address) is None:
        raise ValueError(USAGE)
    return None


@contextlib.contextmanager
def connect(address: str, echo: Callable[[str], None] | None = None) -> Iterator[Any]:
    """A `distributed.Client` of the cluster `address` names, closed on the way out (a local cluster stopped).
    `echo` is told the dashboard's address when the cluster serves one. Raises ValueError for an address that is
    none, ClusterError when the cluster cannot be reached or started."""
    workers = local_workers(address)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("--dask needs dask and distributed: pip install 'cleaner[dask]'") from exc
    with contextlib.ExitStack() as stack:
        if workers is not None:
            try:
                # One thread a worker: cleaning holds the GIL, processes are what run in parallel. A dashboard on a
                # free port: two local runs at once must not fight over 8787.
                stack.enter_context(dask.config.set(LOCAL_CONFIG))
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
            except Exception as exc:
                raise ClusterError(f"cannot start a local Dask cluster ({exc})") from exc
            stack.enter_context(cluster)
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = Client(address)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {address} ({_reason(exc)})") from exc
            stack.enter_context(client)
        if echo is not None and "dashboard" in client.scheduler_info().get("services", {}):
            echo(f"cleaner: Dask dashboard at {client.dashboard_link}")
        yield client


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def worker_count(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def settle_workers(client: Any) -> None:
    """Ready the workers for a command's tasks (the command line's own: a library call leaves its host's workers as
    they are): each pays its one-off costs once and moves them out of the garbage collector's sight, as `-j`'s pool
    workers do. Without it a worker's collector walks the pipeline's modules, rule packs and language profiles again
    and again: a quarter of a worker's time."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Settle(WorkerPlugin):
        name = "cleaner-settle"

        def setup(self, worker: Any) -> None:
            from ..cli.pool import settle_process

            settle_process()

    client.register_plugin(Settle())
