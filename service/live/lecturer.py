"""The lecturer's two HTTP routes: `/api/live/lecturer` sets (POST "CODE.SECRET") or clears
(DELETE) the lecturer's cookie, HttpOnly, Secure over https; `/api/live/board/{code}.csv` is the
board's CSV, made from the store on any process, for the lecturer's ticket only."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from service.live.guard import origin_allowed
from service.rooms import TICKET, Unavailable, rooms, valid_code
from service.rooms.guard import DOWN

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
