"""Class rooms on both backends: the embedded default (memory + SQLite) and a real redis-server
started by the test. The same cases run on each: who may move a room, bounded answers, one per
student, 300 answers, presence, and what survives a restart."""

import os
import shutil
import threading
import time

import pytest

from service.rooms import (
    ALPHABET,
    ANSWER_GAP,
    CODE_LENGTH,
    MAX_ANSWER,
    MAX_SLIDE,
    Forbidden,
    JoinLimiter,
    LocalRooms,
    RedisRooms,
    Rejected,
    new_code,
    nickname,
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


STATE = {"step": 3, "settings": {"smoothing": "1.0"}, "data": "names.txt"}


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


def test_answers_outlive_the_process_on_the_embedded_default(tmp_path):
    rooms = LocalRooms(tmp_path)
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "predict", "?")
    rooms.answer(code, qid, "s1", "", {"nll": 2.45})
    assert LocalRooms(tmp_path).answers(code, qid)[0]["value"] == {"nll": 2.45}, "in SQLite under the data dir"


def test_followers_are_counted_while_their_pages_beat(backend):
    rooms, _ = backend
    code, _ = rooms.open(STATE)
    for i in range(5):
        rooms.heartbeat(code, f"s{i}")
    rooms.heartbeat(code, "s0")
    assert rooms.followers(code) == 5


def test_codes_cannot_be_enumerated_in_a_lecture():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not valid_code("abc") and not valid_code("O0O0O0") and not valid_code(None)
    limiter = JoinLimiter(per_minute=10)
    tried = 0
    while not limiter.blocked("client") and tried < 100:
        limiter.failed("client")
        tried += 1
    assert tried == 10 and not limiter.blocked("another client"), "ten failed tries a minute, per client"
    space, per_hour = len(ALPHABET) ** CODE_LENGTH, 10 * 60
    assert space / per_hour / 24 / 365 > 100, "a hundred years to try every code at 10 a minute"


def test_a_nickname_is_one_line_of_text():
    assert nickname("  Ann\n<script>alert(1)</script>  ") == "Ann <script>alert(1)</scri"[:24]
    assert nickname(None) == "" and len(nickname("x" * 500)) == 24
    assert nickname("émile\t ") == "émile", "letters beyond ASCII stay as they are"


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
