"""What happens to each cleaned document: printed, written to a file (atomically), checked or diffed; counted."""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import click

from .. import io as cio
from ..document import Document
from ..urls import UrlAtomicFile, is_url
from .common import EXIT_CHANGED, EXIT_ERROR, EXIT_OK, Reporter, plural, signals_held
from .pool import Begin, Doc, End, Event, Pass, Rendered

# --- what happens to each result -----------------------------------------------------------------------------

# Write failures that no other file under the same -o folder would escape (a full disk, a read-only file system, a
# quota): the run stops at the first, with one message, instead of one error per file. (--in-place inputs may lie on
# several disks: each file is still tried.)
EVERY_FILE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT})


class OutputStopped(Exception):
    """No output file can be written: `str()` is the one line to show."""


@dataclass(frozen=True)
class Settings:
    fmt: str = "text"
    output_dir: str | None = None
    in_place: bool = False
    check: bool = False
    diff: bool = False
    explain: bool = False
    langs: frozenset[str] | None = None
    lang_label: str = ""
    quiet: bool = False
    backup: str | None = None  # --in-place: keep each replaced file under its name plus this suffix
    skip_errors: bool = False  # unreadable inputs, lines and documents do not set exit status 2
    fix_text: bool = False  # documents were repaired by --fix-text: diff against the input as read
    drop_listings: bool = False  # listing pages are left out, each named

    @property
    def compare(self) -> bool:
        return self.check or self.diff

    @property
    def to_files(self) -> bool:
        return self.output_dir is not None or self.in_place or self.compare

    @property
    def reads_details(self) -> bool:
        """Whether a whole-file document's removed lines and cards are read (--explain, JSONL on stdout); a
        JSONL record's always are (they go into its output record)."""
        return self.explain or (self.fmt == "jsonl" and not self.to_files)

    @property
    def renders_anywhere(self) -> bool:
        """Whether a document can be rendered where it is cleaned and handed to the session as `Rendered`: the
        session then needs nothing of its input (--in-place and --check/--diff keep or compare the input's own
        lines, --explain reads the Document)."""
        return not (self.in_place or self.compare or self.explain)

    def leaves_out(self, language: str | None, kind: str) -> str | None:
        """Why a cleaned document is not output (`lang`, `listing`), or None."""
        if self.langs is not None and language not in self.langs:
            return "lang"
        if self.drop_listings and kind == "listing":
            return "listing"
        return None


@dataclass
class _Unit:
    """The output of one input file in the file modes (-o, --in-place, --check, --diff)."""

    source: cio.Input
    writer: cio.AtomicFile | None = None
    changed: bool = False  # differs from the input
    written: int = 0  # lines or documents that go to the output
    dropped: int = 0  # documents left out by --lang under -o
    failed: bool = False
    old: list[str] = field(default_factory=list)  # for --diff
    new: list[str] = field(default_factory=list)


