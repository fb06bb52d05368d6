"""cleaner.io: decoding, finding inputs, reading JSONL, atomic writes."""

from __future__ import annotations

import bz2
import codecs
import errno
import gzip
import io
import json
import lzma
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner import io as cio

# --- decoding --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Grüße “quoted” — ok\n".encode(),
        codecs.BOM_UTF8 + "Grüße “quoted” — ok\n".encode(),
        codecs.BOM_UTF16_LE + "Grüße “quoted” — ok\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "Grüße “quoted” — ok\n".encode("utf-16-be"),
        codecs.BOM_UTF32_LE + "Grüße “quoted” — ok\n".encode("utf-32-le"),
        codecs.BOM_UTF32_BE + "Grüße “quoted” — ok\n".encode("utf-32-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "utf32le", "utf32be"],
)
def test_decode_unicode_with_and_without_bom(data: bytes) -> None:
    assert cio.decode(data) == "Grüße “quoted” — ok\n"


def test_decode_cp1252_is_decoded_not_rejected() -> None:
    assert cio.decode(b"caf\xe9 \x93quoted\x94 \x80 5") == "café “quoted” € 5"


def test_decode_bytes_cp1252_leaves_undefined_fall_back_to_latin1() -> None:
    assert cio.decode(b"a\x81b\x8dc\x9d") == "a\x81b\x8dc\x9d"


def test_decode_mixed_file_keeps_its_utf8_and_reads_stray_bytes_as_cp1252() -> None:
    data = "naïve ".encode() + b"it\x92s"
    assert cio.decode(data) == "naïve it’s"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n\x00\x01\x02binary", "NUL bytes"),
        ("text".encode("utf-16-le"), "NUL bytes"),  # UTF-16 without a BOM cannot be told from binary
        (bytes(range(1, 9)) * 20 + b"some text", "control bytes"),
    ],
)
def test_decode_rejects_binary(data: bytes, reason: str) -> None:
    with pytest.raises(cio.InputError, match=reason):
        cio.decode(data)


def test_text_with_a_few_escapes_and_form_feeds_is_not_binary() -> None:
    data = b"\x1b[1mbold\x1b[0m and a page break\x0c\n" * 3
    assert cio.binary_reason(data) is None
    assert cio.decode(data).startswith("\x1b[1mbold")


def test_empty_input_decodes_to_empty_text() -> None:
    assert cio.decode(b"") == ""


def test_describe_os_error_words() -> None:
    assert cio.describe_os_error(FileNotFoundError(errno.ENOENT, "x")) == "no such file or directory"
    assert cio.describe_os_error(PermissionError(errno.EACCES, "x")) == "permission denied"
    assert cio.describe_os_error(OSError(errno.EIO, "Input/output error")) == "input/output error"


# --- discovery -------------------------------------------------------------------------------------------------


