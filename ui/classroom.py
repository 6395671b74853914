"""Class mode: the lecturer opens a class, students follow and answer (service/rooms.py holds it).

- The lecturer's page publishes its step and settings (and an uploaded word list) after every run
  of the lecture; its secret is in the session and in an HttpOnly cookie the server sets
  (service/live.py), so a reload keeps the class.
- A page that joins gets a ticket from the server (service/rooms): its live channel needs it.
  Failed tries cost a wait that grows per failure, per session and per client address.
- While the class store does not answer, each page says so in one line and retries; an answer
  sent meanwhile stays on the page and goes when the store is back.
- A follower's page applies the room's state before anything is drawn, in every run; the room's
  live route tells the page when the room changed (ui/class_live.js), and the page reruns.
  A follower can leave to explore (its own settings, nothing sent back) and come back in one click.
- The lecturer asks one of four questions; students answer from their own page, the app fills in
  what their run or their settings give; the board on the projector shows them, best first.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from makemore import plots
from makemore.table import score
from service.rooms import (
    Forbidden,
    Rejected,
    Unavailable,
    client_address,
    gate,
    question_sign,
    rooms,
    valid_code,
)
from ui import slide
from ui.components import STAGE_CSS, STAGE_JS, plotly_view
from ui.corpus import Corpus, uploads
from ui.models import split_nlls, table_nlls
from ui.page import Page
from ui.params import SHARED, SIZES
from ui.runs import Runs, data_key
from ui.state import keep
from ui.text import literal, table

log = logging.getLogger(__name__)
QUESTIONS = {
    "train": "Train the net with your own learning rate and regularization",
    "smoothing": "Find the smoothing with the lowest dev NLL",
    "likeliest": "Type the name you think the model finds likeliest",
    "predict": "Predict the count model's NLL at s = 0 before I show it",
}
VIEWS = ("the step", "the join code", "the board")
COOKIE = "mm_lecturer"

_live = st.components.v2.component(
    "class_live", html='<span class="mm-class-live"></span>', js=(Path(__file__).with_name("class_live.js")).read_text()
)
_stage = st.components.v2.component(
    "class_stage", html='<div class="mm-stage"></div>', js=STAGE_JS, css=STAGE_CSS, isolate_styles=False
)


def klass() -> dict | None:
    """This session's class: {"code", "role", "secret" (the lecturer's), "following"}; restored
    from a `join=` link or, for the lecturer, from the cookie its page set."""
    ss = st.session_state
    if "_class" in ss:
        return ss["_class"]
    ss["_class"] = None
    code = str(st.query_params.get("join", "")).strip().upper()
    cookie = st.context.cookies.get(COOKIE, "")
    if cookie.count(".") == 1:
        c, secret = cookie.split(".")
        try:
            ticket = rooms().admit(c, secret) if valid_code(c) else None
        except Unavailable:
            ticket = None
            ss.pop("_class")  # asked again on the next run, when the store may answer
            return None
        if ticket:
            ss["_class"] = {"code": c, "role": "lecturer", "secret": secret, "following": False, "ticket": ticket}
            return ss["_class"]
    if code:
        join(code)
    return ss["_class"]


def join(code: str) -> None:
    """Follow the class `code` (a link's, or typed). A failed try costs a wait that doubles per
    failure, counted per session and per client address as nginx forwards it (service/rooms/limits)."""
    ss = st.session_state
    code = code.strip().upper()
    session, address = Runs.of_session().token, client_address(st.context.ip_address, st.context.headers)
    if gate().wait(session, address) > 0:  # a try while waiting costs as a failure: hammering waits longer
        gate().sessions.failed(session)
        ss["_class_note"] = (
            f"Too many wrong codes from this page: try again in {math.ceil(gate().wait(session, address))} s."
        )
        return
    try:
        ticket = rooms().admit(code) if valid_code(code) else None
    except Unavailable as e:
        ss["_class_note"] = f"{e}."
        return
    if ticket is None:
        gate().failed(session, address)
        ss["_class_note"] = f"No class has the code {code[:8]!r}."
    else:
        ss["_class"] = {"code": code, "role": "follower", "secret": None, "following": True, "ticket": ticket}
        ss["_class_note"] = ""


def follow(k: dict) -> Corpus | None:
    """A follower's page takes the room's step and settings (before any widget is drawn); returns
    the room's word list when it is an upload. The room gone: the page says so and stays. The
    store away: the room as last read (service/rooms/guard.py)."""
    room = rooms().get(k["code"])
    if room is None and rooms().down:
        return None
    if room is None:
        st.session_state["_class"] = None
        st.session_state["_class_note"] = f"Class {k['code']} has ended."
        return None
    keep("mode", "lecture")
    keep("step", int(room.state.get("step", 1)))
    for key, value in room.state.get("settings", {}).items():
        if key in SHARED:
            try:
                keep(key, value)
            except ValueError:
                log.warning("room %s sent %s=%r", k["code"], key, str(value)[:40])
    digest = room.state.get("upload")
    if digest:
        try:
            data = rooms().get_data(k["code"], digest)
        except Unavailable:
            data = None
        if data is not None:
            return uploads().get(f"room-{k['code']}-{digest[:16]}", data)
    return None


def publish(page: Page, k: dict) -> None:
    """The lecturer's step and settings (and an uploaded word list, once) to the room, and the
    step as its followers' pages draw it (the slide this run recorded, when it changed). The store
    away: nothing is sent (the sidebar says so), the next run sends the step as it is then."""
    try:
        _publish(page, k)
    except Unavailable:
        k.pop("slide", None)  # sent again once the store answers
    except Rejected as e:  # a full store
        st.session_state["_class_note"] = f"This step could not be sent to the class: {e}."


def _publish(page: Page, k: dict) -> None:
    s, corpus = page.settings, page.corpus
    settings = {key: str(getattr(s, key)) for key in SHARED}
    state = {"step": s.step, "settings": settings, "upload": None, "slide": k.get("slide")}
    recorded = st.session_state.pop("_slide", None)
    if recorded is not None:
        recorded.query = urlencode({"join": k["code"], "mode": "lecture", "step": s.step, **settings})
        text = recorded.text(k["code"])
        if slide.digest_of(text) != k.get("slide"):
            try:
                rooms().put_slide(k["code"], k["secret"], text)
                state["slide"] = k["slide"] = slide.digest_of(text)
            except Rejected as e:  # a slide too large: followers keep the last one, the page says so
                st.session_state["_class_note"] = f"This step could not be sent to the class: {e}."
            except Forbidden:
                pass  # the room expired: publish below says so
    if corpus.key[0] == "upload":
        up = st.session_state.get("upload")
        if k.get("upload_id") != corpus.key and up is not None:
            k["digest"], k["upload_id"] = rooms().put_data(k["code"], k["secret"], up.getvalue()), corpus.key
        state["upload"] = k.get("digest")
    try:
        rooms().publish(k["code"], k["secret"], state)
    except Forbidden:  # the room expired
        st.session_state["_class"] = None
        st.session_state["_class_note"] = "The class expired; open a new one."
        return
    if st.session_state.pop("_class_opened", False):  # a class just opened, its first slide sent
        st.session_state["_class_view"] = "the join code"
        st.rerun()


def sidebar(page: Page, k: dict | None, room) -> None:
    """The class controls in the sidebar: open one, or join one, or the class's own (`room`, read
    once per run by the caller)."""
    sb = st.sidebar
    sb.header("Class")
    note = st.session_state.get("_class_note")
    if rooms().down:
        sb.warning(f"{rooms_down()}.", icon="🔌")
    if note:
        sb.info(literal(note))
    if k is None:
        if sb.button("Open a class", key="class_open", width="stretch", help="students follow this lecture"):
            try:
                code, secret = rooms().open(
                    {"step": page.settings.step, "settings": {}, "upload": None}, page.runs.token
                )
                ticket = rooms().admit(code, secret)
            except (Unavailable, Rejected) as e:
                st.session_state["_class_note"] = f"No class opened: {e}."
                st.rerun()
            st.session_state["_class"] = {
                "code": code, "role": "lecturer", "secret": secret, "following": False, "ticket": ticket
            }  # fmt: skip
            st.session_state["_class_opened"] = True  # publish() shows the join code, once the step is sent
            keep("mode", "lecture")
            if page.settings.mode != "lecture":
                st.rerun()
        typed = sb.text_input("Join with a code", max_chars=8, key="class_code", placeholder="ABC234")
        if sb.button("Join", key="class_join", width="stretch") and typed:
            join(typed)
            st.rerun()
        return
    if k["role"] == "lecturer":
        lecturer_controls(k, room)
    else:
        follower_controls(page, k, room)


def rooms_down() -> str:
    return "Class mode is unavailable: the class store does not answer; retrying"


def followers(code: str) -> str:
    try:
        return f"{rooms().followers(code)} following"
    except Unavailable:
        return "reconnecting"


def lecturer_controls(k: dict, room) -> None:
    sb = st.sidebar
    sb.markdown(f"Class **{k['code']}**: {followers(k['code'])}")
    sb.radio("The projector shows", VIEWS, key="_class_view", horizontal=False)
    kind = sb.selectbox("Question", list(QUESTIONS), format_func=QUESTIONS.get, key="class_kind")
    q = room.question if room else None
    sb.button("Ask the class", key="class_ask", width="stretch", on_click=ask, args=(k, kind))
    if q:
        toggles = (("open", "class_close", "Close", "Reopen"), ("revealed", "class_reveal", "Hide answers", "Reveal"))
        for col, (name, key, on, off) in zip(sb.columns(2), toggles, strict=True):
            col.button(
                on if q[name] else off, key=key, width="stretch", on_click=mark, kwargs={"k": k, name: not q[name]}
            )
        try:
            answers = rooms().answers(k["code"], q["id"])
        except Unavailable:
            answers = []
        labels = {a["student"]: f"{a['nick'] or 'anonymous'} ({i + 1})" for i, a in enumerate(answers)}
        pick = sb.selectbox("An answer", ["—", *labels], format_func=lambda x: labels.get(x, x), key="class_hide")
        if pick != "—":
            nick = next(a["nick"] for a in answers if a["student"] == pick)
            left, mid, right = sb.columns(3)
            left.button("Hide it", key="class_hide_one", on_click=mark, args=(k,), kwargs={"hide": pick})
            if nick:
                mid.button(
                    "Hide its nickname", key="class_hide_nick", on_click=mark, args=(k,), kwargs={"hide_nick": nick},
                    help=f"every answer sent as {nick}",
                )  # fmt: skip
            right.button(
                "Hide its burst", key="class_hide_burst", on_click=mark, args=(k,), kwargs={"hide_burst": pick},
                help="every answer that came within seconds of it, one after another (one client sending many)",
            )  # fmt: skip
        # served from the store by any process (service/live.py), not from this process's memory
        sb.link_button("Board (CSV)", f"./api/live/board/{k['code']}.csv?ticket={k.get('ticket', '')}", width="stretch")
    sb.button("End the class", key="class_end", on_click=end_class, args=(k,), width="stretch")


def ask(k: dict, kind: str) -> None:
    try:
        rooms().ask(k["code"], k["secret"], kind, QUESTIONS[kind])
        st.session_state["_class_view"] = "the board"
    except (Forbidden, Rejected, Unavailable) as e:
        st.session_state["_class_note"] = str(e)


def mark(k: dict, **changes) -> None:
    try:
        rooms().mark(k["code"], k["secret"], **changes)
    except (Forbidden, Rejected, Unavailable) as e:
        st.session_state["_class_note"] = str(e)


def end_class(k: dict) -> None:
    """End frees the room at once (its followers are told it ended)."""
    try:
        rooms().end(k["code"], k["secret"])
    except Forbidden:
        pass  # ended already
    except Unavailable as e:
        st.session_state["_class_note"] = f"The class could not be ended: {e}."
        return
    leave_class()


def leave_class() -> None:
    st.session_state["_class"] = None
    st.session_state["_class_note"] = ""


def stage(k: dict) -> bool:
    """A following page's step: the lecturer's slide, drawn in the page (ui/class_stage.js) and
    replaced there as the live route brings the next one: a page turn costs the server no rerun.
    False when the room has no slide (yet, or Redis does not answer): the page draws the step."""
    try:
        text = rooms().get_slide(k["code"])
        size = int(json.loads(text)["size"]) if text else 0
    except Unavailable:  # the room's store is away (logged once by its guard): one line, the step below
        st.warning(f"{rooms_down()}.", icon="🔌")
        return False
    if size not in SIZES:
        return False
    with st.container(key="lecture"), st.container(key=f"zoom{size}"):
        _stage(key="class_stage", data=text.encode())
    return True


def follower_controls(page: Page, k: dict, room) -> None:
    sb = st.sidebar
    if room is None:
        return
    if k["following"]:
        sb.markdown(f"Following class **{k['code']}**")
        sb.button("Explore on my own", key="class_explore", on_click=set_following, args=(k, False), width="stretch")
    else:
        sb.markdown(f"Exploring on your own; class **{k['code']}** goes on")
        sb.button("Back to the lecturer", key="class_back", on_click=set_following, args=(k, True), width="stretch")
    sb.button("Leave the class", key="class_leave", on_click=leave_class, width="stretch")


def question(page: Page, k: dict | None, room) -> None:
    """A student's open question, above the step (in the main area: on a phone the sidebar is
    closed, and a question there would go unseen)."""
    q = room.question if room is not None and k is not None and k["role"] == "follower" else None
    if q and q["open"]:
        with st.container(key="class_question", border=True):
            answer_form(page, k, q)


def set_following(k: dict, on: bool) -> None:
    if not on:
        follow(k)  # the page explores from where the lecturer is (it drew the slide, not the step)
    k["following"] = on


def answer_form(page: Page, k: dict, q: dict) -> None:
    """The student's answer: what the app knows is filled in; only a name or a guess is typed."""
    s, corpus = page.settings, page.corpus
    st.markdown(f"**Question:** {literal(q['prompt'])}")
    sent = st.session_state.setdefault("_answered", {})
    if q["id"] in sent:  # one answer a question: the box says what went
        st.success(f"Answer sent: {literal(sent[q['id']])}.")
        return
    if q["id"] in st.session_state.get("_pending", {}):
        pending(k, page.runs.token)
        return
    left, right = st.columns(2, vertical_alignment="bottom")
    nick = left.text_input("Nickname (optional)", max_chars=24, key="class_nick")
    value, ready = None, ""
    if q["kind"] == "train":
        run = page.runs.finished(data_key(s, corpus))
        if run is None:
            ready = "Train the net first: Explore on my own, then the Neural net tab."
        else:
            dev = table_nlls(("net", run.id), run.table(), corpus, s.context)["dev"]
            cfg = run.config
            value = {"lr": cfg.lr, "reg": cfg.reg, "epochs": cfg.epochs, "dev": dev}
    elif q["kind"] == "smoothing":
        dev = split_nlls(corpus.key, corpus, s.context, s.fit_part, s.smoothing)["dev"]
        value = {"smoothing": s.smoothing, "dev": dev}
    elif q["kind"] == "likeliest":
        name = right.text_input("Your name", max_chars=32, key="class_name").strip().lower()
        if name:
            try:
                value = {"name": name, "nll": score(page.tables["counts"], name).nll}
            except ValueError as e:
                ready = str(e)
    else:
        value = {"nll": right.number_input("Your guess", 0.0, 10.0, 2.5, step=0.01, key="class_guess")}
    if value is not None and not all(math.isfinite(v) for v in value.values() if isinstance(v, float)):
        value, ready = None, "this answer has no finite NLL"
    shown = ", ".join(f"{key} {v:.4g}" if isinstance(v, float) else f"{key} {v}" for key, v in (value or {}).items())
    note = st.session_state.pop("_class_answer_note", "")
    if note:
        st.warning(literal(note))
    left, right = st.columns(2, vertical_alignment="center")
    left.caption(literal(ready) if ready else f"Your answer: {literal(shown)}" if value is not None else "")
    if right.button("Send my answer", key="class_send", disabled=value is None, width="stretch", type="primary"):
        try:
            rooms().answer(k["code"], q["id"], page.runs.token, nick, value)
            sent[q["id"]] = shown
        except Rejected as e:
            st.session_state["_class_answer_note"] = f"Not sent: {e}."
        except Unavailable:  # kept on this page: sent when the store answers again
            st.session_state.setdefault("_pending", {})[q["id"]] = (k["code"], nick, value, shown)
        st.rerun()


