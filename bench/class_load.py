"""A class without 300 browsers: a lecturer and followers that speak Streamlit's own protocol.

The lecturer's session opens a class (the sidebar's button), then turns pages as its clicker
would (the lecture keys' trigger). Each follower is a session that joined with the class's link and
holds the room's live route open as its page does (ui/class_live.js): on each message of a new
version it asks for a rerun with the page's trigger, and its page shows the new step when that run
finishes. Then the students answer a question and the lecturer's board follows.

Printed: from the lecturer's key press to each follower's page showing the new step, p50 and p95;
server CPU per follower per step; 300 answers within 10 s (all on the board, none lost) and the
board's update time p95; a restart of Redis in the middle. Loopback only.

    python bench/class_load.py --followers 300 --replicas 2        (make load runs both set-ups)
    python bench/class_load.py --followers 100 --replicas 1 --no-redis
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id  # streamlit==1.67.0
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import PageClient, cpu_seconds, percentile, ws_base

STEPS = 4  # page turns measured


def trigger(eid: str, event: str, value) -> WidgetState:
    w = WidgetState(id=_make_trigger_id(eid, "events"))
    w.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return w


def step_of(query: str) -> int:
    for part in query.split("&"):
        if part.startswith("step="):
            return int(part[5:])
    return 0


class Follower:
    def __init__(self, base: str, code: str):
        self.base, self.code, self.page, self.shown = base, code, PageClient(base, f"join={code}"), {}
        self.errors: list[str] = []

    async def join(self) -> None:
        await self.page.__aenter__()
        await self.page.run()
        live = self.page.data.get("class_live") or {}
        if live.get("role") != "follower":
            raise RuntimeError(f"did not join: {live}")
        self.token, self.version = live["token"], live["version"]
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        url = f"{ws_base(self.base)}/api/live/rooms/{self.code}?student={self.token}&role=follower"
        while True:
            try:
                async with websockets.connect(url) as ws:
                    async for raw in ws:
                        m = json.loads(raw)
                        if m.get("version", self.version) != self.version:
                            self.version = m["version"]
                            await self.page.run([trigger(self.page.ids["class_live"], "changed", f"v{m['version']}")])
                            step = step_of(self.page.query)
                            self.shown.setdefault(step, time.perf_counter())
            except (TimeoutError, OSError, websockets.ConnectionClosed) as e:
                self.errors.append(type(e).__name__)
                await asyncio.sleep(0.5)

    async def close(self) -> None:
        self.task.cancel()
        await self.page.__aexit__()


async def lecture(base: str, pids: list[int], followers: int, answers: int, restart_redis=None) -> dict:
    lecturer = PageClient(base, "mode=lecture&step=2")
    await lecturer.__aenter__()
    await lecturer.run()
    open_ = WidgetState(id=lecturer.ids["class_open"])
    open_.trigger_value = True
    await lecturer.run([open_])
    await lecturer.run()
    code = lecturer.data["class_live"]["code"]
    crowd = [Follower(base, code) for _ in range(followers)]
    t0 = time.perf_counter()
    for i in range(0, followers, 20):  # a hall arrives over a few seconds
        await asyncio.gather(*(f.join() for f in crowd[i : i + 20]))
    joined = time.perf_counter() - t0
    out = {"followers": followers, "joined_s": joined, "latency": [], "missed": 0}
    view = lecturer.ids["_class_view"]
    radio = WidgetState(id=view)
    radio.string_value = "the step"  # the projector shows the step (a radio sends its option)
    await lecturer.run([radio])
    step = step_of(lecturer.query)
    cpu0, turns = cpu_seconds(pids), 0
    for n in range(STEPS):
        if restart_redis and n == STEPS // 2:
            restart_redis()  # followers resume on the next page turn
            out["redis_restarted"] = True
        step += 1
        pressed = time.perf_counter()
        await lecturer.run([radio, trigger(lecturer.ids["lecture_keys"], "move", f"step:{step}:{n}")])
        deadline = pressed + 60
        while time.perf_counter() < deadline and any(step not in f.shown for f in crowd):
            await asyncio.sleep(0.05)
        out["latency"] += [f.shown[step] - pressed for f in crowd if step in f.shown]
        if "--debug" in sys.argv:
            print(
                "lecturer",
                step_of(lecturer.query),
                [str(e.markdown.body)[:30] for e in lecturer.shown if e.markdown.body][:4],
            )
            print("step", step, sorted(round(f.shown[step] - pressed, 3) for f in crowd if step in f.shown)[:5])
        out["missed"] += sum(step not in f.shown for f in crowd)
        turns += 1
        await asyncio.sleep(0.5)
    out["cpu_per_follower_step_ms"] = 1000 * (cpu_seconds(pids) - cpu0) / (followers * turns)
    out["errors"] = sorted({e for f in crowd for e in f.errors})
    if answers:
        out |= await answer_burst(lecturer, code, crowd[:answers])
    for f in crowd:
        await f.close()
    await lecturer.__aexit__()
    return out


async def answer_burst(lecturer: PageClient, code: str, students: list[Follower]) -> dict:
    """Every student answers within 10 s, through the room's API as the answer button calls it;
    the lecturer's board (its own page, on the board view) follows the tally."""
    from service.rooms import rooms

    q = lecturer.data["class_live"]
    secret = q["cookie"].split(".", 1)[1]
    qid = rooms().ask(code, secret, "predict", "Predict the NLL at s = 0")
    radio = WidgetState(id=lecturer.ids["_class_view"])
    radio.string_value = "the board"
    await lecturer.run([radio])
    sent: list[float] = []
    board: list[tuple[float, int]] = []

    async def watch_board() -> None:
        # the lecturer's page reruns as its live channel announces new answers (ui/class_live.js
        # throttles it to twice a second): here, a rerun every 0.5 s while answers come in
        while True:
            await lecturer.run([radio, trigger(lecturer.ids["class_live"], "changed", f"t{time.perf_counter()}")])
            shown = next((e for e in lecturer.shown if str(e.markdown.body).endswith("answers")), None)
            count = int(str(shown.markdown.body).split("**")[1]) if shown else 0
            board.append((time.perf_counter(), count))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch_board())
    t0 = time.perf_counter()

    async def one(s: Follower, at: float) -> None:
        await asyncio.sleep(at)
        await asyncio.to_thread(rooms().answer, code, qid, s.token, "", {"nll": round(random.uniform(2, 3), 3)})
        sent.append(time.perf_counter())

    await asyncio.gather(*(one(s, random.uniform(0, 10)) for s in students))
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and (not board or board[-1][1] < len(students)):
        await asyncio.sleep(0.1)
    watcher.cancel()
    stored = rooms().tally(code, qid)
    sent.sort()
    lags = []
    for k, t in enumerate(sent, start=1):  # the first board that counted answer k
        seen = next((bt for bt, c in board if c >= k), None)
        if seen is not None:
            lags.append(seen - t)
    return {
        "answers": len(students),
        "stored": stored,
        "on_board": board[-1][1] if board else 0,
        "answer_span_s": sent[-1] - t0 if sent else 0,
        "board_lag": lags,
    }


