"""A run's loss points over a WebSocket (`/api/live/runs/{run_id}?from=N`): from point index N of
its curve on, at most RATE messages a second while the run has new points or steps, each with its
status line. A point is a step, or for a long run the mean of `every` steps (Run.every): the page
reconnecting with the number of points it has gets the rest, none twice."""

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
    """What a page needs after point index `start`: the new points (`to`: the points it then has),
    the y axis holding every point of the chart, and the run's state (its status line, in the
    run's own words). JSON as the standard has it: a loss that is not finite is sent as null."""
    epoch, last = run.epoch, run.last  # the worker appends: the steps first, then the points
    n = len(run.records)
    records = run.records[:n]
    nlls = [r.nll for r in records]
    chart, every = run.chart, run.every
    # the held-out points of the steps the sent points cover: each goes with its step's point, once
    held = [(e, d) for e, d in run.devs[:] if e <= n * every]
    devs = [d for _, d in held if math.isfinite(d)]
    shown = [*filter(math.isfinite, nlls), *devs, *chart.get("earlier", [])]
    axis = (log_axis if chart.get("log") else loss_axis)(shown, chart.get("floor"))  # the MLP's: log
    # what only some trainers have (the MLP): held-out points, the words for a step and its loss,
    # and the bucket's size of a long run; sent only when there is something to say, so the net's
    # updates stay as small as they were
    extra = {"dev": [[e, d] for e, d in held if e > start * every]}
    extra |= {"unit": getattr(run.config, "unit", None), "loss": getattr(run.config, "record_nll", None)}
    extra |= {"every": every if every > 1 else None}
    # a run going: the time left at its own pace once measured (Run.seconds_left), for its status line
    extra |= {"left": round(run.seconds_left(), 1) if run.status == "running" and run.seconds_left() >= 1 else None}
    extra |= {"to": n} if every > 1 or n != epoch else {}  # the points it then has (the steps, else)
    return json_safe(
        {
            "run": run.id,
            "from": start,
            "y": nlls[start:],
            **{k: v for k, v in extra.items() if v or k == "to"},
            "axis": axis,
            "status": run.status,
            "epoch": epoch,
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
    sent = min(parse_from(ws.query_params.get("from")), len(run.records))
    last_state = None
    try:
        while True:
            state = (run.status, run.pace, run.epoch)  # a step without a new point (a bucket filling) too
            if len(run.records) > sent or state != last_state or not run.active:
                message = update(run, sent)
                await ws.send_text(json.dumps(message, allow_nan=False))
                sent, last_state = message.get("to", message["epoch"]), state  # the points it then held
                if not run.active and sent == len(run.records):
                    break
            await asyncio.sleep(1 / RATE)
        await ws.close()
    except (WebSocketDisconnect, RuntimeError):  # the page went (a tab switch, a closed tab)
        return