@st.fragment(run_every=3)
def pending(k: dict, student: str) -> None:
    """An answer kept on the page while the class store was away: tried every 3 s until it goes."""
    waiting = st.session_state.get("_pending", {})
    for qid, (code, nick, value, shown) in list(waiting.items()):
        try:
            rooms().answer(code, qid, student, nick, value)
        except Unavailable:
            st.info(f"{rooms_down()}: your answer ({literal(shown)}) is kept on this page and sent when it is back.")
            return
        except Rejected as e:
            del waiting[qid]
            st.session_state["_class_answer_note"] = f"Not sent: {e}."
            st.rerun(scope="app")
        del waiting[qid]
        st.session_state.setdefault("_answered", {})[qid] = shown
        st.rerun(scope="app")


def live(k: dict, token: str, room) -> None:
    """The room's live channel in this page: a follower reruns on every change of the room; the
    lecturer's board reruns as answers arrive. It also sets the lecturer's cookie."""
    try:  # a ticket the store no longer knows (an ended room, a store that lost it): a new one
        if not k.get("ticket") or rooms().ticket_role(k["code"], k["ticket"]) is None:
            k["ticket"] = rooms().admit(k["code"], k["secret"]) or k.get("ticket")
    except Unavailable:
        pass
    data = {"code": k["code"], "ticket": k.get("ticket") or "", "role": k["role"], "following": k["following"]}
    data["version"] = room.version if room else 0
    data["question"] = question_sign(room.question if room else None)
    data["staged"] = k["following"] and bool(st.session_state.get("_staged"))  # its step is the slide
    if k["role"] == "lecturer":
        # the page asks the server to set the lecturer's cookie (HttpOnly: no script can read it)
        data["cookie"] = f"{k['code']}.{k['secret']}" if st.context.cookies.get(COOKIE) != data_cookie(k) else ""
        data["board"] = st.session_state.get("_class_view") == "the board"
    with st.sidebar:
        _live(key="class_live", data=json.dumps(data).encode(), on_changed_change=lambda: None)


