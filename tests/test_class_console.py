"""The rooms' parts the lecturer's console and the class's data need, on both backends: the
console's cues, following and exploring counted apart, answers refused when computed on another
word list; and the question kinds' checks and rankings."""

import pytest

from service.rooms import Forbidden, LocalRooms, RedisRooms, Rejected
from ui.classroom.questions import KINDS

from .test_rooms import redis_server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.system
STATE = {"step": 3, "settings": {}, "upload": None, "data": "abc123"}


@pytest.fixture(params=["local", "redis"])
def rooms(request, tmp_path):
    if request.param == "local":
        return LocalRooms(tmp_path)
    r = RedisRooms(request.getfixturevalue("redis_server").url)
    r._r.flushdb()
    return r


def test_a_cue_takes_the_secret_counts_up_and_moves_the_version(rooms):
    code, secret = rooms.open(STATE)
    assert rooms.get(code).cue is None
    v = rooms.get(code).version
    rooms.cue(code, secret, "board")
    rooms.cue(code, secret, "step", 7)
    room = rooms.get(code)
    assert room.cue == {"n": 2, "view": "step", "step": 7} and room.version == v + 2
    with pytest.raises(Forbidden):
        rooms.cue(code, "not-the-secret", "join")
    for view, step in (("slides", None), ("step", 0), ("step", 100), ("step", "7")):
        with pytest.raises(Rejected):
            rooms.cue(code, secret, view, step)
    assert rooms.get(code).cue["n"] == 2, "a refused cue changes nothing"


def test_following_and_exploring_are_counted_apart(rooms):
    code, _ = rooms.open(STATE)
    a, b, c = (rooms.admit(code) for _ in range(3))
    rooms.heartbeat(code, a)
    rooms.heartbeat(code, b)
    rooms.heartbeat(code, c, exploring=True)
    assert (rooms.followers(code), rooms.explorers(code)) == (2, 1)
    rooms.heartbeat(code, b, exploring=True)  # b starts exploring: it leaves the following count
    assert (rooms.followers(code), rooms.explorers(code)) == (1, 2)


def test_an_answer_on_another_word_list_is_refused(rooms):
    code, secret = rooms.open(STATE)
    qid = rooms.ask(code, secret, "predict", KINDS["predict"].prompt)
    with pytest.raises(Rejected, match="another word list than the class's"):
        rooms.answer(code, qid, "s1", "", {"nll": 2.4, "data": "names.txt-digest"})
    with pytest.raises(Rejected, match="another word list"):
        rooms.answer(code, qid, "s2", "", {"nll": 2.4})  # no digest: not the class's either
    rooms.answer(code, qid, "s3", "", {"nll": 2.4, "data": "abc123"})
    assert [a["student"] for a in rooms.answers(code, qid)] == ["s3"]


def test_each_kind_checks_its_answer_and_ranks_by_its_own_rule():
    with pytest.raises(Rejected):
        KINDS["likeliest"].check({"name": "<b>x</b>", "nll": 2.0})
    with pytest.raises(Rejected):
        KINDS["train"].check({"dev": float("nan"), "lr": 50.0, "reg": 0.01, "epochs": 100})
    with pytest.raises(Rejected):
        KINDS["smoothing"].check({"dev": 2.4})  # a field missing
    assert KINDS["likeliest"].check({"name": "anna", "nll": 2.0, "extra": 1}) == {"name": "anna", "nll": 2.0}
    rows = [{"value": {"nll": v}} for v in (1.5, 2.45, 3.0)]
    closest = KINDS["predict"].rank(rows, truth=2.454)  # the closest guess first, not the lowest
    assert [r["value"]["nll"] for r in closest] == [2.45, 3.0, 1.5]
    lowest = KINDS["smoothing"].rank([{"value": {"dev": d}} for d in (2.5, 2.4, 2.6)])
    assert [r["value"]["dev"] for r in lowest] == [2.4, 2.5, 2.6]
