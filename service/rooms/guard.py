"""The rooms as the app uses them: a backend behind one guard that tells an outage from a bug.

When the store does not answer (Redis down, a wrong password, a data directory that is not one),
every call raises `Unavailable` with one sentence a page can show, the log gets one line when the
outage starts and one when it ends, and the backend is tried again at most every RETRY seconds
(a page's call in between fails at once, it never waits on a dead server). `get` never raises:
while the store is away it returns the room as last read, so a follower keeps its step."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from service.rooms.base import Forbidden, Rejected, Room, Rooms, Unavailable

log = logging.getLogger("makemore.rooms")
RETRY = 2.0  # s between two tries of a store that does not answer
DOWN = "Class mode is unavailable: the class store does not answer; retrying"
FULL = "the class store is full (its Redis reached maxmemory): end a class or ask the server's operator"


def outage(e: BaseException) -> bool:
    """A failure of the store, not of the caller or of this code."""
    if isinstance(e, OSError | sqlite3.OperationalError | sqlite3.DatabaseError):
        return True
    try:
        import redis
    except ImportError:  # pragma: no cover
        return False
    if isinstance(e, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return True
    text = str(e)
    return isinstance(e, redis.exceptions.ResponseError) and text.startswith(("NOAUTH", "WRONGPASS", "LOADING"))


def full(e: BaseException) -> bool:
    try:
        import redis
    except ImportError:  # pragma: no cover
        return False
    return isinstance(e, redis.exceptions.OutOfMemoryError) or (
        isinstance(e, redis.exceptions.ResponseError) and str(e).startswith("OOM")
    )


def reason(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else ""
    return text[:160] or "no answer"


class Store(Rooms):
    """`make()` builds the backend (again after an outage); `name` says which store it is."""

    def __init__(self, make, name: str):
        self._make, self.name = make, name
        self._backend: Rooms | None = None
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self._next_try = 0.0
        self._last: dict[str, Room] = {}
        self.why = ""

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def _fail(self, e: BaseException) -> Unavailable:
        with self._lock:
            if self.down_since is None:
                self.down_since = time.time()
                self.why = reason(e)
                log.error("class rooms: %s does not answer (%s); class mode is unavailable, retrying", self.name,
                          self.why)  # fmt: skip
            self._next_try = time.time() + RETRY
        return Unavailable(DOWN)

    def _ok(self) -> None:
        if self.down_since is not None:
            with self._lock:
                if self.down_since is not None:
                    log.warning("class rooms: %s answers again after %.0f s", self.name, time.time() - self.down_since)
                    self.down_since = None

    def _call(self, method: str, *args, **kwargs):
        if self.down_since is not None and time.time() < self._next_try:
            raise Unavailable(DOWN)
        try:
            if self._backend is None:
                self._backend = self._make()
            out = getattr(self._backend, method)(*args, **kwargs)
        except (Forbidden, Rejected, Unavailable):
            self._ok()
            raise
        except Exception as e:
            if full(e):
                log.error("class rooms: %s is full (%s)", self.name, reason(e))
                raise Rejected(FULL) from None
            if outage(e):
                if not hasattr(self._backend, "url"):  # the embedded default: made again on the next try
                    self._backend = None
                raise self._fail(e) from None
            raise
        self._ok()
        return out

    def announce(self) -> bool:
        """One line at start: which store, and whether it answers."""
        try:
            self._call("ping")
        except Unavailable:
            return False
        log.warning("class rooms: %s answers", self.name)
        return True

    # ---- the seam
    def get(self, code: str) -> Room | None:
        try:
            room = self._call("get", code)
        except Unavailable:
            return self._last.get(code)
        if room is None:
            self._last.pop(code, None)
        else:
            if len(self._last) > 10_000:
                self._last.clear()
            self._last[code] = room
        return room

    def ping(self) -> None:
        self._call("ping")


def _delegate(name: str):
    def call(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    call.__name__ = name
    call.__doc__ = getattr(Rooms, name).__doc__
    return call


for _name in ("open", "end", "admit", "ticket_role", "publish", "lead", "ask", "mark", "answer", "answers", "tally",
              "put_data", "get_data", "put_slide", "get_slide", "cue", "heartbeat", "followers", "explorers",
              "is_lecturer", "last_step", "forget"):  # fmt: skip
    setattr(Store, _name, _delegate(_name))