class Session:
    """Consume the cleaned events in input order: print, write, check or diff; count; report."""

    def __init__(
        self,
        settings: Settings,
        stdout: BinaryIO,
        reporter: Reporter,
        claims: Callable[[cio.Input], str | None],
        dedup: Any = None,
    ) -> None:
        self.settings = settings
        self.dedup = dedup  # a cleaner.dedup.Deduplicator under --dedup
        self.duplicates = 0
        self.listings = 0  # left out by --drop-listings
        self.stdout = stdout
        self.reporter = reporter
        self.claims = claims
        self.docs = 0
        self.changed = 0
        self.errors = 0
        self.write_errors = 0  # outputs that could not be written: exit 2 even with --skip-errors
        self.skipped = 0
        self.records_skipped = 0  # WARC records that are not HTML pages
        self.files_changed = 0
        self.files_done = 0  # inputs finished (for the message of an interrupted run)
        self._held: tuple[str, bytes] | None = None  # the first text document, until we know it is not alone
        self._printed = 0
        self._unit: _Unit | None = None
        # Every file being written and not yet committed or dropped: an interrupt drops them all, wherever it
        # strikes (even between taking a writer off its unit and committing it).
        self._writers: list[cio.AtomicFile] = []

    # events

    def handle(self, event: Event) -> None:
        progress = self.reporter.progress
        if isinstance(event, Doc):
            progress.advance(event.size, 1)
            self._doc(event)
        elif isinstance(event, Rendered):
            progress.advance(event.size, 1)
            self._rendered(event)
        elif isinstance(event, Pass):
            progress.advance(event.line.size)
            self._pass(event)
        elif isinstance(event, Begin):
            if self.settings.to_files:
                self._unit = _Unit(event.source)
        elif isinstance(event, End):
            self.records_skipped += event.skipped
            self._end(event.source)
        else:
            self.errors += 1
            self.reporter.problem(event.path, event.problem)
            if self._unit is not None and event.source is self._unit.source:
                self._unit.failed = True

    def _doc(self, doc: Doc) -> None:
        result = doc.result
        if not isinstance(result, Document):
            self.errors += 1
            problem = f"{type(result).__name__}: {result}" if result is not None else "not cleaned"
            self.reporter.problem(doc.label, f"cleaning failed ({problem})")
            self._keep(doc)
            return
        if self._left_out(doc, result.language, result.kind):
            return
        if self.dedup is not None and self._duplicate(doc, result):
            self.duplicates += 1
            self._keep(doc)
            return
        self.docs += 1
        if self.settings.explain:
            self._explain(doc, result)
        self._deliver(render(doc, result, self.settings), doc)

    def _rendered(self, done: Rendered) -> None:
        if self._left_out(done, done.language, done.kind):
            return
        self.docs += 1
        self._deliver(done, None)

    def _left_out(self, item: Doc | Rendered, language: str | None, kind: str) -> bool:
        """--lang and --drop-listings: a document they leave out is counted (a listing named) and kept as `_keep`
        says."""
        reason = self.settings.leaves_out(language, kind)
        if reason is None:
            return False
        if reason == "lang":
            self.skipped += 1
        else:
            self.listings += 1
            self.reporter.echo(f"dropped {item.label}: a listing page")
        self._keep(item)
        return True

    def _deliver(self, done: Rendered, doc: Doc | None) -> None:
        """Output a document: print it, or write it to its file (`doc`, the document as read, for --diff)."""
        if done.changed:
            self.changed += 1
        if not self.settings.to_files:
            if self.settings.fmt == "jsonl":
                self._write(done.out)
            else:
                self._print_text(str(done.id), done.out)
            return
        if done.record:
            diff = None
            if self.settings.diff:
                assert doc is not None and doc.line is not None
                diff = (_old_line(doc.line), done.out.decode("utf-8", "replace"))
            self._file_line(done.out, done.raw_changed, diff)
            return
        self._file_text(done.out, done.raw_changed, doc)

    def _duplicate(self, doc: Doc, result: Document) -> bool:
        """--dedup keeps the first copy of a story; a later one is dropped only when a kept copy is at least as
        long (so a more complete copy that comes later is kept too: nothing is lost)."""
        from ..dedup.deduplicator import story_text

        sketch = self.dedup.sketch(story_text(result))
        if self.dedup.query_sketch(sketch, complete=True) is not None:
            return True
        self.dedup.add_sketch(doc.id, sketch)
        return False

    def _keep(self, item: Doc | Rendered) -> None:
        """A document that is not output (failed, or left out): in place it stays as it was."""
        unit = self._unit
        if unit is None:
            return
        if isinstance(item, Rendered):  # only ever under -o (`Settings.renders_anywhere`)
            unit.dropped += 1
            unit.changed = unit.changed or item.record
        elif item.line is None:
            unit.dropped += 1
        elif self.settings.output_dir is not None and isinstance(item.result, Document):
            unit.dropped += 1
            unit.changed = True
        else:
            self._file_kept(item.line)

    def _pass(self, event: Pass) -> None:
        """A JSONL line that is not a record to clean. The one rule, in every mode: an invalid line, or an
        object with no `text` or `html` string, is an error (reported with its line, counted, exit 2 unless
        --skip-errors). An object without a page comes out as it was wherever JSONL is written; invalid JSON
        comes out as it was in files (-o, --in-place: nothing of the user's data is lost) but not on stdout,
        every line of which parses for the tool reading it. A blank line holds nothing and is dropped from every
        JSONL output; --format text prints documents only."""
        line = event.line
        if line.kind == "blank":
            if self._unit is not None:
                self._unit.changed = True
                if self.settings.diff:
                    self._unit.old.append(_old_line(line))
            return
        self.errors += 1
        self.reporter.problem(f"{event.source.path}:{line.lineno}", _line_problem(line))
        if self.settings.to_files:
            self._file_kept(line)
        elif self.settings.fmt == "jsonl" and line.kind == "notext":
            self._write(_encode(line.text + "\n"))

    # stdout

    def _write(self, data: bytes) -> None:
        self.stdout.write(data)

    def _print_text(self, doc_id: str, rendered: bytes) -> None:
        if self._held is None and self._printed == 0:
            self._held = (doc_id, rendered)
            return
        if self._held is not None:
            self._print_with_header(*self._held)
            self._held = None
        self._print_with_header(doc_id, rendered)

    def _print_with_header(self, doc_id: str, rendered: bytes) -> None:
        if self._printed:
            self._write(b"\n")
        self._write(_encode(f"==> {doc_id} <==\n"))
        if rendered and not rendered.endswith(b"\n"):
            rendered += b"\n"
        self._write(rendered)
        self._printed += 1

    # files

    def _file_text(self, data: bytes, changed: bool, doc: Doc | None) -> None:
        """A whole file's new text (`changed`: it differs from the file); `doc` as read, for --diff."""
        unit = self._unit
        if unit is None:
            return
        unit.changed = changed
        unit.written += 1
        if self.settings.diff:
            assert doc is not None and isinstance(doc.result, Document)
            unit.old = _lines(_old_text(doc, self.settings.fix_text))
            unit.new = _lines(doc.result.render())
        if self.settings.compare:
            return
        if self.settings.in_place and not unit.changed:
            return
        if self._open_writer(unit):
            self._put(unit, data)

    def _file_kept(self, line: cio.Line) -> None:
        """A JSONL line of the current file that is output as it was."""
        out = _encode(line.text + "\n")
        diff = (_old_line(line), out.decode("utf-8", "replace")) if self.settings.diff else None
        self._file_line(out, out != line.raw, diff)

    def _file_line(self, out: bytes, changed: bool, diff: tuple[str, str] | None) -> None:
        """One JSONL line of the current file, `out` (`changed`: it differs from the input's line; `diff`: its old
        and new form, for --diff)."""
        unit = self._unit
        if unit is None or unit.failed:
            return
        if changed:
            unit.changed = True
        unit.written += 1
        if self.settings.diff:
            assert diff is not None
            unit.old.append(diff[0])
            unit.new.append(diff[1])
        if self.settings.compare:
            return
        if unit.writer is None and not self._open_writer(unit):
            return
        self._put(unit, out)

    def _put(self, unit: _Unit, data: bytes) -> None:
        writer = unit.writer
        assert writer is not None
        try:
            writer.write(data)
        except OSError as exc:  # this file is not written; the others are still tried, unless none can be
            unit.failed = True
            unit.writer = None
            writer.discard()
            self._stop_if_every_file(exc, writer.target)
            self._cannot_write(unit.source, f"cannot write {writer.target} ({cio.describe_os_error(exc)})")

    def _open_writer(self, unit: _Unit) -> bool:
        if unit.writer is not None:
            return True
        if unit.failed:
            return False
        source = unit.source
        if self.settings.in_place:
            assert source.fspath is not None
            target = source.fspath
            keeps_name = True
            if not os.path.isfile(target):  # a fifo or a device: there is no file to replace
                unit.failed = True
                self._cannot_write(source, "not a regular file, cannot rewrite it in place")
                return False
        else:
            assert self.settings.output_dir is not None and source.relname is not None
            earlier = self.claims(source)
            if earlier is not None:
                unit.failed = True
                self._cannot_write(source, f"not written: {earlier} goes to the same output file")
                return False
            name = cio.output_name(source.relname, source.format)
            target = os.path.join(self.settings.output_dir, name)
            keeps_name = name == source.relname
        # A compressed input is written back compressed the same way, when it keeps its name (an HTML page or a
        # WARC file becomes a .txt or a .jsonl: plain).
        compression = cio.file_compression(source.fspath) if source.fspath is not None and keeps_name else None
        try:
            unit.writer = self._create_writer(target, compression)
            self._writers.append(unit.writer)
        except OSError as exc:
            unit.failed = True
            self._stop_if_every_file(exc, target)
            self._cannot_write(source, f"cannot write {target} ({cio.describe_os_error(exc)})")
            return False
        return True

    def _stop_if_every_file(self, exc: OSError, target: str) -> None:
        if self.settings.output_dir is not None and exc.errno in EVERY_FILE_ERRNOS:
            problem = cio.describe_os_error(exc)
            raise OutputStopped(f"cannot write {target} ({problem}); stopped: no other file could be")

    def _create_writer(self, target: str, compression: cio.Compression | None) -> Any:
        if is_url(target):  # -o URL: put whole when committed
            return UrlAtomicFile(target, compression=compression)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        return cio.AtomicFile(target, durable=self.settings.in_place, compression=compression)

    def _cannot_write(self, source: cio.Input, problem: str) -> None:
        self.errors += 1
        self.write_errors += 1
        self.reporter.problem(source.path, problem)

    def _end(self, source: cio.Input) -> None:
        # Put in place and counted together: an interrupt between the two would leave a written file that the
        # "N files written" of its message does not count.
        with signals_held():
            self._settle(source)
            self.files_done += 1
        self._writers.clear()  # committed or dropped, every one (only an interrupt leaves the list full)

    def _settle(self, source: cio.Input) -> None:
        unit, self._unit = self._unit, None
        if unit is None or unit.source is not source:
            return
        writer, unit.writer = unit.writer, None
        if unit.failed:
            if writer is not None:
                writer.discard()
            return
        if self.settings.compare:
            if unit.changed:
                self.files_changed += 1
                if self.settings.check:
                    self.reporter.echo(f"would clean {source.path}")
                if self.settings.diff:
                    self._diff(unit)
            return
        if self.settings.in_place:
            if writer is not None and unit.changed:
                self._commit(unit, writer)
            elif writer is not None:
                writer.discard()
            return
        # -o: write what there is, even an empty file; no file when everything was left out
        if unit.written == 0 and unit.dropped:
            if writer is not None:
                writer.discard()
            return
        if writer is None and self._open_writer(unit):
            writer, unit.writer = unit.writer, None
        if writer is not None:
            self._commit(unit, writer)

    def _commit(self, unit: _Unit, writer: cio.AtomicFile) -> None:
        try:
            writer.commit(backup=self.settings.backup if self.settings.in_place else None)
        except OSError as exc:
            self._stop_if_every_file(exc, writer.target)
            self._cannot_write(unit.source, f"cannot write {writer.target} ({cio.describe_os_error(exc)})")
        else:
            if unit.changed:
                self.files_changed += 1
                if self.settings.in_place and not self.settings.quiet:
                    self.reporter.echo(f"cleaned {unit.source.path}")  # the pre-commit hook's failure names it

    def _diff(self, unit: _Unit) -> None:
        path = unit.source.path
        lines = difflib.unified_diff(unit.old, unit.new, fromfile=path, tofile=path)
        for line in lines:
            if not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            self._write(_encode(line))

    # --explain

    def _explain(self, doc: Doc, result: Document) -> None:
        if not result.removed:
            return
        lines = [click.style(str(doc.id), bold=True)]
        for removal in result.removed:
            lines.append(f"  {click.style(f'[{removal.reason}]', fg='yellow')} {removal.text}")
        self.reporter.echo("\n".join(lines))

    # the end

    def finish(self) -> int:
        if self._held is not None:
            self._write(self._held[1])
            self._held = None
        if self._unit is not None:  # interrupted inside a file
            if self._unit.writer is not None:
                self._unit.writer.discard()
            self._unit = None
        settings = self.settings
        if not settings.quiet:
            errors = f"{self.errors} {plural(self.errors, 'error')}"
            if settings.skip_errors and self.errors and not self.write_errors:
                errors += " skipped"
            if settings.compare:
                summary = (
                    f"checked {self.docs} {plural(self.docs, 'document')} "
                    f"({self.files_changed} {plural(self.files_changed, 'file')} would change, {errors})"
                )
            else:
                summary = f"cleaned {self.docs} {plural(self.docs, 'document')} ({self.changed} changed, {errors})"
            if self.duplicates:
                summary += f"\ndropped {self.duplicates} {plural(self.duplicates, 'duplicate')}"
            if self.listings:
                summary += f"\ndropped {self.listings} {plural(self.listings, 'listing')}"
            if self.skipped:
                summary += f"\nskipped {self.skipped} {plural(self.skipped, 'document')} not in {settings.lang_label}"
            if self.records_skipped:
                count = self.records_skipped
                summary += f"\nskipped {count} WARC {plural(count, 'record')} (not HTML pages)"
            self.reporter.echo(summary)
        if self.write_errors or (self.errors and not settings.skip_errors):
            return EXIT_ERROR
        if settings.check and self.files_changed:
            return EXIT_CHANGED
        return EXIT_OK

    def abandon(self) -> None:
        """Interrupted: drop the files being written, write nothing more."""
        if self._unit is not None and self._unit.writer is not None:
            self._unit.writer.discard()
        for writer in self._writers:
            writer.discard()  # a no-op for one already committed
        self._writers.clear()
        self._unit = None


