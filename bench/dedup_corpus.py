"""A seeded corpus of news stories with syndicated copies, for the dedup benchmark.

    python -m bench.dedup_corpus --out bench/out/dedup --docs 10000 [--pages] [--seed 4]

Prose comes from a word-bigram chain fitted on the article texts of `shared/` (the dev gold texts and the
Daily8 gold texts: English with its function words, so the cleaner reads it as prose), which jumps to a random
word of the vocabulary a quarter of the time so that unrelated stories share few 5-word runs. Generation is
vectorised over documents (one numpy step per word position for all of them).

* An **event** has a place, two people, a figure and a quotation. It has one to three **stories**: different
  reporting, sharing the event's names, figures and (often) the quotation, which must not be merged.
* A story has zero to four **syndicated copies**: re-titled, often with the copying outlet's own dateline
  ("LONDON — ..."), often trimmed of its last paragraphs, often with a few words changed.
* With `--pages`, each document is wrapped in its own chrome (an aggregator page with teaser cards of other
  stories, a news site with menus, bylines, share bars and footers, or a bare page), as a scraper saves it.

Writes `NNNNNN.txt` files (or one `docs.jsonl` with --jsonl) and `truth.json`: the story of every document.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import DEFAULT_SHARED, OUT
from . import corpus as base

DATELINES = ("LONDON", "NEW YORK", "PARIS", "NAIROBI", "SYDNEY", "TOKYO", "BERLIN", "MADRID", "CAIRO", "DELHI")
_SYLLABLES = ("ka", "lo", "mir", "ten", "sa", "vu", "dre", "on", "pil", "ast", "er", "bri", "gal", "tho", "wen")


@dataclass(frozen=True)
class Doc:
    story: int
    event: int
    copy: int  # 0: the original
    title: str
    paragraphs: tuple[str, ...]

    def text(self) -> str:
        return self.title + "\n\n" + "\n\n".join(self.paragraphs) + "\n"


class Chain:
    """Word bigrams of the shared article texts, sampled for many documents at once."""

    def __init__(self, shared: Path, seed: int) -> None:
        material = base.load_material(shared)
        words: list[str] = []
        for article in material.articles:
            for paragraph in article.paragraphs:
                if _english(paragraph):
                    words += paragraph.split()
        vocabulary, ids = np.unique(np.array(words, dtype=object), return_inverse=True)
        self.vocabulary = vocabulary
        pairs = np.stack([ids[:-1], ids[1:]], axis=1)
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        pairs = pairs[order]
        self.successors = pairs[:, 1]
        self.starts = np.searchsorted(pairs[:, 0], np.arange(len(vocabulary)))
        self.counts = np.bincount(pairs[:, 0], minlength=len(vocabulary))
        frequency = np.bincount(ids, minlength=len(vocabulary)).astype(float)
        self.unigram = frequency / frequency.sum()
        self.rng = np.random.default_rng(seed)

    def texts(self, lengths: list[int]) -> list[str]:
        """One text per length (in words), ending with a full stop."""
        count, longest = len(lengths), max(lengths)
        table = np.empty((count, longest), dtype=np.int64)
        state = self.rng.choice(len(self.vocabulary), size=count, p=self.unigram)
        for position in range(longest):
            table[:, position] = state
            jump = (self.rng.random(count) < 0.25) | (self.counts[state] == 0)
            pick = self.starts[state] + (self.rng.random(count) * np.maximum(self.counts[state], 1)).astype(np.int64)
            following = self.successors[np.minimum(pick, len(self.successors) - 1)]
            random_words = self.rng.choice(len(self.vocabulary), size=count, p=self.unigram)
            state = np.where(jump, random_words, following)
        out = []
        for row, length in zip(table, lengths, strict=True):
            text = " ".join(self.vocabulary[row[:length]]).rstrip(",;:")
            out.append(text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else "."))
        return out


_ENGLISH = frozenset(("the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "as", "by", "at"))


def _english(paragraph: str) -> bool:
    """English paragraphs only (the shared texts hold other languages too): ASCII letters, common words."""
    letters = [char for char in paragraph if char.isalpha()]
    if not letters or sum(char.isascii() for char in letters) < 0.98 * len(letters):
        return False
    words = paragraph.lower().split()
    return sum(word in _ENGLISH for word in words) >= 0.15 * len(words)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def generate(docs: int, seed: int, shared: Path) -> list[Doc]:
    """About `docs` documents: originals, their copies, other stories on the same events."""
    rng = random.Random(seed)
    chain = Chain(shared, seed)
    plan: list[tuple[int, int, int]] = []  # (event, story, copies)
    event = story = 0
    while sum(1 + copies for _, _, copies in plan) < docs:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            plan.append((event, story, rng.choice((0, 0, 1, 1, 2, 3, 4))))
            story += 1
        event += 1
    # paragraphs of every story, drawn at once
    shapes = [[rng.randint(35, 90) for _ in range(rng.randint(4, 10))] for _ in plan]
    flat = chain.texts(
        [length for shape in shapes for length in shape] + [rng.randint(6, 11) for _ in range(len(plan) * 5)]
    )
    titles = flat[sum(map(len, shapes)) :]
    events: dict[int, tuple[str, str, str, str, str]] = {}
    quotes = chain.texts([rng.randint(14, 24) for _ in range(event)])
    for number in range(event):
        events[number] = (
            _name(rng),
            f"{_name(rng)} {_name(rng)}",
            _name(rng),
            str(rng.randint(12, 9000)),
            quotes[number],
        )
    out: list[Doc] = []
    cursor = 0
    for index, (event_id, story_id, copies) in enumerate(plan):
        paragraphs = flat[cursor : cursor + len(shapes[index])]
        cursor += len(shapes[index])
        place, person, group, figure, quote = events[event_id]
        facts = [
            f"{person} of the {group} said in {place} that {figure} people had been affected.",
            f"In {place}, {figure} people were affected, according to {person} of the {group}.",
            f"The {group} put the number affected in {place} at {figure}, {person} said.",
        ][story_id % 3]
        paragraphs[0] = facts + " " + paragraphs[0]
        if rng.random() < 0.7:
            spot = rng.randrange(1, len(paragraphs))
            paragraphs[spot] = f'"{quote}" {person} said. ' + paragraphs[spot]
        original = Doc(story_id, event_id, 0, titles[index * 5], tuple(paragraphs))
        out.append(original)
        for copy in range(1, copies + 1):
            out.append(syndicate(original, copy, titles[index * 5 + copy], rng))
    rng.shuffle(out)
    return out[:docs] if len(out) > docs else out


_WORD = re.compile(r"[A-Za-z]{4,}")


def syndicate(original: Doc, copy: int, title: str, rng: random.Random) -> Doc:
    """Another outlet's copy: its own title, perhaps a dateline, trimmed end paragraphs, a few words changed."""
    paragraphs = list(original.paragraphs)
    if len(paragraphs) > 3 and rng.random() < 0.5:
        paragraphs = paragraphs[: max(3, len(paragraphs) - rng.randint(1, 3))]
    if rng.random() < 0.7:
        paragraphs[0] = f"{rng.choice(DATELINES)} — {paragraphs[0]}"
    if rng.random() < 0.8:
        for _ in range(rng.randint(1, 5)):
            spot = rng.randrange(len(paragraphs))
            words = _WORD.findall(paragraphs[spot])
            if words:
                target = rng.choice(words)
                paragraphs[spot] = paragraphs[spot].replace(target, target[::-1].lower(), 1)
    return Doc(original.story, original.event, copy, title, tuple(paragraphs))


