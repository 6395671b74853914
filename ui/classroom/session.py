"""This session's class: joining, the class's word list, what the lecturer's page publishes, and
the lecturer's acts (ask, mark, cue the projector, end)."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from service.rooms import Elsewhere, Forbidden, Rejected, Room, Unavailable, client_address, gate, rooms, valid_code
from ui import slide
from ui.classroom.questions import KINDS
from ui.corpus import Corpus, builtin_corpus, uploads
from ui.page import Page
from ui.params import SHARED
from ui.runs import Runs
from ui.state import keep

log = logging.getLogger(__name__)
COOKIE = "mm_lecturer"
DATA_KEYS = ("dataset", "year", "sex")  # the settings that name the word list


@dataclass
class Member:
    """This page's place in a class (ClassPage.member)."""

    code: str
    role: str  # "lecturer" (its page leads, the console is its) or "follower"
    ticket: str | None  # admits its page to the class's live route
    secret: str | None = None  # the lecturer's: every act on the room takes it
    following: bool = False  # a follower on the lecturer's step (else exploring on its own)
    tab: str | None = None  # a lecturer's page, for who leads (the newest tab, or the one that took it back)
    led: bool = False  # this tab has taken the lead once (rooms().lead)
    elsewhere: bool = False  # a newer tab leads: this one's steps are not sent
    cue: int | None = None  # the console's last cue this projector applied (None: none seen since a reload)
    slide: str | None = None  # the digest of the last slide sent (None: send it again)
    upload_id: tuple | None = None  # the upload whose bytes were sent, and their digest in the store
    digest: str | None = None


@dataclass
class ClassPage:
    """What this page knows of its class across its reruns: one typed entry of the session state
    (where there were ten string keys read from five modules)."""

    known: bool = False  # klass() has looked for its class (a join= link, the lecturer's cookie)
    member: Member | None = None  # the class it is in: see klass()
    note: str = ""  # one line in the class's box: a refused join, the class ended, an act refused
    answer_note: str = ""  # one line by the answer form: an answer not sent, and why
    sending: str = ""  # the question whose "Send my answer" was pressed (its callback says so: kept
    # when the run that would send it is cut short by a live rerun, as a button's value is not)
    answered: dict = field(default_factory=dict)  # question id -> the answer this page sent
    pending: dict = field(default_factory=dict)  # question id -> an answer waiting for the store
    view: str = "step"  # the projector's view: the step, the join code or the board
    opened: bool = False  # a class just opened: the projector shows its code once its first slide is sent
    ended: tuple[str, float] | None = None  # "Class X has ended." and when this page learnt it
    ending: bool = False  # the console asks "End class X for everyone?"
    staged: bool = False  # a following page draws the lecturer's slide, not the step
    newest_answer: str = ""  # the console's newest answer when it last drew: its pick follows a newer one


def here() -> ClassPage:
    """This page's class state."""
    return st.session_state.setdefault("_classroom", ClassPage())


def klass() -> Member | None:
    """This session's class, restored from a `join=` link or, for the lecturer, from the cookie
    its page set."""
    cp = here()
    if cp.known:
        return cp.member
    cp.known, cp.member = True, None
    code = str(st.query_params.get("join", "")).strip().upper()
    cookie = st.context.cookies.get(COOKIE, "")
    if cookie.count(".") == 1:
        c, secret = cookie.split(".")
        try:
            ticket = rooms().admit(c, secret) if valid_code(c) else None
        except Unavailable:
            cp.known = False  # asked again on the next run, when the store may answer
            return None
        if ticket:
            cp.member = Member(c, "lecturer", ticket, secret=secret, tab=new_tab())
            return cp.member
    if code:
        join(code)
        if cp.member and st.query_params.get("exploring") == "1":  # it explored before it reconnected
            cp.member.following = False
        if cp.member is None and cp.note:  # a link that joins nothing: said on top too (a phone's sidebar is closed)
            cp.ended = (cp.note, time.time())
    return cp.member


def join(code: str) -> None:
    """Follow the class `code` (a link's, or typed). Joins and failed tries are budgeted per session
    (strict) and per client address as nginx forwards it (generous: a hall behind one NAT is never
    refused); a refusal is one line (service/rooms/limits.py)."""
    cp = here()
    code = code.strip().upper()
    session, address = Runs.of_session().token, client()
    refused = gate().refusal(session, address)
    if refused:
        cp.note = refused
        return
    try:
        ticket = rooms().admit(code) if valid_code(code) else None
    except Unavailable as e:
        cp.note = f"{e}."
        return
    if ticket is None:
        gate().failed(session, address)
        cp.note = f"No class has the code {code[:8]!r}: it may have ended, or the code is mistyped."
    else:
        gate().joined(session, address)
        cp.member = Member(code, "follower", ticket, following=True)
        cp.note = ""


def client() -> str:
    """This page's client address (nginx's word for it when nginx is ours)."""
    return client_address(st.context.ip_address, st.context.headers)


