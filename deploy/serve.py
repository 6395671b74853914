"""`make serve`: N app processes behind nginx, with Redis beside them, under supervisord.

    python deploy/serve.py --replicas 2 --port 8080        (or: make serve N=2 PORT=8080)

This writes supervisord's configuration (and nginx's, and Redis's) under the data directory
(MAKEMORE_DATA, default ./data) and runs supervisord in the foreground. supervisord (pinned in
requirements.txt) does the supervision: three groups of programs (redis, the app processes, nginx),
each started in its own process group and stopped and killed as a group (stopasgroup, killasgroup:
nginx's workers and Streamlit's children go with their leader); a process that exits is started
again, with supervisord's back-off while it fails to start; every program's log is under
DATA/logs. Ctrl-C or SIGTERM stops everything; a port already taken stops before anything starts.

Affinity: nginx hashes a cookie (mm_replica) it sets on the first response, so a page's requests
and its websockets reach the same process; when that process is gone, nginx tries the next one and
the page's reconnect starts a new session there, with the settings its URL carries. nginx tells
the app processes the client's address (X-Real-IP; the class join budget is per client).

Class rooms: with Debian's redis-server on the machine, Redis runs on a free loopback port with
its append-only file in DATA/redis, `maxmemory` and `noeviction` (a full Redis refuses writes and
the app says so; it never drops a class), and every app process gets its REDIS_URL;
`--no-redis` (or no redis-server) keeps each process's embedded default (SQLite in DATA). A
REDIS_URL already set is used as it is. A restart of anything, or of all of it, loses no class.

`replicas()` below is the benchmarks' harness: N processes and nginx, unsupervised (the load
generator kills one and measures the failover).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.servers import RedisServer, free_port, start_app, stop, wait_healthy

# Streamlit's bundle, found without importing Streamlit (the nginx wrapper below starts in ms)
STREAMLIT_STATIC = (
    Path(next(p for p in sys.path if (Path(p) / "streamlit" / "static").is_dir())) / "streamlit" / "static"
)
TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
MIME_TYPES = Path("/etc/nginx/mime.types")


def find_nginx() -> str | None:
    for candidate in ("/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def worker_user() -> str:
    """nginx's `user` line: as root its workers run as nobody, who must own their temp directories."""
    if os.geteuid() != 0:
        return ""
    import grp
    import pwd

    nobody = pwd.getpwnam("nobody")
    return f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"


def nginx_dirs(run_dir: Path) -> Path:
    """The temp directories nginx's workers write (a request body larger than a buffer goes there);
    returns their parent. As root the workers are nobody, who may not reach into the data directory
    (a parent of mode 0700): theirs is then a directory of their own under /tmp."""
    if os.geteuid() != 0:
        base = run_dir / "tmp"
    else:
        import pwd

        nobody = pwd.getpwnam("nobody")
        link = run_dir / "tmp"
        if link.is_symlink() and link.resolve().is_dir() and link.resolve().stat().st_uid == nobody.pw_uid:
            base = link.resolve()
        else:
            base = Path(tempfile.mkdtemp(prefix="mm-nginx-"))
            os.chown(base, nobody.pw_uid, nobody.pw_gid)
            if link.is_symlink() or link.exists():
                shutil.rmtree(link) if link.is_dir() and not link.is_symlink() else link.unlink()
            link.symlink_to(base)  # what `make serve` uses, found again by its next start
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        d = base / name
        d.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(d, base.stat().st_uid, base.stat().st_gid)
    return base


def nginx_conf(run_dir: Path, port: int, upstreams: list[int], tmp: Path | None = None) -> str:
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    return (
        TEMPLATE.read_text()
        .replace("@USER@", worker_user())
        .replace("@TMP@", str(tmp or run_dir / "tmp"))
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
    tmp = nginx_dirs(run_dir)
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_conf(run_dir, port, upstreams, tmp))
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