class Chrome:
    """Different chrome around each copy (aggregator, news site or bare page), from `bench.corpus`'s pieces."""

    def __init__(self, shared: Path, seed: int, docs: list[Doc]) -> None:
        self.rng = random.Random(seed)
        material = base.load_material(shared)
        self.headers, self.footers = material.headers, material.footers
        self.docs = docs

    def _cards(self, count: int) -> list[str]:
        lines = []
        for _ in range(count):
            other = self.rng.choice(self.docs)
            lines += [other.title, f"{self.rng.choice(base.SOURCES)}{self.rng.choice(base.AGES)}"]
            if self.rng.random() < 0.5:
                snippet = other.paragraphs[0][: self.rng.randint(60, 160)]
                lines.append(snippet.rsplit(" ", 1)[0] + "...")
            lines.append("")
        return lines

    def page(self, doc: Doc) -> str:
        kind = self.rng.random()
        body = list(doc.paragraphs)
        if kind < 0.45:
            brand = self.rng.choice(base.BRANDS)
            lines = [
                "logo",
                doc.title,
                "",
                doc.title,
                "",
                f"{self.rng.choice(base.SOURCES)}{self.rng.choice(base.AGES)}",
            ]
            lines += body
            lines += ["", "Try Our AI Features", "", f"Explore what {brand} AI can do for you:", ""]
            lines += ["Comments", "", "No comments yet...", "", "Related Articles", ""]
            lines += self._cards(self.rng.randint(2, 5))
            return "\n".join(lines) + "\n"
        if kind < 0.85:
            header = list(self.rng.choice(self.headers)) if self.headers else ["Home", "News", "Sport"]
            footer = list(self.rng.choice(self.footers)) if self.footers else ["About us", "Contact"]
            share = list(self.rng.choice(base.SHARE_BARS))
            byline = f"By {self.rng.choice(base.AUTHORS)} | {self.rng.randint(1, 28)} June"
            parts = ["\n".join(header), doc.title, byline, "\n".join(share), "\n\n".join(body), "\n".join(share)]
            if self.rng.random() < 0.5:
                parts.append("Related\n" + "\n".join(self.rng.choice(self.docs).title for _ in range(4)))
            parts += ["\n".join(base.NEWSLETTER), "\n".join(footer), self.rng.choice(base.COOKIE_NOTES)]
            return "\n".join(parts) + "\n"
        return doc.text()


def write(docs: list[Doc], out: Path, *, pages: bool, jsonl: bool, shared: Path, seed: int) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    chrome = Chrome(shared, seed + 1, docs) if pages else None
    truth = {}
    if jsonl:
        with open(out / "docs.jsonl", "w", encoding="utf-8") as handle:
            for number, doc in enumerate(docs):
                handle.write(json.dumps({"id": f"d{number:06d}", "text": doc.text()}) + "\n")
                truth[f"d{number:06d}"] = [doc.story, doc.event, doc.copy]
    else:
        for number, doc in enumerate(docs):
            name = f"{number:06d}.txt"
            (out / name).write_text(chrome.page(doc) if chrome else doc.text(), encoding="utf-8")
            truth[name] = [doc.story, doc.event, doc.copy]
    manifest = {"docs": len(docs), "seed": seed, "pages": pages, "truth": truth}
    (out / "truth.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT / "dedup" / "corpus")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--pages", action="store_true")
    parser.add_argument("--jsonl", action="store_true")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    docs = generate(args.docs, args.seed, args.shared)
    manifest = write(docs, args.out, pages=args.pages, jsonl=args.jsonl, shared=args.shared, seed=args.seed)
    print(f"{manifest['docs']} documents in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
