"""A page's presence (`/api/live/presence/{token}`): the socket stays open while a page of the
session is, so the run service knows when the session's last page has closed."""

from __future__ import annotations

import re

from starlette.websockets import WebSocket, WebSocketDisconnect

from service.runs import service

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


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
