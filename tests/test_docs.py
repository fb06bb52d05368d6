"""The README is one screen to start from, and the rest of the documentation is a page per topic under docs/,
each linked from the README (issue 21); links between the pages lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
TOPICS = ("cli", "library", "rule-packs", "learning", "dedup", "html-warc", "hostile-input", "design", "benchmarks")
# Pages other branches add (their work is merged with this one): linked from the README already.
COMING = {"html-extraction.md", "dedup-clusters.md", "dask.md", "rust-core.md"}
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def test_readme_is_one_screen_with_the_set_up_commands() -> None:
    assert len(README) < 12_000
    assert "make install" in README and "make test" in README  # CI runs them (.ci/run)
    assert "pip install" in README and "3.11" in README


def test_every_topic_has_a_page_linked_from_the_readme() -> None:
    linked = set(LINK.findall(README))
    for topic in TOPICS:
        assert (REPO / "docs" / f"{topic}.md").is_file(), topic
        assert f"docs/{topic}.md" in linked, topic
    for page in (REPO / "docs").glob("*.md"):
        assert f"docs/{page.name}" in linked, page.name
    assert {f"docs/{name}" for name in COMING} <= linked


def test_links_between_pages_lead_somewhere() -> None:
    for page in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if Path(target).name in COMING:
                continue
            assert (page.parent / target).resolve().is_file(), (page.name, target)


def test_figures_live_on_the_benchmarks_page_only() -> None:
    """The figures that went stale when copied by hand ("6 of the 60" in one place, "7" in another)."""
    for page in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        if page.name == "benchmarks.md":
            continue
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\b\d+ of (the )?60\b", text), page.name
        assert "MB/s" not in README
