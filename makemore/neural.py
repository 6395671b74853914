"""The neural model: one linear layer W on one-hot contexts, softmax, trained by gradient descent."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from makemore.pairs import check_context
from makemore.table import Table, nll_counts
from makemore.trainer import Cost, Record, TrainingDiverged, human_bytes

__all__ = ["Cost", "Record", "TrainingDiverged", "human_bytes"]  # re-exported from makemore.trainer, used with the net

METHODS = ("counts", "onehot", "index", "cross_entropy")
MAX_EPOCHS = 100_000
MEMORY_BUDGET = 1_000_000_000  # bytes a run may allocate; a run estimated above it is refused


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run; the defaults are the lecture's."""

    epochs: int = 100  # full-batch gradient steps
    lr: float = 50.0  # learning rate
    reg: float = 0.01  # weight of mean(W**2) in the loss
    seed: int = 2147483647  # seeds the generator that draws the initial W
    method: str = "counts"  # how the loss is computed; all four give the same numbers

    def check(self) -> None:
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be 1..{MAX_EPOCHS:,}, not {self.epochs}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be a finite number > 0, not {self.lr}")
        if not (self.reg >= 0 and math.isfinite(self.reg)):
            raise ValueError(f"regularization must be a finite number >= 0, not {self.reg}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")


class TooBig(ValueError):
    """A run whose estimated memory is over the budget."""


def cost(method: str, n_examples: int, rows: int, V: int) -> Cost:
    """Estimated memory and time of training `method` on n examples with a (rows, V) table, and
    what the other methods (the same losses) would take."""
    n, table = n_examples, rows * V
    if method == "onehot":
        bytes_, seconds = n * (12 * rows + 16 * V + 16) + 100_000_000, 25e-9 * n * (rows + V)
    elif method in ("index", "cross_entropy"):
        bytes_, seconds = n * (8 * V + 16) + 100_000_000, 9e-9 * n * V
    else:
        return Cost(40 * table, 5e-9 * table + 1e-4, "the counts method")
    others = tuple((f"the {m} method", cost(m, n, rows, V).bytes) for m in ("index", "counts") if m != method)
    return Cost(bytes_, seconds, f"the {method} method", others)


def fitting_method(n_examples: int, rows: int, V: int, budget: int | None = None) -> str:
    """index (per example, like the lecture) when it fits the budget, else counts, which always does."""
    budget = MEMORY_BUDGET if budget is None else budget
    return "index" if cost("index", n_examples, rows, V).bytes <= budget else "counts"


def check_cost(method: str, n_examples: int, rows: int, V: int, budget: int | None = None) -> Cost:
    """The run's cost; raises TooBig, naming a method that fits, when its memory is over the budget."""
    c = cost(method, n_examples, rows, V)
    refusal = c.refusal(MEMORY_BUDGET if budget is None else budget, "the limit for one run")
    if refusal:
        raise TooBig(refusal)
    return c


def human_seconds(s: float) -> str:
    if s < 0.01:
        return f"{s * 1000:.1f} ms"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def init_weights(rows: int, V: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn((rows, V), generator=g, requires_grad=True)


def data_nll(W: torch.Tensor, method: str, xs, ys, N) -> torch.Tensor:
    """Mean NLL of the examples under softmax(W), computed by one of the four methods."""
    if method == "onehot":  # the lecture's code
        xenc = F.one_hot(xs, num_classes=W.shape[0]).float()  # (num, V**k)
        logits = xenc @ W  # (num, V)
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdim=True)
        return -probs[torch.arange(len(ys)), ys].log().mean()
    if method == "index":  # E04: xenc @ W just picks rows of W
        logits = W[xs]
        return -(logits.log_softmax(1)[torch.arange(len(ys)), ys]).mean()
    if method == "cross_entropy":  # E05
        return F.cross_entropy(W[xs], ys)
    # counts: full batch, so identical (context, next) pairs can be summed up front
    return -(N * W.log_softmax(1)).sum() / N.sum()