class Replicas:
    """N app processes on free ports and nginx in front of them (and a Redis when asked), not
    supervised: the benchmarks kill one and measure what the others do."""

    def __init__(self, n: int, port: int, run_dir: Path, log_dir: Path | None = None, redis: bool = True):
        self.port, self.run_dir, self.log_dir = port, run_dir, log_dir
        self.redis, self.env = None, {"MAKEMORE_DATA": str(run_dir / "data")}
        if os.environ.get("REDIS_URL"):
            self.env["REDIS_URL"] = os.environ["REDIS_URL"]
        elif redis and shutil.which("redis-server"):
            self.redis = RedisServer(run_dir / "redis").start()
            self.env["REDIS_URL"] = self.redis.url
        self.ports = [free_port() for _ in range(n)]
        self.apps = [
            start_app(p, log_dir / f"app{i}.log" if log_dir else None, env=self.env) for i, p in enumerate(self.ports)
        ]
        for proc in self.apps:
            wait_healthy(f"http://127.0.0.1:{proc.port}", proc)
        self.nginx = start_nginx(port, self.ports, run_dir)
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.nginx)

    def close(self) -> None:
        for proc in [self.nginx, *self.apps]:
            stop(proc)
        if self.redis is not None:
            self.redis.kill()


@contextmanager
def replicas(n: int, port: int, log_dir: Path | None = None, redis: bool = False, supervisor: list | None = None):
    """n app processes and nginx in front, unsupervised; yields (nginx url, [app processes], nginx
    process). redis: a Redis beside them (class rooms across the processes); `supervisor` receives
    the Replicas (its .redis restarts Redis)."""
    with ExitStack() as stack:
        d = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mm-nginx-")))
        sup = Replicas(n, port, d, log_dir, redis=redis)
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


REDIS_CONF = """port {port}
bind 127.0.0.1
protected-mode no
daemonize no
dir {dir}
appendonly yes
appendfsync everysec
save ""
maxmemory {maxmemory}
maxmemory-policy noeviction
"""


