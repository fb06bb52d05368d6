"""`cleaner learn`: learn a corpus's chrome (two passes over its inputs) and write it as a rule pack.

Also the reading half of `cleaner clean --learn`: `learn_inputs` runs both passes over the same inputs the
cleaning will read.
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import click

from .. import io as cio
from ..learn import CorpusPage, LearnedPack, Learner, LearnSettings
from ..options import DEFAULT_PACKS
from ..rules import SelectorRule, load_rules
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
    fail,
    open_cluster,
    plural,
    sigterm_raises,
    split_list,
    stderr_is_tty,
)

Problem = Callable[[str, str], None]


# --- pages and their sites ---------------------------------------------------------------------------------------


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def site_of(source: cio.Input, record: dict[str, Any] | None = None) -> str:
    """The site a page belongs to: a JSONL record's `site` field, else the host of its `url`, else its `source`
    field; otherwise (a text file, or a record with none of them) the directory its file is in."""
    if record is not None:
        site = record.get("site")
        if isinstance(site, str) and site.strip():
            return site.strip()
        url = record.get("url")
        if isinstance(url, str) and (host := _host(url)):
            return host
        origin = record.get("source")
        if isinstance(origin, str) and origin.strip():
            return origin.strip()
    if source.is_stdin:
        return cio.STDIN
    folder = source.path.rstrip("/").rpartition("/")[0]
    return folder or "."


def html_lines(html: str | bytes, charset: str | None, selectors: tuple[SelectorRule, ...]) -> str:
    """An HTML page as the lines the learner reads: the text of each block element on a line of its own, after
    the packs' selectors and the invisible elements are gone (the HTML path's DOM fallback form)."""
    from ..html.blocks import text_blocks
    from ..html.decode import decode_html
    from ..html.prepass import prepare

    return "\n".join(text_blocks(prepare(decode_html(html, charset), selectors).tree.body))


def read_pages(
    paths: tuple[str, ...],
    input_format: cio.InputFormat,
    stdin: BinaryIO | None,
    problem: Problem,
    progress: Progress,
    *,
    exclude: tuple[str, ...] = (),
    selectors: tuple[SelectorRule, ...] = (),
) -> Iterator[CorpusPage]:
    """The pages of the inputs, in input order, each with its label (PATH, PATH:LINE for a JSONL record, PATH:ID
    for a WARC record) and site. HTML (a file, a WARC record, a record's `html` field) is read as its text
    blocks (`html_lines`, after `selectors`). Inputs and lines that cannot be read are reported through
    `problem(where, what)` and skipped."""
    for item in cio.discover(paths, input_format, exclude=exclude):
        if isinstance(item, cio.Unreadable):
            problem(item.path, item.problem)
            continue
        yield from input_pages(item, stdin, problem, progress, selectors)


def input_pages(
    item: cio.Input,
    stdin: BinaryIO | None,
    problem: Problem,
    progress: Progress,
    selectors: tuple[SelectorRule, ...],
    opened: cio.Opened | None = None,
) -> Iterator[CorpusPage]:
    """The pages of one input (`opened`: a part of it opened already, such as a block of a JSONL file)."""
    if opened is None:
        try:
            opened = cio.open_input(item, stdin)
        except cio.InputError as exc:
            problem(item.path, str(exc))
            return
    if isinstance(opened, cio.TextInput):
        progress.advance(len(opened.raw), 1)
        yield CorpusPage(item.path, site_of(item), opened.text)
    elif isinstance(opened, cio.HtmlInput):
        progress.advance(len(opened.raw), 1)
        yield CorpusPage(item.path, site_of(item), html_lines(opened.raw, None, selectors))
    elif isinstance(opened, cio.WarcInput):
        yield from _warc_pages(item, opened, problem, progress, selectors)
    else:
        yield from _jsonl_pages(item, opened, problem, progress, selectors)


def _warc_pages(
    item: cio.Input, opened: cio.WarcInput, problem: Problem, progress: Progress, selectors: tuple[SelectorRule, ...]
) -> Iterator[CorpusPage]:
    with opened:
        try:
            for page in opened:
                progress.advance(len(page.html), 1)
                site = site_of(item, {"url": page.url})
                yield CorpusPage(f"{item.path}:{page.id}", site, html_lines(page.html, page.charset, selectors))
        except cio.InputError as exc:
            problem(item.path, str(exc))


def _jsonl_pages(
    item: cio.Input, opened: cio.JsonlInput, problem: Problem, progress: Progress, selectors: tuple[SelectorRule, ...]
) -> Iterator[CorpusPage]:
    with opened:
        try:
            for line in opened:
                progress.advance(line.size, int(line.kind == "record"))
                if line.kind == "invalid":
                    problem(f"{item.path}:{line.lineno}", line.problem or "invalid JSON")
                record = line.record
                if line.kind != "record" or record is None:
                    continue
                html = record.get("html")
                text = html_lines(html, None, selectors) if isinstance(html, str) else record.get("text")
                if isinstance(text, str):
                    yield CorpusPage(f"{item.path}:{line.lineno}", site_of(item, record), text)
        except cio.InputError as exc:
            problem(item.path, str(exc))


def spool_stdin(stream: BinaryIO) -> BinaryIO:
    """Standard input copied to a temporary file, so that it can be read once per pass."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- the caller closes it
    shutil.copyfileobj(stream, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def input_bytes(paths: tuple[str, ...], input_format: cio.InputFormat, exclude: tuple[str, ...] = ()) -> int:
    """The inputs' total size, for the progress bar's end."""
    found = cio.discover(paths, input_format, exclude=exclude)
    return sum(item.size or 0 for item in found if isinstance(item, cio.Input))


def learn_inputs(
    paths: tuple[str, ...],
    input_format: cio.InputFormat,
    stdin: BinaryIO | None,
    settings: LearnSettings,
    *,
    problem: Problem,
    show_progress: bool,
    exclude: tuple[str, ...] = (),
) -> LearnedPack:
    """Both passes over the inputs (`stdin`, if read, must be seekable: see `spool_stdin`)."""
    learner = Learner(settings)
    selectors = load_rules(settings.packs, settings.rule_files).selectors
    total = input_bytes(paths, input_format, exclude) if show_progress and stdin is None else None
    quiet: Problem = lambda where, what: None  # noqa: E731 -- the second pass meets the same problems again
    for number, (reporter, add) in enumerate(((problem, learner.count), (quiet, learner.observe)), start=1):
        if stdin is not None:
            stdin.seek(0)
        progress = Progress(show_progress, total, f"learning, pass {number} of 2", item="page")
        try:
            for page in read_pages(
                paths, input_format, stdin, reporter, progress, exclude=exclude, selectors=selectors
            ):
                add(page)
        finally:
            progress.close()
    return learner.result()


# --- the command ---------------------------------------------------------------------------------------------------


@click.command("learn", context_settings=CONTEXT_SETTINGS, short_help="Learn a corpus's chrome as a rule pack.")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    help="Write the pack to FILE (atomically) instead of standard output.",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "text", "jsonl", "html", "warc"]),
    default="auto",
    show_default=True,
    help="How inputs are read, as for 'cleaner clean'.",
)
@click.option(
    "--min-docs",
    type=click.IntRange(min=2),
    default=LearnSettings.min_docs,
    show_default=True,
    metavar="N",
    help="A line is learnt only when it stands on at least N pages of its site...",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0.0, 1.0),
    default=LearnSettings.min_share,
    show_default=True,
    metavar="SHARE",
    help="... and on at least this share of them (0.1: a tenth), so the bar rises with the site.",
)
@click.option(
    "--name",
    default=LearnSettings.name,
    show_default=True,
    help="The pack's name: removal reasons read NAME/<site>:<n>.",
)
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="NAME",
    help="The shipped packs the pack will be used with (default: the default set); lines they remove already "
    "are not learnt. Repeatable, or comma-separated.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    metavar="FILE",
    help="A pack of your own the learned pack will be used with; lines it removes are not learnt. Repeatable.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line; errors are still shown.")
