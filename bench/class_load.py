"""A class without 300 browsers: a lecturer and followers that speak Streamlit's own protocol.

The lecturer's session opens a class (the sidebar's button), then turns pages as its clicker
would (the lecture keys' trigger). Each follower is a session that joined with the class's link and
holds the room's live route open as its page does (ui/classroom/live.js): the lecturer's step comes as
a slide, which its page draws with no rerun (ui/classroom/stage.js; a browser draws it in a few tens of
ms more, measured by tests/browser/test_class.py); a new question makes the page rerun, for its
answer form. Then every student answers through that form (the page's own widgets: its guess and
Send) and the lecturer's board follows.

Printed: from the lecturer's key press to each follower's page holding the new step, p50 and p95;
server CPU per follower per step; a question to every follower's answer form; 300 answers within
10 s (all on the board, none lost) and the board's update time p95; a restart of Redis, or a
killed app process, in the middle (its followers reconnect through nginx). Loopback only.

    python bench/class_load.py --followers 300 --replicas 2        (make load runs both set-ups)
    python bench/class_load.py --followers 100 --replicas 1 --no-redis
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id  # streamlit==1.67.0
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import PageClient, cpu_seconds, percentile, ws_base
from ui.classroom import QUESTIONS

STEPS = 7  # page turns measured (a fault takes the place of a turn's measure: see lecture())


def trigger(eid: str, event: str, value) -> WidgetState:
    w = WidgetState(id=_make_trigger_id(eid, "events"))
    w.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return w


SLIDE_STEP = re.compile(r'^\{"show":\{"step":(\d+),')


def step_of(query: str) -> int:
    for part in query.split("&"):
        if part.startswith("step="):
            return int(part[5:])
    return 0


class Follower:
    def __init__(self, base: str, code: str):
        self.base, self.code, self.page, self.shown = base, code, PageClient(base, f"join={code}"), {}
        self.errors: list[str] = []
        self.form_at: float | None = None  # when its page drew the answer form of the question
        self.reruns = 0

    async def join(self) -> None:
        await self.page.__aenter__()
        await self.page.run()
        live = self.page.data.get("class_live") or {}
        if live.get("role") != "follower" or not live.get("staged"):
            raise RuntimeError(f"did not join on the lecturer's slide: {live}")
        self.ticket, self.question = live["ticket"], live["question"]
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        url = f"{ws_base(self.base)}/api/live/rooms/{self.code}?ticket={self.ticket}"
        while True:
            try:
                async with websockets.connect(url, max_size=None) as ws:
                    async for raw in ws:
                        shown = SLIDE_STEP.match(raw[:40])
                        if shown:  # the lecturer's step: the page draws it, no rerun
                            self.shown.setdefault(int(shown.group(1)), time.perf_counter())
                            continue
                        m = json.loads(raw)
                        if m.get("question", self.question) != self.question:  # a rerun: the answer form
                            self.question = m["question"]
                            await self.page.run([trigger(self.page.ids["class_live"], "changed", f"v{m['version']}")])
                            self.reruns += 1
                            if "class_send" in self.page.ids:
                                self.form_at = time.perf_counter()
            except (TimeoutError, OSError, websockets.ConnectionClosed) as e:
                self.errors.append(type(e).__name__)
                await asyncio.sleep(0.5)

    async def revive(self) -> None:
        """Its page's socket went with its process: a new one, as the browser reconnects and reruns."""
        if self.page.ws.state.name == "OPEN":
            return
        self.page = PageClient(self.base, f"join={self.code}")
        await self.page.__aenter__()
        await self.page.run()
        self.question = (self.page.data.get("class_live") or {}).get("question", self.question)

    async def send(self, guess: float) -> bool:
        """The student's guess and Send, as its page's widgets send them; True when the page said sent."""
        value = WidgetState(id=self.page.ids["class_guess"])
        value.double_value = guess
        send = WidgetState(id=self.page.ids["class_send"])
        send.trigger_value = True
        await self.page.run([value, send])  # the button's run, and its st.rerun: the note
        return any("Answer sent" in str(e.alert.body) for e in self.page.shown if e.WhichOneof("type") == "alert")

    async def close(self) -> None:
        self.task.cancel()
        await self.page.__aexit__()


