"""What every WebSocket route of ours goes through: the Origin check Streamlit makes on its own
socket, and a bound on the frames a page may send (the pages send nothing but a close)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.websockets import WebSocket

log = logging.getLogger("makemore.live")
MAX_FRAME = 4096  # bytes of one frame a page may send: the routes receive nothing but a close


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
