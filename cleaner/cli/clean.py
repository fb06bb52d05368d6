"""`cleaner clean`: inputs -> events -> cleaning pool -> session (print, write, check, diff)."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import click

from .. import io as cio
from ..pipeline import clean as clean_page
from ..urls import is_url
from .common import (
    CONTEXT_SETTINGS,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Progress,
    Reporter,
    Terminated,
    binary_stream,
    dask_option,
    default_jobs,
    fail,
    is_tty,
    open_cluster,
    pack_option,
    pipeline_options,
    plural,
    rules_option,
    sigterm_raises,
    silence_stdout,
    split_list,
    stderr_is_tty,
    trust_clean_option,
)
from .pool import Cleaning, events
from .session import Claims, OutputStopped, Session, Settings


@click.command("clean", context_settings=CONTEXT_SETTINGS, short_help="Clean pages: print, write or check them.")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="Format of what goes to stdout (-o and --in-place keep each file's own format). text: the article "
    "(title, blank line, body); several documents each "
    "get a '==> ID <==' header. jsonl: one JSON object per document with id, title, text, kind, language, "
    "source, date, related and removed (and url, for WARC records).",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "text", "jsonl", "html", "warc"]),
    default="auto",
    show_default=True,
    help="How inputs are read. auto: .jsonl files as JSONL; .html, .htm (also .gz) as HTML pages; .warc, "
    ".warc.gz as WARC files (each HTML response record one document, id = its WARC-Record-ID, with its url); "
    "other files as text, or as HTML when they start like a page; stdin sniffed the same way. JSONL records "
    "need a 'text' or an 'html' field (html is cleaned when present); their other fields are kept.",
)
@click.option(
    "-o",
    "--output-dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=str),
    help="Write each input under DIR, by its name relative to the directory it was found in (a file "
    "argument: its base name), instead of printing. .txt inputs are written as text, .jsonl as JSONL; an HTML "
    "page as text under its name with .txt for its extension (a.html, a.htm.gz -> a.txt), a WARC file as JSONL "
    "(crawl.warc.gz -> crawl.jsonl).",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="Rewrite each input file that would change with its cleaned form (atomically; a compressed file is "
    "written back compressed the same way; a read-only file is an error and stays as it is). Not for HTML and "
    "WARC inputs (their cleaned form is text: use -o).",
)
@click.option(
    "--backup",
    is_flag=True,
    help="With --in-place: keep the original of each rewritten file beside it, under its name plus "
    "--backup-suffix (page.txt -> page.txt.orig). Files that do not change are not touched.",
)
@click.option(
    "--backup-suffix",
    default=cio.BACKUP_SUFFIX,
    show_default=True,
    metavar="SUFFIX",
    help="What --backup adds to a file's name.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; list each file that would change ('would clean PATH' on stderr) and exit 1 if any would.",
)
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of each file that would change.")
@click.option("--explain", is_flag=True, help="Print every removed line and the reason on stderr, per document.")
@rules_option
@pack_option
@click.option(
    "--learn",
    is_flag=True,
    help="First learn the chrome of these inputs (as 'cleaner learn' does, with its defaults), then clean them "
    "with the learned pack on top of the shipped packs and your --rules. Reads the inputs three times.",
)
@click.option("--no-density", is_flag=True, help="Turn off the density filters: only rule packs and segmentation.")
@trust_clean_option
@click.option(
    "--fix-text",
    is_flag=True,
    help="Repair mojibake before cleaning: text decoded with the wrong encoding somewhere upstream "
    "('CafÃ©' -> 'Café', 'donâ€™t' -> 'don’t'), with ftfy. Only encoding damage is touched.",
)
@click.option(
    "--skip-errors",
    is_flag=True,
    help="Inputs, JSONL lines and documents that cannot be read or cleaned are still reported, but do not make "
    "the exit status 2 (outputs that cannot be written still do).",
)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="LANGS",
    help="Keep only documents whose detected language is in this comma-separated list (e.g. en,de). Others are "
    "not printed or written (left untouched with --in-place) and counted at the end.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes (default: one per CPU). -j 1 cleans in this process. Output order is input order.",
)
@click.option(
    "--dedup",
    is_flag=True,
    help="Drop copies of a story already output (see 'cleaner dedup'): the first copy is kept, a later one is "
    "dropped when a kept copy is at least as long; not printed or written (left untouched with --in-place), "
    "counted at the end.",
)
@click.option(
    "--drop-listings",
    is_flag=True,
    help="Leave listing pages (tag or topic pages made only of teaser cards) out: not printed or written (left "
    "untouched with --in-place), each named on stderr ('dropped PATH: a listing page'), counted at the end. By "
    "default a listing's text is its title and a paragraph per card.",
)
@click.option(
    "--output-format",
    type=click.Choice(["jsonl", "parquet"]),
    default="jsonl",
    show_default=True,
    help="What -o writes. jsonl: each input's cleaned file (see -o). parquet: a dataset of every document "
    "under DIR (DIR may be a URL): the records --format jsonl prints, in parts of up to 100,000 documents "
    "(part-00000.parquet...), each written whole, then _manifest.json listing the parts and their documents.",
)
@dask_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line; errors are still shown.")
@click.pass_context
def clean_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    input_format: str,
    output_dir: str | None,
    in_place: bool,
    backup: bool,
    backup_suffix: str,
    check: bool,
    diff: bool,
    explain: bool,
    rule_files: tuple[str, ...],
    packs: tuple[str, ...],
    learn: bool,
    no_density: bool,
    trust_clean: bool,
    fix_text: bool,
    skip_errors: bool,
    langs: tuple[str, ...],
    jobs: int | None,
    dedup: bool,
    drop_listings: bool,
    output_format: str,
    dask_address: str | None,
    quiet: bool,
) -> None:
    """Clean pages: files, directories (their *.txt, *.jsonl, *.html, *.htm, *.html.gz, *.htm.gz, *.warc and
    *.warc.gz files, recursively, in sorted order) or standard input ('-', or no PATHS).

    By default the result goes to stdout; -o DIR and --in-place write files instead, --check and --diff only
    tell what would change. Compressed inputs (gzip, bzip2, xz, zstd; .txt.gz, .jsonl.zst...) are read
    decompressed, and written back compressed the same way. Errors (unreadable, binary, corrupt or missing
    inputs, invalid JSON lines) are reported one line each on stderr and the other inputs are still cleaned;
    the exit status is then 2 (0 with --skip-errors).

    \b
    Examples:
      cleaner clean page.txt other.txt            two articles, each under a '==> PATH <==' header
      cleaner clean -j 4 --lang en corpus/ -o clean/
      cleaner clean --format jsonl crawl.warc.gz > pages.jsonl
      cleaner clean --in-place --rules mysite.toml corpus/
      cleaner clean --learn corpus/ -o clean/     learn the corpus's own chrome, then clean with it
      cat pages.jsonl | cleaner clean --format jsonl --explain > clean.jsonl

    \b
    Exit status: 0 done; 1 --check found files that would change; 2 errors; 130 interrupted.
    """
    paths = paths or (cio.STDIN,)
    if output_dir is not None and in_place:
        raise click.UsageError("-o/--output-dir and --in-place are mutually exclusive.")
    if paths.count(cio.STDIN) > 1:
        raise click.UsageError("standard input ('-') can be read only once.")
    if cio.STDIN in paths and in_place:
        raise click.UsageError("--in-place cannot rewrite standard input.")
    if cio.STDIN in paths and output_dir is not None and not (check or diff):
        raise click.UsageError("-o/--output-dir needs file names: standard input has none.")
    if backup and not in_place:
        raise click.UsageError("--backup keeps the originals of files rewritten by --in-place; use it with --in-place.")
    if backup and (not backup_suffix or os.sep in backup_suffix or backup_suffix in (".", "..")):
        raise click.UsageError(f"--backup-suffix {backup_suffix!r}: give a suffix for a file name, such as .orig")

    parquet = output_format == "parquet"
    if parquet and (output_dir is None or check or diff):
        raise click.UsageError("--output-format parquet writes a dataset under -o DIR (not with --check or --diff).")
    if output_dir is not None and not (check or diff) and not is_url(output_dir):
        # A URL's store is checked when the first part is written; a local folder is checked here.
        _check_output_dir(ctx, paths, output_dir, input_format)

    options = pipeline_options(ctx, rule_files, packs, no_density, trust_clean, clean_page)

    lang_list = [lang.lower() for lang in split_list(langs)]
    settings = Settings(
        fmt="jsonl" if parquet else fmt,
        output_dir=None if parquet else output_dir,
        in_place=in_place,
        check=check,
        diff=diff,
        explain=explain,
        langs=frozenset(lang_list) if langs else None,
        lang_label=",".join(lang_list),
        quiet=quiet,
        backup=backup_suffix if backup else None,
        skip_errors=skip_errors,
        fix_text=fix_text,
        drop_listings=drop_listings,
    )
    exclude = [output_dir] if output_dir is not None and not settings.compare else []

    def inputs() -> Iterator[cio.Input | cio.Unreadable]:
        found = cio.discover(paths, input_format, exclude=exclude)  # type: ignore[arg-type]
        return _refuse_in_place(found) if in_place else found

    show_progress = not quiet and stderr_is_tty()
    reporter = Reporter(Progress(show_progress, None))
    stdin = binary_stream(sys.stdin) if cio.STDIN in paths else None
    stdout = binary_stream(sys.stdout)
    dataset = None
    if parquet:
        from ..parquet import ParquetParts

        assert output_dir is not None
        stdout = dataset = ParquetParts(output_dir)  # the records JSONL on stdout would be, as a dataset
    deduplicator = None
    if dedup:
        from ..dedup import Deduplicator

        deduplicator = Deduplicator()
    session = Session(settings, stdout, reporter, Claims(paths, input_format), deduplicator)  # type: ignore[arg-type]
    if stdin is not None and not quiet and is_tty(sys.stdin):
        reporter.echo("cleaner: reading pages from standard input (end with Ctrl-D)")
    client = open_cluster(ctx, dask_address, quiet)
    if learn:
        stdin = _learn_first(ctx, paths, input_format, stdin, options, exclude, show_progress, client)
    cleaning: Any
    if client is None:
        cleaning = Cleaning(options, jobs or default_jobs(), fix_text=fix_text, details=settings.reads_details)
    else:
        from ..dask.cleaning import DaskCleaning

        # The inputs' documents are rendered where they are cleaned, unless the session reads them (--dedup...).
        render = settings if settings.renders_anywhere and deduplicator is None else None
        cleaning = DaskCleaning(client, options, fix_text=fix_text, details=settings.reads_details, render=render)

    status = EXIT_OK
    interrupted = False
    files_total: int | None = None  # known when the progress bar's walk counted them
    try:
        with sigterm_raises():
            if show_progress and stdin is None:
                # a walk over the inputs' sizes first, so that the bar has an end
                for item in inputs():
                    if isinstance(item, cio.Input):
                        reporter.progress.total = (reporter.progress.total or 0) + (item.size or 0)
                        files_total = (files_total or 0) + 1
            # on a cluster the inputs are read where they are cleaned
            stream = cleaning.run(events(inputs(), stdin)) if client is None else cleaning.run_inputs(inputs(), stdin)
            for event in stream:
                session.handle(event)
            cleaning.close()
            status = session.finish()
            stdout.flush()
            if dataset is not None:
                dataset.close()  # the last part, then the manifest
    except (KeyboardInterrupt, Terminated) as exc:
        interrupted = True
        session.abandon()
        cleaning.close(kill=True)
        reporter.echo(f"cleaner: interrupted: {interrupted_progress(session.files_done, files_total, settings)}")
        status = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM
    except OutputStopped as exc:
        session.abandon()
        cleaning.close(kill=True)
        reporter.echo(f"cleaner: {exc} ({interrupted_progress(session.files_done, files_total, settings)})")
        status = EXIT_ERROR
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): stop quietly.
        session.abandon()
        cleaning.close(kill=True)
        silence_stdout()
        status = 128 + signal.SIGPIPE
    except OSError as exc:
        # stdout itself failed (a full disk...): nothing more can be delivered.
        session.abandon()
        cleaning.close(kill=True)
        reporter.echo(f"cleaner: cannot write the output ({cio.describe_os_error(exc)})")
        status = EXIT_ERROR
    finally:
        if not interrupted:
            cleaning.close(kill=True)
        cio.remove_temporaries()  # whatever an interrupt struck in the middle of creating
        reporter.progress.close()
    ctx.exit(status)


def _check_output_dir(ctx: click.Context, paths: tuple[str, ...], output_dir: str, input_format: str) -> None:
    """-o DIR, before anything is read: refused when it would overwrite the inputs themselves (that is
    --in-place, which must be asked for), or when nothing can be written there (one line, not one per file)."""
    out = os.path.realpath(output_dir)
    for path in paths:
        if path == cio.STDIN:
            continue
        real = os.path.realpath(path)
        if os.path.isdir(real):
            overwrites = real == out
        else:
            name = os.path.basename(real)
            same_name = cio.output_name(name, cio.format_of(name, input_format)) == name  # type: ignore[arg-type]
            overwrites = os.path.dirname(real) == out and same_name
        if overwrites:
            fail(ctx, f"-o {output_dir}: would overwrite the input {path} (to rewrite inputs, use --in-place)")
    try:
        os.makedirs(output_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=output_dir):
            pass
    except OSError as exc:
        fail(ctx, f"-o {output_dir}: cannot write there ({cio.describe_os_error(exc)})")


def interrupted_progress(done: int, total: int | None, settings: Settings) -> str:
    """How far an interrupted run got, and what that means for the files it did not reach."""
    files = f"{done} of {total} {plural(total, 'file')}" if total is not None else f"{done} {plural(done, 'file')}"
    if settings.in_place:
        return f"{files} done, the rest untouched"
    if settings.output_dir is not None and not settings.compare:
        return f"{files} written, the rest not"
    return f"{files} done"


def _refuse_in_place(found: Iterator[cio.Input | cio.Unreadable]) -> Iterator[cio.Input | cio.Unreadable]:
    """--in-place would replace a page's HTML (or a crawl's WARC) with text: those inputs are refused."""
    for item in found:
        if isinstance(item, cio.Input) and item.format in ("html", "warc"):
            yield cio.Unreadable(item.path, f"{item.format.upper()} input is not rewritten in place (use -o DIR)")
        else:
            yield item


def _learn_first(
    ctx: click.Context,
    paths: tuple[str, ...],
    input_format: str,
    stdin: BinaryIO | None,
    options: dict[str, Any],
    exclude: list[str],
    show_progress: bool,
    client: Any = None,
) -> BinaryIO | None:
    """`--learn`: learn over the inputs, write the pack to a temporary file that lives as long as the command,
    and add it to the options' rule files (after the user's). Standard input is spooled to a temporary file
    first, to be read once per pass and once more to clean. Returns the stream to clean standard input from."""
    from ..learn import LearnSettings
    from ..options import DEFAULT_PACKS
    from .learn import learn_inputs, spool_stdin

    folder = tempfile.TemporaryDirectory(prefix="cleaner-learn-")
    ctx.call_on_close(folder.cleanup)
    if stdin is not None:
        stdin = spool_stdin(stdin)
        ctx.call_on_close(stdin.close)
    settings = LearnSettings(packs=options.get("packs", DEFAULT_PACKS), rule_files=options["rule_files"])
    try:
        with sigterm_raises():
            if client is None:
                pack = learn_inputs(
                    paths,
                    input_format,  # type: ignore[arg-type]
                    stdin,
                    settings,
                    problem=lambda where, what: None,  # the cleaning pass reports them
                    show_progress=show_progress,
                    exclude=tuple(exclude),
                )
            else:  # on the cluster (--dask) too
                from ..dask.learn import learn_on_cluster

                pack = learn_on_cluster(
                    client,
                    lambda: cio.discover(paths, input_format, exclude=exclude),  # type: ignore[arg-type]
                    stdin,
                    settings,
                    problem=lambda where, what: None,
                    show_progress=show_progress,
                )
    except (KeyboardInterrupt, Terminated) as exc:
        click.echo("cleaner: interrupted", err=True)
        ctx.exit(EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM)
    path = os.path.join(folder.name, f"{settings.name}.toml")
    with open(path, "w", encoding="utf-8") as out:
        out.write(pack.to_toml())
    options["rule_files"] = (*options["rule_files"], path)
    if stdin is not None:
        stdin.seek(0)
    return stdin
