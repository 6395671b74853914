"""One training run of any Trainer (makemore.trainer), as the run service (service/runs.py) keeps
it: its records, its latest and final state, how it ended, and the service's handles on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from makemore.table import Table
from makemore.trainer import Cost, Outcome, Record, Trainer

ACTIVE = ("queued", "running", "paused")
MEASURED = 1.0  # s of training after which a run's own pace replaces its estimate


@dataclass(eq=False)
class Run:
    """One training run of any Trainer: what it trains on, how far it got, and how it ended."""

    id: str  # unguessable: the live route serves a run to whoever names it
    session: str  # the session token of the page that started it
    n: int  # the run's number in its session: its label on the chart and in Compare
    trainer: Trainer = field(repr=False)
    data: tuple  # (corpus key, context, fit part): which data it was trained on
    pace: float | None = None  # epochs per second (None: as fast as it goes)
    cost: Cost | None = None  # what the run is expected to take (memory, time per epoch)
    status: str = "queued"  # queued, running, paused, done, stopped, failed
    scale: float = 1.0  # its estimate's factor until it has its own pace: how the recent runs here went
    every: int = 1  # steps per point of the curve (makemore.trainer.curve_every): 1, or a bucket's size
    records: list[Record] = field(default_factory=list)  # the curve: a record per step, or per bucket (means)
    devs: list[tuple[int, float]] = field(default_factory=list)  # (step, held-out NLL) where the trainer measured it
    epoch: int = 0  # steps taken
    first: Record | None = None  # the first step's record, and the latest one (kept whatever `every` is)
    last: Record | None = None
    state: Any = field(default=None, repr=False)  # the parameters as of the last record
    final_state: Any = field(default=None, repr=False)  # a done run: the parameters after the last update
    change: str = ""  # what the last step changed, in the trainer's words
    message: str = ""  # how it ended (the outcome's words), or why it stopped
    outcome: Outcome | None = None  # an ended run: trained, warned or diverged
    diverged_at: int | None = None  # the epoch a diverged run left at
    final_nll: float | None = None  # a done run: the data NLL of its trained table (the one number every view shows)
    seconds: float = 0.0  # training time, without pacing or pauses
    created: float = field(default_factory=time.time)
    lane: str = ""  # a newer run stops the session's active run of the same lane only
    chart: dict = field(default_factory=dict)  # what the page's chart needs beside the points (floor, earlier runs)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _cancel: str | None = field(default=None, repr=False)
    _hold: bool = field(default=False, repr=False)  # pause asked: hold between epochs
    _steps: int = field(default=0, repr=False)  # epochs a held run may still take
    _parked: bool = field(default=False, repr=False)  # paused and off every worker, until resumed
    _admitted: bool = field(default=False, repr=False)  # its memory is counted as in use
    _iter: Iterator[Record] | None = field(default=None, repr=False)  # the trainer's steps, across parking
    _table: Table | None = field(default=None, repr=False)
    _bucket: list[float] = field(default_factory=lambda: [0, 0.0, 0.0], repr=False)  # steps, sum nll, sum total

    def add(self, record: Record) -> None:
        """One step's record: kept as it is when every step is a point, else added to its bucket's
        mean (a point once the bucket is full). What a run keeps is bounded by CURVE_POINTS points."""
        self.first = self.first or record
        self.last = record
        if record.dev is not None:
            self.devs.append((record.epoch, record.dev))
        if self.every == 1:
            self.records.append(record)
            self.epoch += 1
            return
        b = self._bucket
        b[0], b[1], b[2] = b[0] + 1, b[1] + record.nll, b[2] + record.total
        self.epoch += 1
        if b[0] == self.every:
            self.flush()

    def flush(self) -> None:
        """The steps of an unfinished bucket as the curve's last point (the run ended mid-bucket)."""
        b = self._bucket
        if self.every > 1 and b[0]:
            self.records.append(Record(self.epoch, b[1] / b[0], b[2] / b[0]))
            self._bucket = [0, 0.0, 0.0]

    def x(self, i: int) -> float:
        """The step a point of the curve is drawn at: its own, or its bucket's middle."""
        lo = i * self.every + 1
        return lo if self.every == 1 else (lo + min(lo + self.every - 1, self.epochs)) / 2

    def for_outcome(self) -> list[Record]:
        """What makemore.trainer.outcome judges: every record, or for a bucketed run the first step,
        then the held-out points (as records) or the curve's means."""
        if self.every == 1 or self.first is None:
            return self.records[:]
        held = [Record(e, d, d, d) for e, d in self.devs]
        if held and self.first.dev is not None:  # the first step's held-out point is the first of them
            return held
        return [self.first, *(held or self.records)]

    def per_epoch(self) -> float:
        """Seconds per step: as measured once the run has trained MEASURED s, else the estimate
        (times `scale`: how much slower the recent runs here went than theirs)."""
        if self.epoch and self.seconds >= MEASURED:
            return self.seconds / self.epoch
        return self.scale * self.cost.seconds_per_epoch if self.cost else 0.0

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def epochs(self) -> int:
        return self.trainer.epochs

    @property
    def config(self):
        """The trainer's settings, where it has them (labels such as "lr 10" in Compare)."""
        return getattr(self.trainer, "config", None)

    @property
    def nlls(self) -> list[float]:
        return [r.nll for r in self.records]

    def seconds_left(self) -> float:
        """Expected time to the last epoch: the measured pace once it has run a while (MEASURED s),
        else the estimate per epoch; the pace it was given when slower."""
        per_epoch = self.per_epoch()
        if self.pace:
            per_epoch = max(per_epoch, 1 / self.pace)
        return per_epoch * (self.epochs - self.epoch)

    def table(self) -> Table | None:
        """The trained model as a table, for every tab (done runs only)."""
        if self.status != "done" or self.final_state is None:
            return None
        if self._table is None:
            self._table = self.trainer.table(self.final_state)
        return self._table

    def current_table(self) -> Table | None:
        """The model at the last recorded epoch, also of a paused run (what one step changed)."""
        state = self.state
        return None if state is None else self.trainer.table(state)