def _touch(path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_discover_walks_directories_in_sorted_order_picking_txt_and_jsonl(tmp_path) -> None:
    root = tmp_path / "corpus"
    names = ["b.txt", "a/z.jsonl", "a/b/c.txt", "a.txt", "c.JSONL", "skip.md", ".hidden.txt", ".git/x.txt"]
    for name in names:
        _touch(root / name)
    found = list(cio.discover([str(root)]))
    assert all(isinstance(item, cio.Input) for item in found)
    rel = [item.relname for item in found]
    # component by component: the directory a/ sorts before the file a.txt
    assert rel == [os.path.join("a", "b", "c.txt"), os.path.join("a", "z.jsonl"), "a.txt", "b.txt", "c.JSONL"]
    assert [item.path for item in found] == [os.path.join(str(root), name) for name in rel]
    assert [item.format for item in found] == ["text", "jsonl", "text", "text", "jsonl"]
    assert {item.arg for item in found} == {0}
    assert found[0].size == 1


def test_discover_file_argument_keeps_its_path_and_any_extension(tmp_path) -> None:
    page = tmp_path / "sub" / "page.md"
    _touch(page)
    records = tmp_path / "r.jsonl"
    _touch(records)
    found = list(cio.discover([str(page), str(records)]))
    assert [(i.path, i.relname, i.format, i.arg) for i in found] == [  # type: ignore[union-attr]
        (str(page), "page.md", "text", 0),
        (str(records), "r.jsonl", "jsonl", 1),
    ]


def test_discover_input_format_overrides_extensions(tmp_path) -> None:
    _touch(tmp_path / "a.txt")
    _touch(tmp_path / "b.jsonl")
    assert {i.format for i in cio.discover([str(tmp_path)], "jsonl")} == {"jsonl"}  # type: ignore[union-attr]
    assert {i.format for i in cio.discover([str(tmp_path)], "text")} == {"text"}  # type: ignore[union-attr]


def test_discover_stdin_and_missing_paths(tmp_path) -> None:
    missing = str(tmp_path / "nope.txt")
    found = list(cio.discover(["-", missing]))
    assert isinstance(found[0], cio.Input) and found[0].is_stdin and found[0].format == "auto"
    assert found[1] == cio.Unreadable(missing, "no such file or directory")


def test_discover_directory_without_pages_says_so(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    assert list(cio.discover([str(tmp_path / "empty")])) == [cio.Unreadable(str(tmp_path / "empty"), cio.NO_PAGES)]
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.csv").write_text("x,y\n")
    (other / "b.md").write_text("# notes\n")
    assert list(cio.discover([str(other)])) == [cio.Unreadable(str(other), cio.NO_PAGES)]
    assert "no pages found" in cio.NO_PAGES


def test_discover_skips_excluded_directory_even_if_created_later(tmp_path) -> None:
    _touch(tmp_path / "a.txt")
    out = tmp_path / "out"
    walk = cio.discover([str(tmp_path)], exclude=[str(out)])
    _touch(out / "a.txt")  # written while the walk is under way
    assert [i.relname for i in walk] == ["a.txt"]  # type: ignore[union-attr]


def test_discover_follows_symlinks_without_looping(tmp_path) -> None:
    _touch(tmp_path / "d" / "a.txt")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "d" / "broken.txt")
    found = list(cio.discover([str(tmp_path / "d")]))
    assert [getattr(i, "relname", None) for i in found] == ["a.txt", None]
    assert found[1] == cio.Unreadable(os.path.join(str(tmp_path / "d"), "broken.txt"), "broken symbolic link")


def test_discover_is_lazy(tmp_path) -> None:
    _touch(tmp_path / "a.txt")
    walk = cio.discover([str(tmp_path), str(tmp_path / "later.txt")])
    assert next(walk).relname == "a.txt"  # type: ignore[union-attr]
    _touch(tmp_path / "later.txt")  # created after the walk started: still found, it was not stat'ed yet
    assert next(walk).relname == "later.txt"  # type: ignore[union-attr]


# --- reading ---------------------------------------------------------------------------------------------------


def _source(path, fmt: cio.InputFormat) -> cio.Input:
    return cio.Input(str(path), str(path), os.path.basename(path), fmt)


STDIN = cio.Input("-", None, None, "auto")


def test_open_text_file(tmp_path) -> None:
    page = tmp_path / "p.txt"
    page.write_bytes(b"Title\r\n\r\ncaf\xe9\r\n")
    opened = cio.open_input(_source(page, "text"))
    assert isinstance(opened, cio.TextInput)
    assert opened.text == "Title\r\n\r\ncafé\r\n"
    assert opened.raw == page.read_bytes()


def test_open_binary_and_missing_files_raise_input_error(tmp_path) -> None:
    blob = tmp_path / "b.txt"
    blob.write_bytes(b"GIF89a\x00\x00\x01")
    with pytest.raises(cio.InputError, match=r"^binary file \(NUL bytes\)$"):
        cio.open_input(_source(blob, "text"))
    with pytest.raises(cio.InputError, match=r"^no such file or directory$"):
        cio.open_input(_source(tmp_path / "missing.txt", "text"))


def test_open_unreadable_file_says_permission_denied(tmp_path, monkeypatch) -> None:
    page = tmp_path / "p.txt"
    page.write_text("x")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(page))

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(cio.InputError, match=r"^permission denied$"):
        cio.open_input(_source(page, "text"))


