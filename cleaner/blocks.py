"""Stage 2: cut the normalised text into blocks, one per non-blank line.

Scrapers write one block of the page per line, so a line is the unit every filter judges. Blank lines are
remembered on the block that follows them: they are weak evidence of where the page's boxes begin.
"""

from __future__ import annotations

from .document import Block


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    blank_before = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            blank_before = True
            continue
        blocks.append(Block(index=len(blocks), line=number, text=line, blank_before=blank_before))
        blank_before = False
    return blocks
