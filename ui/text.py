"""Text on the page: user-supplied values shown literally, one-line messages, small tables.

Streamlit renders every message, label and table as Markdown (links, images, math, HTML entities).
Whatever a user, an upload or a link supplies goes through `literal`, which turns each ASCII
punctuation mark into an HTML character reference: the text reads the same, and no Markdown or
math syntax survives to be interpreted. GFM also turns bare addresses (http://…, www.…, a@b.c)
into links after references are decoded, so an invisible word joiner (U+2060) goes inside '://',
after '@' and inside 'www.': the address reads as typed and is never a link.
"""

from __future__ import annotations

import math
import re
import string

PUNCTUATION = frozenset(string.punctuation)
JOINER = "\u2060"  # WORD JOINER: invisible, and it breaks GFM's autolink patterns
AUTOLINK = re.compile(r"(?i)(://|@|www(?=\.))")  # where a joiner goes: after each match


def literal(x, limit: int | None = None) -> str:
    """x as plain text inside Markdown, cut to `limit` characters (with an ellipsis)."""
    text = " ".join(str(x).split("\n"))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = AUTOLINK.sub(lambda m: m.group(1) + JOINER, text)
    return "".join(f"&#{ord(c)};" if c in PUNCTUATION else c for c in text) or "&#32;"


def sentence(text: str) -> str:
    """One line ending in exactly one mark: a message that already ends in '.', '?' or '!' keeps it."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def fmt_nll(x: float) -> str:
    if math.isnan(x):
        return "— (no words)"
    return "∞ (a pair with p = 0)" if x == math.inf else f"{x:.4f}"


def table(columns: dict[str, list], index: list, corner: str = "") -> str:
    """A small table as Markdown (large enough to read on a projector); every cell shown literally."""
    lines = ["| " + " | ".join([literal(corner), *map(literal, columns)]) + " |", "|" + "---|" * (len(columns) + 1)]
    for r, label in enumerate(index):
        lines.append("| " + " | ".join([literal(label), *(literal(col[r]) for col in columns.values())]) + " |")
    return "\n".join(lines)
