"""The MLP (makemore part 2): the engine against the lecture's loop written out, its table, its limits."""

import math

import pytest
import torch
import torch.nn.functional as F

from makemore.data import split
from makemore.mlp import DENSE_ROWS, MLPConfig, MLPTrainer, init_params, n_params, train_mlp
from makemore.table import nll, sample, score
from makemore.trainer import TrainingDiverged

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def splits(words):
    return split(words)


def build_dataset(words, stoi, block_size):
    """The lecture's cell, verbatim."""
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]  # crop and append
    return torch.tensor(X), torch.tensor(Y)


def lecture_loop(Xtr, Ytr, V, k, d, h, steps, batch=32, seed=2147483647, init_fix=False):
    """Part 2's cells (part 3's initialisation when init_fix), the loop bounds as arguments."""
    g = torch.Generator().manual_seed(seed)
    C = torch.randn((V, d), generator=g)
    W1 = torch.randn((k * d, h), generator=g)
    b1 = torch.randn(h, generator=g)
    W2 = torch.randn((h, V), generator=g)
    b2 = torch.randn(V, generator=g)
    if init_fix:
        W1 = W1 * (5 / 3) / (k * d) ** 0.5
        b1 = b1 * 0.01
        W2 = W2 * 0.01
        b2 = b2 * 0
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    losses = []
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (batch,), generator=g)
        emb = C[Xtr[ix]]  # (32, k, d)
        h_ = torch.tanh(emb.view(-1, k * d) @ W1 + b1)  # (32, h)
        logits = h_ @ W2 + b2  # (32, V)
        loss = F.cross_entropy(logits, Ytr[ix])
        losses.append(loss.item())
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps // 2 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
    return losses, [p.detach() for p in parameters]


@pytest.mark.parametrize(
    "k, d, h, batch, init_fix",
    [(3, 10, 200, 32, False), (3, 2, 100, 32, True), (5, 4, 50, 20, False)],
)
def test_the_engine_follows_the_lecture_loop_step_by_step(splits, vocab, k, d, h, batch, init_fix):
    train, dev, _ = splits
    Xtr, Ytr = build_dataset(train, vocab.stoi, k)
    steps = 1000
    losses, params = lecture_loop(Xtr, Ytr, len(vocab), k, d, h, steps, batch, init_fix=init_fix)
    assert sum(losses[-100:]) / 100 < losses[0] - 0.3, "the loop itself should learn"
    config = MLPConfig(context=k, d=d, h=h, steps=steps, batch=batch, init_fix=init_fix, dev_every=0)
    trainer = MLPTrainer(train, dev, vocab, config)
    assert torch.equal(trainer.Xtr, Xtr) and torch.equal(trainer.Ytr, Ytr), "the dataset differs from build_dataset's"
    records = list(trainer.steps())
    assert [r.epoch for r in records] == list(range(1, steps + 1))
    worst = max(range(steps), key=lambda i: abs(records[i].nll - losses[i]))
    gap = abs(records[worst].nll - losses[worst])
    assert gap < 1e-5, f"step {worst + 1}: engine {records[worst].nll:.6f}, lecture loop {losses[worst]:.6f}"
    for name, ours, theirs in zip(["C", "W1", "b1", "W2", "b2"], trainer.final().tensors(), params, strict=True):
        assert torch.allclose(ours, theirs, atol=1e-5), f"{name} differs from the loop's after {steps} steps"


def test_parameter_counts_are_the_lectures(vocab):
    assert len(vocab) == 27
    for d, h, expected in [(2, 100, 3481), (10, 200, 11897)]:
        config = MLPConfig(d=d, h=h)
        assert n_params(27, config) == expected
        drawn = init_params(27, config, torch.Generator().manual_seed(1))
        assert sum(p.numel() for p in drawn.tensors()) == expected


def test_init_fix_starts_near_ln27(splits, vocab):
    train, dev, _ = splits
    first = {}
    for fix in (False, True):
        trainer = MLPTrainer(train, dev, vocab, MLPConfig(steps=1, init_fix=fix, dev_every=0))
        first[fix] = next(trainer.steps()).nll
    assert abs(first[True] - math.log(27)) < 0.05, f"first loss with the fix {first[True]:.4f}, ln 27 = 3.2958"
    assert first[False] > 10, f"first loss without the fix {first[False]:.4f}: the lecture's is far above ln 27"


@pytest.fixture(scope="module")
def trained(splits, vocab):
    train, dev, _ = splits
    trainer = MLPTrainer(train, dev, vocab, MLPConfig(steps=1000, dev_every=250, init_fix=True))
    records, states = [], []
    for r in trainer.steps():
        records.append(r)
        if r.dev is not None:
            states.append((r, trainer.state()))
    return trainer, records, states


def test_dev_is_measured_every_few_hundred_steps_on_the_state_of_the_record(trained, splits):
    trainer, records, states = trained
    assert [r.epoch for r in records if r.dev is not None] == [1, 250, 500, 750, 1000]
    _, dev, _ = splits
    for r, state in states:
        assert abs(nll(trainer.table(state), dev) - r.dev) < 1e-5, f"step {r.epoch}: the record's dev NLL"
    assert states[-1][0].dev < states[0][0].dev - 0.5, "the dev NLL should fall"


