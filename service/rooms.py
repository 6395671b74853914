"""Class rooms: the lecturer's state that followers see, and the answers students give.

One seam (`Rooms`), two backends, one configuration value:

- `RedisRooms` (REDIS_URL set): the room lives in Redis, so every app process behind nginx serves
  the same class. A room is a hash `mm:room:{code}` (its state as JSON, a version, the hash of the
  lecturer's secret, the open question); the lecturer's changes are published on the channel
  `mm:room:{code}:events`; answers are a hash per question, one field per student (HSETNX: one
  answer each), so a process that dies loses none (Redis persists them: appendonly in serve.py).
- `LocalRooms` (no REDIS_URL): one process, the same API; rooms in memory, answers in SQLite under
  the data directory (MAKEMORE_DATA, default ./data), so `make app` needs no Redis.

Who may do what: a room is opened with a secret that only the lecturer's page holds (the join link
carries only the code); every call that moves the room, asks or reveals takes the secret and
compares its hash in constant time. A student is the server's own session token, never a value
from the browser. Codes are 6 characters of a 32-symbol alphabet (2^30 codes): a client that
guesses is limited to a few failed tries a minute (`JoinLimiter`), so enumeration takes centuries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
TTL = 4 * 3600  # s: a room no one writes to for this long is gone
MAX_STATE = 64_000  # bytes of a room's JSON state
MAX_ANSWER = 2_000  # bytes of one answer's JSON
MAX_NICK = 24  # characters
MAX_DATA = 20_000_000  # bytes of a room's uploaded word list (the upload limit)
MAX_SLIDE = 4_000_000  # bytes of a step's slide (ui/slide.py: its text and its charts' JSON)
ANSWER_GAP = 1.0  # s between two answers of one student (any question)
PRESENCE = 15.0  # s a follower counts after its last heartbeat


class Forbidden(Exception):
    """The caller does not hold the room's secret (or the room does not exist)."""


class Rejected(ValueError):
    """An answer the room does not take: too large, a second one, too soon, a closed question."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def valid_code(code: str) -> bool:
    return isinstance(code, str) and len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _encode(value, limit: int, what: str) -> str:
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    if len(text.encode()) > limit:
        raise Rejected(f"{what} is larger than {limit:,} bytes")
    return text


def _slide_size(text: str) -> None:
    if len(text.encode()) > MAX_SLIDE:
        raise Rejected(f"the slide is larger than {MAX_SLIDE:,} bytes")


def nickname(raw) -> str:
    """A nickname as text: stripped, one line, at most 24 characters ('' = anonymous)."""
    text = " ".join(str(raw or "").split())
    return text[:MAX_NICK]


@dataclass
class Room:
    code: str
    state: dict  # what followers see: the step, the settings (URL form), the data set's id
    version: int
    question: dict | None = None  # {"id", "kind", "prompt", "open", "revealed", "hidden": [...]}
    updated: float = field(default_factory=time.time)


class Rooms:
    """The seam: what the page and the live route use, whatever holds the rooms."""

    def open(self, state: dict) -> tuple[str, str]:  # -> (code, secret)
        raise NotImplementedError

    def get(self, code: str) -> Room | None:
        raise NotImplementedError

    def publish(self, code: str, secret: str, state: dict) -> int:  # -> the new version
        raise NotImplementedError

    def ask(self, code: str, secret: str, kind: str, prompt: str) -> str:  # -> the question's id
        raise NotImplementedError

    def mark(self, code: str, secret: str, **changes) -> None:  # open / revealed / hidden of the question
        raise NotImplementedError

    def answer(self, code: str, qid: str, student: str, nick: str, value: dict) -> None:
        raise NotImplementedError

    def answers(self, code: str, qid: str) -> list[dict]:
        raise NotImplementedError

    def tally(self, code: str, qid: str) -> int:
        """How many answers the question has (cheap: what the live route watches)."""
        raise NotImplementedError

    def put_data(self, code: str, secret: str, data: bytes) -> str:  # -> its digest
        """The room's uploaded word list, so followers get the lecturer's data set."""
        raise NotImplementedError

    def get_data(self, code: str, digest: str) -> bytes | None:
        raise NotImplementedError

    def put_slide(self, code: str, secret: str, text: str) -> None:
        """The lecturer's step as followers' pages draw it (ui/slide.py); the latest one only."""
        raise NotImplementedError

    def get_slide(self, code: str) -> str | None:
        raise NotImplementedError

    def heartbeat(self, code: str, student: str) -> None:
        raise NotImplementedError

    def followers(self, code: str) -> int:
        raise NotImplementedError

    def is_lecturer(self, code: str, secret: str | None) -> bool:
        raise NotImplementedError


def _question(kind: str, prompt: str) -> dict:
    return {"id": secrets.token_hex(6), "kind": kind, "prompt": prompt, "open": True, "revealed": False, "hidden": []}


def question_sign(q: dict | None) -> str:
    """What a follower's page reruns for (its answer form): a question asked, closed or reopened."""
    return "" if q is None else f"{q['id']}:{int(q['open'])}"