async def lecture(base: str, pids: list[int], followers: int, answers: int, faults: dict) -> dict:
    """faults: {"restart_redis": callable, "kill_one": callable}, each before a page turn of its own."""
    lecturer = PageClient(base, "mode=lecture&step=2")
    await lecturer.__aenter__()
    await lecturer.run()
    open_ = WidgetState(id=lecturer.ids["class_open"])
    open_.trigger_value = True
    await lecturer.run([open_])
    await lecturer.run()
    code = lecturer.data["class_live"]["code"]
    cookie = lecturer.data["class_live"]["cookie"]  # the lecturer's browser holds it: its console opens with it
    crowd = [Follower(base, code) for _ in range(followers)]
    t0 = time.perf_counter()
    for i in range(0, followers, 20):  # a hall arrives over a few seconds
        await asyncio.gather(*(f.join() for f in crowd[i : i + 20]))
    joined = time.perf_counter() - t0
    out = {"followers": followers, "joined_s": joined, "latency": [], "fault_latency": {}, "missed": 0}
    # the projector shows the join code; the clicker's first press goes back to the step
    await lecturer.run([trigger(lecturer.ids["lecture_keys"], "move", "back:0")])
    step = step_of(lecturer.query)
    plan = ["turn"] * STEPS
    for i, name in enumerate(f for f in ("restart_redis", "kill_one") if faults.get(f)):
        plan[2 + 2 * i] = name  # a fault, then the page turn after it
    cpu0, cpu_turns = cpu_seconds(pids), 0
    for n, what in enumerate(plan):
        if what != "turn":
            if what == "kill_one":
                out["cpu_per_follower_step_ms"] = 1000 * (cpu_seconds(pids) - cpu0) / (followers * cpu_turns)
            faults[what]()
            if what == "kill_one":  # the lecturer's page too, were it there: it reconnects, its cookie keeps the class
                await asyncio.sleep(0.5)
                lecturer = await revived(lecturer, base)
        step += 1
        pressed = time.perf_counter()
        await lecturer.run([trigger(lecturer.ids["lecture_keys"], "move", f"step:{step}:{n}")])
        deadline = pressed + 60
        while time.perf_counter() < deadline and any(step not in f.shown for f in crowd):
            await asyncio.sleep(0.02)
        lat = [f.shown[step] - pressed for f in crowd if step in f.shown]
        if what == "turn":
            out["latency"] += lat
            cpu_turns += what == "turn" and "cpu_per_follower_step_ms" not in out
        else:
            out["fault_latency"][what] = lat
        if "--debug" in sys.argv:
            print(
                "step", step, what, sorted(round(x, 3) for x in lat)[:3], "...", sorted(round(x, 3) for x in lat)[-3:]
            )
        out["missed"] += sum(step not in f.shown for f in crowd)
        await asyncio.sleep(0.5)
    if "cpu_per_follower_step_ms" not in out:
        out["cpu_per_follower_step_ms"] = 1000 * (cpu_seconds(pids) - cpu0) / (followers * cpu_turns)
    out["reruns_per_follower"] = sum(f.reruns for f in crowd) / followers
    if answers:
        out |= await answer_burst(lecturer, base, code, cookie, crowd[:answers])
    out["errors"] = sorted({e for f in crowd for e in f.errors})
    for f in crowd:
        await f.close()
    await lecturer.__aexit__()
    return out


async def revived(page: PageClient, base: str) -> PageClient:
    """The lecturer's page after its process died: a new socket with the lecturer's cookie."""
    if page.ws.state.name == "OPEN":
        return page
    fresh = PageClient(base, page.query)
    fresh.cookie = f"mm_lecturer={page.data['class_live']['cookie']}"
    await fresh.__aenter__()
    await fresh.run()
    return fresh


async def answer_burst(lecturer: PageClient, base: str, code: str, cookie: str, students: list[Follower]) -> dict:
    """The lecturer asks (the Ask button's call); every follower's page reruns for its answer form
    (the live route says the question changed), and every student answers within 10 s through that
    form: its guess and Send, as the page's widgets send them. The lecturer's board (its own page,
    on the board view) follows the tally."""
    for s in students:  # a page of a killed process: the browser reconnects (nginx) and joins again
        await s.revive()
    # the lecturer's console asks: its question picked, then its Ask button (bound to the pick);
    # the console is a page of the lecturer's browser, held by the lecturer's cookie
    console = PageClient(base, "mode=console")
    console.cookie = f"mm_lecturer={lecturer.data['class_live']['cookie'] or cookie}"
    await console.__aenter__()
    await console.run()
    kind = WidgetState(id=console.ids["console_kind"])
    kind.string_value = QUESTIONS["predict"]
    await console.run([kind])
    ask = WidgetState(id=console.ids["console_ask"])
    ask.trigger_value = True
    asked = time.perf_counter()
    await console.run([kind, ask])
    await console.__aexit__()
    deadline = asked + 60
    while time.perf_counter() < deadline and any(s.form_at is None for s in students):
        await asyncio.sleep(0.05)
    forms = [s.form_at - asked for s in students if s.form_at is not None]
    await lecturer.run()  # the projector takes the console's cue: the board
    sent: list[float] = []
    board: list[tuple[float, int]] = []

    async def watch_board() -> None:
        # the projector's page reruns as its live channel announces new answers (ui/classroom/live.js
        # throttles it to twice a second): here, a rerun every 0.5 s while answers come in
        while True:
            await lecturer.run([trigger(lecturer.ids["class_live"], "changed", f"t{time.perf_counter()}")])
            shown = next((e for e in lecturer.shown if "mm-board-count" in str(e.html.body)), None)
            count = int(re.search(r'data-count="tally">(\d+)<', str(shown.html.body)).group(1)) if shown else 0
            board.append((time.perf_counter(), count))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch_board())
    t0 = time.perf_counter()
    refused: list[str] = []

    async def one(s: Follower, at: float) -> None:
        await asyncio.sleep(at)
        if "class_send" not in s.page.ids:
            refused.append("no answer form")
        elif await s.send(round(random.uniform(2, 3), 3)):
            sent.append(time.perf_counter())
        else:
            refused.append("not sent")

    await asyncio.gather(*(one(s, random.uniform(0, 10)) for s in students))
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and (not board or board[-1][1] < len(sent)):
        await asyncio.sleep(0.1)
    watcher.cancel()
    qid = students[0].question.split(":")[0]  # the question its page was told of ("id:open")
    stored = stored_answers(code, qid)
    sent.sort()
    lags = []
    for k, t in enumerate(sent, start=1):  # the first board that counted answer k
        seen = next((bt for bt, c in board if c >= k), None)
        if seen is not None:
            lags.append(seen - t)
    return {
        "answers": len(students),
        "forms": forms,
        "sent": len(sent),
        "refused": refused,
        "stored": stored,
        "on_board": board[-1][1] if board else 0,
        "answer_span_s": sent[-1] - t0 if sent else 0,
        "board_lag": lags,
    }


