"""What a new user tripped on (issue 21, defects 1-8): the README's index example, listing pages written empty,
-o onto the inputs, JSONL lines that are not records, folders with no pages, random bytes, an unwritable -o,
and the feedback of long runs. In-process through click's CliRunner with the real pipeline (-j 1)."""

from __future__ import annotations

import errno
import io
import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cleaner
from cleaner import cli
from cleaner import io as cio
from cleaner.cli import clean as clean_cli
from cleaner.cli import common
from cleaner.cli import dedup as dedup_cli
from cleaner.cli.session import Settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TAG_PAGE = SHARED / "corpus" / "daily8" / "003_2d07b8be4493662d.txt"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)


def story(seed: int) -> str:
    words = random.Random(seed).choices(
        ["council", "budget", "river", "school", "mayor", "harbour", "vote", "road", "winter", "market", "plan"], k=120
    )
    body = " ".join(words)
    return f"Story {seed} headline here\n\n{body.capitalize()}.\n"


# --- 1. the README's index example --------------------------------------------------------------------------------


@pytest.fixture
def corpus_and_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "new").mkdir()
    for seed in range(3):
        (tmp_path / "corpus" / f"s{seed}.txt").write_text(story(seed))
    near = story(1).replace("council", "councils", 1)  # a 0.99 near-copy of corpus/s1.txt
    (tmp_path / "new" / "copy.txt").write_text(near)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_dedup_check_without_an_index_says_so_and_exits_2(corpus_and_new: Path) -> None:
    assert run("index", "-q", "--no-clean", "corpus/").exit_code == 0
    result = run("dedup", "--check", "--no-clean", "new/copy.txt")
    assert result.exit_code == 2
    assert "no index found" in result.stderr and "--index" in result.stderr


def test_index_takes_the_corpus_folder(corpus_and_new: Path) -> None:
    assert run("index", "-q", "--no-clean", "corpus/").exit_code == 0
    for given in ("corpus/", "corpus", "corpus/.cleaner", "corpus/.cleaner/index.sqlite"):
        result = run("dedup", "--check", "--no-clean", "--index", given, "new/copy.txt")
        assert result.exit_code == 1, (given, result.stderr)
        assert "new/copy.txt: duplicate of corpus/s1.txt" in result.stderr
    assert run("dedup", "--check", "--no-clean", "--no-index", "new/copy.txt").exit_code == 0
    stats = run("index", "--stats", "corpus/")
    assert stats.exit_code == 0 and "3 files" in stats.stdout
    missing = run("dedup", "--check", "--no-clean", "--index", "elsewhere/", "new/copy.txt")
    assert missing.exit_code == 2 and "no index there" in missing.stderr


def test_index_reports_one_size(corpus_and_new: Path) -> None:
    made = run("index", "--no-clean", "corpus/")
    stats = run("index", "--stats", "corpus/")
    size = stats.stdout.strip().rsplit(", ", 1)[1]
    assert made.stderr.strip().endswith(size)


# --- 2. listing pages --------------------------------------------------------------------------------------------


@pytest.fixture
def tag_page(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "tag.txt").write_bytes(TAG_PAGE.read_bytes())  # writable (the shared copy is read-only)
    return folder


def test_a_listing_is_written_as_its_title_and_cards(tag_page: Path, tmp_path: Path) -> None:
    doc = cleaner.clean(TAG_PAGE.read_text(encoding="utf-8"))
    assert doc.kind == "listing" and doc.title == "Latest news with #Izhevsk"
    out = tmp_path / "out"
    assert run("clean", "-j", "1", str(tag_page), "-o", str(out)).exit_code == 0
    written = (out / "tag.txt").read_text(encoding="utf-8")
    paragraphs = written.rstrip("\n").split("\n\n")
    assert paragraphs[0] == doc.title
    assert len(paragraphs) == 1 + len(doc.related)
    for paragraph, card in zip(paragraphs[1:], doc.related, strict=True):
        lines = paragraph.split("\n")
        assert lines[0] == card.title
        assert card.source in lines[1] and card.date in lines[1]
        assert lines[-1] == card.text
    # written text is a fixed point: cleaning it again gives it back, still a listing
    again = run("clean", "-j", "1", str(out / "tag.txt"))
    assert again.stdout == written
    # --in-place writes the same, not an empty file
    assert run("clean", "-j", "1", "--in-place", str(tag_page)).exit_code == 0
    assert (tag_page / "tag.txt").read_text(encoding="utf-8") == written