def _line_problem(line: cio.Line) -> str:
    if line.kind == "invalid":
        return line.problem or "invalid JSON"
    record = line.record or {}
    if "text" in record or "html" in record:
        return "no page in it: its text (or html) field is not a string"
    return "no page in it: no text or html field"


def merge_record(doc: Doc, result: Document) -> dict[str, Any]:
    """The output record: the input record's fields updated with the contract fields (`id` first if added).

    What the page no longer shows does not erase what the record already knows, so that cleaning a cleaned
    record changes nothing: `source`, `date` and `language` found as null, or `related` found empty, keep the
    record's own value; `removed` is appended to the record's own list (except for a record cleaned from its
    `html`, which is cleaned whole every time); a record whose text is blank keeps its `kind` (a cleaned
    listing has no text left, only its `related` cards).
    """
    assert doc.line is not None and doc.line.record is not None
    old = doc.line.record
    record = dict(old)
    if record.get("id") is None:
        record.pop("id", None)
        record = {"id": doc.id, **record}
    new = result.to_dict()
    for key in ("source", "date", "language"):
        if new.get(key) is None and old.get(key) is not None:
            new[key] = old[key]
    if not new.get("related") and isinstance(old.get("related"), list) and old["related"]:
        new["related"] = old["related"]
    if isinstance(old.get("removed"), list) and old["removed"] and doc.html is None:
        new["removed"] = old["removed"] + new.get("removed", [])
    if result.kind == "empty" and not doc.text.strip() and isinstance(old.get("kind"), str):
        new["kind"] = old["kind"]
    record.update(new)
    return record


