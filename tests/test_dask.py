"""`--dask`: clean, dedup and learn on a Dask cluster give what the local commands give, byte for byte.

A real `dask scheduler` and two `dask worker` processes on 127.0.0.1 (started and stopped here) serve the
tcp:// path and the library; one run starts a `LocalCluster` of two worker processes (`--dask local:2`); another
scheduler's worker is killed mid-run. Big JSONL inputs are split into blocks (a small partition size) so that
lines, ids and messages are numbered across blocks. Inputs are the Daily8 pages, some dev HTML pages and
generated corpora (bench.corpus, bench.dedup_corpus).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("distributed")  # the extra cleaner[dask]: make install installs it

import dask
import fsspec
import pyarrow.parquet as pq
from click.testing import CliRunner
from distributed import Client
from test_dedup import prose

from bench.corpus import generate
from bench.dedup_corpus import generate as generate_stories
from bench.dedup_corpus import write as write_stories
from cleaner.cli import main
from cleaner.parquet import MANIFEST, row

SHARED = Path(os.environ.get("CLEANER_SHARED") or Path(__file__).parents[1].parent / "shared")
DAILY8 = SHARED / "corpus" / "daily8"
DEV_HTML = SHARED / "benchmarks" / "article-extraction-dev" / "html"
DASK = Path(sys.executable).parent / "dask"
PARTITION = "16KB"  # the generated JSONL files are ~10 partitions each


# --- the corpus and the cluster ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Daily8 pages, 4 dev HTML pages, a generated JSONL corpus (with records without ids, a blank, an invalid
    and a text-less line) and a generated corpus of stories with syndicated copies."""
    root = tmp_path_factory.mktemp("dask-corpus")
    shutil.copytree(DAILY8, root / "daily8")
    (root / "dev").mkdir()
    for page in sorted(DEV_HTML.iterdir())[:4]:
        shutil.copy(page, root / "dev" / page.name)
    generate(root / "pages", 150_000, shared=SHARED, jsonl=root / "generated.jsonl")
    shutil.rmtree(root / "pages")
    lines = (root / "generated.jsonl").read_text(encoding="utf-8").splitlines()
    mixed = []
    for number, line in enumerate(lines):
        record = json.loads(line)
        if number % 3 == 0:
            del record["id"]  # named by its line: path:N, counted across blocks
        mixed.append(json.dumps(record, ensure_ascii=False))
        if number == 5:
            mixed += ["", "not json", '{"id": "no-text", "site": "x"}']
    (root / "generated.jsonl").write_text("\n".join(mixed) + "\n", encoding="utf-8")
    stories = generate_stories(120, 4, SHARED)
    write_stories(stories, root / "stories", pages=True, jsonl=True, shared=SHARED, seed=4)
    return root


