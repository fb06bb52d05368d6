"""The page's text as a naive scraper would save it: every block element's text on a line of its own.

This is the input the text pipeline (and its density model) was built for, so when trafilatura finds no
article the fallback cleans these lines with the density filter on. The walk uses an explicit stack: malformed
pages can nest elements thousands deep.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

# Elements that start a new line (HTML's block-level and list/table structure).
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
    }
)  # fmt: skip
SKIPPED_TAGS = frozenset({"head", "script", "style", "template", "noscript", "svg"})

_EXIT = object()


def text_blocks(root: LexborNode | None) -> list[str]:
    """The non-empty text of each block of `root`, in page order, white space squashed."""
    if root is None:
        return []
    lines: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        line = " ".join("".join(parts).split())  # white space squashed (str.split: the characters `\s` matches)
        if line:
            lines.append(line)
        parts.clear()

    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if item is _EXIT:
            flush()
            continue
        node: LexborNode = item  # type: ignore[assignment]
        if node.is_text_node:
            parts.append(node.text_content or "")
            continue
        if not node.is_element_node:
            continue
        tag = node.tag
        if tag in SKIPPED_TAGS:
            continue
        block = tag in BLOCK_TAGS
        if block:
            flush()
            stack.append(_EXIT)
        children = list(node.iter(include_text=True))
        stack.extend(reversed(children))
    flush()
    return lines
