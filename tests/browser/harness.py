"""Running the app for a real browser: a server on a free loopback port, Chromium, chart probes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
# without the networking flags Chromium keeps calling out to Google hosts, refused on a closed network
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "no Chromium found: `sudo apt-get install chromium` (Debian) or set CHROMIUM=/path/to/chromium"


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_errors(page) -> list[str]:
    """Exceptions the page shows: Streamlit's own exception element, and the error a tab's boundary
    writes when it catches one (ui/boundary.py, in a container keyed crash_<part>)."""
    found = page.locator("[data-testid=stException], [class*='st-key-crash_']")
    return [found.nth(i).inner_text()[:300] for i in range(found.count())]


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


@contextmanager
def app_server(
    log: Path | None = None, env: dict | None = None, port: int | None = None, script: str = "streamlit_app.py"
):
    """`streamlit run <script>` (the app, or the benchmarks' bare page) on a free loopback port;
    yields (base url, process)."""
    port = port or free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address"]
    cmd += ["127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop(proc)
        if log:
            out.close()


CHART_STATE = """([key, light]) => {
  const c = document.querySelector(`.st-key-${key} .mm-chart, .st-key-${key} .mm-heatmap`);
  if (!c || !c._mm) return null;
  const m = c._mm, data = c.classList.contains('mm-heatmap') ? [m.data] : c.data;
  if (!data || !data[0]) return null;
  const live = m.live ? {run: m.live.run, n: m.live.ys.length, shown: m.live.shown, frames: m.live.frames, gap: !!m.live.gap} : null;
  return {data: light ? null : data, meta: (c.layout && c.layout.meta) || '', renders: m.renders, draws: m.draws, boot: m.boot,
          lastDraw: m.lastDraw, lastArgs: m.lastArgs, drawn: m.draws > 0, live, sizes: light ? null : m.sizes};
}"""


def chart_state(page, key: str, light: bool = False) -> dict | None:
    """What the chart under `key` holds and how often it was drawn (hooks in ui/*.js);
    light=True leaves out the data, so polling does not load the page it measures."""
    return page.evaluate(CHART_STATE, [key, light])


def wait_chart(page, key: str, predicate, timeout: float = 60, light: bool = False) -> dict:
    """Poll the chart until predicate(state) is true; returns that state."""
    deadline = time.time() + timeout
    state = None
    while time.time() < deadline:
        try:
            state = chart_state(page, key, light)
        except Exception:  # noqa: BLE001  (the page may be mid-rerun)
            state = None
        if state and state["drawn"] and predicate(state):
            return state
        time.sleep(0.05)
    raise AssertionError(f"chart {key!r} never reached the expected state; last: {str(state)[:300]}")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
