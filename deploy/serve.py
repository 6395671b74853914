"""N app processes behind nginx (Debian's package): sticky sessions, websocket proxying, and nginx
serving Streamlit's static files so the app processes do not.

    python deploy/serve.py --replicas 2 --port 8080        (or: make serve N=2 PORT=8080)

Affinity: nginx hashes a cookie (mm_replica) it sets on the first response, so a page's requests
and its websocket reach the same process; when that process is gone, nginx tries the next one and
the page's reconnect starts a new session there, with the settings its URL carries.
"""

from __future__ import annotations

import argparse
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

from tools.servers import app_server, stop, wait_healthy

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


@contextmanager
def nginx(port: int, upstreams: list[int]):
    """nginx in the foreground with its own prefix in a temp dir (no root, no system config)."""
    binary = find_nginx()
    if binary is None:
        raise RuntimeError("no nginx: sudo apt-get install nginx")
    with tempfile.TemporaryDirectory(prefix="mm-nginx-") as d:
        run_dir = Path(d)
        (run_dir / "tmp").mkdir()
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_conf(run_dir, port, upstreams))
        check = subprocess.run(
            [binary, "-t", "-p", str(run_dir), "-c", str(conf)], capture_output=True, text=True, check=False
        )
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
        # its errors go to error.log in the prefix: a pipe nobody reads could fill and stall it
        proc = subprocess.Popen(
            [binary, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            yield url, proc
        finally:
            stop(proc)


@contextmanager
def replicas(n: int, port: int, log_dir: Path | None = None):
    """n app processes and nginx in front; yields (nginx url, [app processes], nginx process)."""
    with ExitStack() as stack:
        # static files come from nginx: the app processes serve the page's HTML and the websocket
        logs = [log_dir / f"app{i}.log" if log_dir else None for i in range(n)]
        apps = [stack.enter_context(app_server(log=log)) for log in logs]
        ports = [int(url.rsplit(":", 1)[1]) for url, _ in apps]
        for (_, p), app_port in zip(apps, ports, strict=True):
            p.port = app_port
        url, proc = stack.enter_context(nginx(port, ports))
        yield url, [p for _, p in apps], proc


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
    args = ap.parse_args()
    with replicas(args.replicas, args.port) as (url, apps, _):
        print(
            f"{url}  ->  {args.replicas} app processes (pids {', '.join(str(p.pid) for p in apps)}); Ctrl-C stops all"
        )
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        try:
            while not stop and all(p.poll() is None for p in apps):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
