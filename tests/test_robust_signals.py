"""Interrupted runs (Ctrl-C, SIGTERM) of the installed `cleaner` script: the files finished before the signal
are whole and final, the one being written is dropped, no temporary file is left anywhere, and the exit status
says how the run ended (130 for SIGINT, 143 for SIGTERM)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import cleaner

EXE = shutil.which("cleaner", path=os.path.dirname(sys.executable))
PAGES = 600


def page(i: int) -> str:
    return (
        f"Story number {i} makes the news\n\n"
        f"Paragraph one of story {i} tells what happened in the town hall on Monday evening, at length, with "
        f"quotes from the {i} people who spoke and the councillors who answered them.\n\n"
        f"Paragraph two of story {i} adds what the mayor said afterwards to the gathered reporters.\n\n"
        "Share this article\n"
    )


def _corpus(directory: Path, pages: int = PAGES) -> None:
    directory.mkdir()
    for i in range(pages):
        (directory / f"p{i:04d}.txt").write_text(page(i))


def _interrupt(command: list[str], ready: Callable[[], bool], sig: int) -> subprocess.CompletedProcess[bytes]:
    """Start `command`, wait until `ready()` says some work is done, then send `sig`; the finished process."""
    assert EXE is not None, "the cleaner console script is not installed in this environment"
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not ready():
            assert proc.poll() is None, "finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(command, proc.returncode, b"", stderr)


def _temporaries(directory: Path) -> list[str]:
    return [str(path) for path in directory.rglob("*") if path.name.startswith(".") or path.name.endswith(".tmp")]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_output_dir_run_leaves_only_whole_files(tmp_path: Path, jobs: str) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    _corpus(src)
    done = _interrupt(
        [str(EXE), "clean", "-j", jobs, "-o", str(out), str(src)],
        lambda: out.exists() and sum(not name.startswith(".") for name in os.listdir(out)) >= 20,
        signal.SIGINT,
    )
    assert done.returncode == 130, done.stderr
    assert b"cleaner: interrupted" in done.stderr
    written = sorted(out.iterdir())
    assert 20 <= len(written) < PAGES
    # How far it got, in files (no total: the walk that counts them runs only for the progress bar).
    assert f"interrupted: {len(written)} files written, the rest not".encode() in done.stderr
    for path in written:
        i = int(path.stem[1:])
        assert path.read_text() == cleaner.clean(page(i)).render(), path
    assert written == sorted(out / f"p{i:04d}.txt" for i in range(len(written)))  # in order, no gaps
    assert _temporaries(tmp_path) == []


def test_terminated_in_place_run_with_backups_loses_nothing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _corpus(src)
    done = _interrupt(
        [str(EXE), "clean", "-j", "2", "--in-place", "--backup", str(src)],
        lambda: sum(name.endswith(".orig") for name in os.listdir(src)) >= 20,
        signal.SIGTERM,
    )
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    cleaned = 0
    for i in range(PAGES):
        path, backup = src / f"p{i:04d}.txt", src / f"p{i:04d}.txt.orig"
        if backup.exists():
            assert backup.read_text() == page(i)
            assert path.read_text() in (page(i), cleaner.clean(page(i)).render())
            cleaned += path.read_text() != page(i)
        else:
            assert path.read_text() == page(i)
    assert 20 <= cleaned < PAGES
    assert _temporaries(tmp_path) == []


def _files_indexed(database: Path) -> int:
    """Files the index holds now, read beside the writer (the index is in WAL mode); 0 before it exists."""
    if not database.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.1)) as db:
            return int(db.execute("SELECT count(*) FROM files").fetchone()[0])
    except sqlite3.OperationalError:  # created but not set up yet, or busy for a moment
        return 0


def test_interrupted_index_keeps_what_it_recorded_and_says_how_much(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _corpus(src, pages=3 * PAGES)
    database = src / ".cleaner" / "index.sqlite"
    done = _interrupt([str(EXE), "index", "-j", "1", str(src)], lambda: _files_indexed(database) >= 256, signal.SIGINT)
    assert done.returncode == 130, done.stderr
    recorded = _files_indexed(database)
    assert 256 <= recorded < 3 * PAGES
    assert f"cleaner: interrupted: {recorded} files recorded in the index, the rest not".encode() in done.stderr
    # Run again, it finishes the rest: every page recorded once.
    finished = subprocess.run([str(EXE), "index", str(src)], capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert f"({3 * PAGES - recorded} read, 0 removed, 0 errors)".encode() in finished.stderr
    assert _files_indexed(database) == 3 * PAGES


def test_interrupted_dedup_writes_no_clusters_and_says_how_far_it_got(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _corpus(src, pages=3 * PAGES)
    started = time.monotonic()
    done = _interrupt([str(EXE), "dedup", "-j", "1", str(src)], lambda: time.monotonic() - started > 3, signal.SIGINT)
    assert done.returncode == 130, done.stderr
    message = done.stderr.decode().strip().splitlines()[-1]
    prefix = "cleaner: interrupted: "
    assert message.startswith(prefix), message
    read, rest = message[len(prefix) :].split(" ", 1)
    assert 1 <= int(read) < 3 * PAGES
    assert rest.startswith(("documents read, no clusters written", "document read, no clusters written"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_handed_to_another_thread_waits_for_the_end_of_a_held_block(sig: int) -> None:
    # With -j the process has the pool's threads too: the kernel may hand them the signal, and Python then runs
    # its handler in the main thread at once, even where this thread blocks the signal.
    from cleaner.cli.common import Terminated, signals_held, sigterm_raises

    steps: list[str] = []
    done = threading.Event()
    waiting = threading.Thread(target=done.wait)  # as the pool's manager thread waits for its workers
    waiting.start()
    try:
        with pytest.raises((Terminated, KeyboardInterrupt)), sigterm_raises():
            with signals_held():
                os.kill(os.getpid(), sig)
                for _ in range(1000):  # many bytecodes at which a handler could run
                    steps.append("step")
                time.sleep(0.05)
                steps.append("end")
            steps.append("after")  # never reached: the signal is handled as the block ends
    finally:
        done.set()
        waiting.join()
    assert steps[-1] == "end"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
