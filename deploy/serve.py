"""N app processes behind nginx (Debian's package): sticky sessions, websocket proxying, and nginx
serving Streamlit's static files so the app processes do not.

    python deploy/serve.py --replicas 2 --port 8080        (or: make serve N=2 PORT=8080)

Affinity: nginx hashes a cookie (mm_replica) it sets on the first response, so a page's requests
and its websockets reach the same process; when that process is gone, nginx tries the next one and
the page's reconnect starts a new session there, with the settings its URL carries.

Supervision: a process that exits is started again on its port after a back-off (1 s, doubling to
30 s while it keeps failing, back to 1 s once it has served a minute); the others serve meanwhile.
nginx is supervised the same way. Every event is one line on stderr.

Class rooms: with Debian's redis-server on the machine, a Redis on a free loopback port starts
first (append-only file on, in the run directory) and every app process gets its REDIS_URL, so a
class lives across the processes (service/rooms.py); `--no-redis` (or no redis-server) keeps each
process's embedded default. REDIS_URL already set: that Redis is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit

from tools.servers import RedisServer, free_port, start_app, stop, wait_healthy

STREAMLIT_STATIC = Path(streamlit.__file__).resolve().parent / "static"
TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
MIME_TYPES = Path("/etc/nginx/mime.types")


def find_nginx() -> str | None:
    for candidate in ("/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def nginx_conf(run_dir: Path, port: int, upstreams: list[int]) -> str:
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    return (
        TEMPLATE.read_text()
        .replace("@RUN@", str(run_dir))
        .replace("@PORT@", str(port))
        .replace("@UPSTREAMS@", servers)
        .replace("@MIME@", str(MIME_TYPES))
        .replace("@STREAMLIT_STATIC@", str(STREAMLIT_STATIC))
        .replace("@APP_STATIC@", str(ROOT / "static"))
    )


def start_nginx(port: int, upstreams: list[int], run_dir: Path) -> subprocess.Popen:
    """nginx in the foreground with its own prefix in `run_dir` (no root, no system config)."""
    binary = find_nginx()
    if binary is None:
        raise RuntimeError("no nginx: sudo apt-get install nginx")
    (run_dir / "tmp").mkdir(exist_ok=True)
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_conf(run_dir, port, upstreams))
    check = subprocess.run(
        [binary, "-t", "-p", str(run_dir), "-c", str(conf)], capture_output=True, text=True, check=False
    )
    if check.returncode:
        raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
    # its errors go to error.log in the prefix: a pipe nobody reads could fill and stall it
    return subprocess.Popen(
        [binary, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.DEVNULL
    )


@contextmanager
def nginx(port: int, upstreams: list[int]):
    """nginx in front of `upstreams`; yields (url, process)."""
    with tempfile.TemporaryDirectory(prefix="mm-nginx-") as d:
        proc = start_nginx(port, upstreams, Path(d))
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            yield url, proc
        finally:
            stop(proc)


def say(message: str) -> None:
    print(f"serve: {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


class Supervisor:
    """N app processes on fixed ports and nginx in front of them; `tick()` restarts what exited."""

    BACKOFF = (1.0, 30.0)  # first and longest wait before a restart
    HEALTHY = 60.0  # s a process must serve before its back-off starts again from the first

    def __init__(self, n: int, port: int, run_dir: Path, log_dir: Path | None = None, redis: bool = True):
        self.port, self.run_dir, self.log_dir = port, run_dir, log_dir
        self.redis, self.env = None, {}
        if os.environ.get("REDIS_URL"):
            self.env = {"REDIS_URL": os.environ["REDIS_URL"]}
        elif redis and shutil.which("redis-server"):
            self.redis = RedisServer(run_dir / "redis").start()
            self.env = {"REDIS_URL": self.redis.url}
            say(f"redis-server on {self.redis.url} (append-only file in {run_dir / 'redis'})")
        self.ports = [free_port() for _ in range(n)]
        self.apps = [self._start(i) for i in range(n)]
        for proc in self.apps:
            wait_healthy(f"http://127.0.0.1:{proc.port}", proc)
        self.nginx = start_nginx(port, self.ports, run_dir)
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.nginx)
        self.restarts = 0
        self._due: dict[int, float] = {}  # slot -> when to start it again
        self._backoff = [self.BACKOFF[0]] * (n + 1)  # the last slot is nginx's
        self._started = [time.monotonic()] * (n + 1)

    def _start(self, i: int) -> subprocess.Popen:
        return start_app(self.ports[i], self.log_dir / f"app{i}.log" if self.log_dir else None, env=self.env)

    def tick(self) -> None:
        now = time.monotonic()
        procs = [*self.apps, self.nginx]
        for i, proc in enumerate(procs):
            if i in self._due:
                if now >= self._due[i]:
                    del self._due[i]
                    self._restart(i)
                continue
            code = proc.poll()
            if code is None:
                if now - self._started[i] > self.HEALTHY:
                    self._backoff[i] = self.BACKOFF[0]
                continue
            wait = self._backoff[i]
            self._backoff[i] = min(wait * 2, self.BACKOFF[1])
            self._due[i] = now + wait
            say(f"{self._name(i)} (pid {proc.pid}) exited with code {code}; starting it again in {wait:g} s")

    def _name(self, i: int) -> str:
        return "nginx" if i == len(self.apps) else f"app process {i} on port {self.ports[i]}"

    def _restart(self, i: int) -> None:
        if i == len(self.apps):
            self.nginx = start_nginx(self.port, self.ports, self.run_dir)
            proc = self.nginx
        else:
            self.apps[i] = proc = self._start(i)
        self._started[i] = time.monotonic()
        self.restarts += 1
        say(f"{self._name(i)} started again (pid {proc.pid})")

    def alive(self) -> int:
        return sum(p.poll() is None for p in self.apps)

    def close(self) -> None:
        for proc in [self.nginx, *self.apps]:
            stop(proc)
        if self.redis is not None:
            self.redis.kill()


@contextmanager
def replicas(n: int, port: int, log_dir: Path | None = None, redis: bool = False, supervisor: list | None = None):
    """n app processes and nginx in front, unsupervised (the load generator kills one and
    measures the failover); yields (nginx url, [app processes], nginx process). redis: a Redis
    beside them (class rooms across the processes); `supervisor` receives the Supervisor."""
    with ExitStack() as stack:
        d = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mm-nginx-")))
        sup = Supervisor(n, port, d, log_dir, redis=redis)
        stack.callback(sup.close)
        if supervisor is not None:
            supervisor.append(sup)
        yield sup.url, sup.apps, sup.nginx


def connections(port: int) -> int:
    """Established TCP connections to a local port (nginx's to an app process: one per open page)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def busiest(apps: list[subprocess.Popen]) -> subprocess.Popen:
    """The app process with the most open pages."""
    return max(apps, key=lambda p: connections(p.port))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--no-redis", action="store_true", help="no Redis: each process keeps its own class rooms")
    args = ap.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    with tempfile.TemporaryDirectory(prefix="mm-nginx-") as d:
        sup = Supervisor(args.replicas, args.port, Path(d), redis=not args.no_redis)
        pids = ", ".join(str(p.pid) for p in sup.apps)
        print(f"{sup.url}  ->  {args.replicas} app processes (pids {pids}); Ctrl-C stops all", flush=True)
        try:
            while not stopping:
                sup.tick()
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            sup.close()


if __name__ == "__main__":
    main()
