"""Class rooms on both backends: the embedded default (SQLite) and a real redis-server started by
the test. The same cases run on each: who may move a room, bounded answers, one per student, 300
answers, presence by ticket, caps, End, and what survives a restart; then the store's outages."""

import itertools
import os
import shutil
import threading
import time
from contextlib import contextmanager

import pytest

from service.rooms import (
    ADDRESS_ANSWERS,
    ADDRESS_JOINS,
    ALPHABET,
    ANSWER_GAP,
    CODE_LENGTH,
    JOINS_FREE,
    MAX_ANSWER,
    MAX_ROOMS,
    MAX_SLIDE,
    ROOMS_PER_OWNER,
    SESSION_ANSWERS,
    Counts,
    Elsewhere,
    Forbidden,
    JoinGate,
    LocalRooms,
    RedisCounts,
    RedisRooms,
    Rejected,
    Unavailable,
    client_address,
    new_code,
    nickname,
    store,
    valid_code,
)
from tools.servers import REDIS_HINT, RedisServer

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if not shutil.which("redis-server"):
        if os.environ.get("REQUIRE_BROWSER"):  # CI installs it: the Redis tests must run there
            pytest.fail(REDIS_HINT)
        pytest.skip(REDIS_HINT)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.kill()


@pytest.fixture(params=["local", "redis"])
def backend(request, tmp_path):
    if request.param == "local":
        return LocalRooms(tmp_path), None
    server = request.getfixturevalue("redis_server")
    rooms = RedisRooms(server.url)
    rooms._r.flushdb()
    return rooms, server


STATE = {"step": 3, "settings": {"smoothing": "1.0"}, "upload": None}


