"""`cleaner dedup` and `cleaner clean --dedup`: the output contract, exit codes, errors; in-process through
click's CliRunner (--no-clean, or the real pipeline) and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedup import paragraphs, prose

import cleaner
from cleaner import cli

CONTRACT = ["id", "cluster", "duplicate_of", "similarity"]


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Clean texts: a story, its trimmed copy (before it), an unrelated one, an edited copy, an empty file."""
    story = paragraphs(3)
    files = {
        "1-trimmed.txt": "\n\n".join(story[:4]),
        "2-full.txt": "\n\n".join(story),
        "3-other.txt": prose(77, 350),
        "4-edited.txt": "ROME — " + "\n\n".join(story).replace(story[1].split()[2], "qqq", 1),
        "5-empty.txt": "",
    }
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_jsonl_contract(corpus: Path) -> None:
    code, out, err = run("dedup", "--no-clean", "--no-index", "--format", "jsonl", str(corpus))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [list(row) for row in rows] == [CONTRACT] * 5
    ids = [row["id"] for row in rows]
    assert ids == [str(corpus / name) for name in sorted(os.listdir(corpus))]  # input order, path as given
    by_name = {Path(row["id"]).name: row for row in rows}
    # the most complete copy represents the story (the edited copy has a dateline: two more words, so it wins)
    rep = str(corpus / "4-edited.txt")
    assert by_name["4-edited.txt"] == {"id": rep, "cluster": rep, "duplicate_of": None, "similarity": 1.0}
    for name in ("1-trimmed.txt", "2-full.txt"):
        assert by_name[name]["cluster"] == rep and by_name[name]["duplicate_of"] == rep
        assert 0.8 <= by_name[name]["similarity"] <= 1.0
    for name in ("3-other.txt", "5-empty.txt"):
        assert by_name[name]["duplicate_of"] is None and by_name[name]["cluster"] == by_name[name]["id"]
    assert "compared 5 documents: 3 stories, 2 duplicates, 0 errors" in err


def test_table(corpus: Path) -> None:
    code, out, _ = run("dedup", "--no-clean", "--no-index", str(corpus))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["DOCUMENT", "CLUSTER", "SIMILARITY"]
    assert len(lines) == 6
    assert lines[2].split()[0] == str(corpus / "2-full.txt") and lines[2].split()[1] == str(corpus / "4-edited.txt")
    assert lines[4].split()[-1] == "representative"


def test_check_exit_codes(corpus: Path) -> None:
    code, out, err = run("dedup", "--no-clean", "--no-index", "--check", str(corpus))
    assert code == 1 and out == ""
    assert f"{corpus / '2-full.txt'}: duplicate of {corpus / '1-trimmed.txt'} (similarity 1.00)" in err
    assert f"{corpus / '4-edited.txt'}: duplicate of" in err
    code, out, err = run("dedup", "--no-clean", "--no-index", "--check", str(corpus / "3-other.txt"))
    assert code == 0 and out == ""


def test_thresholds_are_options(corpus: Path) -> None:
    args = ("dedup", "--no-clean", "--no-index", "--format", "jsonl", "--min-words", "100000")
    code, out, _ = run(*args, "--jaccard", "1", str(corpus / "1-trimmed.txt"), str(corpus / "2-full.txt"))
    assert code == 0 and all(json.loads(line)["duplicate_of"] is None for line in out.splitlines())
    code, _, err = run("dedup", "--jaccard", "2", str(corpus))
    assert code == 2 and "--jaccard" in err
    pair = (str(corpus / "1-trimmed.txt"), str(corpus / "4-edited.txt"))
    code, out, _ = run("dedup", "--no-clean", "--no-index", "--format", "jsonl", *pair)
    assert any(json.loads(line)["duplicate_of"] is not None for line in out.splitlines())
    code, out, _ = run("dedup", "--no-clean", "--no-index", "--format", "jsonl", "--shift", "0", *pair)
    assert all(json.loads(line)["duplicate_of"] is None for line in out.splitlines())  # "ROME —" moves the text


def test_errors_are_reported_and_the_rest_compared(corpus: Path) -> None:
    (corpus / "binary.txt").write_bytes(b"\0\1\2" * 100)
    missing = str(corpus / "missing.txt")
    code, out, err = run("dedup", "--no-clean", "--no-index", "--format", "jsonl", missing, str(corpus))
    assert code == 2
    assert f"cleaner: {missing}: no such file or directory" in err
    assert f"cleaner: {corpus / 'binary.txt'}: binary file (NUL bytes)" in err
    assert len(out.splitlines()) == 5


def test_jsonl_records_from_stdin() -> None:
    story = "\n\n".join(paragraphs(5))
    lines = [
        json.dumps({"id": 17, "text": story}),
        json.dumps({"text": "BERLIN — " + story}),
        "not json",
        json.dumps({"id": "x", "text": prose(8)}),
    ]
    code, out, err = run("dedup", "--no-clean", "--format", "jsonl", input="\n".join(lines) + "\n")
    assert code == 2 and "-:3: invalid JSON" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == [17, "-:2", "x"]
    assert rows[0]["duplicate_of"] == "-:2" and rows[1]["duplicate_of"] is None


