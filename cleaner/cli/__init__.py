"""The `cleaner` command line: a click group (`main`) with one module per subcommand.

`cleaner clean` (`clean.py`) turns a stream of inputs (files, directories, stdin; plain text or JSONL) into a
stream of events in input order (`pool.events`), cleans the documents in it, in worker processes when that
pays, with a bounded window of work in flight (`pool.Cleaning`), and hands each event, still in input order, to
a `session.Session` that prints, writes, checks or diffs it. Nothing holds more than the window: memory stays flat on
corpora of any size.

Exit status: 0 done, 1 `--check` found inputs that would change, 2 any input or line could not be read or
cleaned (and usage errors), 130 interrupted.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os

import click

from .. import __version__
from .common import CONTEXT_SETTINGS

# cleaner's numpy work is small vectors, never BLAS-sized, and `-j` already gives each core a process. A BLAS
# thread pool would only spin up at numpy's import: about 0.12 s of CPU per process here, for nothing. Set
# before anything imports numpy (nothing above does); a user's own setting wins. Only the command line does
# this: a library must not change its host's BLAS.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# A command's work is done and written by the time Python shuts down (files are closed as they are written), so
# its last garbage collection over every object left (a twentieth of a second here, more than a page costs) has
# nothing to give back: the objects are frozen out of its sight instead.
atexit.register(gc.freeze)

# name -> (module, attribute): a command's module is imported when the command runs (or --help lists them all),
# so that `cleaner dedup --no-clean` does not load the cleaning pipeline that `cleaner clean` needs.
_COMMANDS = {
    "clean": ("clean", "clean_command"),
    "rules": ("rules", "rules_command"),
    "learn": ("learn", "learn_command"),
    "dedup": ("dedup", "dedup_command"),
    "index": ("index", "index_command"),
}


class LazyGroup(click.Group):
    """A group whose built-in commands are imported on first use; commands added to it work as usual."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in _COMMANDS:
            module, attribute = _COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f".{module}", __name__), attribute)
            self.add_command(command, cmd_name)
        return command


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="cleaner", message="%(prog)s %(version)s")
def main() -> None:
    """Strip boilerplate from scraped news pages and web corpora: the article only, with its metadata.

    Each page (a .txt file, one record of a .jsonl file, or standard input) comes out as its title and body
    text, with menus, share bars, cookie notices, teasers and other boilerplate removed, plus what was learnt
    about it (kind, language, source, date, related articles, removed lines and why).

    \b
    Examples:
      cleaner clean page.txt                      print the article of one page
      cleaner clean corpus/ -o clean/             clean a tree of .txt/.jsonl files into clean/
      cleaner clean --format jsonl < pages.jsonl > clean.jsonl
      cleaner clean --check corpus/               exit 1 if any file would change
      cleaner clean --explain page.txt            show what was removed and why
      cleaner learn corpus/ -o learned.toml       learn the corpus's own chrome as a rule pack
      cleaner dedup corpus/                       which pages are copies of the same story
      cleaner index corpus/                       record the corpus so new files are checked quickly

    Run `cleaner COMMAND --help` for the options of a command.
    """
