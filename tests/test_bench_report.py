"""`make bench` writes the one benchmarks page (issue 21): each benchmark's report goes into its own section of
docs/benchmarks.md, the hand-written text around the sections stays. Tested on a tiny stand-in benchmark; the
timing benchmarks themselves are not run here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import report

REPO = Path(__file__).resolve().parent.parent
BENCHES = ("quality", "throughput", "html", "learn", "dedup", "hostile")


def tiny_bench() -> int:
    print("F1 0.935 on 60 pages")
    return 0


def test_a_run_writes_its_section_and_leaves_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(
        "# Benchmarks\n\nHand-written.\n\n<!-- bench:quality -->\nold figures\n<!-- /bench:quality -->\n\nMore.\n"
    )
    monkeypatch.setenv(report.PAGE_VARIABLE, str(page))
    assert report.recorded("quality", tiny_bench) == 0
    text = page.read_text()
    assert "old figures" not in text
    assert text.startswith("# Benchmarks\n\nHand-written.\n\n<!-- bench:quality -->\n_`python -m bench.quality")
    assert "```text\nF1 0.935 on 60 pages\n```\n<!-- /bench:quality -->\n\nMore.\n" in text
    # a second benchmark gets a section of its own, added at the end; running the first again replaces its own
    assert report.recorded("dedup", lambda: print("recall 0.98") or 1) == 1
    assert report.recorded("quality", lambda: print("F1 0.940") or 0) == 0
    text = page.read_text()
    assert text.count("<!-- bench:quality -->") == 1 and "F1 0.940" in text and "F1 0.935" not in text
    assert re.search(
        r"<!-- bench:dedup -->\n.*exit status 1.*\n\n```text\nrecall 0.98\n```\n<!-- /bench:dedup -->\n$", text
    )


def test_without_the_page_variable_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(report.PAGE_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    assert report.recorded("quality", tiny_bench) == 0
    assert list(tmp_path.iterdir()) == []


def test_make_bench_names_the_page_and_every_benchmark_records() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "bench: export BENCH_PAGE = docs/benchmarks.md" in makefile
    for name in BENCHES:
        assert f"-m bench.{name} " in makefile
        source = (REPO / "bench" / f"{name}.py").read_text()
        assert f'recorded("{name}", main)' in source
    page = (REPO / "docs" / "benchmarks.md").read_text()
    for name in BENCHES:
        assert page.count(f"<!-- bench:{name} -->") == 1 and page.count(f"<!-- /bench:{name} -->") == 1
