"""Starting and stopping the app's servers: an app process on a free loopback port, its health."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    """Until `url` answers its health check; fails when `proc` exits or time runs out."""
    deadline = time.time() + seconds
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"{url} did not start (exit code {proc.poll()})")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def start_app(port: int, log: Path | None = None, env: dict | None = None, script: str = "app.py") -> subprocess.Popen:
    """`streamlit run <script>` on a loopback port, its output appended to `log`; does not wait."""
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address"]
    cmd += ["127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    out = open(log, "a") if log else subprocess.DEVNULL  # noqa: SIM115 (the child holds it; closed here after)
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    finally:
        if log:
            out.close()
    proc.port = port
    return proc


@contextmanager
def app_server(log: Path | None = None, env: dict | None = None, port: int | None = None, script: str = "app.py"):
    """`streamlit run <script>` (app.py: the page and its live route; or the benchmarks' bare page)
    on a free loopback port; yields (base url, process)."""
    if log:
        Path(log).write_text("")
    proc = start_app(port or free_port(), log, env, script)
    url = f"http://127.0.0.1:{proc.port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


REDIS_HINT = "no redis-server found: `sudo apt-get install redis-server` (Debian)"


class RedisServer:
    """Debian's redis-server on a free loopback port, with its append-only file in `folder`
    (answers survive a restart); `restart()` kills it and starts it again on the same port."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder, self.port = Path(folder), port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        import shutil

        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        args += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self, graceful: bool = True) -> None:
        """Stop it: SIGTERM (Redis writes its append-only file out first) or SIGKILL."""
        if self.proc is not None:
            self.proc.terminate() if graceful else self.proc.kill()
            self.proc.wait(20)
            self.proc = None

    def restart(self, graceful: bool = True) -> None:
        self.kill(graceful)
        self.start()
