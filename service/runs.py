"""Training runs as objects, outside any script run: a bounded pool of worker threads per process.

A `Run` belongs to a session (by an unguessable token), not to a script run: a rerun, a tab
switch or a lecture step never stops it. Stop, a newer run of the same session, or the session's
last page closing (its presence channel, service/live.py) does.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import heapq
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from makemore.data import Vocab
from makemore.neural import (
    Cost,
    Record,
    TrainConfig,
    TrainingDiverged,
    check_cost,
    cost,
    fitting_method,
    human_bytes,
    neural_table,
    train,
)
from makemore.table import Table, nll_counts

ACTIVE = ("queued", "running", "paused")
GRACE = 0.8  # s a session may be without a page (a reload, a blip) before its runs are stopped
WORKERS_ENV = "MAKEMORE_WORKERS"  # worker threads (default: one core left for the pages)
MEMORY_ENV = "MAKEMORE_RUN_MEMORY_MB"  # memory all running runs of the process may take together
MEMORY_DEFAULT = 600_000_000  # a 1 GB replica: ~300 MB for the app and its pages, the rest for runs
WORKER_NICE = 10  # workers yield the CPU to the threads that serve pages


@dataclass(eq=False)
class Run:
    """One training run: what it trains on, how far it got, and W when it is done."""

    id: str  # unguessable: the live route serves a run to whoever names it
    session: str  # the session token of the page that started it
    n: int  # the run's number in its session: its label on the chart and in Compare
    config: TrainConfig
    data: tuple  # (corpus key, context, fit part): which data it was trained on
    vocab: Vocab
    k: int
    N: torch.Tensor = field(repr=False)  # the counts it trains on (V**k, V)
    examples: Callable | None = field(default=None, repr=False)  # () -> (xs, ys), for per-example methods
    pace: float | None = None  # epochs per second (None: as fast as it goes)
    cost: Cost | None = None  # what the run is expected to take (memory, time per epoch)
    status: str = "queued"  # queued, running, paused, done, stopped, failed
    records: list[Record] = field(default_factory=list)
    W: torch.Tensor | None = field(default=None, repr=False)  # the weights after the last recorded epoch's forward
    step_size: float = 0.0  # max |ΔW| of the last gradient update
    message: str = ""  # why it failed, or why it stopped
    diverged_at: int | None = None  # the epoch a diverged run left at
    final_nll: float | None = None  # a done run: the data NLL of its trained W (the one number every view shows)
    seconds: float = 0.0  # training time, without pacing or pauses
    created: float = field(default_factory=time.time)
    chart: dict = field(default_factory=dict)  # what the page's chart needs beside the points (floor, earlier runs)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _cancel: str | None = field(default=None, repr=False)
    _hold: bool = field(default=False, repr=False)  # pause asked: hold between epochs
    _steps: int = field(default=0, repr=False)  # epochs a held run may still take
    _table: Table | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def epoch(self) -> int:
        return len(self.records)

    @property
    def nlls(self) -> list[float]:
        return [r.nll for r in self.records]

    def seconds_left(self) -> float:
        """Expected time to the last epoch: the estimate per epoch, or the pace when slower."""
        per_epoch = self.cost.seconds_per_epoch if self.cost else 0.0
        if self.pace:
            per_epoch = max(per_epoch, 1 / self.pace)
        return per_epoch * (self.config.epochs - self.epoch)

    def table(self) -> Table | None:
        """softmax(W) as a table: the net's model, for every tab (done runs only)."""
        if self.status != "done" or self.W is None:
            return None
        if self._table is None:
            self._table = neural_table(self.W, self.vocab, self.k)
        return self._table

    def current_table(self) -> Table | None:
        """softmax(W) at the last recorded epoch, also of a paused run (what one step changed)."""
        W = self.W
        return None if W is None else neural_table(W, self.vocab, self.k)


