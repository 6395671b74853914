"""The neural model: the four training methods agree, the lecture's loop agrees, divergence is caught."""

import pytest
import torch
import torch.nn.functional as F

from makemore import neural
from makemore.counts import count_matrix, examples, fit_counts
from makemore.neural import METHODS, TrainConfig, TrainingDiverged, fit_neural, train
from makemore.table import nll

pytestmark = pytest.mark.unit

EPOCHS = 100  # the lecture's run


@pytest.fixture(scope="module")
def data(words, vocab):
    return words, count_matrix(words, vocab), *examples(words, vocab)


def lecture_training(xs, ys, epochs, seed=2147483647, lr=50.0, reg=0.01):
    """The lecture's cell, verbatim apart from the loop bounds."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((27, 27), generator=g, requires_grad=True)
    num = xs.nelement()
    losses = []
    for _ in range(epochs):
        xenc = F.one_hot(xs, num_classes=27).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + reg * (W**2).mean()
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -lr * W.grad
    return losses, W.detach()


def run(N, xs, ys, method, epochs=EPOCHS):
    records, W = [], None
    for r, W in train(N, TrainConfig(epochs=epochs, method=method), xs, ys):
        records.append(r)
    return records, W.detach().clone()


def assert_every_method_follows_the_loop(N, xs, ys, losses, W_ref) -> None:
    """Each method's total loss within 1e-4 of the lecture loop's at every epoch, and the same W."""
    for method in METHODS:
        records, W = run(N, xs, ys, method)
        assert [r.epoch for r in records] == list(range(1, EPOCHS + 1)), method
        worst = max(range(EPOCHS), key=lambda i: abs(records[i].total - losses[i]))
        gap = abs(records[worst].total - losses[worst])
        assert gap < 1e-4, f"{method}: epoch {worst + 1} total {records[worst].total:.6f}, loop {losses[worst]:.6f}"
        assert all(r.nll < r.total for r in records), f"{method}: the penalty is missing from the total"
        assert torch.allclose(W, W_ref, rtol=1e-4, atol=1e-4), f"{method}: W differs from the loop's"


def test_record_is_before_the_update_and_total_adds_the_penalty(data):
    _, N, _, _ = data
    g = torch.Generator().manual_seed(2147483647)
    W0 = torch.randn((27, 27), generator=g)
    first, _ = next(train(N, TrainConfig(epochs=1, reg=0.5)))
    expected = -(N * W0.log_softmax(1)).sum() / N.sum()
    assert first.nll == pytest.approx(expected.item(), rel=1e-6)
    assert first.total == pytest.approx(expected.item() + 0.5 * (W0**2).mean().item(), rel=1e-6)


def test_converges_to_the_count_model(words, vocab):
    N = count_matrix(words, vocab)
    table, records = fit_neural(N, vocab, 1, TrainConfig(epochs=300, reg=0.0))
    counts = nll(fit_counts(words, vocab, 1, 0.0), words)  # the exact optimum without penalty
    assert records[-1].nll > counts
    assert nll(table, words) == pytest.approx(counts, abs=0.02)
    assert records[0].nll > 3.5  # a random W starts far away


def test_same_seed_same_run_other_seed_other_run(data):
    _, N, _, _ = data
    a = [r.nll for r, _ in train(N, TrainConfig(epochs=5, seed=1))]
    assert a == [r.nll for r, _ in train(N, TrainConfig(epochs=5, seed=1))]
    assert a != [r.nll for r, _ in train(N, TrainConfig(epochs=5, seed=2))]


def test_trigram_trains(words, vocab):
    N = count_matrix(words, vocab, 2)
    table, records = fit_neural(N, vocab, 2, TrainConfig(epochs=20, lr=200))
    assert table.P.shape == (27 * 27, 27)
    assert records[-1].nll < records[0].nll


def test_divergence_names_epoch_and_suggests_smaller_lr(data):
    _, N, _, _ = data
    with pytest.raises(TrainingDiverged, match=r"epoch \d+.*smaller learning rate"):
        list(train(N, TrainConfig(epochs=100, lr=1e7)))


def test_nothing_to_train_on_and_a_run_over_the_memory_budget(data, monkeypatch):
    _, N, xs, ys = data
    with pytest.raises(ValueError, match="no examples"):
        next(train(N * 0, TrainConfig()))
    onehot = neural.cost("onehot", len(xs), 27, 27).bytes
    monkeypatch.setattr(neural, "MEMORY_BUDGET", onehot - 1)
    with pytest.raises(neural.TooBig, match=r"onehot method would need about .* the index method gives the same"):
        next(train(N, TrainConfig(method="onehot"), xs, ys))
    next(train(N, TrainConfig(method="index"), xs, ys))  # the same data fits by rows of W


@pytest.mark.parametrize(
    "config, needle",
    [
        (TrainConfig(epochs=0), "epochs"),
        (TrainConfig(lr=0), "learning rate"),
        (TrainConfig(lr=float("nan")), "learning rate"),
        (TrainConfig(reg=-1), "regularization"),
        (TrainConfig(method="adam"), "method"),
    ],
)
def test_bad_config(data, config, needle):
    _, N, xs, ys = data
    with pytest.raises(ValueError, match=needle):
        list(train(N, config, xs, ys))