@dask_option
@click.pass_context
def learn_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    output: str | None,
    input_format: str,
    min_docs: int,
    min_share: float,
    name: str,
    packs: tuple[str, ...],
    rule_files: tuple[str, ...],
    quiet: bool,
    dask_address: str | None,
) -> None:
    """Learn the chrome of a corpus from the corpus itself, and write it as a rule pack.

    Chrome gives itself away: the same lines (a menu, an app banner, "Was this summary helpful?", a footer)
    stand on many pages of a site, while an article's sentences stand on one. The inputs (files, directories,
    standard input; text, JSONL, HTML or WARC, as for 'cleaner clean'; HTML is read as its text blocks) are read
    twice. A page's site is its JSONL record's 'site' field, else the host of its 'url' (a WARC record's too),
    else its 'source'; otherwise the directory its file is in.

    A line is learnt when it stands on at least --min-docs pages and --min-share of its site's, unless it is a
    story's (it repeats together with the rest of its article: syndicated copies, a popular story's teaser),
    a part of teaser cards, removed by the shipped packs already, or removed by the cleaner anyway (it cleans
    a sample of each site's pages in full to see). Each rule says on how many pages it stands, one of them, and
    where: head, body or tail chrome (a drop), or the line above the site's teaser cards (a truncate or rail
    marker). Review the pack, then apply it with 'cleaner clean --rules FILE'.

    \b
    Examples:
      cleaner learn corpus/ -o learned.toml         learn, then review learned.toml
      cleaner clean --rules learned.toml new/       apply it to new pages of the same sites
      cleaner clean --learn corpus/ -o clean/       both in one go

    \b
    Exit status: 0 done; 2 some input could not be read (the pack is learnt from the rest) or usage errors.
    """
    paths = paths or (cio.STDIN,)
    if paths.count(cio.STDIN) > 1:
        raise click.UsageError("standard input ('-') can be read only once.")
    try:
        settings = LearnSettings(
            min_docs=min_docs,
            min_share=min_share,
            name=name,
            packs=tuple(split_list(packs)) or DEFAULT_PACKS,
            rule_files=tuple(rule_files),
        )
        load_rules(settings.packs, settings.rule_files)  # a broken pack is an error before any input is read
    except (ValueError, OSError) as exc:
        fail(ctx, str(exc).strip("'\"") or type(exc).__name__)

    status = EXIT_OK
    show_progress = not quiet and stderr_is_tty()
    reporter = Reporter(Progress(False, None))

    def problem(where: str, what: str) -> None:
        nonlocal status
        status = EXIT_ERROR
        reporter.problem(where, what)

    client = open_cluster(ctx, dask_address, quiet)
    stdin = None
    try:
        with sigterm_raises():
            if cio.STDIN in paths:
                stdin = spool_stdin(binary_stream(sys.stdin))
            if client is None:
                pack = learn_inputs(
                    paths,
                    input_format,
                    stdin,
                    settings,
                    problem=problem,
                    show_progress=show_progress,  # type: ignore[arg-type]
                )
            else:
                from ..dask.learn import learn_on_cluster

                pack = learn_on_cluster(
                    client,
                    lambda: cio.discover(paths, input_format),  # type: ignore[arg-type]
                    stdin,
                    settings,
                    problem=problem,
                    show_progress=show_progress,
                    total=input_bytes(paths, input_format) if show_progress and stdin is None else None,
                )
            text = pack.to_toml()
            if output is None or output == cio.STDIN:
                click.echo(text, nl=False)
            else:
                cio.write_atomic(output, text.encode("utf-8"))
    except (KeyboardInterrupt, Terminated) as exc:
        reporter.echo("cleaner: interrupted")
        ctx.exit(EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM)
    except OSError as exc:
        reporter.echo(f"cleaner: {output or 'stdout'}: cannot write the pack ({cio.describe_os_error(exc)})")
        ctx.exit(EXIT_ERROR)
    finally:
        if stdin is not None:
            stdin.close()
    if not quiet:
        reporter.echo(_summary(pack, output))
    ctx.exit(status)


def _summary(pack: LearnedPack, output: str | None) -> str:
    rules = len(pack.rules)
    sites = len(pack.sites)
    text = (
        f"cleaner: learnt {rules} {plural(rules, 'rule')} from {pack.documents} {plural(pack.documents, 'page')} "
        f"of {sites} {plural(sites, 'site')}"
    )
    if pack.left_out:
        text += "; left out " + ", ".join(f"{count} {reason}" for reason, count in sorted(pack.left_out.items()))
    if output and output != cio.STDIN:
        text += f" -> {output}"
    return text
