"""The run service (service/runs.py) and its live route (service/live.py), checked against the
engine's own training loop and a plain lecture-style loop written here."""

import json
import time

import pytest
import torch
import torch.nn.functional as F
import uvicorn
from starlette.applications import Starlette
from websockets.sync.client import connect

from makemore.counts import count_matrix
from makemore.neural import NetTrainer, TrainConfig, train
from service import live
from service.runs import RunService
from tools.servers import free_port

pytestmark = pytest.mark.unit

CONFIG = TrainConfig(epochs=30, lr=50.0, reg=0.01, seed=2147483647, method="counts")


@pytest.fixture
def svc():
    s = RunService(workers=1)
    yield s
    s.shutdown()


@pytest.fixture(scope="module")
def N(words, vocab):
    return count_matrix(words, vocab)


def start(svc, N, vocab, session="s" * 16, config=CONFIG, pace=None):
    return svc.start(session, NetTrainer(N, vocab, 1, config), ("names", 1, "all"), pace)


def lecture_loop(N, config):
    """The lecture's loop on the count matrix: xenc @ W for every example is W's row; full batch."""
    xs, ys = torch.nonzero(N, as_tuple=True)
    weight = N[xs, ys].float()
    g = torch.Generator().manual_seed(config.seed)
    W = torch.randn(N.shape, generator=g, requires_grad=True)
    losses = []
    for _ in range(config.epochs):
        logits = F.one_hot(xs, N.shape[0]).float() @ W
        probs = logits.exp() / logits.exp().sum(1, keepdim=True)
        nll = -(weight * probs[torch.arange(len(ys)), ys].log()).sum() / weight.sum()
        loss = nll + config.reg * (W**2).mean()
        losses.append(nll.item())
        W.grad = None
        loss.backward()
        W.data += -config.lr * W.grad
    return losses, W.detach()


def test_a_run_gives_the_lectures_losses_and_its_final_W(svc, N, vocab):
    run = start(svc, N, vocab)
    assert svc.wait(run, 60) and run.status == "done", run.message
    losses, W = lecture_loop(N, CONFIG)
    assert run.nlls == pytest.approx(losses, abs=1e-5)
    assert torch.allclose(run.final_state, W, atol=1e-4), "W after every epoch's update, as the loop ends"
    *_, (_, engine_W) = train(N, CONFIG)
    assert torch.equal(run.final_state, engine_W.detach())
    assert torch.allclose(run.table().P, torch.softmax(W, 1), atol=1e-5)


def test_pause_holds_one_epoch_is_one_resume_finishes(svc, N, vocab):
    run = start(svc, N, vocab, config=TrainConfig(epochs=200, method="counts"), pace=100.0)
    while run.epoch < 3:
        time.sleep(0.01)
    svc.pause(run)
    time.sleep(0.2)
    held = run.epoch
    time.sleep(0.3)
    assert run.epoch == held and run.status == "paused"
    svc.step(run)
    deadline = time.time() + 5
    while run.epoch == held and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert run.epoch == held + 1, "one epoch is one epoch"
    assert run.change.startswith("the last step moved W by at most "), run.change
    assert float(run.change.split()[-1]) > 0
    svc.set_pace(run, None)
    svc.resume(run)
    assert svc.wait(run, 30) and run.status == "done"
    assert run.epoch == 200


def test_a_queue_says_how_many_are_ahead_and_a_newer_run_stops_the_old(svc, N, vocab):
    slow = TrainConfig(epochs=1000, method="counts")
    a = start(svc, N, vocab, "a" * 16, slow, pace=50.0)
    b = start(svc, N, vocab, "b" * 16, slow, pace=50.0)
    c = start(svc, N, vocab, "c" * 16, slow, pace=50.0)
    time.sleep(0.2)
    assert (a.status, b.status, c.status) == ("running", "queued", "queued")
    assert (svc.ahead(b), svc.ahead(c)) == (0, 1)
    a2 = start(svc, N, vocab, "a" * 16, CONFIG)  # the same session: its first run stops
    assert svc.wait(a, 5) and a.status == "stopped" and a.message == "a newer run was started"
    svc.stop(c)
    assert c.status == "stopped" and c.epoch == 0, "a queued run stops without starting"
    svc.stop(b)
    assert svc.wait(a2, 30) and a2.status == "done"


