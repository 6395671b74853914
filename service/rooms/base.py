"""The seam every backend implements (`Rooms`), the room's limits, and what both backends share."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
TTL = 4 * 3600  # s: a room no one writes to for this long is gone
ENDED_KEPT = 3600  # s: an ended room's last step is kept this long (a follower's page ends on it)
MAX_STATE = 64_000  # bytes of a room's JSON state
MAX_ANSWER = 2_000  # bytes of one answer's JSON
MAX_NICK = 24  # characters
MAX_DATA = 20_000_000  # bytes of a room's uploaded word list (the upload limit)
MAX_SLIDE = 4_000_000  # bytes of a step's slide (ui/slide.py: its text and its charts' JSON)
ANSWER_GAP = 1.0  # s between two answers of one student (any question)
PRESENCE = 15.0  # s a follower counts after its last heartbeat
ROOMS_PER_OWNER = 3  # live rooms one session may hold at once
MAX_ROOMS = 500  # live rooms in one store (every process behind it)
BURST = 5.0  # s: answers that arrived within this of each other are one burst (the lecturer hides it)
TICKET = re.compile(r"[A-Za-z0-9_-]{16,64}")


class Forbidden(Exception):
    """The caller does not hold the room's secret (or the room does not exist)."""


class Rejected(ValueError):
    """What the room does not take: too large, a second answer, too soon, a closed question, a cap."""


class Elsewhere(Rejected):
    """The lecturer's page is not the one leading the class: a newer tab took it over."""


class Unavailable(Exception):
    """The class store does not answer (Redis down, a data directory that cannot be written)."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def step_of(room: Room) -> int:
    """The step a room's lecturer is on (1 when its state says none a number)."""
    step = room.state.get("step", 1)
    return step if isinstance(step, int) and not isinstance(step, bool) and step > 0 else 1


def valid_code(code) -> bool:
    return isinstance(code, str) and len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def digest(secret: str) -> str:
    return hashlib.sha256(str(secret).encode()).hexdigest()


def new_ticket() -> str:
    """What a page that joined holds: 144 random bits; the store keeps only its digest."""
    return secrets.token_urlsafe(18)


def encode(value, limit: int, what: str) -> str:
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    if len(text.encode()) > limit:
        raise Rejected(f"{what} is larger than {limit:,} bytes")
    return text


def slide_size(text: str) -> None:
    if len(text.encode()) > MAX_SLIDE:
        raise Rejected(f"the slide is larger than {MAX_SLIDE:,} bytes")


