"""A student's side of a class: following or exploring (on the class's word list), and the answer
form of the open question, above the step."""

from __future__ import annotations

import json

import streamlit as st

from service.rooms import Rejected, Unavailable, rooms
from ui.classroom.questions import KINDS
from ui.classroom.session import Member, data_id, here, leave_class, rooms_down, send_answer, set_following
from ui.components import STAGE_CSS, STAGE_JS
from ui.page import Page
from ui.params import SIZES
from ui.state import keep
from ui.text import literal

_stage = st.components.v2.component(
    "class_stage", html='<div class="mm-stage"></div>', js=STAGE_JS, css=STAGE_CSS, isolate_styles=False
)


def stage(k: Member) -> bool:
    """A following page's step: the lecturer's slide, drawn in the page (ui/classroom/stage.js) and
    replaced there as the live route brings the next one: a page turn costs the server no rerun.
    False when the room has no slide (yet, or the store does not answer): the page draws the step."""
    try:
        text = rooms().get_slide(k.code)
        size = int(json.loads(text)["size"]) if text else 0
    except Unavailable:  # the room's store is away (logged once by its guard): one line, the step below
        st.warning(f"{rooms_down()}.", icon="🔌")
        return False
    if size not in SIZES:
        return False
    with st.container(key="lecture"), st.container(key=f"zoom{size}"):
        _stage(key="class_stage", data=text.encode())
    return True


def controls(k: Member, room, sb=None) -> None:
    """A student's own controls, in the sidebar's class part `sb`: explore or follow, leave."""
    sb = sb if sb is not None else st.sidebar
    if room is None:
        return
    if k.following:
        sb.markdown(f"Following class **{k.code}**")
        sb.button("Explore on my own", key="class_explore", on_click=set_following, args=(k, False), width="stretch")
    else:
        sb.markdown(f"Exploring on your own, on the class's word list; class **{k.code}** goes on")
        sb.button("Back to the lecturer", key="class_back", on_click=set_following, args=(k, True), width="stretch")
    sb.button("Leave the class", key="class_leave", on_click=leave_class, width="stretch")


def question(page: Page, k: Member | None, room) -> None:
    """A student's open question, above the step (in the main area: on a phone the sidebar is
    closed, and a question there would go unseen)."""
    q = room.question if room is not None and k is not None and k.role == "follower" else None
    if q and q["open"] and q["kind"] in KINDS:
        with st.container(key="class_question", border=True):
            answer_form(page, k, q, room.state.get("data"))


def answer_form(page: Page, k: Member, q: dict, class_data: str | None) -> None:
    """The student's answer: what the app knows is filled in; only a name or a guess is typed. The
    answer carries the digest of the word list it was computed on."""
    kind = KINDS[q["kind"]]
    st.markdown(f"**Question:** {literal(q['prompt'])}")
    sent = here().answered
    if q["id"] in sent:  # one answer a question: the box says what went
        st.success(f"Answer sent: {literal(sent[q['id']])}.")
        return
    if q["id"] in here().pending:
        pending(k, page.runs.token)
        return
    left, right = st.columns(2, vertical_alignment="bottom")
    nick = left.text_input("Nickname (optional)", max_chars=24, key="class_nick")
    value, ready = kind.form(page, right)
    if value is not None:
        try:
            value = kind.check(value)
        except Rejected as e:
            value, ready = None, str(e)
    mine = data_id(page.corpus)
    if value is not None and class_data and mine != class_data:
        value, ready = None, "This page shows another word list than the class's: reload it to answer."
    shown = ", ".join(f"{key} {v:.4g}" if isinstance(v, float) else f"{key} {v}" for key, v in (value or {}).items())
    note, here().answer_note = here().answer_note, ""
    if note:
        st.warning(literal(note))
    left, right = st.columns(2, vertical_alignment="center")
    borrowed = kind.own and k.following  # a follower's page has the lecturer's settings, not its own
    caption = f"Your answer: {literal(shown)}" if value is not None else ""
    if borrowed and value is not None:
        caption += f" (the lecturer's {kind.axis}: open the {kind.tab} tab to try your own)"
    left.caption(literal(ready) if ready else caption)
    if (value is None or borrowed) and kind.tab and (page.settings.mode == "lecture" or page.settings.tab != kind.tab):
        # the answer is computed in a tab of the explorer: one click there, exploring the class's data
        left.button(f"Open the {kind.tab} tab", key="class_to_tab", on_click=to_tab, args=(k, kind.tab))
    right.button("Send my answer", key="class_send", disabled=value is None, width="stretch", type="primary",
                 on_click=press_send, args=(q["id"],))  # fmt: skip
    asked, here().sending = here().sending == q["id"], ""
    if asked and value is not None:  # sent with what this run computed (a name typed, then the click)
        value = {**value, "data": mine}
        try:
            send_answer(k.code, q["id"], page.runs.token, nick, value)
            sent[q["id"]] = shown
        except Rejected as e:
            here().answer_note = f"Not sent: {e}."
        except Unavailable:  # kept on this page: sent when the store answers again
            here().pending[q["id"]] = (k.code, nick, value, shown)
        st.rerun()


def press_send(qid: str) -> None:
    here().sending = qid


@st.fragment(run_every=3)
def pending(k: Member, student: str) -> None:
    """An answer kept on the page while the class store was away: tried every 3 s until it goes."""
    waiting = here().pending
    for qid, (code, nick, value, shown) in list(waiting.items()):
        try:
            send_answer(code, qid, student, nick, value)
        except Unavailable:
            st.info(f"{rooms_down()}: your answer ({literal(shown)}) is kept on this page and sent when it is back.")
            return
        except Rejected as e:
            del waiting[qid]
            here().answer_note = f"Not sent: {e}."
            st.rerun(scope="app")
        del waiting[qid]
        here().answered[qid] = shown
        st.rerun(scope="app")


def to_tab(k: Member, tab: str) -> None:
    """Explore on my own, in the explorer's `tab` (a question answered by training there)."""
    set_following(k, False)
    keep("mode", "explorer")
    keep("tab", tab)
