"""The servers the benchmarks measure: the app and the bare one-slider page (bench/bare_app.py)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
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


def streamlit_cmd(script: str, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]


@contextmanager
def streamlit_server(script: str, port: int | None = None, log=subprocess.DEVNULL, extra: tuple = ()):
    """`streamlit run script` on a free loopback port; yields (url, process)."""
    from tests.browser.harness import free_port

    port = port or free_port()
    proc = subprocess.Popen(streamlit_cmd(script, port, *extra), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def app_and_bare():
    """((app url, pid), (bare url, pid))."""
    with streamlit_server("streamlit_app.py") as (app, ap), streamlit_server("bench/bare_app.py") as (bare, bp):
        yield (app, ap.pid), (bare, bp.pid)
