"""Training runs (service/run.py) executed outside any script run: a bounded pool of worker threads per process.

A `Run` belongs to a session (by an unguessable token), not to a script run: a rerun, a tab
switch or a lecture step never stops it. Stop, a newer run of the same session, or the session's
last page closing (its presence channel, service/live/presence.py) does.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import heapq
import logging
import os
import secrets
import threading
import time
from collections import deque

import torch

from makemore.trainer import Cost, Trainer, TrainingDiverged, curve_every, outcome
from service.run import MEASURED, Run

log = logging.getLogger(__name__)
GRACE = 0.8  # s a session may be without a page (a reload, a blip) before its runs are stopped
WORKERS_ENV = "MAKEMORE_WORKERS"  # worker threads (default: one core left for the pages)
MEMORY_ENV = "MAKEMORE_RUN_MEMORY_MB"  # memory all running runs of the process may take together
MEMORY_DEFAULT = 600_000_000  # a 1 GB replica: ~300 MB for the app and its pages, the rest for runs
WORKER_NICE = 10  # workers yield the CPU to the threads that serve pages
FAILED = "the run stopped on an error in the server (it is logged there); press Train to try again"
SPREAD = (
    2.0  # with no run measured here yet, a run may take up to this times its estimate (bench/bench_mlp.py --estimate)
)
PACES_KEPT = 8  # the recent runs whose measured pace against their estimate calibrates the next


class RunService:
    """A queue and `workers` threads that execute runs one epoch at a time. A paused run is
    parked: it holds no worker, and Resume or One epoch puts it back at the head of the queue."""

    def __init__(self, workers: int | None = None, memory: int | None = None):
        self.workers = workers or int(os.environ.get(WORKERS_ENV) or 0) or max(1, (os.cpu_count() or 1) - 1)
        self.memory = memory or int(float(os.environ.get(MEMORY_ENV) or 0) * 1e6) or MEMORY_DEFAULT
        self._in_use = 0  # bytes the admitted runs (running or parked) are expected to take
        self._lock = threading.Condition()
        self._queue: deque[Run] = deque()
        self._runs: dict[str, Run] = {}
        self._by_session: dict[str, list[Run]] = {}
        self._pages: dict[str, int] = {}  # open presence channels per session
        self._closing = False
        self._slowdowns: dict[str, deque[float]] = {}  # per trainer type: measured / estimated s a step, recent runs
        self._orphans: dict[str, float] = {}  # sessions whose last page closed: when their grace ends
        self._reaping = threading.Condition()  # guards _orphans; one reaper thread, not a timer per close
        self._threads = [threading.Thread(target=self._work, daemon=True, name=f"run-{i}") for i in range(self.workers)]
        self._threads.append(threading.Thread(target=self._reap, daemon=True, name="run-reaper"))
        for t in self._threads:
            t.start()

    # ---- what the page calls
    def start(self, session: str, trainer: Trainer, data: tuple, pace: float | None = None, lane: str = "") -> Run:
        """Queue a run of `trainer`; a run of the same session and lane still going is stopped ("a
        newer run"): a session's lanes (the net, the MLP, the crossover's runs) go on side by side.
        A run whose cost is over the process's budget for runs is refused at once, with the
        trainer's own reason."""
        c = trainer.cost()
        with self._lock:
            mine = self._by_session.setdefault(session, [])
            for old in mine:
                if old.active and old.lane == lane:
                    self._cancel(old, "a newer run was started")
            run = Run(secrets.token_urlsafe(16), session, len(mine) + 1, trainer, data, pace, c, lane=lane)
            run.every = curve_every(trainer)  # a long run keeps (and streams) bucket means, not every step
            run.scale = self._slowdown(trainer)  # its estimate as the recent runs here went, until it has its own pace
            mine.append(run)
            mine[:-20] = [r for r in mine[:-20] if r.active]  # the history kept (the page keeps its own)
            self._runs[run.id] = run
            self._forget_old()
            refusal = c.refusal(self.memory, "this server's memory for training runs")
            if refusal:
                run.status, run.message = "failed", refusal
                return run
            self._enqueue(run)
            self._lock.notify_all()
        return run

    def _enqueue(self, run: Run) -> None:  # holds self._lock
        """Into the queue in turns, not in order of arrival: a session's k-th queued run goes after
        every other session's k-th, so one student's eight crossover runs never hold the hall's
        single runs behind them (each session's own runs keep their order)."""
        turn = sum(r.session == run.session for r in self._queue)
        seen: dict[str, int] = {}
        for i, r in enumerate(self._queue):
            k = seen[r.session] = seen.get(r.session, -1) + 1
            if k > turn:
                self._queue.insert(i, run)
                return
        self._queue.append(run)

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id) if isinstance(run_id, str) else None

    def expected_start(self, run: Run | None = None, session: str = "") -> float:
        """Seconds until `run` (queued) should start, or a new run of `session` would (None; its
        own runs do not count: a newer run stops them): the runs on a worker and those ahead of it
        in the queue, shared out over the workers. A paused run holds no worker: it does not count."""
        with self._lock:
            going = [r for r in self._runs.values() if r.status == "running" and r.session != session]
            ahead = [r for r in self._queue if r.session != session or run is not None]
        if run is not None and run in ahead:
            ahead = ahead[: ahead.index(run)]
        free = sorted(r.seconds_left() for r in going)[: self.workers]
        free += [0.0] * (self.workers - len(free))
        heapq.heapify(free)
        for r in ahead:
            heapq.heappush(free, heapq.heappop(free) + r.seconds_left())
        return free[0]

    def _slowdown(self, trainer) -> float:  # holds self._lock
        """How much slower than their estimates the recent runs of this kind of trainer went here
        (their median; 1 with none)."""
        xs = sorted(self._slowdowns.get(type(trainer).__name__, ()))
        return xs[len(xs) // 2] if xs else 1.0

    def time_range(self, kind: type, cost: Cost, epochs: int) -> tuple[float, float]:
        """The seconds a run of `epochs` of this cost and kind of trainer should take, stated before it
        starts, as a range: from its estimate (a machine with a core to spare) to the slowest of the
        recent runs of its kind here against theirs (the load now); up to SPREAD times the estimate
        until one was measured."""
        est = cost.seconds(epochs)
        with self._lock:
            seen = list(self._slowdowns.get(kind.__name__, ()))
        return est * min([1.0, *seen]), est * max([SPREAD if not seen else 1.0, *seen])

    def _measured(self, run: Run) -> None:
        """An ended run that trained long enough to have its own pace: how it went against its estimate."""
        if run.cost and run.cost.seconds_per_epoch > 0 and run.seconds >= MEASURED and run.epoch:
            with self._lock:
                kind = self._slowdowns.setdefault(type(run.trainer).__name__, deque(maxlen=PACES_KEPT))
                kind.append(run.seconds / run.epoch / run.cost.seconds_per_epoch)

    def load(self, session: str = "") -> tuple[int, int]:
        """(runs on a worker, runs queued) in this process, but those of `session`."""
        with self._lock:
            going = sum(r.status == "running" and r.session != session for r in self._runs.values())
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
        """Hold the run after the epoch in flight, then park it (its worker goes to the next run);
        it says "paused" once parked, which this waits for (up to `wait` s), so the page drawn
        next shows the held run. A queued run parks at once."""
        with self._lock, run._cond:
            if run.status in ("queued", "running"):
                run._hold, run._steps = True, 0
            if run in self._queue:
                self._queue.remove(run)
                self._park(run)
            run._cond.notify_all()
        with run._cond:
            self._until(run, lambda: run.status != "running", wait)

    def resume(self, run: Run) -> None:
        """Go on from where it held: a parked run goes back to the head of the queue."""
        with self._lock, run._cond:
            run._hold, run._steps = False, 0
            self._unpark(run)
            run._cond.notify_all()

    def step(self, run: Run, wait: float = 2.0) -> None:
        """Exactly one more epoch, then hold (a running run holds after it too)."""
        with self._lock, run._cond:
            before = run.epoch
            if run.active:
                run._hold = True
                if run.status == "running":
                    run._steps += 1  # the epoch in flight, then this one
                self._unpark(run)  # a parked run takes its one epoch when a worker picks it up
            run._cond.notify_all()
        with run._cond:
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
        with self._reaping:
            self._orphans[session] = time.monotonic() + GRACE
            self._reaping.notify()

    def _reap(self) -> None:
        """The one thread that ends the runs of sessions whose last page stayed closed for GRACE."""
        while not self._closing:
            with self._reaping:
                now = time.monotonic()
                due = [s for s, at in self._orphans.items() if at <= now]
                for s in due:
                    del self._orphans[s]
                if not due:
                    self._reaping.wait(min(self._orphans.values(), default=now + 1.0) - now)
            for session in due:
                self._maybe_orphaned(session)

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

    # ---- inside (the lock order: self._lock, then a run's _cond)
    def _park(self, run: Run) -> None:  # holds self._lock and run._cond
        run.status, run._parked = "paused", True
        run._cond.notify_all()

    def _unpark(self, run: Run) -> None:  # holds self._lock and run._cond
        if run._parked:
            run.status, run._parked = "queued", False
            self._queue.appendleft(run)  # ahead of new runs: it was started before them
            self._lock.notify_all()

    def _cancel(self, run: Run, reason: str) -> None:  # holds self._lock
        if not run.active:
            return
        if run in self._queue or run._parked:  # on no worker: it ends here
            if run in self._queue:
                self._queue.remove(run)
            run._parked = False
            self._end(run, "stopped", reason)
            self._release(run)
            return
        with run._cond:
            run._cancel = reason
            run._cond.notify_all()

    def _end(self, run: Run, status: str, message: str = "") -> None:
        with run._cond:
            run.flush()  # a run that ended mid-bucket: its last steps are the curve's last point
            run.status, run.message = status, message
            run._cond.notify_all()

    def _finish(self, run: Run) -> None:
        """A run whose steps ended (or diverged): its outcome decides done or failed."""
        run.flush()
        run.outcome = outcome(run.for_outcome(), run.final_nll, run.diverged_at, run.config, run.epoch)
        run.diverged_at = run.outcome.epoch
        self._end(run, "failed" if run.outcome.kind == "diverged" else "done", run.outcome.words)

    def _release(self, run: Run) -> None:  # holds self._lock
        """An ended run gives back its memory and its trainer's steps (their examples, their graph)."""
        if run._iter is not None:
            run._iter.close()
            run._iter = None
        if run._admitted:
            self._in_use -= run.cost.bytes
            run._admitted = False
        self._lock.notify_all()  # the next in line may fit now

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
        with self._reaping:
            self._reaping.notify()
        for t in self._threads:
            t.join(timeout)

    def _fits(self) -> bool:  # holds self._lock
        """The head of the queue fits the memory the admitted runs leave (alone, it always may;
        a resumed run was admitted when it first started)."""
        if not self._queue:
            return False
        head = self._queue[0]
        return head._admitted or self._in_use == 0 or self._in_use + head.cost.bytes <= self.memory

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
                if not run._admitted:
                    self._in_use += run.cost.bytes
                    run._admitted = True
            ended = True
            try:
                ended = self._execute(run)
            except Exception:  # a bug in a run must not take the worker: logged, and a plain line for the page
                log.exception("run %s (session run %d) failed", run.id, run.n)
                self._end(run, "failed", FAILED)
            if ended:
                self._measured(run)
                with self._lock:
                    self._release(run)
                give_back_memory()

    def _execute(self, run: Run) -> bool:
        """Step the run until it ends (True) or parks (False, when paused: its worker is free)."""
        trainer = run.trainer
        if run._iter is None:
            run._iter = trainer.steps()
        tick = time.monotonic()
        while True:
            t0 = time.monotonic()
            try:
                record = next(run._iter)  # resuming the steps first applies the previous update
            except StopIteration:
                run.seconds += time.monotonic() - t0
                run.final_state = trainer.final()
                run.final_nll = trainer.nll(run.final_state)
                self._finish(run)
                return True
            except TrainingDiverged as e:
                run.diverged_at = e.epoch
                self._finish(run)
                return True
            except ValueError as e:  # the trainer's refusal: too big for memory, nothing to train on
                self._end(run, "failed", str(e))
                return True
            run.seconds += time.monotonic() - t0
            before, run.state = run.state, trainer.state()
            if before is not None:
                run.change = trainer.describe(before, run.state)
            run.add(record)
            if run.epoch >= run.epochs:
                continue  # the last epoch's update follows at once: the parameters a plain loop ends with
            # the pace: the next epoch at the next tick; a late epoch (or a pause) owes nothing
            tick = max(tick + (1 / run.pace if run.pace else 0.0), time.monotonic() - 0.1)
            went = self._between_epochs(run, tick)
            if went != "go":
                return went == "stopped"

    def _between_epochs(self, run: Run, next_at: float) -> str:
        """Wait for the pace; "go" on, "stopped" (cancelled) or "parked" (paused)."""
        while True:
            with run._cond:
                while True:
                    if run._cancel:
                        run.flush()
                        run.status, run.message = "stopped", run._cancel
                        run._cond.notify_all()
                        return "stopped"
                    if run._hold:
                        if run._steps > 0:  # one epoch, and the run still holds after it
                            run._steps -= 1
                            return "go"
                        break
                    left = next_at - time.monotonic()
                    if left <= 0:
                        return "go"
                    run._cond.wait(left)
            with self._lock, run._cond:  # park, unless a resume or a stop came in between
                if run._hold and run._steps == 0 and not run._cancel:
                    self._park(run)
                    return "parked"


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
