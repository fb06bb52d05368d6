"""The persistent index: storage, schema checks, concurrent use, and incremental updates through `cleaner index`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_dedup import paragraphs, prose

from cleaner import cli
from cleaner.cli import dedup as dedup_cli
from cleaner.dedup import Deduplicator, DedupOptions
from cleaner.dedup import deduplicator as dedup_module
from cleaner.dedup.index import Index, IndexProblem, Remove, Replace, StoredDoc, Touch
from cleaner.dedup.lsh import BY_LEAD, LEAD_BANDS, Banding
from cleaner.dedup.minhash import LEAD_BINS, LEAD_WORDS

OPTIONS = DedupOptions()


def stored(text: str, line: int | None = None, rid: object = None) -> StoredDoc:
    return StoredDoc(line, rid, text.encode()[:16], Deduplicator().sketch(text))


def replace(path: str, *texts: str) -> Replace:
    return Replace(path, 10, 20, b"h", "raw/auto", [stored(text) for text in texts])


def test_store_look_up_and_remove(tmp_path: Path) -> None:
    text = prose(1)
    with Index(str(tmp_path / "i.sqlite"), OPTIONS, root=str(tmp_path)) as index:
        index.apply([replace("a.txt", text), replace("b/c.txt", prose(2))])
        keys = Banding(128, 42).keys(Deduplicator().sketch(text).signature).tolist()
        found = index.docs(list(index.candidates(keys, has_lead=True)))
        assert [row.path for row in found] == ["a.txt"]
        assert found[0].sketch.words == len(text.split())
        assert list(index.paths()) == ["a.txt", "b/c.txt"] and list(index.paths("b")) == ["b/c.txt"]

        index.apply([replace("a.txt", prose(3))])  # replaced: its old band keys are gone
        assert index.candidates(keys, has_lead=True) == {}
        index.apply([Touch("b/c.txt", 99, 100)])
        row = index.file("b/c.txt")
        assert row is not None and (row.size, row.mtime_ns, row.hash) == (99, 100, b"h")
        index.apply([Remove("b/c.txt")])
        stats = index.stats()
        assert (stats.files, stats.docs, stats.bands) == (1, 1, 42 + LEAD_BANDS)  # 42 band keys, and its lead's


def test_paths_are_relative_to_the_recorded_root(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("x")
    path = str(tmp_path / "elsewhere" / "idx.sqlite")
    with Index(path, OPTIONS, root=str(corpus)) as index:
        assert index.relative(str(corpus / "sub" / "a.txt")) == "sub/a.txt"
        assert index.relative(str(tmp_path / "outside.txt")) is None
    with Index(path, OPTIONS) as index:  # reopened: the root comes from the index
        assert index.root == str(corpus)


def test_schema_version_and_structure_are_checked(tmp_path: Path) -> None:
    path = str(tmp_path / "i.sqlite")
    Index(path, OPTIONS).close()
    with pytest.raises(IndexProblem, match="shingle_size"):
        Index(path, DedupOptions(shingle_size=4))
    Index(path, DedupOptions(jaccard=0.9)).close()  # thresholds are not recorded
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(IndexProblem, match="schema version 999"):
        Index(path, OPTIONS)

    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(IndexProblem, match="not a cleaner index"):
        Index(str(other), OPTIONS)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexProblem):
        Index(str(junk), OPTIONS)


def test_a_reader_does_not_block_a_writer(tmp_path: Path) -> None:
    path = str(tmp_path / "i.sqlite")
    with Index(path, OPTIONS, root=str(tmp_path)) as first, Index(path, OPTIONS, timeout=1) as second:
        first.apply([replace("a.txt", prose(1))])
        first.db.execute("BEGIN")
        assert first.db.execute("SELECT count(*) FROM files").fetchone()[0] == 1  # a read transaction is open
        second.apply([replace("b.txt", prose(2))])  # WAL: the writer goes ahead
        assert first.db.execute("SELECT count(*) FROM files").fetchone()[0] == 1  # the reader's snapshot
        first.db.execute("COMMIT")
        assert first.stats().files == 2


def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    Index(str(path), OPTIONS, root=str(tmp_path)).close()
    code = textwrap.dedent(
        f"""
        import sys
        from cleaner.dedup import DedupOptions, Deduplicator
        from cleaner.dedup.index import Index, Replace, StoredDoc
        who = sys.argv[1]
        dedup = Deduplicator()
        with Index({str(path)!r}, DedupOptions()) as index:
            for n in range(30):
                text = f"{{who}} document {{n}} " * 20
                doc = StoredDoc(None, None, None, dedup.sketch(text))
                index.apply([Replace(f"{{who}}/{{n}}.txt", 1, 1, None, "raw/auto", [doc])])
                index.apply([Replace("shared.txt", 1, n, None, "raw/auto", [doc])])
        """
    )
    runs = [subprocess.Popen([sys.executable, "-c", code, who], stderr=subprocess.PIPE) for who in ("a", "b")]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    with Index(str(path), OPTIONS) as index:
        stats = index.stats()
        assert (stats.files, stats.docs, stats.bands) == (61, 61, 61 * (42 + LEAD_BANDS))  # 80 words: a probe each


# --- incremental updates through `cleaner index` -------------------------------------------------------------------


class Counter:
    def __init__(self) -> None:
        self.texts: list[str] = []


@pytest.fixture
def sketched(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Every text the commands sketch (that is: read and, without --no-clean, cleaned)."""
    counter = Counter()
    one, many = dedup_module.Deduplicator.sketch, dedup_module.Deduplicator.sketch_many

    def counting(self: Deduplicator, text: str):  # type: ignore[no-untyped-def]
        counter.texts.append(text)
        return one(self, text)

    def counting_many(self: Deduplicator, texts):  # type: ignore[no-untyped-def]
        counter.texts.extend(texts)
        return many(self, texts)

    monkeypatch.setattr(dedup_module.Deduplicator, "sketch", counting)
    monkeypatch.setattr(dedup_module.Deduplicator, "sketch_many", counting_many)
    return counter


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_index_updates_incrementally(tmp_path: Path, sketched: Counter) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"{n}.txt").write_text(prose(n))
    records = [f'{{"id": "r{n}", "text": "{prose(10 + n)}"}}' for n in range(3)]
    (corpus / "feed.jsonl").write_text("\n".join(records) + "\n")
    index_path = corpus / ".cleaner" / "index.sqlite"

    code, output = run("index", str(corpus), "--no-clean", "-j", "1")
    assert code == 0, output
    assert len(sketched.texts) == 6 and index_path.is_file()
    assert (corpus / ".cleaner" / ".gitignore").read_text() == "*\n"

    sketched.texts.clear()
    assert run("index", str(corpus), "--no-clean", "-j", "1")[0] == 0
    assert sketched.texts == []  # nothing changed: nothing read

    (corpus / "1.txt").write_text(prose(99))
    os.utime(corpus / "2.txt", ns=(1, 1))  # moved in time, same bytes
    records[1] = f'{{"id": "r1", "text": "{prose(98)}"}}'
    (corpus / "feed.jsonl").write_text("\n".join(records) + "\n")
    assert run("index", str(corpus), "--no-clean", "-j", "1")[0] == 0
    assert sketched.texts == [prose(99), prose(98)]  # the changed file and the changed record only

    (corpus / "0.txt").unlink()
    code, output = run("index", str(corpus), "--no-clean", "-j", "1")
    assert code == 0 and "1 removed" in output
    with Index(str(index_path), OPTIONS) as index:
        assert list(index.paths()) == ["1.txt", "2.txt", "feed.jsonl"]
        row = index.file("feed.jsonl")
        assert row is not None
        assert [doc.record_id for doc in index.docs_of(row.id)] == ["r0", "r1", "r2"]

    sketched.texts.clear()
    code, output = run("index", str(corpus), "--no-clean", "-j", "1", "--rebuild")
    assert code == 0 and len(sketched.texts) == 5
    code, output = run("index", "--stats", str(corpus))
    # 42 per document, and 20 of its lead (or its probe: a short one)
    assert code == 0 and f"3 files, 5 documents, {5 * (42 + LEAD_BANDS)} band keys" in output


