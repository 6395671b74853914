"""The run service (service/runs.py) and its live route (service/live/), checked against the
engine's own training loop and a plain lecture-style loop written here."""

import json
import threading
import time

import pytest
import torch
import torch.nn.functional as F
import uvicorn
from starlette.applications import Starlette
from websockets.sync.client import connect

from makemore.counts import count_matrix
from makemore.neural import NetTrainer, TrainConfig, train
from makemore.table import Table
from makemore.trainer import Cost, Record
from service import live
from service.runs import FAILED, RunService
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

    from service.live import points, presence

    for module in (points, presence):  # the routes that reach the run service
        monkeypatch.setattr(module, "service", lambda: svc)
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
            sizes.append((msg["from"], len(msg["y"]), len(text)))
            if msg["status"] == "done":
                break
    assert got == pytest.approx(run.nlls)
    assert len(sizes) >= 3, sizes  # streamed while it ran (how many depends on the machine's load)
    # a message's bytes follow the points it brings (~20 bytes each), not the curve's length: the
    # same bound late in the run as early (how many points a message brings depends on the load)
    too_big = [(k, b) for first, k, b in sizes if b > 600 + 30 * k]
    assert not too_big, f"updates larger than their new points: {too_big[:5]} (points, bytes)"


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


# ---- any Trainer: a toy that is not the bigram net, checked against a plain loop written here


class Quadratic:
    """One number w descending (w - 3)² by gradient steps: a Trainer with no W, no counts, no vocab."""

    def __init__(self, vocab, epochs=40, lr=0.05, memory=1000, records=None):
        self.vocab, self.epochs, self.lr, self.memory = vocab, epochs, lr, memory
        self.losses = records  # a list of losses to report instead (a trainer that does not raise)
        self.w = 0.0

    def cost(self):
        return Cost(self.memory, 1e-3, "the quadratic", (("a smaller quadratic", 10),))

    def steps(self):
        for epoch in range(1, self.epochs + 1):
            loss = self.losses[epoch - 1] if self.losses else (self.w - 3) ** 2
            yield Record(epoch, loss, loss)
            self.w -= self.lr * 2 * (self.w - 3)

    def state(self):
        return self.w

    def final(self):
        return self.w

    def table(self, state):
        V = len(self.vocab)
        return Table(self.vocab, 1, torch.softmax(state * torch.eye(V), 1))

    def nll(self, state):
        return (state - 3) ** 2

    def describe(self, before, after):
        return f"w moved by {after - before:+.4f}"


def plain_loop(epochs=40, lr=0.05):
    w, losses = 0.0, []
    for _ in range(epochs):
        losses.append((w - 3) ** 2)
        w -= lr * 2 * (w - 3)
    return losses, w


def toy(svc, vocab, session="t" * 16, pace=None, **kw):
    return svc.start(session, Quadratic(vocab, **kw), ("toy",), pace)


def test_a_trainer_that_is_not_the_net_runs_to_the_loops_numbers(svc, vocab):
    run = toy(svc, vocab)
    assert svc.wait(run, 10) and run.status == "done", run.message
    losses, w = plain_loop()
    assert run.nlls == losses and run.final_state == w
    assert run.final_nll == (w - 3) ** 2 and run.outcome.kind == "trained"
    assert run.message == run.outcome.words == f"Trained 40 epochs: data NLL {(w - 3) ** 2:.4f}."
    assert torch.equal(run.table().P, torch.softmax(w * torch.eye(len(vocab)), 1))
    assert run.state == plain_loop(39)[1], "the state at the last record: before its update"
    assert run.change == f"w moved by {plain_loop(39)[1] - plain_loop(38)[1]:+.4f}"


def test_the_queue_takes_sessions_in_turns_so_one_student_never_holds_the_hall(svc, vocab):
    """A student who queues eight runs (the crossover's) does not hold another student's one run
    behind all eight: it goes after the first student's first."""
    busy = toy(svc, vocab, "z" * 16, pace=50.0, epochs=400)  # on the only worker for ~8 s
    while busy.status != "running":
        time.sleep(0.01)
    many = [svc.start("a" * 16, Quadratic(vocab), ("toy",), None, lane=f"crossover {n}") for n in range(1, 9)]
    one = toy(svc, vocab, "b" * 16)
    other = toy(svc, vocab, "c" * 16)
    assert [svc.ahead(r) for r in (*many, one, other)] == [0, 3, 4, 5, 6, 7, 8, 9, 1, 2]
    assert svc.expected_start(one) < svc.expected_start(many[1])
    for r in (busy, *many, one, other):
        svc.stop(r)