def data_cookie(k: dict) -> str:
    return f"{k['code']}.{k['secret']}"


def clear_cookie() -> None:
    """The class ended: the lecturer's cookie goes, so a reload does not bring it back."""
    with st.sidebar:
        _live(key="class_live", data=json.dumps({"clear": True}).encode(), on_changed_change=lambda: None)


def board_rows(q: dict, answers: list[dict]) -> list[dict]:
    """The answers shown on the board, best first (hidden ones left out)."""
    shown = [a for a in answers if a["student"] not in q["hidden"]]
    key = {"train": "dev", "smoothing": "dev", "likeliest": "nll", "predict": "nll"}[q["kind"]]
    return sorted(shown, key=lambda a: a["value"].get(key, math.inf))


def projector(page: Page, k: dict) -> bool:
    """The lecturer's projector view when it is not the step: the join code or the board."""
    view = st.session_state.get("_class_view", VIEWS[0])
    if view == VIEWS[0]:
        return False
    code, room = k["code"], rooms().get(k["code"])
    with st.container(key="class_projector"):
        if rooms().down:
            st.warning(f"{rooms_down()}.", icon="🔌")
        if view == VIEWS[1]:
            join_view(code)
        elif room and room.question:
            try:
                board(page, room.question, rooms().answers(code, room.question["id"]))
            except Unavailable:
                st.markdown("## The board is back when the class store answers")
        else:
            st.markdown("## No question yet\nAsk one from the sidebar.")
        st.caption(f"{followers(code)} · class {code}")
    return True