def test_jsonl_lines_are_classified(tmp_path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [
        b'{"id": 7, "text": "caf\xc3\xa9", "extra": [1]}\n',
        b"\n",
        b"{broken\n",
        b"[1, 2]\n",
        b'{"title": "no text"}\n',
        b'{"text": null}\n',
        b'{"text": "last line without newline"}',
    ]
    path.write_bytes(b"".join(lines))
    with cio.open_input(_source(path, "jsonl")) as opened:
        assert isinstance(opened, cio.JsonlInput)
        got = list(opened)
    assert [line.kind for line in got] == ["record", "blank", "invalid", "invalid", "notext", "notext", "record"]
    assert [line.lineno for line in got] == list(range(1, 8))
    assert [line.raw for line in got] == lines
    assert got[0].record == {"id": 7, "text": "café", "extra": [1]}
    assert got[2].problem is not None and got[2].problem.startswith("invalid JSON (")
    assert got[3].problem == "invalid JSON (not an object: an array)"
    assert got[6].text == '{"text": "last line without newline"}'


def test_jsonl_crlf_bom_and_legacy_bytes(tmp_path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b'{"text": "a"}\r\n{"text": "caf\xe9"}\r\n')
    with cio.open_input(_source(path, "jsonl")) as opened:
        got = list(opened)  # type: ignore[arg-type]
    assert [line.record for line in got] == [{"text": "a"}, {"text": "café"}]


def test_jsonl_utf16_with_bom(tmp_path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + '{"text": "é"}\r\n{"text": "b"}\n'.encode("utf-16-le"))
    with cio.open_input(_source(path, "jsonl")) as opened:
        got = list(opened)  # type: ignore[arg-type]
    assert [line.record for line in got] == [{"text": "é"}, {"text": "b"}]
    assert all(line.raw is None for line in got)


def test_jsonl_streams_one_line_at_a_time(tmp_path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(b'{"text": "x"}\n' * 20000)  # far more than the 8 KiB sniffed at the start
    with cio.open_input(_source(path, "jsonl")) as opened:
        lines = iter(opened)  # type: ignore[call-overload]
        next(lines)
        assert opened._closer is not None
        assert opened._closer.tell() < 64 * 1024  # not read through
        assert sum(1 for _ in lines) == 19999


@pytest.mark.parametrize(
    ("data", "expect_jsonl"),
    [
        (b'{"text": "a"}\n{"text": "b"}\n', True),
        (b'\n  \n{"id": "x", "text": "a"}\n', True),
        (b"{not json} but a page\nsecond line\n", False),
        (b'["array"]\n', False),
        (b"Plain page\n\nwith text\n", False),
        (b"", False),
    ],
)
def test_stdin_sniffing(data: bytes, expect_jsonl: bool) -> None:
    opened = cio.open_input(STDIN, io.BytesIO(data))
    if expect_jsonl:
        assert isinstance(opened, cio.JsonlInput)
        records = [line.record for line in opened if line.kind == "record"]
        expected = [json.loads(raw) for raw in data.splitlines() if raw.strip()]
        assert records == expected
    else:
        assert isinstance(opened, cio.TextInput)
        assert opened.raw == data
        assert opened.text == data.decode()


def test_stdin_sniffing_utf16_text_and_jsonl() -> None:
    page = codecs.BOM_UTF16_LE + "Titel\n\nGrüße\n".encode("utf-16-le")
    opened = cio.open_input(STDIN, io.BytesIO(page))
    assert isinstance(opened, cio.TextInput) and opened.text == "Titel\n\nGrüße\n" and opened.raw == page
    records = codecs.BOM_UTF16_LE + '{"text": "ä"}\n'.encode("utf-16-le")
    opened = cio.open_input(STDIN, io.BytesIO(records))
    assert isinstance(opened, cio.JsonlInput)
    assert [line.record for line in opened] == [{"text": "ä"}]


def test_stdin_forced_formats() -> None:
    data = b'{"text": "a"}\n'
    as_text = cio.open_input(cio.Input("-", None, None, "text"), io.BytesIO(data))
    assert isinstance(as_text, cio.TextInput) and as_text.text == data.decode()
    as_jsonl = cio.open_input(cio.Input("-", None, None, "jsonl"), io.BytesIO(b"plain\n"))
    assert isinstance(as_jsonl, cio.JsonlInput) and [line.kind for line in as_jsonl] == ["invalid"]


def test_stdin_binary() -> None:
    with pytest.raises(cio.InputError, match="binary"):
        cio.open_input(STDIN, io.BytesIO(b"\x7fELF\x02\x01\x00\x00"))


def test_looks_like_jsonl() -> None:
    assert cio.looks_like_jsonl(' {"a": 1} ')
    assert not cio.looks_like_jsonl("{a: 1}")
    assert not cio.looks_like_jsonl("[{}]")
    assert not cio.looks_like_jsonl("[" * 100000)


# --- writing ---------------------------------------------------------------------------------------------------


def test_jsonl_line_is_utf8_one_line_and_survives_lone_surrogates() -> None:
    record = {"text": "Grüße\nzwei", "odd": "\ud800"}
    line = cio.jsonl_line(record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert "Grüße".encode() in line
    assert json.loads(line) == record


def _leftovers(directory) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


def test_atomic_write_replaces_and_keeps_mode(tmp_path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    os.chmod(target, 0o604)
    cio.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert _leftovers(tmp_path) == []


def test_atomic_write_new_file_gets_umask_mode(tmp_path) -> None:
    old = os.umask(0o027)
    try:
        cio.write_atomic(tmp_path / "n.txt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "n.txt").stat().st_mode) == 0o640


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_atomic_file_error_midway_leaves_original_and_no_temp(tmp_path, exc: type[BaseException]) -> None:
    target = tmp_path / "a.jsonl"
    target.write_bytes(b"original\n")
    with pytest.raises(exc), cio.AtomicFile(target) as out:
        out.write(b"half a li")
        assert len(_leftovers(tmp_path)) == 1
        raise exc
    assert target.read_bytes() == b"original\n"
    assert _leftovers(tmp_path) == []


def test_atomic_file_without_commit_changes_nothing(tmp_path) -> None:
    target = tmp_path / "a.txt"
    with cio.AtomicFile(target) as out:
        out.write(b"x")
    assert not target.exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("codec", ["gz", "bz2", "xz", "zst"])
def test_compressed_output_is_handed_over_in_chunks_and_whole(tmp_path, monkeypatch, codec: str) -> None:
    monkeypatch.setattr(cio, "_COMPRESS_CHUNK", 1000)
    records = [json.dumps({"id": i, "text": f"record {i} " * (i % 7)}).encode() + b"\n" for i in range(400)]
    target = tmp_path / f"a.jsonl.{codec}"
    handed: list[int] = []
    with cio.AtomicFile(target, compression=codec) as out:  # type: ignore[arg-type]
        sink = out._sink
        assert sink is not None
        write = sink.write
        monkeypatch.setattr(sink, "write", lambda data: handed.append(len(data)) or write(data))
        for record in records:
            out.write(record)
        out.commit()
    whole = b"".join(records)
    decompress = {"gz": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress, "zst": cio._zstd().decompress}
    assert decompress[codec](target.read_bytes()) == whole
    assert sum(handed) == len(whole) == out.size
    assert len(handed) < len(records) / 10  # gathered: not one compressor call per record
    assert all(size >= 1000 for size in handed[:-1])


def test_compressed_output_discarded_midway_leaves_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cio, "_COMPRESS_CHUNK", 100)
    target = tmp_path / "a.jsonl.xz"
    with cio.AtomicFile(target, compression="xz") as out:
        for i in range(50):
            out.write(b"line %d\n" % i)
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_atomic_write_through_symlink_keeps_the_link(tmp_path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    cio.write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_atomic_file_commit_failure_cleans_up(tmp_path, monkeypatch) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(cio.os, "replace", broken_replace)
    with pytest.raises(OSError), cio.AtomicFile(target) as out:
        out.write(b"new")
        out.commit()
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("durable, syncs", [(True, 2), (False, 0)])
def test_atomic_file_fsyncs_file_and_directory_only_when_durable(tmp_path, monkeypatch, durable, syncs) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    target = tmp_path / "out.txt"
    cio.write_atomic(target, b"new", durable=durable)
    assert target.read_bytes() == b"new"
    assert len(synced) == syncs


# --- the HTML sniff on bytes, and reading a page in chunks -----------------------------------------------------

_STARTS = st.sampled_from(["", " ", "\ufeff", "\t\n", "\x1c", "\u00a0", "\u3000", "<!-- c -->", "\x00"])
_BODIES = st.sampled_from(["<html>", "<p>x", "<span>", "text <p>", "<", "é<div>", "<!DOCTYPE html>", "x"])
_CODECS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


@given(_STARTS, _BODIES, st.text(max_size=20), _CODECS)
def test_the_byte_sniff_agrees_with_the_sniff_of_the_decoded_text(start: str, body: str, tail: str, codec: str) -> None:
    data = (start + body + tail).encode(codec, "replace")
    assert cio.looks_like_html(data) == cio.looks_like_html(cio.decode_text(data[: cio.SNIFF_CHARS * 4]))


@pytest.mark.parametrize("size", [0, 1, cio.SNIFF_BYTES, (1 << 16) + 3, 3 * (1 << 16) + 5])
def test_a_page_is_read_whole_whatever_its_size(tmp_path, size: int) -> None:  # type: ignore[no-untyped-def]
    data = bytes((ord("a") + i % 26) for i in range(size))
    path = tmp_path / "page.txt"
    path.write_bytes(data)
    opened = cio.open_input(next(iter(cio.discover([str(path)]))))  # type: ignore[arg-type]
    assert isinstance(opened, cio.TextInput) and opened.raw == data


def test_a_page_past_the_limit_is_refused(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cio, "MAX_DOCUMENT_BYTES", 100_000)
    path = tmp_path / "page.txt"
    path.write_bytes(b"a" * 100_001)
    with pytest.raises(cio.InputError, match="too large"):
        cio.open_input(next(iter(cio.discover([str(path)]))))  # type: ignore[arg-type]
    path.write_bytes(b"a" * 100_000)
    assert len(cio.open_input(next(iter(cio.discover([str(path)])))).raw) == 100_000  # type: ignore[union-attr,arg-type]
