"""makemore part 2's MLP: embed k characters in C, one tanh layer (W1, b1), logits (W2, b2).

A step is the lecture's minibatch SGD with its backward pass written out (part 4's "backprop
ninja"): the same float operations autograd runs for part 2's loop, without its bookkeeping, so
the losses are the lecture loop's to the last bit (tests/test_mlp.py) and a step is faster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F

from makemore.data import Vocab, split
from makemore.ngram import MAX_CONTEXT, build_dataset, context_digits
from makemore.table import Table
from makemore.trainer import Cost, Record, TrainingDiverged

MAX_STEPS = 1_000_000
DENSE_ROWS = 100_000  # a table of at most this many contexts is computed whole; beyond, row by row
CHUNK = 20_000  # contexts through the net at a time when computing many rows


@dataclass(frozen=True)
class MLPConfig:
    """Settings of one run; the defaults are part 2's final run."""

    context: int = 3  # k: characters of context
    d: int = 10  # embedding dimensions per character
    h: int = 200  # tanh units in the hidden layer
    steps: int = 200_000  # minibatch SGD steps
    batch: int = 32  # examples per step
    lr1: float = 0.1  # learning rate of the first half of the steps
    lr2: float = 0.01  # learning rate after half the steps
    seed: int = 2147483647  # one generator: the parameters, then every minibatch
    init_fix: bool = False  # part 3: W2, b2 small so the first loss is near ln V; W1 scaled for tanh
    dev_every: int = 500  # dev NLL on step 1 and every dev_every steps (0: never)
    unit: ClassVar[str] = "step"  # how a run's words (makemore.trainer.outcome) name a step
    measure: ClassVar[str] = "dev NLL"  # and the number a run ends with (MLPTrainer.nll's default)
    record_nll: ClassVar[str] = "minibatch loss"  # what a Record's nll is

    def check(self) -> None:
        """Raise ValueError, one line, for a setting out of bounds."""
        bounds = {"context": (1, MAX_CONTEXT), "d": (2, 64), "h": (10, 1000), "steps": (1, MAX_STEPS)}
        bounds |= {"batch": (1, 4096), "dev_every": (0, MAX_STEPS)}
        for name, (lo, hi) in bounds.items():
            v = getattr(self, name)
            if not (isinstance(v, int) and lo <= v <= hi):
                raise ValueError(f"{name} must be an integer {lo:,}..{hi:,}, not {v}")
        for name in ("lr1", "lr2"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and v > 0 and math.isfinite(v)):
                raise ValueError(f"{name} must be a finite number > 0, not {v}")

    def lr(self, step: int) -> float:
        """The learning rate of step (1-based): lr1, then lr2 after half the steps."""
        return self.lr1 if step <= self.steps // 2 else self.lr2


@dataclass(frozen=True, eq=False)
class Params:
    """The net's parameters, in the order the lecture draws them."""

    C: torch.Tensor  # (V, d) one embedding per character
    W1: torch.Tensor  # (k*d, h)
    b1: torch.Tensor  # (h,)
    W2: torch.Tensor  # (h, V)
    b2: torch.Tensor  # (V,)

    def tensors(self) -> list[torch.Tensor]:
        return [self.C, self.W1, self.b1, self.W2, self.b2]

    @property
    def k(self) -> int:
        return self.W1.shape[0] // self.C.shape[1]

    def clone(self) -> Params:
        return Params(*(t.detach().clone() for t in self.tensors()))


NAMES = ("C", "W1", "b1", "W2", "b2")


def n_params(V: int, config: MLPConfig) -> int:
    """How many numbers the net has: V*d + k*d*h + h + h*V + V."""
    k, d, h = config.context, config.d, config.h
    return V * d + k * d * h + h + h * V + V


