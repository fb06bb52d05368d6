"""`cleaner learn` and `cleaner clean --learn`: in-process through click's CliRunner, and the installed console
script in a subprocess. The outputs are checked against the library (`learn_pages`, `cleaner.clean` with the
learned pack), never against copies of them."""

from __future__ import annotations

import html
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_learn import INLINE_AD, site_pages

import cleaner
from cleaner import cli
from cleaner import io as cio
from cleaner.cli.learn import site_of
from cleaner.learn import CorpusPage, LearnSettings, learn_pages
from cleaner.learn.pack import read
from cleaner.rules import fold

EXE = shutil.which("cleaner", path=os.path.dirname(sys.executable))


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)


def write_site(root: Path, site: str = "fernleaf", pages: int = 20, first_story: int = 0) -> list[CorpusPage]:
    written = []
    for page in site_pages(site, pages=pages, first_story=first_story):
        path = root / site / Path(page.label).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.text, encoding="utf-8")
        written.append(CorpusPage(str(path), str(root / site), page.text))
    return written


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CorpusPage]]:
    root = tmp_path_factory.mktemp("corpus")
    return root, write_site(root)


# --- in process -------------------------------------------------------------------------------------------------


def test_learn_writes_the_pack_the_library_learns(corpus: tuple[Path, list[CorpusPage]], tmp_path: Path) -> None:
    root, pages = corpus
    out = tmp_path / "pack.toml"
    result = run("learn", str(root), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == learn_pages(pages).to_toml()
    assert result.stdout == ""
    rules = len(read(out.read_text(encoding="utf-8")).rules)
    assert f"cleaner: learnt {rules} rules from 20 pages of 1 site" in result.stderr
    assert f"-> {out}" in result.stderr


def test_learn_prints_the_pack_without_o(corpus: tuple[Path, list[CorpusPage]]) -> None:
    root, pages = corpus
    result = run("learn", "-q", "--min-docs", "4", "--min-share", "0.2", "--name", "fern", str(root))
    assert result.exit_code == 0
    assert result.stderr == ""
    settings = LearnSettings(min_docs=4, min_share=0.2, name="fern")
    assert result.stdout == learn_pages(pages, settings).to_toml()


def test_jsonl_records_are_grouped_by_site_then_url_then_source(tmp_path: Path) -> None:
    records = []
    for n, page in enumerate(site_pages("a", pages=12)):
        records.append({"url": f"https://www.fernleaf.example/story/{n}", "text": page.text})
    for page in site_pages("b", pages=12, first_story=3000):
        records.append({"site": "ashgrove", "url": "https://elsewhere.example/", "text": page.text})
    records.append({"source": "Wire", "text": "A page of its own."})
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = run("learn", "-q", str(path))
    assert result.exit_code == 0
    pack = read(result.stdout)
    assert pack.sites == {"fernleaf.example": 12, "ashgrove": 12, "Wire": 1}
    assert {rule.site for rule in pack.rules} == {"fernleaf.example", "ashgrove"}
    assert all(rule.example.startswith(f"{path}:") for rule in pack.rules)


def test_site_of() -> None:
    text_file = cio.Input("corpus/fernleaf/p1.txt", "corpus/fernleaf/p1.txt", "p1.txt", "text")
    jsonl = cio.Input("dump/pages.jsonl", "dump/pages.jsonl", "pages.jsonl", "jsonl")
    stdin = cio.Input(cio.STDIN, None, None, "auto")
    assert site_of(text_file) == "corpus/fernleaf"
    assert site_of(cio.Input("p1.txt", "p1.txt", "p1.txt", "text")) == "."
    assert site_of(stdin) == cio.STDIN
    assert site_of(jsonl, {"site": " Fernleaf ", "url": "https://x.example/"}) == "Fernleaf"
    assert site_of(jsonl, {"url": "https://WWW.Fernleaf.example:8080/a?b"}) == "fernleaf.example"
    assert site_of(jsonl, {"url": "not a url", "source": "Wire"}) == "Wire"
    assert site_of(jsonl, {"site": 3}) == "dump"


def test_unreadable_inputs_are_reported_and_the_rest_is_learnt(
    corpus: tuple[Path, list[CorpusPage]], tmp_path: Path
) -> None:
    root, pages = corpus
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\nnot json\n', encoding="utf-8")
    out = tmp_path / "pack.toml"
    result = run("learn", str(root), str(tmp_path / "missing"), str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert f"cleaner: {tmp_path / 'missing'}: no such file or directory" in result.stderr
    assert f"cleaner: {bad}:2: invalid JSON" in result.stderr
    assert result.stderr.count("invalid JSON") == 1  # reported once, not once per pass
    assert read(out.read_text(encoding="utf-8")).rules == learn_pages(pages).rules


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-docs", "1"], "Invalid value for '--min-docs'"),
        (["--min-share", "2"], "Invalid value for '--min-share'"),
        (["--rules", "nowhere.toml"], "nowhere.toml: cannot read rule pack"),
        (["--pack", "nosuchpack"], "no shipped rule pack named 'nosuchpack'"),
        (["--name", "a/b"], "pack name"),
        (["-", "-"], "standard input ('-') can be read only once"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = run("learn", *args, input="")
    assert result.exit_code == 2
    assert message in result.stderr


def test_learn_reads_standard_input_twice(corpus: tuple[Path, list[CorpusPage]]) -> None:
    _, pages = corpus
    records = "".join(json.dumps({"site": "fernleaf", "text": page.text}) + "\n" for page in pages)
    result = run("learn", "-q", input=records)
    assert result.exit_code == 0
    expected = learn_pages(CorpusPage(f"-:{n}", "fernleaf", page.text) for n, page in enumerate(pages, start=1))
    assert result.stdout == expected.to_toml()


def test_learn_help_explains() -> None:
    result = run("learn", "--help")
    assert result.exit_code == 0
    for flag in ("--output", "--min-docs", "--min-share", "--name", "--pack", "--rules", "--input-format", "--quiet"):
        assert flag in result.stdout
    assert "cleaner clean --rules" in result.stdout
    assert "learn" in run("--help").stdout


def test_the_order_of_the_inputs_does_not_change_the_pack(corpus: tuple[Path, list[CorpusPage]]) -> None:
    _, pages = corpus
    files = [page.label for page in pages]
    forward = run("learn", "-q", *files)
    backward = run("learn", "-q", *reversed(files))
    assert forward.exit_code == backward.exit_code == 0
    assert forward.stdout == backward.stdout


def test_clean_learn_is_learn_then_clean_with_the_pack(corpus: tuple[Path, list[CorpusPage]], tmp_path: Path) -> None:
    root, pages = corpus
    pack = tmp_path / "pack.toml"
    assert run("learn", "-q", str(root), "-o", str(pack)).exit_code == 0
    learnt = run("clean", "--learn", "-j", "1", "--format", "jsonl", "--explain", str(root))
    applied = run("clean", "--rules", str(pack), "-j", "1", "--format", "jsonl", "--explain", str(root))
    assert learnt.exit_code == applied.exit_code == 0
    assert learnt.stdout == applied.stdout
    assert "learned/fernleaf:" in learnt.stderr
    # And the documents are the library's, with the learned pack on top of the shipped ones.
    first = json.loads(learnt.stdout.splitlines()[0])
    expected = cleaner.clean(pages[0].text, rule_files=[str(pack)])
    assert (first["title"], first["text"]) == (expected.title, expected.text)


def test_clean_learn_keeps_the_users_rules_first(corpus: tuple[Path, list[CorpusPage]], tmp_path: Path) -> None:
    root, _ = corpus
    mine = tmp_path / "mine.toml"
    mine.write_text('[pack]\nname = "mine"\n[[rules]]\nid = "ad"\naction = "drop"\nphrases = ["Paid placement"]\n')
    result = run("clean", "--learn", "--rules", str(mine), "-j", "1", "--explain", str(root))
    assert result.exit_code == 0
    assert "mine/ad" in result.stderr and "learned/fernleaf:" in result.stderr
    # What the user's pack removes already is not learnt again.
    alone = read(run("learn", "-q", str(root)).stdout)
    beside = read(run("learn", "-q", "--rules", str(mine), str(root)).stdout)
    assert fold(INLINE_AD[0]) in {fold(rule.phrase) for rule in alone.rules}
    assert fold(INLINE_AD[0]) not in {fold(rule.phrase) for rule in beside.rules}


# --- the installed console script ----------------------------------------------------------------------------------


def cli_run(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert EXE is not None, "the cleaner console script is not installed in this environment"
    return subprocess.run([EXE, *args], input=input, capture_output=True, timeout=300)


def test_script_learn_then_clean(corpus: tuple[Path, list[CorpusPage]], tmp_path: Path) -> None:
    root, pages = corpus
    pack = tmp_path / "learned.toml"
    done = cli_run("learn", str(root), "-o", str(pack))
    assert done.returncode == 0, done.stderr
    assert pack.read_text(encoding="utf-8") == learn_pages(pages).to_toml()
    checked = cli_run("rules", "--rules", str(pack))
    assert checked.returncode == 0
    out = tmp_path / "clean"
    cleaned = cli_run("clean", "--rules", str(pack), str(root), "-o", str(out), "-q")
    assert cleaned.returncode == 0, cleaned.stderr
    for page in pages:
        written = (out / "fernleaf" / Path(page.label).name).read_text(encoding="utf-8")
        assert written == cleaner.clean(page.text, rule_files=[str(pack)]).render()


def test_script_clean_learn_from_standard_input(corpus: tuple[Path, list[CorpusPage]], tmp_path: Path) -> None:
    _, pages = corpus
    records = "".join(json.dumps({"id": n, "site": "f", "text": p.text}) + "\n" for n, p in enumerate(pages))
    done = cli_run("clean", "--learn", "--format", "jsonl", input=records.encode())
    assert done.returncode == 0, done.stderr
    pack = tmp_path / "pack.toml"
    pack.write_text(
        learn_pages(CorpusPage(f"-:{n}", "f", p.text) for n, p in enumerate(pages, start=1)).to_toml(),
        encoding="utf-8",
    )
    got = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [row["id"] for row in got] == list(range(len(pages)))
    for row, page in zip(got, pages, strict=True):
        expected = cleaner.clean(page.text, rule_files=[str(pack)])
        assert (row["title"], row["text"]) == (expected.title, expected.text)


# --- HTML and WARC inputs ----------------------------------------------------------------------------------------


def as_html(text: str) -> str:
    """A page of text as the simplest HTML: each line a paragraph."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<html><head><title>page</title></head><body>{body}</body></html>"


def test_html_pages_are_learnt_from_their_text_blocks(tmp_path: Path) -> None:
    pages = site_pages("fernleaf", pages=15)
    for page in pages:
        (tmp_path / "fernleaf").mkdir(exist_ok=True)
        (tmp_path / "fernleaf" / Path(page.label).with_suffix(".html").name).write_text(as_html(page.text))
    result = run("learn", "-q", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    expected = learn_pages(CorpusPage(p.label, p.site, p.text) for p in pages)
    assert [fold(r.phrase) for r in read(result.stdout).rules] == [fold(r.phrase) for r in expected.rules]
    assert read(result.stdout).rules


def test_warc_records_are_grouped_by_their_url_host(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter  # a dependency of cleaner: no skip

    path = tmp_path / "crawl.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        for n, page in enumerate(site_pages("fernleaf", pages=12)):
            payload = as_html(page.text).encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            url = f"https://www.fernleaf.example/story/{n}"
            record = writer.create_warc_record(url, "response", io.BytesIO(payload), len(payload), http_headers=http)
            writer.write_record(record)
    result = run("learn", "-q", str(path))
    assert result.exit_code == 0, result.stderr
    pack = read(result.stdout)
    assert pack.sites == {"fernleaf.example": 12}
    assert pack.rules and all(rule.example.startswith(f"{path}:<urn:uuid:") for rule in pack.rules)


def test_the_progress_bar_says_which_pass(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner.cli.common import Progress

    monkeypatch.setattr(Progress, "DELAY", 0.0)
    bar = Progress(True, 2_000_000, "learning, pass 2 of 2", item="page")
    bar.advance(1_000_000, 3)
    bar.close()
    err = capsys.readouterr().err
    assert "learning, pass 2 of 2:" in err and "50%" in err and "3 pages" in err
