"""The app's own live routes (Starlette, through st.App), one module per idea:

- points.py: a run's loss points as it trains (`/api/live/runs/{run_id}`);
- presence.py: a page's presence, which tells the run service when a session's last page closed;
- rooms.py: a class room's live channel and its one watcher per room and process;
- lecturer.py: the lecturer's HttpOnly cookie and the board's CSV;
- guard.py: what every WebSocket route goes through (the Origin check, a bound on frames).

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
A room's socket needs the ticket the server gave the page when it joined (service/rooms).
"""

from __future__ import annotations

from starlette.routing import Route, WebSocketRoute

from service.live.guard import MAX_FRAME, Guarded, bound_frames, origin_allowed
from service.live.lecturer import board_csv, board_download, lecturer_cookie
from service.live.points import RATE, json_safe, parse_from, run_points, update
from service.live.presence import presence as page_presence
from service.live.rooms import room_events, room_snapshot

__all__ = ["MAX_FRAME", "RATE", "ROUTES", "Guarded", "board_csv", "bound_frames", "json_safe", "origin_allowed",
           "parse_from", "room_snapshot", "update"]  # fmt: skip

ROUTES = [
    Route("/api/live/board/{code}.csv", board_download, methods=["GET"]),
    Route("/api/live/lecturer", lecturer_cookie, methods=["POST", "DELETE"]),
    WebSocketRoute("/api/live/runs/{run_id}", Guarded(run_points)),
    WebSocketRoute("/api/live/presence/{token}", Guarded(page_presence)),
    WebSocketRoute("/api/live/rooms/{code}", Guarded(room_events)),
]
