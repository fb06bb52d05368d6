"""WARC input: a small crawl written here with warcio's writer, read back by `cleaner.warc` and the CLI."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner import clean_html
from cleaner import io as cio
from cleaner.warc import WarcReader

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"

RUSSIAN = "Мост через реку Сороть откроют после ремонта в конце месяца, сообщили в администрации района. " * 3


def _response(writer: WARCWriter, url: str, payload: bytes, content_type: str, status: str = "200 OK", **extra: str):
    headers = [("Content-Type", content_type), *extra.items()]
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    # With its length given, warcio writes the payload without spooling it to a temporary file.
    return writer.create_warc_record(url, "response", io.BytesIO(payload), len(payload), http_headers=http)


def _record(writer: WARCWriter, url: str, kind: str, payload: bytes):
    return writer.create_warc_record(url, kind, io.BytesIO(payload), len(payload), "application/warc-fields")


def build_warc(path: Path, *, compress: bool) -> list[tuple[str, str]]:
    """A crawl: two HTML pages (one gzip-encoded in transit, one in cp1251 declared only by its HTTP header),
    then a request, an image, a script, a 404 page, a redirect and a metadata record. Returns (url, id) of
    the HTML pages, in file order."""
    pages: list[tuple[str, str]] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
        ferry = _response(
            writer,
            "https://orbitdesk.example/ferry",
            (FIXTURES / "orbitdesk_aggregator.html").read_bytes(),
            "text/html; charset=utf-8",
        )
        writer.write_record(ferry)
        pages.append(("https://orbitdesk.example/ferry", ferry.rec_headers.get_header("WARC-Record-ID")))
        library = (FIXTURES / "larchpost_cookie_banner.html").read_bytes()
        encoded = _response(
            writer, "https://larch.example/library", gzip.compress(library), "text/html", **{"Content-Encoding": "gzip"}
        )
        writer.write_record(encoded)
        pages.append(("https://larch.example/library", encoded.rec_headers.get_header("WARC-Record-ID")))
        cyrillic = f"<html><head><title>Мост</title></head><body><article><p>{RUSSIAN}</p></article></body></html>"
        soroka = _response(
            writer, "https://soroka.example/most", cyrillic.encode("cp1251"), "text/html; charset=windows-1251"
        )
        writer.write_record(soroka)
        pages.append(("https://soroka.example/most", soroka.rec_headers.get_header("WARC-Record-ID")))
        writer.write_record(
            _record(writer, "https://orbitdesk.example/ferry", "request", b"GET /ferry HTTP/1.1\r\n\r\n")
        )
        writer.write_record(
            _response(writer, "https://orbitdesk.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        )
        writer.write_record(
            _response(writer, "https://orbitdesk.example/app.js", b"var x = 1;", "application/javascript")
        )
        writer.write_record(
            _response(
                writer,
                "https://orbitdesk.example/gone",
                b"<html><body>Not found</body></html>",
                "text/html",
                "404 Not Found",
            )
        )
        writer.write_record(
            _response(
                writer,
                "https://orbitdesk.example/old",
                b"<html><body>Moved</body></html>",
                "text/html",
                "301 Moved Permanently",
                Location="/new",
            )
        )
        writer.write_record(_record(writer, "https://orbitdesk.example/ferry", "metadata", b"outlinks: 3"))
    return pages  # fmt: skip


SKIPPED = 7  # warcinfo, request, image, script, 404, redirect, metadata


@pytest.mark.parametrize("compress", [True, False])
def test_reader_yields_the_html_pages_and_counts_the_rest(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    pages = build_warc(path, compress=compress)
    with path.open("rb") as stream:
        reader = WarcReader(stream)
        found = list(reader)
    assert [(page.url, page.id) for page in found] == pages
    assert all(page.id.startswith("<urn:uuid:") for page in found)
    assert reader.skipped == SKIPPED
    assert found[0].html == (FIXTURES / "orbitdesk_aggregator.html").read_bytes()
    assert found[1].html == (FIXTURES / "larchpost_cookie_banner.html").read_bytes()  # gzip encoding undone
    assert found[2].charset == "windows-1251"
    assert "Сороть" in clean_html(found[2].html, charset=found[2].charset).text


def test_io_opens_warc_by_extension_and_by_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    build_warc(path, compress=True)
    [item] = list(cio.discover([str(tmp_path)]))
    assert isinstance(item, cio.Input) and item.format == "warc"
    with cio.open_input(item) as opened:
        assert isinstance(opened, cio.WarcInput)
        assert len(list(opened)) == 3
        assert opened.skipped == SKIPPED
    stdin = cio.Input(cio.STDIN, None, None, "auto")
    with path.open("rb") as stream, cio.open_input(stdin, stream) as opened:
        assert isinstance(opened, cio.WarcInput) and len(list(opened)) == 3


def test_not_a_warc_is_an_input_error_and_a_cut_off_one_gives_what_it_holds(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not a crawl at all\n")
    [item] = [i for i in cio.discover([str(junk)]) if isinstance(i, cio.Input)]
    with pytest.raises(cio.InputError, match="not a WARC file"):
        cio.open_input(item)
    path = tmp_path / "crawl.warc.gz"
    pages = build_warc(path, compress=True)
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    with cut.open("rb") as stream:
        found = list(WarcReader(stream))
    assert 0 < len(found) < len(pages)
    assert [page.id for page in found] == [page_id for _, page_id in pages[: len(found)]]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_cli_warc_to_jsonl_keeps_id_and_url(tmp_path: Path) -> None:
    pages = build_warc(tmp_path / "crawl.warc.gz", compress=True)
    result = cli("--format", "jsonl", "-j", "1", "crawl.warc.gz", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["url"], r["id"]) for r in records] == pages
    ferry = records[0]
    expected = clean_html((FIXTURES / "orbitdesk_aggregator.html").read_bytes(), url=pages[0][0])
    assert ferry["text"] == expected.text and ferry["title"] == expected.title
    assert len(ferry["related"]) == len(expected.related) == 3
    assert f"skipped {SKIPPED} WARC records (not HTML pages)" in result.stderr
    assert "cleaned 3 documents" in result.stderr


def test_cli_warc_output_dir_and_in_place(tmp_path: Path) -> None:
    build_warc(tmp_path / "crawl.warc.gz", compress=True)
    result = cli("-o", "out", "crawl.warc.gz", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "out" / "crawl.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(line)["kind"] == "article" for line in lines)
    before = (tmp_path / "crawl.warc.gz").read_bytes()
    refused = cli("--in-place", "crawl.warc.gz", cwd=tmp_path)
    assert refused.returncode == 2
    assert "crawl.warc.gz: WARC input is not rewritten in place (use -o DIR)" in refused.stderr
    assert (tmp_path / "crawl.warc.gz").read_bytes() == before
