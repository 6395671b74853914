"""Class rooms: the lecturer's state that followers see, and the answers students give.

One seam (`Rooms`, base.py), two backends, one configuration value:

- `RedisRooms` (REDIS_URL set, redis_store.py): the room lives in Redis, so every app process
  behind nginx serves the same class.
- `LocalRooms` (no REDIS_URL, local.py): one process, the same API; everything in one SQLite file
  under the data directory (MAKEMORE_DATA, default ./data), so `make app` needs no Redis and a
  restart loses no class.

`rooms()` is the process's store: the backend behind a guard (guard.py) that turns an outage into
one line for the page and one for the log. `gate()` (limits.py) is the join and answer budget,
kept in Redis when the rooms are (shared by every app process), in the process otherwise.

Who may do what: a room is opened with a secret that only the lecturer's page holds (the join link
carries only the code); every call that moves the room, asks or reveals takes the secret and
compares its hash in constant time. A page that joined holds a ticket the server issued (`admit`);
the live route serves only ticket holders and counts only them. A student is the server's own
session token, never a value from the browser. Codes are 6 characters of a 32-symbol alphabet
(2^30 codes); a client that guesses pays a wait that doubles with each failure, and joins and
answers are budgeted per session (strict) and per address (generous: a hall behind one NAT is
never refused; limits.py). Of the lecturer's tabs, the newest leads (`lead`): another tab's
`publish` is refused with Elsewhere until it takes the class back.
"""

from __future__ import annotations

import os
import threading

from service.rooms.base import (
    ALPHABET,
    ANSWER_GAP,
    BURST,
    CODE_LENGTH,
    MAX_ANSWER,
    MAX_DATA,
    MAX_NICK,
    MAX_ROOMS,
    MAX_SLIDE,
    MAX_STATE,
    PRESENCE,
    ROOMS_PER_OWNER,
    TICKET,
    TTL,
    VIEWS,
    Elsewhere,
    Forbidden,
    Rejected,
    Room,
    Rooms,
    Unavailable,
    burst,
    nickname,
    question_sign,
    valid_code,
)
from service.rooms.base import new_code as new_code
from service.rooms.guard import Store
from service.rooms.limits import (
    ADDRESS_ANSWERS,
    ADDRESS_JOINS,
    JOINS_FREE,
    SESSION_ANSWERS,
    Counts,
    JoinGate,
    Limiter,
    RedisCounts,
    client_address,
    gate,
)
from service.rooms.local import LocalRooms, data_dir
from service.rooms.redis_store import RedisRooms, redacted

__all__ = [
    "ADDRESS_ANSWERS",
    "ADDRESS_JOINS",
    "ALPHABET",
    "ANSWER_GAP",
    "BURST",
    "CODE_LENGTH",
    "JOINS_FREE",
    "MAX_ANSWER",
    "MAX_DATA",
    "MAX_NICK",
    "MAX_ROOMS",
    "MAX_SLIDE",
    "MAX_STATE",
    "PRESENCE",
    "ROOMS_PER_OWNER",
    "SESSION_ANSWERS",
    "TICKET",
    "TTL",
    "VIEWS",
    "Counts",
    "Elsewhere",
    "Forbidden",
    "JoinGate",
    "Limiter",
    "LocalRooms",
    "RedisCounts",
    "RedisRooms",
    "Rejected",
    "Room",
    "Rooms",
    "Store",
    "Unavailable",
    "burst",
    "client_address",
    "gate",
    "new_code",
    "nickname",
    "question_sign",
    "rooms",
    "store",
    "valid_code",
]

_rooms: Store | None = None
_rooms_lock = threading.Lock()


def store(url: str | None = None, folder=None) -> Store:
    """A guarded store: Redis at `url` when given, else the embedded default in `folder`."""
    if url:
        return Store(lambda: RedisRooms(url), f"Redis at {redacted(url)}")
    where = folder or data_dir()
    return Store(lambda: LocalRooms(where), f"SQLite file {where}/rooms.sqlite3")


def rooms() -> Store:
    """The process's rooms: Redis when REDIS_URL is set, else the embedded default."""
    global _rooms
    with _rooms_lock:
        if _rooms is None:
            _rooms = store(os.environ.get("REDIS_URL", ""))
        return _rooms
