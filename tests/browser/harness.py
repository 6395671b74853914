"""Running the app for a real browser: the servers and Chromium (tools/), the page's errors, chart probes."""

from __future__ import annotations

import json

from tools.chromium import CHROMIUM_ARGS, INSTALL_HINT, find_chromium
from tools.probes import CHART_STATE, chart_state, wait_chart
from tools.servers import ROOT, app_server, free_port, rss_mb, stop, wait_healthy

ARTIFACTS = ROOT / "artifacts"
__all__ = [
    "CHART_STATE",
    "CHROMIUM_ARGS",
    "INSTALL_HINT",
    "app_server",
    "chart_state",
    "find_chromium",
    "free_port",
    "rss_mb",
    "stop",
    "wait_chart",
    "wait_healthy",
]


# set window.__mmRan once a script run starts (Streamlit's root says so): an audit made meanwhile is void
WATCH_RUNS = """() => { window.__mmRan = false; const app = document.querySelector('[data-testid=stApp]');
  new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__mmRan = true; })
    .observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] }); }"""

STREAMLIT_CHROME = ("stFloatingOverlayPortal", "stHeader", "stToolbar", "stDecoration", "stTooltip", "stStatusWidget")


def axe_violations(page, rules: list[str] | None = None) -> tuple[list, list]:
    """axe-core's violations (every rule, or `rules`), split into the app's own elements and
    Streamlit's chrome (its header, its overlay portal, a tooltip it shows)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": rules} if rules else None
    for _ in range(3):  # an audit during a script run sees stale, half-drawn elements: it does not count
        settled(page)
        page.evaluate(WATCH_RUNS)
        violations = Axe().run(page, options=options).response["violations"]
        if not page.evaluate("() => window.__mmRan"):
            break
    mine, theirs = [], []
    for v in violations:
        for node in v["nodes"]:
            entry = {"rule": v["id"], "target": node["target"], "html": node["html"][:160]}
            where = json.dumps(node["target"]) + node["html"]
            (theirs if any(c in where for c in STREAMLIT_CHROME) else mine).append(entry)
    return mine, theirs


def page_errors(page) -> list[str]:
    """Exceptions the page shows: Streamlit's own exception element, and the error a tab's boundary
    writes when it catches one (ui/boundary.py, in a container keyed crash_<part>)."""
    found = page.locator("[data-testid=stException], [class*='st-key-crash_']")
    return [found.nth(i).inner_text()[:300] for i in range(found.count())]


# the page is still: connected, no script run going (the state Streamlit writes on its root for its
# own tests), every chart drawn, and the
# layout (elements, text, boxes of charts and blocks) unchanged for `quiet` ms; a chart's refit
# comes 400 ms after its draw (ui/components/plotly_view), so a quiet 450 ms outlasts it
SETTLED = """async (quiet) => {
  await document.fonts.ready;
  const main = () => document.querySelector('[data-testid=stMain]');
  const look = () => {
    const m = main();
    const boxes = [...document.querySelectorAll('.mm-chart, .mm-heatmap, [data-testid=stVerticalBlock]')]
      .map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height].map(Math.round).join(','); });
    return [document.getElementsByTagName('*').length, m ? m.textContent.length : -1, m ? m.scrollHeight : -1,
            boxes.join(';')].join('|');
  };
  const app = () => document.querySelector('[data-testid=stApp]');
  const busy = () => !app() || app().dataset.testScriptState !== 'notRunning' || app().dataset.testConnectionState !== 'CONNECTED' ||
    Boolean(document.querySelector('[data-stale="true"]')) ||
    [...document.querySelectorAll('.mm-chart')].some((c) => c.clientHeight > 0 && !c.querySelector('.main-svg') && !c.textContent.trim());
  let last = look(), since = performance.now();
  for (const start = since; performance.now() - start < 30000;) {
    await new Promise((r) => setTimeout(r, 50));
    const now = look();
    if (now !== last || busy()) { last = now; since = performance.now(); }
    else if (performance.now() - since >= quiet) return true;
  }
  return false;
}"""


def settled(page, quiet: int = 450) -> None:
    """Wait until the page is still (SETTLED): what a viewer sees once the charts have fitted."""
    assert page.evaluate(SETTLED, quiet), "the page was still changing after 30 s"


def wait_step(page, n: int) -> None:
    """The lecture (or a follower) on step n, drawn and still."""
    from ui.lecture import STEPS

    page.wait_for_function("(n) => new URLSearchParams(location.search).get('step') === String(n)", arg=n)
    page.get_by_role("heading", name=f"{n}. {STEPS[n - 1][0]}").wait_for()
    settled(page)
