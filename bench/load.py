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

    python bench/load.py --sessions 100 --train 50          (or: make load)
    python bench/load.py --url http://127.0.0.1:8080 ...     (a running server or make serve)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id  # streamlit==1.67.0
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
ASSETS = {  # what a fresh browser profile fetches for each page (python bench/load.py --record)
    True: Path(__file__).resolve().parent / "page_assets.json",
    False: Path(__file__).resolve().parent / "bare_assets.json",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) makemore-load/1 (like a browser)"


@dataclass
class Session:
    """One student's page."""

    base: str  # http://host:port
    query: str
    n: int
    cookies: dict = field(default_factory=dict)
    elements: dict = field(default_factory=dict)  # element id -> (kind, proto)
    log: list = field(default_factory=list)  # (event, seconds since connect)
    reconnects: int = 0
    seen_seed: str = ""  # the seed the page's sidebar shows: whose settings came back
    first_loss: float = float("nan")  # the trained curve's first point: whose run it was
    error: str = ""

    def mark(self, event: str, t0: float) -> None:
        self.log.append((event, time.perf_counter() - t0))

    def widget(self, suffix: str):
        """The element whose id ends with -<suffix> (a widget's or a component's user key)."""
        for eid, (kind, proto) in self.elements.items():
            if eid.endswith("-" + suffix):
                return eid, kind, proto
        return None, None, None


def fetch(url: str, cookies: dict | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read(), dict(r.headers)


def static_files(base: str, session: Session, app: bool) -> None:
    """The page and the files a fresh browser profile fetches for it (HTTP, before the websocket)."""
    paths = json.loads(ASSETS[app].read_text()) if ASSETS[app].exists() else ["/"]
    for path in paths:
        _, _, headers = fetch(base + path, session.cookies)
        for part in headers.get("Set-Cookie", "").split(","):  # the replica's affinity cookie (make serve)
            name, _, rest = part.strip().partition("=")
            if name and rest:
                session.cookies[name] = rest.split(";")[0]


def element_of(msg: ForwardMsg):
    """(element id, kind, element) of a delta that draws an element with an id, else None."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    el = msg.delta.new_element
    kind = el.WhichOneof("type")
    inner = getattr(el, kind, None)
    eid = getattr(inner, "id", "") if inner is not None else ""
    return (eid, kind, inner) if eid else None


def component_data(proto) -> dict | None:
    raw = proto.bytes or proto.json.encode()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def ws_base(base: str) -> str:
    return base.replace("http", "ws", 1)


async def hold_presence(base: str, token: str, headers: dict) -> None:
    """The page's presence channel (ui/components/page/presence.js): open for as long as the page is."""
    async with websockets.connect(f"{ws_base(base)}/api/live/presence/{token}", additional_headers=headers) as ws:
        await ws.wait_closed()


async def follow_run(base: str, run_id: str, start: int, headers: dict) -> dict:
    """The loss chart's live route (ui/components/plotly_view/plotly_view.js): its messages until the run ends; the last one."""
    last: dict = {}
    url = f"{ws_base(base)}/api/live/runs/{run_id}?from={start}"
    async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
        async for raw in ws:
            last = json.loads(raw)
            if last.get("error") or last.get("status") not in ("queued", "running", "paused"):
                break
    return last


def ended_trigger(eid: str, run_id: str) -> WidgetState:
    """What the loss chart sends when its run ends: a rerun that draws the finished figure."""
    trigger = WidgetState(id=_make_trigger_id(eid, "events"))
    trigger.json_trigger_value = json.dumps([{"event": "ended", "value": run_id}])
    return trigger


def rerun(query: str, states: list[WidgetState]) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = ""
    msg.rerun_script.widget_states.widgets.extend(states)
    return msg.SerializeToString()


class PageClient:
    """A page over Streamlit's websocket, with its presence channel open as the page's: its elements
    by key suffix (`ids`), its components' data, what its last run drew (`shown`), its URL (`query`)."""

    def __init__(self, base: str, query: str):
        self.base, self.query, self.ids, self.data, self.shown = base, query, {}, {}, []
        self.tasks: list[asyncio.Task] = []

    async def __aenter__(self):
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"User-Agent": USER_AGENT} | ({"Cookie": self.cookie} if getattr(self, "cookie", "") else {})
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], additional_headers=headers, max_size=None)
        return self

    async def __aexit__(self, *exc):
        for t in self.tasks:
            t.cancel()
        await self.ws.close()

    async def run(self, states=()) -> float:
        """A rerun with `states`; seconds to its script_finished."""
        t0 = time.perf_counter()
        await self.ws.send(rerun(self.query, list(states)))
        self.shown = []
        while True:
            msg = ForwardMsg.FromString(await asyncio.wait_for(self.ws.recv(), 120))
            kind = msg.WhichOneof("type")
            if kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self.shown.append(msg.delta.new_element)
            found = element_of(msg)
            if found:
                eid, ekind, proto = found
                name = eid.rsplit("-", 1)[-1]
                self.ids[name] = eid
                if ekind == "bidi_component" and name == "presence" and not self.tasks:
                    token = proto.bytes.decode()
                    self.tasks.append(asyncio.create_task(hold_presence(self.base, token, {"User-Agent": USER_AGENT})))
                if ekind == "bidi_component":
                    try:
                        self.data[name] = json.loads(proto.bytes or b"null")
                    except ValueError:
                        pass
            if kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - t0  # (an st.rerun's first part is not the end)

    async def load(self) -> float:
        """The page from connect to its whole first view (the heatmap's ask included)."""
        t0 = time.perf_counter()
        await self.run()
        if "heatmap" in self.ids and "seed" not in self.ids:
            trigger = WidgetState(id=_make_trigger_id(self.ids["heatmap"], "events"))
            trigger.json_trigger_value = json.dumps([{"event": "painted", "value": True}])
            await self.run([trigger])
        return time.perf_counter() - t0

    async def commit(self, smoothing: float) -> float:
        w = WidgetState(id=self.ids["count_controls"])
        w.json_value = json.dumps({"smoothing": smoothing})
        return await self.run([w])