def test_dedup_checks_new_files_against_the_index(tmp_path: Path, sketched: Counter) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    story = paragraphs(7)
    (corpus / "story.txt").write_text("\n\n".join(story))
    for n in range(5):
        (corpus / f"other{n}.txt").write_text(prose(200 + n))
    assert run("index", str(corpus), "--no-clean", "-j", "1")[0] == 0

    new = tmp_path / "new"
    new.mkdir()
    (new / "copy.txt").write_text("BERLIN — " + "\n\n".join(story[:4]))
    (new / "fresh.txt").write_text(prose(300))
    sketched.texts.clear()
    index_arg = str(corpus / ".cleaner" / "index.sqlite")
    code, output = run("dedup", "--no-clean", "--check", "--index", index_arg, str(new))
    assert code == 1
    assert f"{new / 'copy.txt'}: duplicate of {corpus / 'story.txt'} (similarity" in output
    assert "fresh.txt" not in output.split("compared")[0]
    assert len(sketched.texts) == 2  # the corpus was not read

    # the indexed file disappears: it is no longer a match, and the index forgets it
    (corpus / "story.txt").unlink()
    code, output = run("dedup", "--no-clean", "--check", "--index", index_arg, str(new / "copy.txt"))
    assert code == 0, output
    with Index(index_arg, OPTIONS) as index:
        assert "story.txt" not in list(index.paths())


