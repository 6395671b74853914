"""A class room's live channel (`/api/live/rooms/{code}?ticket=T[&as=explorer][&was=T0]`): one watcher
per room and process reads the store and wakes every socket of the room; a follower's page gets the
lecturer's step as a slide; a socket with a ticket that is not one is a failed try of its client's
join budget (service/rooms/limits.py)."""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect

from service.rooms import TICKET, Unavailable, client_address, gate, question_sign, rooms, valid_code
from service.rooms.guard import DOWN

log = logging.getLogger("makemore.live")

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
    was = ws.query_params.get("was", "")  # the ticket this page held before (a restart gave it a new one)
    if follower and was != ticket and TICKET.fullmatch(was):
        try:
            if await asyncio.to_thread(rooms().ticket_role, code, was) == "follower":
                await asyncio.to_thread(rooms().forget, code, was)
        except Unavailable:
            pass
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
