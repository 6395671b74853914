"""Class mode: the lecturer opens a class, students follow and answer (service/rooms holds it).

- session.py: this session's class (a `join=` link, or the lecturer's cookie), the class's word
  list (followers explore on it too), what the lecturer's page publishes, the lecturer's acts.
- questions.py: the five kinds of question, one class each.
- student.py: following or exploring, and the answer form above the step.
- projector.py: the join code and the board, on the projector; the clicker goes back to the step.
- console.py: the lecturer's console (`?mode=console`), the class's controls in a second window.
- live.py, live.js: the room's live channel in every page, and the lecturer's HttpOnly cookie.
"""

from __future__ import annotations

import streamlit as st

from service.rooms import rooms
from ui.classroom.live import clear_cookie, count_span, live
from ui.classroom.projector import projector
from ui.classroom.questions import QUESTIONS
from ui.classroom.session import (
    COOKIE,
    Member,
    apply_cue,
    class_corpus,
    ended_notice,
    follow,
    here,
    join,
    klass,
    open_class,
    present,
    publish,
    room_of,
    rooms_down,
)
from ui.classroom.student import controls, question, stage
from ui.page import Page
from ui.text import literal

__all__ = [
    "COOKIE",
    "QUESTIONS",
    "Member",
    "apply_cue",
    "class_corpus",
    "clear_cookie",
    "ended_notice",
    "follow",
    "here",
    "klass",
    "live",
    "nav_button",
    "projector",
    "publish",
    "question",
    "room_of",
    "rooms",
    "sidebar",
    "stage",
]


def nav_button(page: Page) -> None:
    """The class's one button in the lecture's rail: open a class, or its console."""
    k = klass()
    if k is None:
        st.button(
            "Open a class", key="class_open", on_click=open_class, args=(page,), help="students follow this lecture"
        )
    elif k.role == "lecturer":
        st.link_button("Console ↗", "./?mode=console", help="the class's controls, in a new window")


def sidebar(k: Member | None, room, sb=None) -> None:
    """The class in the sidebar (`sb`: its place there, near the top): join one; a follower's own
    controls; the lecturer's class code and counts (its controls are on the console)."""
    sb = sb if sb is not None else st.sidebar
    sb.header("Class")
    note = here().note
    if rooms().down:
        sb.warning(f"{rooms_down()}.", icon="🔌")
    if note:
        sb.info(literal(note))
    if k is None:
        typed = sb.text_input("Join with a code", max_chars=8, key="class_code", placeholder="ABC234")
        if sb.button("Join", key="class_join", width="stretch") and typed:
            join(typed)
            st.rerun()
        return
    if k.role == "lecturer":
        following, exploring = present(k.code)
        sb.html(
            f"<p>Class <b>{k.code}</b>: {count_span('followers', following)} following, "
            f"{count_span('exploring', exploring)} exploring</p>"
        )
        sb.link_button("Open the console", "./?mode=console", width="stretch")
    else:
        controls(k, room, sb)