def program(name: str, command: str, logs: Path, priority: int, **extra) -> str:
    lines = [
        f"[program:{name}]",
        f"command={command}",
        f"priority={priority}",
        "autostart=true",
        "autorestart=true",
        "startsecs=2",
        "startretries=1000",  # supervisord waits 1 s more before each new try while a start fails
        "stopasgroup=true",
        "killasgroup=true",
        "stopwaitsecs=15",
        "redirect_stderr=true",
        f"stdout_logfile={logs / name}.log",
        "stdout_logfile_maxbytes=10MB",
        "stdout_logfile_backups=3",
        *(f"{k}={v}" for k, v in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def supervisor_conf(n: int, port: int, data: Path, redis: bool = True, maxmemory: str = "256mb") -> tuple[str, dict]:
    """supervisord's configuration for `make serve` (and nginx's and Redis's, written beside it);
    returns (its text, {"ports": [...], "redis_url": ...})."""
    run, logs = data / "run", data / "logs"
    for d in (run, logs):
        d.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    env = {"MAKEMORE_DATA": str(data)}
    programs, groups = [], {}
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url and redis and shutil.which("redis-server"):
        rport = free_port()
        (data / "redis").mkdir(exist_ok=True)
        conf = run / "redis.conf"
        conf.write_text(REDIS_CONF.format(port=rport, dir=data / "redis", maxmemory=maxmemory))
        programs.append(program("redis", f"{shutil.which('redis-server')} {conf}", logs, 10))
        groups["store"] = ["redis"]
        redis_url = f"redis://127.0.0.1:{rport}/0"
    if redis_url:
        env["REDIS_URL"] = redis_url
    environment = ",".join(f"{k}={quoted(v)}" for k, v in env.items())
    ports = [free_port() for _ in range(n)]
    for i, p in enumerate(ports):
        cmd = f"{py} -m streamlit run app.py --server.port {p} --server.address 127.0.0.1 --server.headless true"
        cmd += " --browser.gatherUsageStats false"
        programs.append(program(f"app{i}", cmd, logs, 20, directory=ROOT, environment=environment))
    groups["apps"] = [f"app{i}" for i in range(n)]
    tmp = nginx_dirs(run)
    (run / "nginx.conf").write_text(nginx_conf(run, port, ports, tmp))
    programs.append(program("nginx", f"{py} {Path(__file__).resolve()} --exec-nginx {run}", logs, 30))
    groups["proxy"] = ["nginx"]
    head = f"""[supervisord]
nodaemon=true
logfile={logs / "supervisord.log"}
pidfile={run / "supervisord.pid"}
childlogdir={logs}
loglevel=info

[unix_http_server]
file={run / "supervisor.sock"}
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{run / "supervisor.sock"}

"""
    body = "\n".join(programs) + "\n" + "\n".join(f"[group:{g}]\nprograms={','.join(p)}\n" for g, p in groups.items())
    return head + body, {"ports": ports, "redis_url": redis_url}


def exec_nginx(run: Path) -> None:
    """nginx for supervisord, in the foreground. A master killed with SIGKILL leaves its workers
    holding the port (nobody tells them): they are in the dead master's process group, recorded in
    RUN/nginx.pgids by the wrapper that became that master, and are ended first, so the new master
    can bind. (nginx's own pid file is no help: a master that failed to bind deletes it.)"""
    binary = find_nginx()
    record = run / "nginx.pgids"
    try:
        old = {int(x) for x in record.read_text().split()}
    except (OSError, ValueError):
        old = set()
    old.discard(os.getpid())
    left = True
    deadline = time.time() + 5
    while old and left and time.time() < deadline:
        left = False
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if int(fields[2]) in old and comm == "nginx" and fields[0] != "Z":  # the old masters' groups
                left = True
                try:
                    os.kill(int(entry.name), 9)
                except OSError:
                    pass
        time.sleep(0.1 if left else 0)
    record.write_text(f"{os.getpid()}\n")  # supervisord made this process a group leader: its pid is the group
    conf = run / "nginx.conf"
    os.execv(binary, [binary, "-p", str(run), "-c", str(conf), "-g", "daemon off;"])


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8080))
    ap.add_argument("--data", default=os.environ.get("MAKEMORE_DATA") or str(ROOT / "data"))
    ap.add_argument("--redis-maxmemory", default="256mb", help="Redis's memory cap (noeviction: full means refused)")
    ap.add_argument("--no-redis", action="store_true", help="no Redis: each process keeps its own class rooms")
    ap.add_argument("--exec-nginx", metavar="RUN_DIR", help=argparse.SUPPRESS)  # supervisord's nginx program
    args = ap.parse_args()
    if args.exec_nginx:
        return exec_nginx(Path(args.exec_nginx))
    if find_nginx() is None:
        sys.exit("serve: no nginx: sudo apt-get install nginx")
    if not port_free(args.port):
        sys.exit(f"serve: port {args.port} is taken: stop what listens there, or make serve PORT=another")
    data = Path(args.data).resolve()
    if data.exists() and not data.is_dir():
        sys.exit(f"serve: the data directory {data} is not a directory")
    text, info = supervisor_conf(
        args.replicas, args.port, data, redis=not args.no_redis, maxmemory=args.redis_maxmemory
    )
    conf = data / "run" / "supervisord.conf"
    conf.write_text(text)
    store = f"Redis {info['redis_url'].split('@')[-1]}" if info["redis_url"] else "SQLite in each process"
    print(
        f"http://127.0.0.1:{args.port}  ->  {args.replicas} app processes (ports {', '.join(map(str, info['ports']))}),"
        f" class rooms in {store}; supervisord {conf}; logs in {data / 'logs'}; Ctrl-C stops all",
        flush=True,
    )
    os.execv(sys.executable, [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(conf)])


if __name__ == "__main__":
    main()
