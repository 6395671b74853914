"""The embedded default (no REDIS_URL): one process, every room, ticket, slide, word list and
answer in one SQLite file under the data directory (MAKEMORE_DATA, default ./data), so a restart
of the process loses no class and `make app` needs no server. Presence is memory only.

The file is watched: deleted or replaced while the process runs, it is written anew from the copy
the process still holds open (one log line); unreadable at start, it is moved aside (kept, never
deleted) and a new one is made (one log line)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

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

log = logging.getLogger("makemore.rooms")
FILE = "rooms.sqlite3"
OLD_FILE = "answers.sqlite3"  # the versions before rooms persisted: answers only
VERSION = 4  # PRAGMA user_version of a file of this schema
SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, secret TEXT, owner TEXT, state TEXT, version INTEGER,
  question TEXT, updated REAL, leader TEXT);
CREATE TABLE IF NOT EXISTS answers (room TEXT, question TEXT, student TEXT, nick TEXT, value TEXT, at REAL,
  PRIMARY KEY (room, question, student));
CREATE TABLE IF NOT EXISTS tickets (room TEXT, ticket TEXT, role TEXT, PRIMARY KEY (room, ticket));
CREATE TABLE IF NOT EXISTS slides (room TEXT PRIMARY KEY, text TEXT);
CREATE TABLE IF NOT EXISTS data (digest TEXT PRIMARY KEY, bytes BLOB);
CREATE TABLE IF NOT EXISTS room_data (room TEXT PRIMARY KEY, digest TEXT);
CREATE TABLE IF NOT EXISTS cues (room TEXT PRIMARY KEY, cue TEXT);
CREATE TABLE IF NOT EXISTS ended (room TEXT PRIMARY KEY, step INTEGER, at REAL);
"""


