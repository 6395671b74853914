"""One budget for the process: heavy runs from many sessions queue instead of piling up in memory,
say their place, and give their memory back when their pages close (bench/budget.py measures the
timings; this checks what must hold)."""

import itertools
import time

import pytest

from bench.budget import HEAVY, hall
from tools import aio
from tools.servers import app_server, rss_mb

pytestmark = pytest.mark.system


def test_heavy_runs_from_a_hall_queue_within_the_budget_and_give_memory_back():
    with app_server(env={"MAKEMORE_WORKERS": "1"}) as (base, proc):
        from bench.budget import idle_timings

        aio.run(idle_timings(base, 1))  # warm
        idle = rss_mb(proc.pid)
        r = aio.run(hall(base, proc.pid, 8, hold=2.0))
        deadline = time.time() + 15  # the pages are gone: their runs stop, their memory goes back
        while (after := rss_mb(proc.pid)) > 1.2 * idle and time.time() < deadline:
            time.sleep(0.5)
    statuses = [q[0] for q in r["queue"]]
    assert len(statuses) == 8, r["queue"]
    assert statuses.count("running") == 1 and statuses.count("queued") == 7, statuses  # one worker
    waits = sorted((q[1], q[2]) for q in r["queue"] if q[0] == "queued")
    assert [a for a, _ in waits] == list(range(7)), "each queued run knows its place"
    assert all(b[1] > a[1] for a, b in itertools.pairwise(waits)), f"later places start later: {waits}"
    assert waits[-1][1] > 6 * 30, f"{HEAVY}: ~56 s a run, 7 ahead of the last: {waits[-1]}"
    # 8 runs of ~150 MB each would be 1.2 GB at once; queued, the process holds one at a time
    assert r["peak"] < idle + 400, f"peak {r['peak']:.0f} MB from {idle:.0f}"
    assert after <= 1.2 * idle, f"RSS {after:.0f} MB after the pages closed, {idle:.0f} idle"
