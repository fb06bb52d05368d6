"""A digest of what cleaning and dedup's sketching give on the shared pages, to show that a change of
implementation (e.g. the compiled core, docs/rust-core.md) leaves every output as it was.

    python -m bench.outputs_digest --shared ../shared --out before.jsonl   # on the old code
    python -m bench.outputs_digest --shared ../shared --out after.jsonl    # on the new code; then cmp the files

Each line: a page's path, the SHA-256 of its `Document.to_dict()` (as sorted JSON) and of its dedup sketch
(signature, positions of its minima, distinct shingles, words, digest of the words) at the default dedup
settings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from cleaner.dedup.minhash import MinHasher
from cleaner.dedup.options import DedupOptions
from cleaner.pipeline import clean


def pages(shared: Path) -> list[Path]:
    found = sorted(shared.glob("benchmarks/*/text/*")) + sorted(shared.glob("benchmarks/aggregators-dev/pages/*"))
    return [path for path in found if path.is_file()]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    paths = pages(args.shared)
    texts = [path.read_text(encoding="utf-8", errors="surrogateescape") for path in paths]
    options = DedupOptions()
    hasher = MinHasher(options.num_perm, options.seed)
    sketches = hasher.sketch_many(texts, options.shingle_size)
    lines = []
    for path, text, sketch in zip(paths, texts, sketches, strict=True):
        document = json.dumps(clean(text).to_dict(), sort_keys=True, ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
        counts = f"{sketch.distinct} {sketch.words}".encode()
        sketched = sketch.signature.astype("<u4").tobytes() + sketch.positions.astype("<u2").tobytes()
        sketched += counts + sketch.exact
        lines.append(
            json.dumps({"page": str(path.relative_to(args.shared)), "document": sha(document), "sketch": sha(sketched)})
        )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} pages: {sha(args.out.read_bytes())}")


if __name__ == "__main__":
    main()