def test_a_listing_has_its_title_in_jsonl(tag_page: Path) -> None:
    (row,) = [json.loads(line) for line in run("clean", "--format", "jsonl", str(tag_page)).stdout.splitlines()]
    assert row["kind"] == "listing" and row["title"] == "Latest news with #Izhevsk" and row["related"]


def test_drop_listings_names_each_file_it_drops(tag_page: Path, tmp_path: Path) -> None:
    (tag_page / "story.txt").write_text(story(5))
    out = tmp_path / "out"
    result = run("clean", "-j", "1", "--drop-listings", str(tag_page), "-o", str(out))
    assert result.exit_code == 0
    assert f"dropped {tag_page / 'tag.txt'}: a listing page" in result.stderr
    assert "dropped 1 listing" in result.stderr
    assert sorted(os.listdir(out)) == ["story.txt"]


# --- 3. -o onto the input folder ------------------------------------------------------------------------------------


def test_output_onto_the_input_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "selfo"
    folder.mkdir()
    page = folder / "a.txt"
    page.write_text("Logo\nA title of the page\n\nShare on Facebook\n" + story(1))
    before = page.read_bytes()
    for args in ([str(folder), "-o", str(folder)], [str(page), "-o", str(folder)], [str(folder), "-o", f"{folder}/."]):
        result = run("clean", *args)
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "--in-place" in result.stderr
        assert page.read_bytes() == before
    # -o with --check writes nothing: allowed
    assert run("clean", "--check", str(folder), "-o", str(folder)).exit_code in (0, 1)


# --- 4. JSONL lines that are not records ----------------------------------------------------------------------------

JSONL = (
    json.dumps({"id": "a", "text": story(1)})
    + "\n\n"
    + '{"text": "unterminated\n'
    + json.dumps({"id": "no-text"})
    + "\n"
)


def test_jsonl_message_reads_well() -> None:
    line = cio.parse_line(1, '{"text": "unterminated', None)
    assert line.problem == "invalid JSON (Unterminated string starting at column 10)"
    assert "at at" not in (cio.parse_line(1, '{"a": }', None).problem or "")


def test_jsonl_one_rule_on_stdout_and_in_files(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(JSONL)
    result = run("clean", "-j", "1", "--format", "jsonl", str(path))
    assert result.exit_code == 2
    messages = result.stderr.strip().splitlines()
    assert messages[:2] == [
        f"cleaner: {path}:3: invalid JSON (Unterminated string starting at column 10)",
        f"cleaner: {path}:4: no page in it: no text or html field",
    ]
    assert messages[-1].endswith("2 errors)")  # every line reported as an error is counted
    printed = result.stdout.splitlines()
    assert printed[1:] == ['{"id": "no-text"}']  # stdout: every line parses; the blank line dropped
    out = tmp_path / "out"
    assert run("clean", "-j", "1", str(path), "-o", str(out)).exit_code == 2
    # in files the invalid line is kept as it was too: nothing of the user's data is lost
    assert (out / "r.jsonl").read_text().splitlines() == [printed[0], '{"text": "unterminated', '{"id": "no-text"}']
    assert run("clean", "-j", "1", "--skip-errors", str(path), "-o", str(tmp_path / "o2")).exit_code == 0


# --- 5. nothing matched ----------------------------------------------------------------------------------------------


def test_a_folder_without_pages_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "a.csv").write_text("x,y\n")
    (folder / "b.md").write_text("# notes\n")
    for command in (["clean"], ["dedup"], ["index"], ["learn"]):
        result = run(*command, str(folder))
        assert result.exit_code == 2, command
        assert f"{folder}: no pages found under it" in result.stderr
    assert not (folder / ".cleaner").exists()


# --- 6. random bytes ---------------------------------------------------------------------------------------------


def noise(seed: int) -> bytes:
    """5 KB of random bytes with no NUL among them."""
    rng = random.Random(seed)
    return bytes(rng.randrange(1, 256) for _ in range(5000))


