"""The lecturer's console (`?mode=console`, a second window or tab of the lecturer's browser, held
by the lecturer's cookie): the step list, what the projector shows, ask / reveal / close, who
follows, the answers as they come. The projector's page applies each act as a cue (session.py)."""

from __future__ import annotations

import streamlit as st

from service.rooms import Room, Unavailable, rooms
from ui.classroom.live import count_span, live
from ui.classroom.questions import KINDS, QUESTIONS
from ui.classroom.session import Member, act, ask, end_class, here, klass, present, room_of, rooms_down
from ui.lecture import STEPS
from ui.text import literal, table

VIEWS = {"step": "The step", "join": "The join code", "board": "The board"}


def show() -> None:
    st.set_page_config(page_title="makemore console", page_icon="🎛️", layout="wide", initial_sidebar_state="collapsed")
    k = klass()
    room = room_of(k) if k and k.role == "lecturer" else None
    if room is None:
        st.title("Lecturer's console")
        down, said = rooms().down, here().ended
        if said and not down:
            st.success(f"{said[0]} Every page of it says so; open a new class from the lecture.")
            return
        st.info(
            f"{rooms_down()}."
            if down
            else "No class is led from this browser: open a class in the lecture "
            "(its ◉ Open a class button), then its Console button."
        )
        return
    with st.container(key="console"):
        header(k, room)
        projector_row(k, room)
        left, right = st.columns([1, 1.4], gap="large")
        with left:
            steps(k, room)
        with right:
            question(k, room)
        end_row(k)
    live(k, room, "console", tally=tally(k, room))


def header(k: Member, room: Room) -> None:
    note, here().note = here().note, ""
    following, exploring = present(k.code)
    st.markdown(f"## Class {k.code}")
    st.html(
        f'<p class="mm-console-count"><b>{count_span("followers", following)}</b> following · '
        f"<b>{count_span('exploring', exploring)}</b> exploring on their own</p>"
    )
    if note:
        st.warning(literal(note))


def end_row(k: Member) -> None:
    """End the class: a second click confirms (its rooms, questions and answers go; every page is told)."""
    st.divider()
    if not here().ending:
        st.button("End the class", key="console_end", on_click=_ending, args=(True,))
        return
    with st.container(horizontal=True, key="console_ending", vertical_alignment="center"):
        st.markdown(f"**End class {k.code} for everyone?** Its questions and answers go with it.")
        st.link_button("Download its answers first (CSV)", csv_link(k))
        st.button("Yes, end the class", key="console_end_yes", type="primary", on_click=_end, args=(k,))
        st.button("Cancel", key="console_end_no", on_click=_ending, args=(False,))


def csv_link(k: Member) -> str:
    """The class's one CSV: every question asked, every answer (service/live/lecturer.py)."""
    return f"./api/live/board/{k.code}.csv?ticket={k.ticket or ''}"


def _ending(on: bool) -> None:
    here().ending = on


def _end(k: Member) -> None:
    here().ending = False
    end_class(k)


def projector_row(k: Member, room: Room) -> None:
    shown = room.state.get("view", "step")
    with st.container(horizontal=True, key="console_views"):
        st.markdown("**The projector shows:**")
        for view, label in VIEWS.items():
            name = f"{label} ({room.state.get('step', 1)})" if view == "step" else label
            st.button(
                name, key=f"console_view_{view}", type="primary" if view == shown else "secondary",
                on_click=act, args=(k, "cue", view),
            )  # fmt: skip


def steps(k: Member, room: Room) -> None:
    current = int(room.state.get("step", 1))
    st.markdown("**Steps** (the projector goes there)")
    with st.container(key="console_steps"):
        for n, (title, _) in enumerate(STEPS, 1):
            st.button(
                f"{n}. {title}", key=f"console_step_{n}", width="stretch",
                type="primary" if n == current else "secondary", on_click=act, args=(k, "cue", "step", n),
            )  # fmt: skip


