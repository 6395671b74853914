"""Who may try a class code: failed tries cost a wait that doubles with each failure, counted per
session and per client address (as nginx forwards it). The right code always gets in: an address's
count falls only on the sessions that keep failing from it, so a prankster behind a hall's NAT
(or behind nginx, where every page comes from 127.0.0.1) blocks himself, not the hall."""

from __future__ import annotations

import threading
import time

TRUSTED_PROXIES = {"127.0.0.1", "::1"}  # nginx of deploy/serve.py, on the same machine


class Limiter:
    """Failures per key: `free` of them cost nothing, each one after doubles the wait before the
    key's next try (from `base` s up to `cap`); a key quiet for `forget` s starts again."""

    def __init__(self, free: int, base: float = 1.0, cap: float = 3600.0, forget: float = 600.0):
        self.free, self.base, self.cap, self.forget = free, base, cap, forget
        self._fails: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _entry(self, key: str, now: float) -> tuple[int, float]:
        count, last = self._fails.get(key, (0, 0.0))
        if count and now - last > max(self.forget, self._cost(count)):
            self._fails.pop(key, None)
            return 0, 0.0
        return count, last

    def _cost(self, count: int) -> float:
        return 0.0 if count < self.free else min(self.cap, self.base * 2 ** (count - self.free))

    def count(self, key: str) -> int:
        with self._lock:
            return self._entry(key, time.time())[0]

    def wait(self, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        now = time.time()
        with self._lock:
            count, last = self._entry(key, now)
            return max(0.0, self._cost(count) - (now - last))

    def failed(self, key: str) -> None:
        now = time.time()
        with self._lock:
            count, _ = self._entry(key, now)
            self._fails[key] = (count + 1, now)
            if len(self._fails) > 100_000:  # a flood of keys: the oldest go
                for k, _ in sorted(self._fails.items(), key=lambda kv: kv[1][1])[:50_000]:
                    del self._fails[k]


class JoinGate:
    """The join form's and the live route's one budget (one per process). The form counts a try
    made while its session must wait as one more failure of that session (hammering waits longer)."""

    SUSPECT = 3  # a session's own failures before its address's count applies to it too

    def __init__(self):
        self.sessions = Limiter(free=5)
        self.addresses = Limiter(free=30, base=0.5)

    def wait(self, session: str, address: str) -> float:
        """Seconds before this session may try a code: its own failures, and its address's once
        it failed SUSPECT times itself (a session that has not kept failing always gets to try)."""
        own = self.sessions.wait(session)
        if self.sessions.count(session) < self.SUSPECT:
            return own
        return max(own, self.addresses.wait(address))

    def route_wait(self, address: str) -> float:
        """The live route's check for a socket with a ticket that is not one (it has no session)."""
        return self.addresses.wait(address)

    def failed(self, session: str | None, address: str) -> None:
        if session:
            self.sessions.failed(session)
        self.addresses.failed(address)


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


_gate = JoinGate()


def gate() -> JoinGate:
    return _gate
