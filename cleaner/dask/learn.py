"""`cleaner learn --dask`: the pages read (HTML turned into its text blocks) where their inputs are, on the cluster;
pass 1's counting mapped there too (each page's line keys), and reduced here in input order into the local
command's own `Learner`, whose bounded counter (exact up to `max_exact_keys`, then a sketch whose state depends on
the order of the pages) then holds what it holds locally; pass 2 observes the pages here, in input order. The
same pack as the local command.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np

from .. import io as cio
from ..cli.common import Progress
from ..cli.learn import input_pages
from ..learn import LearnSettings
from ..learn.learner import CorpusPage, LearnedPack, Learner, page_keys
from ..rules import load_rules
from .units import Block, Piece, RuleFile, Units, land_rules, open_block, ship_rules

Problems = list[tuple[str, str]]


# --- the tasks (run on the workers) --------------------------------------------------------------------------


def unit_pages(
    source: cio.Input, block: Block | None, settings: LearnSettings, rules: tuple[RuleFile, ...] = ()
) -> tuple[list[CorpusPage], Problems]:
    """The pages of an input, or of a block of one, and the problems met reading them."""
    problems: Problems = []
    if rules:
        settings = dataclasses.replace(settings, rule_files=land_rules(rules))
    selectors = load_rules(settings.packs, settings.rule_files).selectors
    opened = None
    if block is not None:
        try:
            opened = open_block(source, block)
        except cio.InputError as exc:
            return [], [(source.path, str(exc))]
    report = lambda where, what: problems.append((where, what))  # noqa: E731
    pages = list(input_pages(source, None, report, Progress(False, None), selectors, opened))
    return pages, problems


def unit_keys(
    source: cio.Input, block: Block | None, settings: LearnSettings, rules: tuple[RuleFile, ...] = ()
) -> tuple[list[Any], Problems]:
    """Pass 1's map: each page's site and line keys (`learner.page_keys`), and the problems met."""
    pages, problems = unit_pages(source, block, settings, rules)
    keys = [(page.site, np.fromiter(page_keys(page), dtype=np.uint64)) for page in pages]
    return keys, problems


# --- the client side -------------------------------------------------------------------------------------------


def learn_on_cluster(
    client: Any,
    inputs: Callable[[], Iterator[cio.Input | cio.Unreadable]],
    stdin: BinaryIO | None,
    settings: LearnSettings,
    *,
    problem: Callable[[str, str], None],
    show_progress: bool,
    total: int | None = None,
) -> LearnedPack:
    """Both passes over the inputs (`inputs()` finds them again for each; `stdin`, if read, is seekable)."""
    learner = Learner(settings)
    quiet = lambda where, what: None  # noqa: E731 -- the second pass meets the same problems again
    progress = Progress(show_progress, total, "learning, pass 1 of 2", item="page")
    try:
        for site, keys in _pages(client, inputs(), stdin, settings, unit_keys, problem, progress):
            learner.count_keys(site, set(keys.tolist()))
    finally:
        progress.close()
    if stdin is not None:
        stdin.seek(0)
    progress = Progress(show_progress, total, "learning, pass 2 of 2", item="page")
    try:
        for page in _pages(client, inputs(), stdin, settings, unit_pages, quiet, progress):
            learner.observe(page)
    finally:
        progress.close()
    return learner.result()


def _pages(
    client: Any,
    inputs: Iterator[cio.Input | cio.Unreadable],
    stdin: BinaryIO | None,
    settings: LearnSettings,
    task: Callable[..., tuple[list[Any], Problems]],
    problem: Callable[[str, str], None],
    progress: Progress,
) -> Iterator[Any]:
    """What `task` gives for each page of the inputs, in input order; problems reported in their place."""
    units = Units(client)
    selectors = load_rules(settings.packs, settings.rule_files).selectors
    rules = ship_rules(settings.rule_files)

    def take(size: int) -> Callable[[tuple[list[Any], Problems]], list[Any]]:
        def taken(result: tuple[list[Any], Problems]) -> list[Any]:
            found, problems = result
            for where, what in problems:
                problem(where, what)
            progress.advance(size, len(found))
            return found

        return taken

    def failed(where: str) -> Callable[[BaseException], list[Any]]:
        def report(exc: BaseException) -> list[Any]:
            problem(where, f"{type(exc).__name__}: {exc}")
            return []

        return report

    def handed(lists: Iterator[list[Any]]) -> Iterator[Any]:
        for found in lists:
            yield from found

    try:
        for item in inputs:
            if isinstance(item, cio.Unreadable):
                yield from handed(units.drain())  # what comes before it is reported first
                problem(item.path, item.problem)
            elif item.is_stdin:  # read here: standard input is this process's
                yield from handed(units.drain())
                pages = input_pages(item, stdin, problem, progress, selectors)
                yield from (pages if task is unit_pages else ((p.site, _keys(p)) for p in pages))
            else:
                blocks = units.blocks(item)
                for block in blocks if blocks is not None else [None]:
                    size = units.partition if block is not None else item.size or 0
                    future = units.submit(task, item, block, settings, rules)
                    yield from handed(units.add(Piece(future=future, take=take(size), failed=failed(item.path))))
        yield from handed(units.drain())
    finally:
        units.cancel()


def _keys(page: CorpusPage) -> np.ndarray:
    return np.fromiter(page_keys(page), dtype=np.uint64)