def _marked(question: dict | None, changes: dict) -> dict:
    if question is None:
        raise Rejected("no question is asked")
    q = dict(question)
    for key in ("open", "revealed"):
        if key in changes:
            q[key] = bool(changes[key])
    if "hide" in changes:
        q["hidden"] = sorted({*q["hidden"], str(changes["hide"])[:64]})
    if "unhide" in changes:
        q["hidden"] = [h for h in q["hidden"] if h != changes["unhide"]]
    return q


class LocalRooms(Rooms):
    """One process: rooms in memory, answers in SQLite (they survive a restart of the process)."""

    def __init__(self, data_dir: Path | str | None = None):
        folder = Path(data_dir or os.environ.get("MAKEMORE_DATA", "data"))
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "answers.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (room TEXT, question TEXT, student TEXT, nick TEXT, value TEXT,"
            " at REAL, PRIMARY KEY (room, question, student))"
        )
        self._rooms: dict[str, tuple[Room, str]] = {}
        self._data: dict[str, tuple[str, bytes]] = {}
        self._slides: dict[str, str] = {}
        self._seen: dict[tuple[str, str], float] = {}
        self._last_answer: dict[str, float] = {}
        self._lock = threading.Lock()

    def _room(self, code: str) -> tuple[Room, str] | None:  # holds self._lock
        entry = self._rooms.get(code)
        if entry and time.time() - entry[0].updated > TTL:
            del self._rooms[code]
            return None
        return entry

    def _lecturer(self, code: str, secret: str) -> Room:  # holds self._lock
        entry = self._room(code)
        if entry is None or not hmac.compare_digest(entry[1], _digest(str(secret))):
            raise Forbidden("not this room's lecturer")
        return entry[0]

    def open(self, state: dict) -> tuple[str, str]:
        _encode(state, MAX_STATE, "the room's state")
        secret = secrets.token_urlsafe(24)
        with self._lock:
            code = new_code()
            while self._room(code) is not None:
                code = new_code()
            self._rooms[code] = (Room(code, dict(state), 1), _digest(secret))
        return code, secret

    def get(self, code: str) -> Room | None:
        with self._lock:
            entry = self._room(code)
            return None if entry is None else Room(**entry[0].__dict__)

    def is_lecturer(self, code: str, secret: str | None) -> bool:
        with self._lock:
            try:
                return secret is not None and self._lecturer(code, secret) is not None
            except Forbidden:
                return False

    def publish(self, code: str, secret: str, state: dict) -> int:
        _encode(state, MAX_STATE, "the room's state")
        with self._lock:
            room = self._lecturer(code, secret)
            if room.state != state:
                room.state, room.version = dict(state), room.version + 1
            room.updated = time.time()
            return room.version

    def ask(self, code: str, secret: str, kind: str, prompt: str) -> str:
        with self._lock:
            room = self._lecturer(code, secret)
            room.question, room.version, room.updated = _question(kind, prompt[:200]), room.version + 1, time.time()
            return room.question["id"]

    def mark(self, code: str, secret: str, **changes) -> None:
        with self._lock:
            room = self._lecturer(code, secret)
            room.question, room.version, room.updated = _marked(room.question, changes), room.version + 1, time.time()

    def answer(self, code: str, qid: str, student: str, nick: str, value: dict) -> None:
        text = _encode(value, MAX_ANSWER, "the answer")
        with self._lock:
            entry = self._room(code)
            q = entry[0].question if entry else None
            if q is None or q["id"] != qid or not q["open"]:
                raise Rejected("this question is closed")
            now = time.time()
            if now - self._last_answer.get(student, 0.0) < ANSWER_GAP:
                raise Rejected("one answer a second")
            self._last_answer[student] = now
        try:
            self._db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)", (code, qid, student, nickname(nick), text, now)
            )
        except sqlite3.IntegrityError:
            raise Rejected("you have answered this question") from None

    def answers(self, code: str, qid: str) -> list[dict]:
        rows = self._db.execute(
            "SELECT student, nick, value, at FROM answers WHERE room = ? AND question = ? ORDER BY at", (code, qid)
        ).fetchall()
        return [{"student": s, "nick": n, "value": json.loads(v), "at": a} for s, n, v, a in rows]

    def tally(self, code: str, qid: str) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM answers WHERE room = ? AND question = ?", (code, qid)).fetchone()
        return int(n)

    def put_data(self, code: str, secret: str, data: bytes) -> str:
        if len(data) > MAX_DATA:
            raise Rejected(f"the word list is larger than {MAX_DATA:,} bytes")
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._lecturer(code, secret)
            self._data[code] = (digest, bytes(data))
        return digest

    def get_data(self, code: str, digest: str) -> bytes | None:
        with self._lock:
            entry = self._data.get(code)
            return entry[1] if entry and entry[0] == digest and self._room(code) else None

    def put_slide(self, code: str, secret: str, text: str) -> None:
        _slide_size(text)
        with self._lock:
            self._lecturer(code, secret)
            self._slides[code] = text

    def get_slide(self, code: str) -> str | None:
        with self._lock:
            return self._slides.get(code) if self._room(code) else None

    def heartbeat(self, code: str, student: str) -> None:
        with self._lock:
            self._seen[code, student] = time.time()

    def followers(self, code: str) -> int:
        now = time.time()
        with self._lock:
            for key in [k for k, t in self._seen.items() if now - t > PRESENCE]:
                del self._seen[key]
            return sum(1 for c, _ in self._seen if c == code)


