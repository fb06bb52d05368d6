"""The `cleaner` command line.

Two kinds of tests. The flag matrix runs in-process through click's CliRunner against a small deterministic
stand-in for the pipeline (`fake`), so that it tests the plumbing, not the cleaning. The end-to-end tests run
the installed console script in a subprocess against the real pipeline, and only assert relationships with
`cleaner.clean()` computed here (never a copy of its output), plus structure, exit codes, order and files.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import cleaner
from cleaner import cli
from cleaner import io as cio
from cleaner.cli import clean as clean_cli
from cleaner.cli import common, pool
from cleaner.document import Document, Removal

CONTRACT = ["id", "title", "text", "kind", "language", "source", "date", "related", "removed"]

# --- the in-process half: CliRunner and a stand-in pipeline ----------------------------------------------------


class FakePipeline:
    """Title = the first kept line, body = the others; lines starting with 'Share' are removed; language `de`
    when the page has the word 'und', else `en`; an empty page is `empty`. Records the options it was given."""

    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []

    def __call__(self, text: str, **options: Any) -> Document:
        self.options.append(options)
        if "EXPLODE" in text:
            raise RuntimeError("boom")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        removed = [Removal(line, "test/share") for line in lines if line.startswith("Share")]
        kept = [line for line in lines if not line.startswith("Share")]
        title = options.get("title")
        if title is None:
            title, kept = (kept[0], kept[1:]) if kept else ("", [])
        else:
            kept = [line for line in kept if line != title]
        language = ("de" if "und" in text.split() else "en") if lines else None
        kind = "article" if title or kept else "empty"
        return Document(title=title, text="\n\n".join(kept), kind=kind, language=language, removed=removed)


def patch_pipeline(monkeypatch: pytest.MonkeyPatch, pipeline: Callable[..., Document]) -> None:
    """Replace the cleaning pipeline where the CLI calls it: in the pool (and its forked workers) and up front."""
    monkeypatch.setattr(pool, "clean_page", pipeline)
    monkeypatch.setattr(clean_cli, "clean_page", pipeline)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakePipeline:
    pipeline = FakePipeline()
    patch_pipeline(monkeypatch, pipeline)
    return pipeline


def run(*args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)


def render(fake: FakePipeline, text: str, **options: Any) -> str:
    return fake(text, **options).render()


def records(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


PAGE_A = "Alpha title\n\nFirst paragraph.\nShare on Facebook\n"
PAGE_B = "Beta title\n\nSecond paragraph.\n"
PAGE_DE = "Deutscher Titel\n\nText und mehr Text.\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(PAGE_A)
    (root / "sub" / "b.txt").write_text(PAGE_B)
    (root / "ignored.md").write_text("<p>not picked up</p>")
    return root


def test_group_help_has_an_example_and_lists_clean() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "cleaner clean" in result.output
    assert "clean " in result.output.split("Commands:")[1]


def test_clean_help_documents_every_flag() -> None:
    result = run("clean", "--help")
    assert result.exit_code == 0
    for flag in ["--format", "--input-format", "-o", "--in-place", "--check", "--diff", "--explain", "--rules"]:
        assert flag in result.output
    for flag in ["--pack", "--no-density", "--trust-clean", "--lang", "-j", "--jobs", "-q", "--quiet"]:
        assert flag in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"cleaner {cleaner.__version__}"


def test_group_is_extensible(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(cli.main, click.Group) and cli.main.get_command(click.Context(cli.main), "clean") is not None

    @click.command("hello")
    def hello() -> None:
        click.echo("hi")

    monkeypatch.setitem(cli.main.commands, "hello", hello)
    assert run("hello").stdout == "hi\n"
    assert "hello" in run("--help").stdout


def test_single_file_is_exactly_its_render(fake: FakePipeline, tree: Path) -> None:
    result = run("clean", str(tree / "a.txt"))
    assert result.exit_code == 0, result.output
    assert result.stdout == render(fake, PAGE_A)


def test_stdin_text_when_no_path_or_dash(fake: FakePipeline) -> None:
    assert run("clean", input=PAGE_B).stdout == render(fake, PAGE_B)
    assert run("clean", "-", input=PAGE_B).stdout == render(fake, PAGE_B)


def test_several_documents_get_head_style_headers(fake: FakePipeline, tree: Path) -> None:
    result = run("clean", str(tree))
    assert result.exit_code == 0
    a, b = os.path.join(str(tree), "a.txt"), os.path.join(str(tree), "sub", "b.txt")
    expected = f"==> {a} <==\n{render(fake, PAGE_A)}\n==> {b} <==\n{render(fake, PAGE_B)}"
    assert result.stdout == expected


def test_empty_document_among_several_keeps_the_layout(fake: FakePipeline, tmp_path: Path) -> None:
    (tmp_path / "1.txt").write_text("")
    (tmp_path / "2.txt").write_text(PAGE_B)
    result = run("clean", str(tmp_path / "1.txt"), str(tmp_path / "2.txt"))
    assert result.stdout.split("\n")[:3] == [f"==> {tmp_path / '1.txt'} <==", "", f"==> {tmp_path / '2.txt'} <=="]


def test_jsonl_output_contract_for_text_inputs(fake: FakePipeline, tree: Path) -> None:
    result = run("clean", "--format", "jsonl", str(tree))
    rows = records(result.stdout)
    assert [row["id"] for row in rows] == [os.path.join(str(tree), "a.txt"), os.path.join(str(tree), "sub", "b.txt")]
    for row, page in zip(rows, [PAGE_A, PAGE_B], strict=True):
        assert list(row) == CONTRACT
        assert {key: row[key] for key in CONTRACT[1:]} == fake(page).to_dict()
    assert rows[0]["removed"] == [{"text": "Share on Facebook", "reason": "test/share"}]


def test_jsonl_output_is_one_unescaped_line_per_document(fake: FakePipeline) -> None:
    result = run("clean", "--format", "jsonl", input="Grüße\n\nÄrger über “Zitate”\n")
    assert result.stdout.count("\n") == 1
    assert "Grüße" in result.stdout and "“Zitate”" in result.stdout
    assert records(result.stdout)[0]["id"] == "-"


def test_jsonl_input_records_keep_id_and_fields(fake: FakePipeline) -> None:
    lines = [
        {"id": "r1", "url": "http://x", "text": PAGE_A, "meta": {"n": 1}},
        {"text": PAGE_B, "title": "Beta title", "source": "Wire"},
        {"id": 42, "text": ""},
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines)
    result = run("clean", "-j", "1", "--format", "jsonl", input=data)
    assert result.exit_code == 0, result.output
    rows = records(result.stdout)
    assert [row["id"] for row in rows] == ["r1", "-:2", 42]
    assert rows[0]["url"] == "http://x" and rows[0]["meta"] == {"n": 1}
    assert rows[0]["text"] == fake(PAGE_A).text
    assert rows[1]["title"] == "Beta title"
    assert fake.options[2]["title"] == "Beta title"  # 0: the rules check, 1: r1, 2: this record
    assert rows[1]["source"] == "Wire"  # the pipeline found none: the record's own value is kept
    assert rows[2]["kind"] == "empty"
    for row in rows:
        assert set(CONTRACT) <= set(row)


def test_cleaning_a_cleaned_record_changes_nothing(fake: FakePipeline) -> None:
    first = run("clean", "--format", "jsonl", input=json.dumps({"id": "x", "text": PAGE_A}) + "\n").stdout
    second = run("clean", "--format", "jsonl", input=first).stdout
    assert records(second) == records(first)


def test_jsonl_file_records_without_id_are_named_path_lineno(fake: FakePipeline, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"text": PAGE_A}) + "\n\n" + json.dumps({"text": PAGE_B}) + "\n")
    rows = records(run("clean", "--format", "jsonl", str(path)).stdout)
    assert [row["id"] for row in rows] == [f"{path}:1", f"{path}:3"]


def test_jsonl_records_in_text_format_get_their_ids_as_headers(fake: FakePipeline) -> None:
    data = json.dumps({"id": "one", "text": PAGE_A}) + "\n" + json.dumps({"id": "two", "text": PAGE_B}) + "\n"
    result = run("clean", input=data)
    assert result.stdout == f"==> one <==\n{render(fake, PAGE_A)}\n==> two <==\n{render(fake, PAGE_B)}"


def test_record_without_text_passes_through_with_a_warning(fake: FakePipeline) -> None:
    data = json.dumps({"id": "a", "text": PAGE_A}) + "\n" + '{"id": "b", "body": "<p>"}\n'
    result = run("clean", "--format", "jsonl", input=data)
    assert result.exit_code == 2  # an error, counted like an invalid line (issue 21)
    assert result.stdout.splitlines()[1] == '{"id": "b", "body": "<p>"}'
    assert "-:2: no page in it: no text or html field" in result.stderr
    assert result.stderr.splitlines()[-1].endswith("1 error)")


def test_invalid_json_line_is_one_error_and_exit_2(fake: FakePipeline) -> None:
    data = json.dumps({"id": "a", "text": PAGE_A}) + "\n{oops\n" + json.dumps({"id": "c", "text": PAGE_B}) + "\n"
    result = run("clean", "--format", "jsonl", input=data)
    assert result.exit_code == 2
    assert [row["id"] for row in records(result.stdout)] == ["a", "c"]  # stdout stays parseable JSONL
    errors = [line for line in result.stderr.splitlines() if "invalid JSON" in line]
    assert len(errors) == 1 and errors[0].startswith("cleaner: -:2: invalid JSON (")


def test_input_format_text_reads_json_looking_stdin_as_a_page(fake: FakePipeline) -> None:
    data = json.dumps({"text": PAGE_A}) + "\n"
    assert run("clean", "--input-format", "text", input=data).stdout == render(fake, data)


def test_input_format_jsonl_reads_any_file_as_records(fake: FakePipeline, tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text(json.dumps({"id": "z", "text": PAGE_B}) + "\n")
    rows = records(run("clean", "--input-format", "jsonl", "--format", "jsonl", str(path)).stdout)
    assert [row["id"] for row in rows] == ["z"]


def test_output_dir_mirrors_the_tree(fake: FakePipeline, tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    single = tmp_path / "single.txt"
    single.write_text(PAGE_B)
    result = run("clean", "-o", str(out), str(tree), str(single))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["a.txt", "single.txt", os.path.join("sub", "b.txt")]
    assert (out / "a.txt").read_text() == render(fake, PAGE_A)
    assert (out / "sub" / "b.txt").read_text() == render(fake, PAGE_B)


def test_output_dir_writes_jsonl_as_jsonl_and_keeps_bad_lines(fake: FakePipeline, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": PAGE_A}) + "\n{oops\n" + '{"id": "n"}\n')
    result = run("clean", "-o", str(tmp_path / "out"), str(src))
    assert result.exit_code == 2
    lines = (tmp_path / "out" / "in.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["text"] == fake(PAGE_A).text
    assert lines[1:] == ["{oops", '{"id": "n"}']  # nothing lost


def test_output_dir_inside_the_input_is_not_read_back(fake: FakePipeline, tree: Path) -> None:
    result = run("clean", "-o", str(tree / "zz-out"), str(tree))
    assert result.exit_code == 0
    assert not (tree / "zz-out" / "zz-out").exists()
    assert "cleaned 2 documents" in result.stderr


def test_output_dir_name_clash_between_arguments_is_an_error(fake: FakePipeline, tmp_path: Path) -> None:
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "p.txt").write_text(PAGE_A if name == "x" else PAGE_B)
    result = run("clean", "-o", str(tmp_path / "out"), str(tmp_path / "x"), str(tmp_path / "y" / "p.txt"))
    assert result.exit_code == 2
    assert (tmp_path / "out" / "p.txt").read_text() == render(fake, PAGE_A)  # the first one stays
    assert f"cleaner: {tmp_path / 'y' / 'p.txt'}: not written" in result.stderr


def test_in_place_rewrites_changed_files_only(fake: FakePipeline, tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(PAGE_A)
    clean = tmp_path / "clean.txt"
    clean.write_text(render(fake, PAGE_B))
    before = clean.stat()
    result = run("clean", "--in-place", str(dirty), str(clean))
    assert result.exit_code == 0
    assert dirty.read_text() == render(fake, PAGE_A)
    after = clean.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("mode, durable", [("--in-place", True), ("-o", False)])
def test_only_in_place_forces_files_to_disk(
    fake: FakePipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, durable: bool
) -> None:
    """--in-place replaces the only copy, so it fsyncs; -o writes beside intact inputs and need not."""
    page = tmp_path / "page.txt"
    page.write_text(PAGE_A)
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    args = ["--in-place"] if mode == "--in-place" else ["-o", str(tmp_path / "out")]
    assert run("clean", "-j", "1", *args, str(page)).exit_code == 0
    assert bool(synced) is durable


def test_in_place_jsonl_keeps_records_that_are_not_documents(fake: FakePipeline, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "a", "text": PAGE_A}) + "\n" + '{"keep": "me"}\n')
    run("clean", "--in-place", str(path))
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["text"] == fake(PAGE_A).text
    assert lines[1] == '{"keep": "me"}'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "OUT", "--in-place", "F"], "mutually exclusive"),
        (["--in-place"], "standard input"),
        (["--in-place", "-"], "standard input"),
        (["-o", "OUT"], "standard input"),
        (["-", "-"], "only once"),
        (["--format", "xml", "F"], "xml"),
        (["-j", "0", "F"], "0"),
    ],
)
def test_usage_errors(fake: FakePipeline, tmp_path: Path, args: list[str], message: str) -> None:
    page = tmp_path / "p.txt"
    page.write_text(PAGE_A)
    args = [str(page) if a == "F" else str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run("clean", *args, input="")
    assert result.exit_code == 2
    assert message in result.stderr
    assert page.read_text() == PAGE_A and not (tmp_path / "out").exists()


def test_check_lists_files_that_would_change_and_writes_nothing(fake: FakePipeline, tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(PAGE_A)
    clean = tmp_path / "clean.txt"
    clean.write_text(render(fake, PAGE_B))
    result = run("clean", "--check", str(dirty), str(clean))
    assert result.exit_code == 1
    assert f"would clean {dirty}" in result.stderr.splitlines()
    assert f"would clean {clean}" not in result.stderr
    assert result.stdout == ""
    assert dirty.read_text() == PAGE_A
    assert run("clean", "--check", str(clean)).exit_code == 0


def test_check_with_in_place_still_writes_nothing(fake: FakePipeline, tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(PAGE_A)
    assert run("clean", "--check", "--in-place", str(dirty)).exit_code == 1
    assert dirty.read_text() == PAGE_A


def test_check_errors_win_over_changes(fake: FakePipeline, tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(PAGE_A)
    assert run("clean", "--check", str(dirty), str(tmp_path / "missing.txt")).exit_code == 2


def test_check_jsonl_blank_lines_and_reencoding_count_as_changes(fake: FakePipeline, tmp_path: Path) -> None:
    source = _write(tmp_path / "c.jsonl", json.dumps({"text": PAGE_A}))
    run("clean", "-o", str(tmp_path / "o"), str(source))
    cleaned = tmp_path / "o" / "c.jsonl"
    assert run("clean", "--check", str(cleaned)).exit_code == 0
    cleaned.write_bytes(cleaned.read_bytes() + b"\n")
    assert run("clean", "--check", str(cleaned)).exit_code == 1
    latin = _write(tmp_path / "l.txt", "")
    latin.write_bytes(render(fake, "T\n\ncaf\xe9").encode("cp1252"))
    assert run("clean", "--check", str(latin)).exit_code == 1  # would be rewritten as UTF-8


def _write(path: Path, line: str) -> Path:
    path.write_text(line + "\n")
    return path


def test_diff_prints_a_unified_diff_per_changed_file(fake: FakePipeline, tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(PAGE_A)
    clean = tmp_path / "clean.txt"
    clean.write_text(render(fake, PAGE_B))
    result = run("clean", "--diff", str(dirty), str(clean))
    assert result.exit_code == 0
    expected = difflib.unified_diff(
        PAGE_A.splitlines(keepends=True),
        render(fake, PAGE_A).splitlines(keepends=True),
        fromfile=str(dirty),
        tofile=str(dirty),
    )
    assert result.stdout == "".join(expected)
    assert dirty.read_text() == PAGE_A


def test_diff_marks_a_missing_final_newline(fake: FakePipeline, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(PAGE_A.rstrip("\n"))
    assert "\\ No newline at end of file\n" in run("clean", "--diff", str(page)).stdout


def test_explain_lists_removed_lines_per_document(fake: FakePipeline, tree: Path) -> None:
    result = run("clean", "--explain", str(tree))
    lines = result.stderr.splitlines()
    header = os.path.join(str(tree), "a.txt")
    assert lines[lines.index(header) + 1] == "  [test/share] Share on Facebook"
    assert os.path.join(str(tree), "sub", "b.txt") not in lines  # nothing removed there
    assert "\x1b[" not in result.stderr  # no colour when stderr is not a terminal


def test_explain_is_coloured_on_a_terminal(fake: FakePipeline) -> None:
    result = CliRunner().invoke(cli.main, ["clean", "--explain"], input=PAGE_A, color=True)
    assert "\x1b[" in result.stderr and "[test/share]" in result.stderr


def test_lang_keeps_listed_languages_and_counts_the_others(fake: FakePipeline, tmp_path: Path) -> None:
    for name, page in (("a.txt", PAGE_A), ("d.txt", PAGE_DE), ("b.txt", PAGE_B)):
        (tmp_path / name).write_text(page)
    result = run("clean", "--lang", "en,fr", "--format", "jsonl", str(tmp_path))
    assert [Path(row["id"]).name for row in records(result.stdout)] == ["a.txt", "b.txt"]
    assert "skipped 1 document not in en,fr" in result.stderr
    assert result.exit_code == 0


def test_lang_with_output_dir_and_in_place(fake: FakePipeline, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(PAGE_A)
    (src / "d.txt").write_text(PAGE_DE)
    (src / "r.jsonl").write_text(json.dumps({"text": PAGE_DE}) + "\n" + json.dumps({"text": PAGE_B}) + "\n")
    run("clean", "--lang", "en", "-o", str(tmp_path / "out"), str(src))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "r.jsonl"]
    assert [row["title"] for row in records((tmp_path / "out" / "r.jsonl").read_text())] == ["Beta title"]
    run("clean", "--lang", "en", "--in-place", str(src))
    assert (src / "d.txt").read_text() == PAGE_DE
    lines = (src / "r.jsonl").read_text().splitlines()
    assert lines[0] == json.dumps({"text": PAGE_DE})  # left as it was
    assert json.loads(lines[1])["title"] == "Beta title"


def test_progress_bar_draws_and_clears(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.Progress, "DELAY", 0.0)
    monkeypatch.setattr(common.Progress, "INTERVAL", 0.0)
    progress = common.Progress(True, 2000)
    progress.advance(1000, 3)
    drawn = capsys.readouterr().err
    assert drawn.startswith("\r") and "50%" in drawn and "3 documents" in drawn
    progress.clear()
    assert capsys.readouterr().err.strip(" \r") == ""  # the line blanked out
    progress.close()
    capsys.readouterr()
    quiet = common.Progress(False, 2000)
    quiet.advance(2000, 1)
    quiet.clear()
    assert capsys.readouterr().err == ""


def test_no_progress_bar_when_stderr_is_not_a_terminal(fake: FakePipeline, tree: Path) -> None:
    assert "\r" not in run("clean", str(tree)).stderr


def test_summary_and_quiet(fake: FakePipeline, tree: Path) -> None:
    result = run("clean", str(tree))
    changed = sum(render(fake, page) != page for page in (PAGE_A, PAGE_B))
    assert 0 < changed < 2
    assert result.stderr.splitlines()[-1] == f"cleaned 2 documents ({changed} changed, 0 errors)"
    assert run("clean", "-q", str(tree)).stderr == ""


def test_options_reach_the_pipeline(fake: FakePipeline, tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text("")
    args = ["--pack", "one,two", "--pack", "three", "--rules", str(rules), "--no-density", "-j", "1"]
    run("clean", *args, input=PAGE_A)
    assert fake.options[-1]["packs"] == ("one", "two", "three")
    assert fake.options[-1]["rule_files"] == (str(rules),)
    assert fake.options[-1]["density"] is False
    run("clean", "-j", "1", input=PAGE_A)
    assert "packs" not in fake.options[-1]  # the Options default
    assert fake.options[-1]["density"] is True
    assert "trust_clean" not in fake.options[-1]
    run("clean", "-j", "2", "--trust-clean", input=PAGE_A)
    assert fake.options[-1]["trust_clean"] is True


def test_missing_and_binary_inputs_are_one_line_each_and_others_go_on(fake: FakePipeline, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(PAGE_A)
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.txt"
    result = run("clean", "--format", "jsonl", str(missing), str(blob), str(good))
    assert result.exit_code == 2
    assert [row["id"] for row in records(result.stdout)] == [str(good)]
    errors = [line for line in result.stderr.splitlines() if line.startswith("cleaner: ")]
    assert errors == [
        f"cleaner: {missing}: no such file or directory",
        f"cleaner: {blob}: binary file (NUL bytes)",
    ]
    assert "1 document (1 changed, 2 errors)" in result.stderr


def test_a_page_the_pipeline_fails_on_is_reported_and_left_alone(fake: FakePipeline, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n\nEXPLODE\n")
    good = tmp_path / "good.txt"
    good.write_text(PAGE_A)
    result = run("clean", "--in-place", str(bad), str(good))
    assert result.exit_code == 2
    assert f"cleaner: {bad}: cleaning failed (RuntimeError: boom)" in result.stderr
    assert bad.read_text() == "Title\n\nEXPLODE\n"
    assert good.read_text() == render(fake, PAGE_A)


def test_a_file_that_cannot_be_written_costs_only_itself(
    fake: FakePipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(PAGE_A)
    real_write = cio.AtomicFile.write

    def full_disk(self: cio.AtomicFile, data: bytes) -> None:
        if self.target.endswith("a.txt"):
            raise OSError(28, "No space left on device")
        real_write(self, data)

    monkeypatch.setattr(cio.AtomicFile, "write", full_disk)
    result = run("clean", "--in-place", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert result.exit_code == 2
    assert f"cleaner: {tmp_path / 'a.txt'}: cannot write" in result.stderr
    assert "no space left on device" in result.stderr
    assert (tmp_path / "a.txt").read_text() == PAGE_A
    assert (tmp_path / "b.txt").read_text() == render(fake, PAGE_A)
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.txt"]


def test_cp1252_input_is_decoded(fake: FakePipeline, tmp_path: Path) -> None:
    page = tmp_path / "legacy.txt"
    page.write_bytes(b"caf\xe9 \x93quoted\x94\n\nbody")
    assert run("clean", str(page)).stdout == render(fake, "café “quoted”\n\nbody")


def test_parallel_jobs_keep_input_order(fake: FakePipeline, tmp_path: Path) -> None:
    for i in range(25):
        (tmp_path / f"{i:02d}.txt").write_text(f"Title {i}\n\n" + "word " * (400 if i % 3 else 5))
    result = run("clean", "-j", "2", "--format", "jsonl", str(tmp_path))
    assert result.exit_code == 0
    assert [row["title"] for row in records(result.stdout)] == [f"Title {i}" for i in range(25)]


def test_bad_rules_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("this is [not toml\n")
    page = tmp_path / "p.txt"
    page.write_text(PAGE_A)
    for rules in (bad, tmp_path / "missing.toml"):
        result = run("clean", "--in-place", "--rules", str(rules), str(page))
        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1
        assert result.stderr.startswith("cleaner: ") and str(rules) in result.stderr
        assert page.read_text() == PAGE_A


def test_unknown_pack_is_one_line_and_exit_2() -> None:
    result = run("clean", "--pack", "no-such-pack", input=PAGE_A)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "no-such-pack" in result.stderr


# --- the cleaning window -------------------------------------------------------------------------------------------


def _doc_events(count: int, pulled: list[int]) -> Iterator[pool.Event]:
    source = cio.Input("-", None, None, "jsonl")
    for i in range(count):
        pulled.append(i)
        yield pool.Doc(source, i, str(i), f"Title {i}\n\nbody {i}", None)


@pytest.mark.parametrize("jobs", [1, 2])
def test_cleaning_window_bounds_the_work_in_flight(fake: FakePipeline, jobs: int) -> None:
    pulled: list[int] = []
    cleaning = pool.Cleaning({}, jobs, window=3)
    ahead = []
    order = []
    try:
        for event in cleaning.run(_doc_events(40, pulled)):
            assert isinstance(event, pool.Doc) and isinstance(event.result, Document)
            order.append(event.id)
            ahead.append(len(pulled) - len(order))
    finally:
        cleaning.close()
    assert order == list(range(40))
    assert max(ahead) <= 4  # the window (3), plus the one just pulled


@pytest.mark.parametrize("jobs", [1, 2])
def test_without_details_a_page_comes_back_without_its_removed_lines_and_cards(fake: FakePipeline, jobs: int) -> None:
    page = "Title\n\nShare on Facebook\n\nThe body of the page."
    files = [pool.Doc(cio.Input(f"{i}.txt", f"{i}.txt", f"{i}.txt", "text"), i, str(i), page, None) for i in range(5)]
    record = {"id": "r", "text": page}
    line = cio.Line(1, "record", json.dumps(record), None, record=record)
    events = [*files, pool.Doc(cio.Input("-", None, None, "jsonl"), "r", "-:1", page, None, line=line)]
    full = fake(page)
    assert full.removed  # the fake removes the share line
    cleaning = pool.Cleaning({}, jobs, details=False)
    try:
        results = [event.result for event in cleaning.run(iter(events)) if isinstance(event, pool.Doc)]
    finally:
        cleaning.close()
    assert all(isinstance(result, Document) for result in results)
    for result in results[:-1]:  # whole files: the article and its metadata only
        assert (result.title, result.text, result.kind, result.language) == (
            full.title,
            full.text,
            full.kind,
            full.language,
        )
        assert result.removed == [] and result.related == []
    assert results[-1] == full  # a JSONL record's removed lines go into its output record: kept


def test_a_single_document_does_not_start_a_pool(fake: FakePipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(pool, "ProcessPoolExecutor", no_pool)
    result = run("clean", "-j", "4", input=PAGE_A)
    assert result.exit_code == 0 and result.stdout == render(fake, PAGE_A)


def run_jsonl_with_one_bad(count: int, bad: int, marker: str) -> Result:
    """`cleaner clean -j 2 --format jsonl` over `count` records, record `bad` holding only `marker`: exit code 2,
    and every other record out, in order."""
    lines = [json.dumps({"id": i, "text": marker if i == bad else f"T{i}\n\nbody {i}"}) for i in range(count)]
    result = run("clean", "-j", "2", "--format", "jsonl", input="\n".join(lines) + "\n")
    assert result.exit_code == 2
    assert [row["id"] for row in records(result.stdout)] == [i for i in range(count) if i != bad]
    return result


def test_batched_workers_keep_order_and_fail_only_the_failing_page(fake: FakePipeline) -> None:
    # Enough records for the batches to grow past one page each; record 70 raises in its worker.
    result = run_jsonl_with_one_bad(300, 70, "EXPLODE")
    assert all(row["title"] == f"T{row['id']}" for row in records(result.stdout))
    assert "cleaner: -:71: cleaning failed (RuntimeError: boom)" in result.stderr
    assert pool.BATCH_PAGES > 1 and pool.Cleaning({}, 2)._batch_target() == 1  # batches start small


def test_an_exception_that_cannot_be_pickled_still_fails_only_its_page(
    fake: FakePipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unpicklable(Exception):
        def __reduce__(self) -> Any:
            raise TypeError("no")

    def odd(text: str, **options: Any) -> Document:
        if "ODD" in text:
            raise Unpicklable("a lock in its args")
        return fake(text, **options)

    patch_pipeline(monkeypatch, odd)
    result = run_jsonl_with_one_bad(40, 3, "ODD")
    assert "cleaner: -:4: cleaning failed (RuntimeError: Unpicklable: a lock in its args)" in result.stderr


def test_a_worker_that_dies_costs_only_its_document(fake: FakePipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()

    def fragile(text: str, **options: Any) -> Document:
        if "CRASH" in text and os.getpid() != parent:
            os._exit(3)
        return fake(text, **options)

    patch_pipeline(monkeypatch, fragile)
    result = run_jsonl_with_one_bad(12, 5, "CRASH")
    assert "cleaner: -:6: cleaning failed (RuntimeError: worker process died" in result.stderr


# --- the other half: the installed console script, real pipeline --------------------------------------------------

EXE = shutil.which("cleaner", path=os.path.dirname(sys.executable))

ARTICLE = (
    "Markets rally as rates hold\n\n"
    "Stocks rose on Tuesday after the central bank kept interest rates unchanged, a decision most analysts "
    "had expected. Investors welcomed the signal that borrowing costs would stay put for the rest of the year.\n\n"
    "The benchmark index closed up 1.2 percent, its best day in a month, led by banks and technology shares.\n\n"
    "Share this article\n"
)


def page(i: int) -> str:
    return (
        f"Story number {i} makes the news\n\n"
        f"Paragraph one of story {i} tells what happened in the town hall on Monday evening, at length.\n\n"
        f"Paragraph two of story {i} adds what the mayor said afterwards to the gathered reporters.\n"
    )


def expected_render(text: str, **options: Any) -> str:
    return cleaner.clean(text, **options).render()


def cli_run(*args: str, input: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    assert EXE is not None, "the cleaner console script is not installed in this environment"
    return subprocess.run([EXE, *args], input=input, capture_output=True, cwd=cwd, timeout=120)


def test_script_stdin_to_stdout() -> None:
    done = cli_run("clean", input=ARTICLE.encode())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == expected_render(ARTICLE)


def test_script_trust_clean_leaves_a_cleaned_html_page_alone(tmp_path: Path) -> None:
    from test_html_idempotent import MENU_IN_ARTICLE_HTML

    cleaned = tmp_path / "ferry.txt"
    cleaned.write_text(cleaner.clean(MENU_IN_ARTICLE_HTML).render(), encoding="utf-8")
    before = cleaned.read_bytes()
    assert cli_run("clean", "--check", str(cleaned)).returncode == 1  # the model would take out the menu
    trusted = cli_run("clean", "--check", "--trust-clean", str(cleaned))
    assert trusted.returncode == 0, trusted.stderr
    assert cli_run("clean", "--in-place", "--trust-clean", str(cleaned)).returncode == 0
    assert cleaned.read_bytes() == before


def test_script_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "cleaner", "--version"], capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"cleaner {cleaner.__version__}"


BLAS_PROBE = "import os, cleaner.cli, numpy; print(os.environ.get('OPENBLAS_NUM_THREADS'))"


@pytest.mark.parametrize(("given", "seen"), [(None, "1"), ("3", "3")])
def test_command_line_keeps_blas_single_threaded_unless_told(given: str | None, seen: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run([sys.executable, "-c", BLAS_PROBE], capture_output=True, env=env, timeout=60, check=True)
    assert done.stdout.decode().strip() == seen


def test_the_library_leaves_blas_alone() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}}
    probe = "import os, cleaner; cleaner.clean('A line of text.'); print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, timeout=60, check=True)
    assert done.stdout.decode().strip() == "None"


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[bytes]]:
    """One run over a tree with good, legacy, binary, JSONL and broken inputs, plus a missing file, into -o."""
    base = tmp_path_factory.mktemp("mixed")
    src = base / "src"
    (src / "news" / "deep").mkdir(parents=True)
    (src / "news" / "a.txt").write_text(ARTICLE)
    (src / "news" / "deep" / "b.txt").write_text(page(2))
    (src / "legacy.txt").write_bytes(b"caf\xe9 \x93quoted\x94\n\n" + page(3).encode())
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (src / "empty.txt").write_bytes(b"")
    lines = [
        json.dumps({"id": "first", "url": "https://example.org/1", "text": ARTICLE, "extra": [1, 2]}),
        "{this is not json",
        json.dumps({"title": "Story number 5 makes the news", "text": page(5), "lang_hint": "en"}),
        json.dumps({"id": "no-text", "body": "<p>hi</p>"}),
    ]
    (src / "records.jsonl").write_text("\n".join(lines) + "\n")
    good_file = base / "single.txt"
    good_file.write_text(page(7))
    done = cli_run("clean", "-j", "2", "-o", "out", "src", "missing.txt", "single.txt", cwd=base)
    return base, done


def test_script_output_dir_tree_and_contents(mixed_run: tuple[Path, subprocess.CompletedProcess[bytes]]) -> None:
    base, _ = mixed_run
    out = base / "out"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(
        ["empty.txt", "legacy.txt", "records.jsonl", "single.txt", "news/a.txt", "news/deep/b.txt"]
    )
    assert (out / "news" / "a.txt").read_text() == expected_render(ARTICLE)
    assert (out / "news" / "deep" / "b.txt").read_text() == expected_render(page(2))
    assert (out / "single.txt").read_text() == expected_render(page(7))
    assert (out / "empty.txt").read_text() == expected_render("")
    assert cleaner.clean("").kind == "empty"


def test_script_cp1252_file_is_decoded(mixed_run: tuple[Path, subprocess.CompletedProcess[bytes]]) -> None:
    base, _ = mixed_run
    text = "café “quoted”\n\n" + page(3)
    assert (base / "out" / "legacy.txt").read_text(encoding="utf-8") == expected_render(text)


def test_script_errors_are_one_line_each_and_exit_2(mixed_run: tuple[Path, subprocess.CompletedProcess[bytes]]) -> None:
    _, done = mixed_run
    assert done.returncode == 2
    stderr = done.stderr.decode().splitlines()
    assert [line for line in stderr if line.startswith("cleaner: ")] == [
        "cleaner: src/image.txt: binary file (NUL bytes)",
        "cleaner: src/records.jsonl:2: invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        "cleaner: src/records.jsonl:4: no page in it: no text or html field",
        "cleaner: missing.txt: no such file or directory",
    ]
    assert stderr[-1].startswith("cleaned 7 documents (") and stderr[-1].endswith(", 4 errors)")  # each line above


def test_script_jsonl_records_under_output_dir(mixed_run: tuple[Path, subprocess.CompletedProcess[bytes]]) -> None:
    base, _ = mixed_run
    lines = (base / "out" / "records.jsonl").read_text().splitlines()
    assert lines[1] == "{this is not json"  # kept as it was, nothing lost
    assert json.loads(lines[3]) == {"id": "no-text", "body": "<p>hi</p>"}
    first, third = json.loads(lines[0]), json.loads(lines[2])
    assert first["id"] == "first" and first["url"] == "https://example.org/1" and first["extra"] == [1, 2]
    assert first["text"] == cleaner.clean(ARTICLE).text
    assert third["id"] == "src/records.jsonl:3" and third["lang_hint"] == "en"
    assert third["text"] == cleaner.clean(page(5), title="Story number 5 makes the news").text
    for record in (first, third):
        assert set(CONTRACT) <= set(record)


def test_script_jsonl_contract_order_and_carry_through(tmp_path: Path) -> None:
    pages = [ARTICLE, page(1), page(2), ""]
    rows_in = [{"id": f"doc-{i}", "text": text, "keep": {"i": i}} for i, text in enumerate(pages)]
    rows_in[2].pop("id")
    data = "".join(json.dumps(row) + "\n" for row in rows_in).encode()
    done = cli_run("clean", "--format", "jsonl", "-q", input=data)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == ["doc-0", "doc-1", "-:3", "doc-3"]
    assert [row["keep"] for row in rows] == [{"i": i} for i in range(4)]
    for row, text in zip(rows, pages, strict=True):
        doc = cleaner.clean(text).to_dict()
        assert {key: row[key] for key in ("title", "text", "kind")} == {
            key: doc[key] for key in ("title", "text", "kind")
        }
        assert isinstance(row["related"], list) and isinstance(row["removed"], list)
        for item in row["related"]:
            assert set(item) == {"title", "source", "date", "text"}
        for item in row["removed"]:
            assert set(item) == {"text", "reason"}


def test_script_in_place_keeps_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text(ARTICLE)
    os.chmod(target, 0o640)
    records_file = tmp_path / "r.jsonl"
    records_file.write_text(json.dumps({"id": "x", "text": ARTICLE}) + "\n")
    os.chmod(records_file, 0o600)
    done = cli_run("clean", "--in-place", str(target), str(records_file))
    assert done.returncode == 0, done.stderr
    assert target.read_text() == expected_render(ARTICLE)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert stat.S_IMODE(records_file.stat().st_mode) == 0o600
    assert json.loads(records_file.read_text())["text"] == cleaner.clean(ARTICLE).text
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "r.jsonl"]


def test_script_interrupted_in_place_leaves_the_original_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"id": i, "text": page(i)}) + "\n" for i in range(3000)))
    original = big.read_bytes()
    assert EXE is not None
    proc = subprocess.Popen([EXE, "clean", "-j", "1", "--in-place", str(big)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not any(name.endswith(".tmp") for name in os.listdir(tmp_path)):
            assert proc.poll() is None, "finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)  # some records written to the temporary file
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert big.read_bytes() == original
    assert os.listdir(tmp_path) == ["big.jsonl"]


def _fixed_point(text: str) -> str:
    for _ in range(5):
        cleaned = expected_render(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def test_script_check_exit_1_then_0(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(ARTICLE + "\n\n\n")
    done = cli_run("clean", "--check", str(dirty))
    assert done.returncode == 1
    assert f"would clean {dirty}" in done.stderr.decode().splitlines()
    assert dirty.read_text() == ARTICLE + "\n\n\n"
    settled = tmp_path / "settled.txt"
    settled.write_text(_fixed_point(ARTICLE))
    done = cli_run("clean", "--check", str(settled))
    assert done.returncode == 0, done.stderr
    assert b"would clean" not in done.stderr


def test_script_diff(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(ARTICLE)
    done = cli_run("clean", "--diff", str(dirty))
    assert done.returncode == 0
    out = done.stdout.decode()
    assert out.startswith(f"--- {dirty}\n+++ {dirty}\n@@ ")
    removed = [line[1:] for line in out.splitlines()[2:] if line.startswith("-")]
    added = [line[1:] for line in out.splitlines()[2:] if line.startswith("+")]
    old, new = ARTICLE.splitlines(), expected_render(ARTICLE).splitlines()
    assert [line for line in old if line not in new] == [line for line in removed if line not in new]
    assert all(line in new for line in added)
    assert dirty.read_text() == ARTICLE


def test_script_parallel_keeps_order(tmp_path: Path) -> None:
    src = tmp_path / "many"
    src.mkdir()
    for i in range(30):
        (src / f"p{i:02d}.txt").write_text(page(i))
    done = cli_run("clean", "-j", "2", "--format", "jsonl", str(src))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == [os.path.join(str(src), f"p{i:02d}.txt") for i in range(30)]
    for i, row in enumerate(rows):
        assert list(row) == CONTRACT
        assert row["text"] == cleaner.clean(page(i)).text


def test_the_set_up_is_settled_out_of_the_collectors_sight_after_the_first_page(
    fake: FakePipeline, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: list[int] = []  # pages cleaned when `_settle` ran
    monkeypatch.setattr(pool, "_settle", lambda: settled.append(len(fake.options)))
    result = run("clean", str(tree), "-j", "1")
    assert result.exit_code == 0
    assert len(settled) == 1 and 0 < settled[0] < len(fake.options)  # once, after the first page, not the last


def test_forked_workers_inherit_a_warmed_text_pipeline(fake: FakePipeline, tree: Path) -> None:
    if pool._pool_context().get_start_method() != "fork":
        pytest.skip("workers are not forked on this platform")  # nothing to share with them there
    result = run("clean", str(tree), "-j", "2", "--no-density")
    assert result.exit_code == 0
    # Pages are cleaned in the workers: the one page the parent's pipeline cleaned is the warm-up, with the run's
    # options (the parent's other call checks the options up front, with no page format).
    warm_ups = [options for options in fake.options if options.get("input_format") == "text"]
    assert len(warm_ups) == 1 and warm_ups[0]["density"] is False