def render(doc: Doc, result: Document, settings: Settings) -> Rendered:
    """A cleaned document as the session outputs it under `settings`: here, or where it was cleaned (`Rendered`)."""
    language, kind = result.language, result.kind
    size, is_record = doc.size, doc.line is not None
    if settings.leaves_out(language, kind) is not None:
        return Rendered(doc.source, doc.id, doc.label, size, is_record, language, kind, b"", False, False)
    if doc.line is None:
        text = result.render()
        changed = doc.html is not None or text != doc.text
        if settings.fmt == "jsonl" and not settings.to_files:
            out = cio.jsonl_line({"id": doc.id, **result.to_dict()})
        else:
            out = _encode(text)
        return Rendered(doc.source, doc.id, doc.label, size, False, language, kind, out, changed, out != doc.raw)
    record = merge_record(doc, result)
    changed = record != doc.line.record
    out = cio.jsonl_line(record) if settings.fmt == "jsonl" or settings.to_files else _encode(result.render())
    return Rendered(doc.source, doc.id, doc.label, size, True, language, kind, out, changed, out != doc.line.raw)


def _old_text(doc: Doc, fixed: bool = False) -> str:
    """What a document was, for --diff: its text (as read: under --fix-text, before the repair, so that the
    diff shows it), or its page's HTML decoded."""
    if doc.html is None:
        return cio.decode_text(doc.raw) if fixed and doc.raw is not None else doc.text
    from ..html import decode_html

    return decode_html(doc.html, doc.charset)