def test_a_room_carries_the_lecturers_state_and_counts_versions(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    assert valid_code(code) and len(secret) >= 32
    room = rooms.get(code)
    assert room.state == STATE and room.version == 1
    assert rooms.publish(code, secret, STATE) == 1, "the same state: no new version, no event"
    assert rooms.publish(code, secret, {**STATE, "step": 4}) == 2
    assert rooms.get(code).state["step"] == 4
    assert rooms.is_lecturer(code, secret) and not rooms.is_lecturer(code, secret + "x")


def test_the_newest_lecturer_tab_leads_and_end_from_either_ends_the_room(backend):
    """Two lecturer tabs (one secret): the one that took the class last sends the step, the other
    is refused (Elsewhere) until it takes the class back; End from either ends it for both."""
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    rooms.lead(code, secret, "tab-a")
    rooms.publish(code, secret, {**STATE, "step": 3}, tab="tab-a")
    rooms.lead(code, secret, "tab-b")  # a second tab opens: it leads
    assert rooms.get(code).leader == "tab-b"
    with pytest.raises(Elsewhere):
        rooms.publish(code, secret, {**STATE, "step": 7}, tab="tab-a")
    rooms.publish(code, secret, {**STATE, "step": 5}, tab="tab-b")
    steps = []
    for tab, step in (("tab-a", 3), ("tab-b", 7), ("tab-a", 3), ("tab-b", 7)):  # the fight of issue 24
        try:
            rooms.publish(code, secret, {**STATE, "step": step}, tab=tab)
        except Elsewhere:
            pass
        steps.append(rooms.get(code).state["step"])
    assert steps == [5, 7, 7, 7], f"only the leading tab moves the class: {steps}"
    rooms.lead(code, secret, "tab-a")  # the first tab takes it back
    with pytest.raises(Elsewhere):
        rooms.publish(code, secret, {**STATE, "step": 9}, tab="tab-b")
    with pytest.raises(Forbidden):
        rooms.lead(code, "not the secret", "tab-c")
    rooms.end(code, secret)  # from the tab that does not lead
    assert rooms.get(code) is None
    for tab in ("tab-a", "tab-b"):
        with pytest.raises(Forbidden):
            rooms.publish(code, secret, STATE, tab=tab)


def test_only_the_secret_moves_asks_or_reveals(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    for forged in ("", "guess", secret[:-1], secret.upper()):
        with pytest.raises(Forbidden):
            rooms.publish(code, forged, {**STATE, "step": 9})
        with pytest.raises(Forbidden):
            rooms.ask(code, forged, "likeliest", "?")
        with pytest.raises(Forbidden):
            rooms.mark(code, forged, revealed=True)
    other, _ = rooms.open(STATE)
    with pytest.raises(Forbidden):
        rooms.publish(other, secret, STATE)  # one room's secret is not another's
    with pytest.raises(Forbidden):
        rooms.publish("ZZZZZZ", secret, STATE)
    assert rooms.get(code).state == STATE and rooms.get(code).version == 1


def test_answers_are_bounded_one_per_student_and_only_while_open(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "likeliest", "Type the name you think the model finds likeliest")
    rooms.answer(code, qid, "student-a", "<b>Ann</b>", {"name": "anna", "nll": 2.1})
    time.sleep(ANSWER_GAP + 0.05)  # past the rate limit: a second answer is refused for being second
    with pytest.raises(Rejected, match="answered"):
        rooms.answer(code, qid, "student-a", "", {"name": "bob"})
    with pytest.raises(Rejected, match="larger"):
        rooms.answer(code, qid, "student-b", "", {"name": "x" * MAX_ANSWER})
    with pytest.raises(Rejected, match="closed"):
        rooms.answer(code, "not-a-question", "student-c", "", {"name": "c"})
    rooms.mark(code, secret, open=False)
    with pytest.raises(Rejected, match="closed"):
        rooms.answer(code, qid, "student-d", "", {"name": "d"})
    (only,) = rooms.answers(code, qid)
    assert only["nick"] == "<b>Ann</b>" and only["value"] == {"name": "anna", "nll": 2.1}, "kept literally"
    rooms.mark(code, secret, hide="student-a", revealed=True)
    q = rooms.get(code).question
    assert q["hidden"] == ["student-a"] and q["revealed"] and not q["open"]


def test_the_class_csv_holds_every_question_asked_with_iso_times_and_no_formula(backend):
    """One CSV for the class: every question asked (its number, kind, prompt), each answer under it,
    hidden ones marked, times in ISO 8601, and a nickname like '=1+1' kept as text, not a formula."""
    import csv
    import io
    import re

    from service.live import board_csv

    rooms, _ = backend
    code, secret = rooms.open(STATE)
    first = rooms.ask(code, secret, "smoothing", "Find the smoothing with the lowest dev NLL")
    rooms.answer(code, first, "student-a", "=1+1", {"smoothing": 1.0, "dev": 2.4576})
    rooms.answer(code, first, "student-b", "bea", {"smoothing": 0.5, "dev": 2.4571})
    rooms.mark(code, secret, hide="student-a")
    second = rooms.ask(code, secret, "likeliest", "Type the name you think the model finds likeliest")
    rooms.answer(code, second, "student-c", "", {"name": "anna", "nll": 2.1})
    q = rooms.get(code).question
    assert q["id"] == second and [e["id"] for e in q["earlier"]] == [first]
    text = board_csv(q, rooms.answers(code, second), {e["id"]: rooms.answers(code, e["id"]) for e in q["earlier"]})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["question"], r["kind"], r["nickname"], r["hidden"]) for r in rows] == [
        ("1", "smoothing", "'=1+1", "True"),
        ("1", "smoothing", "bea", "False"),
        ("2", "likeliest", "anonymous", "False"),
    ]
    assert rows[0]["prompt"] == "Find the smoothing with the lowest dev NLL" and rows[2]["name"] == "anna"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", r["at"]) for r in rows), rows