class RedisRooms(Rooms):
    """Across processes: every call is a few Redis commands; the lecturer's writes are atomic
    (a Lua script checks the secret and bumps the version in one step) and published."""

    _WRITE = """
    local h = redis.call('HGET', KEYS[1], 'secret')
    if not h or h ~= ARGV[1] then return -1 end
    local changed = 0
    if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then
      redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]); changed = 1
    end
    if ARGV[4] == '1' then changed = 1 end
    local v = redis.call('HGET', KEYS[1], 'version')
    if changed == 1 then v = redis.call('HINCRBY', KEYS[1], 'version', 1); redis.call('PUBLISH', KEYS[2], v) end
    redis.call('EXPIRE', KEYS[1], ARGV[5])
    return tonumber(v)
    """

    def __init__(self, url: str):
        import redis  # only with REDIS_URL: `make app` needs no Redis

        # a blocking pool: a burst of answers (300 sessions in a second) waits for a connection
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=64, timeout=10, decode_responses=True, socket_timeout=5, health_check_interval=10
        )
        self._r = redis.Redis(connection_pool=pool)
        self._binary = redis.Redis.from_url(url, socket_timeout=10)  # a word list's bytes, not text
        self._write = self._r.register_script(self._WRITE)
        self.url = url

    @staticmethod
    def key(code: str) -> str:
        return f"mm:room:{code}"

    def _w(self, code: str, secret: str, field_: str = "", value: str = "", bump: bool = False) -> int:
        key = self.key(code)
        v = self._write(
            keys=[key, key + ":events"], args=[_digest(str(secret)), field_, value, "1" if bump else "0", TTL]
        )
        if v == -1:
            raise Forbidden("not this room's lecturer")
        return int(v)

    def open(self, state: dict) -> tuple[str, str]:
        text = _encode(state, MAX_STATE, "the room's state")
        secret = secrets.token_urlsafe(24)
        while True:
            code = new_code()
            key = self.key(code)
            if self._r.hsetnx(key, "secret", _digest(secret)):
                self._r.hset(key, mapping={"state": text, "version": 1, "question": "null"})
                self._r.expire(key, TTL)
                return code, secret

    def get(self, code: str) -> Room | None:
        if not valid_code(code):
            return None
        h = self._r.hgetall(self.key(code))
        if not h or "state" not in h:
            return None
        return Room(code, json.loads(h["state"]), int(h["version"]), json.loads(h.get("question", "null")))

    def is_lecturer(self, code: str, secret: str | None) -> bool:
        if secret is None or not valid_code(code):
            return False
        h = self._r.hget(self.key(code), "secret")
        return h is not None and hmac.compare_digest(h, _digest(str(secret)))

    def publish(self, code: str, secret: str, state: dict) -> int:
        return self._w(code, secret, "state", _encode(state, MAX_STATE, "the room's state"))

    def ask(self, code: str, secret: str, kind: str, prompt: str) -> str:
        q = _question(kind, prompt[:200])
        self._w(code, secret, "question", json.dumps(q), bump=True)
        return q["id"]

    def mark(self, code: str, secret: str, **changes) -> None:
        if not self.is_lecturer(code, secret):
            raise Forbidden("not this room's lecturer")
        room = self.get(code)
        self._w(code, secret, "question", json.dumps(_marked(room.question if room else None, changes)), bump=True)

    def answer(self, code: str, qid: str, student: str, nick: str, value: dict) -> None:
        text = _encode(value, MAX_ANSWER, "the answer")
        room = self.get(code)
        q = room.question if room else None
        if q is None or q["id"] != qid or not q["open"]:
            raise Rejected("this question is closed")
        if not self._r.set(f"mm:rate:{student}", 1, nx=True, px=int(ANSWER_GAP * 1000)):
            raise Rejected("one answer a second")
        entry = json.dumps({"nick": nickname(nick), "value": json.loads(text), "at": time.time()})
        key = f"{self.key(code)}:answers:{qid}"
        if not self._r.hsetnx(key, student, entry):
            raise Rejected("you have answered this question")
        self._r.expire(key, TTL)
        self._r.publish(self.key(code) + ":answers", qid)

    def answers(self, code: str, qid: str) -> list[dict]:
        rows = self._r.hgetall(f"{self.key(code)}:answers:{qid}")
        out = [{"student": s, **json.loads(v)} for s, v in rows.items()]
        return sorted(out, key=lambda a: a["at"])

    def tally(self, code: str, qid: str) -> int:
        return int(self._r.hlen(f"{self.key(code)}:answers:{qid}"))

    def put_data(self, code: str, secret: str, data: bytes) -> str:
        if len(data) > MAX_DATA:
            raise Rejected(f"the word list is larger than {MAX_DATA:,} bytes")
        if not self.is_lecturer(code, secret):
            raise Forbidden("not this room's lecturer")
        digest = hashlib.sha256(data).hexdigest()
        key = f"{self.key(code)}:data:{digest}"
        self._binary.set(key, data, ex=TTL)
        return digest

    def get_data(self, code: str, digest: str) -> bytes | None:
        if not valid_code(code) or not all(c in "0123456789abcdef" for c in str(digest)):
            return None
        return self._binary.get(f"{self.key(code)}:data:{digest}")

    def put_slide(self, code: str, secret: str, text: str) -> None:
        _slide_size(text)
        if not self.is_lecturer(code, secret):
            raise Forbidden("not this room's lecturer")
        self._r.set(f"{self.key(code)}:slide", text, ex=TTL)

    def get_slide(self, code: str) -> str | None:
        return self._r.get(f"{self.key(code)}:slide") if valid_code(code) else None

    def heartbeat(self, code: str, student: str) -> None:
        key = f"{self.key(code)}:seen"
        now = time.time()
        pipe = self._r.pipeline()
        pipe.zadd(key, {student: now})
        pipe.zremrangebyscore(key, 0, now - PRESENCE)
        pipe.expire(key, TTL)
        pipe.execute()

    def followers(self, code: str) -> int:
        key = f"{self.key(code)}:seen"
        return int(self._r.zcount(key, time.time() - PRESENCE, "+inf"))


class JoinLimiter:
    """Failed join attempts, counted per client over the last minute: past the limit a client may
    not try again until the minute is over. Only failures count, so a hall behind one address joins
    at once, while guessing at 10 codes a minute would take over a century to try every code."""

    def __init__(self, per_minute: int = 10):
        self.per_minute = per_minute
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        now = time.time()
        with self._lock:
            fails = [t for t in self._fails.get(client, []) if now - t < 60]
            self._fails[client] = fails
            return len(fails) >= self.per_minute

    def failed(self, client: str) -> None:
        with self._lock:
            self._fails.setdefault(client, []).append(time.time())


_rooms: Rooms | None = None
_rooms_lock = threading.Lock()


def rooms() -> Rooms:
    """The process's rooms: Redis when REDIS_URL is set, else the embedded default."""
    global _rooms
    with _rooms_lock:
        if _rooms is None:
            url = os.environ.get("REDIS_URL", "")
            _rooms = RedisRooms(url) if url else LocalRooms()
        return _rooms
