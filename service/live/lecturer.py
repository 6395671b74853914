"""The lecturer's two HTTP routes: `/api/live/lecturer` sets (POST "CODE.SECRET") or clears
(DELETE) the lecturer's cookie, HttpOnly, Secure over https; `/api/live/board/{code}.csv` is the
board's CSV, made from the store on any process, for the lecturer's ticket only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

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


def board_csv(q: dict, answers: list[dict], earlier: dict[str, list[dict]] | None = None) -> str:
    """The class's answers as one CSV: a row an answer, under its question (its number, kind and
    prompt), its fields, whether the lecturer hid it, when it came (ISO 8601, UTC). `earlier`: the
    answers of the class's earlier questions (q["earlier"]) by id. A cell a spreadsheet would read
    as a formula (=, +, -, @ first) is kept as text."""
    import csv
    import io

    questions = [*q.get("earlier", []), q]
    by_id = {**(earlier or {}), q.get("id"): answers}
    rows = [(n, e, a) for n, e in enumerate(questions, 1) for a in by_id.get(e.get("id"), [])]
    fields = sorted({f for _, _, a in rows for f in a["value"]})
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["question", "kind", "prompt", "nickname", "hidden", *fields, "at"])
    for n, e, a in rows:
        at = datetime.fromtimestamp(a["at"], UTC).isoformat(timespec="seconds")
        cells = [n, e["kind"], e["prompt"], a["nick"] or "anonymous", a["student"] in e.get("hidden", [])]
        w.writerow([text_cell(c) for c in (*cells, *(a["value"].get(f, "") for f in fields), at)])
    return out.getvalue()


def text_cell(value):
    """A value as a spreadsheet will not run it: text that starts like a formula gets a quote."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
        if not q:
            return {"hidden": []}, [], {}
        return q, r.answers(code, q["id"]), {e["id"]: r.answers(code, e["id"]) for e in q.get("earlier", [])}

    try:
        got = await asyncio.to_thread(read)
    except Unavailable:
        return Response(DOWN, status_code=503)
    if got is None:
        return Response("only the class's lecturer downloads its board", status_code=403)
    headers = {"Content-Disposition": f'attachment; filename="class_{code}_answers.csv"', "Cache-Control": "no-store"}
    return Response(board_csv(*got), media_type="text/csv", headers=headers)
