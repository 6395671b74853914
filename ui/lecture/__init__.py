"""Lecture mode: makemore part 1 told in the lecture's order, one step per screen, live on the data.

The steps live in three modules (the data and the counts; likelihood and smoothing; the neural
net); this module is their table of contents, the navigation and the presentation keys.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.lecture import counting, likelihood, network
from ui.page import Page
from ui.params import N_STEPS
from ui.state import keep

STEPS = [  # (title, show(page, rail, stage)) in the lecture's order
    ("The data", counting.data),
    ("The bigrams of one name", counting.bigrams),
    ("Counting every pair", counting.counts),
    ("One row becomes a distribution", counting.one_row),
    ("Sampling names", counting.sampling),
    ("Likelihood and the average NLL", likelihood.likelihood),
    ("Smoothing", likelihood.smoothing),
    ("The net's input: one-hot vectors", network.one_hot),
    ("One forward pass", network.forward),
    ("Gradient descent, live", network.descent),
    ("The punchline: the same table", network.punchline),
]
assert len(STEPS) == N_STEPS

_keys = st.components.v2.component(
    "lecture_keys", html='<span class="mm-keys"></span>', js=(Path(__file__).with_name("keys.js")).read_text()
)


def show(page: Page) -> None:
    s = page.settings
    move = _keys(key="lecture_keys", on_move_change=lambda: None).move
    move = move if isinstance(move, str) else None  # the browser may send anything
    step = {"next": min(s.step + 1, N_STEPS), "prev": max(s.step - 1, 1), "home": 1}.get(move, s.step)
    if step != s.step:
        keep("step", step)
        st.rerun()  # redraw with the new step (and the URL) before anything of the old one is sent
    title, body = STEPS[step - 1]
    # a rail on the left (the step, its words, its controls) and the stage on the right (its one
    # visual), so the visual can use the window's whole height
    rail, stage = st.columns([1, 2.3], gap="medium")
    with rail:
        st.markdown(f"### {step}. {title}")
        back, forward, leave = st.columns(3, gap="small")
        back.button(
            "◀",
            key="lecture_back",
            on_click=keep,
            args=("step", max(step - 1, 1)),
            disabled=step == 1,
            help="back (←, PageUp)",
        )
        forward.button(
            "▶",
            key="lecture_next",
            on_click=keep,
            args=("step", min(step + 1, N_STEPS)),
            disabled=step == N_STEPS,
            help="next (→, PageDown, Space)",
        )
        leave.button("Exit", key="lecture_exit", on_click=keep, args=("mode", "explorer"), help="back to the explorer")
        st.caption(f"Step {step} of {N_STEPS}. Keys: → PageDown Space next, ← PageUp back, Home first.")
    body(page, rail, stage)