def send_answer(code: str, qid: str, student: str, nick: str, value: dict) -> None:
    """A student's answer to the room, within the session's and its address's answer budgets;
    raises Rejected (one line) when not taken."""
    address = client()
    refused = gate().answer_refusal(student, address, qid)
    if refused:
        raise Rejected(refused)
    rooms().answer(code, qid, student, nick, value)
    gate().answered(address, qid)


def room_of(k: Member | None) -> Room | None:
    """The room as the store has it now (None: no class, the room gone, or the store away)."""
    if k is None:
        return None
    try:
        return rooms().get(k.code)
    except Unavailable:
        return None


def follow(k: Member, room: Room | None) -> Corpus | None:
    """A follower's page: the room's step and settings when following (before any widget is
    drawn); its word list always, exploring included. The room gone: the page says so."""
    if room is None and not gone(k.code):  # the store is away: nothing changes until it answers
        return None
    if room is None:
        ended(k)
        return None
    if k.following:
        keep("mode", "lecture")
    for key, value in room.state.get("settings", {}).items():
        if key in SHARED and (k.following or key in DATA_KEYS):
            try:
                keep(key, value)
            except ValueError:
                log.warning("room %s sent %s=%r", k.code, key, str(value)[:40])
    if k.following:
        keep("step", int(room.state.get("step", 1)))
    return class_corpus(k, room)


def class_corpus(k: Member, room: Room) -> Corpus | None:
    """The room's word list: its upload (the room keeps the file), else the built-in set its
    settings name. None when the upload cannot be read now."""
    up = room.state.get("upload")
    if up:
        try:
            data = rooms().get_data(k.code, up)
        except Unavailable:
            data = None
        if data is None:
            return None
        corpus = uploads().get(f"room-{k.code}-{up[:16]}", data)
        k.digest, k.upload_id = up, corpus.key  # a lecturer's page publishes it again as it is
        return corpus
    s = room.state.get("settings", {})
    try:
        return builtin_corpus(s.get("dataset", "names.txt"), int(s.get("year", 2017)), s.get("sex", "both"))
    except (ValueError, KeyError):
        return None


_digests: dict[tuple, str] = {}


def data_id(corpus: Corpus) -> str:
    """The word list's digest: an answer records it, the room's board takes only the class's."""
    if corpus.key not in _digests:
        _digests[corpus.key] = hashlib.sha256("\n".join(corpus.words).encode()).hexdigest()[:16]
    return _digests[corpus.key]


def new_tab() -> str:
    return secrets.token_hex(8)


def publish(page: Page, k: Member) -> None:
    """The lecturer's step, settings, word list (its digest, and an upload once) and what the
    projector shows to the room, and the step as its followers' pages draw it (the slide this run
    recorded, when it changed). The store away: nothing is sent, the next run sends it as it is then.

    One lecturer's tab leads: the newest (its first publish takes the class over), or the one that
    took it back; another tab's step is not sent, that page says so (`leading`)."""
    if k.elsewhere:
        return
    try:
        if not k.led:
            rooms().lead(k.code, k.secret, k.tab)
            k.led = True
        _publish(page, k)
    except Elsewhere:  # a newer tab took the class over between this page's runs
        k.elsewhere = True
        st.rerun()
    except Unavailable:
        k.slide = None  # sent again once the store answers
    except Rejected as e:  # a full store
        here().note = f"This step could not be sent to the class: {e}."


def _publish(page: Page, k: Member) -> None:
    s, corpus = page.settings, page.corpus
    settings = {key: str(getattr(s, key)) for key in SHARED}
    state = {"step": s.step, "settings": settings, "upload": None, "slide": k.slide}
    state |= {"data": data_id(corpus), "view": here().view}
    recorded = st.session_state.pop("_slide", None)
    if recorded is not None:
        recorded.query = urlencode({"join": k.code, "mode": "lecture", "step": s.step, **settings})
        text = recorded.text(k.code)
        if slide.digest_of(text) != k.slide:
            try:
                rooms().put_slide(k.code, k.secret, text)
                state["slide"] = k.slide = slide.digest_of(text)
            except Rejected as e:  # a slide too large: followers keep the last one, the page says so
                here().note = f"This step could not be sent to the class: {e}."
            except Forbidden:
                pass  # the room expired: publish below says so
    if corpus.key[0] == "upload":
        up = st.session_state.get("upload")
        if k.upload_id != corpus.key and up is not None:
            k.digest, k.upload_id = rooms().put_data(k.code, k.secret, up.getvalue()), corpus.key
        state["upload"] = k.digest
    try:
        rooms().publish(k.code, k.secret, state, tab=k.tab)
    except Forbidden:  # the room ended (from another tab, or the console) or expired
        return ended(k)
    if here().opened:  # a class just opened, its first slide sent: followers draw it
        here().opened, here().view = False, "join"
        st.rerun()


def open_class(page: Page) -> None:
    """A new class, led by this page: the projector shows its join code."""
    try:
        code, secret = rooms().open({"step": page.settings.step, "settings": {}, "upload": None}, page.runs.token)
        ticket = rooms().admit(code, secret)
    except (Unavailable, Rejected) as e:
        here().note = f"No class opened: {e}."
        return
    here().member = Member(code, "lecturer", ticket, secret=secret, cue=0, tab=new_tab())
    here().known = True
    here().opened = True  # publish() shows the join code, once the first slide is sent
    keep("mode", "lecture")


