"""`make serve` as a supervisor: a killed app process is started again while the others serve."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.serve import find_nginx
from tools.servers import free_port

from .conftest import ROOT

pytestmark = pytest.mark.system


@pytest.fixture
def serve(tmp_path):
    if find_nginx() is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("no nginx: sudo apt-get install nginx")
        pytest.skip("no nginx: sudo apt-get install nginx")
    port = free_port()
    err = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=err.open("w"),
        text=True,
    )
    first = proc.stdout.readline()  # printed once nginx and both processes answer
    pids = [int(p) for p in re.search(r"pids ([\d, ]+)\)", first).group(1).split(", ")]
    yield proc, f"http://127.0.0.1:{port}", pids, err
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)


def status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=2).status
    except OSError:
        return 0


def children(pid: int) -> list[int]:
    cmd = ["pgrep", "-P", str(pid), "-f", "streamlit run app.py"]
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def test_a_killed_process_is_replaced_and_the_service_answers_throughout(serve):
    proc, url, pids, err = serve
    assert sorted(children(proc.pid)) == sorted(pids)
    os.kill(pids[0], signal.SIGKILL)
    answers, deadline = [], time.time() + 25
    while time.time() < deadline:
        answers.append((status(f"{url}/_stcore/health"), status(f"{url}/")))
        now = children(proc.pid)
        if len(now) == 2 and pids[0] not in now and "started again" in err.read_text():
            new = next(p for p in now if p not in pids)
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"no new process in 25 s: {err.read_text()}")
    assert all(a == (200, 200) for a in answers), f"{sum(a != (200, 200) for a in answers)} of {len(answers)} refused"
    assert proc.poll() is None, "the supervisor went with the process"
    log = err.read_text()
    assert re.search(rf"pid {pids[0]}\) exited with code -9; starting it again in 1 s", log), log
    assert f"started again (pid {new})" in log
    # the new process serves: its port answers once it is up, and nginx keeps answering
    port = int(re.search(r"app process 0 on port (\d+)", log).group(1))
    deadline = time.time() + 60
    while status(f"http://127.0.0.1:{port}/_stcore/health") != 200:
        assert time.time() < deadline, "the new process never answered"
        time.sleep(0.2)
    assert status(f"{url}/_stcore/health") == 200


def test_stopping_the_supervisor_stops_every_process(serve):
    proc, url, pids, _ = serve
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    time.sleep(0.5)
    assert children(proc.pid) == []
    for pid in pids:
        status_file = Path(f"/proc/{pid}/status")
        assert not status_file.exists() or "zombie" in status_file.read_text().lower()
    assert status(f"{url}/_stcore/health") == 0
