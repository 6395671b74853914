"""A lecture hall without 100 browsers: sessions that speak Streamlit's own websocket protocol.

Each session does what a student's page does: it fetches the page's static files (the list a fresh
Chromium profile fetched, recorded once with --record), connects to /_stcore/stream, asks for a
run with its URL's query string, waits for the heatmap's data (and, as the page does, asks for the
rest of the page once it has it), moves the smoothing once and, for half of them, presses Train
with the defaults and waits for the last epoch. Messages are the installed streamlit package's own
protobufs (BackMsg, ForwardMsg), so the server cannot tell these sessions from browsers.

Bounded in count and time, loopback only. It prints, for the app and for the bare one-slider page:
server CPU seconds per page load and per training run, p50/p95 from connect to the heatmap's data
(the slider's, for the bare page), from Train to the last epoch, and peak RSS.

Its pieces: bench/protocol.py (Streamlit's websocket as a page speaks it, `PageClient`),
bench/student.py (one student's page, `Session`), bench/hall.py (a hall of them against the
server's processes, `hall`); this file measures and reports.

    python bench/load.py --sessions 100 --train 50          (or: make load)
    python bench/load.py --url http://127.0.0.1:8080 ...     (a running server or make serve)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the package beside it

from bench.hall import check_loopback, cpu_seconds, hall, lone_run, percentile, rss_mb
from bench.protocol import USER_AGENT, PageClient, element_of, hold_presence, rerun, ws_base
from bench.student import ASSETS, Session

__all__ = ["ASSETS", "USER_AGENT", "PageClient", "Session", "check_loopback", "cpu_seconds", "element_of", "hall",
           "hold_presence", "lone_run", "percentile", "rerun", "rss_mb", "ws_base"]  # fmt: skip


def report(label: str, r: dict, lone: dict | None = None) -> None:
    loads = max(1, r["loaded"])
    print(
        f"{label}: {r['loaded']}/{r['sessions']} pages got their data, {r['trained']}/{r['train_asked']} runs finished, "
        f"{len(r['errors'])} errors, in {r['wall']:.1f} s"
    )
    print(
        f"  connect to data:  p50 {percentile(r['to_data'], 0.5):6.2f} s   p95 {percentile(r['to_data'], 0.95):6.2f} s"
    )
    if r["to_trained"]:
        print(
            f"  Train to last epoch: p50 {percentile(r['to_trained'], 0.5):6.2f} s   p95 {percentile(r['to_trained'], 0.95):6.2f} s"
            + (
                f"   (alone: {lone['to_trained'][0]:.2f} s, ratio {percentile(r['to_trained'], 0.95) / lone['to_trained'][0]:.2f})"
                if lone and lone["to_trained"]
                else ""
            )
        )
    print(
        f"  server CPU {r['cpu']:.1f} s in all, {r['cpu'] / loads:.3f} s per page (everything, training included); "
        f"peak RSS {r['peak_rss']:.0f} MB"
    )
    for e in r["errors"][:5]:
        print("  ", e)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--train", type=int, default=50)
    ap.add_argument("--within", type=float, default=10.0, help="seconds over which the sessions arrive")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--url", help="a running server (its processes' CPU is not measured unless --pids)")
    ap.add_argument("--pids", default="", help="comma-separated server PIDs to measure")
    ap.add_argument("--replicas", type=int, default=0, help="also measure N app processes behind nginx")
    ap.add_argument("--failover", action="store_true", help="with --replicas: kill one process during the load")
    ap.add_argument(
        "--record", action="store_true", help="record the files a fresh Chromium fetches into bench/page_assets.json"
    )
    args = ap.parse_args()
    if args.record:
        return record_assets()
    from bench.servers import app_and_bare

    if args.url:
        pids = [int(p) for p in args.pids.split(",") if p]
        report("app", hall(args.url, pids, args.sessions, args.train, args.within, args.timeout, True))
        return
    with app_and_bare() as ((app_url, app_pid), (bare_url, bare_pid)):
        measure(app_url, [app_pid], bare_url, [bare_pid], args.sessions, args.train, args.within, args.timeout)
    if args.replicas:
        print()
        behind_nginx(args.replicas, args.sessions, args.train, args.within, args.timeout, args.failover)


def per_page(url: str, pids: list[int], app: bool, n: int = 5) -> float:
    """Server CPU seconds of one page load from a fresh browser profile (its static files, its
    runs, one smoothing move), the mean of n lone loads."""
    return statistics.mean(hall(url, pids, 1, 0, 0.1, 60, app)["cpu"] for _ in range(n))


def measure(app_url, app_pids, bare_url, bare_pids, sessions, train, within, timeout) -> dict:
    """The figures of the README's capacity section, the bare page beside the app."""
    hall(app_url, app_pids, 1, 0, 0.1, 60, True)  # warm: imports, caches
    hall(bare_url, bare_pids, 1, 0, 0.1, 60, False)
    cpu_app, cpu_bare = per_page(app_url, app_pids, True), per_page(bare_url, bare_pids, False)
    lone = hall(app_url, app_pids, 1, 1, 0.1, 120, True)
    lone_train = lone["to_trained"][0] if lone["to_trained"] else float("nan")
    print(
        f"server CPU per page load, fresh profile: app {cpu_app:.3f} s, bare page {cpu_bare:.3f} s "
        f"(ratio {cpu_app / max(cpu_bare, 1e-9):.2f}, target <= 1.2)"
    )
    print(f"one training run alone: {lone['cpu'] - cpu_app:.3f} s CPU, Train to last epoch {lone_train:.2f} s\n")
    bare = hall(bare_url, bare_pids, sessions, 0, within, timeout, False)
    report(f"bare page, {sessions} sessions within {within:g} s", bare)
    r = hall(app_url, app_pids, sessions, train, within, timeout, True)
    report(f"app, {sessions} sessions within {within:g} s, {train} training", r, lone)
    print(f"  sessions that saw another's run: {len(r['crossed'])}" + "".join(f"\n    {c}" for c in r["crossed"][:3]))
    return {"cpu_app": cpu_app, "cpu_bare": cpu_bare, "lone": lone, "bare": bare, "hall": r}


