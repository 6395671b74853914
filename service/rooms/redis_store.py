"""Rooms in Redis (REDIS_URL set): every app process behind nginx serves the same class.

A room is a hash `mm:room:{code}` (its state as JSON, a version, the hash of the lecturer's secret,
the open question, its owner, its word list's digest); the lecturer's changes are published on
`mm:room:{code}:events`; answers are a hash per question, one field per student (HSETNX: one
answer each); the tickets of the pages that joined are a hash of their digests; a word list is
`mm:data:{sha256}`, once whatever number of rooms use it. Redis persists all of it (deploy/serve.py
runs it with an append-only file under the data directory, `maxmemory` and `noeviction`: a full
store refuses writes, it never drops a room)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

from service.rooms.base import (
    ANSWER_GAP,
    ENDED_KEPT,
    MAX_ANSWER,
    MAX_DATA,
    MAX_ROOMS,
    MAX_STATE,
    PRESENCE,
    ROOMS_PER_OWNER,
    TTL,
    Elsewhere,
    Forbidden,
    Rejected,
    Room,
    Rooms,
    check_data,
    checked_cue,
    digest,
    encode,
    marked,
    new_code,
    new_question,
    new_ticket,
    nickname,
    slide_size,
    step_of,
    valid_code,
)

HEX = set("0123456789abcdef")


class RedisRooms(Rooms):
    """Across processes: every call is a few Redis commands; the lecturer's writes are atomic
    (a Lua script checks the secret and bumps the version in one step) and published."""

    _WRITE = """
    local h = redis.call('HGET', KEYS[1], 'secret')
    if not h or h ~= ARGV[1] then return -1 end
    if ARGV[8] ~= '' then
      local l = redis.call('HGET', KEYS[1], 'leader')
      if l and l ~= '' and l ~= ARGV[8] then return -2 end
    end
    local changed = 0
    if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then
      redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]); changed = 1
    end
    if ARGV[4] == '1' then changed = 1 end
    local v = redis.call('HGET', KEYS[1], 'version')
    if changed == 1 then v = redis.call('HINCRBY', KEYS[1], 'version', 1); redis.call('PUBLISH', KEYS[2], v) end
    redis.call('EXPIRE', KEYS[1], ARGV[5])
    redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
    return tonumber(v)
    """

    def __init__(self, url: str):
        import redis  # only with REDIS_URL: `make app` needs no Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # a blocking pool: a burst of answers (300 sessions in a second) waits for a connection;
        # no retries of its own: a Redis that does not answer is said at once (service/rooms/guard.py)
        common = {"socket_timeout": 5, "socket_connect_timeout": 2, "retry": Retry(NoBackoff(), 0)}
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=64, timeout=10, decode_responses=True, health_check_interval=10, **common
        )
        self._r = redis.Redis(connection_pool=pool)
        self._binary = redis.Redis.from_url(url, **common)  # a word list's bytes, not text
        self._write = self._r.register_script(self._WRITE)
        self.url = url
        self.name = f"Redis at {redacted(url)}"

    @staticmethod
    def key(code: str) -> str:
        return f"mm:room:{code}"

    def ping(self) -> None:
        self._r.ping()

    def _w(self, code: str, secret: str, field_: str = "", value: str = "", bump: bool = False, tab: str = "") -> int:
        """The lecturer's write (checked against the secret and, given `tab`, the leading tab)."""
        key = self.key(code)
        args = [digest(str(secret)), field_, value, "1" if bump else "0", TTL, time.time(), code, tab]
        v = self._write(keys=[key, key + ":events", "mm:rooms"], args=args)
        if v == -1:
            raise Forbidden("not this room's lecturer")
        if v == -2:
            raise Elsewhere("this class is now led from another tab")
        return int(v)

    def _live_rooms(self) -> int:
        self._r.zremrangebyscore("mm:rooms", 0, time.time() - TTL)
        return int(self._r.zcard("mm:rooms"))

    def open(self, state: dict, owner: str = "") -> tuple[str, str]:
        text = encode(state, MAX_STATE, "the room's state")
        if owner:
            mine = f"mm:owner:{digest(owner)}"
            self._r.zremrangebyscore(mine, 0, time.time() - TTL)
            held = [c for c in self._r.zrange(mine, 0, -1) if self._r.exists(self.key(c))]
            if len(held) >= ROOMS_PER_OWNER:
                raise Rejected(f"this page has {len(held)} classes open: end one first")
        total = self._live_rooms()
        if total >= MAX_ROOMS:
            raise Rejected(f"the server holds {total} classes, its most: try again when one ends")
        secret = secrets.token_urlsafe(24)
        while True:
            code = new_code()
            key = self.key(code)
            if self._r.exists(f"mm:ended:{code}"):  # an ended room's code is not given again while its step is kept
                continue
            if self._r.hsetnx(key, "secret", digest(secret)):
                pipe = self._r.pipeline()
                pipe.hset(key, mapping={"state": text, "version": 1, "question": "null", "owner": owner})
                pipe.expire(key, TTL)
                pipe.zadd("mm:rooms", {code: time.time()})
                if owner:
                    pipe.zadd(f"mm:owner:{digest(owner)}", {code: time.time()})
                    pipe.expire(f"mm:owner:{digest(owner)}", TTL)
                pipe.execute()
                return code, secret

    def end(self, code: str, secret: str) -> None:
        if not self.is_lecturer(code, secret):
            raise Forbidden("not this room's lecturer")
        key = self.key(code)
        room = self.get(code)
        qids = self._r.smembers(key + ":qids")
        if room is not None:
            self._r.set(f"mm:ended:{code}", step_of(room), ex=ENDED_KEPT)
        self._r.delete(
            key,
            key + ":slide",
            key + ":tickets",
            key + ":seen",
            key + ":exploring",
            key + ":qids",
            *(f"{key}:answers:{q}" for q in qids),
        )
        self._r.zrem("mm:rooms", code)
        self._r.publish(key + ":events", "ended")

    def last_step(self, code: str) -> int | None:
        step = self._r.get(f"mm:ended:{code}") if valid_code(code) else None
        return int(step) if step is not None and str(step).isdigit() else None

    def get(self, code: str) -> Room | None:
        if not valid_code(code):
            return None
        h = self._r.hgetall(self.key(code))
        if not h or "state" not in h:
            return None
        room = Room(code, json.loads(h["state"]), int(h["version"]), json.loads(h.get("question", "null")))
        room.cue = json.loads(h.get("cue", "null"))
        room.leader = h.get("leader", "")
        return room

    def is_lecturer(self, code: str, secret: str | None) -> bool:
        if secret is None or not valid_code(code):
            return False
        h = self._r.hget(self.key(code), "secret")
        return h is not None and hmac.compare_digest(h, digest(str(secret)))

    def admit(self, code: str, secret: str | None = None) -> str | None:
        if not valid_code(code):
            return None
        if secret is None:
            if not self._r.exists(self.key(code)):
                return None
            role = "follower"
        else:
            if not self.is_lecturer(code, secret):
                return None
            role = "lecturer"
        ticket = new_ticket()
        key = f"{self.key(code)}:tickets"
        pipe = self._r.pipeline()
        pipe.hset(key, digest(ticket), role)
        pipe.expire(key, TTL)
        pipe.execute()
        return ticket

    def ticket_role(self, code: str, ticket: str) -> str | None:
        if not valid_code(code):
            return None
        return self._r.hget(f"{self.key(code)}:tickets", digest(ticket))

    def publish(self, code: str, secret: str, state: dict, tab: str = "") -> int:
        return self._w(code, secret, "state", encode(state, MAX_STATE, "the room's state"), tab=tab)

    def lead(self, code: str, secret: str, tab: str) -> None:
        self._w(code, secret, "leader", str(tab)[:64])

    def ask(self, code: str, secret: str, kind: str, prompt: str) -> str:
        room = self.get(code)
        q = new_question(kind, prompt, room.question if room else None)
        self._w(code, secret, "question", json.dumps(q), bump=True)
        self._r.sadd(f"{self.key(code)}:qids", q["id"])
        self._r.expire(f"{self.key(code)}:qids", TTL)
        return q["id"]

    def mark(self, code: str, secret: str, **changes) -> None:
        if not self.is_lecturer(code, secret):
            raise Forbidden("not this room's lecturer")
        room = self.get(code)
        q = room.question if room else None
        answers = self.answers(code, q["id"]) if q else []
        self._w(code, secret, "question", json.dumps(marked(q, changes, answers)), bump=True)

    def answer(self, code: str, qid: str, student: str, nick: str, value: dict) -> None:
        text = encode(value, MAX_ANSWER, "the answer")
        room = self.get(code)
        q = room.question if room else None
        if q is None or q["id"] != qid or not q["open"]:
            raise Rejected("this question is closed")
        check_data(room.state, value)
        if not self._r.set(f"mm:rate:{digest(student)}", 1, nx=True, px=int(ANSWER_GAP * 1000)):
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
        key = hashlib.sha256(data).hexdigest()
        if not self._binary.expire(f"mm:data:{key}", TTL):  # stored already: its time starts again
            self._binary.set(f"mm:data:{key}", data, ex=TTL)
        self._r.hset(self.key(code), "data", key)
        return key

    def get_data(self, code: str, digest_: str) -> bytes | None:
        if not valid_code(code) or not set(str(digest_)) <= HEX or self._r.hget(self.key(code), "data") != digest_:
            return None
        return self._binary.get(f"mm:data:{digest_}")

    def put_slide(self, code: str, secret: str, text: str) -> None:
        slide_size(text)
        if not self.is_lecturer(code, secret):
            raise Forbidden("not this room's lecturer")
        self._r.set(f"{self.key(code)}:slide", text, ex=TTL)

    def get_slide(self, code: str) -> str | None:
        return self._r.get(f"{self.key(code)}:slide") if valid_code(code) else None

    def cue(self, code: str, secret: str, view: str, step: int | None = None) -> None:
        room = self.get(code)
        cue = checked_cue(((room.cue if room else None) or {}).get("n", 0) + 1, view, step)
        self._w(code, secret, "cue", json.dumps(cue), bump=True)

    def heartbeat(self, code: str, ticket: str, exploring: bool = False) -> None:
        # two sets: a page that starts exploring leaves the following one at once
        here, there = (":exploring", ":seen") if exploring else (":seen", ":exploring")
        now = time.time()
        pipe = self._r.pipeline()
        pipe.zadd(self.key(code) + here, {digest(ticket): now})
        pipe.zrem(self.key(code) + there, digest(ticket))
        for key in (here, there):
            pipe.zremrangebyscore(self.key(code) + key, 0, now - PRESENCE)
            pipe.expire(self.key(code) + key, TTL)
        pipe.execute()

    def forget(self, code: str, ticket: str) -> None:
        pipe = self._r.pipeline()
        for key in (":seen", ":exploring"):
            pipe.zrem(self.key(code) + key, digest(ticket))
        pipe.execute()

    def followers(self, code: str) -> int:
        return int(self._r.zcount(f"{self.key(code)}:seen", time.time() - PRESENCE, "+inf"))

    def explorers(self, code: str) -> int:
        return int(self._r.zcount(f"{self.key(code)}:exploring", time.time() - PRESENCE, "+inf"))


def redacted(url: str) -> str:
    """A Redis URL without its password (what a log line may say)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}:{parts.port or 6379}{parts.path}"