def init_params(V: int, config: MLPConfig, g: torch.Generator) -> Params:
    """C, W1, b1, W2, b2 drawn from g in the lecture's order; with init_fix, part 3's scaling."""
    k, d, h = config.context, config.d, config.h
    C = torch.randn((V, d), generator=g)
    W1 = torch.randn((k * d, h), generator=g)
    b1 = torch.randn(h, generator=g)
    W2 = torch.randn((h, V), generator=g)
    b2 = torch.randn(V, generator=g)
    if config.init_fix:  # part 3's numbers, as the lecture writes them (b1 * 0.01 too)
        W1 *= (5 / 3) / (k * d) ** 0.5
        b1 *= 0.01
        W2 *= 0.01
        b2 *= 0
    return Params(C, W1, b1, W2, b2)


@torch.no_grad()
def logits(p: Params, X: torch.Tensor) -> torch.Tensor:
    """The forward pass: X (n, k) character indices -> logits (n, V)."""
    emb = p.C[X]  # (n, k, d)
    h = torch.tanh(emb.view(len(X), -1) @ p.W1 + p.b1)  # (n, h)
    return h @ p.W2 + p.b2


@torch.no_grad()
def probs(p: Params, X: torch.Tensor) -> torch.Tensor:
    """P[next | context] for each row of X (n, k), computed CHUNK rows at a time."""
    if len(X) == 0:
        return torch.zeros((0, p.C.shape[0]))
    return torch.cat([torch.softmax(logits(p, X[i : i + CHUNK]), 1) for i in range(0, len(X), CHUNK)])


def mlp_table(p: Params, vocab: Vocab) -> Table:
    """The net as a table: dense when V**k <= DENSE_ROWS, else rows computed when asked for."""
    V, k = len(vocab), p.k
    if V**k <= DENSE_ROWS:
        return Table(vocab, k, probs(p, context_digits(torch.arange(V**k), V, k)))
    return Table(vocab, k, None, rows_of=lambda ids: probs(p, context_digits(ids, V, k)))


