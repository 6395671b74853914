"""Every value a browser sends is checked on the server: forged widget and component values sent
over Streamlit's websocket (the way bench/load.py speaks it) never raise, never reach the URL, and
leave the sidebar and every other session working."""

import asyncio
import json
from urllib.parse import parse_qs

import pytest
import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.load import PageClient
from tools import aio
from tools.servers import app_server, rss_mb
from ui.boundary import CRASH
from ui.lecture import STEPS
from ui.params import from_url

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def url():
    from tests.browser.harness import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(log=ARTIFACTS / "forged_server.log") as (base, proc):
        yield base, proc


def problems(page) -> list[str]:
    """Exceptions the last run showed: Streamlit's own box, or a part of the page that caught one."""
    out = [e.exception.message for e in page.shown if e.WhichOneof("type") == "exception"]
    out += [e.alert.body for e in page.shown if e.WhichOneof("type") == "alert" and CRASH in e.alert.body]
    return out


def url_notes(page) -> list[str]:
    return from_url({k: v[0] for k, v in parse_qs(page.query).items()})[1]


def session(base: str, query: str, forge):
    """Open a page on `query` (its first view, the heatmap's ask included), then `await forge(page)`."""

    async def go():
        async with PageClient(base, query) as page:
            await page.load()
            assert not problems(page)
            return await forge(page)

    return aio.run(go())


def component(eid: str, state: dict | str) -> WidgetState:
    w = WidgetState(id=eid)
    w.json_value = state if isinstance(state, str) else json.dumps(state)
    return w


def string(eid: str, value: str) -> WidgetState:
    w = WidgetState(id=eid)
    w.string_value = value
    return w


def after(page, sidebar: str = "seed") -> None:
    assert not problems(page), problems(page)
    assert sidebar in page.ids, "the sidebar is drawn"
    assert url_notes(page) == [], f"the URL holds a value a link would refuse: {page.query[:200]}"


def test_a_long_slice_from_the_page_never_reaches_the_url(url):
    async def forge(page):
        await page.run([component(page.ids["count_controls"], {"slice": "Z" * 100_000})])
        after(page)
        assert "slice=." in page.query and len(page.query) < 2_000

    session(url[0], "context=2", forge)


def test_a_component_state_with_a_key_removed_is_no_error(url):
    async def forge(page):
        await page.run([component(page.ids["count_controls"], {"smoothing": 5})])
        assert "smoothing=5" in page.query
        await page.run([component(page.ids["count_controls"], {})])
        after(page)
        await page.run([component(page.ids["count_controls"], {"smoothing": {"a": 1}, "view": [1]})])
        after(page)
        assert "smoothing=5" in page.query

    session(url[0], "", forge)


@pytest.mark.parametrize(
    "key, value",
    [("context", "5"), ("context", "3"), ("method", "evil"), ("fit_on", "dev"), ("dataset", "<img>")],
)
def test_a_forged_choice_is_dropped_and_the_sidebar_stays(url, key, value):
    async def forge(page):
        await page.run([string(page.ids[key], value)])
        after(page)
        assert f"{key}={value}" not in page.query.split("&")  # (mlp_context=3 is the MLP's own setting)
        await page.run()  # and on every later run
        after(page)

    session(url[0], "", forge)


def test_a_forged_lecture_key_is_no_error(url):
    async def forge(page):
        keys = page.ids["lecture_keys"]
        for value in (
            {"a": 1},
            [1, 2],
            None,
            "sideways",
            10**30,
            "step:",
            "step:x",
            "step:-3",
            "step:1e9",
            "step:99999",
        ):
            trigger = WidgetState(id=_make_trigger_id(keys, "events"))
            trigger.json_trigger_value = json.dumps([{"event": "move", "value": value}])
            await page.run([trigger])
            assert not problems(page), (value, problems(page))
            assert "step=3" in page.query
        trigger = WidgetState(id=_make_trigger_id(keys, "events"))
        trigger.json_trigger_value = json.dumps([{"event": "move", "value": "step:999:1"}])
        await page.run([trigger])  # a step past the last is the last (the page reruns at once)
        await page.run()
        assert f"step={len(STEPS)}" in page.query

    session(url[0], "mode=lecture&step=3", forge)