def test_dedup_uses_the_index_found_at_the_root(tmp_path: Path, sketched: Counter) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    (corpus / "a" / "one.txt").write_text(prose(1))
    (corpus / "a" / "two.txt").write_text(prose(1) + " Plus a new ending.")
    assert run("index", str(corpus), "--no-clean", "-j", "1")[0] == 0
    sketched.texts.clear()
    code, output = run("dedup", "--no-clean", "--format", "jsonl", str(corpus / "a"))
    assert code == 0 and sketched.texts == []  # both unchanged: from the index, unread
    assert output.count('"duplicate_of": null') == 1

    code, output = run("dedup", "--no-clean", "--no-index", "--format", "jsonl", str(corpus / "a"))
    assert code == 0 and len(sketched.texts) == 2


def test_bad_index_is_one_error_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"garbage" * 1000)
    (tmp_path / "a.txt").write_text(prose(1))
    code, output = run("dedup", "--index", str(junk), str(tmp_path / "a.txt"))
    assert code == 2 and output.startswith(f"cleaner: {junk}: not a usable index")
    code, output = run("index", "--stats", "--index", str(tmp_path / "none.sqlite"))
    assert code == 2 and "no index there" in output


def test_index_of_paths_that_do_not_exist_makes_no_index(tmp_path: Path) -> None:
    missing = tmp_path / "corpus" / "missing.txt"
    code, output = run("index", str(missing), str(tmp_path / "nope"))
    assert code == 2
    assert output.splitlines() == [
        f"cleaner: {missing}: no such file or directory",
        f"cleaner: {tmp_path / 'nope'}: no such file or directory",
    ]
    assert not (tmp_path / ".cleaner").exists() and not (tmp_path / "corpus").exists()
    assert run("index", "-") == (2, "cleaner: -: standard input cannot be indexed\n")


def test_trusting_clean_text_is_part_of_the_recorded_cleaning(tmp_path: Path, sketched: Counter) -> None:
    # A file sketched with --trust-clean was cleaned otherwise: run without it, it is read again, and back.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(prose(1))
    assert run("index", str(corpus), "-j", "1")[0] == 0
    assert len(sketched.texts) == 1
    assert run("index", str(corpus), "-j", "1")[0] == 0
    assert len(sketched.texts) == 1  # the same cleaning: nothing read
    assert run("index", str(corpus), "-j", "1", "--trust-clean")[0] == 0
    assert len(sketched.texts) == 2
    assert run("index", str(corpus), "-j", "1")[0] == 0
    assert len(sketched.texts) == 3