def test_usage_errors(tmp_path: Path) -> None:
    assert run("dedup", "-", "-")[0] == 2
    assert run("dedup", "--git", "--no-index", "x")[0] == 2


# --- with the real pipeline --------------------------------------------------------------------------------------

CHROME_A = ["Morning Ledger", "Home | World | Business | Sport", "Share", "Facebook", "Twitter", "Email"]
CHROME_B = ["NEWSHUB", "Sign up for our newsletter", "Subscribe", "Related Articles"]


def scraped(chrome: list[str], title: str, body: list[str], footer: list[str]) -> str:
    return "\n".join([*chrome, title, "", "\n\n".join(body), "", *footer]) + "\n"


def test_cleans_before_comparing(tmp_path: Path) -> None:
    story = paragraphs(12, count=5, words=45)
    a = scraped(CHROME_A, "Harbour to reopen in spring", story, ["Privacy Policy | Terms of Use | Cookie settings"])
    b = scraped(CHROME_B, "Spring reopening for the harbour", story[:4], ["(c) NewsHub 2026. All rights reserved."])
    (tmp_path / "a.txt").write_text(a)
    (tmp_path / "b.txt").write_text(b)
    code, out, err = run("dedup", "-j", "1", "--no-index", "--format", "jsonl", str(tmp_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[1]["duplicate_of"] == str(tmp_path / "a.txt")
    # the comparison is of the cleaned texts: what --no-clean on cleaner.clean()'s output gives
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "a.txt").write_text(cleaner.clean(a).render())
    (tmp_path / "clean" / "b.txt").write_text(cleaner.clean(b).render())
    code, clean_out, _ = run("dedup", "--no-clean", "--no-index", "--format", "jsonl", str(tmp_path / "clean"))
    assert [json.loads(line)["similarity"] for line in clean_out.splitlines()] == [r["similarity"] for r in rows]


def test_clean_dedup_drops_later_copies(tmp_path: Path) -> None:
    story = paragraphs(14, count=5, words=45)
    pages = {
        "1.txt": scraped(CHROME_A, "Harbour to reopen", story[:3], []),
        "2.txt": scraped(CHROME_B, "Harbour reopening", story, []),  # longer: kept too
        "3.txt": scraped(CHROME_A, "The harbour, again", story[:4], []),  # dropped: 2.txt is longer
        "4.txt": scraped(CHROME_B, "Something else", paragraphs(15, count=4, words=45), []),
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text)
    out_dir = tmp_path / "out"
    code, _, err = run("clean", "--dedup", "-j", "1", str(tmp_path), "-o", str(out_dir))
    assert code == 0, err
    assert sorted(os.listdir(out_dir)) == ["1.txt", "2.txt", "4.txt"]
    assert "dropped 1 duplicate" in err

    code, out, _ = run("clean", "--dedup", "-j", "1", "--format", "jsonl", *(str(tmp_path / n) for n in pages))
    assert [json.loads(line)["id"] for line in out.splitlines()] == [
        str(tmp_path / n) for n in ("1.txt", "2.txt", "4.txt")
    ]

    before = (tmp_path / "3.txt").read_text()
    code, _, err = run("clean", "--dedup", "-j", "1", "--in-place", str(tmp_path / "2.txt"), str(tmp_path / "3.txt"))
    assert code == 0 and (tmp_path / "3.txt").read_text() == before  # a duplicate is left as it was


def test_an_excerpt_of_a_long_story_is_its_duplicate_in_dedup_and_clean_dedup(tmp_path: Path) -> None:
    """A feed excerpt (the story's first 75 words) of a 600-word story: found through the story's lead by `dedup`
    (similarity never below the threshold) and dropped by `clean --dedup` after the story."""
    story = paragraphs(17, count=12, words=50)
    opening = [story[0], " ".join(story[1].split()[:25])]
    (tmp_path / "1.txt").write_text(scraped(CHROME_A, "Harbour to reopen in spring", story, []))
    (tmp_path / "2.txt").write_text(scraped(CHROME_B, "Harbour to reopen in spring", opening, []))
    code, out, err = run("dedup", "--no-index", "--format", "jsonl", str(tmp_path))
    assert code == 0, err
    rows = {Path(row["id"]).name: row for row in map(json.loads, out.splitlines())}
    assert Path(rows["2.txt"]["duplicate_of"]).name == "1.txt"
    assert rows["2.txt"]["similarity"] >= 0.7
    out_dir = tmp_path / "out"
    code, _, err = run(
        "clean", "--dedup", "-j", "1", str(tmp_path / "1.txt"), str(tmp_path / "2.txt"), "-o", str(out_dir)
    )
    assert code == 0, err
    assert sorted(os.listdir(out_dir)) == ["1.txt"] and "dropped 1 duplicate" in err


def test_subprocess_end_to_end(tmp_path: Path) -> None:
    story = paragraphs(16, count=5, words=45)
    (tmp_path / "a.txt").write_text(scraped(CHROME_A, "Harbour to reopen", story, []))
    (tmp_path / "b.txt").write_text(scraped(CHROME_B, "Harbour reopens", story[:4], []))
    (tmp_path / "c.txt").write_text(scraped(CHROME_B, "Unrelated", paragraphs(17, count=4, words=45), []))
    done = subprocess.run(
        [sys.executable, "-m", "cleaner", "dedup", "--format", "jsonl", "a.txt", "b.txt", "c.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(row["id"], row["cluster"], row["duplicate_of"]) for row in rows] == [
        ("a.txt", "a.txt", None),
        ("b.txt", "a.txt", "a.txt"),
        ("c.txt", "c.txt", None),
    ]
    check = subprocess.run(
        [sys.executable, "-m", "cleaner", "dedup", "--check", "--no-index", "-q", "c.txt", "b.txt", "a.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1 and check.stderr.startswith("a.txt: duplicate of b.txt (similarity ")
    assert not (tmp_path / ".cleaner").exists()  # no index unless asked for


def test_worker_processes_give_the_same_answer(tmp_path: Path) -> None:
    """Past a few batches, --no-clean sketches in worker processes: the output is the same as in one process."""
    for n in range(300):
        (tmp_path / f"{n:03d}.txt").write_text(prose(n % 120, 80) + (" Extra words here." if n >= 120 else ""))
    args = ("dedup", "--no-clean", "--no-index", "--format", "jsonl", str(tmp_path))
    code_one, one, _ = run(*args, "-j", "1")
    code_two, two, _ = run(*args, "-j", "2")
    assert code_one == code_two == 0
    assert one == two
    assert sum(json.loads(line)["duplicate_of"] is not None for line in one.splitlines()) == 180


def test_files_read_in_workers_give_the_same_answer_and_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of one-page files read and sketched in workers, around a JSONL file and unreadable inputs read in
    this process: the same output, in input order, and the same messages as in one process."""
    from cleaner.cli.sketching import Sketcher

    monkeypatch.setattr(Sketcher, "POOL_AFTER", 0)
    monkeypatch.setattr(Sketcher, "FILES", 4)
    for n in range(40):
        (tmp_path / f"{n:03d}.txt").write_text(prose(n % 15, 90) + (" One more line." if n >= 15 else ""))
    (tmp_path / "017.txt").write_bytes(b"\0\1\2" * 50)
    (tmp_path / "021.txt").write_text("")
    records = [json.dumps({"id": f"r{n}", "text": prose(n % 15, 90)}) for n in range(6)]
    (tmp_path / "020.jsonl").write_text("\n".join([*records[:3], "not json", *records[3:]]) + "\n")
    args = ("dedup", "--no-clean", "--no-index", "--format", "jsonl", str(tmp_path), str(tmp_path / "missing.txt"))
    code_one, one, err_one = run(*args, "-j", "1")
    code_two, two, err_two = run(*args, "-j", "2")
    assert code_one == code_two == 2
    assert one == two and err_one == err_two
    rows = [json.loads(line) for line in two.splitlines()]
    assert len(rows) == 39 + 6  # the binary file and the invalid line are not documents
    assert [row["id"] for row in rows][18:25] == [str(tmp_path / "019.txt"), *(f"r{n}" for n in range(6))]
    assert "binary file (NUL bytes)" in err_two and "020.jsonl:4: invalid JSON" in err_two
    assert sum(row["duplicate_of"] is not None for row in rows) == 45 - 15 - 1  # the empty file stands alone


def test_sketching_processes_follow_the_idle_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner.cli import sketching

    monkeypatch.setattr(sketching, "default_jobs", lambda: 4)
    assert sketching.sketching_jobs(3, cleaning=False) == 3  # as asked
    assert sketching.sketching_jobs(None, cleaning=True) == 4  # cleaning: one per CPU
    for load, jobs in ((0.0, 4), (1.2, 3), (2.6, 1), (9.0, 1)):
        monkeypatch.setattr(sketching.os, "getloadavg", lambda load=load: (load, load, load))
        assert sketching.sketching_jobs(None, cleaning=False) == jobs


_IDS = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12),
    st.sampled_from(["a\u2028b", "x\ud800", 'q"\\\n', "été/ü.txt"]),
    st.integers(),
    st.none(),
)


@settings(max_examples=200, deadline=None)
@given(_IDS, _IDS, _IDS, st.floats(0, 1))
def test_a_row_is_written_as_the_jsonl_writer_writes_it(
    doc_id: object, cluster: object, other: object, similarity: float
) -> None:
    from cleaner import io as cio
    from cleaner.cli.dedup import jsonl_row
    from cleaner.dedup.deduplicator import Assignment

    row = Assignment(doc_id, cluster, other, similarity)  # type: ignore[arg-type]
    expected = {"id": doc_id, "cluster": cluster, "duplicate_of": other, "similarity": similarity}
    assert jsonl_row(row) == cio.jsonl_line(expected)