def migrate(db: sqlite3.Connection, path) -> None:
    """A file of an earlier schema brought to this one: tables it lacks are made (SCHEMA's IF NOT
    EXISTS), columns it lacks are added (empty), and the file is marked with VERSION."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version >= VERSION:
        return
    want = sqlite3.connect(":memory:")
    want.executescript(SCHEMA)
    added = []
    for (table,) in want.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for _, column, kind, *_ in want.execute(f"PRAGMA table_info({table})").fetchall():
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                added.append(f"{table}.{column}")
    want.close()
    db.execute(f"PRAGMA user_version = {VERSION}")
    if added:
        log.warning("class rooms: %s was of an earlier schema; added %s", path, ", ".join(added))


def data_dir() -> Path:
    return Path(os.environ.get("MAKEMORE_DATA") or "data")


class LocalRooms(Rooms):
    """One process: the rooms in SQLite (they survive a restart of the process), presence in memory."""

    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder or data_dir())
        if self.folder.exists() and not self.folder.is_dir():
            raise NotADirectoryError(f"the data directory {self.folder} is not a directory")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / FILE
        self.name = f"SQLite file {self.path}"
        self._lock = threading.RLock()
        self._seen: dict[tuple[str, str], float] = {}
        self._last_answer: dict[str, float] = {}
        self._db = self._connect()

    # ---- the file
    def _connect(self) -> sqlite3.Connection:
        try:
            db = self._open()
        except sqlite3.DatabaseError as e:
            aside = self.path.with_name(f"{FILE}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(self.path) + suffix)
                if part.exists():
                    part.rename(str(aside) + suffix)
            log.error("class rooms: %s could not be read (%s); kept as %s, a new one made", self.path, e, aside.name)
            db = self._open()
        self._inode = os.stat(self.path).st_ino
        return db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            migrate(db, self.path)
            db.execute("SELECT COUNT(*) FROM rooms").fetchone()
            self._take_old_answers(db)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _take_old_answers(self, db: sqlite3.Connection) -> None:
        """The answers file of the versions before this one (answers.sqlite3, rooms in memory): its
        answers are copied in and the file is kept aside, renamed (one log line)."""
        old = self.folder / OLD_FILE
        if not old.exists():
            return
        db.execute("ATTACH DATABASE ? AS old", (str(old),))
        try:
            have = {row[1] for row in db.execute("PRAGMA old.table_info(answers)")}
            took = 0
            if {"room", "question", "student", "nick", "value", "at"} <= have:
                before = db.total_changes
                db.execute(
                    "INSERT OR IGNORE INTO answers (room, question, student, nick, value, at) SELECT room, question, student, nick, value, at FROM old.answers"
                )
                took = db.total_changes - before
        finally:
            db.execute("DETACH DATABASE old")
        aside = old.with_name(f"{OLD_FILE}.migrated-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(old) + suffix)
            if part.exists():
                part.rename(str(aside) + suffix)
        log.warning("class rooms: %d answers of %s (an earlier version's file) moved into %s; it is kept as %s", took,
                    OLD_FILE, FILE, aside.name)  # fmt: skip

    def _check(self) -> sqlite3.Connection:  # holds self._lock
        """The connection, after making sure its file is still the one on disk: a file deleted or
        replaced under the process is written anew from the open copy, so no answer is lost."""
        try:
            same = os.stat(self.path).st_ino == self._inode
        except FileNotFoundError:
            same = False
        if not same:
            old = self._db
            self.folder.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            new = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            old.backup(new)
            old.close()
            new.execute("PRAGMA journal_mode=WAL")
            self._db, self._inode = new, os.stat(self.path).st_ino
            (rooms,) = new.execute("SELECT COUNT(*) FROM rooms").fetchone()
            (answers,) = new.execute("SELECT COUNT(*) FROM answers").fetchone()
            log.error(
                "class rooms: %s was deleted or replaced while in use; written again from the open copy "
                "(%d rooms, %d answers)",
                self.path,
                rooms,
                answers,
            )
        return self._db

    def _q(self, sql: str, args=()) -> list:
        with self._lock:
            return self._check().execute(sql, args).fetchall()

    def ping(self) -> None:
        self._q("SELECT 1")

    # ---- rooms
    def _row(self, code: str):  # -> (Room, secret digest) or None
        if not valid_code(code):
            return None
        rows = self._q("SELECT state, version, question, updated, secret, leader FROM rooms WHERE code = ?", (code,))
        if not rows:
            return None
        state, version, question, updated, secret, leader = rows[0]
        if time.time() - updated > TTL:
            self._drop(code)
            return None
        cue = self._q("SELECT cue FROM cues WHERE room = ?", (code,))
        room = Room(code, json.loads(state), int(version), json.loads(question), updated)
        room.cue = json.loads(cue[0][0]) if cue else None
        room.leader = leader or ""
        return room, secret

    def _lecturer(self, code: str, secret) -> Room:
        row = self._row(code)
        if row is None or not hmac.compare_digest(row[1], digest(str(secret))):
            raise Forbidden("not this room's lecturer")
        return row[0]

    def _drop(self, code: str) -> None:
        with self._lock:
            db = self._check()
            db.execute("BEGIN")
            for table, key in (
                ("rooms", "code"),
                ("tickets", "room"),
                ("slides", "room"),
                ("room_data", "room"),
                ("cues", "room"),
            ):
                db.execute(f"DELETE FROM {table} WHERE {key} = ?", (code,))
            db.execute("DELETE FROM data WHERE digest NOT IN (SELECT digest FROM room_data)")
            db.execute("COMMIT")
            for key in [k for k in self._seen if k[0] == code]:
                del self._seen[key]

    def open(self, state: dict, owner: str = "") -> tuple[str, str]:
        text = encode(state, MAX_STATE, "the room's state")
        secret = secrets_token()
        now = time.time()
        with self._lock:
            for (code,) in self._q("SELECT code FROM rooms WHERE updated < ?", (now - TTL,)):
                self._drop(code)
            self._q("DELETE FROM ended WHERE at < ?", (now - ENDED_KEPT,))
            (mine,) = self._q("SELECT COUNT(*) FROM rooms WHERE owner = ?", (owner,))[0] if owner else (0,)
            if mine >= ROOMS_PER_OWNER:
                raise Rejected(f"this page has {mine} classes open: end one first")
            (total,) = self._q("SELECT COUNT(*) FROM rooms")[0]
            if total >= MAX_ROOMS:
                raise Rejected(f"the server holds {total} classes, its most: try again when one ends")
            code = new_code()
            while self._q("SELECT 1 FROM rooms WHERE code = ? UNION SELECT 1 FROM ended WHERE room = ?", (code, code)):
                code = new_code()
            self._q(
                "INSERT INTO rooms (code, secret, owner, state, version, question, updated) VALUES (?, ?, ?, ?, 1, 'null', ?)",
                (code, digest(secret), owner, text, now),
            )
        return code, secret

    def end(self, code: str, secret: str) -> None:
        with self._lock:
            room = self._lecturer(code, secret)
            self._drop(code)
            self._q("DELETE FROM answers WHERE room = ?", (code,))
            self._q("INSERT OR REPLACE INTO ended (room, step, at) VALUES (?, ?, ?)",
                    (code, step_of(room), time.time()))  # fmt: skip

    def last_step(self, code: str) -> int | None:
        rows = self._q("SELECT step FROM ended WHERE room = ? AND at > ?", (code, time.time() - ENDED_KEPT))
        return int(rows[0][0]) if rows else None

    def get(self, code: str) -> Room | None:
        row = self._row(code)
        return None if row is None else row[0]

    def is_lecturer(self, code: str, secret: str | None) -> bool:
        try:
            return secret is not None and self._lecturer(code, secret) is not None
        except Forbidden:
            return False

    def admit(self, code: str, secret: str | None = None) -> str | None:
        with self._lock:
            if secret is None:
                if self._row(code) is None:
                    return None
                role = "follower"
            else:
                if not self.is_lecturer(code, secret):
                    return None
                role = "lecturer"
            ticket = new_ticket()
            self._q("INSERT INTO tickets (room, ticket, role) VALUES (?, ?, ?)", (code, digest(ticket), role))
            return ticket

    def ticket_role(self, code: str, ticket: str) -> str | None:
        if not valid_code(code):
            return None
        rows = self._q("SELECT role FROM tickets WHERE room = ? AND ticket = ?", (code, digest(ticket)))
        return rows[0][0] if rows and self._row(code) is not None else None

    def _write(self, code: str, secret: str, **changes) -> Room:
        with self._lock:
            room = self._lecturer(code, secret)
            tab = changes.pop("tab", "")
            if tab and room.leader and room.leader != tab:
                raise Elsewhere("this class is now led from another tab")
            if "leader" in changes and changes["leader"] != room.leader:
                room.leader, changes["bump"] = changes["leader"], True
            bump = changes.pop("bump", False)
            if "state" in changes and changes["state"] != room.state:
                room.state, bump = changes["state"], True
            if "question" in changes:
                room.question = changes["question"]
            room.version += int(bump)
            self._q(
                "UPDATE rooms SET state = ?, version = ?, question = ?, updated = ?, leader = ? WHERE code = ?",
                (json.dumps(room.state), room.version, json.dumps(room.question), time.time(), room.leader, code),
            )
            return room

    def publish(self, code: str, secret: str, state: dict, tab: str = "") -> int:
        encode(state, MAX_STATE, "the room's state")
        return self._write(code, secret, state=dict(state), tab=tab).version

    def lead(self, code: str, secret: str, tab: str) -> None:
        self._write(code, secret, leader=str(tab)[:64])

    def ask(self, code: str, secret: str, kind: str, prompt: str) -> str:
        room = self.get(code)
        q = new_question(kind, prompt, room.question if room else None)
        self._write(code, secret, question=q, bump=True)
        return q["id"]

    def mark(self, code: str, secret: str, **changes) -> None:
        with self._lock:
            room = self._lecturer(code, secret)
            answers = self.answers(code, room.question["id"]) if room.question else []
            self._write(code, secret, question=marked(room.question, changes, answers), bump=True)

    def answer(self, code: str, qid: str, student: str, nick: str, value: dict) -> None:
        text = encode(value, MAX_ANSWER, "the answer")
        with self._lock:
            row = self._row(code)
            q = row[0].question if row else None
            if q is None or q["id"] != qid or not q["open"]:
                raise Rejected("this question is closed")
            check_data(row[0].state, value)
            now = time.time()
            if now - self._last_answer.get(student, 0.0) < ANSWER_GAP:
                raise Rejected("one answer a second")
            self._last_answer[student] = now
            try:
                self._q(
                    "INSERT INTO answers (room, question, student, nick, value, at) VALUES (?, ?, ?, ?, ?, ?)",
                    (code, qid, student, nickname(nick), text, now),
                )
            except sqlite3.IntegrityError:
                raise Rejected("you have answered this question") from None

    def answers(self, code: str, qid: str) -> list[dict]:
        rows = self._q(
            "SELECT student, nick, value, at FROM answers WHERE room = ? AND question = ? ORDER BY at", (code, qid)
        )
        return [{"student": s, "nick": n, "value": json.loads(v), "at": a} for s, n, v, a in rows]

    def tally(self, code: str, qid: str) -> int:
        return int(self._q("SELECT COUNT(*) FROM answers WHERE room = ? AND question = ?", (code, qid))[0][0])

    def put_data(self, code: str, secret: str, data: bytes) -> str:
        if len(data) > MAX_DATA:
            raise Rejected(f"the word list is larger than {MAX_DATA:,} bytes")
        key = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._lecturer(code, secret)
            self._q("INSERT OR IGNORE INTO data (digest, bytes) VALUES (?, ?)", (key, bytes(data)))
            self._q("INSERT OR REPLACE INTO room_data (room, digest) VALUES (?, ?)", (code, key))
            self._q("DELETE FROM data WHERE digest NOT IN (SELECT digest FROM room_data)")
        return key

    def get_data(self, code: str, digest_: str) -> bytes | None:
        if self._row(code) is None:
            return None
        rows = self._q(
            "SELECT d.bytes FROM room_data r JOIN data d ON d.digest = r.digest WHERE r.room = ? AND r.digest = ?",
            (code, str(digest_)),
        )
        return bytes(rows[0][0]) if rows else None

    def put_slide(self, code: str, secret: str, text: str) -> None:
        slide_size(text)
        with self._lock:
            self._lecturer(code, secret)
            self._q("INSERT OR REPLACE INTO slides (room, text) VALUES (?, ?)", (code, text))

    def get_slide(self, code: str) -> str | None:
        if self._row(code) is None:
            return None
        rows = self._q("SELECT text FROM slides WHERE room = ?", (code,))
        return rows[0][0] if rows else None

    def cue(self, code: str, secret: str, view: str, step: int | None = None) -> None:
        with self._lock:
            room = self._lecturer(code, secret)
            cue = checked_cue((room.cue or {}).get("n", 0) + 1, view, step)
            self._q("INSERT OR REPLACE INTO cues (room, cue) VALUES (?, ?)", (code, json.dumps(cue)))
            self._write(code, secret, bump=True)

    def heartbeat(self, code: str, ticket: str, exploring: bool = False) -> None:
        with self._lock:
            self._seen[code, digest(ticket)] = (time.time(), bool(exploring))

    def forget(self, code: str, ticket: str) -> None:
        with self._lock:
            self._seen.pop((code, digest(ticket)), None)

    def _present(self, code: str, exploring: bool) -> int:
        now = time.time()
        with self._lock:
            for key in [k for k, (t, _) in self._seen.items() if now - t > PRESENCE]:
                del self._seen[key]
            return sum(1 for (c, _), (_, x) in self._seen.items() if c == code and x == exploring)

    def followers(self, code: str) -> int:
        return self._present(code, False)

    def explorers(self, code: str) -> int:
        return self._present(code, True)


def secrets_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)
