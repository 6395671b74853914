"""Who may join a class and send answers: the attacker is limited, never the hall.

Counted per session (strict) and per client address as nginx forwards it (generous: 200 students
behind one NAT join once each and answer once a question, and are never refused):

- a wrong code costs a wait that doubles with each failure, the session's own, and its address's
  only for a session that keeps failing itself (a prankster behind a hall's NAT blocks himself);
- a session joins JOINS_FREE classes freely, each join after costs a doubling wait;
- an address joins at most ADDRESS_JOINS times in JOIN_WINDOW s, and sends at most ADDRESS_ANSWERS
  answers to one question (a hall of 300 several times over);
- a session sends at most SESSION_ANSWERS answers (or tries) a minute.

A try refused costs as one more of what refused it: hammering waits longer. The counts live
where the rooms do: in Redis when REDIS_URL is set (every app process behind nginx shares them),
in the process for the embedded default (`Counts` and `RedisCounts`, one interface)."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import secrets
import threading
import time
from collections import deque

log = logging.getLogger("makemore.rooms")
TRUSTED_PROXIES = {"127.0.0.1", "::1"}  # nginx of deploy/serve.py, on the same machine

JOINS_FREE = 3  # joins of one session before each costs a wait (2 s, 4 s, ...)
ADDRESS_JOINS = 1000  # joins from one address in JOIN_WINDOW (a hall of 300, each page reconnecting once)
JOIN_WINDOW = 600.0  # s
ADDRESS_ANSWERS = 1000  # answers from one address to one question
SESSION_ANSWERS = 10  # answers (or tries) of one session in ANSWER_WINDOW
ANSWER_WINDOW = 60.0  # s
QUESTION_WINDOW = 4 * 3600.0  # s: a question's answers are counted this long (a room's TTL)


class Counts:
    """The counters in this process: failures per key (a count, the time of the last, and when the
    key is forgotten), and hits per key in a sliding window."""

    def __init__(self):
        self._fails: dict[str, tuple[int, float, float]] = {}  # key -> (count, last, expires)
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def fails(self, key: str) -> tuple[int, float]:
        now = time.time()
        with self._lock:
            count, last, expires = self._fails.get(key, (0, 0.0, 0.0))
            if count and now >= expires:
                del self._fails[key]
                return 0, 0.0
            return count, last

    def fail(self, key: str, ttl) -> None:
        """One more failure of `key`; `ttl(count)` is how long the key is kept after it."""
        now = time.time()
        with self._lock:
            count, _, expires = self._fails.get(key, (0, 0.0, 0.0))
            count = count + 1 if now < expires else 1
            self._fails[key] = (count, now, now + ttl(count))
            if len(self._fails) > 100_000:  # a flood of keys: the oldest go
                for k, _ in sorted(self._fails.items(), key=lambda kv: kv[1][1])[:50_000]:
                    del self._fails[k]

    def hits(self, key: str, window: float) -> int:
        with self._lock:
            return len(self._trim(key, time.time() - window))

    def hit(self, key: str, window: float) -> None:
        now = time.time()
        with self._lock:
            self._trim(key, now - window).append(now)
            if len(self._hits) > 100_000:
                for k in [k for k, q in self._hits.items() if not q][:50_000] or list(self._hits)[:50_000]:
                    del self._hits[k]

    def _trim(self, key: str, since: float) -> deque:
        q = self._hits.setdefault(key, deque())
        while q and q[0] <= since:
            q.popleft()
        return q


class RedisCounts:
    """The same counters in Redis, shared by every app process: a failure is a hash (HINCRBY, its
    time, EXPIRE), a window a sorted set of times (ZADD, ZREMRANGEBYSCORE, ZCARD, EXPIRE). While
    Redis does not answer, the process counts on its own (one log line)."""

    def __init__(self, url: str):
        import redis

        self._r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=1)
        self._errors = (redis.exceptions.RedisError, OSError)
        self.local = Counts()
        self._down = False

    @staticmethod
    def _key(kind: str, key: str) -> str:
        return f"mm:gate:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    def _try(self, name: str, *args):
        try:
            out = getattr(self, "_" + name)(*args)
        except self._errors as e:
            if not self._down:
                self._down = True
                log.error("class join budget: Redis does not answer (%s); counted in this process meanwhile", e)
            return getattr(self.local, name)(*args)
        self._down = False
        return out

    def fails(self, key: str) -> tuple[int, float]:
        return self._try("fails", key)

    def fail(self, key: str, ttl) -> None:
        self._try("fail", key, ttl)

    def hits(self, key: str, window: float) -> int:
        return self._try("hits", key, window)

    def hit(self, key: str, window: float) -> None:
        self._try("hit", key, window)

    def _fails(self, key: str) -> tuple[int, float]:
        h = self._r.hgetall(self._key("f", key))  # gone once its time ran out (EXPIRE)
        return (int(h["n"]), float(h["at"])) if h.get("n") and h.get("at") else (0, 0.0)

    def _fail(self, key: str, ttl) -> None:
        k = self._key("f", key)
        pipe = self._r.pipeline()
        pipe.hincrby(k, "n", 1)
        pipe.hset(k, "at", repr(time.time()))
        count, _ = pipe.execute()
        self._r.expire(k, max(1, math.ceil(ttl(int(count)))))

    def _hits(self, key: str, window: float) -> int:
        k = self._key("w", key)
        pipe = self._r.pipeline()
        pipe.zremrangebyscore(k, "-inf", time.time() - window)
        pipe.zcard(k)
        return int(pipe.execute()[1])

    def _hit(self, key: str, window: float) -> None:
        k, now = self._key("w", key), time.time()
        pipe = self._r.pipeline()
        pipe.zadd(k, {f"{now!r}:{secrets.token_hex(4)}": now})
        pipe.zremrangebyscore(k, "-inf", now - window)
        pipe.expire(k, max(1, math.ceil(window)))
        pipe.execute()


class Limiter:
    """Failures per key: `free` of them cost nothing, each one after doubles the wait before the
    key's next try (from `base` s up to `cap`); a key quiet for `forget` s (or its wait, if longer)
    starts again."""

    def __init__(self, counts, kind: str, free: int, base: float = 1.0, cap: float = 3600.0, forget: float = 600.0):
        self.counts, self.kind = counts, kind
        self.free, self.base, self.cap, self.forget = free, base, cap, forget

    def _cost(self, count: int) -> float:
        return 0.0 if count < self.free else min(self.cap, self.base * 2 ** (count - self.free))

    def count(self, key: str) -> int:
        return self.counts.fails(f"{self.kind}:{key}")[0]

    def wait(self, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        count, last = self.counts.fails(f"{self.kind}:{key}")
        return max(0.0, self._cost(count) - (time.time() - last))

    def failed(self, key: str) -> None:
        self.counts.fail(f"{self.kind}:{key}", lambda n: max(self.forget, self._cost(n)))


class Window:
    """At most `limit` hits per key in the last `window` s."""

    def __init__(self, counts, kind: str, limit: int, window: float):
        self.counts, self.kind, self.limit, self.window = counts, kind, limit, window

    def full(self, key: str) -> bool:
        return self.counts.hits(f"{self.kind}:{key}", self.window) >= self.limit

    def add(self, key: str) -> None:
        self.counts.hit(f"{self.kind}:{key}", self.window)


class JoinGate:
    """The join form's, the live route's and the answer form's budgets (one per store)."""

    SUSPECT = 3  # a session's own failures before its address's count applies to it too

    def __init__(self, counts: Counts | RedisCounts | None = None):
        self.counts = counts if counts is not None else Counts()
        c = self.counts
        self.sessions = Limiter(c, "fail-session", free=5)
        self.addresses = Limiter(c, "fail-address", free=30, base=0.5)
        self.session_joins = Limiter(c, "join-session", free=JOINS_FREE, base=2.0, forget=JOIN_WINDOW)
        self.address_joins = Window(c, "join-address", ADDRESS_JOINS, JOIN_WINDOW)
        self.session_answers = Window(c, "answer-session", SESSION_ANSWERS, ANSWER_WINDOW)
        self.address_answers = Window(c, "answer-address", ADDRESS_ANSWERS, QUESTION_WINDOW)

    def wait(self, session: str, address: str) -> float:
        """Seconds before this session may try a code: its own failures, and its address's once
        it failed SUSPECT times itself (a session that has not kept failing always gets to try)."""
        own = self.sessions.wait(session)
        if self.sessions.count(session) < self.SUSPECT:
            return own
        return max(own, self.addresses.wait(address))

    def refusal(self, session: str, address: str) -> str:
        """Why this session may not try a code now, in one line ('' when it may). A refused try
        costs as one more of what refused it: hammering waits longer."""
        if self.wait(session, address) > 0:  # the wait said is the one after this try's cost
            self.sessions.failed(session)
            return f"Too many wrong codes from this page: try again in {math.ceil(self.wait(session, address))} s."
        if self.session_joins.wait(session) > 0:
            self.session_joins.failed(session)
            return f"Too many joins from this page: try again in {math.ceil(self.session_joins.wait(session))} s."
        if self.address_joins.full(address):
            self.session_joins.failed(session)
            return (f"{ADDRESS_JOINS} pages joined from your network in {JOIN_WINDOW / 60:.0f} minutes, "
                    "the most one network may: try again in a few minutes.")  # fmt: skip
        return ""

    def joined(self, session: str, address: str) -> None:
        self.session_joins.failed(session)
        self.address_joins.add(address)

    def route_wait(self, address: str) -> float:
        """The live route's check for a socket with a ticket that is not one (it has no session)."""
        return self.addresses.wait(address)

    def failed(self, session: str | None, address: str) -> None:
        if session:
            self.sessions.failed(session)
        self.addresses.failed(address)

    def answer_refusal(self, session: str, address: str, question: str) -> str:
        """Why this session's answer is not taken now, in one line ('' when it is); counts the try."""
        if self.session_answers.full(session):
            return "too many answers from this page: wait a minute"
        self.session_answers.add(session)
        if self.address_answers.full(f"{address}|{question}"):
            return (f"{ADDRESS_ANSWERS} answers to this question came from your network, the most one "
                    "network may send")  # fmt: skip
        return ""

    def answered(self, address: str, question: str) -> None:
        self.address_answers.add(f"{address}|{question}")


def client_address(peer: str | None, headers) -> str:
    """The client's address: the peer's, or what the trusted local proxy (nginx) says it is; a
    header from anyone else is not read (a client cannot make itself another)."""
    peer = peer or "?"
    if peer in TRUSTED_PROXIES:
        real = (headers.get("X-Real-IP") or "").strip()
        if real:
            return real[:64]
        forwarded = (headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return peer


_gate: JoinGate | None = None
_gate_lock = threading.Lock()


def gate() -> JoinGate:
    """The process's budgets: in Redis when REDIS_URL is set (shared with every app process), else here."""
    global _gate
    with _gate_lock:
        if _gate is None:
            url = os.environ.get("REDIS_URL", "")
            _gate = JoinGate(RedisCounts(url) if url else Counts())
        return _gate
