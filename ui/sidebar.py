"""The sidebar: the model's settings. Drawn before the tabs, so an error in a tab never takes it away."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from makemore.neural import MEMORY_BUDGET, human_bytes, human_seconds
from service.runs import service
from ui.components import sidebar_closer, smoothing_view, theme_switch
from ui.corpus import Corpus
from ui.params import sidebar_keys
from ui.runs import ANIMATE_SECONDS, Runs, trainer
from ui.state import Settings, keep, setting_ui
from ui.text import literal

SLOW_SECONDS = 10.0  # a run estimated longer than this is announced before it starts
# the sidebar settings this file lays out itself (the data set's are in ui/corpus.py); any other
# setting declared with where="sidebar" in ui/params.py is drawn at the end, as declared
LAID_OUT = {
    "dataset",
    "context",
    "fit_on",
    "epochs",
    "lr",
    "reg",
    "method",
    "animate",
    "seed",
    "n_samples",
    "temperature",
}


def open_tab(name: str) -> None:
    keep("tab", name)


# the address bar holds the view: a button copies it (ui/components/page/copy_link.js)
_copy = st.components.v2.component(
    "copy_link",
    html='<div class="mm-copy"><button class="mm-theme" type="button" title="copy a link to this view">Copy link</button>'
    '<input class="mm-copy-box" hidden readonly aria-label="link to this view"></div>',
    js=(Path(__file__).parent / "components" / "page" / "copy_link.js").read_text(),
    isolate_styles=False,
)


def settings_ui(sb=None):
    """The light/dark switch and the copy-link button, then every model and sampling control, in `sb` (the sidebar or a
    place kept in it); returns a slot under Train for the run's cost."""
    sb = sb if sb is not None else st.sidebar
    c1, c2 = sb.columns(2)
    with c1:
        theme_switch("explorer_theme")
    with c2:
        _copy(key="copy_link")
    setting_ui("context", sb)
    setting_ui("fit_on", sb)
    sb.header("Count model")
    with sb:
        smoothing_view(st.session_state["_kept"]["smoothing"], key="smoothing_sidebar")
    sb.header("Neural net")
    setting_ui("epochs", sb)
    c1, c2 = sb.columns(2)
    setting_ui("lr", c1)
    setting_ui("reg", c2)
    setting_ui("method", sb)
    setting_ui("animate", sb)
    sb.button("Train", key="train", type="primary", width="stretch", on_click=open_tab, args=("Neural net",))
    with sb:
        sidebar_closer()
    cost_slot = sb.empty()
    sb.header("Sampling")
    setting_ui("seed", sb)
    c1, c2 = sb.columns(2)
    setting_ui("n_samples", c1)
    setting_ui("temperature", c2)
    for key in sidebar_keys():  # a setting declared for the sidebar and not laid out above
        if key not in LAID_OUT:
            setting_ui(key, sb)
    return cost_slot


def show_cost(slot, s: Settings, corpus: Corpus) -> None:
    """Under Train: how long and how much memory the run will take, a warning when it is slow,
    and the refusal when it does not fit the memory budget (said before anyone presses Train)."""
    runs, mine = service(), Runs.of_session().token
    cost = trainer(s, corpus).cost()
    refused = cost.refusal(MEMORY_BUDGET, "the limit for one run") or cost.refusal(
        runs.memory, "this server's memory for training runs"
    )
    if refused:
        slot.error(literal(refused[0].upper() + refused[1:]) + ".", icon="🧮")
        return
    seconds = cost.seconds(s.epochs)
    text = f"about {human_seconds(seconds)} of training ({human_seconds(cost.seconds_per_epoch)} per epoch), {human_bytes(cost.bytes)}"
    going, queued = runs.load(mine)  # other sessions' runs: this session's own would be replaced
    if going + queued >= runs.workers:  # a new run would wait for the ones ahead of it
        wait = runs.expected_start(session=mine)
        text += f"; the server is training {going} other run{'s' * (going != 1)} with {queued} waiting: it starts in about {human_seconds(wait)}"
        seconds += wait
    if seconds > SLOW_SECONDS:
        slot.warning(
            f"Slow run: {text}. The count matrix method gives the same losses in well under a second.", icon="⏳"
        )
    else:
        slot.caption(f"Estimate: {text}" + (f", shown over ~{ANIMATE_SECONDS:g} s" if s.animate else ""))
