"""makemore explorer: the bigram (and trigram) model fit by counting and by gradient descent, side by side.

The page's outline. Two modes share the settings: the explorer (a sidebar and five tabs, ui/tabs/)
and the lecture (one step per screen, ui/lecture/). The engine is makemore/.
"""

from __future__ import annotations

import streamlit as st
import torch

from ui import classroom, lecture
from ui.boundary import guarded
from ui.classroom import console
from ui.components import page_style, preload, presence
from ui.corpus import builtin_corpus, dataset_ui
from ui.page import Page, build
from ui.params import TABS
from ui.runs import Runs
from ui.sidebar import settings_ui, show_cost
from ui.state import keep, kept, restore
from ui.tabs import compare, counts, crossover, mlp, net, score, steps
from ui.text import literal

torch.set_num_threads(1)  # the server's own threads compete with torch's
SHOW = {
    "Counts": counts.show,
    "Neural net": net.show,
    "MLP": mlp.show,
    "Crossover": crossover.show,
    "Compare": compare.show,
    "Score a name": score.show,
    "Sample step by step": steps.show,
}
CONTEXT_NAMES = {1: "bigram", 2: "trigram"}


def main() -> None:
    if st.query_params.get("mode") == "console":  # the lecturer's second window: the class's controls
        return console.show()
    configure_page()
    first_run = "_kept" not in st.session_state
    notes = restore()  # the settings: kept across reruns, or from the URL
    k, room, room_corpus = class_first()
    if first_run and not k and quick_start():
        return first_paint()
    presence(Runs.of_session().token)  # while this page is open, the session's runs go on
    classroom.ended_notice()  # the class this page was in has just ended: it says so on top
    # the class's part of the sidebar at its top: a student with a typed code finds the field there
    class_box = st.sidebar.container()
    corpus = word_list(k, room, room_corpus, notes)  # the sidebar first: whatever fails in a tab, it stays
    if st.session_state["_kept"]["mode"] == "lecture":
        return lecture_page(corpus, room, class_box)
    explorer_page(corpus, room, class_box)


def configure_page() -> None:
    lecturing = st.session_state.get("_kept", {}).get("mode") == "lecture" or st.query_params.get("mode") == "lecture"
    st.set_page_config(
        page_title="makemore explorer",
        page_icon="🔤",
        layout="wide",
        initial_sidebar_state="collapsed" if lecturing else "auto",
    )
    # in the sidebar: the main area's elements keep their places between the two runs of a first
    # load (below); as a component's CSS, since Markdown took ~150 ms to parse a <style> block
    page_style()


def class_first():
    """This page's class, before anything is drawn: a follower's page takes the class's step and
    settings (when following) and the class's word list (exploring too); the projector takes the
    console's cue. Returns the class, its room, and the class's word list for a follower."""
    k = classroom.klass()
    room = classroom.room_of(k)
    room_corpus = classroom.follow(k, room) if k and k.role == "follower" else None
    if k and k.role == "lecturer":
        classroom.apply_cue(k, room)
    return classroom.klass(), room, room_corpus


def word_list(k, room, room_corpus, notes):
    """The sidebar's Data: the class's word list for a follower, else the page's own choice."""
    if room_corpus is not None:
        st.sidebar.header("Data")
        st.sidebar.caption(f"The class's word list: {len(room_corpus.words):,} words.")
    corpus = room_corpus or lecturer_corpus(k, room, dataset_ui)
    if notes:
        st.sidebar.warning("Link: ignored " + "; ".join(literal(n) for n in notes) + ".", icon="🔗")
    return corpus


def lecture_page(corpus, room, class_box) -> None:
    """One step per screen; a follower's page draws the lecturer's slide, the projector the join
    code or the board when the console chooses, and a leading page publishes its step."""
    k = classroom.klass()
    page = build(corpus)
    slot = question_slot(k)  # a student's question above the step
    # a following page draws the lecturer's step from the room's slide, in the page
    classroom.here().staged = bool(k and k.role == "follower" and k.following) and classroom.stage(k)
    guarded("class", class_parts, page, slot, room, class_box)
    k = classroom.klass()
    leading = bool(k and k.role == "lecturer")
    if not classroom.here().staged and not (leading and classroom.projector(page, k, room)):
        guarded("lecture", lecture.show, page, classroom.nav_button, leading)
    if leading:
        guarded("class", classroom.publish, page, k)


