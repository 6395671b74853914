"""The server under a hostile hall: N sessions press Train on heavy runs (trigram, index method,
1000 epochs) against one app process, while an idle session loads the page and commits the
smoothing. Prints peak and after-RSS, queue waits and the idle session's timings beside an idle
server's, measured in the same run.

    python bench/budget.py --sessions 20          (make budget)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import websockets
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import PageClient
from tools.servers import app_server, rss_mb

HEAVY = "tab=Neural+net&context=2&method=index&epochs=1000&animate=False"
LIGHT = "tab=Neural+net&epochs=1000&animate=False"  # the counts method: about a second (animated: ~3 s)


async def first_message(base: str, client: PageClient) -> dict:
    """The live route's first message about the client's latest run (its status line)."""
    live = (client.data.get("loss") or {}).get("live") or {}
    url = f"{base.replace('http', 'ws', 1)}/api/live/runs/{live['run']}?from=0"
    async with websockets.connect(url, max_size=None) as ws:
        return json.loads(await ws.recv())


async def paused_beside(base: str) -> dict:
    """One session trains and presses Pause, and leaves its tab open; another presses Train: the
    paused run gives its worker back, so the other's run starts at once and finishes."""
    async with PageClient(base, LIGHT.replace("False", "True")) as paused, PageClient(base, LIGHT) as other:
        await paused.run()
        await other.run()
        await paused.run([WidgetState(id=paused.ids["train"], trigger_value=True)])
        await asyncio.sleep(0.5)
        await paused.run()
        await paused.run([WidgetState(id=paused.ids["pause_loss"], trigger_value=True)])
        t0 = time.monotonic()
        await other.run([WidgetState(id=other.ids["train"], trigger_value=True)])
        said = await first_message(base, other)
        while said["status"] in ("queued", "running") and time.monotonic() - t0 < 60:
            await asyncio.sleep(0.2)
            said = await first_message(base, other)
        held = await first_message(base, paused)
        return {"other": said["status"], "seconds": time.monotonic() - t0, "paused": held["status"]}


async def idle_timings(base: str, n: int = 5) -> tuple[list[float], list[float]]:
    loads, commits = [], []
    for i in range(n):
        async with PageClient(base, "") as c:
            loads.append(await c.load())
            commits.append(await c.commit([2.0, 3.0, 5.0, 0.5, 7.0][i % 5]))
    return loads, commits


async def hall(base: str, pid: int, sessions: int, hold: float) -> dict:
    peak = [rss_mb(pid)]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.2)

    threading.Thread(target=watch, daemon=True).start()
    clients = [PageClient(base, HEAVY + f"&seed={i + 1}") for i in range(sessions)]
    for c in clients:
        await c.__aenter__()
    await asyncio.gather(*(c.run() for c in clients))
    await asyncio.gather(*(c.run([WidgetState(id=c.ids["train"], trigger_value=True)]) for c in clients))
    await asyncio.sleep(1.0)
    queue = []
    for c in clients:  # each run's place as its page's status line shows it (the live route's first message)
        live = (c.data.get("loss") or {}).get("live") or {}
        if live.get("run"):
            url = f"{base.replace('http', 'ws', 1)}/api/live/runs/{live['run']}?from=0"
            async with websockets.connect(url, max_size=None) as ws:
                first = json.loads(await ws.recv())
            queue.append((first["status"], first["ahead"], first["starts_in"], first.get("message", "")))
    loads, commits = await idle_timings(base)
    await asyncio.sleep(hold)
    for c in clients:
        await c.__aexit__()
    done.set()
    return {"peak": max(peak), "loads": loads, "commits": commits, "queue": queue}


def median_ms(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:6.0f} ms  max {max(xs) * 1000:6.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument(
        "--hold", type=float, default=10.0, help="s the hall keeps training after the idle session's timings"
    )
    args = ap.parse_args()
    with app_server() as (base, proc):
        asyncio.run(idle_timings(base, 2))  # warm: imports, caches
        idle_rss = rss_mb(proc.pid)
        loads0, commits0 = asyncio.run(idle_timings(base))
        print(f"idle server: RSS {idle_rss:.0f} MB")
        print(f"  idle session, page load       {median_ms(loads0)}")
        print(f"  idle session, smoothing commit {median_ms(commits0)}")
        r = asyncio.run(hall(base, proc.pid, args.sessions, args.hold))
        time.sleep(3.0)  # the pages are gone: their runs stop within a second
        after = rss_mb(proc.pid)
        print(f"{args.sessions} sessions pressed Train ({HEAVY})")
        print(f"  peak RSS {r['peak']:.0f} MB; after the pages closed {after:.0f} MB ({after / idle_rss:.2f} of idle)")
        lq = statistics.median(r["loads"]) / statistics.median(loads0)
        cq = statistics.median(r["commits"]) / statistics.median(commits0)
        print(f"  idle session, page load       {median_ms(r['loads'])}   {lq:.2f}x idle  target <= 1.5x")
        print(f"  idle session, smoothing commit {median_ms(r['commits'])}   {cq:.2f}x idle  target <= 1.5x")
        counts = {st: sum(q[0] == st for q in r["queue"]) for st in ("running", "queued", "failed")}
        print(f"  runs: {counts['running']} running, {counts['queued']} queued, {counts['failed']} refused")
        waits = [q for q in r["queue"] if q[0] == "queued"]
        if waits:
            last = max(waits, key=lambda q: q[1])
            print(f"  the last in line: {last[1]} ahead, expected start in {last[2]:.0f} s")
        p = asyncio.run(paused_beside(base))
        print(
            f"a paused run left open beside another session's Train: the other {p['other']} in "
            f"{p['seconds']:.1f} s while the first stayed {p['paused']}"
        )


if __name__ == "__main__":
    main()
