"""`cleaner dedup`: which inputs are copies of the same story (and, with an index, of stories already in the corpus).

Inputs -> events -> (cleaning pool, unless --no-clean) -> sketches -> `Deduplicator` -> the clusters, printed in
input order once every input is in (a representative is known only at the end). With an index, a file whose
size and mtime are as recorded is not read at all (its sketches come from the index), a changed file's
documents whose bytes are as recorded are not cleaned again, and the sketches of the inputs under the index's
root are written back; indexed documents sharing band keys with an input are candidates too.

The pieces `cleaner index` shares live here: the cleaning and dedup options, finding the corpus root, the
cleaning settings' fingerprint, the sketching flow and the index writer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from json.encoder import encode_basestring  # json.dumps of a str, without building an encoder
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import io as cio
from ..dedup.options import DEFAULT_DIR, DEFAULT_NAME, DedupOptions, default_path
from .common import (
    CONTEXT_SETTINGS,
    EXIT_CHANGED,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Progress,
    Reporter,
    Terminated,
    binary_stream,
    dask_option,
    fail,
    open_cluster,
    pack_option,
    pipeline_options,
    plural,
    rules_option,
    sigterm_raises,
    silence_stdout,
    stderr_is_tty,
    trust_clean_option,
)

if TYPE_CHECKING:
    from ..dedup import Deduplicator
    from ..dedup.index import Index

# --- options shared with `cleaner index` ---------------------------------------------------------------------

DEFAULTS = DedupOptions()


def cleaning_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How inputs are read and cleaned before they are compared (the options of `cleaner clean`)."""
    decorators = [
        click.option(
            "--input-format",
            type=click.Choice(["auto", "text", "jsonl"]),
            default="auto",
            show_default=True,
            help="How inputs are read (as in 'cleaner clean'): .jsonl files as JSONL records, others as one page.",
        ),
        click.option(
            "--no-clean",
            is_flag=True,
            help="The inputs are already clean: compare their text as it is (much faster).",
        ),
        rules_option,
        pack_option,
        click.option(
            "--no-density", is_flag=True, help="Clean without the density filters: only rule packs and segmentation."
        ),
        trust_clean_option,
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            metavar="N",
            help="Processes (default: one per CPU; with --no-clean, one per CPU the load average leaves idle).",
        ),
        click.option(
            "--shingle-size",
            type=click.IntRange(min=1),
            default=DEFAULTS.shingle_size,
            show_default=True,
            help="Words per shingle (recorded in an index: changing it needs another index).",
        ),
        click.option(
            "--index",
            "index_path",
            metavar="PATH",
            type=click.Path(path_type=str),
            callback=lambda ctx, param, value: index_file(value),
            help=f"The index: its file, or the corpus folder it was made for (its {DEFAULT_DIR}/{DEFAULT_NAME}). "
            "Default: the one at the corpus root.",
        ),
        click.option(
            "-q", "--quiet", is_flag=True, help="No progress bar and no summary line; errors are still shown."
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def index_file(path: str | None) -> str | None:
    """`--index PATH`: a folder (the corpus given to 'cleaner index') stands for the index file inside it."""
    if path is not None and os.path.isdir(path) and os.path.basename(os.path.normpath(path)) != DEFAULT_DIR:
        return default_path(path)
    if path is not None and os.path.isdir(path):
        return os.path.join(path, DEFAULT_NAME)  # the .cleaner folder itself
    return path


def cleaning_setup(
    ctx: click.Context,
    rule_files: Sequence[str],
    packs: Sequence[str],
    no_density: bool,
    no_clean: bool,
    trust_clean: bool,
) -> dict[str, Any] | None:
    """The options for `cleaner.clean` (None with --no-clean), checked once before any input is read."""
    if no_clean:
        return None
    from ..pipeline import clean as clean_page  # only now: with --no-clean nothing of the pipeline is loaded

    return pipeline_options(ctx, rule_files, packs, no_density, trust_clean, clean_page)


@functools.cache
def cleaning_digest() -> str:
    """A digest of cleaner's own files (code, shipped packs, density model): the version string alone stayed the
    same while what cleaning gives changed, and sketches recorded by another cleaner must not count as fresh."""
    return files_digest(Path(__file__).resolve().parent.parent)


def files_digest(package: Path) -> str:
    """A digest of the names and bytes of the sources and data files under `package` (not compiled bytecode)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".toml", ".json") and p.is_file()):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(options: dict[str, Any] | None, input_format: str) -> str:
    """What a stored sketch depends on besides the text: the cleaning (cleaner's own files, packs, rule files'
    bytes, density, trust in clean-looking text) and how inputs are split into documents. A file recorded
    with another fingerprint is read again."""
    if options is None:
        return f"raw/{input_format}"
    rules = []
    for path in options.get("rule_files", ()):
        with open(path, "rb") as handle:
            rules.append(hashlib.blake2b(handle.read(), digest_size=8).hexdigest())
    described = {
        "cleaner": cleaning_digest(),  # its version too: `__version__` is in cleaner/__init__.py
        "packs": list(options.get("packs", ())),
        "rules": rules,
        "density": options.get("density", True),
        "format": input_format,
    }
    if options.get("trust_clean"):
        described["trust_clean"] = True  # only when set: indexes made without it keep their fingerprint
    digest = hashlib.blake2b(json.dumps(described, sort_keys=True).encode(), digest_size=8).hexdigest()
    return f"clean/{digest}"


# --- the corpus root ---------------------------------------------------------------------------------------------


def common_parent(paths: Sequence[str]) -> str:
    dirs = []
    for path in paths:
        if path == cio.STDIN:
            continue
        real = os.path.realpath(path)
        dirs.append(real if os.path.isdir(real) else os.path.dirname(real))
    if not dirs:
        return os.getcwd()
    return os.path.commonpath(dirs)


def find_root(paths: Sequence[str]) -> tuple[str, bool]:
    """The corpus root for `paths`: walking up from their common parent directory, the first directory holding
    an index (`.cleaner/index.sqlite`) or a git repository (`.git`); else the common parent itself. The flag
    tells whether an index exists there."""
    start = common_parent(paths)
    here = start
    while True:
        if os.path.isfile(default_path(here)):
            return here, True
        if os.path.exists(os.path.join(here, ".git")):
            return here, False
        parent = os.path.dirname(here)
        if parent == here:
            return start, False
        here = parent


def open_index(ctx: click.Context, path: str, options: DedupOptions, root: str | None) -> Index:
    from ..dedup.index import Index, IndexProblem

    try:
        return Index(path, options, root=root)
    except (IndexProblem, OSError) as exc:
        problem = str(exc) if isinstance(exc, IndexProblem) else f"{path}: {cio.describe_os_error(exc)}"
        fail(ctx, problem)
        raise  # not reached: fail exits


# --- git (the pre-commit hook) -------------------------------------------------------------------------------------


def git_files(ctx: click.Context, inputs: Sequence[str]) -> tuple[str, list[str]]:
    """The top of the git work tree around the current directory and its tracked files a directory walk would
    pick up (*.txt, *.jsonl) or with an input's extension, relative to the top."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True
        ).stdout.strip()
        listed = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True, cwd=top).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.strip() if isinstance(exc, subprocess.CalledProcessError) and exc.stderr else exc
        fail(ctx, f"--git: not inside a git work tree ({str(detail).strip() or 'git failed'})")
        raise
    suffixes = set(cio.SUFFIXES) | {os.path.splitext(path)[1].lower() for path in inputs if os.path.splitext(path)[1]}
    names = [name for name in listed.decode("utf-8", "surrogateescape").split("\0") if name]
    return top, [name for name in names if os.path.splitext(name)[1].lower() in suffixes]


