"""The colours and labels every figure shares."""

BLUE, ORANGE, GREY, GREEN, PURPLE = "#1f77b4", "#ff7f0e", "#7f7f7f", "#2ca02c", "#9467bd"
MODEL_COLORS = (BLUE, ORANGE, GREEN, "#9467bd", "#8c564b")  # one per model, in the page's order


def symbol_label(s: str) -> str:
    """Symbols as they can be seen: a space as '␣', other invisible characters escaped."""
    return "".join("␣" if c.isspace() else c if c.isprintable() else repr(c)[1:-1] for c in s)
