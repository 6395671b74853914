"""The sidebar: the model's settings. Drawn before the tabs, so an error in a tab never takes it away."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from makemore.neural import METHODS, TooBig, check_cost, human_bytes, human_seconds
from service.runs import service
from ui.components import sidebar_closer, smoothing_view
from ui.corpus import Corpus
from ui.params import FIT_ON, MAX_EPOCHS, MAX_LR, MAX_SEED, TEMPERATURES
from ui.runs import ANIMATE_SECONDS, Runs
from ui.state import Settings, keep, kept
from ui.text import literal

SLOW_SECONDS = 10.0  # a run estimated longer than this is announced before it starts


def open_tab(name: str) -> None:
    keep("tab", name)


# the lecture's light/dark switch (ui/lecture/theme.js), offered in the explorer too
_theme = st.components.v2.component(
    "explorer_theme",
    html='<button class="mm-theme" type="button"></button>',
    js=(Path(__file__).parent / "lecture" / "theme.js").read_text(),
    isolate_styles=False,
)

# the address bar holds the view: a button copies it (ui/copy_link.js)
_copy = st.components.v2.component(
    "copy_link",
    html='<div class="mm-copy"><button class="mm-theme" type="button" title="copy a link to this view">Copy link</button>'
    '<input class="mm-copy-box" hidden readonly aria-label="link to this view"></div>',
    js=(Path(__file__).parent / "copy_link.js").read_text(),
    isolate_styles=False,
)


def settings_ui(sb=None):
    """The light/dark switch and the copy-link button, then every model and sampling control, in `sb` (the sidebar or a
    place kept in it); returns a slot under Train for the run's cost."""
    sb = sb if sb is not None else st.sidebar
    c1, c2 = sb.columns(2)
    with c1:
        _theme(key="explorer_theme", data=json.dumps({"dark": st.context.theme.type == "dark"}).encode())
    with c2:
        _copy(key="copy_link")
    sb.radio(
        "Context",
        [1, 2],
        **kept("context", [1, 2]),
        horizontal=True,
        format_func=lambda k: ("bigram", "trigram")[k - 1],
    )
    sb.radio(
        "Fit on", FIT_ON, **kept("fit_on", FIT_ON), horizontal=True, help="train split: exercise E02, dev/test held out"
    )
    sb.header("Count model")
    with sb:
        smoothing_view(st.session_state["_kept"]["smoothing"], key="smoothing_sidebar")
    sb.header("Neural net")
    sb.slider("Epochs", 1, MAX_EPOCHS, **kept("epochs"))
    c1, c2 = sb.columns(2)
    c1.number_input("Learning rate", 1e-4, MAX_LR, **kept("lr"), format="%g")
    c2.number_input("Regularization", 0.0, 100.0, **kept("reg"), format="%g", step=0.01)
    sb.selectbox(
        "Method", METHODS, **kept("method", METHODS), help="four ways to compute the same loss; counts is fastest"
    )
    sb.checkbox("Animate training", **kept("animate"), help=f"spread a fast run over ~{ANIMATE_SECONDS:g} s")
    sb.button("Train", key="train", type="primary", width="stretch", on_click=open_tab, args=("Neural net",))
    with sb:
        sidebar_closer()
    cost_slot = sb.empty()
    sb.header("Sampling")
    sb.number_input("Seed", 0, MAX_SEED, step=1, **kept("seed"))
    c1, c2 = sb.columns(2)
    c1.slider("Samples", 1, 100, **kept("n_samples"))
    c2.select_slider("Temperature", TEMPERATURES, **kept("temperature"), format_func=lambda t: f"{t:g}")
    return cost_slot


def show_cost(slot, s: Settings, corpus: Corpus) -> None:
    """Under Train: how long and how much memory the run will take, a warning when it is slow,
    and the refusal when it does not fit the memory budget (said before anyone presses Train)."""
    k = s.context
    n, rows = corpus.n_examples(k, s.fit_part), len(corpus.vocab) ** k
    try:
        cost = check_cost(s.method, n, rows, len(corpus.vocab))
    except TooBig as e:
        slot.error(literal(str(e)) + ".", icon="🧮")
        return
    seconds = cost.seconds(s.epochs)
    text = f"about {human_seconds(seconds)} of training ({human_seconds(cost.seconds_per_epoch)} per epoch), {human_bytes(cost.bytes)}"
    runs, mine = service(), Runs.of_session().token
    going, queued = runs.load(mine)  # other sessions' runs: this session's own would be replaced
    if cost.bytes > runs.memory:
        slot.error(
            f"The {s.method} method would need about {human_bytes(cost.bytes)}, more than this server's "
            f"{human_bytes(runs.memory)} for training runs; the counts method gives the same losses.",
            icon="🧮",
        )
        return
    if going + queued >= runs.workers:  # a new run would wait for the ones ahead of it
        wait = runs.expected_start(session=mine)
        text += f"; the server is training {going} other run{'s' * (going != 1)} with {queued} waiting: it starts in about {human_seconds(wait)}"
        seconds += wait
    if seconds > SLOW_SECONDS:
        slot.warning(f"Slow run: {text}. The counts method gives the same losses in well under a second.", icon="⏳")
    else:
        slot.caption(f"Estimate: {text}" + (f", shown over ~{ANIMATE_SECONDS:g} s" if s.animate else ""))