def nickname(raw) -> str:
    """A nickname as text: one line, no control or format characters (RTL overrides, zero-width
    spaces, NUL), at most 24 characters ('' = anonymous)."""
    text = "".join(
        " " if c.isspace() else c
        for c in str(raw or "")
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text[:MAX_NICK]


@dataclass
class Room:
    code: str
    state: dict  # what followers see: the step, the settings (URL form), the data set's id
    version: int
    question: dict | None = None  # {"id", "kind", "prompt", "open", "revealed", "hidden": [...]}
    updated: float = field(default_factory=time.time)
    cue: dict | None = None  # the console's last word to the projector: {"n", "view", "step"}
    leader: str = ""  # the lecturer's tab that leads (publishes the step); "" until one does


VIEWS = ("step", "join", "board")  # what the projector shows


def checked_cue(n, view, step) -> dict:
    """A cue as the store keeps it: a count, a view of VIEWS, a step number (or None)."""
    if view not in VIEWS:
        raise Rejected("the projector shows the step, the join code or the board")
    if step is not None and (not isinstance(step, int) or not 1 <= step <= 99):
        raise Rejected("no such step")
    return {"n": int(n), "view": view, "step": step}


def check_data(state: dict, value: dict) -> None:
    """An answer counts only when computed on the class's word list (the digest the lecturer's
    page publishes as the room's `data`)."""
    if state.get("data") and value.get("data") != state["data"]:
        raise Rejected("your answer was computed on another word list than the class's; reload the page")


EARLIER = 40  # questions of a class kept with the current one: the class's CSV holds them all


def new_question(kind: str, prompt: str, previous: dict | None = None) -> dict:
    """A question; the class's earlier ones ride along with it (their id, kind, prompt and hidden
    answers), so the class's one CSV holds every question asked."""
    earlier = []
    if previous:
        earlier = [*previous.get("earlier", []), {f: previous[f] for f in ("id", "kind", "prompt", "hidden")}]
    return {"id": secrets.token_hex(6), "kind": kind, "prompt": prompt[:200], "open": True, "revealed": False,
            "hidden": [], "earlier": earlier[-EARLIER:]}  # fmt: skip


def question_sign(q: dict | None) -> str:
    """What a follower's page reruns for (its answer form): a question asked, closed or reopened."""
    return "" if q is None else f"{q['id']}:{int(q['open'])}"


def marked(question: dict | None, changes: dict, answers: list[dict] | None = None) -> dict:
    """The question after the lecturer's change: open, revealed, one answer hidden or shown again,
    every answer of a nickname hidden (`hide_nick`), or every answer of the burst an answer is in
    (`hide_burst`: answers that came within BURST seconds of the one before, as one client sends)."""
    if question is None:
        raise Rejected("no question is asked")
    q = dict(question)
    for key in ("open", "revealed"):
        if key in changes:
            q[key] = bool(changes[key])
    hidden = set(q["hidden"])
    if "hide" in changes:
        hidden.add(str(changes["hide"])[:64])
    if "unhide" in changes:
        hidden.discard(changes["unhide"])
    if "hide_nick" in changes:
        hidden |= {a["student"] for a in answers or [] if a["nick"] == nickname(changes["hide_nick"])}
    if "hide_burst" in changes:
        hidden |= set(burst(answers or [], changes["hide_burst"]))
    q["hidden"] = sorted(hidden)
    return q


def burst(answers: list[dict], student: str) -> list[str]:
    """The students whose answers came in one run with `student`'s (each within BURST s of the last)."""
    rows = sorted(answers, key=lambda a: a["at"])
    at = next((i for i, a in enumerate(rows) if a["student"] == student), None)
    if at is None:
        return []
    lo = hi = at
    while lo > 0 and rows[lo]["at"] - rows[lo - 1]["at"] <= BURST:
        lo -= 1
    while hi + 1 < len(rows) and rows[hi + 1]["at"] - rows[hi]["at"] <= BURST:
        hi += 1
    return [a["student"] for a in rows[lo : hi + 1]]


class Rooms:
    """The seam: what the page and the live route use, whatever holds the rooms.

    A page that joined holds a ticket (`admit`): the live route serves only ticket holders and
    counts only them as following. A room is opened by an owner (a session), at most
    ROOMS_PER_OWNER at once and MAX_ROOMS in the store; `end` frees it at once."""

    name = "rooms"

    def open(self, state: dict, owner: str = "") -> tuple[str, str]:  # -> (code, secret)
        raise NotImplementedError

    def end(self, code: str, secret: str) -> None:
        """The room and everything of it go at once; only the step it was on stays (`last_step`)."""
        raise NotImplementedError

    def forget(self, code: str, ticket: str) -> None:
        """The page that held `ticket` holds another now (its server restarted, its session is new):
        it no longer counts as present under the old one (it counted twice for PRESENCE s)."""
        raise NotImplementedError

    def last_step(self, code: str) -> int | None:
        """The step a room that ended was on (for ENDED_KEPT s after its end), else None: a
        follower's page, whose slides turned without a run of its own, ends on the class's step."""
        raise NotImplementedError

    def get(self, code: str) -> Room | None:
        raise NotImplementedError

    def admit(self, code: str, secret: str | None = None) -> str | None:
        """A ticket for a page of the room: a follower's (no secret) or the lecturer's; None when
        the room does not exist (or the secret is not its)."""
        raise NotImplementedError

    def ticket_role(self, code: str, ticket: str) -> str | None:  # -> "follower" | "lecturer" | None
        raise NotImplementedError

    def publish(self, code: str, secret: str, state: dict, tab: str = "") -> int:  # -> the new version
        """The lecturer's step and settings; from `tab`, only while it leads (else Elsewhere)."""
        raise NotImplementedError

    def lead(self, code: str, secret: str, tab: str) -> None:
        """The lecturer's tab `tab` leads the class from now on (the newest tab, or one taking it back)."""
        raise NotImplementedError

    def ask(self, code: str, secret: str, kind: str, prompt: str) -> str:  # -> the question's id
        raise NotImplementedError

    def mark(self, code: str, secret: str, **changes) -> None:  # see `marked`
        raise NotImplementedError

    def answer(self, code: str, qid: str, student: str, nick: str, value: dict) -> None:
        raise NotImplementedError

    def answers(self, code: str, qid: str) -> list[dict]:
        raise NotImplementedError

    def tally(self, code: str, qid: str) -> int:
        """How many answers the question has (cheap: what the live route watches)."""
        raise NotImplementedError

    def put_data(self, code: str, secret: str, data: bytes) -> str:  # -> its digest
        """The room's uploaded word list, so followers get the lecturer's data set (stored once
        by its content hash, whatever number of rooms use it)."""
        raise NotImplementedError

    def get_data(self, code: str, digest: str) -> bytes | None:
        raise NotImplementedError

    def put_slide(self, code: str, secret: str, text: str) -> None:
        """The lecturer's step as followers' pages draw it (ui/slide.py); the latest one only."""
        raise NotImplementedError

    def get_slide(self, code: str) -> str | None:
        raise NotImplementedError

    def cue(self, code: str, secret: str, view: str, step: int | None = None) -> None:
        """The console tells the projector what to show (the projector's page applies it)."""
        raise NotImplementedError

    def heartbeat(self, code: str, ticket: str, exploring: bool = False) -> None:
        raise NotImplementedError

    def followers(self, code: str) -> int:
        """Pages of the room open and following the lecturer (a heartbeat in the last PRESENCE s)."""
        raise NotImplementedError

    def explorers(self, code: str) -> int:
        """Pages of the room open and exploring on their own."""
        raise NotImplementedError

    def is_lecturer(self, code: str, secret: str | None) -> bool:
        raise NotImplementedError

    def ping(self) -> None:
        """Raises when the store does not answer."""
        raise NotImplementedError