def apply_cue(k: Member, room: Room | None) -> None:
    """The projector's page takes the console's last cue (once): the view, and the step; and
    says when the class ended or is led from another tab (`leading`)."""
    if not leading(k, room):
        return
    if k.cue is None and room.state.get("view") in ("join", "board"):
        here().view = room.state["view"]  # a page that comes back (a reload, a restarted server): what it showed
    cue = room.cue if room else None
    if not cue:
        k.cue = 0 if k.cue is None else k.cue
        return
    if cue["n"] == k.cue:
        return
    fresh = k.cue is not None  # a page that comes back (a reload) does not replay the last cue
    k.cue = cue["n"]
    if fresh:
        here().view = cue["view"]
        if cue["step"]:
            keep("step", int(cue["step"]))


def leading(k: Member, room: Room | None) -> bool:
    """Before the lecturer's page draws: the room ended (another tab or the console ended it), or
    a newer tab leads it (one line at the top, and a button to take it back). False: no room."""
    if room is None:
        if gone(k.code):  # the store answers that the room is no more (not merely that it did not answer)
            ended(k)
        return False
    k.tab = k.tab or new_tab()
    if k.led and room.leader and room.leader != k.tab:
        k.elsewhere = True
    if k.elsewhere:
        with st.container(key="class_elsewhere"):  # the button under the line: the page's header covers its right
            st.warning(
                f"Class {k.code} is now led from another tab: this tab's steps do not reach it.",
                icon=":material/tab:",
            )
            st.button("Lead from this tab", key="class_take_back", on_click=take_back, args=(k,), type="primary")
    return True


def take_back(k: Member) -> None:
    """This tab leads the class again (the other tab's page says so in its turn)."""
    try:
        rooms().lead(k.code, k.secret, k.tab)
    except Forbidden:
        return ended(k)
    except (Rejected, Unavailable) as e:
        here().note = f"{str(e)[:1].upper()}{str(e)[1:]}."
        return
    k.elsewhere, k.led = False, True
    k.slide = None  # its step and slide are sent again at once


def act(k: Member, what: str, *args, **kwargs) -> None:
    """One of the lecturer's acts on the room (ask, mark, cue, end); a refusal is one line."""
    try:
        getattr(rooms(), what)(k.code, k.secret, *args, **kwargs)
    except Forbidden:
        here().note = "This page no longer leads the class (it ended or expired)."
    except (Rejected, Unavailable) as e:
        here().note = f"{str(e)[:1].upper()}{str(e)[1:]}."


def ask(k: Member, kind: str) -> None:
    act(k, "ask", kind, KINDS[kind].prompt)
    act(k, "cue", "board")


def set_following(k: Member, on: bool) -> None:
    if not on and k.following:
        follow(k, room_of(k))  # the page explores from where the lecturer is (it drew the slide, not the step)
    k.following = on


def leave_class() -> None:
    here().member, here().note = None, ""


def end_class(k: Member) -> None:
    """End frees the room at once (its followers are told it ended)."""
    try:
        rooms().end(k.code, k.secret)
    except Forbidden:
        pass  # ended already
    except Unavailable as e:
        here().note = f"The class could not be ended: {e}."
        return
    ended(k)


def gone(code: str) -> bool:
    """The store answers that the room is no more (not merely that it did not answer)."""
    try:
        return rooms().get(code) is None
    except Unavailable:
        return False


ENDED_FOR = 30  # s: how long a page that learnt the class ended keeps saying so across its reruns


def ended(k: Member) -> None:
    """The room is gone (the console ended the class, or it expired): this page leaves it, and says
    so at the top of its main area (ended_notice) and in its sidebar; its link no longer joins."""
    cp = here()
    if k.role == "follower" and k.following:  # its slides turned without a run of its own: the class's last step
        try:
            step = rooms().last_step(k.code)
        except Unavailable:
            step = None
        if step is not None:
            keep("step", step)  # the URL's parser bounds it to the lecture
    cp.member, cp.view = None, "step"
    cp.note = f"Class {k.code} has ended."
    cp.ended = (cp.note, time.time())
    if "join" in st.query_params:
        del st.query_params["join"]


def ended_notice() -> None:
    """'Class CODE has ended.' at the top of the page that learnt it, for ENDED_FOR seconds of reruns
    (a page that does not rerun keeps it)."""
    said = here().ended
    if said and time.time() - said[1] < ENDED_FOR and here().member is None:
        with st.container(key="class_ended"):
            st.info(said[0])


def present(code: str) -> tuple[int, int]:
    """How many pages of the class follow, and how many explore (0, 0 while the store is away)."""
    try:
        return rooms().followers(code), rooms().explorers(code)
    except Unavailable:
        return 0, 0


def rooms_down() -> str:
    return "Class mode is unavailable: the class store does not answer; retrying"
