"""A run's loss points over a WebSocket (`/api/live/runs/{run_id}?from=N`): from epoch index N on,
at most RATE messages a second while the run has new points, each with its status line."""

from __future__ import annotations

import asyncio
import json
import math

from starlette.websockets import WebSocket, WebSocketDisconnect

from makemore.plots import loss_axis
from makemore.plots.mlp import log_axis
from service.runs import Run, service

RATE = 20  # messages a second while a run has new points


def update(run: Run, start: int) -> dict:
    """What a page needs after epoch index `start`: the new points, the y axis holding every point
    of the chart, and the run's state (its status line, in the run's own words). JSON as the
    standard has it: a loss that is not finite is sent as null."""
    records = run.records[:]  # the worker appends; read one consistent length
    nlls = [r.nll for r in records]
    chart = run.chart
    devs = [r.dev for r in records if r.dev is not None and math.isfinite(r.dev)]
    shown = [*filter(math.isfinite, nlls), *devs, *chart.get("earlier", [])]
    axis = (log_axis if chart.get("log") else loss_axis)(shown, chart.get("floor"))  # the MLP's: log
    last = records[-1] if records else None
    # what only some trainers have (the MLP): held-out points, and the words for a step and its loss;
    # sent only when there is something to say, so the net's updates stay as small as they were
    extra = {"dev": [[r.epoch, r.dev] for r in records[start:] if r.dev is not None]}
    extra |= {"unit": getattr(run.config, "unit", None), "loss": getattr(run.config, "record_nll", None)}
    return json_safe(
        {
            "run": run.id,
            "from": start,
            "y": nlls[start:],
            **{k: v for k, v in extra.items() if v},
            "axis": axis,
            "status": run.status,
            "epoch": len(records),
            "epochs": run.epochs,
            "nll": run.final_nll if run.final_nll is not None else last.nll if last else None,
            "change": run.change if run.status == "paused" else "",  # what the last step changed
            "ahead": service().ahead(run) if run.status == "queued" else 0,
            "starts_in": round(service().expected_start(run), 1) if run.status == "queued" else 0,
            "message": run.message,
        }
    )


def json_safe(x):
    """x with every float that is not finite (inf, nan) replaced by None."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_safe(v) for v in x]
    return x


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