def behind_nginx(replicas_n: int, sessions: int, train: int, within: float, timeout: float, failover: bool) -> dict:
    """The app behind nginx (deploy/serve.py): CPU per page load of the app processes, the hall, and
    (failover) one process killed a second into it."""
    from deploy.serve import busiest, replicas
    from tools.servers import free_port

    with replicas(replicas_n, free_port()) as (url, apps, _):
        pids = [p.pid for p in apps]
        for _ in range(2 * replicas_n):
            hall(url, pids, 1, 0, 0.1, 60, True)  # warm every process
        cpu = per_page(url, pids, True)
        print(
            f"behind nginx, {replicas_n} app process(es): app-process CPU per page load, fresh profile {cpu:.3f} s (target <= 0.1)"
        )
        kill = (lambda: busiest(apps).kill()) if failover else None
        r = hall(url, pids, sessions, train, within, timeout, True, kill=kill)
        report(f"  {sessions} sessions, {train} training" + (", one process killed after 1 s" if failover else ""), r)
        if failover:
            print(
                f"  failover: {r['reconnected']} sessions lost their process, {r['recovered']} came back on another "
                f"with their own settings, {r['lost_said']} were told their training run was lost"
            )
        return {"cpu": cpu, "hall": r}


def record_assets() -> None:
    """The paths a fresh Chromium profile fetches for each page, for the sessions to fetch too."""
    from playwright.sync_api import sync_playwright

    from bench.servers import app_and_bare
    from tools.chromium import CHROMIUM_ARGS, find_chromium

    with app_and_bare() as ((app, _), (bare, _)), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        for is_app, url, ready in (
            (True, app, ".st-key-count_controls input[type=range]"),
            (False, bare, "[data-testid=stSlider]"),
        ):
            page = browser.new_context().new_page()
            paths = []
            page.on("request", lambda r, paths=paths: paths.append(urllib.parse.urlparse(r.url)))
            page.goto(url)
            page.locator(ready).wait_for(timeout=60_000)
            time.sleep(2)
            skip = ("/_stcore/stream", "/_stcore/message")
            keep = {
                u.path + (f"?{u.query}" if u.query else "") for u in paths if u.scheme == "http" and u.path not in skip
            }
            ASSETS[is_app].write_text(json.dumps(sorted(keep, key=lambda p: (p != "/", p)), indent=0) + "\n")
            print(f"{len(keep)} paths -> {ASSETS[is_app]}")
        browser.close()


if __name__ == "__main__":
    main()
