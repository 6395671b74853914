"""What the projector shows besides the step: the join code, or the board of the open question.
No class controls here (they are on the console): the clicker's keys go back to the step."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from service.rooms import Room, Unavailable, rooms
from ui.classroom.live import count_span
from ui.classroom.questions import KINDS, Question
from ui.classroom.session import Member, here, present, rooms_down
from ui.components import plotly_view
from ui.lecture import clicker
from ui.page import Page
from ui.text import literal, table

LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0")


def projector(page: Page, k: Member, room: Room | None) -> bool:
    """The projector's view when it is not the step (False: the page draws the step)."""
    view = here().view
    if view == "step":
        return False
    if clicker(back=True):  # PageDown, PageUp, an arrow or Space: back to the step
        here().view = "step"
        st.rerun()
    code = k.code
    with st.container(key="class_projector"):
        if rooms().down:
            st.warning(f"{rooms_down()}.", icon="🔌")
        if view == "join":
            join_view(code, room)
        elif room and room.question and room.question["kind"] in KINDS:
            try:
                board(page, room, rooms().answers(code, room.question["id"]))
            except Unavailable:
                st.markdown("## The board is back when the class store answers")
        else:
            st.markdown("## No question yet")
    return True


def join_link(code: str) -> str:
    """The link students open: MAKEMORE_PUBLIC_URL when set (the address the hall reaches), else
    the address this page was opened at."""
    base = os.environ.get("MAKEMORE_PUBLIC_URL", "").strip() or str(st.context.url or "").split("?")[0]
    return f"{base.rstrip('/')}/?join={code}"


def loopback(link: str) -> bool:
    return (urlsplit(link).hostname or "") in {h.strip("[]") for h in LOOPBACK}


def join_view(code: str, room: Room | None) -> None:
    import segno

    link = join_link(code)
    left, right = st.columns([1.3, 1], vertical_alignment="center")
    with left:
        st.markdown(f"## Join the class\n# {code}")
        st.markdown(f"Open **{literal(link)}** or scan the code.")
        st.html(
            f'<p class="mm-join-count" style="font-size:3.5vh">{count_span("followers", present(code)[0])} following</p>'
        )
        st.link_button("Console ↗", "./?mode=console", help="the class's controls, in a new window")
        if loopback(link):
            st.warning(
                "This link is this computer's own address: no student's device reaches it. Open the "
                "lecture at the address the hall uses, or start the app with MAKEMORE_PUBLIC_URL set to it.",
                icon="🔗",
            )
    with right:  # a data URI: nothing held in one process's memory (a media file would 404 elsewhere);
        # st.html's sanitizer drops an inline <svg>, an <img> of one it keeps
        uri = segno.make(link, error="m").svg_data_uri(border=2, dark="#000", light="#fff")
        st.html(f'<img class="mm-qr" src="{uri}" alt="QR code of the join link" style="width:100%;max-height:80vh">')


WAITING = "Waiting for the first answer"


def board(page: Page, room: Room, answers: list[dict]) -> None:
    q = room.question
    kind = KINDS[q["kind"]]
    truth = kind.truth(page) if q["revealed"] else None
    rows = ranked(kind, q, answers, room.state.get("data"), truth)
    st.markdown(f"## {literal(q['prompt'])}")
    state = ("" if q["open"] else " · closed") + (" · revealed" if q["revealed"] else "")
    # answers, and who could send one: students following and students exploring both answer
    followers, explorers = present(room.code)
    tally, following = count_span("tally", len(answers)), count_span("followers", followers)
    exploring = count_span("exploring", explorers)
    st.html(
        f'<p class="mm-board-count" style="font-size:3vh">Answers: <b>{tally}</b> · {following} following · '
        f"{exploring} exploring{state}</p>"
    )
    left, right = st.columns([1, 1.3])
    with right:
        fig = kind.figure(rows, truth)
        # read from the back of the hall: large type on the projector
        fig.update_layout(height=560, margin={"l": 90, "r": 20, "t": 40, "b": 90}, showlegend=False, font={"size": 22})
        if not rows:  # no axes spanning -1 to 4 around nothing: what the hall waits for
            fig.update_xaxes(visible=False).update_yaxes(visible=False)
            fig.add_annotation(
                text=WAITING, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 32}
            )
        plotly_view(fig, key="class_board")
    with left:
        if q["revealed"]:
            st.markdown(board_table(kind, rows[:10]))
        else:
            st.caption("Names and the best answers show when the lecturer reveals them.")


def ranked(kind: Question, q: dict, answers: list[dict], data: str | None, truth: float | None) -> list[dict]:
    """The answers on the board, best first: not hidden, and computed on the class's word list."""
    shown = [a for a in answers if a["student"] not in q["hidden"] and (not data or a["value"].get("data") == data)]
    return kind.rank(shown, truth)


def board_table(kind: Question, rows: list[dict]) -> str:
    fmt = lambda v: f"{v:.4f}" if isinstance(v, float) else str(v)
    columns = {"who": [a["nick"] or "anonymous" for a in rows]}
    columns |= {f: [fmt(a["value"].get(f, "")) for a in rows] for f in kind.fields}
    return table(columns, list(range(1, len(rows) + 1)), "#")