def test_a_student_answers_at_most_once_a_second(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    first = rooms.ask(code, secret, "predict", "NLL at s = 0?")
    rooms.answer(code, first, "s1", "", {"nll": 2.45})
    second = rooms.ask(code, secret, "predict", "and at s = 1000?")
    with pytest.raises(Rejected, match="a second"):
        rooms.answer(code, second, "s1", "", {"nll": 3.0})


def test_three_hundred_students_answer_at_once_and_none_is_lost(backend):
    rooms, server = backend
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "train", "Train with your own lr and reg")
    errors = []

    def answer(i: int) -> None:
        try:
            rooms.answer(code, qid, f"student-{i}", f"n{i}", {"lr": 1 + i, "dev": 2.5 + i / 1000})
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(300)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    got = rooms.answers(code, qid)
    assert len(got) == 300 and {a["student"] for a in got} == {f"student-{i}" for i in range(300)}
    if server is not None:  # Redis restarts (append-only file on): every answer is still there
        server.restart()
        again = RedisRooms(server.url)
        assert len(again.answers(code, qid)) == 300
        assert again.get(code).state == STATE


def test_rooms_and_answers_outlive_the_process_on_the_embedded_default(tmp_path):
    rooms = LocalRooms(tmp_path)
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "predict", "?")
    rooms.answer(code, qid, "s1", "", {"nll": 2.45})
    ticket = rooms.admit(code)
    rooms.put_slide(code, secret, '{"step": 3}')
    again = LocalRooms(tmp_path)  # a restarted process
    assert again.answers(code, qid)[0]["value"] == {"nll": 2.45}, "in SQLite under the data dir"
    assert again.is_lecturer(code, secret), "the lecturer's cookie opens the room after a restart"
    assert again.get(code).state == STATE and again.get(code).question["id"] == qid
    assert again.ticket_role(code, ticket) == "follower" and again.get_slide(code) == '{"step": 3}'


def test_a_deleted_sqlite_file_is_written_again_and_no_sent_answer_is_lost(tmp_path, caplog):
    rooms = LocalRooms(tmp_path)
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "predict", "?")
    for i in range(6):
        rooms.answer(code, qid, f"s{i}", "", {"nll": 2.0 + i})
    for part in tmp_path.glob("rooms.sqlite3*"):
        part.unlink()  # mid-class
    with caplog.at_level("ERROR", logger="makemore.rooms"):
        rooms.answer(code, qid, "s6", "", {"nll": 9.0})
    assert [r.message for r in caplog.records if "deleted or replaced" in r.message], "one log line"
    assert len(LocalRooms(tmp_path).answers(code, qid)) == 7, "after a restart: every answer sent"


def test_an_unreadable_sqlite_file_is_kept_aside_and_a_new_one_made(tmp_path, caplog):
    (tmp_path / "rooms.sqlite3").write_bytes(b"this is not a database" * 100)
    with caplog.at_level("ERROR", logger="makemore.rooms"):
        rooms = LocalRooms(tmp_path)
    code, _ = rooms.open(STATE)
    assert rooms.get(code) is not None
    (kept,) = tmp_path.glob("rooms.sqlite3.unreadable-*")
    assert kept.read_bytes().startswith(b"this is not"), "never deleted"
    (line,) = [r.message for r in caplog.records]
    assert "could not be read" in line and "\n" not in line