def test_random_bytes_without_nul_are_binary(tmp_path: Path) -> None:
    for seed in range(50):
        assert cio.binary_reason(noise(seed)[: cio.SNIFF_BYTES]) is not None, seed
    (tmp_path / "noise.txt").write_bytes(noise(0))
    result = run("clean", str(tmp_path / "noise.txt"))
    assert result.exit_code == 2 and "binary file" in result.stderr


@pytest.mark.parametrize("codec", ["cp1251", "cp1252", "koi8_r", "shift_jis"])
def test_legacy_text_is_still_text(codec: str) -> None:
    text = {"cp1252": "Café déjà vu à Zürich. ", "shift_jis": "東京の天気は晴れです。"}.get(
        codec, "Привет, это текст. "
    )
    assert cio.binary_reason((text * 300).encode(codec)[: cio.SNIFF_BYTES]) is None


# --- 7. an unwritable -o -----------------------------------------------------------------------------------------


def test_an_unwritable_output_folder_is_one_message(tmp_path: Path) -> None:
    for seed in range(3):
        (tmp_path / f"p{seed}.txt").write_text(story(seed))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run("clean", "-j", "1", str(tmp_path), "-o", str(blocker / "out"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"cleaner: -o {blocker / 'out'}: cannot write there (not a directory)"
    ]


def test_a_full_disk_stops_the_run_at_the_first_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for seed in range(4):
        (src / f"p{seed}.txt").write_text(story(seed))

    def full(self: object, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cio.AtomicFile, "write", full)
    result = run("clean", "-j", "1", str(src), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "cannot write" in line and "stopped" in line and "0 files written" in line
    assert os.listdir(tmp_path / "out") == []


# --- 8. feedback on long runs ------------------------------------------------------------------------------------


def test_the_progress_bar_shows_share_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.Progress, "DELAY", 0.0)
    monkeypatch.setattr(common.Progress, "INTERVAL", 0.0)
    screen = io.StringIO()
    progress = common.Progress(True, 10_000, "cleaning", file=screen)
    for _ in range(5):
        progress.advance(1000, 1)
    progress.close()
    shown = screen.getvalue()
    assert "cleaning" in shown and "50%" in shown and "B/s" in shown and "<" in shown  # elapsed<left
    assert "5 documents" in shown


def test_dedup_and_index_bars_have_a_total(tmp_path: Path) -> None:
    for seed in range(3):
        (tmp_path / f"p{seed}.txt").write_text(story(seed))
    assert dedup_cli.input_bytes([str(tmp_path)], "auto") == sum(
        (tmp_path / f"p{seed}.txt").stat().st_size for seed in range(3)
    )


def test_an_interrupt_says_how_far_it_got() -> None:
    assert (
        clean_cli.interrupted_progress(336, 3000, Settings(in_place=True))
        == "336 of 3000 files done, the rest untouched"
    )
    assert clean_cli.interrupted_progress(2, None, Settings(output_dir="out")) == "2 files written, the rest not"


def test_in_place_names_each_file_it_rewrote(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text("Share on Facebook\n" + story(2))
    clean_page = tmp_path / "clean.txt"
    clean_page.write_text(cleaner.clean(story(3)).render())
    result = run("clean", "-j", "1", "--in-place", str(tmp_path))
    assert f"cleaned {dirty}" in result.stderr
    assert str(clean_page) not in result.stderr


def test_dedup_table_lines_up_with_long_ids(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 80 + ".txt")
    long.write_text(story(1))
    (tmp_path / "b.txt").write_text(story(1))
    result = run("dedup", "--no-clean", "--no-index", str(long), str(tmp_path / "b.txt"))
    header, *rows = result.stdout.splitlines()
    column = header.index("CLUSTER")
    for row in rows:
        assert row[column - 2 : column] == "  " and row[column] != " "
    assert header.index("SIMILARITY") == rows[1].rindex("  ") + 2


def test_rules_header_says_shipped_once() -> None:
    shown = run("rules").stdout
    assert "(daily8 (shipped)" not in shown
    assert "daily8  (shipped, " in shown
