"""Small versions of the lecture-hall benchmark (bench/load.py) and of the replica set-up
(deploy/serve.py): 5 sessions against one server, then 2 app processes behind nginx with one killed."""

import os
import urllib.request

import pytest

from bench.load import ASSETS, hall
from deploy.serve import STREAMLIT_STATIC, busiest, find_nginx, replicas
from tests.browser.harness import app_server, free_port

pytestmark = [pytest.mark.system, pytest.mark.timeout(600)]


def test_five_sessions_load_train_and_keep_to_themselves():
    assert ASSETS[True].exists(), "bench/page_assets.json: python bench/load.py --record"
    with app_server() as (url, proc):
        r = hall(url, [proc.pid], 5, 2, 1.0, 180, True)
    assert not r["errors"], r["errors"]
    assert r["loaded"] == 5
    assert r["trained"] == 2
    assert r["crossed"] == [], r["crossed"]
    assert all(s.seen_seed == s.query_seed() for s in r["sessions_list"]), "a page shows another page's settings"
    assert r["cpu"] > 0
    assert r["peak_rss"] > 100
    assert all(2.5 < t < 60 for t in r["to_trained"]), r["to_trained"]  # animated: spread over ~3 s


@pytest.fixture(scope="module")
def nginx_binary():
    binary = find_nginx()
    if binary is None:
        if os.environ.get("REQUIRE_BROWSER"):  # CI installs it (.ci/run)
            pytest.fail("no nginx: sudo apt-get install nginx")
        pytest.skip("no nginx: sudo apt-get install nginx")
    return binary


def test_two_replicas_behind_nginx_survive_losing_one(nginx_binary):
    with replicas(2, free_port()) as (url, apps, _):
        # static files come from disk, byte for byte Streamlit's own
        name = next((STREAMLIT_STATIC / "static" / "js").glob("BidiComponent.*.js")).name
        with urllib.request.urlopen(f"{url}/static/js/{name}") as r:
            assert r.headers["Server"].startswith("nginx")
            assert r.read() == (STREAMLIT_STATIC / "static" / "js" / name).read_bytes()
        with urllib.request.urlopen(f"{url}/") as r:
            assert "mm_replica=" in r.headers["Set-Cookie"]  # affinity
        pids = [p.pid for p in apps]
        assert not hall(url, pids, 2, 0, 0.2, 60, True)["errors"]  # warm both
        r = hall(url, pids, 5, 2, 1.0, 180, True, kill=lambda: busiest(apps).kill())
    assert not r["errors"], r["errors"]
    assert r["loaded"] == 5
    assert r["reconnected"] >= 1, "no page was on the process that was killed"
    assert r["recovered"] == r["reconnected"], "a page did not come back with its own settings"
    assert r["trained"] + r["lost_said"] >= 2, "a training page neither finished nor was told its run was lost"
    assert r["crossed"] == [], r["crossed"]


def test_a_closed_tab_stops_its_run_at_once():
    """A slow run (index method, 1000 epochs, not animated: a core for about a minute) stops when its
    page goes away (its presence channel closes, as a closed tab's does): the server is idle again
    within a second."""
    import asyncio
    import threading
    import time

    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    from bench.load import USER_AGENT, cpu_seconds, element_of, hold_presence, rerun

    query = "tab=Neural+net&method=index&epochs=1000&animate=False"

    async def press_train_and_leave(url: str) -> float:
        ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
        headers = {"User-Agent": USER_AGENT}
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], additional_headers=headers, max_size=None
        ) as ws:
            await ws.send(rerun(query, []))
            button = presence = None
            while True:
                msg = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), 60))
                found = element_of(msg)
                if found and found[0].endswith("-train"):
                    button = found[0]
                if found and found[0].endswith("-presence") and presence is None:  # as the page does
                    presence = asyncio.create_task(hold_presence(url, found[2].bytes.decode(), headers))
                if msg.WhichOneof("type") == "script_finished" and button:
                    break
            await ws.send(rerun(query, [WidgetState(id=button, trigger_value=True)]))
            t_end = time.perf_counter() + 1.5  # training for a while
            while time.perf_counter() < t_end:
                try:
                    await asyncio.wait_for(ws.recv(), 0.2)
                except TimeoutError:
                    pass
            presence.cancel()  # the tab closes
        return time.perf_counter()

    with app_server() as (url, proc):
        busy0 = cpu_seconds([proc.pid])
        out = []
        t = threading.Thread(target=lambda: out.append(asyncio.run(press_train_and_leave(url))))
        t.start()
        t.join()
        training = cpu_seconds([proc.pid]) - busy0
        assert training > 0.5, f"the run did not start ({training:.2f} s of CPU)"
        time.sleep(1.0)  # the session ends and its script stops
        c0 = cpu_seconds([proc.pid])
        time.sleep(2.0)
        idle = cpu_seconds([proc.pid]) - c0
    assert idle < 0.4, f"the server kept working after the page left: {idle:.2f} s of CPU in 2 s"