# --- the command -----------------------------------------------------------------------------------------------


@click.command("dedup", context_settings=CONTEXT_SETTINGS, short_help="Find copies of the same story.")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="text: a table, one row per document in input order. jsonl: one object per input document, in input "
    "order: id, cluster (the representative's id), duplicate_of (null for a representative), similarity (to "
    "the representative).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Print nothing on stdout; for each input that duplicates an earlier input or an indexed document, print "
    "'PATH: duplicate of OTHER (similarity S)' on stderr, and exit 1 if there is any.",
)
@click.option(
    "--git",
    "use_git",
    is_flag=True,
    help="Compare with the files tracked by git too (its *.txt and *.jsonl files), through the index at the top "
    "of the work tree (created and brought up to date as needed). What the cleaner-dedup pre-commit hook runs.",
)
@click.option("--no-index", is_flag=True, help="Do not use an index even if there is one: compare the inputs only.")
@click.option(
    "--jaccard",
    type=click.FloatRange(0, 1),
    default=DEFAULTS.jaccard,
    show_default=True,
    help="A pair whose estimated Jaccard similarity of shingles reaches this is a duplicate.",
)
@click.option(
    "--containment",
    type=click.FloatRange(0, 1),
    default=DEFAULTS.containment,
    show_default=True,
    help="So is a pair where this share of the shorter text's shingles is in the other (a trimmed copy)...",
)
@click.option(
    "--min-words",
    type=click.IntRange(min=0),
    default=DEFAULTS.min_words,
    show_default=True,
    help="... when the shorter text has at least this many words. A text shorter than this is never a duplicate "
    "(a line or two: an error page, a caption).",
)
@click.option(
    "--shift",
    type=click.IntRange(min=0),
    default=DEFAULTS.shift,
    show_default=True,
    help="Most of the shared text must stand within this many words of the same place in both (copies differ at "
    "the top by a dateline, a title, a byline); a page carrying the other story as a card further down does not.",
)
@cleaning_options
@dask_option
@click.pass_context
def dedup_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    check: bool,
    use_git: bool,
    no_index: bool,
    jaccard: float,
    containment: float,
    min_words: int,
    shift: int,
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
    dask_address: str | None,
) -> None:
    """Find the documents that are copies of the same story: files, directories (their *.txt and *.jsonl files)
    or standard input ('-', or no PATHS).

    Each input is cleaned first (the pipeline of 'cleaner clean'; --no-clean when the inputs are already clean),
    then compared by word shingles, MinHash and LSH: a pair is a duplicate when its estimated Jaccard similarity
    reaches --jaccard, or when --containment of the shorter text is in the other (a copy that was trimmed), and
    the shared text stands at about the same place in both (a page that carries another story as a card further
    down is not its copy). Each cluster's representative is its most complete copy (most words; ties: the first
    seen), and every other member was verified against it: no chaining through a third page.

    With an index (found at the corpus root, or --index PATH; made by 'cleaner index'), unchanged files are not
    read again, the inputs' sketches are recorded, and the indexed documents are candidates too: a new file is
    checked against the whole corpus without reading it. The root is the nearest directory at or above the
    inputs' common parent that holds .cleaner/index.sqlite or .git.

    \b
    Examples:
      cleaner dedup corpus/                       a table: each document, its cluster, similarity
      cleaner dedup --format jsonl corpus/ > clusters.jsonl
      cleaner dedup --no-clean clean/             already-clean text: no cleaning, much faster
      cleaner dedup --check new/*.txt             exit 1 if a new file copies another or an indexed one
      cleaner dedup --check --git FILES           the pre-commit hook: FILES against each other and the repository

    \b
    Exit status: 0 done (duplicates or not, unless --check); 1 --check found a duplicate; 2 errors (an input
    could not be read or cleaned, a bad index, a usage error); 130 interrupted.
    """
    from ..dedup import Deduplicator
    from .sketching import IndexSource, Problem, Sketcher, Writer, sketching_jobs, sync_tracked

    paths = paths or (cio.STDIN,)
    if paths.count(cio.STDIN) > 1:
        raise click.UsageError("standard input ('-') can be read only once.")
    if use_git and no_index:
        raise click.UsageError("--git needs the index: it cannot go with --no-index.")
    if dask_address is not None and (use_git or index_path is not None):
        raise click.UsageError("--dask compares the inputs only: it does not go with --index or --git.")
    options = DedupOptions(
        shingle_size=shingle_size, jaccard=jaccard, containment=containment, min_words=min_words, shift=shift
    )
    clean_options = cleaning_setup(ctx, rule_files, packs, no_density, no_clean, trust_clean)
    client = open_cluster(ctx, dask_address, quiet)
    if client is not None:
        no_index = True  # on a cluster the index is not read or written (see cleaner.dask.dedup)
    setting = fingerprint(clean_options, input_format)
    show_progress = not quiet and stderr_is_tty()
    reporter = Reporter(Progress(show_progress, None, "comparing"))
    if show_progress and cio.STDIN not in paths and not use_git:
        reporter.progress.total = input_bytes(paths, input_format)  # a walk first, so that the bar has an end

    index: Index | None = None
    tracked: list[str] | None = None
    if use_git:
        top, tracked = git_files(ctx, paths)
        index = open_index(ctx, index_path or default_path(top), options, top)
    elif index_path is not None and not no_index:
        if check and not os.path.isfile(index_path):
            fail(ctx, f"--index {index_path}: no index there (build one with 'cleaner index CORPUS')")
        index = open_index(ctx, index_path, options, find_root(paths)[0])
    elif not no_index and any(path != cio.STDIN for path in paths):
        root, exists = find_root(paths)
        if exists:
            index = open_index(ctx, default_path(root), options, root)
    if check and index is None and not no_index:
        # --check against no corpus would pass every copy of a story the corpus holds: say so, never a silent 0.
        where = (
            "for standard input" if all(path == cio.STDIN for path in paths) else f"at or above {find_root(paths)[0]}"
        )
        fail(
            ctx,
            f"--check: no index found {where}; give the corpus with --index CORPUS (after 'cleaner index CORPUS'), "
            "or --no-index to compare the inputs with each other only",
        )

    status = EXIT_OK
    dedup: Deduplicator | None = None
    sketcher: Any = None  # a Sketcher, or a DaskSketching under --dask
    errors = 0
    matches: list[tuple[str, Any, float]] = []
    documents_read = 0
    writer: Writer | None = None
    try:
        with sigterm_raises():
            writer = Writer(index)
            exclude: set[str] = set()
            if index is not None:
                for item in cio.discover(paths, input_format):  # type: ignore[arg-type]
                    if isinstance(item, cio.Input) and item.fspath is not None:
                        rel = index.relative(item.fspath)
                        if rel is not None:
                            exclude.add(rel)
            if index is not None and tracked is not None:
                errors += sync_tracked(index, tracked, exclude, clean_options, jobs, setting, writer, reporter)
            source = IndexSource(index, exclude, setting, writer) if index is not None else None
            dedup = Deduplicator(options, source=source)
            stdin = binary_stream(sys.stdin) if cio.STDIN in paths else None
            found = cio.discover(paths, input_format)  # type: ignore[arg-type]
            if client is None:
                jobs = sketching_jobs(jobs, clean_options is not None)
                sketcher = Sketcher(dedup, clean_options, jobs, index, setting, writer, reporter.progress)
            else:
                from ..dask.dedup import DaskSketching

                sketcher = DaskSketching(client, clean_options, options, reporter.progress)
            batch: list[Any] = []  # documents are added a batch at a time: their candidates verified at once
            for item in sketcher.run(found, stdin):
                if isinstance(item, Problem):
                    errors += item.error
                    reporter.problem(item.where, item.message)
                    continue
                batch.append(item)
                documents_read += 1
                if len(batch) >= ADD_BATCH:
                    matches.extend(add_batch(dedup, batch))
                    batch = []
            matches.extend(add_batch(dedup, batch))
            writer.flush()
            reporter.progress.close()
            stdout = binary_stream(sys.stdout)
            if check:
                for label, other, similarity in matches:
                    reporter.echo(f"{label}: duplicate of {other} (similarity {similarity:.2f})")
            else:
                write_assignments(dedup, fmt, stdout)
                stdout.flush()
            if not quiet:
                reporter.echo(summary(dedup, errors))
            status = EXIT_ERROR if errors else EXIT_CHANGED if check and matches else EXIT_OK
    except (KeyboardInterrupt, Terminated) as exc:
        if sketcher is not None:
            sketcher.close(kill=True)
        kept = (
            f"; {writer.written} {plural(writer.written, 'file')} recorded in the index"
            if index is not None and writer is not None
            else ""
        )
        reporter.echo(
            f"cleaner: interrupted: {documents_read} {plural(documents_read, 'document')} read, no clusters written "
            f"(they are written once every input is read){kept}"
        )
        status = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM
    except BrokenPipeError:
        silence_stdout()
        status = 128 + signal.SIGPIPE
    except OSError as exc:
        reporter.echo(f"cleaner: {cio.describe_os_error(exc)}")
        status = EXIT_ERROR
    finally:
        if sketcher is not None:
            sketcher.close(kill=True)
        if index is not None:
            with contextlib.suppress(Exception):
                index.close()
        reporter.progress.close()
    ctx.exit(status)