def test_with_one_worker_a_toy_queues_pauses_steps_resumes_at_its_pace(svc, vocab):
    a = toy(svc, vocab, "a" * 16, pace=50.0, epochs=200)
    b = toy(svc, vocab, "b" * 16, pace=50.0)
    while a.epoch < 3:
        time.sleep(0.01)
    assert (a.status, b.status, svc.ahead(b)) == ("running", "queued", 0)
    assert svc.expected_start(b) > 2, "b waits for a's ~4 s"
    svc.stop(b)
    svc.pause(a)
    held = a.epoch
    assert a.status == "paused" and a._parked
    time.sleep(0.3)
    assert a.epoch == held, "a paused run takes no epochs"
    svc.step(a)
    assert (a.status, a.epoch) == ("paused", held + 1), "one epoch is one epoch"
    assert a.change.startswith("w moved by ")
    t0 = time.monotonic()
    svc.resume(a)
    while a.epoch < held + 11:
        time.sleep(0.005)
    assert time.monotonic() - t0 >= 9 / 50, "the pace holds: 50 epochs a second"
    svc.set_pace(a, None)
    assert svc.wait(a, 10) and a.status == "done"
    assert a.nlls == plain_loop(200)[0], "paused, stepped and resumed, the same numbers as the loop"


def test_stop_ends_a_running_and_a_parked_toy_and_gives_their_memory_back(svc, vocab):
    a = toy(svc, vocab, "a" * 16, pace=50.0, epochs=1000, memory=5000)
    while a.epoch < 2:
        time.sleep(0.01)
    assert svc._in_use == 5000
    svc.stop(a)
    assert svc.wait(a, 2) and a.status == "stopped" and a.message == "Stop was pressed"
    b = toy(svc, vocab, "b" * 16, pace=50.0, epochs=1000, memory=7000)
    while b.epoch < 2:
        time.sleep(0.01)
    svc.pause(b)
    assert b.status == "paused" and svc._in_use == 7000, "a parked run keeps its memory"
    svc.stop(b)
    assert b.status == "stopped" and b._iter is None and svc._in_use == 0


def test_a_toy_over_the_budget_is_refused_in_its_own_words(vocab):
    svc = RunService(workers=1, memory=5_000_000)
    try:
        run = toy(svc, vocab, memory=2_000_000_000)
        assert run.status == "failed" and run.epoch == 0
        assert run.message == (
            "the quadratic would need about 2.0 GB, more than this server's memory for training runs (5 MB); "
            "a smaller quadratic gives the same losses in 1 MB"
        )
    finally:
        svc.shutdown()


def test_a_paused_run_gives_its_worker_back_and_resumes_to_the_same_numbers(svc, N, vocab):
    slow = TrainConfig(epochs=60, method="counts")
    a = start(svc, N, vocab, "a" * 16, slow, pace=100.0)
    while a.epoch < 5:
        time.sleep(0.01)
    svc.pause(a)
    held = a.epoch
    assert a.status == "paused"
    assert svc.load("c" * 16) == (0, 0) and svc.expected_start(session="c" * 16) == 0.0, "no worker is held"
    b = start(svc, N, vocab, "b" * 16, CONFIG)
    assert svc.wait(b, 10) and b.status == "done", "b ran on the only worker while a stayed paused"
    assert a.status == "paused" and a.epoch == held
    svc.resume(a)
    assert svc.wait(a, 10) and a.status == "done"
    never = start(svc, N, vocab, "n" * 16, slow)
    assert svc.wait(never, 10)
    assert a.records == never.records, "the same records as a run never paused"
    assert torch.equal(a.final_state, never.final_state) and a.final_nll == never.final_nll


def test_update_sends_only_json_with_inf_and_nan_losses(svc, vocab):
    run = toy(svc, vocab, epochs=4, records=[2.0, float("inf"), float("nan"), 1.0])
    assert svc.wait(run, 5)
    assert run.status == "failed" and run.outcome.kind == "diverged" and run.diverged_at == 2
    run.chart = {"floor": 2.45, "earlier": []}
    text = json.dumps(live.update(run, 0), allow_nan=False)
    msg = json.loads(text)
    assert msg["y"] == [2.0, None, None, 1.0] and msg["nll"] == run.final_nll
    assert msg["message"] == run.outcome.words and "diverged at epoch 2" in msg["message"]
    run.final_nll = float("inf")
    assert json.loads(json.dumps(live.update(run, 0), allow_nan=False))["nll"] is None