class RunService:
    """A queue and `workers` threads that execute runs one epoch at a time."""

    def __init__(self, workers: int | None = None, memory: int | None = None):
        self.workers = workers or int(os.environ.get(WORKERS_ENV) or 0) or max(1, (os.cpu_count() or 1) - 1)
        self.memory = memory or int(float(os.environ.get(MEMORY_ENV) or 0) * 1e6) or MEMORY_DEFAULT
        self._in_use = 0  # bytes the running runs are expected to take
        self._lock = threading.Condition()
        self._queue: deque[Run] = deque()
        self._runs: dict[str, Run] = {}
        self._by_session: dict[str, list[Run]] = {}
        self._pages: dict[str, int] = {}  # open presence channels per session
        self._closing = False
        self._threads = [threading.Thread(target=self._work, daemon=True, name=f"run-{i}") for i in range(self.workers)]
        for t in self._threads:
            t.start()

    # ---- what the page calls
    def start(
        self,
        session: str,
        config: TrainConfig,
        data: tuple,
        vocab: Vocab,
        k: int,
        N: torch.Tensor,
        examples: Callable | None = None,
        pace: float | None = None,
    ) -> Run:
        """Queue a run; a run of the same session still going is stopped ("a newer run"). A run
        larger than the process's budget for runs is refused at once, with the reason."""
        c = cost(config.method, int(N.sum()), *N.shape)
        with self._lock:
            mine = self._by_session.setdefault(session, [])
            for old in mine:
                if old.active:
                    self._cancel(old, "a newer run was started")
            run = Run(secrets.token_urlsafe(16), session, len(mine) + 1, config, data, vocab, k, N, examples, pace, c)
            mine.append(run)
            del mine[:-20]  # the session's history the service keeps (the page keeps its own)
            self._runs[run.id] = run
            self._forget_old()
            if c.bytes > self.memory:
                other = fitting_method(int(N.sum()), *N.shape, self.memory)
                run.status, run.examples = "failed", None
                run.message = (
                    f"the {config.method} method would need about {human_bytes(c.bytes)}, more than this server's "
                    f"{human_bytes(self.memory)} for training runs; the {other} method gives the same losses"
                )
                return run
            self._queue.append(run)
            self._lock.notify_all()
        return run

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id) if isinstance(run_id, str) else None

    def expected_start(self, run: Run | None = None, session: str = "") -> float:
        """Seconds until `run` (queued) should start, or a new run of `session` would (None; its
        own runs do not count: a newer run stops them): the runs going and those ahead of it in
        the queue, shared out over the workers."""
        with self._lock:
            going = [r for r in self._runs.values() if r.status in ("running", "paused") and r.session != session]
            ahead = [r for r in self._queue if r.session != session or run is not None]
        if run is not None and run in ahead:
            ahead = ahead[: ahead.index(run)]
        free = sorted(r.seconds_left() for r in going)[: self.workers]
        free += [0.0] * (self.workers - len(free))
        heapq.heapify(free)
        for r in ahead:
            heapq.heappush(free, heapq.heappop(free) + r.seconds_left())
        return free[0]

    def load(self, session: str = "") -> tuple[int, int]:
        """(runs going, runs queued) in this process, but those of `session`."""
        with self._lock:
            going = sum(r.status in ("running", "paused") and r.session != session for r in self._runs.values())
            return going, sum(r.session != session for r in self._queue)

    def ahead(self, run: Run) -> int:
        """How many queued runs start before this one (0 when it is running or next)."""
        with self._lock:
            try:
                return list(self._queue).index(run)
            except ValueError:
                return 0

    def stop(self, run: Run, reason: str = "Stop was pressed") -> None:
        with self._lock:
            self._cancel(run, reason)

    def pause(self, run: Run, wait: float = 2.0) -> None:
        """Hold the run after the epoch in flight; it says "paused" once it holds, which this
        waits for (up to `wait` s), so the page drawn next shows the held run."""
        with run._cond:
            if run.status in ("queued", "running"):
                run._hold, run._steps = True, 0
            run._cond.notify_all()
            self._until(run, lambda: run.status != "running", wait)

    def resume(self, run: Run) -> None:
        with run._cond:
            run._hold, run._steps = False, 0
            if run.status == "paused":
                run.status = "running"
            run._cond.notify_all()

    def step(self, run: Run, wait: float = 2.0) -> None:
        """Exactly one more epoch, then hold (a running run holds after it too)."""
        with run._cond:
            before = run.epoch
            if run.active:
                run._hold = True
                run._steps += 1
            run._cond.notify_all()
            self._until(run, lambda: not run.active or (run.status == "paused" and run.epoch > before), wait)

    @staticmethod
    def _until(run: Run, done, timeout: float) -> None:  # holds run._cond
        deadline = time.monotonic() + timeout
        while not done() and (left := deadline - time.monotonic()) > 0:
            run._cond.wait(left)

    def set_pace(self, run: Run, pace: float | None) -> None:
        with run._cond:
            run.pace = pace
            run._cond.notify_all()

    def wait(self, run: Run, timeout: float = 60) -> bool:
        """Until the run has ended (tests, the CLI); True if it did."""
        deadline = time.monotonic() + timeout
        with run._cond:
            while run.active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                run._cond.wait(min(left, 0.1))
        return True

    # ---- presence: a session's pages
    def attach(self, session: str) -> None:
        with self._lock:
            self._pages[session] = self._pages.get(session, 0) + 1

    def detach(self, session: str) -> None:
        with self._lock:
            self._pages[session] = self._pages.get(session, 1) - 1
        threading.Timer(GRACE, self._maybe_orphaned, (session,)).start()

    def _maybe_orphaned(self, session: str) -> None:
        with self._lock:
            if self._pages.get(session, 0) > 0:
                return
            self._pages.pop(session, None)
        self.end_session(session, "the page was closed")

    def end_session(self, session: str, reason: str = "the session ended") -> None:
        """Stop every run of a session that is gone."""
        with self._lock:
            for run in self._by_session.get(session, []):
                if run.active:
                    self._cancel(run, reason)

    # ---- inside
    def _cancel(self, run: Run, reason: str) -> None:  # holds self._lock
        if not run.active:
            return
        if run in self._queue:
            self._queue.remove(run)
            self._end(run, "stopped", reason)
            self._lock.notify_all()  # the next in line may fit now
            return
        with run._cond:
            run._cancel = reason
            run._cond.notify_all()

    def _end(self, run: Run, status: str, message: str = "") -> None:
        if status == "done" and run.W is not None:
            # the trained table's NLL on the data it was fit on, computed as every tab computes it
            # (makemore.table.nll_counts): the status line and Compare show one number
            with torch.no_grad():
                run.final_nll = nll_counts(neural_table(run.W, run.vocab, run.k).P, run.N)
        with run._cond:
            run.status, run.message = status, message
            run.examples = None  # the examples of a per-example run can be large: let them go
            run._cond.notify_all()

    def _forget_old(self) -> None:  # holds self._lock
        """Runs of sessions that are gone: keep the newest 1000 ended ones in the process."""
        ended = [r for r in self._runs.values() if not r.active]
        for r in sorted(ended, key=lambda r: r.created)[:-1000]:
            del self._runs[r.id]
            mine = self._by_session.get(r.session)
            if mine and r in mine:
                mine.remove(r)
                if not mine:
                    del self._by_session[r.session]

    def shutdown(self, timeout: float = 10) -> None:
        """Stop every run and the workers (the server's shutdown; a test session's end): a worker
        thread still inside torch when the interpreter exits can abort the process."""
        with self._lock:
            self._closing = True
            for run in list(self._runs.values()):
                self._cancel(run, "the server is shutting down")
            self._lock.notify_all()
        for t in self._threads:
            t.join(timeout)

    def _fits(self) -> bool:  # holds self._lock
        """The head of the queue fits the memory the running runs leave (alone, it always may)."""
        return bool(self._queue) and (self._in_use == 0 or self._in_use + self._queue[0].cost.bytes <= self.memory)

    def _work(self) -> None:
        torch.set_num_threads(1)
        with contextlib.suppress(OSError, AttributeError):  # Linux: a thread's own nice value
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)
        while True:
            with self._lock:
                while not self._fits() and not self._closing:
                    self._lock.wait()
                if self._closing:
                    return
                run = self._queue.popleft()
                run.status = "running"
                self._in_use += run.cost.bytes
            try:
                self._execute(run)
            except Exception as e:  # noqa: BLE001  (a bug in a run must not take the worker)
                self._end(run, "failed", f"{type(e).__name__}: {e}")
            finally:
                with self._lock:
                    self._in_use -= run.cost.bytes
                    self._lock.notify_all()
                give_back_memory()

    def _execute(self, run: Run) -> None:
        config, N = run.config, run.N
        try:
            check_cost(config.method, int(N.sum()), *N.shape)
            xs, ys = run.examples() if config.method != "counts" and run.examples else (None, None)
            steps = train(N, config, xs, ys)
            busy, tick = 0.0, time.monotonic()
            W = None
            while True:
                t0 = time.monotonic()
                try:
                    record, W = next(steps)  # resuming the generator first applies the previous update
                except StopIteration:
                    break
                busy += time.monotonic() - t0
                prev = run.W
                run.W = W.detach().clone()
                if prev is not None:
                    run.step_size = float((run.W - prev).abs().max())
                run.records.append(record)
                run.seconds = busy
                if record.epoch == config.epochs:
                    t0 = time.monotonic()
                    next(steps, None)  # the last epoch's update: W after every step, as a plain loop ends
                    run.seconds = busy + time.monotonic() - t0
                    run.W = W.detach().clone()
                    break
                # the pace: the next epoch at the next tick; a late epoch (or a pause) owes nothing
                tick = max(tick + (1 / run.pace if run.pace else 0.0), time.monotonic() - 0.1)
                if not self._between_epochs(run, tick):
                    return
        except TrainingDiverged as e:
            run.diverged_at = e.epoch
            return self._end(run, "failed", str(e))
        except ValueError as e:  # too big for memory, nothing to train on
            return self._end(run, "failed", str(e))
        self._end(run, "done")

    def _between_epochs(self, run: Run, next_at: float) -> bool:
        """Wait for the pace, and while paused; False when the run was cancelled."""
        with run._cond:
            while True:
                if run._cancel:
                    run.status, run.message = "stopped", run._cancel
                    run.examples = None
                    run._cond.notify_all()
                    return False
                if run._hold:
                    if run._steps > 0:  # one epoch, and the run still reads as paused
                        run._steps -= 1
                        return True
                    run.status = "paused"
                    run._cond.notify_all()
                    run._cond.wait(0.5)
                    continue
                if run.status == "paused":
                    run.status = "running"
                left = next_at - time.monotonic()
                if left <= 0:
                    return True
                run._cond.wait(left)


def give_back_memory() -> None:
    """Return freed heap pages to the system (glibc keeps them otherwise): a finished run's
    examples and autograd buffers, hundreds of MB for the per-example methods."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_service: RunService | None = None
_service_lock = threading.Lock()


def service() -> RunService:
    """The process's run service (started on first use: by the app's lifespan, or by a test)."""
    global _service
    with _service_lock:
        if _service is None:
            _service = RunService()
            atexit.register(_service.shutdown)
        return _service