def _start_cluster(folder: Path, workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A `dask scheduler` and `workers` `dask worker` processes (no nanny: killing one kills the worker)."""
    folder.mkdir(parents=True, exist_ok=True)
    address_file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            DASK,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--dashboard-address",
            ":0",
            "--scheduler-file",
            str(address_file),
        ],
        **quiet,  # type: ignore[call-overload]
    )
    processes = [scheduler]
    deadline = time.monotonic() + 60
    while not address_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    address = json.loads(address_file.read_text())["address"]
    for number in range(workers):
        processes.append(
            subprocess.Popen(
                [
                    DASK,
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--name",
                    f"w{number}",
                    "--host",
                    "127.0.0.1",
                    "--dashboard-address",
                    ":0",
                ],
                **quiet,  # type: ignore[call-overload]
            )
        )
    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=60)
    return address, processes


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    address, processes = _start_cluster(tmp_path_factory.mktemp("dask-cluster"), 2)
    try:
        yield address
    finally:
        _stop(processes)


@dataclass
class Ran:
    returncode: int
    stdout: bytes
    stderr: bytes


@pytest.fixture(scope="module", autouse=True)
def small_partitions() -> Iterator[None]:
    """Big JSONL inputs in blocks of PARTITION bytes, for the commands run in this process."""
    with dask.config.set({"cleaner.partition-size": PARTITION}):
        yield


def run(*args: str | Path, stdin: bytes | None = None) -> Ran:
    """A command run in this process (the tcp:// cluster is reached from here as from a command of its own)."""
    result = CliRunner().invoke(main, [str(arg) for arg in args], input=stdin, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout_bytes, result.stderr_bytes)


def run_process(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
    env = {**os.environ, "DASK_CLEANER__PARTITION_SIZE": PARTITION, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "cleaner", *map(str, args)], capture_output=True, env=env, timeout=300, check=False
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def same_run(local: Ran, dask: Ran) -> None:
    assert dask.returncode == local.returncode
    assert dask.stdout == local.stdout
    messages = [line for line in dask.stderr.decode().splitlines() if "Dask dashboard" not in line]
    assert messages == local.stderr.decode().splitlines()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


# --- the commands on a scheduler (tcp://) ---------------------------------------------------------------------


def test_clean_on_a_scheduler_prints_and_writes_the_same_bytes(corpus: Path, scheduler: str, tmp_path: Path) -> None:
    inputs = [corpus / "daily8", corpus / "dev", corpus / "generated.jsonl", corpus / "stories" / "docs.jsonl"]
    local = run("clean", "--format", "jsonl", *inputs)
    assert local.returncode == 2  # the invalid line
    assert b"generated.jsonl:8: invalid JSON" in local.stderr
    assert local.stdout.count(b"\n") > 120
    same_run(local, run("clean", "--format", "jsonl", "--dask", scheduler, *inputs))
    run("clean", "-q", "-o", tmp_path / "local", *inputs)
    on_cluster = run("clean", "-q", "-o", tmp_path / "dask", "--dask", scheduler, *inputs)
    assert on_cluster.returncode == 2
    written = tree(tmp_path / "local")
    assert len(written) == 5 + 4 + 2
    assert tree(tmp_path / "dask") == written


def test_text_output_of_one_page_is_the_same(scheduler: str) -> None:
    page = DAILY8 / sorted(os.listdir(DAILY8))[0]
    same_run(run("clean", page), run("clean", "--dask", scheduler, page))


def test_standard_input_is_sent_to_the_cluster(corpus: Path, scheduler: str) -> None:
    records = (corpus / "generated.jsonl").read_bytes()
    local = run("clean", "--format", "jsonl", stdin=records)
    assert local.returncode == 2 and b"-:8: invalid JSON" in local.stderr
    same_run(local, run("clean", "--format", "jsonl", "--dask", scheduler, stdin=records))
    stories = (corpus / "stories" / "docs.jsonl").read_bytes()
    local = run("dedup", "--format", "jsonl", stdin=stories)
    assert local.stdout.count(b'"duplicate_of": "') > 20
    same_run(local, run("dedup", "--format", "jsonl", "--dask", scheduler, stdin=stories))


def test_dedup_on_a_scheduler_gives_the_same_clusters(corpus: Path, scheduler: str) -> None:
    inputs = [corpus / "stories" / "docs.jsonl", corpus / "daily8"]
    local = run("dedup", "--no-index", "--format", "jsonl", *inputs)
    assert local.returncode == 0
    rows = [json.loads(line) for line in local.stdout.splitlines()]
    assert len(rows) == 125 and sum(row["duplicate_of"] is not None for row in rows) > 20
    same_run(local, run("dedup", "--format", "jsonl", "--dask", scheduler, *inputs))
    # already clean text, compared as it is
    local = run("dedup", "--no-index", "--no-clean", corpus / "generated.jsonl", corpus / "stories" / "docs.jsonl")
    same_run(
        local,
        run("dedup", "--no-clean", "--dask", scheduler, corpus / "generated.jsonl", corpus / "stories" / "docs.jsonl"),
    )


def test_dedup_on_a_scheduler_finds_short_copies_through_leads_as_locally(scheduler: str, tmp_path: Path) -> None:
    """Excerpts of long stories are found through the stories' leads: the lead keys go through the shuffle, and
    the clusters are the local command's."""
    for number in range(3):
        story = prose(430 + number, 800)
        (tmp_path / f"story-{number}.txt").write_text(story)
        (tmp_path / f"excerpt-{number}.txt").write_text(" ".join(story.split()[:70]))
    (tmp_path / "other.txt").write_text(prose(440, 300))
    local = run("dedup", "--no-index", "--no-clean", "--format", "jsonl", tmp_path)
    rows = {Path(record["id"]).name: record for record in map(json.loads, local.stdout.splitlines())}
    for number in range(3):
        assert Path(rows[f"excerpt-{number}.txt"]["duplicate_of"]).name == f"story-{number}.txt"
    assert rows["other.txt"]["duplicate_of"] is None
    same_run(local, run("dedup", "--no-clean", "--format", "jsonl", "--dask", scheduler, tmp_path))


def test_dedup_on_a_cluster_refuses_the_index(scheduler: str) -> None:
    result = run("dedup", "--dask", scheduler, "--index", "x.sqlite", DAILY8)
    assert result.returncode == 2
    assert b"--dask compares the inputs only" in result.stderr


def test_learn_on_a_scheduler_gives_the_same_pack(corpus: Path, scheduler: str) -> None:
    inputs = [corpus / "stories" / "docs.jsonl", corpus / "daily8", corpus / "generated.jsonl"]
    local = run("learn", *inputs)
    assert local.returncode == 2  # the invalid line, reported once
    assert local.stdout.startswith(b"# Rule pack learnt by `cleaner learn` from 137 pages of 3 site(s).")
    same_run(local, run("learn", "--dask", scheduler, *inputs))
    # clean --learn: learnt on the cluster, then cleaned there
    local = run("clean", "-q", "--learn", "--format", "jsonl", *inputs[:2])
    same_run(
        local,
        run("clean", "-q", "--learn", "--format", "jsonl", "--dask", scheduler, *inputs[:2]),
    )


def test_parquet_dataset_holds_the_jsonl_records(corpus: Path, scheduler: str, tmp_path: Path) -> None:
    inputs = [corpus / "daily8", corpus / "generated.jsonl"]
    local = run("clean", "-q", "--format", "jsonl", *inputs)
    records = [json.loads(line) for line in local.stdout.splitlines()]
    out = tmp_path / "dataset"
    result = run("clean", "-q", "-o", out, "--output-format", "parquet", "--dask", scheduler, *inputs)
    assert result.returncode == local.returncode
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["documents"] == len(records)
    assert sorted(path.name for path in out.iterdir()) == sorted([MANIFEST, *(p["name"] for p in manifest["parts"])])
    rows = []
    for part in manifest["parts"]:
        table = pq.read_table(out / part["name"])
        assert table.num_rows == part["documents"]
        rows += table.to_pylist()
    assert rows == [row(record) for record in records]
    assert rows[0]["removed"] and set(rows[0]["removed"][0]) == {"text", "reason"}
    # without --dask: the same dataset
    local_out = tmp_path / "local-dataset"
    run("clean", "-q", "-o", local_out, "--output-format", "parquet", *inputs)
    assert tree(local_out) == tree(out)


def test_parquet_row_keeps_what_the_contract_has_no_column_for() -> None:
    record = {"id": 7, "text": "a", "date": 2024, "related": ["x"], "site": "s", "removed": []}
    got = row(record)
    assert got["id"] == "7" and got["text"] == "a" and got["date"] is None and got["removed"] == []
    assert json.loads(got["extra"]) == {"site": "s", "id": 7, "date": 2024, "related": ["x"]}
    assert row({"id": "a", "text": "b"})["extra"] is None


def test_urls_in_and_out(corpus: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """memory:// and file:// inputs and outputs, in this process (memory:// is this process's)."""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # a URL output must not leave a local folder of its name behind
    memory = fsspec.filesystem("memory")
    memory.pipe("/in/sub/docs.jsonl", (corpus / "stories" / "docs.jsonl").read_bytes())
    memory.pipe("/in/a.txt", (DAILY8 / sorted(os.listdir(DAILY8))[1]).read_bytes())
    memory.pipe("/in/skipped.bin", b"not picked up by a walk")
    runner = CliRunner()
    (tmp_path / "in" / "sub").mkdir(parents=True)
    shutil.copy(corpus / "stories" / "docs.jsonl", tmp_path / "in" / "sub" / "docs.jsonl")
    shutil.copy(DAILY8 / sorted(os.listdir(DAILY8))[1], tmp_path / "in" / "a.txt")
    runner.invoke(main, ["clean", "-q", "-o", str(tmp_path / "out"), str(tmp_path / "in")])
    expected = tree(tmp_path / "out")
    assert sorted(expected) == ["a.txt", "sub/docs.jsonl"]
    # memory:// in, memory:// out, on this machine
    result = runner.invoke(main, ["clean", "-q", "-o", "memory://out", "memory://in"])
    assert result.exit_code == 0, result.output
    assert {name: memory.cat(f"/out/{name}") for name in expected} == expected
    # file:// in (the workers read it), memory:// out (written here), on the cluster, the big file in blocks
    url = f"file://{tmp_path / 'in'}"
    result = runner.invoke(main, ["clean", "-q", "-o", "memory://dask-out", "--dask", scheduler, url])
    assert result.exit_code == 0, result.output
    assert {name: memory.cat(f"/dask-out/{name}") for name in expected} == expected
    # a glob, and a URL that names nothing
    result = runner.invoke(main, ["clean", "-q", "--format", "jsonl", "memory://in/*.txt", "memory://in/missing"])
    assert result.exit_code == 2
    assert "memory://in/missing: no such file or directory" in result.output
    assert result.output.count('"id": "memory://in/a.txt"') == 1
    assert os.listdir(tmp_path / "cwd") == []
    memory.rm("/", recursive=True)


# --- a local cluster, and what goes wrong ---------------------------------------------------------------------


def test_local_cluster_of_two_workers(corpus: Path) -> None:
    inputs = [corpus / "daily8", corpus / "generated.jsonl"]
    local = run("clean", "--format", "jsonl", *inputs)
    on_cluster = run_process("clean", "--format", "jsonl", "--dask", "local:2", *inputs)
    same_run(local, on_cluster)
    assert b"cleaner: Dask dashboard at http://" in on_cluster.stderr


def test_an_unreachable_scheduler_is_one_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_process(
        "clean", "--dask", f"tcp://127.0.0.1:{port}", DAILY8, env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    )
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"cleaner: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"
    )
    assert result.stdout == b""
    bad = run("learn", "--dask", "somewhere", DAILY8)
    assert bad.returncode == 2
    assert bad.stderr.decode().splitlines() == [
        "cleaner: --dask ADDRESS: give a scheduler address (tcp://HOST:PORT), local or local:N"
    ]


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(corpus: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    data = (corpus / "generated.jsonl").read_bytes()
    big.write_bytes(data * 4)  # ~0.6 MB, 40 blocks
    local = run("clean", "-q", "--format", "jsonl", big)
    address, processes = _start_cluster(tmp_path / "cluster", 2)
    try:
        victim = processes[2]
        env = {**os.environ, "DASK_CLEANER__PARTITION_SIZE": PARTITION}
        command = [sys.executable, "-m", "cleaner", "clean", "-q", "--format", "jsonl", "--dask", address, str(big)]
        with Client(address) as watcher:
            victim_address = next(
                address for address, info in watcher.scheduler_info()["workers"].items() if info["name"] == "w1"
            )
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            killed_while_running = False
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                held = len(watcher.processing([victim_address]).get(victim_address, ()))
                held += len(watcher.has_what([victim_address]).get(victim_address, ()))
                if held >= 2:  # results held there, or work in progress: lost with it
                    killed_while_running = process.poll() is None
                    os.kill(victim.pid, signal.SIGKILL)
                    break
                time.sleep(0.02)
            stdout, stderr = process.communicate(timeout=300)
        assert killed_while_running, "the run ended before the worker could be killed"
        assert victim.wait(timeout=10) == -signal.SIGKILL
        assert process.returncode == local.returncode
        assert stdout == local.stdout  # every document, once, in order
        assert stderr.decode().splitlines() == local.stderr.decode().splitlines()
    finally:
        _stop(processes)


# --- the library ------------------------------------------------------------------------------------------------


def test_library_in_a_dask_pipeline(corpus: Path, scheduler: str) -> None:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

    from cleaner import clean
    from cleaner.dask import clean_bag, clean_frame, dedup_frame

    records = [json.loads(line) for line in (corpus / "stories" / "docs.jsonl").read_text().splitlines()][:120]
    texts = [record["text"] for record in records]
    with Client(scheduler) as client:
        documents = clean_bag(db.from_sequence(texts, npartitions=3)).compute()
        assert [doc.to_dict() for doc in documents] == [clean(text).to_dict() for text in texts]
        # records come back as `cleaner clean --format jsonl` writes them
        jsonl = corpus / "few.jsonl"
        jsonl.write_text("".join(json.dumps(record) + "\n" for record in records[:6]))
        printed = [json.loads(line) for line in run("clean", "-q", "--format", "jsonl", jsonl).stdout.splitlines()]
        assert clean_bag(db.from_sequence(records[:6], npartitions=2)).compute() == printed

        frame = pd.DataFrame({"id": [record["id"] for record in records], "text": texts})
        cleaned = clean_frame(dd.from_pandas(frame, npartitions=3)).compute()
        assert list(cleaned["title"]) == [doc.title for doc in documents]
        assert list(cleaned["text"]) == [doc.text for doc in documents]
        assert list(cleaned["removed"]) == [[r.to_dict() for r in doc.removed] for doc in documents]

        found = dedup_frame(dd.from_pandas(frame, npartitions=4), id_column="id", clean={}, client=client).compute()
    jsonl.write_text("".join(json.dumps(record) + "\n" for record in records))
    rows = [json.loads(line) for line in run("dedup", "--no-index", "--format", "jsonl", jsonl).stdout.splitlines()]
    assert list(found["id"]) == [row["id"] for row in rows]
    assert list(found["cluster"]) == [row["cluster"] for row in rows]
    assert [None if pd.isna(v) else v for v in found["duplicate_of"]] == [row["duplicate_of"] for row in rows]
    assert list(found["similarity"]) == [row["similarity"] for row in rows]
    assert sum(row["duplicate_of"] is not None for row in rows) > 10


def test_rule_files_travel_to_workers_that_do_not_have_them(tmp_path: Path) -> None:
    from cleaner.dask.units import RuleFile, land_rules, ship_rules

    pack = tmp_path / "mysite.toml"
    pack.write_text('[pack]\ndescription = "x"\n\n[[rules]]\nreason = "nav"\nlines = ["Menu"]\n')
    carried = ship_rules([str(pack)])
    assert land_rules(carried) == (str(pack),)  # the worker sees the same file: used as it is
    elsewhere = (RuleFile(str(tmp_path / "gone" / "mysite.toml"), pack.read_bytes()),)
    (landed,) = land_rules(elsewhere)
    assert Path(landed).name == "mysite.toml" and Path(landed).read_bytes() == pack.read_bytes()
    assert land_rules(elsewhere) == (landed,)
    changed = (RuleFile(str(pack), b"# another version\n" + pack.read_bytes()),)
    (other,) = land_rules(changed)
    assert other != str(pack) and Path(other).read_bytes() == changed[0].data


class _Counted:
    """A finished count task (a stand-in for a Dask future): its line count, or the error its read raised."""

    def __init__(self, value: int | Exception) -> None:
        self.value = value

    def result(self) -> int:
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


class _CountsOnly:
    """Just what numbering blocks asks of a client."""

    def __init__(self) -> None:
        self.cancelled: list[object] = []

    def cancel(self, futures: list[object]) -> None:
        self.cancelled.extend(futures)


def test_blocks_are_plain_values_numbered_from_the_counts_before_them() -> None:
    from cleaner.dask.units import Block, Units

    units = Units(_CountsOnly(), partition=10, window=2)
    counts = [_Counted(3), _Counted(5)]  # the last block's count numbers nothing
    assert list(units._numbered(range(0, 30, 10), counts)) == [Block(0, 10, 0), Block(10, 10, 3), Block(20, 10, 8)]


def test_a_count_that_fails_ends_the_file_in_a_block_that_says_why() -> None:
    from cleaner import io as cio
    from cleaner.dask.units import Block, Units, open_block

    units = Units(_CountsOnly(), partition=10, window=2)
    counts = [_Counted(3), _Counted(OSError("connection reset"))]
    found = list(units._numbered(range(0, 30, 10), counts))
    assert found[:2] == [Block(0, 10, 0), Block(10, 10, 3)]
    assert len(found) == 3 and found[2].problem == "cannot read it (connection reset)"
    with pytest.raises(cio.InputError, match="connection reset"):
        open_block(cio.Input("x.jsonl", "x.jsonl", "x.jsonl", "jsonl"), found[2])


# --- documents rendered on the workers -------------------------------------------------------------------------


def test_documents_left_out_come_out_as_locally(corpus: Path, scheduler: str, tmp_path: Path) -> None:
    """--lang and --drop-listings judge a document rendered on a worker as the local session judges it."""
    inputs = [corpus / "daily8", corpus / "dev", corpus / "generated.jsonl"]
    for number, options in enumerate((["--lang", "en", "--drop-listings"], ["--lang", "de,fr"])):
        local = run("clean", "--format", "jsonl", *options, *inputs)
        assert b"not in " in local.stderr  # documents in other languages were skipped
        if "--drop-listings" in options:
            assert b": a listing page" in local.stderr
        same_run(local, run("clean", "--format", "jsonl", "--dask", scheduler, *options, *inputs))
        same_run(run("clean", *options, *inputs), run("clean", "--dask", scheduler, *options, *inputs))
        local_out, dask_out = tmp_path / f"local{number}", tmp_path / f"dask{number}"
        written = run("clean", "-o", local_out, *options, *inputs)
        same_run(written, run("clean", "-o", dask_out, "--dask", scheduler, *options, *inputs))
        assert tree(dask_out) == tree(local_out)


def test_a_task_sends_back_rendered_documents_smaller_than_what_it_read(corpus: Path) -> None:
    """Under -o a block's documents come back as their output lines (`Rendered`), not as the records read and their
    Documents, which cost the trip back about twice the output's bytes."""
    import pickle

    from cleaner import io as cio
    from cleaner.cli.pool import Doc, Rendered
    from cleaner.cli.session import Settings
    from cleaner.dask.cleaning import Job, clean_unit

    path = corpus / "generated.jsonl"
    source = cio.Input(str(path), str(path), path.name, "jsonl", size=path.stat().st_size)
    settings = Settings(fmt="text", output_dir=str(corpus / "out"))
    whole = clean_unit(source, None, Job({}, details=settings.reads_details))
    rendered = clean_unit(source, None, Job({}, details=settings.reads_details, render=settings))
    assert sum(isinstance(event, Doc) for event in whole) > 10
    assert not any(isinstance(event, Doc) for event in rendered)
    assert sum(isinstance(event, Rendered) for event in rendered) == sum(isinstance(event, Doc) for event in whole)
    # What comes back is the output itself (a record's `removed` and `related` make it longer than its input).
    output = sum(len(event.out) for event in rendered if isinstance(event, Rendered))
    assert output > source.size / 2
    assert len(pickle.dumps(rendered)) < 1.1 * output < len(pickle.dumps(whole)) / 2