def test_live_points_of_a_toy_and_the_change_of_a_paused_one(svc, vocab):
    run = toy(svc, vocab, pace=100.0, epochs=100)
    while run.epoch < 3:
        time.sleep(0.01)
    svc.pause(run)
    msg = live.update(run, 0)
    assert msg["status"] == "paused" and msg["change"] == run.change and msg["change"].startswith("w moved by")
    assert msg["y"] == plain_loop(run.epoch)[0] and msg["epochs"] == 100
    svc.resume(run)
    svc.set_pace(run, None)
    assert svc.wait(run, 10)
    msg = live.update(run, 98)
    assert msg["y"] == plain_loop(100)[0][98:] and msg["change"] == "" and msg["message"] == run.outcome.words


class Broken(Quadratic):
    def steps(self):
        yield Record(1, 1.0, 1.0)
        raise RuntimeError("index 7 is out of bounds")


def test_a_bug_in_a_trainer_is_a_plain_line_for_the_page_and_a_traceback_in_the_log(svc, vocab, caplog):
    run = svc.start("t" * 16, Broken(vocab), ("toy",))
    assert svc.wait(run, 5) and run.status == "failed"
    assert run.message == FAILED and "RuntimeError" not in run.message
    assert "RuntimeError: index 7" in caplog.text, "the server's log has the traceback"
    assert svc._in_use == 0


def test_pages_opening_and_closing_make_no_thread_each(svc):
    """3,000 presence cycles once made a timer thread per close (411 threads at once)."""
    before = threading.active_count()
    for i in range(3000):
        svc.attach(f"s{i % 50:02d}" + "x" * 14)
        svc.detach(f"s{i % 50:02d}" + "x" * 14)
    assert threading.active_count() <= before + 1, threading.active_count()
    time.sleep(1.5)  # the grace is over: every session was reaped by the one reaper
    with svc._reaping:
        assert not svc._orphans


# ---- a long run: its curve is bucket means (makemore part 3's lossi.view(-1, 1000).mean(1))


class Long(Quadratic):
    """A toy of many steps whose losses are known in advance, with a held-out point every 500 steps."""

    def __init__(self, vocab, epochs=10_001, **kw):
        super().__init__(vocab, epochs=epochs, records=[1 + (i % 7) / 10 + 1 / (i + 1) for i in range(epochs)], **kw)

    def steps(self):
        for epoch in range(1, self.epochs + 1):
            loss = self.losses[epoch - 1]
            yield Record(epoch, loss, loss, 2.0 + 1 / epoch if epoch == 1 or epoch % 500 == 0 else None)

    def nll(self, state):
        return 1.9


def bucket_means(losses, every):
    """The lecture's plot of a long run, written plainly: the mean of each `every` losses (the last
    bucket whatever is left)."""
    out = []
    for i in range(0, len(losses), every):
        part = losses[i : i + every]
        out.append(sum(part) / len(part))
    return out


def test_curve_every_keeps_a_short_run_per_step_and_a_long_one_to_2000_points(vocab):
    from makemore.trainer import curve_every

    class T:
        def __init__(self, epochs, **own):
            self.epochs = epochs
            self.__dict__.update(own)

    assert [curve_every(T(e)) for e in (1, 100, 1000, 2000)] == [1, 1, 1, 1], "the net's runs: a point a step"
    assert [curve_every(T(e)) for e in (2001, 4000, 4001, 10_001, 50_000, 200_000)] == [2, 2, 5, 10, 50, 100]
    assert curve_every(T(200_000, curve_every=1000)) == 1000, "a trainer may say its own"


def test_a_long_run_keeps_bucket_means_of_its_steps_and_its_held_out_points(svc, vocab):
    trainer = Long(vocab)
    run = svc.start("l" * 16, trainer, ("toy",))
    assert svc.wait(run, 60) and run.status == "done", run.message
    assert run.every == 10 and run.epoch == 10_001
    assert len(run.records) == 1001, "1,000 full buckets and the one step left"
    assert run.nlls == pytest.approx(bucket_means(trainer.losses, 10), abs=1e-12)
    assert [r.epoch for r in run.records][:2] == [10, 20] and run.records[-1].epoch == 10_001
    assert run.devs == [(e, 2.0 + 1 / e) for e in [1, *range(500, 10_001, 500)]]
    assert run.x(0) == 5.5 and run.x(1000) == 10_001, "a point at its bucket's middle"
    assert run.outcome.words == "Trained 10001 epochs: data NLL 1.9000.", "the steps it took, not its points"