def report(label: str, r: dict) -> None:
    lat = r["latency"]
    print(f"{label}: {r['followers']} followers joined in {r['joined_s']:.1f} s")
    print(
        f"  key press -> follower's page on the new step: p50 {1000 * percentile(lat, 0.5):.0f} ms, "
        f"p95 {1000 * percentile(lat, 0.95):.0f} ms, max {1000 * max(lat):.0f} ms over {len(lat)} "
        f"(missed {r['missed']}){'; Redis restarted midway' if r.get('redis_restarted') else ''}"
    )
    print(f"  server CPU per follower per step: {r['cpu_per_follower_step_ms']:.1f} ms")
    if "answers" in r:
        lag = r["board_lag"]
        print(
            f"  {r['answers']} answers over {r['answer_span_s']:.1f} s: {r['stored']} stored, {r['on_board']} on "
            f"the board; board update p50 {1000 * percentile(lag, 0.5):.0f} ms, p95 {1000 * percentile(lag, 0.95):.0f} ms"
        )
    if r["errors"]:
        print(f"  socket errors seen: {r['errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--followers", type=int, default=300)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--no-redis", action="store_true")
    ap.add_argument("--answers", type=int, default=None, help="students who answer (default: all)")
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--restart-redis", action="store_true", help="restart Redis between two page turns")
    args = ap.parse_args()
    import os

    from deploy.serve import replicas
    from tools.servers import app_server, free_port

    answers = args.followers if args.answers is None else args.answers
    if args.replicas == 1 and args.no_redis:
        with app_server() as (url, proc):
            os.environ.pop("REDIS_URL", None)
            report("1 process, embedded rooms", asyncio.run(lecture(url, [proc.pid], args.followers, 0)))
        return
    sup = []
    with replicas(args.replicas, free_port(), redis=not args.no_redis, supervisor=sup) as (url, apps, _):
        if sup[0].redis is not None:
            os.environ["REDIS_URL"] = sup[0].redis.url  # the answers go to the same Redis
        restart = sup[0].redis.restart if args.restart_redis and sup[0].redis else None
        r = asyncio.run(lecture(url, [p.pid for p in apps], args.followers, answers, restart))
        report(f"{args.replicas} processes behind nginx, Redis", r)


if __name__ == "__main__":
    main()