def test_an_earlier_versions_answers_file_is_migrated_on_start(tmp_path, caplog):
    """answers.sqlite3 as the versions before rooms persisted wrote it (4905bce..2b43a75: one
    table of answers, rooms in memory): its answers are moved into the rooms file, the old file
    kept aside, one log line; a second start finds nothing to migrate."""
    import sqlite3

    old = sqlite3.connect(tmp_path / "answers.sqlite3")
    old.execute(
        "CREATE TABLE IF NOT EXISTS answers (room TEXT, question TEXT, student TEXT, nick TEXT, value TEXT,"
        " at REAL, PRIMARY KEY (room, question, student))"
    )
    rows = [("ABCDEF", "q1", f"s{i}", f"ann{i}", '{"nll": 2.5}', 1000.0 + i) for i in range(3)]
    old.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)", rows)
    old.commit()
    old.close()
    with caplog.at_level("WARNING", logger="makemore.rooms"):
        rooms = LocalRooms(tmp_path)
    assert [(a["student"], a["nick"], a["value"]) for a in rooms.answers("ABCDEF", "q1")] == [
        (f"s{i}", f"ann{i}", {"nll": 2.5}) for i in range(3)
    ]
    assert not (tmp_path / "answers.sqlite3").exists()
    assert len(list(tmp_path.glob("answers.sqlite3.migrated-*"))) == 1, "kept, never deleted"
    said = [r.getMessage() for r in caplog.records if "answers.sqlite3" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("class rooms: 3 answers of answers.sqlite3"), said
    code, secret = rooms.open(STATE)  # and the store works as a new one does
    assert rooms.is_lecturer(code, secret)
    rooms._db.close()
    assert len(LocalRooms(tmp_path).answers("ABCDEF", "q1")) == 3, "migrated once, kept"


def test_a_rooms_file_of_an_earlier_schema_is_brought_to_this_one(tmp_path):
    """rooms.sqlite3 as 2b43a75 wrote it (no cues table) and one whose rooms table lacks a
    column: a room in it opens, moves and takes a cue."""
    import sqlite3

    old = sqlite3.connect(tmp_path / "rooms.sqlite3")
    old.executescript(
        """
        CREATE TABLE rooms (code TEXT PRIMARY KEY, secret TEXT, state TEXT, version INTEGER, question TEXT,
          updated REAL);
        CREATE TABLE answers (room TEXT, question TEXT, student TEXT, nick TEXT, value TEXT, at REAL,
          PRIMARY KEY (room, question, student));
        CREATE TABLE tickets (room TEXT, ticket TEXT, role TEXT, PRIMARY KEY (room, ticket));
        CREATE TABLE slides (room TEXT PRIMARY KEY, text TEXT);
        CREATE TABLE data (digest TEXT PRIMARY KEY, bytes BLOB);
        CREATE TABLE room_data (room TEXT PRIMARY KEY, digest TEXT);
        """
    )
    from service.rooms.base import digest

    old.execute(
        "INSERT INTO rooms VALUES ('ABCDEF', ?, ?, 1, 'null', ?)", (digest("s" * 32), '{"step": 4}', time.time())
    )
    old.commit()
    old.close()
    rooms = LocalRooms(tmp_path)
    assert rooms.get("ABCDEF").state == {"step": 4}
    assert rooms.publish("ABCDEF", "s" * 32, {"step": 5}) == 2
    rooms.cue("ABCDEF", "s" * 32, "board")
    assert rooms.get("ABCDEF").cue["view"] == "board"
    code, _ = rooms.open(STATE, owner="me")  # the column it lacked
    assert rooms.get(code) is not None


def test_a_data_directory_that_is_not_one_is_said_once_and_the_store_retries(tmp_path, caplog, monkeypatch):
    from service.rooms import guard

    monkeypatch.setattr(guard, "RETRY", 0.0)
    where = tmp_path / "data"
    where.write_text("a file")
    rooms = store(None, where)
    with caplog.at_level("WARNING", logger="makemore.rooms"):
        assert rooms.announce() is False
        for _ in range(5):
            with pytest.raises(Unavailable, match="class mode is unavailable|Class mode is unavailable"):
                rooms.open(STATE)
        assert rooms.get("ABCDEF") is None
        where.unlink()
        assert rooms.open(STATE)
    lines = [r.message for r in caplog.records]
    assert len(lines) == 2, lines
    assert "not a directory" in lines[0] and "retrying" in lines[0] and "answers again" in lines[1]
    assert all("Traceback" not in m and "Error:" not in m for m in lines)


def test_followers_are_counted_while_their_pages_beat(backend):
    rooms, _ = backend
    code, _ = rooms.open(STATE)
    tickets = [rooms.admit(code) for _ in range(5)]
    for t in tickets:
        rooms.heartbeat(code, t)
    rooms.heartbeat(code, tickets[0])
    assert rooms.followers(code) == 5
    # a page that came back with a new ticket (its server restarted) no longer counts under its old one
    rooms.heartbeat(code, tickets[1], exploring=True)
    rooms.forget(code, tickets[0])
    rooms.forget(code, tickets[1])
    rooms.forget(code, "A" * 24)  # a ticket never seen: nothing
    assert (rooms.followers(code), rooms.explorers(code)) == (3, 0)


def test_only_a_page_that_joined_holds_a_ticket_of_its_room(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    other, _ = rooms.open(STATE)
    ticket = rooms.admit(code)
    assert rooms.ticket_role(code, ticket) == "follower"
    assert rooms.ticket_role(other, ticket) is None, "bound to its room"
    assert rooms.ticket_role(code, "A" * 24) is None and rooms.ticket_role(code, ticket[:-1] + "x") is None
    assert rooms.admit("ZZZZZZ") is None, "no ticket for a room that does not exist"
    assert rooms.admit(code, "forged") is None
    assert rooms.ticket_role(code, rooms.admit(code, secret)) == "lecturer"


def test_rooms_are_capped_and_end_frees_the_room_at_once(backend):
    rooms, _ = backend
    held = [rooms.open(STATE, owner="one session") for _ in range(ROOMS_PER_OWNER)]
    with pytest.raises(Rejected, match="classes open"):
        rooms.open(STATE, owner="one session")
    code, secret = held[0]
    ticket = rooms.admit(code)
    data = b"anna\nbob\n" * 1000
    rooms.put_data(code, secret, data)
    rooms.put_slide(code, secret, '{"step": 1}')
    with pytest.raises(Forbidden):
        rooms.end(code, "forged")
    rooms.end(code, secret)
    assert rooms.get(code) is None and rooms.get_slide(code) is None and rooms.ticket_role(code, ticket) is None
    rooms.open(STATE, owner="one session")  # its place is free again


def test_an_ended_room_keeps_only_the_step_it_ended_on_for_an_hour(backend, monkeypatch):
    """A follower's slides turn without a run of its own: when the class ends, its page ends on the
    step the store kept (it fell back to the step of its last run: 10 where the class was at 13)."""
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    rooms.publish(code, secret, {**STATE, "step": 13})
    other, _ = rooms.open(STATE)
    assert rooms.last_step(code) is None, "a room that goes on has no last step"
    rooms.end(code, secret)
    assert rooms.get(code) is None and rooms.last_step(code) == 13
    assert rooms.last_step(other) is None and rooms.last_step("ZZZZZZ") is None and rooms.last_step("../x") is None
    from service.rooms import local

    if isinstance(rooms, LocalRooms):  # kept for ENDED_KEPT s (Redis: the key's own expiry, EX)
        monkeypatch.setattr(local, "ENDED_KEPT", -1)
        assert rooms.last_step(code) is None
    else:
        assert 3500 < rooms._r.ttl(f"mm:ended:{code}") <= 3600


def test_the_store_holds_at_most_max_rooms(backend, monkeypatch):
    rooms, _ = backend
    import service.rooms.redis_store as remote
    from service.rooms import local

    monkeypatch.setattr(local, "MAX_ROOMS", 3)
    monkeypatch.setattr(remote, "MAX_ROOMS", 3)
    for i in range(3):
        rooms.open(STATE, owner=f"s{i}")
    with pytest.raises(Rejected, match="its most"):
        rooms.open(STATE, owner="s9")
    assert MAX_ROOMS >= 100


def test_a_word_list_is_stored_once_whatever_the_number_of_rooms(backend):
    rooms, server = backend
    data = b"emma\nolivia\n" * 50_000
    codes = [rooms.open(STATE) for _ in range(5)]
    digests = {rooms.put_data(c, s, data) for c, s in codes}
    assert len(digests) == 1 and all(rooms.get_data(c, next(iter(digests))) == data for c, _ in codes)
    if server is None:
        (n,) = rooms._q("SELECT COUNT(*) FROM data")[0]
    else:
        n = len(list(rooms._r.scan_iter("mm:data:*")))
    assert n == 1, f"{n} copies of one word list"


def test_the_lecturer_hides_every_answer_of_a_nickname_or_of_a_burst(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "predict", "?")
    rooms.answer(code, qid, "early", "ann", {"nll": 2.4})
    if hasattr(rooms, "_q"):  # the burst comes later than the burst window
        rooms._q("UPDATE answers SET at = at - 60 WHERE student = 'early'")
    else:
        key = f"mm:room:{code}:answers:{qid}"
        import json

        entry = json.loads(rooms._r.hget(key, "early"))
        rooms._r.hset(key, "early", json.dumps({**entry, "at": entry["at"] - 60}))
    for i in range(8):
        rooms.answer(code, qid, f"bot{i}", "spam" if i % 2 else f"x{i}", {"nll": 0.1})
    rooms.mark(code, secret, hide_nick="spam")
    assert set(rooms.get(code).question["hidden"]) == {"bot1", "bot3", "bot5", "bot7"}
    rooms.mark(code, secret, hide_burst="bot2")
    assert set(rooms.get(code).question["hidden"]) == {f"bot{i}" for i in range(8)}, "the burst, not ann"


@pytest.fixture(params=["process", "redis"])
def counts(request):
    """The join budget's counters: in the process (the embedded default) or in a real Redis."""
    if request.param == "process":
        return Counts()
    server = request.getfixturevalue("redis_server")
    c = RedisCounts(server.url)
    c._r.flushdb()
    return c


def test_codes_cannot_be_enumerated_and_a_guesser_pays_more_per_failure(counts):
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not valid_code("abc") and not valid_code("O0O0O0") and not valid_code(None)
    gate = JoinGate(counts)
    for _ in range(5):
        assert gate.wait("guesser", "10.0.0.1") == 0
        gate.failed("guesser", "10.0.0.1")
    waits = []
    for _ in range(6):
        waits.append(gate.wait("guesser", "10.0.0.1"))
        gate.failed("guesser", "10.0.0.1")
    assert waits[0] > 0 and all(b > a for a, b in itertools.pairwise(waits)), f"grows: {waits}"
    # at 2^n seconds after five free tries, ten thousand tries from one session take longer than a lifetime
    assert sum(min(3600, 2**n) for n in range(10_000)) / 3600 / 24 > 300


def test_one_prankster_behind_a_hall_nat_does_not_lock_the_hall_out(counts):
    """60 wrong codes from 7 sessions in 10 s, all from one address (a NAT, or nginx's 127.0.0.1
    before it forwarded the client's): the pranksters wait, every other session tries at once."""
    gate = JoinGate(counts)
    for i in range(60):
        gate.failed(f"prank-{i % 7}", "198.51.100.7")
    assert all(gate.wait(f"prank-{i}", "198.51.100.7") > 0 for i in range(7)), "each prankster waits"
    assert gate.wait("a student", "198.51.100.7") == 0, "a session that has not failed tries at once"
    gate.failed("a student", "198.51.100.7")  # a typo
    assert gate.wait("a student", "198.51.100.7") == 0, "a typo costs nothing"
    assert gate.addresses.wait("198.51.100.7") > 0, "and the address is counted: a new session per guess adds up"


def joins(gate, sessions, address) -> int:
    """Each session tries to join once, as ui/classroom/session.join does; how many were refused."""
    refused = 0
    for s in sessions:
        if gate.refusal(s, address):
            refused += 1
        else:
            gate.joined(s, address)
    return refused


def answers(gate, sessions, address, question) -> int:
    refused = 0
    for s in sessions:
        if gate.answer_refusal(s, address, question):
            refused += 1
        else:
            gate.answered(address, question)
    return refused


def test_a_hall_behind_one_address_is_never_refused_an_attacker_is(counts):
    """200 students behind one NAT join once and answer three questions once each: none refused.
    One session that joins 60 times is refused after JOINS_FREE; one address that joins more pages
    than ADDRESS_JOINS after those; one address's answers to one question after ADDRESS_ANSWERS."""
    gate = JoinGate(counts)
    hall = [f"student-{i}" for i in range(200)]
    assert joins(gate, hall, "203.0.113.50") == 0, "a hall joins"
    for q in ("q1", "q2", "q3"):
        assert answers(gate, hall, "203.0.113.50", q) == 0, f"a hall answers {q}"
    one = joins(gate, ["bot"] * 60, "198.51.100.9")
    assert one == 60 - JOINS_FREE, f"one session joining 60 times: {one} refused"
    assert joins(gate, ["bot2"] * JOINS_FREE, "198.51.100.9") == 0
    assert gate.refusal("bot2", "198.51.100.9") == "Too many joins from this page: try again in 4 s.", "2 s, doubled"
    assert gate.session_joins.wait("bot") > 3600 - 5, "hammering: the wait doubled with each refused try"
    assert gate.refusal("student-0", "203.0.113.50") == "", "the hall's own sessions are not touched"
    farm = joins(gate, [f"farm-{i}" for i in range(ADDRESS_JOINS + 500)], "192.0.2.66")
    assert farm == 500, f"{ADDRESS_JOINS + 500} sessions from one address: {farm} refused"
    assert "from your network" in gate.refusal("farm-new", "192.0.2.66")
    stuffed = answers(gate, [f"farm-{i}" for i in range(ADDRESS_ANSWERS + 200)], "192.0.2.66", "q1")
    assert stuffed == 200, f"{ADDRESS_ANSWERS + 200} answers from one address to one question: {stuffed} refused"
    tries = sum(bool(gate.answer_refusal("stuffer", "192.0.2.67", f"q{i}")) for i in range(60))
    assert tries == 60 - SESSION_ANSWERS, f"one session's 60 answers in a minute: {tries} refused"


def test_the_redis_budget_is_shared_by_every_app_process(redis_server):
    """Two processes behind nginx (two gates on one Redis) count one session's joins together;
    two processes on the embedded default each count their own."""
    RedisCounts(redis_server.url)._r.flushdb()
    a, b = JoinGate(RedisCounts(redis_server.url)), JoinGate(RedisCounts(redis_server.url))
    for g in (a, b, a):
        assert joins(g, ["roamer"], "198.51.100.20") == 0
    assert joins(b, ["roamer"], "198.51.100.20") == 1, "the fourth join, on the other process, pays"
    c, d = JoinGate(Counts()), JoinGate(Counts())
    for g in (c, d, c):
        joins(g, ["roamer"], "198.51.100.20")
    assert joins(d, ["roamer"], "198.51.100.20") == 0, "in-process counts are the process's own"


def test_the_budget_counts_in_the_process_while_redis_is_away(tmp_path):
    """A Redis that does not answer: the gate still counts (in the process), one log line."""
    from tools.servers import free_port

    gate = JoinGate(RedisCounts(f"redis://127.0.0.1:{free_port()}/0"))
    assert joins(gate, ["bot"] * 10, "198.51.100.30") == 10 - JOINS_FREE


def test_the_client_address_is_the_proxys_word_only_when_the_proxy_is_ours():
    headers = {"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "1.1.1.1, 203.0.113.8"}
    assert client_address("127.0.0.1", headers) == "203.0.113.9", "nginx on this machine says who"
    assert client_address("127.0.0.1", {"X-Forwarded-For": "1.1.1.1, 203.0.113.8"}) == "203.0.113.8"
    assert client_address("198.51.100.1", headers) == "198.51.100.1", "anyone else cannot name another"
    assert client_address("127.0.0.1", {}) == "127.0.0.1"


def test_a_nickname_is_one_line_of_text():
    assert nickname("  Ann\n<script>alert(1)</script>  ") == "Ann <script>alert(1)</scri"[:24]
    assert nickname(None) == "" and len(nickname("x" * 500)) == 24
    assert nickname("émile\t ") == "émile", "letters beyond ASCII stay as they are"
    assert nickname("ab\u202ecd\u200b\u200dx\x00y\ufeff") == "abcdxy", "no RTL override, zero-width or NUL"


def test_the_room_carries_an_uploaded_word_list_and_counts_answers(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    data = "\n".join(f"name{i}" for i in range(1000)).encode()
    with pytest.raises(Forbidden):
        rooms.put_data(code, "forged", data)
    digest = rooms.put_data(code, secret, data)
    assert rooms.get_data(code, digest) == data
    assert rooms.get_data(code, "0" * 64) is None and rooms.get_data("ZZZZZZ", digest) is None
    qid = rooms.ask(code, secret, "predict", "?")
    assert rooms.tally(code, qid) == 0
    rooms.answer(code, qid, "s1", "", {"nll": 2.0})
    assert rooms.tally(code, qid) == 1


def test_only_the_lecturer_sends_the_step_and_followers_read_the_latest(backend):
    rooms, _ = backend
    code, secret = rooms.open(STATE)
    assert rooms.get_slide(code) is None
    with pytest.raises(Forbidden):
        rooms.put_slide(code, "forged", '{"step": 9}')
    with pytest.raises(Forbidden):
        rooms.put_slide("ZZZZZZ", secret, '{"step": 9}')
    rooms.put_slide(code, secret, '{"step": 3}')
    rooms.put_slide(code, secret, '{"step": 4}')
    assert rooms.get_slide(code) == '{"step": 4}', "one slide a room: the latest"
    with pytest.raises(Rejected):
        rooms.put_slide(code, secret, "x" * (MAX_SLIDE + 1))
    assert rooms.get_slide(code) == '{"step": 4}', "a refused slide leaves the last one"
    assert rooms.get_slide("ZZZZZZ") is None and rooms.get_slide("not a code") is None


def test_redis_down_wrong_password_and_back_each_say_one_line(redis_server, tmp_path, caplog, monkeypatch):
    """Redis killed mid-class: one line when it goes, one when it is back; the room as last read
    meanwhile; every write says the one sentence. A wrong password: one line at start."""
    from service.rooms import guard

    monkeypatch.setattr(guard, "RETRY", 0.0)
    rooms = store(redis_server.url)
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "predict", "?")
    room = rooms.get(code)
    time.sleep(1.5)  # appendfsync everysec: the question is on disk, as a class's is long before a crash
    with caplog.at_level("WARNING", logger="makemore.rooms"):
        redis_server.kill(graceful=False)
        try:
            assert rooms.get(code) == room, "the room as last read"
            for _ in range(10):
                with pytest.raises(Unavailable):
                    rooms.answer(code, qid, "s1", "", {"nll": 2.0})
        finally:
            redis_server.start()
        rooms.answer(code, qid, "s1", "", {"nll": 2.0})
    lines = [r.message for r in caplog.records]
    assert len(lines) == 2 and "does not answer" in lines[0] and "answers again" in lines[1], lines
    assert rooms.tally(code, qid) == 1


@contextmanager
def another_redis(tmp_path, *args):
    """A redis-server of this test's own, with `args`; yields its port."""
    if not shutil.which("redis-server"):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(REDIS_HINT)
        pytest.skip(REDIS_HINT)
    import socket
    import subprocess

    from tools.servers import free_port

    port = free_port()
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", "", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.time() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait()


def test_a_wrong_redis_password_is_one_line_at_start_without_the_password(tmp_path, caplog):
    with another_redis(tmp_path, "--requirepass", "right-one") as port:
        wrong = store(f"redis://:wrong-one@127.0.0.1:{port}/0")
        with caplog.at_level("WARNING", logger="makemore.rooms"):
            assert wrong.announce() is False
            with pytest.raises(Unavailable):
                wrong.open(STATE)
        (line,) = [r.message for r in caplog.records]
        assert "does not answer" in line and "wrong-one" not in line, "the password is never logged"
        assert store(f"redis://:right-one@127.0.0.1:{port}/0").announce()


def test_a_full_redis_says_so_and_drops_no_room(tmp_path):
    with another_redis(tmp_path, "--maxmemory", "3mb", "--maxmemory-policy", "noeviction") as port:
        rooms = store(f"redis://127.0.0.1:{port}/0")
        code, _ = rooms.open(STATE)
        with pytest.raises(Rejected, match="full"):
            for i in range(20):
                c, s = rooms.open(STATE)
                rooms.put_data(c, s, bytes([i]) * 1_000_000)
        assert rooms.get(code) is not None, "noeviction: no room dropped"