def headers_of(s: Session) -> dict:
    """A browser's headers: its user agent, and its cookies (nginx's affinity)."""
    headers = {"User-Agent": USER_AGENT}
    if s.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
    return headers


async def page(
    s: Session, app: bool, train: bool, deadline: float, results: dict, hall_over: asyncio.Event, settled: set
) -> None:
    """One session: connect, wait for the data, move the smoothing, maybe train, then stay open
    (a student's tab) until the hall is over; reconnect (as the page does, with its URL) when the
    connection drops."""
    t0 = time.perf_counter()
    try:
        await asyncio.to_thread(static_files, s.base, s, app)
        s.mark("static", t0)
        ws_url = s.base.replace("http", "ws", 1) + "/_stcore/stream"
        state: dict = {"heatmap": False, "moved": False, "train_sent": None, "trained": False, "asked": set()}
        while time.perf_counter() < deadline:
            headers = headers_of(s)
            try:
                async with websockets.connect(
                    ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=None, open_timeout=30
                ) as ws:
                    s.mark("connected", t0)
                    await ws.send(rerun(s.query, []))
                    state["tasks"] = []
                    try:
                        await converse(ws, s, app, train, state, t0, deadline)
                        settled.add(s.n)
                        while not hall_over.is_set() and time.perf_counter() < deadline:  # an open tab
                            try:
                                await asyncio.wait_for(ws.recv(), timeout=0.2)
                            except TimeoutError:
                                pass
                    finally:
                        for task in state["tasks"]:  # the tab closes: its channels with it
                            task.cancel()
                        for key in ("presence", "following", "ended"):
                            state.pop(key, None)
                    break
            except (TimeoutError, OSError, websockets.ConnectionClosed) as e:
                s.mark(f"dropped: {type(e).__name__}", t0)
            settled.discard(s.n)
            s.reconnects += 1
            # what the new session shows must be seen afresh: its data, its sidebar's seed
            state.update(recovering=True, heatmap=False)
            s.seen_seed = ""
            await asyncio.sleep(0.5 + 0.1 * (s.n % 10))  # the page retries after a pause
    except Exception as e:  # noqa: BLE001  (one session's failure is a result, not the end of the run)
        s.error = f"{type(e).__name__}: {e}"
    results[s.n] = s