def distinct(X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The distinct contexts of X (n, k), and for each row of X the index of its context."""
    return torch.unique(X, dim=0, return_inverse=True)


@torch.no_grad()
def mean_nll(p: Params, contexts: torch.Tensor, rows: torch.Tensor, Y: torch.Tensor) -> float:
    """Mean -log P of Y under the net, each of the distinct contexts through the net once;
    the i-th example's context is contexts[rows[i]] (see distinct)."""
    if len(Y) == 0:
        return math.nan
    logp = torch.cat([logits(p, contexts[i : i + CHUNK]).log_softmax(1) for i in range(0, len(contexts), CHUNK)])
    return float(-logp[rows, Y].mean())


class MLPTrainer:
    """One run of the MLP: minibatch SGD on the train words, the dev NLL every few hundred steps."""

    def __init__(self, train: list[str], dev: list[str], vocab: Vocab, config: MLPConfig = MLPConfig()):
        config.check()
        self.vocab, self.config, self.epochs = vocab, config, config.steps
        self.Xtr, self.Ytr = build_dataset(train, vocab, config.context)
        self.Xdev, self.Ydev = build_dataset(dev, vocab, config.context)
        self._dev = (*distinct(self.Xdev), self.Ydev)
        if len(self.Ytr) == 0:
            raise ValueError("no examples to train on: the training words are empty")
        self.g = torch.Generator().manual_seed(config.seed)
        self.params = init_params(len(vocab), config, self.g)
        self._done = False

    def cost(self) -> Cost:
        """Memory and seconds per step from a model fitted to runs measured here (bench/bench_mlp.py)."""
        c, V = self.config, len(self.vocab)
        k, d, h, B = c.context, c.d, c.h, c.batch
        macs = k * d * h + h * V  # multiply-adds of one example's forward pass
        per_step = STEP_SECONDS + 3 * B * macs * MAC_SECONDS
        if c.dev_every:
            per_step += (len(self.Ydev) * (macs + 3 * h) * MAC_SECONDS + STEP_SECONDS) / c.dev_every
        params = 4 * n_params(V, c)
        data = 8 * (k + 1) * (len(self.Ytr) + len(self.Ydev))  # X and Y, int64
        evals = 4 * min(len(self.Ydev), CHUNK) * (k * d + 2 * h + 2 * V)  # a dev pass's activations
        return Cost(4 * params + data + evals, per_step)  # parameters, gradients, two snapshots

    def steps(self) -> Iterator[Record]:
        """One record per step: its minibatch loss, before its update (and the dev NLL when due).
        Call it once: the parameters and the generator are the run's."""
        c, g = self.config, self.g
        params = self.params.tensors()
        C, W1, b1, W2, b2 = params
        Xtr, Ytr, B = self.Xtr, self.Ytr, c.batch
        rows = torch.arange(B)
        for step in range(1, c.steps + 1):
            ix = torch.randint(0, Xtr.shape[0], (B,), generator=g)
            Xb, Yb = Xtr[ix], Ytr[ix]  # (B, k), (B,)
            emb = C[Xb].view(B, -1)  # (B, k*d)
            h = torch.tanh(emb @ W1 + b1)  # (B, h)
            logp = (h @ W2 + b2).log_softmax(1)  # (B, V)
            loss = F.nll_loss(logp, Yb).item()  # = F.cross_entropy(logits, Yb)
            if not math.isfinite(loss):
                raise TrainingDiverged(f"training diverged at step {step} (loss {loss}); try a smaller lr1", step)
            due = c.dev_every and (step == 1 or step % c.dev_every == 0)
            yield Record(step, loss, loss, mean_nll(self.params, *self._dev) if due else None)
            # backward by hand, the same operations autograd runs for the lecture's loop
            dlogits = torch.zeros_like(logp)
            dlogits[rows, Yb] = -1 / B  # nll_loss's gradient
            dlogits = torch.ops.aten._log_softmax_backward_data(dlogits, logp, 1, logp.dtype)
            dh = torch.ops.aten.tanh_backward(dlogits @ W2.T, h)  # (B, h): (1 - h**2) * dloss/dh
            grads = [
                torch.zeros_like(C).index_put_((Xb,), (dh @ W1.T).view(B, -1, C.shape[1]), accumulate=True),
                emb.T @ dh,
                dh.sum(0),
                h.T @ dlogits,
                dlogits.sum(0),
            ]
            torch._foreach_mul_(grads, -c.lr(step))  # p += -lr * grad for all five, in two calls
            torch._foreach_add_(params, grads)
        self._done = True

    def state(self) -> Params:
        """A copy of the parameters as of the last record."""
        return self.params.clone()

    def final(self) -> Params:
        """The parameters after the last step's update."""
        if not self._done:
            raise RuntimeError("final() is for a run whose steps are exhausted; use state() mid-run")
        return self.params.clone()

    def table(self, state: Params) -> Table:
        return mlp_table(state, self.vocab)

    def nll(self, state: Params, split: str = "dev") -> float:
        """The state's mean NLL on the whole train or dev set."""
        if split == "dev":
            return mean_nll(state, *self._dev)
        return mean_nll(state, *distinct(self.Xtr), self.Ytr)

    def describe(self, before: Params, after: Params) -> str:
        moved = [float((a - b).abs().max()) for a, b in zip(after.tensors(), before.tensors(), strict=True)]
        i = max(range(len(moved)), key=moved.__getitem__)
        return f"moved the parameters by at most {moved[i]:.3g} ({NAMES[i]})"


# measured here on one thread (bench/bench_mlp.py): the fixed cost of a step's ~15 small torch
# calls, and seconds per multiply-add once the matrices are large enough to matter
STEP_SECONDS = 100e-6
MAC_SECONDS = 0.15e-9


def train_mlp(
    words: list[str], config: MLPConfig = MLPConfig(), on_record: Callable[[Record], None] | None = None
) -> tuple[MLPTrainer, Params]:
    """Split the words 80/10/10 (makemore.data.split), train to the end: (trainer, final parameters).

    on_record(record) is called after each step; trainer.nll(state, "dev") and trainer.table(state)
    give the figures and the table (for `makemore train --model mlp`).
    """
    train, dev, _ = split(words)
    trainer = MLPTrainer(train, dev, Vocab.from_words(words), config)
    for record in trainer.steps():
        if on_record is not None:
            on_record(record)
    return trainer, trainer.final()