def join_link(code: str) -> str:
    base = str(st.context.url or "").split("?")[0]
    return f"{base}?join={code}"


def join_view(code: str) -> None:
    import segno

    left, right = st.columns([1.3, 1], vertical_alignment="center")
    with left:
        st.markdown(f"## Join the class\n# {code}")
        st.markdown(f"Open **{literal(join_link(code))}** or scan the code.")
    with right:  # inline SVG: nothing held in one process's memory (a media file would 404 elsewhere)
        svg = segno.make(join_link(code), error="m").svg_inline(border=2, omitsize=True, dark="#000", light="#fff")
        st.html(
            f'<div class="mm-qr" style="max-width:100%" role="img" aria-label="QR code of the join link">{svg}</div>'
        )


def board(page: Page, q: dict, answers: list[dict]) -> None:
    rows = board_rows(q, answers)
    st.markdown(f"## {literal(q['prompt'])}")
    st.markdown(
        f"**{len(answers)}** answers" + ("" if q["open"] else " · closed") + (" · revealed" if q["revealed"] else "")
    )
    left, right = st.columns([1, 1.3])
    with right:
        plotly_view(board_figure(page, q, rows), key="class_board")
    with left:
        if q["revealed"]:
            st.markdown(board_table(q, rows[:10]))
        else:
            st.caption("Names and the best answers show when you reveal them.")


