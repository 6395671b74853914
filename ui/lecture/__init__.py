"""Lecture mode: makemore part 1 told in the lecture's order, one step per screen, live on the data.

The steps live in four modules (the data and the counts; likelihood and smoothing; the neural
net; beyond the bigram: more context and part 2's MLP); this module is their table of contents
(STEPS, the one list every count of the steps comes from), the navigation and the presentation keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from ui import slide
from ui.components import theme_switch
from ui.lecture import beyond, counting, likelihood, network
from ui.page import Page
from ui.params import SIZES
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
    ("More context", beyond.more_context),
    ("The MLP", beyond.mlp),
]
N_STEPS = len(STEPS)  # the presenter's "of N", the keys', the followers' and the console's
RAIL_STAGE = [1, 2.3]  # the widths of the rail and the stage (a follower's copy too)

# each step's formula, typeset in the rail (KaTeX, at the presenter scale)
FORMULAS = {
    2: r"\texttt{.emma.} \;\to\; (\texttt{.e}),\,(\texttt{em}),\,(\texttt{mm}),\,(\texttt{ma}),\,(\texttt{a.})",
    3: r"N_{ij} = \#\{\,\text{pairs } (i, j)\,\}",
    4: r"P_{ij} = \frac{N_{ij}}{\sum_k N_{ik}}",
    5: r"x_{t+1} \sim P_{x_t,\,\cdot}",
    6: r"\mathrm{NLL} = -\frac{1}{n} \sum_{i=1}^{n} \log P_{x_i y_i}",
    7: r"P_{ij} = \frac{N_{ij} + s}{\sum_k (N_{ik} + s)}",
    8: r"x = \mathrm{onehot}(i) \in \{0, 1\}^{27}",
    9: r"p_j = \mathrm{softmax}(xW)_j = \frac{e^{(xW)_j}}{\sum_k e^{(xW)_k}}",
    10: r"\begin{aligned} L &= \mathrm{NLL} + \lambda \cdot \mathrm{mean}(W^2) \\ W &\leftarrow W - \eta\, \nabla_W L \end{aligned}",
    11: r"\begin{aligned} \mathrm{softmax}(W) &\approx P \\ \iff W_{ij} &\approx \log(N_{ij} + s) + c_i \end{aligned}",
    12: r"\begin{aligned} \text{rows} &= V^{n} = 27^{n} \\ P_{xy} &= \frac{N_{xy} + s}{\sum_k (N_{xk} + s)} \end{aligned}",
    13: r"\begin{aligned} h &= \tanh([C_{x_1}, \dots, C_{x_n}]\, W_1 + b_1) \\ p &= \mathrm{softmax}(h W_2 + b_2) \end{aligned}",
}

_keys = st.components.v2.component(
    "lecture_keys", html='<span class="mm-keys"></span>', js=(Path(__file__).with_name("keys.js")).read_text()
)


def clicker(back: bool = False):
    """The presentation keys (keys.js): the move a key asked for in this run, else None. With
    `back` (the projector shows something else than the step) any key asks "back:<move>:seq".

    Each press carries a number; the page sends it again until a run says it was handled ("done"):
    a press whose run is cut short by another rerun (the board redrawn as an answer arrives) is
    otherwise lost, which is Streamlit's way with a trigger. A press handled already is not
    handled twice."""
    done = st.session_state.get("_keys_done", 0)
    data = json.dumps({"steps": N_STEPS, "back": back, "done": done}).encode()
    move = fresh_move(_keys(key="lecture_keys", data=data, on_move_change=lambda: None).move, done)
    if move is not None:
        st.session_state["_keys_done"] = seq_of(move)
    return move


def seq_of(move) -> int | None:
    """The number a press carries ("step:8:12", "back:next:13"), None for anything else."""
    parts = move.split(":") if isinstance(move, str) else []
    seq = parts[2] if len(parts) == 3 else ""
    return int(seq) if seq.isdigit() and len(seq) < 10 else None


def fresh_move(move, done: int):
    """The move if it is a press not yet handled (its number above `done`), else None."""
    seq = seq_of(move)
    return move if seq is not None and seq > done else None


def show(page: Page, class_button=None, leading: bool = False) -> None:
    """The lecture's step; `class_button` draws the class's one button under the keys' hint
    (open a class, or its console); a page `leading` a class records its step for the followers."""
    s = page.settings
    step = asked_step(clicker(), s.step)
    if step != s.step:
        keep("step", step)
        st.rerun()  # redraw with the new step (and the URL) before anything of the old one is sent
    title, body = STEPS[step - 1]
    # a page that leads a class records what its step draws: the followers' copy (ui/slide.py)
    # the presenter view: every size follows the window's height (ui/components/page/page.css), times the size the
    # lecturer chose (A-, A+), which names the container: its class sets the factor
    with st.container(key="lecture"), st.container(key=f"zoom{s.size}"):
        # a rail on the left (the step, its words, its controls) and the stage on the right (its one
        # visual), so the visual can use the window's whole height
        rail, stage = st.columns(RAIL_STAGE, gap="medium")
        with slide.record(step, title, s.size, leading, N_STEPS) as recorded:
            if recorded is not None:
                rail, stage = recorded.panes(rail, stage)
            with rail:
                st.markdown(f"### {step}. {title}")
                navigation(page, step, class_button)
                body(page, rail, stage)
                if step in FORMULAS:
                    with st.container(key="formula"):
                        st.latex(FORMULAS[step])
            if recorded is not None:
                recorded.formula = slide.mathml(FORMULAS[step]) if step in FORMULAS else ""
                st.session_state["_slide"] = recorded  # publish() sends it (ui/classroom/session.py)


def asked_step(move, step: int) -> int:
    """The step the keys asked for: "step:N:seq" (N clamped to the lecture), or next/prev/home (also
    as "back:<move>:seq"); anything else the browser may send leaves the step as it is."""
    if not isinstance(move, str):
        return step
    if move.startswith("back:"):  # "back:next:seq", pressed while the page still showed the board,
        move = move.split(":")[1]  # arrives once the step is back: it turns the page (it was lost)
    if move.startswith("step:"):
        n = move.split(":")[1]
        return min(max(int(n), 1), N_STEPS) if n.isdigit() and len(n) < 4 else step
    return {"next": min(step + 1, N_STEPS), "prev": max(step - 1, 1), "home": 1}.get(move, step)


def navigation(page: Page, step: int, class_button=None) -> None:
    s = page.settings
    smaller = SIZES[max(SIZES.index(s.size) - 1, 0)]
    larger = SIZES[min(SIZES.index(s.size) + 1, len(SIZES) - 1)]
    # one row on every screen (a horizontal container does not stack on a phone as columns do)
    with st.container(horizontal=True, key="lecture_nav", gap="small"):
        st.button(
            "◀ Back",
            key="lecture_back",
            on_click=keep,
            args=("step", max(step - 1, 1)),
            disabled=step == 1,
            help="the previous step (←, PageUp)",
        )
        st.button(
            "Next ▶",
            key="lecture_next",
            on_click=keep,
            args=("step", min(step + 1, N_STEPS)),
            disabled=step == N_STEPS,
            help="the next step (→, PageDown, Space)",
        )
        st.button("Exit", key="lecture_exit", on_click=keep, args=("mode", "explorer"), help="back to the explorer")
        st.button(
            "A−",
            key="lecture_smaller",
            on_click=keep,
            args=("size", smaller),
            disabled=s.size == SIZES[0],
            help=f"smaller type ({smaller}%)",
        )
        st.button(
            "A+",
            key="lecture_larger",
            on_click=keep,
            args=("size", larger),
            disabled=s.size == SIZES[-1],
            help=f"larger type ({larger}%)",
        )
        theme_switch("theme_switch")
    with st.container(key="lecture_hint"):
        st.caption(f"Step {step} of {N_STEPS}. Keys: → PageDown Space next, ← PageUp back, Home first.")
        if class_button is not None:  # under the keys' hint: not on a phone, where no one leads a class
            class_button(page)
