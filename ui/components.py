"""Two Streamlit (v2) components that mount once per key (no iframe) and update in place.

`st.plotly_chart` replaces its element on every change: the chart blanks for a few frames and is
laid out from scratch. `plotly_view` keeps one Plotly chart per key and calls `Plotly.react` with
each new figure (plotly.js is the plotly package's own file, served from ./static).
`heatmap_view` draws the lecture's bigram figure as an HTML grid and updates its cells in place.
Data goes to the browser as JSON bytes: a dict would make Streamlit import pandas and pyarrow.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st

from ui.compat import forget_key

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "static"  # served at ./app/static/ (server.enableStaticServing)
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _install_plotly_js() -> None:
    target = STATIC / "plotly.min.js"
    try:
        if not target.exists() or target.stat().st_size != PLOTLY_JS.stat().st_size:
            STATIC.mkdir(exist_ok=True)
            shutil.copyfile(PLOTLY_JS, target)
    except OSError as e:  # a read-only checkout: the charts say so, the rest of the page works
        logging.getLogger(__name__).warning("could not copy plotly.min.js to %s: %s", target, e)


_install_plotly_js()
_plotly = st.components.v2.component(
    "plotly_view", html='<div class="mm-chart"></div>', js=(HERE / "plotly_view.js").read_text(), isolate_styles=False
)
_heatmap = st.components.v2.component(
    "heatmap_view",
    html='<div class="mm-heatmap"></div>',
    js=(HERE / "heatmap_view.js").read_text(),
    css=(HERE / "heatmap_view.css").read_text(),
    isolate_styles=False,  # the page's tests and fonts reach the cells; classes are prefixed mm-
)


_closer = st.components.v2.component(
    "sidebar_closer", html="<span></span>", js=(HERE / "sidebar_closer.js").read_text()
)


def sidebar_closer() -> None:
    """On a phone, pressing Train closes the sidebar so the live curve is in view (call it in the sidebar)."""
    _closer(key="sidebar_closer")


def spec(fig: go.Figure) -> dict:
    """A figure as plain JSON (plotly's encoder handles numpy and typed arrays)."""
    return json.loads(fig.to_json())


def plotly_view(figure: go.Figure | dict, key: str, again: bool = False) -> None:
    """Draw figure in the chart named key; again=True redraws it within the same script run."""
    if again:
        forget_key(key)
    text = json.dumps(figure) if isinstance(figure, dict) else figure.to_json()
    _plotly(key=key, data=text.encode())


def heatmap_view(cells: dict, key: str) -> None:
    """Draw makemore.plots.heatmap_cells(...) as a grid under key."""
    _heatmap(key=key, data=json.dumps(cells).encode())


def preload() -> None:
    """An empty chart in the sidebar: its script starts loading plotly.js while the page is read."""
    with st.sidebar:
        _plotly(key="plotly_preload", data=b"")