def test_the_dense_table_sums_to_one_and_scores_dev_as_the_trainer(trained, splits, vocab):
    trainer, _, _ = trained
    _, dev, _ = splits
    state = trainer.final()
    table = trainer.table(state)
    assert table.P.shape == (27**3, 27) and table.k == 3
    assert torch.allclose(table.P.sum(1), torch.ones(27**3), atol=1e-5)
    assert abs(nll(table, dev) - trainer.nll(state, "dev")) < 1e-5
    steps = score(table, "emma").steps
    assert [s.context for s in steps] == ["...", "..e", ".em", "emm", "mma"]
    names = sample(table, 5, seed=2147483647)
    assert len(names) == 5 and all(n.name for n in names)


def test_a_context_of_8_is_a_table_of_rows_on_demand(splits, vocab):
    train, dev, _ = splits
    config = MLPConfig(context=8, d=4, h=30, steps=300, dev_every=0, init_fix=True)
    trainer = MLPTrainer(train, dev, vocab, config)
    for _ in trainer.steps():
        pass
    state = trainer.final()
    table = trainer.table(state)
    assert 27**8 > DENSE_ROWS and table.P is None
    assert abs(nll(table, dev) - trainer.nll(state, "dev")) < 1e-5
    ids = torch.tensor([0, table.context_index("....emma"), 27**8 - 1])
    rows = table.rows(ids)
    assert rows.shape == (3, 27) and torch.allclose(rows.sum(1), torch.ones(3), atol=1e-5)
    s = score(table, "emma")
    assert s.steps[-1].context == "....emma"
    assert abs(s.steps[-1].p - float(rows[1, 0])) < 1e-6, "score reads the row computed on demand"
    assert len(sample(table, 3, seed=1)) == 3


def test_state_is_a_snapshot_and_describe_says_how_far_the_step_moved(splits, vocab):
    train, dev, _ = splits
    trainer = MLPTrainer(train, dev, vocab, MLPConfig(steps=3, dev_every=0))
    it = trainer.steps()
    next(it)
    before = trainer.state()
    next(it)
    after = trainer.state()
    moved = max(float((a - b).abs().max()) for a, b in zip(after.tensors(), before.tensors(), strict=True))
    assert moved > 0, "state() must be a copy, not the live parameters"
    text = trainer.describe(before, after)
    assert text.startswith(f"moved the parameters by at most {moved:.3g}"), text
    with pytest.raises(RuntimeError):
        trainer.final()


@pytest.mark.parametrize(
    "change, words",
    [
        ({"context": 9}, "context must be an integer 1..8"),
        ({"d": 1}, "d must be an integer 2..64"),
        ({"h": 2000}, "h must be an integer 10..1,000"),
        ({"lr1": float("nan")}, "lr1 must be a finite number > 0"),
        ({"steps": 0}, "steps must be an integer 1..1,000,000"),
    ],
)
def test_bad_settings_say_which_in_one_line(change, words):
    config = MLPConfig(**change)
    with pytest.raises(ValueError, match=words) as e:
        config.check()
    assert "\n" not in str(e.value)


def test_a_huge_learning_rate_raises_training_diverged(splits, vocab):
    train, dev, _ = splits
    trainer = MLPTrainer(train, dev, vocab, MLPConfig(steps=50, lr1=1e37, dev_every=0))
    with pytest.raises(TrainingDiverged, match="try a smaller lr1") as e:
        for _ in trainer.steps():
            pass
    assert 1 < e.value.epoch <= 50


def test_cost_grows_with_the_net(splits, vocab):
    train, dev, _ = splits
    small = MLPTrainer(train, dev, vocab, MLPConfig(d=2, h=100)).cost()
    big = MLPTrainer(train, dev, vocab, MLPConfig(context=8, d=24, h=500, batch=128)).cost()
    assert 0 < small.seconds_per_epoch < big.seconds_per_epoch
    assert 0 < small.bytes < big.bytes < 1e9


def test_train_mlp_splits_trains_and_reports(words, splits):
    seen = []
    trainer, state = train_mlp(words, MLPConfig(d=2, h=10, steps=20, dev_every=10), on_record=seen.append)
    assert [r.epoch for r in seen] == list(range(1, 21)) and [r.epoch for r in seen if r.dev] == [1, 10, 20]
    assert trainer.Xdev.shape[0] == sum(len(w) + 1 for w in splits[1]), "the dev set is the app's split"
    assert math.isfinite(trainer.nll(state, "dev")) and trainer.table(state).P.shape == (27**3, 27)


@pytest.mark.parametrize("k", [1, 2])
def test_rows_on_demand_give_the_dense_tables_nll_samples_and_scores(words, vocab, k):
    from makemore.counts import fit_counts
    from makemore.table import Table

    dense = fit_counts(words, vocab, k, smoothing=1.0)
    lazy = Table(vocab, k, None, rows_of=lambda ids: dense.P[ids])
    assert nll(lazy, words[:2000]) == pytest.approx(nll(dense, words[:2000]), abs=1e-9)
    assert sample(lazy, 20, seed=7, temperature=0.7) == sample(dense, 20, seed=7, temperature=0.7)
    assert score(lazy, "andrej") == score(dense, "andrej")


def test_the_lectures_schedule_is_drawn_as_2000_bucket_means_and_a_short_run_per_step(splits, vocab):
    """200,000 steps: 2,000 points of 100 steps each (part 3 plots means of 1,000); 1,000 steps: one a step."""
    from makemore.trainer import curve_every

    train, dev, _ = splits
    assert curve_every(MLPTrainer(train[:50], dev[:10], vocab, MLPConfig())) == 100
    assert curve_every(MLPTrainer(train[:50], dev[:10], vocab, MLPConfig(steps=1000))) == 1
