"""A hall of pages against a server (`hall`): sessions arriving over a few seconds, some training;
the server processes' CPU and peak RSS, the latencies each page met, and whose run each saw."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.student import Session, page

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the server processes so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return total


def rss_mb(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")


def check_loopback(url: str) -> None:
    host = urllib.parse.urlparse(url).hostname
    if host not in LOOPBACK:
        sys.exit(f"load: {host} is not this machine; the load generator only talks to loopback")


def hall(
    url: str,
    pids: list[int],
    sessions: int,
    train: int,
    within: float,
    timeout: float,
    app: bool,
    query: str = "",
    kill=None,
) -> dict:
    """`sessions` pages arriving within `within` seconds, `train` of them training; CPU, RSS and
    latencies of the server processes `pids`. kill(): called mid-run (failover)."""
    check_loopback(url)
    peak, stop = [rss_mb(pids)], threading.Event()

    def watch():
        while not stop.wait(0.05):
            peak[0] = max(peak[0], rss_mb(pids))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cpu0 = cpu_seconds(pids)
    results: dict[int, Session] = {}

    async def main():
        deadline = time.perf_counter() + timeout
        tasks, hall_over, settled = [], asyncio.Event(), set()
        for n in range(sessions):
            q = query or f"seed={1000 + n}"  # each page its own seed: whose settings come back is checkable
            s = Session(url, q, n)
            tasks.append(asyncio.create_task(page(s, app, n < train, deadline, results, hall_over, settled)))
            await asyncio.sleep(within / max(1, sessions))
        if kill is not None:
            await asyncio.sleep(1.0)
            await asyncio.to_thread(kill)
            await asyncio.sleep(1.0)  # the pages notice and reconnect
        # the hall is over when every page has done its part (after a reconnect, again)
        while len(settled) < sessions and time.perf_counter() < deadline and not all(t.done() for t in tasks):
            await asyncio.sleep(0.1)
        hall_over.set()
        await asyncio.gather(*tasks)

    t0 = time.perf_counter()
    # its own thread: a caller may already run an event loop (Playwright's sync API in the test suite)
    runner = threading.Thread(target=asyncio.run, args=(main(),))
    runner.start()
    runner.join()
    wall = time.perf_counter() - t0
    stop.set()
    watcher.join()
    cpu = cpu_seconds(pids) - cpu0
    found = list(results.values())
    first = [dict(reversed(s.log)) for s in found]  # each event's first time
    to_data = [f["data"] - f["connected"] for f in first if "data" in f]
    trains = [f["trained"] - f["train"] for f in first if "trained" in f]
    return {
        "sessions": sessions,
        "loaded": len(to_data),
        "trained": len(trains),
        "train_asked": train,
        "errors": [f"session {s.n}: {s.error}" for s in found if s.error],
        "cpu": cpu,
        "wall": wall,
        "to_data": to_data,
        "to_trained": trains,
        "peak_rss": peak[0],
        "reconnected": sum(1 for s in found if s.reconnects),
        "recovered": sum(1 for s in found if "recovered" in dict(s.log) and s.seen_seed == s.query_seed()),
        "lost_said": sum(1 for s in found if "lost" in dict(s.log)),
        "crossed": crossed(found) if app else [],
        "sessions_list": found,
    }


def crossed(found: list[Session]) -> list[str]:
    """Sessions whose trained curve is not their own seed's (the first loss depends on the seed)."""
    from makemore.counts import count_matrix
    from makemore.data import Vocab, load_words
    from makemore.neural import TrainConfig, train

    trained = [s for s in found if s.first_loss == s.first_loss]  # not nan
    if not trained:
        return []
    words = load_words()
    N = count_matrix(words, Vocab.from_words(words))
    wrong = []
    for s in trained:
        seed = int(s.query_seed() or 2147483647)
        expected = next(train(N, TrainConfig(seed=seed)))[0].nll
        if abs(expected - s.first_loss) > 1e-4:
            wrong.append(f"session {s.n} (seed {seed}): first loss {s.first_loss:.5f}, its own would be {expected:.5f}")
    return wrong


def lone_run(url: str, pids: list[int], app: bool) -> dict:
    """One session alone: CPU per page load and, for the app, per training run."""
    return hall(url, pids, 1, 1 if app else 0, 0.1, 120, app)