def stored_answers(code: str, qid: str) -> int:
    """The question's answers as stored, counted by the rooms' own tally: in Redis (REDIS_URL, as
    the app processes have it), else in the one process's SQLite file under MAKEMORE_DATA."""
    from service.rooms import LocalRooms, rooms

    return (rooms() if os.environ.get("REDIS_URL") else LocalRooms(os.environ["MAKEMORE_DATA"])).tally(code, qid)


def ms(xs: list[float], q: float) -> str:
    return f"{1000 * percentile(xs, q):.0f} ms" if xs else "—"


def report(label: str, r: dict) -> None:
    lat = r["latency"]
    print(f"{label}: {r['followers']} followers joined in {r['joined_s']:.1f} s")
    print(
        f"  key press -> follower's page holding the new step: p50 {ms(lat, 0.5)}, p95 {ms(lat, 0.95)}, "
        f"max {ms(lat, 1.0)} over {len(lat)} (missed {r['missed']})"
    )
    names = {"restart_redis": "Redis restarted", "kill_one": "the busiest app process killed"}
    for what, fl in r["fault_latency"].items():
        print(
            f"  the page turn after {names[what]}: p50 {ms(fl, 0.5)}, p95 {ms(fl, 0.95)}, max {ms(fl, 1.0)}, "
            f"{len(fl)}/{r['followers']} followers on the new step"
        )
    print(
        f"  server CPU per follower per step: {r['cpu_per_follower_step_ms']:.2f} ms; "
        f"reruns per follower over the turns: {r['reruns_per_follower']:.2f}"
    )
    if "answers" in r:
        lag, forms = r["board_lag"], r["forms"]
        print(
            f"  a question -> every follower's answer form: p50 {ms(forms, 0.5)}, p95 {ms(forms, 0.95)} "
            f"({len(forms)}/{r['answers']} pages)"
        )
        print(
            f"  {r['answers']} students answer through their pages over {r['answer_span_s']:.1f} s: {r['sent']} sent, "
            f"{r['stored']} stored, {r['on_board']} on the board; board update p50 {ms(lag, 0.5)}, p95 {ms(lag, 0.95)}"
            + (f"; refused: {sorted(set(r['refused']))}" if r["refused"] else "")
        )
    if r["errors"]:
        print(f"  socket errors seen (the faults' reconnections): {r['errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--followers", type=int, default=300)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--no-redis", action="store_true")
    ap.add_argument("--answers", type=int, default=None, help="students who answer (default: all)")
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--restart-redis", action="store_true", help="restart Redis before a page turn")
    ap.add_argument("--kill-one", action="store_true", help="kill the busiest app process before a page turn")
    args = ap.parse_args()
    from deploy.serve import busiest, replicas
    from tools.servers import app_server, free_port

    answers = args.followers if args.answers is None else args.answers
    if args.replicas == 1 and args.no_redis:
        os.environ.pop("REDIS_URL", None)  # the rooms are the process's own, answers in its SQLite file
        with tempfile.TemporaryDirectory() as data:
            os.environ["MAKEMORE_DATA"] = data
            with app_server(env={"MAKEMORE_DATA": data}) as (url, proc):
                report("1 process, embedded rooms", asyncio.run(lecture(url, [proc.pid], args.followers, answers, {})))
        return
    sup = []
    with replicas(args.replicas, free_port(), redis=not args.no_redis, supervisor=sup) as (url, apps, _):
        if sup[0].redis is not None:
            os.environ["REDIS_URL"] = sup[0].redis.url  # the question is asked in the same Redis
        faults = {}
        if args.restart_redis and sup[0].redis:
            faults["restart_redis"] = sup[0].redis.restart
        if args.kill_one and len(apps) > 1:
            faults["kill_one"] = lambda: busiest(apps).kill()
        r = asyncio.run(lecture(url, [p.pid for p in apps], args.followers, answers, faults))
        report(f"{args.replicas} processes behind nginx, Redis", r)


if __name__ == "__main__":
    main()
