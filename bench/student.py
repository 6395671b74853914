"""One student's page in the load benchmark (`Session`): its static files (the list a fresh Chromium
profile fetched), its runs over Streamlit's websocket, a smoothing move, maybe a training run,
and its reconnects, each step marked with its time."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id  # streamlit==1.67.0
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.protocol import (
    USER_AGENT,
    component_data,
    element_of,
    ended_trigger,
    follow_run,
    hold_presence,
    rerun,
)

ASSETS = {  # what a fresh browser profile fetches for each page (python bench/load.py --record)
    True: Path(__file__).resolve().parent / "page_assets.json",
    False: Path(__file__).resolve().parent / "bare_assets.json",
}


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

    def query_seed(self) -> str:
        """The seed its URL asks for ('' for the default)."""
        return dict(urllib.parse.parse_qsl(self.query)).get("seed", "")


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
