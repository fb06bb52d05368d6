"""Hostile and broken input, one test (or a few) per class of the "Hostile input" table (docs/hostile-input.md).

Encodings, NUL and control characters, invalid sequences, mojibake (`--fix-text`), compressed inputs and
outputs, the size cap, giant lines and the pipeline's guards for them, safe user patterns (RE2), JSONL errors
and `--skip-errors`, read-only targets, `--backup`, file names that are not UTF-8. The command-line tests run
in-process against the stand-in pipeline of `test_cli.py` (they test the plumbing); the others use the real
`cleaner.clean`. Interrupts are in `test_robust_signals.py`.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import json
import lzma
import os
import pickle
import random
import re
import stat
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from backports import zstd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PIER_ARTICLE
from test_cli import PAGE_A, PAGE_B, FakePipeline, patch_pipeline, records, render, run

import cleaner
from cleaner import io as cio
from cleaner.features import LONG_BLOCK_CHARS, block_features
from cleaner.language import stopwords
from cleaner.normalise import MAX_MARK_RUN, normalise
from cleaner.rules import FOLD_MAX_CHARS, RulePackError, SafePattern, file_pack, fold, to_re2

ARTICLE = "Harbour pier closes for repairs\n\n" + "\n\n".join(PIER_ARTICLE) + "\n"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakePipeline:
    """The stand-in pipeline of test_cli.py, where the command line calls the real one."""
    pipeline = FakePipeline()
    patch_pipeline(monkeypatch, pipeline)
    return pipeline


# ── Encodings ───────────────────────────────────────────────────────────────────────────────────────────────

# Invented news paragraphs in the languages whose legacy encodings the web still serves.
LEGACY = {
    "ru": (
        "Портовые власти подтвердили во вторник, что старый зерновой причал будет закрыт для посетителей как минимум"
        " на два года. Инженеры обнаружили, что сваи под причалом сильно повреждены.",
        ["cp1251", "koi8-r", "iso-8859-5", "cp866", "mac-cyrillic"],
    ),
    "uk": (
        "Портова адміністрація підтвердила у вівторок, що старий зерновий причал буде закрито щонайменше на два роки."
        " Рибалки, які десятиліттями вивантажували улов біля причалу, незадоволені рішенням.",
        ["cp1251", "koi8-u"],
    ),
    "el": (
        "Η λιμενική αρχή επιβεβαίωσε την Τρίτη ότι η παλιά αποβάθρα σιτηρών θα παραμείνει κλειστή για τουλάχιστον"
        " δύο χρόνια. Οι μηχανικοί διαπίστωσαν ότι οι πάσσαλοι έχουν υποστεί σοβαρές ζημιές.",
        ["cp1253", "iso-8859-7"],
    ),
    "he": (
        "רשות הנמל אישרה ביום שלישי כי מזח התבואה הישן ייסגר לציבור לשנתיים לפחות. המהנדסים גילו כי העמודים מתחת"
        " למזח ניזוקו קשות.",
        ["cp1255", "iso-8859-8"],
    ),
    "ar": (
        "أكدت سلطة الميناء يوم الثلاثاء أن رصيف الحبوب القديم سيغلق أمام الجمهور لمدة عامين على الأقل. واكتشف"
        " المهندسون أن الأعمدة تحت الرصيف تضررت بشدة.",
        ["cp1256", "iso-8859-6"],
    ),
    "th": (
        "การท่าเรือยืนยันเมื่อวันอังคารว่าท่าเทียบเรือขนส่งธัญพืชเก่าจะปิดให้บริการอย่างน้อยสองปี"
        " วิศวกรพบว่าเสาเข็มใต้ท่าเรือได้รับความเสียหายอย่างหนัก",
        ["cp874"],
    ),
    "ja": (
        "港湾当局は火曜日、古い穀物桟橋を少なくとも二年間閉鎖すると発表した。技術者たちは、桟橋の下の杭がひどく"
        "損傷していることを発見した。",
        ["shift_jis", "euc-jp", "cp932"],
    ),
    "zh": ("港务局周二证实，旧粮食码头将对公众关闭至少两年。工程师发现码头下方的木桩已严重受损。", ["gb2312", "gbk"]),
    "ko": (
        "항만 당국은 화요일 오래된 곡물 부두가 최소 2년 동안 폐쇄될 것이라고 확인했다. 기술자들은 부두 아래의"
        " 말뚝이 심하게 손상된 것을 발견했다.",
        ["euc-kr"],
    ),
    "cs": (
        "Přístavní úřad v úterý potvrdil, že staré obilní molo bude nejméně na dva roky uzavřeno. Inženýři zjistili,"
        " že piloty pod molem jsou vážně poškozené. Rybáři nejsou s rozhodnutím spokojeni.",
        ["cp1250"],
    ),
    "pl": (
        "Władze portu potwierdziły we wtorek, że stare molo zbożowe zostanie zamknięte na co najmniej dwa lata."
        " Inżynierowie odkryli, że pale pod molem są poważnie uszkodzone.",
        ["cp1250", "iso-8859-2"],
    ),
    "tr": (
        "Liman idaresi salı günü eski tahıl iskelesinin en az iki yıl boyunca halka kapalı kalacağını doğruladı."
        " Mühendisler iskelenin altındaki kazıkların ciddi şekilde hasar gördüğünü tespit etti.",
        ["cp1254"],
    ),
    "de": (
        "Die Hafenbehörde bestätigte am Dienstag, dass der alte Getreidesteg für mindestens zwei Jahre gesperrt"
        " wird. Ingenieure stellten fest, dass die Pfähle schwer beschädigt sind. Straße, Größe, Übergänge.",
        ["cp1252", "iso-8859-1", "iso-8859-15", "mac-roman", "cp850"],
    ),
    "fr": (
        "L'autorité portuaire a confirmé mardi que le vieux quai céréalier sera fermé au public pendant au moins"
        " deux ans. « C'est très difficile », a déclaré le maire.",
        ["cp1252", "iso-8859-1"],
    ),
}
LEGACY_CASES = [(lang, enc) for lang, (_, encodings) in LEGACY.items() for enc in encodings]


def legacy_page(lang: str) -> str:
    return "Titel\n\n" + LEGACY[lang][0] + "\n\n" + LEGACY[lang][0] + "\n"


@pytest.mark.parametrize(("lang", "encoding"), LEGACY_CASES, ids=[f"{lang}-{enc}" for lang, enc in LEGACY_CASES])
def test_legacy_encodings_are_detected(lang: str, encoding: str) -> None:
    page = legacy_page(lang)
    assert cio.decode(page.encode(encoding)) == page


@pytest.mark.parametrize(
    "text",
    [
        "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss zu sperren. Straße",  # "Big5" alone
        "naïve résumé — “quoted”",  # charset-normalizer alone: cp1250, "naďve"
        "café",
        "Ça coûte très cher à Noël, déjà été",
    ],
)
def test_western_pages_stay_cp1252_where_a_detector_alone_goes_wrong(text: str) -> None:
    assert cio.decode(text.encode("cp1252")) == text


def test_jsonl_file_keeps_the_encoding_named_on_its_first_legacy_line(tmp_path: Path) -> None:
    long_line = json.dumps({"text": LEGACY["ru"][0]}, ensure_ascii=False)
    short_line = json.dumps({"text": "Мост закрыт"}, ensure_ascii=False)  # too short to name an encoding alone
    path = tmp_path / "ru.jsonl"
    path.write_bytes((long_line + "\n" + short_line + "\n").encode("cp1251"))
    with cio.open_input(cio.Input(str(path), str(path), path.name, "jsonl")) as opened:
        got = [line.record["text"] for line in opened]  # type: ignore[union-attr,index]
    assert got == [LEGACY["ru"][0], "Мост закрыт"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "cp1251"])
def test_every_encoding_of_a_page_cleans_the_same(encoding: str) -> None:
    page = ARTICLE.replace("é", "e") + "\n" + LEGACY["ru"][0] + "\n"  # what cp1251 can encode
    data = page.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert cleaner.clean(cio.decode(data)).render() == cleaner.clean(page).render()


def test_cr_and_crlf_line_ends_clean_like_lf() -> None:
    expected = cleaner.clean(ARTICLE).render()
    assert cleaner.clean(ARTICLE.replace("\n", "\r\n")).render() == expected
    assert cleaner.clean(ARTICLE.replace("\n", "\r")).render() == expected


def test_a_stray_nul_is_text_and_is_dropped() -> None:
    data = ARTICLE.encode().replace(b"pier", b"pi\x00er", 1)
    text = cio.decode(data)
    assert "\x00" in text
    assert cleaner.clean(text).render() == cleaner.clean(ARTICLE).render()


def test_many_nul_bytes_are_binary() -> None:
    data = ARTICLE.encode()
    nuls = data[:500] + b"\x00" * 3 + data[500:1000]  # 3 in 1,003 bytes: over one per thousand
    with pytest.raises(cio.InputError, match=r"binary file \(NUL bytes\)"):
        cio.decode(nuls)


def test_control_characters_never_reach_the_output() -> None:
    noisy = "".join(ch + ("\x07\x1b\x0b\x7f\x85\x9f\u200b" if i % 40 == 0 else "") for i, ch in enumerate(ARTICLE))
    doc = cleaner.clean(noisy)
    out = doc.render()
    assert not [ch for ch in out if unicodedata.category(ch) == "Cc" and ch != "\n"]
    assert out == cleaner.clean(ARTICLE).render()


@pytest.mark.parametrize(
    "data",
    [
        ARTICLE.encode() + b"\xe2\x82",  # a character cut off at the end
        ARTICLE.encode().replace(b"pier", b"pi\xc0\xafer"),  # an overlong encoding
        ARTICLE.encode().replace(b"pier", b"pi\xed\xa0\x80er"),  # an encoded surrogate
        ARTICLE.encode().replace(b"pier", b"pi\xff\xfeer"),  # bytes that are never UTF-8
        "Grüße ".encode() + b"caf\xe9 " + ARTICLE.encode(),  # UTF-8 with a stray cp1252 byte
    ],
    ids=["truncated", "overlong", "surrogate", "ff-fe", "mixed"],
)
def test_invalid_sequences_are_decoded_not_fatal(data: bytes) -> None:
    text = cio.decode(data)
    assert "Veldmark" in text
    doc = cleaner.clean(text)
    assert cleaner.clean(doc.render()).render() == doc.render()


def test_mixed_file_keeps_its_utf8() -> None:
    assert cio.decode("Grüße ".encode() + b"caf\xe9 " + ARTICLE.encode()).startswith("Grüße café Harbour")


# ── --fix-text ───────────────────────────────────────────────────────────────────────────────────────────────

MOJIBAKE = "CafÃ© owners say the pier doesnâ€™t draw crowds any more.\n\nâ€œItâ€™s quiet,â€\x9d she said.\n"
REPAIRED = "Café owners say the pier doesn’t draw crowds any more.\n\n“It’s quiet,” she said.\n"


def test_fix_text_repairs_mojibake_and_touches_nothing_else() -> None:
    assert cio.fix_text(MOJIBAKE) == REPAIRED
    untouched = "“Curly” quotes, ﬁ ligature, ＦＵＬＬ width, &amp; entity, line\u2028break. Café."
    assert cio.fix_text(untouched) == untouched
    assert cio.fix_text(ARTICLE) == ARTICLE


FIX_PIECES = ["CafÃ©", "doesnâ€™t", "â€œ", "â€\x9d", "plain words", "\x1b[31mred\x1b[0m", "\x85", "\ud800", "é", " "]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FIX_PIECES) | st.just("\n") | st.text(max_size=8), max_size=12).map("".join)
    | st.text(max_size=60)
)
def test_fix_text_passing_over_ascii_lines_repairs_as_ftfy_does(text: str) -> None:
    import ftfy

    assert cio.fix_text(text) == ftfy.fix_text(text, cio._fix_config())


def test_fix_text_flag_repairs_before_cleaning(fake: FakePipeline, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("Title\n\n" + MOJIBAKE)
    assert run("clean", str(page)).stdout == render(fake, "Title\n\n" + MOJIBAKE)
    assert run("clean", "--fix-text", str(page)).stdout == render(fake, "Title\n\n" + REPAIRED)


def test_fix_text_repairs_jsonl_text_and_title_only(fake: FakePipeline) -> None:
    line = json.dumps({"id": "m", "title": "CafÃ© news", "text": MOJIBAKE, "note": "CafÃ©"}, ensure_ascii=False)
    out = records(run("clean", "--fix-text", "--format", "jsonl", input=line + "\n").stdout)[0]
    assert out["title"] == "Café news" and "Café owners" in out["text"] and out["note"] == "CafÃ©"


def test_fix_text_diff_shows_the_repair(fake: FakePipeline, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("Title\n\n" + MOJIBAKE)
    out = run("clean", "--diff", "--fix-text", str(page)).stdout
    assert "-CafÃ© owners" in out and "+Café owners" in out


def test_fix_text_repairs_in_the_workers_and_counts_a_repair_as_a_change(fake: FakePipeline, tmp_path: Path) -> None:
    pages = []
    for i in range(40):
        page = tmp_path / f"p{i:02}.txt"
        page.write_text(f"Title {i}\n\n" + MOJIBAKE)
        pages.append(page)
    out = tmp_path / "out"
    result = run("clean", "-j", "2", "--fix-text", "-o", str(out), str(tmp_path / "p00.txt"), *map(str, pages[1:]))
    assert result.exit_code == 0
    assert all(
        (out / page.name).read_text() == render(fake, f"Title {i}\n\n" + REPAIRED) for i, page in enumerate(pages)
    )
    # The fake pipeline changes nothing else: the repair alone makes the file change.
    repaired_only = tmp_path / "only.txt"
    repaired_only.write_text(render(fake, "Title\n\n" + MOJIBAKE))
    assert run("clean", "--check", str(repaired_only)).exit_code == 0
    assert run("clean", "--check", "--fix-text", str(repaired_only)).exit_code == 1


# ── Compressed inputs ────────────────────────────────────────────────────────────────────────────────────────

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": lambda data: gzip.compress(data, mtime=0),
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": zstd.compress,
}
DECOMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.decompress,
    "bz2": bz2.decompress,
    "xz": lzma.decompress,
    "zst": lambda data: zstd.decompress(data),
}


@pytest.mark.parametrize("codec", COMPRESSORS)
def test_compressed_page_reads_like_the_plain_one(fake: FakePipeline, tmp_path: Path, codec: str) -> None:
    (tmp_path / f"a.txt.{codec}").write_bytes(COMPRESSORS[codec](PAGE_A.encode()))
    result = run("clean", str(tmp_path / f"a.txt.{codec}"))
    assert result.exit_code == 0 and result.stdout == render(fake, PAGE_A)


def test_compression_is_recognised_by_content_not_name(fake: FakePipeline, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(gzip.compress(PAGE_A.encode()))
    assert run("clean", str(tmp_path / "a.txt")).stdout == render(fake, PAGE_A)
    assert run("clean", input=COMPRESSORS["zst"](PAGE_B.encode())).stdout == render(fake, PAGE_B)


def test_walk_picks_compressed_pages_and_records(fake: FakePipeline, tmp_path: Path) -> None:
    for name in ("a.txt.gz", "b.jsonl.zst", "c.txt.bz2", "d.html.xz", "e.gz", "f.csv.gz"):
        (tmp_path / name).write_bytes(b"")
    found = [item.relname for item in cio.discover([str(tmp_path)]) if isinstance(item, cio.Input)]
    assert found == ["a.txt.gz", "b.jsonl.zst", "c.txt.bz2", "d.html.xz"]
    formats = [cio.format_of(name, "auto") for name in found]
    assert formats == ["text", "jsonl", "text", "html"]
    # An HTML page's output is text named .txt, written plain; the others keep their names (and compression).
    assert [cio.output_name(name, fmt) for name, fmt in zip(found, formats, strict=True)] == [
        "a.txt.gz",
        "b.jsonl.zst",
        "c.txt.bz2",
        "d.txt",
    ]


@pytest.mark.parametrize("codec", COMPRESSORS)
def test_output_dir_writes_compressed_inputs_back_compressed(fake: FakePipeline, tmp_path: Path, codec: str) -> None:
    lines = [json.dumps({"id": i, "text": page}) for i, page in enumerate((PAGE_A, PAGE_B))]
    plain = ("\n".join(lines) + "\n").encode()
    src = tmp_path / "src"
    src.mkdir()
    (src / "r.jsonl").write_bytes(plain)
    (src / f"z.jsonl.{codec}").write_bytes(COMPRESSORS[codec](plain))
    assert run("clean", "-o", str(tmp_path / "out"), str(src)).exit_code == 0
    written = (tmp_path / "out" / f"z.jsonl.{codec}").read_bytes()
    assert cio.compression_of(written[:16]) == codec
    assert DECOMPRESSORS[codec](written) == (tmp_path / "out" / "r.jsonl").read_bytes()


def test_gzip_output_is_deterministic(fake: FakePipeline, tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(PAGE_A.encode()))
    run("clean", "-o", str(tmp_path / "one"), str(tmp_path / "a.txt.gz"))
    run("clean", "-o", str(tmp_path / "two"), str(tmp_path / "a.txt.gz"))
    assert (tmp_path / "one" / "a.txt.gz").read_bytes() == (tmp_path / "two" / "a.txt.gz").read_bytes()


def test_in_place_keeps_a_compressed_file_compressed(fake: FakePipeline, tmp_path: Path) -> None:
    target = tmp_path / "a.txt.xz"
    target.write_bytes(lzma.compress(PAGE_A.encode()))
    settled = tmp_path / "b.txt.gz"
    settled.write_bytes(gzip.compress(render(fake, PAGE_B).encode()))
    before = settled.read_bytes()
    assert run("clean", "--in-place", str(target), str(settled)).exit_code == 0
    assert lzma.decompress(target.read_bytes()).decode() == render(fake, PAGE_A)
    assert settled.read_bytes() == before  # nothing to clean: not rewritten, not even recompressed


@pytest.mark.parametrize(
    ("codec", "damage", "problem"),
    [
        ("gz", lambda data: data[: len(data) // 2], "truncated gz data"),
        ("bz2", lambda data: data[:12] + b"\x00" * 20 + data[32:], "corrupt bz2 data"),
        ("xz", lambda data: data[:40] + bytes([data[40] ^ 0xFF]) + data[41:], "corrupt xz data"),
        ("zst", lambda data: data[: len(data) // 2], "truncated zst data"),
    ],
)
def test_corrupt_compressed_page_is_one_error_and_left_alone(
    fake: FakePipeline, tmp_path: Path, codec: str, damage: Callable[[bytes], bytes], problem: str
) -> None:
    broken = tmp_path / f"a.txt.{codec}"
    broken.write_bytes(damage(COMPRESSORS[codec](ARTICLE.encode() * 20)))
    before = broken.read_bytes()
    good = tmp_path / "b.txt"
    good.write_text(PAGE_B)
    result = run("clean", "--in-place", str(broken), str(good))
    assert result.exit_code == 2
    first = next(line for line in result.stderr.splitlines() if line.startswith("cleaner:"))
    assert first.startswith(f"cleaner: {broken}: {problem}")
    assert broken.read_bytes() == before
    assert good.read_text() == render(fake, PAGE_B)
    assert sorted(os.listdir(tmp_path)) == sorted([broken.name, good.name])


# (Not bzip2: it compresses 900 KB blocks, and a block cut short decodes to nothing.)
@pytest.mark.parametrize("codec", ["gz", "xz", "zst"])
def test_jsonl_cut_off_mid_stream_keeps_what_came_before(fake: FakePipeline, tmp_path: Path, codec: str) -> None:
    # Records of varied text, so that the compressed stream's last quarter holds the last quarter of them or so.
    rng = random.Random(codec)
    texts = [" ".join(rng.choice(["harbour", "ferry", "vote", "frost", "mill"]) for _ in range(600)) for _ in range(60)]
    lines = [json.dumps({"id": i, "text": f"Title {i}\n\nBody {i}. {text}"}) for i, text in enumerate(texts)]
    data = COMPRESSORS[codec](("\n".join(lines) + "\n").encode())
    path = tmp_path / f"r.jsonl.{codec}"
    path.write_bytes(data[: len(data) * 3 // 4])
    result = run("clean", "--format", "jsonl", str(path))
    assert result.exit_code == 2
    assert f"cleaner: {path}: truncated {codec} data" in result.stderr
    ids = [row["id"] for row in records(result.stdout)]
    assert len(ids) >= 20 and ids == list(range(len(ids)))  # the records before the break, read in large chunks
    before = path.read_bytes()
    assert run("clean", "--in-place", str(path)).exit_code == 2
    assert path.read_bytes() == before and os.listdir(tmp_path) == [path.name]


def test_decompression_bomb_is_refused(fake: FakePipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cio, "MAX_DOCUMENT_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"word " * (1 << 20)))  # 5 MB of text from 10 KB
    result = run("clean", str(bomb), str(tmp_path / "missing.txt"))
    assert f"cleaner: {bomb}: too large for one page (larger than 1 MB of text)" in result.stderr
    assert result.exit_code == 2


def test_jsonl_line_over_the_cap_stops_that_file_only(
    fake: FakePipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cio, "MAX_DOCUMENT_BYTES", 1 << 16)
    path = tmp_path / "r.jsonl"
    small = json.dumps({"id": "ok", "text": PAGE_A})
    path.write_text(small + "\n" + json.dumps({"id": "big", "text": "x " * 40000}) + "\n" + small + "\n")
    other = tmp_path / "s.txt"
    other.write_text(PAGE_B)
    result = run("clean", "--format", "jsonl", str(path), str(other))
    assert result.exit_code == 2
    assert f"cleaner: {path}: line 2 is larger than 0.0625 MB; the rest of the file is not read" in result.stderr
    assert [row["id"] for row in records(result.stdout)] == ["ok", str(other)]


# ── Giant lines and the pipeline's guards ────────────────────────────────────────────────────────────────────


def test_200000_spaces_vanish() -> None:
    doc = cleaner.clean(ARTICLE + " " * 200_000 + "\n" + PIER_ARTICLE[0] + "\u00a0" * 200_000 + "\n")
    assert "  " not in doc.render() and "\u00a0" not in doc.render()
    assert cleaner.clean(doc.render()).render() == doc.render()


def test_one_word_repeated_50000_times_is_kept_whole() -> None:
    line = " ".join(["pier"] * 50_000)
    doc = cleaner.clean(ARTICLE + "\n" + line + "\n")
    assert line in doc.text
    assert cleaner.clean(doc.render()).render() == doc.render()


def test_a_page_on_one_line_comes_out_whole() -> None:
    line = " ".join(PIER_ARTICLE * 400)  # 350 KB; bench/hostile.py runs 15 MB
    doc = cleaner.clean("Harbour pier closes for repairs\n\n" + line)
    assert doc.text == line
    assert cleaner.clean(doc.render()).render() == doc.render()


def test_runs_of_combining_marks_are_cut_to_the_stream_safe_limit() -> None:
    zalgo = "Z" + "\u0301\u0316" * 20_000 + "algo"
    out = normalise(zalgo)
    assert out == unicodedata.normalize("NFC", "Z" + ("\u0301\u0316" * 20_000)[:MAX_MARK_RUN] + "algo")
    short = "Z" + "\u0316\u0301" * 10 + "algo"  # 20 marks: kept, and ordered as NFC orders them
    assert normalise(short) == unicodedata.normalize("NFC", short)
    assert normalise(out) == out
    nfd = unicodedata.normalize("NFD", "Übergänge, Größe, café")
    assert normalise(nfd) == "Übergänge, Größe, café"


def test_a_long_block_is_measured_on_its_ends_with_counts_scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join(PIER_ARTICLE * 60) + " www.example.com"
    assert len(text) > LONG_BLOCK_CHARS
    english = stopwords("en")
    sampled = block_features(text, english)
    monkeypatch.setattr("cleaner.features.LONG_BLOCK_CHARS", 10**9)
    block_features.cache_clear()
    exact = block_features(text, english)
    block_features.cache_clear()
    assert (sampled.chars, sampled.words, sampled.ends_sentence) == (exact.chars, exact.words, exact.ends_sentence)
    for name in ("stop_ratio", "title_case", "digit_ratio", "comma_ratio", "avg_word_len"):
        assert getattr(sampled, name) == pytest.approx(getattr(exact, name), rel=0.05, abs=0.005), name
    for name in ("sentences", "separators"):
        assert getattr(sampled, name) == pytest.approx(getattr(exact, name), rel=0.05, abs=2), name


def test_lines_too_long_for_any_phrase_are_not_folded() -> None:
    long_line = "SHARE " * (FOLD_MAX_CHARS // 6 + 1)
    assert fold(long_line) is long_line
    assert fold("  SHARE this ARTICLE!  ") == "share this article"


def test_a_page_of_many_rail_headers_still_gives_its_cards() -> None:
    cards = "Ferry Strike Delays Island Deliveries Again\nIsland Wire · 3h\nStorm Damages Old Mill Roof Overnight\n"
    cards += "Valley Courier · 5h\n"
    page = ARTICLE + "".join(f"Related Articles\n{cards}" for _ in range(2000))
    doc = cleaner.clean(page)
    assert len(doc.related) >= 2000
    assert doc.text == cleaner.clean(ARTICLE).text


# Every module-level regular expression of the package, and the shipped packs' patterns: none may take more
# than linear time on a hostile line. Each is run the way the pipeline runs it (module patterns: searched and
# scanned; rule patterns: fullmatched on lines of at most `max_words` words, `strip` patterns searched) on lines
# of 30,000 characters. Linear, the slowest takes a few hundredths of a second; a quadratic pattern takes
# seconds there, a backtracking trap minutes, so the budget per line below is far from both.
# Patterns the code only applies to bounded or normalised text are audited on such text: `io._HTML_START` matches
# the first SNIFF_CHARS characters of a page; `_TITLE_SEPARATORS` splits a metadata title, whose whitespace
# trafilatura has collapsed (on a raw run of 30,000 spaces it would take seconds: quadratic in the run).
BOUNDED_PATTERNS: dict[str, int | None] = {
    "cleaner.io._HTML_START": 1024,
    "cleaner.html._TITLE_SEPARATORS": None,
}
HOSTILE_UNITS = ["a", "A ", "1", "1 ", "a1", ". ", "| a ", ", a", "© ", "-", "あ", "\u0301", " ", "\t", "a.", "!", "'"]
LINE_BUDGET_SECONDS = 2.0


def _package_patterns() -> list[tuple[str, re.Pattern[str]]]:
    import importlib
    import pkgutil

    found = []
    for module_info in pkgutil.walk_packages(cleaner.__path__, "cleaner."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.append((f"{module_info.name}.{name}", value))
    return found


def _slow_runs(run: Callable[[str], object], name: str, lines: list[str]) -> list[tuple[float, str, str]]:
    import time

    slow = []
    for line in lines:
        began = time.perf_counter()
        run(line)
        took = time.perf_counter() - began
        if took > LINE_BUDGET_SECONDS:
            slow.append((took, name, line[:12]))
    return slow


def test_every_pattern_runs_in_linear_time_on_hostile_lines() -> None:
    from cleaner.features import count_words
    from cleaner.options import DEFAULT_PACKS
    from cleaner.rules import load_rules

    lines = [unit * (30_000 // len(unit)) + tail for unit in HOSTILE_UNITS for tail in ("", "!")]
    slow = []
    patterns = _package_patterns()
    assert len(patterns) > 20
    for name, pattern in patterns:
        bound = BOUNDED_PATTERNS.get(name, 0)
        fitting = [line[:bound] if bound else " ".join(line.split()) if bound is None else line for line in lines]
        slow += _slow_runs(lambda line, p=pattern: (p.search(line), p.findall(line)), name, fitting)
    rules = load_rules(DEFAULT_PACKS)
    assert len(rules.pattern_rules) > 20
    short = [line for line in lines if count_words(line) <= max(rule.max_words for rule in rules.pattern_rules)]
    for rule in rules.pattern_rules:
        fits = [line for line in short if count_words(line) <= rule.max_words]
        slow += _slow_runs(rule.pattern.fullmatch, rule.reason, fits)  # type: ignore[union-attr]
    for rule in rules.strip_rules:
        slow += _slow_runs(rule.pattern.search, rule.reason, lines)  # type: ignore[union-attr]
    assert not slow, slow


# ── User patterns on RE2 ─────────────────────────────────────────────────────────────────────────────────────

USER_PATTERNS = [
    r"(?P<source>[^\d|]{2,40}?) · (?P<date>\d{1,2}h)",
    r"\w+ \d+",
    r"[\W_]+\w{1,5}",
    r"(?:ab|a)+c*?",
    r"^EXCLUSIVE:\s*\S+",
    r"Read more(?: about \w+)?\.?",
    r"(?-i:Share) this",
    r"[^\s]{3} .{0,5}",
    r"(?s)a.b",
    r"[Ѐ-ӿ]+ \D{2}",
    r"x{2,4}|y{3}|z*",
    r"(?x) photo : \s [A-Z]\w+  # a caption",
]
SAMPLE_CHARS = "aAbBcCxyz_ 12٣·|:.-\tЖжüÜßé東\u00a0\u2003!EXCLUSIVEShareshareReadmorephoto"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(USER_PATTERNS), st.text(st.sampled_from(SAMPLE_CHARS), max_size=30))
def test_re2_translation_matches_as_python_does(pattern: str, line: str) -> None:
    safe = SafePattern(pattern)
    python = re.compile(pattern, re.IGNORECASE)
    assert (safe.fullmatch(line) is None) == (python.fullmatch(line) is None), to_re2(pattern)
    if python.fullmatch(line) is not None:
        assert safe.fullmatch(line).groupdict() == python.fullmatch(line).groupdict()
    found, expected = safe.search(line), python.search(line)
    assert (found is None) == (expected is None)
    if expected is not None:
        assert found.span() == expected.span()


def test_re2_word_boundaries_are_ascii_ones() -> None:
    # The one difference docs/rule-packs.md states: RE2 has no Unicode \b.
    assert SafePattern(r"\bpier\b").search("the pier closes") and not SafePattern(r"\bpier\b").search("piers")
    assert re.search(r"\bü", "ü", re.IGNORECASE) and not SafePattern(r"\bü").search("ü")


def test_re2_keeps_unicode_classes() -> None:
    assert SafePattern(r"(?P<source>\w+) · (?P<date>\d{1,2}h)").fullmatch("Zürich · ٣h").groupdict() == {
        "source": "Zürich",
        "date": "٣h",
    }
    assert SafePattern(r"a\sb").fullmatch("a\u3000b") and not SafePattern(r"a\Sb").fullmatch("a\u3000b")


def _pack(tmp_path: Path, pattern: str, action: str = "drop") -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(f"[pack]\nname = 'mine'\n\n[[rules]]\nid = 'r'\naction = '{action}'\npattern = '''{pattern}'''\n")
    return path


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(?<=\.)Read more", "lookahead or lookbehind"),
        (r"(?!Read)\w+", "negative lookahead"),
        (r"(a)\1", "backreference"),
        (r"a++b", "possessive repeat"),
        (r"(?>ab)c", "atomic group"),
        (r"a{2000}", "invalid repetition size"),
        (r"(a)?(?(1)b|c)", "conditional"),
    ],
)
def test_user_patterns_re2_cannot_run_are_refused_with_the_reason(tmp_path: Path, pattern: str, reason: str) -> None:
    with pytest.raises(RulePackError, match=re.escape(reason)) as caught:
        file_pack(_pack(tmp_path, pattern))
    assert "rule 'r': pattern refused" in str(caught.value)


def test_a_refused_user_pattern_is_one_line_and_exit_2(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(ARTICLE)
    result = run("clean", "--rules", str(_pack(tmp_path, r"(\w+)\1")), str(page))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "backreference" in result.stderr


def test_catastrophic_user_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    pack = _pack(tmp_path, r"(\w+\s?)+$|(a+)+b|(?:a|aa)*c")
    script = (
        "import cleaner, sys\n"
        "line = 'a' * 100_000 + '!'\n"
        "doc = cleaner.clean('Title\\n\\n' + line + '\\n\\n' + ' '.join(['word'] * 11) + '!', "
        "rule_files=[sys.argv[1]])\n"
        "print(len(doc.text))\n"
    )
    # In Python's engine these patterns never finish on that line; on RE2 this takes well under a second.
    done = subprocess.run([sys.executable, "-c", script, str(pack)], capture_output=True, timeout=120, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0


def test_user_rules_apply_through_their_own_screen(tmp_path: Path) -> None:
    pack = _pack(tmp_path, r"Zeichnung von \w+ \w+")
    page = ARTICLE.replace("\n\nInspectors", "\n\nZeichnung von Jörg Müller\n\nInspectors")
    doc = cleaner.clean(page, rule_files=[str(pack)])
    assert ("Zeichnung von Jörg Müller", "mine/r") in [(r.text, r.reason) for r in doc.removed]
    strip = _pack(tmp_path, r"^EXKLUSIV:\s*", action="strip")
    page = ARTICLE.replace("The harbour authority", "EXKLUSIV: The harbour authority")
    assert "EXKLUSIV" not in cleaner.clean(page, rule_files=[str(strip)]).text


def test_safe_patterns_pickle() -> None:
    safe = SafePattern(r"(?P<source>\w+) · (?P<date>\d+h)")
    again = pickle.loads(pickle.dumps(safe))
    assert again.pattern == safe.pattern and again.fullmatch("Post · 3h")


# ── JSONL errors and --skip-errors ───────────────────────────────────────────────────────────────────────────


def test_jsonl_errors_name_file_and_line_and_skip_errors_exits_0(fake: FakePipeline, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [json.dumps({"id": 1, "text": PAGE_A}), "{broken", "[" * 5000, "1" * 5000, json.dumps({"id": 2})]
    path.write_text("\n".join(lines) + "\n")
    strict = run("clean", "--format", "jsonl", str(path))
    skipping = run("clean", "--format", "jsonl", "--skip-errors", str(path))
    assert (strict.exit_code, skipping.exit_code) == (2, 0)
    for result in (strict, skipping):
        problems = [line for line in result.stderr.splitlines() if line.startswith("cleaner:")]
        assert problems[0].startswith(f"cleaner: {path}:2: invalid JSON (")
        assert problems[1] == f"cleaner: {path}:3: invalid JSON (nested too deeply)"
        assert problems[2].startswith(f"cleaner: {path}:4: invalid JSON (Exceeds the limit")
        assert problems[3] == f"cleaner: {path}:5: no page in it: no text or html field"
        # stdout stays parseable: the object without a page comes out as it was, invalid JSON does not
        assert [row["id"] for row in records(result.stdout)] == [1, 2]
    assert skipping.stderr.splitlines()[-1].endswith("4 errors skipped)")


def test_skip_errors_covers_inputs_not_outputs(fake: FakePipeline, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(PAGE_A)
    assert run("clean", "--skip-errors", str(page), str(tmp_path / "missing.txt")).exit_code == 0
    os.chmod(page, 0o444)
    result = run("clean", "--skip-errors", "--in-place", str(page))
    assert result.exit_code == 2 and "read-only file" in result.stderr
    os.chmod(page, 0o644)
    assert run("clean", "--skip-errors", "--check", str(page), str(tmp_path / "missing.txt")).exit_code == 1


# ── Writing: read-only targets, --backup ──────────────────────────────────────────────────────────────────────


def test_read_only_file_is_not_rewritten_in_place(fake: FakePipeline, tmp_path: Path) -> None:
    locked, free = tmp_path / "locked.txt", tmp_path / "free.txt"
    locked.write_text(PAGE_A)
    free.write_text(PAGE_B)
    os.chmod(locked, 0o444)
    result = run("clean", "--in-place", str(locked), str(free))
    assert result.exit_code == 2
    assert f"cleaner: {locked}: cannot write {locked} (read-only file)" in result.stderr
    assert locked.read_text() == PAGE_A and stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert free.read_text() == render(fake, PAGE_B)
    assert sorted(os.listdir(tmp_path)) == ["free.txt", "locked.txt"]


def test_read_only_output_file_is_not_replaced(fake: FakePipeline, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(PAGE_A)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("kept")
    os.chmod(tmp_path / "out" / "a.txt", 0o400)
    result = run("clean", "-o", str(tmp_path / "out"), str(tmp_path / "src"))
    assert result.exit_code == 2 and "(read-only file)" in result.stderr
    assert (tmp_path / "out" / "a.txt").read_text() == "kept"


def test_backup_keeps_the_original_beside_the_cleaned_file(fake: FakePipeline, tmp_path: Path) -> None:
    page, settled = tmp_path / "a.txt", tmp_path / "b.txt"
    page.write_text(PAGE_A)
    os.chmod(page, 0o640)
    settled.write_text(render(fake, PAGE_B))
    assert run("clean", "--in-place", "--backup", str(tmp_path)).exit_code == 0
    assert page.read_text() == render(fake, PAGE_A)
    backup = tmp_path / "a.txt.orig"
    assert backup.read_text() == PAGE_A and stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert not (tmp_path / "b.txt.orig").exists()  # unchanged: not touched, no backup
    # A second run changes nothing (cleaning is idempotent), so the backup still holds the original, and the
    # walk does not take the backup for an input.
    assert run("clean", "--in-place", "--backup", str(tmp_path)).exit_code == 0
    assert backup.read_text() == PAGE_A
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "a.txt.orig", "b.txt"]


def test_backup_suffix_and_compressed_originals(fake: FakePipeline, tmp_path: Path) -> None:
    page = tmp_path / "a.txt.gz"
    original = gzip.compress(PAGE_A.encode())
    page.write_bytes(original)
    assert run("clean", "--in-place", "--backup", "--backup-suffix", ".bak", str(page)).exit_code == 0
    assert (tmp_path / "a.txt.gz.bak").read_bytes() == original
    assert gzip.decompress(page.read_bytes()).decode() == render(fake, PAGE_A)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--backup"], "use it with --in-place"), (["--in-place", "--backup", "--backup-suffix", "a/b"], "suffix")],
)
def test_backup_usage_errors(fake: FakePipeline, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a.txt").write_text(PAGE_A)
    result = run("clean", *args, str(tmp_path / "a.txt"))
    assert result.exit_code == 2 and message in result.stderr
    assert (tmp_path / "a.txt").read_text() == PAGE_A


def test_backup_without_hard_links_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")

    def no_links(src: str, dst: str) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(cio.os, "link", no_links)
    with cio.AtomicFile(target) as out:
        out.write(b"new")
        out.commit(backup=".orig")
    assert (target.read_bytes(), (tmp_path / "a.txt.orig").read_bytes()) == (b"new", b"old")


def test_a_failed_commit_with_backup_leaves_the_original_and_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    real_replace = os.replace

    def fail_on_target(src: str, dst: str) -> None:
        if dst == str(target):
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(cio.os, "replace", fail_on_target)
    with pytest.raises(KeyboardInterrupt), cio.AtomicFile(target) as out:
        out.write(b"new")
        out.commit(backup=".orig")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "a.txt.orig"]  # the backup is a whole copy of the original
    assert (tmp_path / "a.txt.orig").read_bytes() == b"old"


def test_an_interrupt_while_the_temporary_file_opens_stays_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """io.open closes the file it made when it fails after making it: closing the descriptor again must not turn
    the Ctrl-C into an OSError (which a session reports as a write error and goes on)."""
    target = tmp_path / "a.txt"

    def interrupted_open(fd: int, *args: object, **kwargs: object) -> None:
        os.close(fd)  # what io.open does with the file it made before failing
        raise KeyboardInterrupt

    monkeypatch.setattr(cio.os, "fdopen", interrupted_open)
    with pytest.raises(KeyboardInterrupt):
        cio.AtomicFile(target)
    assert os.listdir(tmp_path) == []


def test_help_documents_the_robustness_flags() -> None:
    out = run("clean", "--help").stdout
    for flag in ("--fix-text", "--skip-errors", "--backup", "--backup-suffix"):
        assert flag in out
    assert "gzip, bzip2, xz, zstd" in out


FINDINGS = Path(__file__).parents[1] / "fuzz" / "findings"


@pytest.mark.parametrize("finding", sorted([*FINDINGS.glob("*.txt"), *FINDINGS.glob("*.json")]), ids=lambda p: p.name)
def test_fuzz_findings_stay_fixed(finding: Path) -> None:
    # A .txt finding is a page; a .json one a JSONL record's text and title.
    if finding.suffix == ".json":
        record = json.loads(finding.read_text(encoding="utf-8"))
        text, title = record["text"], record.get("title")
    else:
        text, title = finding.read_text(encoding="utf-8"), None
    once = cleaner.clean(text, title=title, input_format="text").render()
    assert cleaner.clean(once, title=title, input_format="text").render() == once


def test_fuzz_findings_are_there() -> None:
    assert {p.suffix for p in FINDINGS.iterdir()} >= {".txt", ".json"}


# ── File names ───────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_file_names_that_are_not_utf8(fake: FakePipeline, tmp_path: Path) -> None:
    src = os.fsencode(tmp_path / "src")
    os.mkdir(src)
    with open(os.path.join(src, b"caf\xe9.txt"), "wb") as page:
        page.write(PAGE_A.encode())
    with open(os.path.join(src, b"bin\xff.txt"), "wb") as binary:
        binary.write(b"\x00\x01\x02" * 10)
    result = run("clean", "--format", "jsonl", os.fsdecode(src))
    assert result.exit_code == 2
    assert [row["id"] for row in records(result.stdout)] == [os.fsdecode(os.path.join(src, b"caf\xe9.txt"))]
    assert "bin" in result.stderr and "binary file" in result.stderr
    out = os.fsencode(tmp_path / "out")
    run("clean", "-o", os.fsdecode(out), os.fsdecode(src))
    assert os.listdir(out) == [b"caf\xe9.txt"]
