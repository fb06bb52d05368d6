"""`cleaner index`: build, update and describe the persistent dedup index of a corpus."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from .. import io as cio
from ..dedup.options import DedupOptions, default_path
from .common import (
    CONTEXT_SETTINGS,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Progress,
    Reporter,
    Terminated,
    fail,
    human_bytes,
    plural,
    sigterm_raises,
    stderr_is_tty,
)
from .dedup import cleaning_options, cleaning_setup, find_root, fingerprint, input_bytes, open_index

if TYPE_CHECKING:
    from ..dedup.index import Index, Stats
    from .sketching import Writer


@click.command("index", context_settings=CONTEXT_SETTINGS, short_help="Build or update the dedup index.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--stats", is_flag=True, help="Only show what the index holds; read no input.")
@click.option("--rebuild", is_flag=True, help="Forget everything recorded and read and clean every file again.")
@cleaning_options
@click.pass_context
def index_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    stats: bool,
    rebuild: bool,
    input_format: str,
    no_clean: bool,
    rule_files: tuple[str, ...],
    packs: tuple[str, ...],
    no_density: bool,
    trust_clean: bool,
    jobs: int | None,
    shingle_size: int,
    index_path: str | None,
    quiet: bool,
) -> None:
    """Record the sketches of a corpus's documents (files, directories: their *.txt and *.jsonl files) in the
    index that 'cleaner dedup' uses, so that new files are checked against the corpus without reading it again.

    The index is .cleaner/index.sqlite at the corpus root unless --index PATH: the nearest directory at or
    above the paths' common parent (default: the current directory) that holds one, or a git work tree's top,
    else that common parent. A file whose size and mtime are as recorded is not read; a changed one is read and
    only its changed documents are cleaned again; an indexed file that is no longer under a directory given is
    dropped. Two runs may overlap: each writes in short transactions.

    \b
    Examples:
      cleaner index                               the corpus around the current directory
      cleaner index corpus/ --no-clean            already-clean text
      cleaner index --stats                       files, documents, band keys, size

    \b
    Exit status: 0 done; 2 errors (an input could not be read or cleaned, a bad index, a usage error);
    130 interrupted.
    """
    from ..dedup.index import IndexProblem
    from .sketching import Writer, sync

    targets = paths or (os.curdir,)
    root, _ = find_root(targets)
    path = index_path or default_path(root)
    options = DedupOptions(shingle_size=shingle_size)
    if stats:
        if not os.path.exists(path):
            fail(
                ctx,
                f"{path}: no index there (build one with 'cleaner index CORPUS'; or give its corpus: "
                "'cleaner index --stats CORPUS')",
            )
        with open_index(ctx, path, options, root) as index:
            click.echo(describe(index.stats()))
        ctx.exit(EXIT_OK)
    clean_options = cleaning_setup(ctx, rule_files, packs, no_density, no_clean, trust_clean)
    setting = fingerprint(clean_options, input_format)
    reporter = Reporter(Progress(not quiet and stderr_is_tty(), None, "indexing"))
    if not any(os.path.exists(target) for target in targets):
        # Nothing to index: make no index either (a mistyped path must not leave one at its parent, where every
        # later run below it would find it as the corpus root).
        for target in targets:
            stdin = target == cio.STDIN
            reporter.problem(target, "standard input cannot be indexed" if stdin else "no such file or directory")
        ctx.exit(EXIT_ERROR)
    if not os.path.exists(path) and not any(
        isinstance(item, cio.Input) for item in cio.discover(targets, input_format)
    ):  # type: ignore[arg-type]
        # No page under the paths (a folder of .csv and .md files): no new index for nothing either.
        for item in cio.discover(targets, input_format):  # type: ignore[arg-type]
            if isinstance(item, cio.Unreadable):
                reporter.problem(item.path, item.problem)
        ctx.exit(EXIT_ERROR)
    if reporter.progress.enabled:
        reporter.progress.total = input_bytes(targets, input_format)
    index = open_index(ctx, path, options, root)
    status = EXIT_OK
    writer: Writer | None = None
    try:
        with sigterm_raises():
            if rebuild:
                index.rebuild()
            writer = Writer(index)
            seen: set[str] = set()
            errors = sync(
                index,
                _walk(index, targets, input_format, seen),
                clean_options,
                jobs,
                setting,
                writer,
                reporter,
                input_format,
            )
            removed = _prune(index, targets, seen, writer)
            writer.flush()
            if not quiet:
                reporter.echo(
                    f"indexed {len(seen)} {plural(len(seen), 'file')} ({writer.written} read, {removed} removed, "
                    f"{errors} {plural(errors, 'error')})\n{describe(index.stats())}"
                )
            status = EXIT_ERROR if errors else EXIT_OK
    except (KeyboardInterrupt, Terminated) as exc:
        # What was committed stays: each file's record is written whole in its own batch's transaction.
        recorded = writer.written if writer is not None else 0
        reporter.echo(
            f"cleaner: interrupted: {recorded} {plural(recorded, 'file')} recorded in the index, the rest not "
            "(run it again to finish)"
        )
        status = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM
    except (IndexProblem, OSError) as exc:
        reporter.echo(f"cleaner: {exc if isinstance(exc, IndexProblem) else cio.describe_os_error(exc)}")
        status = EXIT_ERROR
    finally:
        with contextlib.suppress(Exception):
            index.close()
        reporter.progress.close()
    ctx.exit(status)


def _walk(index: Index, targets: tuple[str, ...], input_format: str, seen: set[str]) -> Iterator[str]:
    """The files under the targets (as `discover` finds them), noting each one's path relative to the root."""
    for item in cio.discover(targets, input_format):  # type: ignore[arg-type]
        if isinstance(item, cio.Input) and item.fspath is not None:
            rel = index.relative(item.fspath)
            if rel is not None:
                seen.add(rel)
            yield item.fspath
        else:
            yield item.path  # discover reports it again, with its problem


def _prune(index: Index, targets: tuple[str, ...], seen: set[str], writer: Writer) -> int:
    """Drop the recorded files under each directory given that the walk no longer found."""
    from ..dedup.index import Remove

    removed = 0
    for target in targets:
        if not os.path.isdir(target):
            continue
        real = os.path.realpath(target)
        under = "" if real == index.root else index.relative(real)
        if under is None:
            continue
        for path in list(index.paths(under)):
            if path not in seen:
                writer(Remove(path))
                removed += 1
    return removed


def describe(stats: Stats) -> str:
    structure = ", ".join(f"{key} {value}" for key, value in stats.structure.items())
    return (
        f"index {stats.path} (schema {stats.schema_version}; {structure})\n"
        f"root {stats.root}\n"
        f"{stats.files} {plural(stats.files, 'file')}, {stats.docs} {plural(stats.docs, 'document')}, "
        f"{stats.bands} band keys, {human_bytes(stats.bytes)}"
    )
