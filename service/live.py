"""The app's own live route (Starlette WebSockets through st.App): a run's loss points, and a
page's presence, which tells the run service when a session's last page has closed.

    /api/live/runs/{run_id}?from=N    the run's points from epoch index N on, ~20 messages a second
    /api/live/presence/{token}        open while a page of the session is open
    /api/live/lecturer                POST "CODE.SECRET": the lecturer's cookie, set HttpOnly (Secure
                                      over https) when the secret is the room's; DELETE: cleared
    /api/live/board/{code}.csv?ticket=T&q=QID   the board's CSV, made from the store on any
                                      process (the lecturer's ticket)
    /api/live/rooms/{code}?ticket=T[&as=explorer]   a class room's version, its question (a
                                      follower's page reruns when it changes), the console's cue (the
                                      projector's page reruns), its answer count, how many follow and
                                      how many explore on their own (`as`), sent when
                                      they change; to a follower also the lecturer's step as a slide
                                      (ui/slide.py), which its page draws without a rerun

A run is addressed by its id (128 random bits), which only the session that started it is told.
A room's socket needs the ticket the server gave the page when it joined (service/rooms): a code
alone opens nothing, and a socket with a ticket that is not one counts as a failed try of its
client's join budget (service/rooms/limits.py). Every route checks the Origin header as Streamlit
checks its own socket's, and takes frames of at most MAX_FRAME bytes: the pages send nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from makemore.plots import loss_axis
from makemore.plots.mlp import log_axis
from service.rooms import TICKET, Unavailable, client_address, gate, question_sign, rooms, valid_code
from service.rooms.guard import DOWN
from service.runs import Run, service

log = logging.getLogger("makemore.live")
MAX_FRAME = 4096  # bytes of one frame a page may send: the routes receive nothing but a close

RATE = 20  # messages a second while a run has new points
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


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


WATCH_EVERY = 0.05  # s between two reads of a watched room (one reader per room per process)
BEAT_EVERY = 5.0  # s between a follower's heartbeats (service/rooms.PRESENCE counts 15 s)


def room_snapshot(code: str) -> dict | None:
    """What a room's pages are told: None when it is gone; raises Unavailable while the store is."""
    r = rooms()
    room = r.get(code)
    if room is None:
        return None
    q = room.question
    return {
        "version": room.version,
        "question": question_sign(q),
        "tally": r.tally(code, q["id"]) if q else 0,
        "followers": r.followers(code),
        "exploring": r.explorers(code),
        "cue": (room.cue or {}).get("n", 0),
        "slide": room.state.get("slide") or "",
        "leader": room.leader,
    }


class Watch:
    """One reader per watched room in this process: every socket of the room waits on its snapshot,
    so 300 followers cost one read of Redis (or of the SQLite file) every 50 ms, not 300. While the
    store does not answer, the snapshot says so (the pages show one line) and the reader retries."""

    def __init__(self, code: str):
        self.code, self.users, self.snapshot = code, 0, None
        self.slide, self.slide_message = "", ""  # the digest of the room's slide, and its message
        self.changed = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        failing = ""
        while self.users > 0:
            try:
                snap = await asyncio.to_thread(room_snapshot, self.code)
                new_slide = snap is not None and snap["slide"] != self.slide
                if new_slide:
                    # one read of the slide per process and change, one text for every socket
                    text = await asyncio.to_thread(rooms().get_slide, self.code)
                    new_slide = text is not None
                    if new_slide:
                        self.slide, self.slide_message = snap["slide"], '{"show":' + text + "}"
                failing = ""
            except Unavailable:  # the store's guard logged it once; the pages say it
                snap = {**(self.snapshot or {}), "unavailable": DOWN}
                new_slide = False
                await asyncio.sleep(0.5)
            except Exception as e:  # a bug: logged once per streak, the last snapshot kept
                if failing != repr(e):
                    failing = repr(e)
                    log.exception("the watcher of class %s failed; it goes on reading", self.code)
                await asyncio.sleep(0.5)
                continue
            if snap != self.snapshot or new_slide or not self.ready.is_set():
                self.snapshot = snap
                self.ready.set()
                changed, self.changed = self.changed, asyncio.Event()
                changed.set()
            await asyncio.sleep(WATCH_EVERY)
        _watches.pop(self.code, None)


_watches: dict[str, Watch] = {}


