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


STREAMLIT_CHROME = ("stFloatingOverlayPortal", "stHeader", "stToolbar", "stDecoration", "stTooltip", "stStatusWidget")


def axe_violations(page, rules: list[str] | None = None) -> tuple[list, list]:
    """axe-core's violations (every rule, or `rules`), split into the app's own elements and
    Streamlit's chrome (its header, its overlay portal, a tooltip it shows)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": rules} if rules else None
    mine, theirs = [], []
    for v in Axe().run(page, options=options).response["violations"]:
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