def test_sketches_of_another_cleaner_are_not_fresh(
    tmp_path: Path, sketched: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The version string stays the same across many changes to what cleaning gives; the digest of cleaner's own
    # files does not: after an upgrade, a recorded file is read and cleaned again.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(prose(1))
    assert run("index", str(corpus), "-j", "1")[0] == 0
    assert run("index", str(corpus), "-j", "1")[0] == 0
    assert len(sketched.texts) == 1
    monkeypatch.setattr(dedup_cli, "cleaning_digest", lambda: "another-cleaner")
    assert run("index", str(corpus), "-j", "1")[0] == 0
    assert len(sketched.texts) == 2
    # without cleaning (--no-clean) the sketch is of the raw text: no cleaner's code is involved
    assert run("index", str(corpus), "-j", "1", "--no-clean")[0] == 0
    assert len(sketched.texts) == 3
    monkeypatch.setattr(dedup_cli, "cleaning_digest", lambda: "a third cleaner")
    assert run("index", str(corpus), "-j", "1", "--no-clean")[0] == 0
    assert len(sketched.texts) == 3


def test_the_files_digest_follows_sources_and_data_not_bytecode(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "packs").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "core.py").write_text("X = 1\n")
    (package / "packs" / "generic.toml").write_text('[pack]\nname = "generic"\n')
    first = dedup_cli.files_digest(package)
    (package / "__pycache__" / "core.cpython-311.pyc").write_bytes(b"\0" * 64)
    assert dedup_cli.files_digest(package) == first
    (package / "packs" / "generic.toml").write_text('[pack]\nname = "generic"\nversion = 2\n')
    second = dedup_cli.files_digest(package)
    assert second != first
    (package / "core.py").rename(package / "main.py")
    assert dedup_cli.files_digest(package) not in (first, second)


def test_a_story_carried_as_a_card_in_the_index_is_no_match(tmp_path: Path, sketched: Counter) -> None:
    """`dedup --check` against an index (what the pre-commit hook runs) judges pairs by the same rule as a run
    without one: an indexed page that carries the new story only as a card further down is not its copy, and a
    copy of the page's own story is."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    own, carried = prose(410, 400), prose(411, 300)
    (corpus / "page.txt").write_text(own + "\n\nRelated\n\n" + carried)
    assert run("index", str(corpus), "--no-clean", "-j", "1")[0] == 0
    new = tmp_path / "new"
    new.mkdir()
    (new / "carried.txt").write_text(carried)
    (new / "own.txt").write_text("PARIS — " + own)
    index_arg = str(corpus / ".cleaner" / "index.sqlite")
    code, output = run("dedup", "--no-clean", "--check", "--index", index_arg, str(new))
    assert code == 1
    assert f"{new / 'own.txt'}: duplicate of {corpus / 'page.txt'}" in output
    assert "carried.txt: duplicate" not in output
    code, output = run("dedup", "--no-clean", "--check", "--no-index", str(new), str(corpus / "page.txt"))
    assert "carried.txt: duplicate" not in output and "page.txt: duplicate of" in output


def test_check_against_an_index_finds_an_excerpt_through_the_lead_but_not_a_card(
    tmp_path: Path, sketched: Counter
) -> None:
    """`dedup --check` against an index: an excerpt of an indexed long story is its duplicate (met through the
    stored lead), and an excerpt of a story an indexed page carries only as a card after its own article is
    not that page's duplicate."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    story, own, carried = prose(420, 900), prose(421, 500), prose(422, 700)
    (corpus / "story.txt").write_text(story)
    (corpus / "page.txt").write_text(own + "\n\nRelated\n\n" + " ".join(carried.split()[:90]))
    assert run("index", str(corpus), "--no-clean", "-j", "1")[0] == 0
    new = tmp_path / "new"
    new.mkdir()
    (new / "excerpt.txt").write_text("AP — " + " ".join(story.split()[:75]))
    (new / "carried.txt").write_text(" ".join(carried.split()[:80]))
    index_arg = str(corpus / ".cleaner" / "index.sqlite")
    code, output = run("dedup", "--no-clean", "--check", "--index", index_arg, str(new))
    assert code == 1
    assert f"{new / 'excerpt.txt'}: duplicate of {corpus / 'story.txt'}" in output
    assert "carried.txt: duplicate" not in output


def _as_schema(path: str, version: int, dropped: tuple[str, ...] = ()) -> None:
    """Make an index look as an older version wrote it: its recorded version, and without the columns it lacked."""
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    for column in dropped:
        db.execute(f"ALTER TABLE docs DROP COLUMN {column}")
    db.commit()
    db.close()