def board_table(q: dict, rows: list[dict]) -> str:
    fields = {
        "train": ["dev", "lr", "reg", "epochs"],
        "smoothing": ["dev", "smoothing"],
        "likeliest": ["name", "nll"],
        "predict": ["nll"],
    }[q["kind"]]
    fmt = lambda v: f"{v:.4g}" if isinstance(v, float) else str(v)
    columns = {"who": [a["nick"] or "anonymous" for a in rows]}
    columns |= {f: [fmt(a["value"].get(f, "")) for a in rows] for f in fields}
    return table(columns, list(range(1, len(rows) + 1)), "#")


def board_figure(page: Page, q: dict, rows: list[dict]):
    import plotly.graph_objects as go

    fig = go.Figure()
    vals = [a["value"] for a in rows]
    if q["kind"] == "train":
        fig.add_trace(go.Scatter(x=[v["lr"] for v in vals], y=[v["dev"] for v in vals], mode="markers"))
        fig.update_layout(xaxis={"type": "log", "title": "learning rate"}, yaxis={"title": "dev NLL"})
    elif q["kind"] == "smoothing":
        fig.add_trace(
            go.Scatter(x=[max(v["smoothing"], 0.01) for v in vals], y=[v["dev"] for v in vals], mode="markers")
        )
        fig.update_layout(xaxis={"type": "log", "title": "smoothing s"}, yaxis={"title": "dev NLL"})
    elif q["kind"] == "likeliest":
        names: dict[str, int] = {}
        for v in vals:
            names[v["name"]] = names.get(v["name"], 0) + 1
        top = sorted(names.items(), key=lambda x: -x[1])[:15]
        fig.add_trace(go.Bar(x=[n for n, _ in top], y=[c for _, c in top]))
        fig.update_layout(xaxis={"title": "name", "type": "category"}, yaxis={"title": "students"})
    else:
        fig.add_trace(go.Histogram(x=[v["nll"] for v in vals], nbinsx=20))
        fig.update_layout(xaxis={"title": "predicted NLL at s = 0"}, yaxis={"title": "students"})
        if q["revealed"]:
            s, corpus = page.settings, page.corpus
            truth = split_nlls(corpus.key, corpus, s.context, s.fit_part, 0.0)[s.fit_part]
            if math.isfinite(truth):
                fig.add_vline(x=truth, line={"color": plots.ORANGE, "width": 3})
    fig.update_traces(marker_color=plots.BLUE, selector={"type": "bar"})
    fig.update_traces(marker={"color": plots.BLUE, "size": 14}, selector={"type": "scatter"})
    fig.update_traces(marker_color=plots.BLUE, selector={"type": "histogram"})
    # read from the back of the hall: large type on the projector
    fig.update_layout(height=560, margin={"l": 80, "r": 20, "t": 20, "b": 80}, showlegend=False, font={"size": 22})
    return fig
