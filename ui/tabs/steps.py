"""Sample step by step: one torch.multinomial draw per press, with the row it was drawn from."""

from __future__ import annotations

import streamlit as st
import torch

from makemore import plots
from makemore.table import draw
from ui.components import plotly_view
from ui.page import Page
from ui.text import literal


def show(page: Page) -> None:
    s, corpus = page.settings, page.corpus
    table = page.tables["counts"]
    key = (corpus.key, s.context, s.fit_part, s.smoothing, s.seed)
    st.caption(
        "One `torch.multinomial` draw per press, from the same generator as the samples, so the names "
        "come out the same as in the Compare tab (temperature 1)."
    )
    c1, c2, _ = st.columns([1, 1, 4])
    restart = c2.button("Restart", key="step_reset")
    state = st.session_state.get("steps")
    if restart or state is None or state["key"] != key:
        g = torch.Generator().manual_seed(s.seed)
        state = {"key": key, "g": g.get_state(), "ctx": 0, "chars": [], "names": [], "drawn": None, "row": None}
        st.session_state["steps"] = state
    if c1.button("Next character", key="next_char", type="primary"):
        g = torch.Generator()
        g.set_state(state["g"])
        p = table.P[state["ctx"]]
        ix = draw(p, g)
        state.update(g=g.get_state(), drawn=ix, row=(p, table.context_name(state["ctx"])))
        if ix == 0:
            state["names"].append("".join(state["chars"]))
            state["chars"], state["ctx"] = [], 0
        else:
            state["chars"].append(corpus.vocab.itos[ix])
            state["ctx"] = table.advance(state["ctx"], ix)
    current = "".join(state["chars"])
    finished = " (name finished: next press starts a new one)" if state["drawn"] == 0 else ""
    st.markdown(f"## {literal(plots.symbol_label(current)) if current else '·'}{finished}")
    if state["names"]:
        st.markdown("Finished: " + ", ".join(literal(n) for n in state["names"]))
    if state["row"] is not None:
        p, ctx = state["row"]
        plotly_view(plots.row_bars(p, corpus.vocab, state["drawn"], ctx), key="step_row")
    else:
        st.info("Press **Next character** to draw the first character from the row of '.'.")