def test_invalid_json_as_a_component_state_is_one_line_and_other_sessions_go_on(url):
    """Streamlit itself fails every later run of a session holding a component state that is not
    JSON (before the page runs): app.py's on_script_error says so in one line, asking for a reload."""

    async def forge(page):
        await page.run([component(page.ids["count_controls"], "{not json")])
        boxes = [e for e in page.shown if e.WhichOneof("type") == "exception"]
        assert not boxes, "Streamlit's own error box"
        said = [
            e.alert.body for e in page.shown if e.WhichOneof("type") == "alert" and "Reload the page" in e.alert.body
        ]
        assert len(said) == 1 and "\n" not in said[0].strip(), said
        assert "cannot read" in said[0], "the page sent it: the message says so"

    session(url[0], "", forge)

    async def fine(page):
        await page.run([component(page.ids["count_controls"], {"smoothing": 2})])
        after(page)
        assert "smoothing=2" in page.query

    session(url[0], "", fine)


def test_a_message_over_the_limit_closes_only_that_page(url):
    base, proc = url
    before = rss_mb(proc.pid)

    async def forge(page):
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await page.run([component(page.ids["count_controls"], {"slice": "Z" * 3_000_000})])
        assert closed.value.rcvd.code == 1009  # Message Too Big: .streamlit/config.toml maxWidgetStateSize

    for _ in range(4):
        session(base, "", forge)

    async def fine(page):
        after(page)

    session(base, "", fine)  # another page on the same server
    assert rss_mb(proc.pid) < before + 100, f"RSS {before:.0f} -> {rss_mb(proc.pid):.0f} MB"


def test_our_routes_take_no_large_frame_and_refuse_another_sites_page(url):
    """A 3 MB frame on /api/live/presence was buffered whole (a 199 MB one cost +381 MB); Origin
    http://evil.example was accepted on /api/live/rooms and /api/live/presence."""
    base, proc = url
    ws = base.replace("http", "ws", 1)
    before = rss_mb(proc.pid)

    async def big(route: str):
        async with websockets.connect(f"{ws}{route}", max_size=None) as sock:
            # 50 times the routes' 4 KB bound, small enough to sit whole in loopback's send buffer: with
            # 3 MB the server's close could reset the socket before the send ended (a race, not a refusal)
            await sock.send("x" * 200_000)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(sock.recv(), 10)
            return closed.value.rcvd.code if closed.value.rcvd else None

    for _ in range(5):
        assert aio.run(big("/api/live/presence/" + "p" * 20)) == 1009, "Message Too Big"
    assert rss_mb(proc.pid) < before + 50, f"RSS {before:.0f} -> {rss_mb(proc.pid):.0f} MB"

    async def evil(route: str, origin: str):
        try:
            async with websockets.connect(f"{ws}{route}", additional_headers={"Origin": origin}) as sock:
                await sock.close()
                return "open"
        except websockets.InvalidStatus as e:
            return e.response.status_code

    host = base.split("//", 1)[1]
    for route in ("/api/live/presence/" + "p" * 20, "/api/live/rooms/ABCDEF?ticket=" + "t" * 24, "/api/live/runs/x"):
        assert aio.run(evil(route, "http://evil.example")) == 403, route
        assert aio.run(evil(route, f"http://{host}")) == "open", f"the page's own origin: {route}"


def test_the_rooms_route_serves_only_a_page_that_joined(url):
    """/api/live/rooms/<code>?student=<any> answered every code, with the snapshot and the slide."""
    from service.rooms import LocalRooms

    base, _ = url
    ws = base.replace("http", "ws", 1)

    async def first(path: str):
        async with websockets.connect(f"{ws}{path}") as sock:
            try:
                return json.loads(await asyncio.wait_for(sock.recv(), 10))
            except websockets.ConnectionClosed as e:
                return e.rcvd.code

    codes = [aio.run(first(f"/api/live/rooms/ABCDEF?student={'s' * 16}&ticket={'t' * 24}")) for _ in range(3)]
    assert codes == [4403, 4403, 4403], codes
    from tests.conftest import ROOT

    rooms = LocalRooms(ROOT / "data")  # the server's own store (the embedded default, same file)
    code, secret = rooms.open({"step": 3, "slide": ""}, owner="forged-test")
    try:
        for i in range(20):  # made-up student tokens: refused, never counted as following
            assert aio.run(first(f"/api/live/rooms/{code}?student={i:016d}&ticket={i:024d}")) == 4403
        snap = aio.run(first(f"/api/live/rooms/{code}?ticket={rooms.admit(code)}"))
        assert snap["version"] == 1 and snap["followers"] <= 1, snap
    finally:
        rooms.end(code, secret)


