"""How a run ends (makemore.trainer.outcome): trained, warned or diverged, for every learning rate,
through the net's trainer and the run service, with nothing but JSON on the live route."""

import json
import math

import pytest

from makemore.counts import count_matrix
from makemore.neural import NetTrainer, TrainConfig, fit_neural
from makemore.table import nll_counts
from makemore.trainer import Record, outcome
from service import live
from service.runs import FAILED, RunService

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def N(words, vocab):
    return count_matrix(words, vocab)


@pytest.fixture(scope="module")
def svc():
    s = RunService(workers=1)
    yield s
    s.shutdown()


def records(*nlls, penalty=0.01):
    return [Record(i, y, y + penalty) for i, y in enumerate(nlls, 1)]


def test_hand_numbers_give_each_outcome_and_its_advice():
    cfg = TrainConfig(lr=50, reg=0.01)
    assert outcome(records(3.76, 3.0, 2.5), 2.4747, config=cfg).words == "Trained 3 epochs: data NLL 2.4747."
    o = outcome(records(3.7606, 3.7600), 3.7596, config=TrainConfig(lr=0.001))
    assert o.kind == "warned" and "barely moved" in o.words and "3.7606 to 3.7596" in o.words
    assert "learning rate 0.001 is too small" in o.words
    o = outcome(records(3.76, 3.2, penalty=9.67), 3.1315, config=TrainConfig(reg=10))
    assert o.kind == "warned" and "regularization 10" in o.words and "3.1315" in o.words
    assert "try a smaller regularization" in o.words
    o = outcome(records(3.7606, 5.0, 8.1), 9.7745, config=TrainConfig(lr=500))
    assert o.kind == "warned" and "rose from 3.7606 (epoch 1) to 9.7745" in o.words and "learning rate 500" in o.words
    o = outcome(records(3.76, 12.0), math.inf, config=TrainConfig(lr=2000))
    assert (o.kind, o.epoch) == ("diverged", 2) and "probability 0" in o.words
    o = outcome(records(3.76), None, diverged_at=2, config=TrainConfig(lr=1e6))
    assert (o.kind, o.epoch) == ("diverged", 2) and "smaller learning rate than 1e+06" in o.words
    o = outcome([], None, diverged_at=1, config=TrainConfig(reg=1e38))
    assert o.kind == "diverged" and "smaller regularization than 1e+38" in o.words
    assert outcome(records(3.0, math.nan), 2.0).epoch == 2, "a loss that is not finite, not raised"


def test_the_lectures_run_is_trained_with_the_tables_nll(N, vocab):
    table, recs = fit_neural(N, vocab, 1, TrainConfig(epochs=100), progress=False)
    final = nll_counts(table.P, N)
    o = outcome(recs, final, config=TrainConfig())
    assert o.kind == "trained" and o.words == f"Trained 100 epochs: data NLL {final:.4f}."
    assert f"{final:.4f}" == "2.4747" and f"{recs[-1].nll:.4f}" == "2.4749", "the curve's last point differs"


SWEEP = [10.0**e for e in range(-6, 10)]


def test_every_learning_rate_ends_in_one_outcome_and_only_json(svc, N, vocab):
    seen = {}
    for lr in SWEEP:
        cfg = TrainConfig(epochs=100, lr=lr)
        run = svc.start("s" * 16, NetTrainer(N, vocab, 1, cfg), ("names",))
        assert svc.wait(run, 30), lr
        run.chart = {"floor": 2.45, "earlier": []}
        assert run.message != FAILED, f"lr {lr:g}: an exception escaped"
        o = run.outcome
        assert o is not None and o.kind in ("trained", "warned", "diverged"), lr
        assert run.status == ("failed" if o.kind == "diverged" else "done"), lr
        assert run.message == o.words
        json.dumps(live.update(run, 0), allow_nan=False)
        seen[lr] = o.kind
    print({f"{lr:g}": kind for lr, kind in seen.items()})
    assert seen[1e-6] == seen[1e-3] == "warned", "barely moved"
    assert seen[10.0] == "trained"
    assert seen[1e3] == seen[1e9] == "diverged"