def tally(k: Member, room: Room) -> int:
    try:
        return rooms().tally(k.code, room.question["id"]) if room.question else 0
    except Unavailable:
        return 0


def question(k: Member, room: Room) -> None:
    q = room.question
    st.markdown("**Ask the class**")
    kind = st.radio(
        "Question", list(QUESTIONS), format_func=QUESTIONS.get, key="console_kind", label_visibility="collapsed"
    )
    st.button("Ask the class", key="console_ask", type="primary", on_click=ask, args=(k, kind))
    if q is None or q["kind"] not in KINDS:
        return
    st.markdown(f"**Now:** {literal(q['prompt'])}" + ("" if q["open"] else " (closed)"))
    with st.container(horizontal=True, key="console_acts"):
        st.button("Reveal the answers" if not q["revealed"] else "Hide the answers", key="console_reveal",
                  on_click=act, args=(k, "mark"), kwargs={"revealed": not q["revealed"]})  # fmt: skip
        st.button("Close the question" if q["open"] else "Reopen it", key="console_close",
                  on_click=act, args=(k, "mark"), kwargs={"open": not q["open"]})  # fmt: skip
        st.link_button("Board (CSV)", csv_link(k))
    try:
        answers = rooms().answers(k.code, q["id"])
    except Unavailable:
        st.caption(f"{rooms_down()}.")
        return
    data = room.state.get("data")
    st.html(f'<p class="mm-console-tally">Answers so far: <b>{count_span("tally", len(answers))}</b></p>')
    if answers:
        kind = KINDS[q["kind"]]
        fmt = lambda v: f"{v:.4f}" if isinstance(v, float) else str(v)
        rows = list(reversed(answers))[:30]  # the newest first
        columns = {"who": [a["nick"] or "anonymous" for a in rows]}
        columns |= {f: [fmt(a["value"].get(f, "")) for a in rows] for f in kind.fields}
        columns["on the board"] = [
            "hidden" if a["student"] in q["hidden"] else "yes" if not data or a["value"].get("data") == data
            else "other data" for a in rows
        ]  # fmt: skip
        st.markdown(table(columns, list(range(len(answers), len(answers) - len(rows), -1)), "#"))
        hide_ui(k, q, answers)


def hide_ui(k: Member, q: dict, answers: list[dict]) -> None:
    """Take an answer off the board (or put it back), every answer of its nickname, or its burst
    (answers that came within seconds of each other, as one client stuffing the board sends)."""
    n = {a["student"]: i for i, a in enumerate(answers, 1)}
    options = [a["student"] for a in reversed(answers)]  # the newest first
    # the newest answer is picked, and the pick follows a newer one, unless the lecturer chose another
    cp, ss = here(), st.session_state
    if ss.get("console_answer") not in options or ss.get("console_answer") == cp.newest_answer:
        ss["console_answer"] = options[0]
    cp.newest_answer = options[0]
    picked = st.selectbox(
        "An answer", options, key="console_answer",
        format_func=lambda s: f"#{n[s]} {answers[n[s] - 1]['nick'] or 'anonymous'}",
    )  # fmt: skip
    if picked is None:
        return
    nick = answers[n[picked] - 1]["nick"]
    hidden = picked in q["hidden"]
    with st.container(horizontal=True, key="console_hide"):
        st.button("Show it again" if hidden else "Hide it", key="console_hide_one", on_click=act,
                  args=(k, "mark"), kwargs={"unhide" if hidden else "hide": picked})  # fmt: skip
        st.button("Hide its nickname's answers", key="console_hide_nick", on_click=act, args=(k, "mark"),
                  kwargs={"hide_nick": nick}, disabled=not nick)  # fmt: skip
        st.button("Hide its burst", key="console_hide_burst", on_click=act, args=(k, "mark"),
                  kwargs={"hide_burst": picked})  # fmt: skip