async def converse(ws, s: Session, app: bool, train: bool, state: dict, t0: float, deadline: float) -> bool:
    """Read the session's messages and act as the page would; True when the session is done."""
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            s.error = s.error or "timed out"
            return True
        recv = asyncio.ensure_future(ws.recv())
        recv.add_done_callback(lambda f: f.cancelled() or f.exception())  # read below, or dropped with the socket
        waits = {recv} | ({state["ended"]} if state.get("ended") else set())
        done, _ = await asyncio.wait(waits, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        if state.get("ended") in done:  # the run ended: the chart asks for the finished figure
            eid, run_id = state.pop("ended").result()
            await ws.send(rerun(s.query, [ended_trigger(eid, run_id)]))
        if recv not in done:
            recv.cancel()
            continue
        msg = ForwardMsg.FromString(recv.result())
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # a cached message: the page fetches it by hash
            _, body, _ = await asyncio.to_thread(fetch, f"{s.base}/_stcore/message?hash={msg.ref_hash}")
            msg = ForwardMsg.FromString(body)
        found = element_of(msg)
        if found:
            eid, ekind, proto = found
            s.elements[eid] = (ekind, proto)
            if ekind == "number_input" and eid.endswith("-seed"):
                s.seen_seed = str(int(proto.value if proto.HasField("value") else proto.default))
            data = component_data(proto) if ekind == "bidi_component" else None
            if ekind == "bidi_component" and eid.endswith("-presence") and not state.get("presence"):
                state["presence"] = proto.bytes.decode()
                state["tasks"].append(asyncio.create_task(hold_presence(s.base, state["presence"], headers_of(s))))
            run_live = (data or {}).get("live") if eid.endswith("-loss") else None
            if run_live and run_live.get("run") != state.get("following"):
                state["following"] = run_live["run"]

                async def follow(eid=eid, run=run_live["run"], start=run_live["from"]):
                    await follow_run(s.base, run, start, headers_of(s))
                    return eid, run

                state["ended"] = asyncio.ensure_future(follow())
                state["tasks"].append(state["ended"])
            if not app and ekind == "slider" and not state["heatmap"]:
                state["heatmap"] = True
                s.mark("data", t0)
            if data and eid.endswith("-heatmap") and not state["heatmap"]:
                state["heatmap"] = True
                s.mark("data", t0)
            live = (data or {}).get("live") or {}
            if eid.endswith("-heatmap") and live.get("ask") and live["ask"] not in state["asked"]:
                state["asked"].add(live["ask"])  # the page asks for the rest once the heatmap is painted
                trigger = WidgetState(id=_make_trigger_id(eid, "events"))
                trigger.json_trigger_value = json.dumps([{"event": "painted", "value": True}])
                await ws.send(rerun(s.query, [trigger]))
            if eid.endswith("-loss") and data and state["train_sent"] is not None:
                meta = (data.get("layout") or {}).get("meta", "")
                if meta and meta.split("/")[0] == meta.split("/")[-1] and "live" not in data:
                    state["trained"] = True
                    s.mark("trained", t0)
                    run = next((t for t in data["data"] if t.get("meta") == "run"), {})
                    s.first_loss = (run.get("y") or [float("nan")])[0]
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            if el.WhichOneof("type") == "alert" and "is lost" in el.alert.body and state["train_sent"] is not None:
                state["lost"] = True  # the page says its run went with its server
                s.mark("lost", t0)
        if kind == "page_info_changed":
            s.query = msg.page_info_changed.query_string  # the address bar: what a reconnect sends
        if kind != "script_finished":
            continue
        if state.get("recovering"):  # back on a live server: done when its page shows our settings
            if not s.seen_seed:
                continue
            s.mark("recovered", t0)
            state["recovering"] = False
            if not (train and not state["trained"] and not state.get("lost")):
                return True
            state["train_sent"] = None  # the server went before the run began: Train again, as its student would
        # a run ended: act on what the page now shows
        if not app:
            if not state["moved"]:
                eid, _, _ = s.widget("s")
                if eid:
                    moved = WidgetState(id=eid, double_array_value={"data": [60.0]})
                    state["moved"] = True
                    s.mark("moved", t0)
                    await ws.send(rerun(s.query, [moved]))
                    continue
            return True
        controls, _, _ = s.widget("count_controls")
        if state["heatmap"] and not state["moved"] and controls:
            moved = WidgetState(id=controls, json_value=json.dumps({"smoothing": 2.0}))
            state["moved"] = True
            s.mark("moved", t0)
            await ws.send(rerun(s.query, [moved]))
            continue
        if state["moved"] and train and state["train_sent"] is None:
            button, _, _ = s.widget("train")
            if button:
                state["train_sent"] = time.perf_counter()
                s.mark("train", t0)
                await ws.send(rerun(s.query, [WidgetState(id=button, trigger_value=True)]))
                continue
        if state["moved"] and (not train or state["trained"]):
            return True


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


def _query_seed(self: Session) -> str:
    return dict(urllib.parse.parse_qsl(self.query)).get("seed", "")


Session.query_seed = _query_seed


def lone_run(url: str, pids: list[int], app: bool) -> dict:
    """One session alone: CPU per page load and, for the app, per training run."""
    return hall(url, pids, 1, 1 if app else 0, 0.1, 120, app)


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
    sys.path.insert(0, str(ROOT))
    main()
