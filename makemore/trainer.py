"""The protocol every model that trains speaks: the bigram net, the MLP, a toy in a test.

A model that is counted is a function `fit(data, settings) -> Table`. A model that trains is a
`Trainer`: the run service (service/runs.py) queues it, steps it, pauses, paces and stops it,
and knows nothing of what its parameters are.

    trainer = SomeTrainer(...)
    for record in trainer.steps():     # one Record per step: the forward pass before its update
        state = trainer.state()        # a detached snapshot of the parameters at that record
    trainer.final()                    # the parameters after the last update (a plain loop's end)
    table = trainer.table(state)       # any state as a Table, for every view
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

    def seconds(self, epochs: int) -> float:
        return self.seconds_per_epoch * epochs


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

    def describe(self, before: Any, after: Any) -> str:
        """What one step changed, in a few words ("moved W by at most 0.12")."""
        ...


def finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
