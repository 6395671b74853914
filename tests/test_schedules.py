"""The engine's full training schedules against the lecture's own figures (minutes, not seconds):
a tier apart from `unit` (which stays under 30 s), run with the servers' tier by `make test`."""

import pytest
import torch

from makemore.counts import count_matrix, examples
from makemore.data import split
from makemore.mlp import MLPConfig, MLPTrainer
from tests.test_neural import EPOCHS, assert_every_method_follows_the_loop, lecture_training, run

pytestmark = [pytest.mark.system, pytest.mark.slow]


@pytest.fixture(scope="module")
def splits(words):
    return split(words)


def test_the_lectures_full_schedule_ends_near_its_dev_loss(splits, vocab):
    """Part 2's last run (200,000 steps of 32, d 10, h 200, lr 0.1 then 0.01): ~2.17 in the lecture.
    About 100 s here on one thread (bench/bench_mlp.py times it)."""
    train, dev, _ = splits
    trainer = MLPTrainer(train, dev, vocab, MLPConfig(dev_every=0))
    for _ in trainer.steps():
        pass
    got = trainer.nll(trainer.final(), "dev")
    assert abs(got - 2.17) < 0.03, f"dev NLL {got:.4f} after the full schedule; the lecture's is ~2.17"


def test_the_lecture_figures_on_the_lectures_file(lecture_words):
    """The lecture's printed losses: 3.7686 at the first epoch and 2.4901 at the hundredth, from its
    own loop and from the engine (its counts method, W the same as the loop's). That every method
    follows the loop epoch by epoch is the next test's, on names.txt: the lecture's file adds the
    printed figures, not another check of the same arithmetic (it took ~30 s of the suite)."""
    from makemore.data import Vocab

    vocab = Vocab.from_words(lecture_words)
    N, (xs, ys) = count_matrix(lecture_words, vocab), examples(lecture_words, vocab)
    losses, W_ref = lecture_training(xs, ys, EPOCHS)
    records, W = run(N, xs, ys, "counts")
    for what, first, last in (("loop", losses[0], losses[-1]), ("engine", records[0].total, records[-1].total)):
        assert round(first, 4) == 3.7686, f"{what}: first total loss {first:.6f}"
        assert round(last, 4) == 2.4901, f"{what}: epoch-100 total loss {last:.6f}"
    assert torch.allclose(W, W_ref, rtol=1e-4, atol=1e-4), "the engine's W differs from the loop's"


def test_every_method_follows_the_lecture_loop_on_names_txt(words, vocab):
    part = words[::4]  # every fourth name: a quarter of the loop's cost, the same check (the full
    N, (xs, ys) = count_matrix(part, vocab), examples(part, vocab)  # data: the lecture's file above)
    losses, W_ref = lecture_training(xs, ys, EPOCHS)
    assert losses[-1] < losses[0] - 1, "the loop itself should learn"
    assert_every_method_follows_the_loop(N, xs, ys, losses, W_ref)
