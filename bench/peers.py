"""The peer systems cleaner is measured against, each a function from one page to the text it keeps.

Text input (the naive dump, one block per line):
    keep-everything   the page as it is: the floor every cleaner must beat.
    justext-lines     jusText (default parameters, English stop list) with every non-blank line as one <p>.
    c4-lines          datatrove's `C4QualityFilter` as a line filter: its line rules (terminal punctuation, at
                      least 3 words, no "javascript", no policy/cookie phrases, citation marks removed, page
                      dropped on "lorem ipsum" or "{"), with the page-level "at least 5 sentences" rule off
                      (`min_num_sentences=-1`). This is the configuration that reproduces the shared README's
                      figures; the full filter is `c4-full`.
    c4-full           the same filter with its defaults, so a page with fewer than 5 sentences is dropped (empty
                      prediction). Its sentence splitter for English is spaCy's, so it needs `spacy` installed
                      (not part of the bench extra); skipped when it is missing.
HTML input (the page as fetched):
    justext-html      jusText with its default parameters, as the benchmark runs it.
    trafilatura       `trafilatura.extract(html, include_comments=False)`, as the benchmark runs it.

`python -m bench.peers c4-lines SRC... -o OUT` runs the C4 line filter over files as a plain batch job (read a
file, filter it, write the kept text), which is what `bench.throughput` times; it prints its own timing as JSON.
"""

from __future__ import annotations

import argparse
import html as html_lib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Peer:
    name: str
    input: str  # "text" or "html"
    label: str
    run: Callable[[str], str]
    requires: tuple[str, ...] = ()

    def available(self) -> bool:
        return all(importlib.util.find_spec(module) is not None for module in self.requires)


def keep_everything(text: str) -> str:
    return text


@cache
def _english_stoplist() -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist("English"))


def _justext(html: str) -> str:
    import justext

    paragraphs = justext.justext(html, _english_stoplist())
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def lines_as_html(text: str) -> str:
    """Each non-blank line of a text dump as one paragraph of a minimal HTML page."""
    body = "".join(f"<p>{html_lib.escape(line.strip())}</p>\n" for line in text.splitlines() if line.strip())
    return f"<html><body>\n{body}</body></html>"


def justext_lines(text: str) -> str:
    return _justext(lines_as_html(text))


def justext_html(html: str) -> str:
    return _justext(html)


@cache
def _c4_filter(full: bool):  # -> datatrove C4QualityFilter
    from datatrove.pipeline.filters import C4QualityFilter

    return C4QualityFilter() if full else C4QualityFilter(min_num_sentences=-1)


def _c4(text: str, full: bool) -> str:
    from datatrove.data import Document

    doc = Document(text=text, id="page")
    verdict = _c4_filter(full).filter(doc)
    kept = verdict[0] if isinstance(verdict, tuple) else bool(verdict)
    return doc.text if kept else ""


def c4_lines(text: str) -> str:
    """The text datatrove's C4 line filter keeps ("" when it drops the page)."""
    return _c4(text, full=False)


def c4_full(text: str) -> str:
    return _c4(text, full=True)


def trafilatura_html(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


PEERS: dict[str, Peer] = {
    peer.name: peer
    for peer in (
        Peer("keep-everything", "text", "keep everything", keep_everything),
        Peer("justext-lines", "text", "jusText over lines", justext_lines, ("justext", "lxml_html_clean")),
        Peer("justext-html", "html", "jusText", justext_html, ("justext", "lxml_html_clean")),
        Peer("c4-lines", "text", "datatrove C4 line filter", c4_lines, ("datatrove",)),
        Peer("c4-full", "text", "datatrove C4 filter, 5-sentence rule on", c4_full, ("datatrove", "spacy")),
        Peer("trafilatura", "html", "trafilatura", trafilatura_html, ("trafilatura",)),
    )
}


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.txt") if p.is_file())
        else:
            yield path


def batch(name: str, sources: list[Path], out: Path) -> dict[str, float | int]:
    """Run peer `name` over text files, writing what it keeps to `out` under the same file names."""
    peer = PEERS[name]
    out.mkdir(parents=True, exist_ok=True)
    peer.run("Warm up: import the peer's modules before the clock starts.")
    start = time.perf_counter()
    files = size = kept = 0
    for path in _files(sources):
        data = path.read_bytes()
        text = peer.run(data.decode("utf-8", errors="replace"))
        result = text.encode("utf-8")
        (out / path.name).write_bytes(result)
        files += 1
        size += len(data)
        kept += len(result)
    seconds = time.perf_counter() - start
    return {"files": files, "bytes": size, "kept_bytes": kept, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", choices=[name for name, peer in PEERS.items() if peer.input == "text"])
    parser.add_argument("sources", nargs="+", type=Path, help="text files or directories of *.txt")
    parser.add_argument("-o", "--out", type=Path, required=True, help="directory for the kept text")
    args = parser.parse_args(argv)
    json.dump(batch(args.peer, args.sources, args.out), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