def test_a_page_back_with_a_new_ticket_counts_once(url):
    """After a restart a follower's page has a new session, so a new ticket, while its old ticket's
    presence lasts PRESENCE s: the console said "7 following" for a class of 4. The page names its
    old ticket (`was`) and that one stops counting at once; a ticket of another room or the
    lecturer's is not taken from it."""
    from service.rooms import LocalRooms
    from tests.conftest import ROOT

    base, _ = url
    ws = base.replace("http", "ws", 1)
    rooms = LocalRooms(ROOT / "data")  # the server's own store (the embedded default, same file)
    code, secret = rooms.open({"step": 3, "slide": ""}, owner="forged-test-was")
    old, new, other = rooms.admit(code), rooms.admit(code), rooms.admit(code)

    async def counts(query: str, seconds: float) -> list[int]:
        seen = []
        async with websockets.connect(f"{ws}/api/live/rooms/{code}?{query}") as sock:
            end = asyncio.get_running_loop().time() + seconds
            while (left := end - asyncio.get_running_loop().time()) > 0:
                try:
                    seen.append(json.loads(await asyncio.wait_for(sock.recv(), left)).get("followers"))
                except TimeoutError:
                    break
        return seen

    try:
        assert aio.run(counts(f"ticket={other}", 1.5))[-1] == 1  # another student, present
        assert aio.run(counts(f"ticket={old}", 1.5))[-1] == 2  # the page, before its server restarted
        seen = aio.run(counts(f"ticket={new}&was={old}", 2.0))  # the same page, back with a new ticket
        assert seen and max(seen) == 2 and seen[-1] == 2, f"the page counted twice: {seen}"
        forged = aio.run(counts(f"ticket={old}&was={secret}", 1.0))  # not a ticket: nothing forgotten
        assert forged[-1] == 3, forged  # old counts again (it beat), new and other still count
    finally:
        rooms.end(code, secret)


class ClientAt(PageClient):
    """A page whose client is `address`, as nginx (on this machine) says in X-Real-IP."""

    def __init__(self, base: str, query: str, address: str):
        super().__init__(base, query)
        self.address = address

    async def __aenter__(self):
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"User-Agent": "Mozilla/5.0 (forged-test)", "X-Real-IP": self.address}
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], additional_headers=headers, max_size=None)
        return self


def trigger(eid: str) -> WidgetState:
    w = WidgetState(id=eid)
    w.trigger_value = True
    return w


def alerts(page) -> list[str]:
    return [e.alert.body for e in page.shown if e.WhichOneof("type") == "alert"]


def test_one_page_joining_again_and_again_is_refused_a_hall_behind_one_address_is_not(url):
    """Issue 24, 9: 60 joins were all taken. One session that joins, leaves and joins again 60
    times through the form is refused after its first JOINS_FREE, in one line; 40 sessions behind
    one address (a hall's NAT, as nginx forwards it) each join once by the link: none refused."""
    from service.rooms import JOINS_FREE, LocalRooms
    from tests.conftest import ROOT

    base, _ = url
    rooms = LocalRooms(ROOT / "data")  # the server's own store (the embedded default, same file)
    code, secret = rooms.open({"step": 3, "slide": ""}, owner="forged-join-test")

    async def one_page():
        joined, lines = 0, set()
        async with ClientAt(base, "", "198.51.100.77") as page:
            await page.load()
            for _ in range(60):
                page.data.pop("class_live", None)  # what this run draws, not the last one's
                await page.run([string(page.ids["class_code"], code), trigger(page.ids["class_join"])])
                if (page.data.get("class_live") or {}).get("code") == code:
                    joined += 1
                    await page.run([trigger(page.ids["class_leave"])])
                else:
                    lines |= {a for a in alerts(page) if "Too many" in a}
            assert not problems(page), problems(page)
        return joined, lines

    async def hall():
        refused = 0
        for i in range(40):
            async with ClientAt(base, f"join={code}", "203.0.113.80") as page:
                await page.run()
                refused += (page.data.get("class_live") or {}).get("code") != code
        return refused

    try:
        joined, lines = aio.run(one_page())
        assert joined == JOINS_FREE, f"one page joined {joined} times of 60"
        assert lines and all(line.startswith("Too many") and line.count("\n") == 0 for line in lines), lines
        assert aio.run(hall()) == 0, "a hall behind one address is never refused"
    finally:
        rooms.end(code, secret)