def test_the_last_page_closing_stops_the_sessions_runs(svc, N, vocab):
    run = start(svc, N, vocab, "p" * 16, TrainConfig(epochs=1000), pace=50.0)
    svc.attach("p" * 16)
    svc.attach("p" * 16)  # two tabs
    svc.detach("p" * 16)
    time.sleep(1.2)
    assert run.status == "running", "one tab is still open"
    svc.detach("p" * 16)
    assert svc.wait(run, 2), "stopped within a second of the last page"
    assert run.message == "the page was closed"


def test_a_diverging_run_fails_with_its_epoch(svc, N, vocab):
    run = start(svc, N, vocab, config=TrainConfig(epochs=100, lr=1_000_000.0))
    assert svc.wait(run, 30)
    assert run.status == "failed" and run.diverged_at is not None
    assert "smaller learning rate" in run.message
    assert len(run.records) == run.diverged_at - 1


@pytest.fixture
def route(svc, monkeypatch):
    """The live route alone, served by uvicorn (as in the app) on a free port; yields its ws:// base."""
    import threading

    monkeypatch.setattr(live, "service", lambda: svc)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=live.ROUTES), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"ws://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def test_the_live_route_sends_each_point_once_in_messages_that_do_not_grow(route, svc, N, vocab):
    run = start(svc, N, vocab, config=TrainConfig(epochs=300), pace=300.0)  # ~1 s
    run.chart = {"floor": 2.45, "earlier": []}
    got, sizes = [], []
    with connect(f"{route}/api/live/runs/{run.id}?from=0") as ws:
        while True:
            text = ws.recv()
            msg = json.loads(text)
            assert msg["from"] == len(got), "no point skipped, none repeated"
            got += msg["y"]
            sizes.append((msg["epoch"], len(text)))
            if msg["status"] == "done":
                break
    assert got == pytest.approx(run.nlls)
    assert len(sizes) >= 10
    early = max(b for e, b in sizes if e <= 100)
    late = max(b for e, b in sizes if e >= 200)
    assert late <= 1.5 * early + 100, f"bytes per update grew: {sizes[:3]} … {sizes[-3:]}"


def test_the_live_route_refuses_unknown_runs_and_bad_tokens(route, svc):
    from websockets.exceptions import ConnectionClosed

    with connect(f"{route}/api/live/runs/not-a-run") as ws:
        assert json.loads(ws.recv()) == {"error": "unknown run"}
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv()
        assert closed.value.rcvd.code == 4404
    with connect(f"{route}/api/live/presence/short") as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv()
    assert closed.value.rcvd.code == 4400
    assert svc._pages == {}, "a refused token is never counted as a page"


def test_a_run_resumes_from_where_the_page_left(route, svc, N, vocab):
    run = start(svc, N, vocab)
    assert svc.wait(run, 30)
    with connect(f"{route}/api/live/runs/{run.id}?from=25") as ws:
        msg = json.loads(ws.recv())
    assert msg["from"] == 25 and msg["y"] == pytest.approx(run.nlls[25:]) and msg["status"] == "done"
    with connect(f"{route}/api/live/runs/{run.id}?from=-7x") as ws:  # a bad value reads as 0
        assert json.loads(ws.recv())["from"] == 0


def test_a_sessions_own_run_does_not_delay_its_next_one(svc, N, vocab):
    """A newer run of a session stops its older one: only other sessions' runs make it wait."""
    slow = TrainConfig(epochs=1000, method="counts")
    start(svc, N, vocab, "m" * 16, slow, pace=20.0)  # ~50 s
    time.sleep(0.2)
    assert svc.load("m" * 16) == (0, 0) and svc.expected_start(session="m" * 16) == 0.0
    assert svc.load("o" * 16) == (1, 0) and svc.expected_start(session="o" * 16) > 30
