"""`cleaner clean` with HTML inputs, end to end: the installed CLI in a subprocess against the real pipeline.

Outputs are compared with `cleaner.clean_html()` computed here, never with copies of the program's output.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import cleaner
from cleaner import clean_html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"
FERRY = (FIXTURES / "orbitdesk_aggregator.html").read_bytes()
LIBRARY = (FIXTURES / "larchpost_cookie_banner.html").read_bytes()
HEATING = (FIXTURES / "kurzlage_fernwaerme.html").read_bytes()


def cli(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", *args], cwd=cwd, capture_output=True, input=input, timeout=120
    )


def test_html_files_text_and_jsonl_output(tmp_path: Path) -> None:
    (tmp_path / "ferry.html").write_bytes(FERRY)
    (tmp_path / "library.htm.gz").write_bytes(gzip.compress(LIBRARY))
    single = cli("-j", "1", "ferry.html", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    assert single.stdout.decode() == clean_html(FERRY).render()

    both = cli("--format", "jsonl", "ferry.html", "library.htm.gz", cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    records = [json.loads(line) for line in both.stdout.splitlines()]
    assert [r["id"] for r in records] == ["ferry.html", "library.htm.gz"]
    for record, raw in zip(records, (FERRY, LIBRARY), strict=True):
        expected = clean_html(raw).to_dict()
        assert {key: record[key] for key in expected} == expected
    assert "url" not in records[0]
    assert b"cleaned 2 documents (2 changed, 0 errors)" in both.stderr


def test_output_dir_names_html_outputs_txt(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "ferry.html").write_bytes(FERRY)
    (src / "sub" / "heating.html.gz").write_bytes(gzip.compress(HEATING))
    (src / "sub" / "notes.txt").write_text("Notes title\n\nA plain text page stays a text page.\n", encoding="utf-8")
    result = cli("-o", "out", "src", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "ferry.txt",
        "sub/heating.txt",
        "sub/notes.txt",
    ]
    assert (out / "ferry.txt").read_text(encoding="utf-8") == clean_html(FERRY).render()
    assert (out / "sub" / "heating.txt").read_text(encoding="utf-8") == clean_html(HEATING).render()


def test_page_and_text_with_the_same_output_name_collide_safely(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "story.html").write_bytes(FERRY)
    (src / "story.txt").write_text("Other title\n\nAnother page that would go to the same file.\n", encoding="utf-8")
    result = cli("-o", "out", "src", cwd=tmp_path)
    assert result.returncode == 2
    assert b"story.txt: not written: src/story.html goes to the same output file" in result.stderr
    assert (tmp_path / "out" / "story.txt").read_text(encoding="utf-8") == clean_html(FERRY).render()


def test_sniffing_forcing_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "saved.txt").write_bytes(LIBRARY)  # an HTML page saved under a text name: sniffed
    sniffed = cli("-j", "1", "saved.txt", cwd=tmp_path)
    assert sniffed.stdout.decode() == clean_html(LIBRARY).render()
    (tmp_path / "page.md").write_bytes(b"\n\n" + HEATING)  # starts with blank lines: still sniffed
    assert cli("page.md", cwd=tmp_path).stdout.decode() == clean_html(HEATING).render()
    as_text = cli("--input-format", "text", "saved.txt", cwd=tmp_path)
    assert as_text.returncode == 0 and as_text.stdout.decode() != clean_html(LIBRARY).render()
    (tmp_path / "heating.data").write_bytes(HEATING)
    forced = cli("--input-format", "html", "heating.data", cwd=tmp_path)
    assert forced.stdout.decode() == clean_html(HEATING).render()
    piped = cli(cwd=tmp_path, input=FERRY)
    assert piped.stdout.decode() == clean_html(FERRY).render()


def test_jsonl_records_with_html(tmp_path: Path) -> None:
    lines = [
        {"id": "f", "url": "https://orbitdesk.example/ferry", "html": FERRY.decode(), "lang_hint": "en"},
        {"id": "t", "text": "Plain title\n\nA record with text is cleaned as before.\n"},
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    result = cli("--format", "jsonl", "-j", "1", cwd=tmp_path, input=data)
    assert result.returncode == 0, result.stderr
    ferry, plain = (json.loads(line) for line in result.stdout.splitlines())
    expected = clean_html(FERRY, url="https://orbitdesk.example/ferry").to_dict()
    assert {key: ferry[key] for key in expected} == expected
    assert ferry["html"] == FERRY.decode() and ferry["lang_hint"] == "en"  # the record's own fields are kept
    text_doc = cleaner.clean(lines[1]["text"])
    assert (plain["kind"], plain["text"]) == (text_doc.kind, text_doc.text) and "html" not in plain
    again = cli("--format", "jsonl", "-j", "1", cwd=tmp_path, input=result.stdout)
    assert json.loads(again.stdout.splitlines()[0]) == ferry  # cleaned again from its html: no change


def test_in_place_refuses_html_and_check_reports_it(tmp_path: Path) -> None:
    page = tmp_path / "ferry.html"
    page.write_bytes(FERRY)
    (tmp_path / "notes.txt").write_text("Title line\n\nBody text of a note.\n", encoding="utf-8")
    refused = cli("--in-place", "ferry.html", "notes.txt", cwd=tmp_path)
    assert refused.returncode == 2
    assert b"ferry.html: HTML input is not rewritten in place (use -o DIR)" in refused.stderr
    assert page.read_bytes() == FERRY
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == cleaner.clean(
        "Title line\n\nBody text of a note.\n"
    ).render()
    checked = cli("--check", "ferry.html", cwd=tmp_path)
    assert checked.returncode == 1 and b"would clean ferry.html" in checked.stderr
