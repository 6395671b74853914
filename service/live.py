"""The app's own live route (Starlette WebSockets through st.App): a run's loss points, and a
page's presence, which tells the run service when a session's last page has closed.

    /api/live/runs/{run_id}?from=N   the run's points from epoch index N on, ~20 messages a second
    /api/live/presence/{token}       open while a page of the session is open

A run is addressed by its id (128 random bits), which only the session that started it is told.
"""

from __future__ import annotations

import asyncio
import json
import math
import re

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from makemore.plots import loss_axis
from service.runs import Run, service

RATE = 20  # messages a second while a run has new points
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def update(run: Run, start: int) -> dict:
    """What a page needs after epoch index `start`: the new points, the y axis holding every point
    of the chart, and the run's state (its status line)."""
    records = run.records[:]  # the worker appends; read one consistent length
    nlls = [r.nll for r in records]
    chart = run.chart
    axis = loss_axis([*nlls, *chart.get("earlier", [])], chart.get("floor"))
    last = records[-1] if records else None
    return {
        "run": run.id,
        "from": start,
        "y": [y if math.isfinite(y) else None for y in nlls[start:]],
        "axis": axis,
        "status": run.status,
        "epoch": len(records),
        "epochs": run.config.epochs,
        "nll": run.final_nll if run.final_nll is not None else last.nll if last else None,
        "step": run.step_size,
        "ahead": service().ahead(run) if run.status == "queued" else 0,
        "starts_in": round(service().expected_start(run), 1) if run.status == "queued" else 0,
        "message": run.message,
    }


def parse_from(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), 10**6))
    except ValueError:
        return 0


async def run_points(ws: WebSocket) -> None:
    await ws.accept()
    run = service().get(ws.path_params["run_id"])
    if run is None:
        await ws.send_text(json.dumps({"error": "unknown run"}))
        await ws.close(code=4404)
        return
    sent = min(parse_from(ws.query_params.get("from")), run.epoch)
    last_state = None
    try:
        while True:
            state = (run.status, run.pace)
            if run.epoch > sent or state != last_state or not run.active:
                message = update(run, sent)
                await ws.send_text(json.dumps(message, allow_nan=False))
                sent, last_state = message["epoch"], state  # the points it held, however many came since
                if not run.active and sent == run.epoch:
                    break
            await asyncio.sleep(1 / RATE)
        await ws.close()
    except (WebSocketDisconnect, RuntimeError):  # the page went (a tab switch, a closed tab)
        return


async def presence(ws: WebSocket) -> None:
    token = ws.path_params["token"]
    await ws.accept()
    if not TOKEN.fullmatch(token):
        await ws.close(code=4400)
        return
    service().attach(token)
    try:
        while True:
            await ws.receive_text()  # the page sends nothing; this waits for the close
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        service().detach(token)


ROUTES = [
    WebSocketRoute("/api/live/runs/{run_id}", run_points),
    WebSocketRoute("/api/live/presence/{token}", presence),
]