def test_a_long_run_stopped_mid_bucket_ends_its_curve_with_what_it_took(svc, vocab):
    trainer = Long(vocab, epochs=4000)  # 2 steps a point
    run = svc.start("l" * 16, trainer, ("toy",), pace=400.0)
    while run.epoch < 7:
        time.sleep(0.01)
    svc.pause(run)  # held: no partial point while it can go on
    taken = run.epoch
    assert len(run.records) == taken // 2
    svc.stop(run)
    assert run.status == "stopped" and run.epoch == taken
    assert run.nlls == pytest.approx(bucket_means(trainer.losses[:taken], 2), abs=1e-12)


def test_the_live_route_streams_a_long_runs_buckets_once_across_a_reconnect(route, svc, vocab):
    trainer = Long(vocab, epochs=20_000)  # 10 steps a point: 2,000 points
    run = svc.start("l" * 16, trainer, ("toy",), pace=4000.0)  # ~5 s
    got, dev, sizes, epochs = [], [], [], []

    def follow(ws, stop_after=None):
        while True:
            text = ws.recv()
            msg = json.loads(text)
            assert msg["from"] == len(got), "no point skipped, none repeated"
            assert msg["every"] == 10 and msg["to"] == msg["from"] + len(msg["y"])
            got.extend(msg["y"])
            dev.extend(tuple(p) for p in msg.get("dev", []))
            sizes.append((len(msg["y"]), len(msg.get("dev", [])), len(text)))
            epochs.append(msg["epoch"])
            if msg["status"] == "done" or (stop_after and len(got) >= stop_after):
                return

    with connect(f"{route}/api/live/runs/{run.id}?from=0") as ws:
        follow(ws, stop_after=300)  # the page goes away mid-run (a blip) ...
    assert run.active, "the reconnect is tested mid-run"
    with connect(f"{route}/api/live/runs/{run.id}?from={len(got)}") as ws:  # ... and comes back with its points
        follow(ws)
    assert got == pytest.approx(bucket_means(trainer.losses, 10), abs=1e-12)
    assert len(got) == 2000
    assert dev == [(e, 2.0 + 1 / e) for e in [1, *range(500, 20_001, 500)]], "each held-out point once, in order"
    assert epochs[-1] == 20_000 and epochs == sorted(epochs), "the status line counts steps"
    too_big = [(k, d, b) for k, d, b in sizes if b > 700 + 30 * k + 40 * d]
    assert not too_big, f"updates larger than their new points: {too_big[:5]} (points, held-out, bytes)"


def test_the_time_left_follows_the_runs_own_pace_once_measured(vocab):
    from service.run import MEASURED, Run

    run = Run("r", "s" * 16, 1, Quadratic(vocab, epochs=1000), ("toy",), cost=Cost(0, 1e-3))
    assert run.seconds_left() == pytest.approx(1.0), "before it runs: the estimate, 1 ms a step"
    run.epoch, run.seconds = 100, MEASURED / 2
    assert run.seconds_left() == pytest.approx(0.9), "too little measured yet: still the estimate"
    run.epoch, run.seconds = 200, 2 * MEASURED
    assert run.seconds_left() == pytest.approx(800 * 2 * MEASURED / 200), "its own pace: 5x the estimate"
    run.pace = 1.0
    assert run.seconds_left() == pytest.approx(800.0), "a slower pace it was given"


def test_the_cost_before_a_run_is_a_range_that_the_runs_measured_here_widen(svc, vocab):
    from service.run import MEASURED, Run
    from service.runs import SPREAD

    cost = Cost(0, 1e-3)
    assert svc.time_range(Quadratic, cost, 1000) == pytest.approx((1.0, SPREAD)), "none measured yet"
    went = Run("r", "s" * 16, 1, Quadratic(vocab, epochs=1000), ("toy",), cost=cost)
    went.epoch, went.seconds = 100, 4 * MEASURED  # 40 ms a step against an estimate of 1 ms: 40x
    svc._measured(went)
    assert svc.time_range(Quadratic, cost, 1000) == pytest.approx((1.0, 40 * MEASURED))
    assert svc.time_range(Long, cost, 1000) == pytest.approx((1.0, SPREAD)), "another kind of trainer: its own"
    short = Run("q", "s" * 16, 2, Quadratic(vocab, epochs=1000), ("toy",), cost=cost)
    short.epoch, short.seconds = 10, MEASURED / 10  # too short to have a pace of its own: not counted
    svc._measured(short)
    assert svc.time_range(Quadratic, cost, 1000) == pytest.approx((1.0, 40 * MEASURED))
    run = svc.start("n" * 16, Quadratic(vocab, epochs=1000), ("toy",), pace=1e-3)  # held by its pace
    assert run.scale == pytest.approx(40 * MEASURED) and run.per_epoch() == pytest.approx(40 * MEASURED * 1e-3)
    svc.stop(run)
