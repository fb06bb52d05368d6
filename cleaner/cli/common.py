"""What the commands share: exit codes, click settings, the progress bar and messages on stderr, signals."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO

import click

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_OK, EXIT_CHANGED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

# The rule-pack options of every command that cleans (clean, dedup, index), worded once.
rules_option = click.option(
    "--rules",
    "rule_files",
    multiple=True,
    metavar="FILE",
    help="A rule pack of your own, applied after the shipped ones. Repeatable.",
)
pack_option = click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="A shipped rule pack to apply instead of the default set (see 'cleaner rules'). Repeatable, or "
    "comma-separated.",
)

trust_clean_option = click.option(
    "--trust-clean",
    is_flag=True,
    help="Leave text that already looks cleaned (a blank line between paragraphs, no chrome any rule pack knows) "
    "as it is: the density model does not trim it. For a corpus of cleaner's own outputs (the pre-commit hooks "
    "use it): by default the model may still cut tables, lists or short lines out of such text, since a page of "
    "chrome no pack knows can be laid out the same way.",
)


def pipeline_options(
    ctx: click.Context,
    rule_files: Sequence[str],
    packs: Sequence[str],
    no_density: bool,
    trust_clean: bool,
    clean_page: Callable[..., object],
) -> dict[str, Any]:
    """The options for `cleaner.clean` from the flags of every command that cleans, checked once before any input
    is read: a missing rule file or a bad pack is one error line and exit 2. `clean_page` is the pipeline's entry
    point, passed in by the caller (which chooses when the pipeline is imported); cleaning an empty page with the
    options loads and checks the packs."""
    options: dict[str, Any] = {"rule_files": tuple(rule_files), "density": not no_density}
    if trust_clean:
        options["trust_clean"] = True
    names = split_list(packs)
    if names:
        options["packs"] = tuple(names)
    for path in rule_files:
        if not os.path.isfile(path):
            fail(ctx, f"--rules {path}: {'is a directory' if os.path.isdir(path) else 'no such file or directory'}")
    try:
        clean_page("", **options)
    except (ValueError, KeyError, OSError) as exc:
        fail(ctx, str(exc).strip("'\"") or type(exc).__name__)
    return options


class Progress:
    """The progress bar on stderr (tqdm's): bytes of input done, rate and time left when the total is known, and
    documents so far. Drawn only when `enabled` (a terminal, no -q), and only for runs longer than DELAY."""

    DELAY = 0.5
    INTERVAL = 0.1

    def __init__(
        self, enabled: bool, total: int | None, label: str = "cleaning", item: str = "document", file: Any = None
    ) -> None:
        self.enabled = enabled
        self.total = total
        self.label = label
        self.item = item
        self.file = file
        self.done = 0
        self.docs = 0
        self.started = time.monotonic()
        self._bar: Any = None

    def advance(self, size: int, docs: int = 0) -> None:
        self.done += size
        self.docs += docs
        if not self.enabled:
            return
        count = f"{self.docs} {plural(self.docs, self.item)}"
        if self._bar is None:
            if time.monotonic() - self.started < self.DELAY:
                return
            self._bar = self._open(count)
        else:
            if docs:
                self._bar.set_postfix_str(count, refresh=False)
            self._bar.update(size)

    def _open(self, count: str) -> Any:
        from tqdm import tqdm  # only when a bar is drawn

        # No monitor thread: with a second thread alive the cleaning pool could no longer fork its workers.
        tqdm.monitor_interval = 0
        return tqdm(
            postfix=count,
            total=self.total or None,
            initial=self.done,
            desc=self.label,
            unit="B",
            unit_scale=True,
            unit_divisor=1000,
            file=self.file if self.file is not None else sys.stderr,
            leave=False,
            dynamic_ncols=True,
            mininterval=self.INTERVAL,
        )

    def clear(self) -> None:
        """Take the bar off the screen for a message (it comes back at the next step)."""
        if self._bar is not None:
            self._bar.clear()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover


def plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


class Reporter:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def echo(self, message: str) -> None:
        self.progress.clear()
        click.echo(message, err=True)

    def problem(self, where: str, problem: str) -> None:
        self.echo(f"cleaner: {where}: {problem}")


def split_list(values: Sequence[str]) -> list[str]:
    items: list[str] = []
    for value in values:
        items.extend(part.strip() for part in value.split(",") if part.strip())
    return items


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that temporary files are cleaned up on the way out."""


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done: for steps that must happen together (a file put in place
    and counted), so that an interrupt cannot fall between them. A signal that came meanwhile is handled on the
    way out, by the handler the block found.

    Held by swapping the Python handlers for one that notes the signal, not by blocking it in this thread
    (`pthread_sigmask`): with `-j` the process has other threads (the worker pool's), the kernel hands a signal
    to one of them, and Python then runs its handler in the main thread, in the middle of the block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    found = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    held = {sig: handler for sig, handler in found.items() if handler is not None}  # None: set outside Python
    for sig in held:
        signal.signal(sig, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
        if came:
            signal.raise_signal(came[0])  # handled now, by the handler put back


def binary_stream(stream: Any) -> BinaryIO:
    """The byte stream under a text stream (sys.stdin, sys.stdout), or the stream itself if it is binary."""
    return getattr(stream, "buffer", stream)


def fail(ctx: click.Context, message: str) -> None:
    click.echo(f"cleaner: {message}", err=True)
    ctx.exit(EXIT_ERROR)


def stderr_is_tty() -> bool:
    return is_tty(sys.stderr)


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# --dask, on every command that reads a corpus (clean, dedup, learn).
dask_option = click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run on a Dask cluster: a scheduler address (tcp://HOST:8786), or local / local:N (a cluster of N "
    "worker processes on this machine, started and stopped by the command). The output is the same as without "
    "it. Inputs may be fsspec URLs (s3://, gs://, memory://...); needs the extra cleaner[dask].",
)


def open_cluster(ctx: click.Context, address: str | None, quiet: bool) -> Any:
    """The Dask client `--dask ADDRESS` asks for (None without it), closed when the command ends; an address that
    is none, or a cluster that cannot be reached, is one error line and exit 2."""
    if address is None:
        return None
    from ..dask.cluster import ClusterError, connect, settle_workers

    echo = None if quiet else (lambda message: click.echo(message, err=True))
    stack = contextlib.ExitStack()
    try:
        client = stack.enter_context(connect(address, echo))
    except (ValueError, ClusterError) as exc:
        stack.close()
        fail(ctx, str(exc))
    ctx.call_on_close(stack.close)
    settle_workers(client)
    return client
