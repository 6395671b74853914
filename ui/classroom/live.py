"""The room's live channel in a page (live.js): a follower's page turns, the projector's cues,
the console's and the board's live counts; and the lecturer's cookie."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from service.rooms import Room, Unavailable, question_sign, rooms
from ui.classroom.session import COOKIE, Member, here
from ui.components import SOCKET_JS

_live = st.components.v2.component(
    "class_live",
    html='<span class="mm-class-live"></span>',
    js=SOCKET_JS + Path(__file__).with_name("live.js").read_text(),
)


def live(k: Member, room: Room | None, view: str = "", tally: int | None = None) -> None:
    """A follower reruns when the question changes (or, drawing the step itself, on every change);
    the projector reruns on the console's cues and, on the board, as answers arrive; the console
    (view "console") on every change. Every page's `.mm-live-count` spans follow the counts."""
    try:  # a ticket the store no longer knows (an ended room, a store that lost it): a new one
        if not k.ticket or rooms().ticket_role(k.code, k.ticket) is None:
            k.ticket = rooms().admit(k.code, k.secret) or k.ticket
    except Unavailable:
        pass
    data = {"code": k.code, "ticket": k.ticket or "", "role": k.role, "following": k.following}
    data["version"] = room.version if room else 0
    data["question"] = question_sign(room.question if room else None)
    data["cue"] = (room.cue or {}).get("n", 0) if room else 0
    data["leader"] = room.leader if room else ""  # a lecturer's tab reruns when another takes the class
    data["staged"] = k.following and here().staged  # its step is the slide
    data["view"] = view
    data["tally"] = tally if tally is not None else -1
    if k.role == "lecturer":
        # the page asks the server to set the lecturer's cookie (HttpOnly: no script can read it)
        data["cookie"] = cookie_of(k) if st.context.cookies.get(COOKIE) != cookie_of(k) else ""
    with st.sidebar:
        _live(key="class_live", data=json.dumps(data).encode(), on_changed_change=lambda: None)


def cookie_of(k: Member) -> str:
    return f"{k.code}.{k.secret}"


def clear_cookie() -> None:
    """The class ended: the lecturer's cookie goes, so a reload does not bring it back."""
    with st.sidebar:
        _live(key="class_live", data=json.dumps({"clear": True}).encode(), on_changed_change=lambda: None)


def count_span(what: str, initial: int) -> str:
    """A number the live channel keeps current in the page ("followers", "exploring", "tally"),
    drawn with the server's count of this run."""
    return f'<span class="mm-live-count" data-count="{what}">{int(initial)}</span>'