def train(
    N: torch.Tensor, config: TrainConfig = TrainConfig(), xs=None, ys=None
) -> Iterator[tuple[Record, torch.Tensor]]:
    """Yield (record, W) once per epoch; W is the live weight tensor, updated after each yield.

    N is the count matrix (V**k, V); the per-example methods also need xs, ys (the examples N counts).
    """
    config.check()
    if int(N.sum()) == 0:
        raise ValueError("no examples to train on: the training words are empty")
    if config.method != "counts" and (xs is None or ys is None):
        raise ValueError(f"method {config.method!r} needs the examples xs, ys")
    check_cost(config.method, int(N.sum()), *N.shape)
    Nf = N.float()
    W = init_weights(*N.shape, config.seed)
    for epoch in range(1, config.epochs + 1):
        loss_nll = data_nll(W, config.method, xs, ys, Nf)
        loss = loss_nll + config.reg * (W**2).mean()
        record = Record(epoch, loss_nll.item(), loss.item())
        if not (math.isfinite(record.nll) and math.isfinite(record.total)):
            penalty = config.reg * (W.detach() ** 2).mean()  # in float32, as the loss is
            if epoch == 1 and not bool(torch.isfinite(penalty)):  # on the initial W: the penalty itself
                advice = f"the penalty {config.reg:g} · mean(W²) overflows; try a smaller regularization"
            else:
                advice = f"try a smaller learning rate than {config.lr:g}"
            raise TrainingDiverged(f"training diverged at epoch {epoch} (loss {record.total}); {advice}", epoch)
        yield record, W
        W.grad = None
        loss.backward()
        with torch.no_grad():
            W += -config.lr * W.grad


def loop_source(method: str) -> str:
    """The lines a run of `method` executes each epoch, from this module's own source: the loss of
    data_nll's branch for the method, then train()'s penalty, backward pass and update."""
    import inspect

    lines = inspect.getsource(data_nll).splitlines()
    marker = f'method == "{method}"' if method != "counts" else "# counts:"
    start = next(i for i, line in enumerate(lines) if marker in line)
    body = []
    for line in lines[start + 1 :]:
        if line.strip().startswith("if method") or (line.startswith("    #") and body):
            break
        body.append(line[8:] if line.startswith("        ") else line[4:])
    loss = [line.replace("return ", "loss_nll = ", 1) for line in body]
    loop = inspect.getsource(train).splitlines()
    step = [line.strip() for line in loop if line.strip().startswith(("loss = ", "loss.backward()", "W += "))]
    return "\n".join([*loss, *step])


class NetTrainer:
    """The net as a Trainer (makemore.trainer): train() one epoch at a time; its state is W."""

    def __init__(self, N: torch.Tensor, vocab, k: int = 1, config: TrainConfig = TrainConfig(), examples=None):
        self.N, self.vocab, self.k, self.config = N, vocab, k, config
        self.examples = examples  # () -> (xs, ys): the per-example methods' examples, made when it starts
        self.epochs = config.epochs
        self._W: torch.Tensor | None = None  # the live weights train() updates

    def cost(self) -> Cost:
        return cost(self.config.method, int(self.N.sum()), *self.N.shape)

    def steps(self) -> Iterator[Record]:
        per_example = self.config.method != "counts" and self.examples is not None
        xs, ys = self.examples() if per_example else (None, None)
        for record, W in train(self.N, self.config, xs, ys):
            self._W = W
            yield record

    def state(self) -> torch.Tensor:
        return self._W.detach().clone()

    def final(self) -> torch.Tensor:
        return self._W.detach().clone()

    def table(self, state: torch.Tensor) -> Table:
        return neural_table(state, self.vocab, self.k)

    def nll(self, state: torch.Tensor) -> float:
        """As every tab computes a table's NLL (makemore.table.nll_counts): one number everywhere."""
        with torch.no_grad():
            return nll_counts(self.table(state).P, self.N)

    def describe(self, before: torch.Tensor, after: torch.Tensor) -> str:
        return f"the last step moved W by at most {float((after - before).abs().max()):.3g}"


def neural_table(W: torch.Tensor, vocab, k: int) -> Table:
    """The table the net defines: P = softmax(W) row by row."""
    check_context(k)
    return Table(vocab, k, torch.softmax(W.detach(), dim=1))


def fit_neural(
    N: torch.Tensor,
    vocab,
    k: int = 1,
    config: TrainConfig = TrainConfig(),
    xs=None,
    ys=None,
    on_record=None,
    progress: bool | None = None,
) -> tuple[Table, list[Record]]:
    """Train to the end; returns (table, records).

    on_record(record) is called after each epoch. progress shows a tqdm bar; by default it does
    when the run is interactive (a terminal or a notebook kernel) and there is no on_record.
    """
    if progress is None:
        progress = on_record is None and _interactive()
    bar = _bar(config.epochs) if progress else None
    records, W = [], None
    try:
        for record, W in train(N, config, xs, ys):
            records.append(record)
            if on_record:
                on_record(record)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(nll=f"{record.nll:.4f}", refresh=False)
    finally:
        if bar is not None:
            bar.close()
    return neural_table(W, vocab, k), records


def _interactive() -> bool:
    import sys

    return "ipykernel" in sys.modules or sys.stderr.isatty()


def _bar(total: int):
    """tqdm's notebook bar in a kernel that has ipywidgets, its text bar otherwise."""
    import sys

    from tqdm.std import tqdm

    if "ipykernel" in sys.modules:
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm
        except ImportError:
            pass
    return tqdm(total=total, desc="training", unit="epoch")
