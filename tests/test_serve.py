"""`make serve` under supervisord: each kind of process (an app process, nginx, Redis) killed with
SIGKILL comes back and serves; an upload of 2 MB goes through nginx; stopping leaves no process
and loses no class; a port already taken starts nothing."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.serve import find_nginx
from tools.servers import REDIS_HINT, free_port

from .conftest import ROOT

pytestmark = pytest.mark.system


def need(binary: str, hint: str) -> None:
    import shutil

    if not (shutil.which(binary) or (binary == "nginx" and find_nginx())):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(hint)
        pytest.skip(hint)


def status(url: str, data: bytes | None = None, headers: dict | None = None) -> int:
    try:
        req = urllib.request.Request(url, data=data, headers=headers or {})
        return urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def ctl(data: Path, *args: str) -> str:
    cmd = [sys.executable, "-m", "supervisor.supervisorctl", "-c", str(data / "run" / "supervisord.conf"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30).stdout


def pid_of(data: Path, name: str) -> int:
    out = ctl(data, "pid", name).strip()
    return int(out) if out.isdigit() else 0


def pgroup_members(pgids: set[int]) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in pgids and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def wait_for(check, seconds: float, what: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds:.0f} s")


class Serve:
    def __init__(self, data: Path, port: int):
        self.data, self.port, self.url = data, port, f"http://127.0.0.1:{port}"
        self.log = (data.parent / "serve.out").open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port), "--data", str(data)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: status(f"{self.url}/_stcore/health") == 200, 120, "serving through nginx")
        wait_for(lambda: all(pid_of(data, n) for n in self.names()), 30, "every program running")

    def names(self) -> list[str]:
        return ["store:redis", "apps:app0", "apps:app1", "proxy:nginx"]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        self.log.close()


@pytest.fixture
def serve(tmp_path):
    need("nginx", "no nginx: sudo apt-get install nginx")
    need("redis-server", REDIS_HINT)
    env_url = os.environ.pop("REDIS_URL", None)
    s = Serve(tmp_path / "data", free_port())
    yield s
    if s.proc.poll() is None:
        s.stop()
    if env_url is not None:
        os.environ["REDIS_URL"] = env_url


def redis_url(data: Path) -> str:
    port = re.search(r"^port (\d+)", (data / "run" / "redis.conf").read_text(), re.MULTILINE).group(1)
    return f"redis://127.0.0.1:{port}/0"


def a_2_mb_upload_goes_through_nginx(serve) -> None:
    """nginx took 1 MB by default (413) and its workers could not write their body temp directory (500)."""
    body = b"x" * 2_000_000
    got = status(f"{serve.url}/_stcore/upload_file/none/none", data=body, headers={"Content-Type": "text/plain"})
    assert got not in (0, 413, 500), f"nginx answered {got}"
    err = (serve.data / "run" / "error.log").read_text() if (serve.data / "run" / "error.log").exists() else ""
    assert "Permission denied" not in err and "client intended to send too large body" not in err, err[-500:]


def test_a_2_mb_upload_goes_through_then_every_kind_of_process_killed_comes_back_and_stopping_loses_nothing(serve):
    """One deployment (starting one takes ~13 s here): an upload through nginx, then the faults."""
    from service.rooms import RedisRooms

    a_2_mb_upload_goes_through_nginx(serve)

    rooms = RedisRooms(redis_url(serve.data))
    code, secret = rooms.open({"step": 3}, owner="lecturer")
    qid = rooms.ask(code, secret, "predict", "?")
    rooms.answer(code, qid, "student", "ann", {"nll": 2.45})
    time.sleep(1.5)  # appendfsync everysec
    pgids = set()
    for name in serve.names():
        old = pid_of(serve.data, name)
        pgids.add(old)
        os.kill(old, signal.SIGKILL)
        new = wait_for(lambda n=name, o=old: (p := pid_of(serve.data, n)) and p != o and p, 60, f"{name} again")
        pgids.add(new)
        if name == "proxy:nginx":  # the old master's workers go too (they held the port)
            wait_for(lambda o=old: not pgroup_members({o}), 30, "the killed nginx's workers gone")
        wait_for(lambda: status(f"{serve.url}/_stcore/health") == 200, 120, f"serving after {name} was killed")
        if name == "apps:app0":
            port = int(re.search(r"--server.port (\d+)", (serve.data / "run" / "supervisord.conf").read_text())[1])
            wait_for(lambda p=port: status(f"http://127.0.0.1:{p}/_stcore/health") == 200, 120, "app0 serving")
    assert RedisRooms(redis_url(serve.data)).answers(code, qid)[0]["nick"] == "ann", "Redis restarted: kept"
    log = (serve.data / "logs" / "supervisord.log").read_text()
    assert log.count("exited: ") >= 4 and "not expected" in log, log[-2000:]
    assert (serve.data / "logs" / "nginx.log").exists() and (serve.data / "logs" / "app0.log").exists()
    # nginx's old workers went with their master: the new one listens
    assert status(f"{serve.url}/") == 200
    serve.stop()
    deadline = time.time() + 15
    while pgroup_members(pgids) and time.time() < deadline:
        time.sleep(0.2)
    left = [Path(f"/proc/{p}/cmdline").read_text().replace("\0", " ") for p in pgroup_members(pgids)]
    assert left == [], f"processes of supervisord's programs are left: {left}"
    assert status(f"{serve.url}/_stcore/health") == 0
    again = Serve(serve.data, serve.port)  # the whole of make serve restarted: the class is there
    try:
        back = RedisRooms(redis_url(again.data))
        assert back.is_lecturer(code, secret) and back.answers(code, qid)[0]["value"] == {"nll": 2.45}
    finally:
        again.stop()


def test_a_port_already_taken_starts_nothing(tmp_path):
    need("nginx", "no nginx: sudo apt-get install nginx")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "deploy/serve.py", "--port", str(port), "--data", str(tmp_path / "data")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert out.returncode != 0 and f"port {port} is taken" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "data" / "run" / "supervisord.conf").exists(), "nothing started"


def test_make_serve_takes_port():
    out = subprocess.run(
        ["make", "-n", "serve", "N=2", "PORT=8780"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "--port 8780" in out.stdout and "--replicas 2" in out.stdout
