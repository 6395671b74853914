"""Sample step by step: one torch.multinomial draw per press, with the row it was drawn from, for
one model or several side by side (each from its own generator seeded with the same seed)."""

from __future__ import annotations

import streamlit as st
import torch

from makemore import plots
from makemore.table import Table, draw
from ui.components import plotly_view
from ui.page import Page
from ui.text import literal

MOST = 3  # models side by side


def show(page: Page) -> None:
    s = page.settings
    st.caption(
        "One `torch.multinomial` draw per press, from the same generator as the samples, so the names "
        "come out the same as in the Compare tab (temperature 1). Pick several models to see them side "
        "by side on the same seed."
    )
    first = [n for n in ("counts", "net") if n in page.tables]
    picked = (
        st.multiselect(
            "Models",
            list(page.tables),
            default=first,
            format_func=page.labels.get,
            key="step_models",
            max_selections=MOST,
        )
        or first[:1]
    )
    c1, c2, _ = st.columns([1, 1, 4])
    restart = c2.button("Restart", key="step_reset")
    pressed = c1.button("Next character", key="next_char", type="primary")
    states = st.session_state.setdefault("steps", {})
    columns = st.columns(len(picked))
    for col, name in zip(columns, picked, strict=True):
        key = (page.keys[name], s.seed)
        if restart or name not in states or states[name]["key"] != key:
            g = torch.Generator().manual_seed(s.seed)
            states[name] = {
                "key": key,
                "g": g.get_state(),
                "ctx": 0,
                "chars": [],
                "names": [],
                "drawn": None,
                "row": None,
            }
        if pressed:
            step(states[name], page.tables[name], page.corpus.vocab)
        with col:
            show_state(states[name], page.labels[name] if len(picked) > 1 else "", page.corpus.vocab, name)


def step(state: dict, table: Table, vocab) -> None:
    """One draw from the row of the current context; a '.' finishes the name."""
    g = torch.Generator()
    g.set_state(state["g"])
    p = table.rows(torch.tensor([state["ctx"]]))[0]
    ix = draw(p, g)
    state.update(g=g.get_state(), drawn=ix, row=(p, table.context_name(state["ctx"])))
    if ix == 0:
        state["names"].append("".join(state["chars"]))
        state["chars"], state["ctx"] = [], 0
    else:
        state["chars"].append(vocab.itos[ix])
        state["ctx"] = table.advance(state["ctx"], ix)


def show_state(state: dict, label: str, vocab, name: str) -> None:
    current = "".join(state["chars"])
    finished = " (name finished: next press starts a new one)" if state["drawn"] == 0 else ""
    if label:
        st.markdown(f"**{literal(label[:1].upper() + label[1:])}**")  # "MLP" keeps its capitals
    st.markdown(f"## {literal(plots.symbol_label(current)) if current else '·'}{finished}")
    if state["names"]:
        st.markdown("Finished: " + ", ".join(literal(n) for n in state["names"]))
    if state["row"] is not None:
        p, ctx = state["row"]
        plotly_view(
            plots.row_bars(p, vocab, state["drawn"], ctx), key="step_row" if name == "counts" else f"step_row_{name}"
        )
    else:
        st.info("Press **Next character** to draw the first character from the row of '.'.")