def test_an_index_of_schema_1_is_emptied_and_refilled(tmp_path: Path) -> None:
    """Version 1 kept no positions: its files are forgotten (read again by the next run) and the column added."""
    path = str(tmp_path / "i.sqlite")
    with Index(path, OPTIONS) as index:
        index.apply([replace("a.txt", prose(1))])
    _as_schema(path, 1, dropped=("positions", "lead_signature", "lead_positions", "lead_distinct"))
    with Index(path, OPTIONS) as index:
        assert index.stats().schema_version == 4
        assert list(index.paths()) == [] and index.stats().docs == 0 and index.stats().bands == 0
        index.apply([replace("a.txt", prose(1))])
        (row,) = index.docs_of(index.file("a.txt").id)
        assert row.sketch.positions.shape == (128,)
        assert row.sketch.lead is not None


def test_an_index_of_schema_2_is_emptied_and_refilled_with_leads(tmp_path: Path) -> None:
    """Version 2 kept no lead sketches (they need the text): its files are forgotten and the columns added; the
    next documents stored are found again through their leads."""
    path = str(tmp_path / "i.sqlite")
    with Index(path, OPTIONS) as index:
        index.apply([replace("a.txt", prose(1))])
    _as_schema(path, 2, dropped=("lead_signature", "lead_positions", "lead_distinct"))
    with Index(path, OPTIONS) as index:
        assert index.stats().schema_version == 4
        assert list(index.paths()) == [] and index.stats().docs == 0 and index.stats().bands == 0
        long = prose(1, 600)
        index.apply([replace("a.txt", long)])
        (row,) = index.docs_of(index.file("a.txt").id)
        assert row.sketch.lead is not None and row.sketch.lead.distinct == LEAD_WORDS - 4
        excerpt = Deduplicator().sketch(" ".join(long.split()[:70]))
        keys = Deduplicator().keys([excerpt])[0].tolist()
        assert index.candidates(keys, has_lead=False) == {row.id: BY_LEAD}  # its probe met the lead only


def test_an_index_of_schema_3_is_emptied_and_refilled_with_narrow_leads(tmp_path: Path) -> None:
    """Version 3 kept leads of all 128 bins and banded them like whole texts, without probes: its band rows are
    not this version's, so its files are forgotten; leads stored again keep LEAD_BINS bins."""
    path = str(tmp_path / "i.sqlite")
    with Index(path, OPTIONS) as index:
        index.apply([replace("a.txt", prose(1, 600))])
    _as_schema(path, 3)
    with Index(path, OPTIONS) as index:
        assert index.stats().schema_version == 4
        assert list(index.paths()) == [] and index.stats().docs == 0 and index.stats().bands == 0
        index.apply([replace("a.txt", prose(1, 600))])
        (row,) = index.docs_of(index.file("a.txt").id)
        assert row.sketch.lead is not None and row.sketch.lead.signature.shape == (LEAD_BINS,)
        assert row.sketch.lead.positions.shape == (LEAD_BINS,)


def test_a_stored_excerpt_is_met_by_a_later_lead_and_two_leads_never_meet(tmp_path: Path) -> None:
    """The other direction: a short text indexed first (its probe filed under its id) is a candidate of a long
    copy looked up later, through the long one's lead; a long page whose lead is the same is no lead candidate,
    and a short text's probe rows go when it is replaced."""
    story = prose(5, 900)
    same_top = " ".join(story.split()[:LEAD_WORDS]) + " " + prose(6, 700)
    dedup = Deduplicator()
    with Index(str(tmp_path / "i.sqlite"), OPTIONS, root=str(tmp_path)) as index:
        index.apply([replace("excerpt.txt", " ".join(story.split()[:70])), replace("page.txt", same_top)])
        assert index.stats().bands == 2 * (42 + LEAD_BANDS)
        (excerpt,) = index.docs_of(index.file("excerpt.txt").id)
        (page,) = index.docs_of(index.file("page.txt").id)
        long = dedup.sketch(story)
        found = index.candidates(dedup.keys([long])[0].tolist(), has_lead=True)
        assert found[excerpt.id] == BY_LEAD  # through the story's lead
        assert found.get(page.id, 0) & BY_LEAD == 0  # its lead is the story's: leads never meet
        index.apply([Remove("excerpt.txt")])
        assert index.stats().bands == 42 + LEAD_BANDS
        assert excerpt.id not in index.candidates(dedup.keys([long])[0].tolist(), has_lead=True)
