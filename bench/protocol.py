"""Streamlit's own websocket protocol as a page speaks it, for the load benchmarks and the forged-
value tests: a rerun's BackMsg, the elements a ForwardMsg draws, a page (`PageClient`), and the
app's live routes a page holds open (presence, a run's points)."""

from __future__ import annotations

import asyncio
import json
import time

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id  # streamlit==1.67.0
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) makemore-load/1 (like a browser)"


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
    """The loss chart's live route (ui/components/plotly_view/curve.js): its messages until the run ends; the last one."""
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