async def room_events(ws: WebSocket) -> None:
    code, ticket = ws.path_params["code"], ws.query_params.get("ticket", "")
    address = client_address(ws.client.host if ws.client else None, ws.headers)
    await ws.accept()
    if not valid_code(code) or not TICKET.fullmatch(ticket):
        gate().failed(None, address)
        await ws.close(code=4400)
        return
    try:
        role = await asyncio.to_thread(rooms().ticket_role, code, ticket)
    except Unavailable:
        await ws.send_text(json.dumps({"unavailable": DOWN}))
        await ws.close(code=1013)  # try again later: the page reconnects
        return
    if role is None:  # not a page that joined this room: a failed try of its client
        blocked = gate().route_wait(address) > 0
        gate().failed(None, address)
        await ws.close(code=4429 if blocked else 4403)
        return
    follower = role == "follower"  # the lecturer's pages do not count
    exploring = ws.query_params.get("as") == "explorer"  # the page's own mode: counted apart, nothing else
    watch = _watches.get(code)
    if watch is None:
        watch = _watches[code] = Watch(code)
    watch.users += 1
    if watch.task is None or watch.task.done():
        watch.task = asyncio.create_task(watch.run())
    sent, sent_slide, beat = None, "", 0.0
    gone = asyncio.create_task(ws.receive_text())  # the page sends nothing: this ends when it closes
    try:
        await watch.ready.wait()
        while not gone.done():
            snap = watch.snapshot
            if snap is None:
                await ws.send_text(json.dumps({"gone": True}))
                break
            if snap != sent:
                await ws.send_text(json.dumps(snap))
                sent = snap
            if follower and watch.slide != sent_slide and watch.slide_message:
                sent_slide = watch.slide
                await ws.send_text(watch.slide_message)
            now = asyncio.get_running_loop().time()
            if follower and now - beat > BEAT_EVERY and "unavailable" not in snap:
                beat = now
                try:
                    await asyncio.to_thread(rooms().heartbeat, code, ticket, exploring)
                except Unavailable:
                    beat = 0.0
            changed = asyncio.create_task(watch.changed.wait())
            await asyncio.wait({changed, gone}, timeout=BEAT_EVERY, return_when=asyncio.FIRST_COMPLETED)
            changed.cancel()
        if not gone.done():
            await ws.close()
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        gone.cancel()
        watch.users -= 1


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """As Streamlit checks its own socket: no Origin (not a browser), the page's own origin, or
    one listed in server.corsAllowedOrigins."""
    if origin is None:
        return True
    if urlsplit(origin).netloc == (host or ""):
        return True
    import streamlit as st

    try:
        listed = st.get_option("server.corsAllowedOrigins") or []
    except Exception:  # noqa: BLE001 (outside a Streamlit server: no list)
        listed = []
    return origin.rstrip("/") in {o.rstrip("/") for o in listed}


def bound_frames(receive, limit: int) -> None:
    """At most `limit` bytes in one frame from the page on this socket.

    uvicorn takes one frame limit for the whole server (Streamlit sets it from server.maxMessageSize,
    200 MB), so a page could make our routes buffer 200 MB. No public API sets it per route: the
    ASGI `receive` is a method of uvicorn's websockets-sansio protocol (uvicorn and websockets are
    pinned in requirements.txt), whose parser reads `conn.max_message_size` at every frame. Only
    that attribute is touched; on another server this does nothing (tests/test_forged.py notices)."""
    conn = getattr(getattr(receive, "__self__", None), "conn", None)
    if conn is not None and hasattr(conn, "max_message_size"):
        conn.max_message_size = limit


class Guarded:
    """A WebSocket route's handler behind the Origin check and the frame bound."""

    def __init__(self, handler, max_frame: int = MAX_FRAME):
        self.handler, self.max_frame = handler, max_frame

    async def __call__(self, scope, receive, send) -> None:
        ws = WebSocket(scope, receive, send)
        if not origin_allowed(ws.headers.get("origin"), ws.headers.get("host")):
            log.warning("refused a socket to %s from Origin %r", scope.get("path", "")[:60], ws.headers["origin"][:80])
            await ws.close(code=1008)  # before accept: the browser gets 403
            return
        bound_frames(receive, self.max_frame)
        await self.handler(ws)


COOKIE = "mm_lecturer"  # ui/classroom/session.py reads it (st.context.cookies)


async def lecturer_cookie(request: Request) -> Response:
    if not origin_allowed(request.headers.get("origin"), request.headers.get("host")):
        return Response("refused: another site's page", status_code=403)
    secure = request.url.scheme == "https" or (
        request.client is not None
        and request.client.host in ("127.0.0.1", "::1")
        and request.headers.get("x-forwarded-proto") == "https"
    )
    response = Response(status_code=204)
    if request.method == "DELETE":
        response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
        return response
    value = (await request.body())[:200].decode(errors="replace")
    code, _, secret = value.partition(".")
    try:
        ok = valid_code(code) and await asyncio.to_thread(rooms().is_lecturer, code, secret)
    except Unavailable:
        return Response(DOWN, status_code=503)
    if not ok:
        return Response("not this room's lecturer", status_code=403)
    response.set_cookie(COOKIE, value, max_age=4 * 3600, path="/", secure=secure, httponly=True, samesite="strict")
    return response


def board_csv(q: dict, answers: list[dict]) -> str:
    """The board as CSV: one row an answer, its fields, whether the lecturer hid it."""
    import csv
    import io

    out = io.StringIO()
    fields = sorted({f for a in answers for f in a["value"]})
    w = csv.writer(out)
    w.writerow(["nickname", "hidden", *fields, "at"])
    for a in answers:
        w.writerow([a["nick"], a["student"] in q["hidden"], *(a["value"].get(f, "") for f in fields), f"{a['at']:.3f}"])
    return out.getvalue()


async def board_download(request: Request) -> Response:
    code, ticket = request.path_params["code"], request.query_params.get("ticket", "")
    if not valid_code(code) or not TICKET.fullmatch(ticket):
        return Response("no such class", status_code=404)

    def read():
        r = rooms()
        if r.ticket_role(code, ticket) != "lecturer":
            return None
        room = r.get(code)
        q = room.question if room else None
        return (q, r.answers(code, q["id"])) if q else ({"hidden": []}, [])

    try:
        got = await asyncio.to_thread(read)
    except Unavailable:
        return Response(DOWN, status_code=503)
    if got is None:
        return Response("only the class's lecturer downloads its board", status_code=403)
    headers = {"Content-Disposition": f'attachment; filename="class_{code}.csv"', "Cache-Control": "no-store"}
    return Response(board_csv(*got), media_type="text/csv", headers=headers)


ROUTES = [
    Route("/api/live/board/{code}.csv", board_download, methods=["GET"]),
    Route("/api/live/lecturer", lecturer_cookie, methods=["POST", "DELETE"]),
    WebSocketRoute("/api/live/runs/{run_id}", Guarded(run_points)),
    WebSocketRoute("/api/live/presence/{token}", Guarded(presence)),
    WebSocketRoute("/api/live/rooms/{code}", Guarded(room_events)),
]
