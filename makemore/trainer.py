"""The protocol every model that trains speaks: the bigram net, the MLP, a toy in a test.

A model that is counted is a function `fit(data, settings) -> Table`. A model that trains is a
`Trainer`: the run service (service/runs.py) queues it, steps it, pauses, paces and stops it,
and knows nothing of what its parameters are.

    trainer = SomeTrainer(...)
    for record in trainer.steps():     # one Record per step: the forward pass before its update
        state = trainer.state()        # a detached snapshot of the parameters at that record
    trainer.final()                    # the parameters after the last update (a plain loop's end)
    table = trainer.table(state)       # any state as a Table, for every view
    outcome(records, trainer.nll(trainer.final()), config=...)  # trained, warned or diverged, in words

A trainer may say how its records are summarised for the live curve: `curve_every`, the steps
one point of the curve stands for (the mean of their nll, as makemore part 3 plots
`lossi.view(-1, 1000).mean(1)`). Without it, `curve_every(trainer)` keeps a run of up to
CURVE_POINTS steps point per step and a longer one at most CURVE_POINTS bucket means.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from makemore.table import Table


@dataclass(frozen=True)
class Record:
    """The forward pass of step `epoch` (1-based), before that step's update."""

    epoch: int  # the step's number (an epoch of full-batch descent for the bigram net)
    nll: float  # mean negative log-likelihood of the data the step saw (a minibatch for the MLP)
    total: float  # nll plus any penalty: the loss that is minimized
    dev: float | None = None  # the held-out NLL, on the steps where the trainer measured it


@dataclass(frozen=True)
class Cost:
    """What a run is expected to take: peak memory beyond its data, and seconds per step."""

    bytes: int
    seconds_per_epoch: float
    what: str = "this run"  # what takes the memory, for the refusal ("the onehot method")
    instead: tuple[tuple[str, int], ...] = ()  # (what, bytes) giving the same result, preferred first

    def seconds(self, epochs: int) -> float:
        return self.seconds_per_epoch * epochs

    def refusal(self, budget: int, limit: str = "the limit") -> str | None:
        """Why a run of this cost is refused under `budget` bytes (one line), or None when it fits.
        `limit` names the budget: "this server's memory for training runs"."""
        if self.bytes <= budget:
            return None
        text = f"{self.what} would need about {human_bytes(self.bytes)}, more than {limit} ({budget_text(budget)})"
        fits = next(((what, b) for what, b in self.instead if b <= budget), None)
        return text + (f"; {fits[0]} gives the same losses in {human_bytes(fits[1])}" if fits else "")


def human_bytes(b: float) -> str:
    return f"{b / 1e9:.1f} GB" if b >= 1e9 else f"{max(b / 1e6, 1):.0f} MB"


def budget_text(b: float) -> str:
    """A budget as it was set: 1 GB, 600 MB."""
    return f"{b / 1e9:g} GB" if b >= 1e9 else f"{b / 1e6:g} MB"


class TrainingDiverged(ValueError):
    """The loss became inf or nan at `epoch`; the records before it were finite."""

    def __init__(self, message: str, epoch: int):
        super().__init__(message)
        self.epoch = epoch


class Trainer(Protocol):
    """One training run of one model on one data set, one step at a time."""

    epochs: int  # the steps it will take

    def cost(self) -> Cost:
        """Expected memory and time, before it starts (the page states it beside Train)."""
        ...

    def steps(self) -> Iterator[Record]:
        """Yield one record per step; resuming the iterator applies that step's update.
        Raises TrainingDiverged when the loss stops being finite."""
        ...

    def state(self) -> Any:
        """A detached copy of the parameters as of the last record (safe to keep)."""
        ...

    def final(self) -> Any:
        """The parameters after the last step's update (call once the steps are exhausted)."""
        ...

    def table(self, state: Any) -> Table:
        """The model a state defines, as the table every view reads."""
        ...

    def nll(self, state: Any) -> float:
        """The NLL of the data it trains on under a state's table: a finished run's one number."""
        ...

    def describe(self, before: Any, after: Any) -> str:
        """What one step changed, in a few words ("the last step moved W by at most 0.12")."""
        ...


CURVE_POINTS = 2000  # at most this many points on a run's curve: a longer run's are bucket means
NICE = (1, 2, 5)  # bucket sizes are 1, 2, 5 times a power of ten: "mean of each 100 steps"


def curve_every(trainer) -> int:
    """Steps per point of the trainer's curve: its own `curve_every` if it says, else 1 for a run
    of up to CURVE_POINTS steps, else the smallest 1, 2, 5 x 10**n keeping it to CURVE_POINTS points."""
    own = getattr(trainer, "curve_every", None)
    if isinstance(own, int) and own >= 1:
        return own
    epochs, scale = max(1, int(trainer.epochs)), 1
    while True:
        for m in NICE:
            if math.ceil(epochs / (m * scale)) <= CURVE_POINTS:
                return m * scale
        scale *= 10


def finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


BARELY = 0.05  # a run whose NLL fell by less than this share of where it started barely moved
ROSE = 0.005  # an end this share above the curve's lowest point went uphill
HEAVY = 0.5  # a penalty above this share of the data NLL at the start outweighs the data


@dataclass(frozen=True)
class Outcome:
    """How a run ended, in one sentence a student can act on."""

    kind: str  # "trained", "warned" (it ran, but look at this) or "diverged" (no model came of it)
    words: str  # what happened and what to try
    epoch: int | None = None  # a diverged run: the epoch it left at


def outcome(
    records: list[Record],
    final_nll: float | None,
    diverged_at: int | None = None,
    config=None,
    steps: int | None = None,
) -> Outcome:
    """Trained, warned or diverged, from what a run recorded.

    records: one per step (the forward pass before its update); final_nll: the data NLL of the
    trained table, after the last update (None when the run never got there); diverged_at: the
    epoch whose loss was not finite (TrainingDiverged.epoch), if one was; config: the run's
    settings, whose `lr` and `reg` the advice names when they are numbers, and whose `unit` and
    `measure` name a step and the NLL where they are not an epoch and the data's (the MLP's);
    steps: how many steps the run took, when `records` is a summary of them (Run.for_outcome).

    diverged: a loss that was not finite, or a trained table that gives the data probability 0.
    warned: the penalty outweighed the data at the start, the NLL ended above its lowest point,
    or it fell by less than 5% of where it started; the held-out points (Record.dev) are that
    curve when the run measured them (a minibatch's loss is noisier than final_nll). trained: otherwise.
    """
    lr, reg = getattr(config, "lr", None), getattr(config, "reg", None)
    lr = lr if isinstance(lr, int | float) else None  # the MLP's lr is a schedule, not one number
    reg = reg if isinstance(reg, int | float) else None
    rate = f"the learning rate {lr:g}" if lr is not None else "the step size"
    unit, measure = getattr(config, "unit", "epoch"), getattr(config, "measure", "data NLL")  # the MLP: step, dev NLL
    smaller = f"a smaller learning rate than {lr:g}" if lr is not None else "smaller steps"
    first = records[0] if records else None
    heavy = first is not None and finite(first.total) and first.total - first.nll > HEAVY * first.nll
    if diverged_at is None:  # a trainer that recorded a loss that is not finite, without raising
        diverged_at = next((r.epoch for r in records if not (finite(r.nll) and finite(r.total))), None)
    if diverged_at is not None:
        if diverged_at == 1:
            words = "the loss was not finite from the start; try a smaller regularization"
            words += f" than {reg:g}" if reg is not None else ""
        else:
            advice = f"{smaller}, or a smaller regularization" if heavy else smaller
            words = f"the loss became infinite; try {advice}"
        return Outcome("diverged", f"Training diverged at epoch {diverged_at}: {words}.", diverged_at)
    n = steps if steps is not None else len(records)
    if final_nll is None or not finite(final_nll):
        return Outcome(
            "diverged",
            f"Training diverged: after epoch {n} the trained table gives some pairs of the data probability 0 "
            f"(data NLL ∞); try {smaller}.",
            n,
        )
    if not records:
        return Outcome("warned", f"The run took no steps: {measure} {final_nll:.4f}, as it started.")
    # a trainer that measures a held-out NLL (the MLP: its records' nll is a minibatch's, noisier
    # than the whole set's) is judged on those points, which final_nll is comparable to
    held = [r.dev for r in records if r.dev is not None and finite(r.dev)]
    nlls, end = held or [r.nll for r in records], final_nll
    start, low = nlls[0], min(nlls)
    if heavy:
        what = f"regularization {reg:g}" if reg is not None else "the penalty"
        such = ", such as 0.01" if reg is not None else ""
        return Outcome(
            "warned",
            f"The penalty outweighs the data: {what} pulls the net towards uniform, and it ends at data NLL "
            f"{end:.4f}; try a smaller regularization{such}.",
        )
    if end > low * (1 + ROSE):
        at = (
            [r.epoch for r in records if r.dev is not None and finite(r.dev)][nlls.index(low)]
            if held
            else nlls.index(low) + 1
        )
        return Outcome(
            "warned",
            f"The {measure} rose from {low:.4f} ({unit} {at}) to {end:.4f} at the end: {rate} is too large for "
            "this loss; try a smaller one.",
        )
    if start - end < BARELY * start:
        return Outcome(
            "warned",
            f"The {measure} barely moved in {n} {unit}s, from {start:.4f} to {end:.4f}: {rate} is too small; "
            f"try a larger one, or more {unit}s.",
        )
    return Outcome("trained", f"Trained {n} {unit}s: {measure} {end:.4f}.")