def _lines(text: str) -> list[str]:
    """Lines with their breaks, split at "\n" only (not at the form feeds and separators `splitlines` knows)."""
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def _old_line(line: cio.Line) -> str:
    if line.raw is None:
        return line.text + "\n"
    return line.raw.decode("utf-8", "replace") if _is_utf8(line.raw) else line.text + "\n"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "backslashreplace")


class Claims:
    """Under -o, find an input met earlier whose cleaned form goes to the same output file.

    Two inputs collide when they come from different command-line paths with the same name, or when their
    names differ only by an extension that maps to the same output (`a.html` and `a.txt` both give `a.txt`,
    `x.warc.gz` and `x.jsonl` both give `x.jsonl`). This looks at the earlier arguments and at the input's
    siblings that a walk meets first, instead of remembering every file written: memory stays flat.
    """

    def __init__(self, paths: Sequence[str], input_format: cio.InputFormat = "auto") -> None:
        self.paths = paths
        self.input_format = input_format
        self.is_dir = [path != cio.STDIN and os.path.isdir(path) for path in paths]

    def _output(self, relname: str) -> str:
        return cio.output_name(relname, cio.format_of(relname, self.input_format))

    def _sources_of(self, relname: str) -> list[str]:
        """The relative names (in walk order) whose output is the same as `relname`'s."""
        folder, name = os.path.split(relname)
        out = self._output(relname)
        return [os.path.join(folder, other) for other in cio.same_output_siblings(name) if self._output(other) == out]

    def __call__(self, source: cio.Input) -> str | None:
        relname = source.relname
        if relname is None:
            return None
        sources = self._sources_of(relname) if self.input_format == "auto" else [relname]
        if source.fspath is not None and self.is_dir[source.arg]:
            top = source.fspath[: len(source.fspath) - len(relname)]
            for other in sources:
                if other == relname:
                    break  # the walk meets the others after this one
                if os.path.isfile(top + other):
                    return source.path[: len(source.path) - len(relname)] + other
        for arg in range(source.arg):
            path = self.paths[arg]
            if path == cio.STDIN:
                continue
            if self.is_dir[arg]:
                for other in sources:
                    candidate = os.path.join(path, other)
                    parts = other.split(os.sep)
                    walked = all(not part.startswith(".") for part in parts) and cio.wanted(parts[-1])
                    if walked and os.path.isfile(candidate):
                        return candidate
            elif self._output(os.path.basename(path.rstrip(os.sep))) == self._output(relname):
                return path
        return None