def explorer_page(corpus, room, class_box) -> None:
    """The sidebar and the tabs. The sidebar's place comes first; its widgets are drawn into it
    after the open tab, so the heatmap reaches the browser ~50 ms sooner. Every setting is read
    from `_kept`, not from the widgets, and each tab is guarded: a tab's error never takes the
    sidebar. A training run streams for seconds and a reconnecting page's values must be read
    back: both draw it first."""
    k = classroom.klass()
    st.sidebar.button("Lecture mode", key="to_lecture", on_click=keep, args=("mode", "lecture"), width="stretch")
    side = st.sidebar.container()
    early = st.session_state["_kept"]["tab"] == "Neural net" or bool(st.session_state["_sent"])
    cost_slot = settings_ui(side) if early else None
    page = build(corpus)
    slot = question_slot(k)  # a student's question, above the tabs
    header_and_tab(page, SHOW)
    guarded("class", class_parts, page, slot, room, class_box)
    if not early:
        cost_slot = settings_ui(side)
    guarded("sidebar", show_cost, cost_slot, page.settings, corpus)  # under Train: what the run will cost
    preload()  # after the open tab: the heatmap needs no plotly.js, the other tabs do


def lecturer_corpus(k: classroom.Member | None, room, choose):
    """The sidebar's word list; a lecturer's page whose upload is gone (a reload) gets its class's
    file back from the room, so the projector and the followers keep the class's numbers."""
    corpus = choose()
    lost = corpus.key[0] != "upload" and st.session_state["_kept"]["dataset"] == "upload"
    kept_ = classroom.class_corpus(k, room) if lost and k and k.role == "lecturer" and room else None
    if kept_ is not None and kept_.key[0] == "upload":
        st.sidebar.caption(
            f"Showing the class's uploaded word list ({len(kept_.words):,} words), which the class keeps."
        )
        return kept_
    return corpus


def question_slot(k: classroom.Member | None):
    """Where a follower's question goes; None for everyone else (an empty container still takes
    a gap of the page's layout)."""
    return st.container() if k and k.role == "follower" else None


def class_parts(page: Page, slot, room, box) -> None:
    """The class's sidebar, a student's question (in `slot`) and the live channel; a follower's
    link names the class."""
    k = classroom.klass()
    classroom.sidebar(k, room, box)
    if slot is not None:
        with slot:
            classroom.question(page, k, room)
    if classroom.klass() is not k:  # left the class in this run
        k, room = classroom.klass(), None
    if k is not None:
        classroom.live(k, room, classroom.here().view if k.role == "lecturer" else "")
        if k.role == "follower":
            st.query_params["join"] = k.code  # a page that reconnects elsewhere follows again,
            if not k.following:  # or explores again (a restarted server made it a new session)
                st.query_params["exploring"] = "1"
            elif "exploring" in st.query_params:
                del st.query_params["exploring"]
    elif classroom.COOKIE in st.context.cookies:
        classroom.clear_cookie()


def header_and_tab(page: Page, shows: dict) -> None:
    s, corpus = page.settings, page.corpus
    part2 = s.tab in ("MLP", "Crossover")  # makemore part 2: the net that goes beyond the table
    size = f"{corpus.label}: {len(corpus.words):,} words"
    if part2:
        st.title("makemore: beyond the bigram, an MLP")
        st.caption(
            f"{size}, {len(corpus.vocab)} symbols. Part 2's MLP learns an embedding of each character and "
            "a context longer than a table can hold."
        )
    else:
        st.title(f"makemore: the {CONTEXT_NAMES[s.context]} model, two ways")
        st.caption(
            f"{size}, {corpus.n_examples(s.context):,} examples, {len(corpus.vocab)} symbols. One table "
            "P[context, next], filled by counting and by gradient descent."
        )
    # only the open tab runs (a callable on_change makes the tabs lazy): a slider step redraws one tab
    for name, tab in zip(TABS, st.tabs(TABS, **kept("tab")), strict=True):
        if tab.open:
            with tab:
                guarded(name, shows[name], page)


def quick_start() -> bool:
    """A browser opening the explorer on the Counts tab: the first run draws the heatmap alone.

    Streamlit's page spends its first second loading and drawing widgets; with a dozen kinds in the
    sidebar the heatmap came 1.7x later than a bare page's slider. The heatmap asks for the rest
    once it is painted (a second run, a few hundred ms later). Not for an upload (its file comes
    from a widget), a reconnecting page (its widgets' values must be read), or a client that is
    not a browser (AppTest: it would never ask)."""
    kept_ = st.session_state["_kept"]
    return (
        kept_["mode"] == "explorer"
        and kept_["tab"] == "Counts"
        and kept_["dataset"] != "upload"
        and not st.session_state["_sent"]
        and bool(st.context.headers.get("User-Agent"))
    )


def first_paint() -> None:
    kept_ = st.session_state["_kept"]
    corpus = builtin_corpus(kept_["dataset"], kept_["year"], kept_["sex"])
    header_and_tab(build(corpus), {"Counts": counts.first_paint})


main()