ADD_BATCH = 64


def input_bytes(paths: Sequence[str], input_format: str) -> int:
    """The size of every input found under `paths`: the progress bar's total."""
    return sum(item.size or 0 for item in cio.discover(paths, input_format) if isinstance(item, cio.Input))  # type: ignore[arg-type]


def add_batch(dedup: Deduplicator, batch: list[Any]) -> Iterator[tuple[str, Any, float]]:
    """Add sketched documents; (label, the document it duplicates, similarity) of each duplicate."""
    found = dedup.add_batch([(item.id, item.sketch, item.keys) for item in batch])
    for item, match in zip(batch, found, strict=True):
        if match is not None:
            yield item.label, match.id, match.similarity


def summary(dedup: Deduplicator, errors: int) -> str:
    rows = list(dedup.assignments())
    duplicates = sum(1 for row in rows if row.duplicate_of is not None)
    stories = len(rows) - duplicates
    return (
        f"compared {len(rows)} {plural(len(rows), 'document')}: {stories} {'story' if stories == 1 else 'stories'}, "
        f"{duplicates} {plural(duplicates, 'duplicate')}, {errors} {plural(errors, 'error')}"
    )


def jsonl_row(row: Any) -> bytes:
    """One line of the output contract: `cio.jsonl_line` of {id, cluster, duplicate_of, similarity}, written
    from a template when the ids are strings without characters it escapes (the usual case: much faster)."""
    doc_id, cluster, other = row.id, row.cluster, row.duplicate_of
    if type(doc_id) is str and type(cluster) is str and (other is None or type(other) is str):
        duplicate_of = "null" if other is None else encode_basestring(other)
        line = (
            f'{{"id": {encode_basestring(doc_id)}, "cluster": {encode_basestring(cluster)}, '
            f'"duplicate_of": {duplicate_of}, "similarity": {row.similarity!r}}}\n'
        )
        if line.isascii():
            return line.encode("ascii")
    record = {"id": doc_id, "cluster": cluster, "duplicate_of": other, "similarity": row.similarity}
    return cio.jsonl_line(record)


def write_assignments(dedup: Deduplicator, fmt: str, stdout: Any) -> None:
    rows = list(dedup.assignments())
    if fmt == "jsonl":
        stdout.write(b"".join(map(jsonl_row, rows)))
        return
    if not rows:
        return
    ids = [str(row.id) for row in rows]
    clusters = [str(row.cluster) for row in rows]
    # Columns as wide as their longest entry: header and rows line up whatever the ids' length.
    width = max(len("DOCUMENT"), *map(len, ids))
    cwidth = max(len("CLUSTER"), *map(len, clusters))
    lines = [f"{'DOCUMENT':<{width}}  {'CLUSTER':<{cwidth}}  SIMILARITY"]
    for row, shown, cluster in zip(rows, ids, clusters, strict=True):
        similarity = "representative" if row.duplicate_of is None else f"{row.similarity:.2f}"
        lines.append(f"{shown:<{width}}  {cluster:<{cwidth}}  {similarity}")
    stdout.write(("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))
