"""The page's Streamlit (v2) components, mounted once per key (no iframe) and updated in place.
Each has a folder here with its JS and CSS: plotly_view, heatmap_view, smoothing_view, nll_view,
count_controls; `live.js` is their shared arithmetic (prepended to each); `page/` holds the page's
own style and keys (page.css, page.js), its presence channel, the sidebar's closer and the copy-link
button. A follower's stage (ui/classroom/stage.js) is assembled here from the same modules.

`st.plotly_chart` replaces its element on every change: the chart blanks for a few frames and is
laid out from scratch. `plotly_view` keeps one Plotly chart per key and calls `Plotly.react` with
each new figure (plotly.js is the plotly package's own file, served from ./static).
`heatmap_view` draws the lecture's bigram figure as an HTML grid and updates its cells in place.
Data goes to the browser as JSON bytes: a dict would make Streamlit import pandas and pyarrow.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st

from makemore.plots import VIEWS, symbol_label
from ui import slide
from ui.params import SMOOTHINGS
from ui.state import checked, keep

HERE = Path(__file__).resolve().parent  # each component's folder: its JS and its CSS
STATIC = HERE.parent.parent / "static"  # served at ./app/static/ (server.enableStaticServing)
CLASSROOM = HERE.parent / "classroom"  # a follower's stage (stage.js) runs these components' code
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


# a component whose JS is several files: its folder's parts, in this order, then <name>.js (the
# wiring, with the module's one `export default`), concatenated into one module scope
PARTS = {"heatmap_view": ("scale", "grid", "fit", "text", "paint", "glyphs"), "plotly_view": ("load", "fit", "curve")}


def source(name: str, kind: str) -> str:
    """A component's JS or CSS, from its folder (ui/components/<name>/<name>.<kind>, after its parts)."""
    parts = PARTS.get(name, ()) if kind == "js" else ()
    return "".join((HERE / name / f"{part}.{kind}").read_text() + "\n" for part in (*parts, name))


def install_plotly_js() -> None:
    target = STATIC / "plotly.min.js"
    try:
        if not target.exists() or target.stat().st_size != PLOTLY_JS.stat().st_size:
            STATIC.mkdir(exist_ok=True)
            shutil.copyfile(PLOTLY_JS, target)
    except OSError as e:  # a read-only checkout: the charts say so, the rest of the page works
        logging.getLogger(__name__).warning("could not copy plotly.min.js to %s: %s", target, e)


STOPS_JSON = json.dumps({"stops": SMOOTHINGS})
install_plotly_js()
LIVE_JS = (HERE / "live.js").read_text()  # the page's one smoothing value, its slider, the count model's arithmetic
SOCKET_JS = (HERE / "socket.js").read_text()  # a WebSocket to the app's live routes that opens again
_plotly = st.components.v2.component(
    "plotly_view",
    html='<div class="mm-chart"></div>',
    js=LIVE_JS + SOCKET_JS + source("plotly_view", "js"),
    css=source("plotly_view", "css"),
    isolate_styles=False,
)
SLIDER_CSS = source("smoothing_view", "css")


def _live_component(name: str, html: str):
    """A component whose module starts with live.js; page styles reach it (classes are prefixed mm-)."""
    return st.components.v2.component(
        name, html=html, js=LIVE_JS + source(name, "js"), css=SLIDER_CSS + source(name, "css"), isolate_styles=False
    )


_heatmap = _live_component("heatmap_view", '<div class="mm-heatmap"></div>')
_smoothing = _live_component("smoothing_view", '<div class="mm-smooth-host"></div>')
_nll = _live_component("nll_view", '<div class="mm-nll"></div>')
_controls = _live_component("count_controls", '<div class="mm-controls"></div>')


def _module(name: str) -> str:
    """A component's module as one function in another module's scope: a follower's stage draws
    the lecturer's charts with the very code the lecturer's page runs (ui/classroom/stage.js)."""
    src = source(name, "js")
    assert src.count("export default function") == 1, name
    body = src.replace("export default function", "__draw = function")
    return f"MM_VIEWS[{json.dumps(name)}] = (() => {{\nlet __draw;\n{body}\nreturn __draw;\n}})();\n"


STAGE_VIEWS = ("plotly_view", "heatmap_view", "nll_view", "smoothing_view", "count_controls")
STAGE_JS = (
    LIVE_JS
    + SOCKET_JS
    + "const MM_VIEWS = {};\n"
    + "".join(_module(name) for name in STAGE_VIEWS)
    + (CLASSROOM / "stage.js").read_text()
)
STAGE_CSS = SLIDER_CSS + "".join(source(n, "css") for n in STAGE_VIEWS if n != "smoothing_view")
STAGE_CSS += (CLASSROOM / "stage.css").read_text()


_closer = st.components.v2.component(
    "sidebar_closer", html="<span></span>", js=(HERE / "page" / "sidebar_closer.js").read_text()
)


_presence = st.components.v2.component(
    "presence", html='<span class="mm-presence"></span>', js=SOCKET_JS + (HERE / "page" / "presence.js").read_text()
)


_style = st.components.v2.component(
    "page_style",
    html="<span></span>",
    css=(HERE / "page" / "page.css").read_text(),
    js=(HERE / "page" / "page.js").read_text(),
    isolate_styles=False,
)


def page_style() -> None:
    """The page's own CSS (ui/components/page/page.css), global: a component's styles reach the page when not isolated;
    and its keyboard fixes on Streamlit's elements (ui/components/page/page.js)."""
    with st.sidebar:
        _style(key="page_style")


def presence(token: str) -> None:
    """The page's presence channel (service/live/presence.py) for the session's token; drawn in every run."""
    with st.sidebar:
        _presence(key="presence", data=token.encode())


# the page's light/dark switch (page/theme.js), in the explorer's sidebar and the lecture's row
_theme = st.components.v2.component(
    "theme_switch",
    html='<button class="mm-theme" type="button" aria-label="switch the theme">Theme</button>',
    js=(HERE / "page" / "theme.js").read_text(),
    isolate_styles=False,
)


def theme_switch(key: str) -> None:
    """The switch to the other theme (it reloads this view's link in it)."""
    _theme(key=key, data=json.dumps({"dark": st.context.theme.type == "dark"}).encode())


def sidebar_closer() -> None:
    """On a phone, pressing Train closes the sidebar so the live curve is in view (call it in the sidebar)."""
    _closer(key="sidebar_closer")


def spec(fig: go.Figure) -> dict:
    """A figure as plain JSON (plotly's encoder handles numpy and typed arrays)."""
    return json.loads(fig.to_json())


def plotly_view(figure: go.Figure | dict, key: str, on_ended: bool = False, followers: dict | None = None) -> None:
    """Draw figure in the chart named key. A figure with `live` (a run that is going) is extended
    by the page from the app's live route; on_ended: the page asks for a rerun when that run ends.
    `followers`: what a class's followers see instead (a hint meant for the lecturer's controls)."""
    text = json.dumps(figure) if isinstance(figure, dict) else figure.to_json()
    events = {"on_ended_change": lambda: None} if on_ended else {}  # the trigger: a rerun
    _plotly(key=key, data=text.encode(), **events)
    if slide.recording():
        slide.note({"view": "plotly_view", "key": key, "data": json.dumps(followers) if followers else text})


def _keeper(key: str, name: str):
    """The callback of a component's committed value: the setting `name` takes it, parsed as a link's
    value would be (a value the page should not have sent is dropped, and logged)."""

    def commit() -> None:
        state = st.session_state.get(key)
        raw = state.get(name) if hasattr(state, "get") else None
        try:
            keep(name, checked(name, raw))
        except ValueError as e:
            logging.getLogger(__name__).warning("%s sent %s=%r: %s", key, name, str(raw)[:80], e)

    return commit


def _with(fixed: str, **extra) -> bytes:
    """A cached JSON object (text) with this run's fields added, without parsing it again."""
    return (fixed[:-1] + "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in extra.items()) + "}").encode()


def heatmap_view(cells: dict, key: str, live: str | None = None, **state) -> None:
    """Draw makemore.plots.heatmap_cells(...) as a grid under key.

    live: ui.models.heatmap_live(...), the counts of every slice; with it the grid follows the
    smoothing while it is dragged and switches view and slice in the page (`count_controls`).
    `state` is this run's smoothing and slice (its index)."""
    text = json.dumps(cells)
    if live is not None:
        text = text[:-1] + ', "live": ' + _with(live, **state).decode() + "}"
    _heatmap(key=key, data=text.encode(), on_painted_change=lambda: None)  # the trigger: a rerun
    slide.note({"view": "heatmap_view", "key": key, "data": text})


def count_controls(
    key: str, controls: list[str], view: str, smoothing: float, slices: list[str] | None, slice_: str
) -> None:
    """What the heatmap shows, the trigram's slice and the smoothing, switched in the page."""
    data = _with(
        STOPS_JSON,
        controls=controls,
        views=list(VIEWS),
        view=view,
        smoothing=smoothing,
        slice=slice_,
        slices=slices,
        slice_labels=[symbol_label(c) for c in slices] if slices else None,
    )
    events = {f"on_{name}_change": _keeper(key, name) for name in ("smoothing", "view", "slice")}
    _controls(key=key, data=data, **events)
    slide.note({"view": "count_controls", "key": key, "data": data.decode()})


def smoothing_view(smoothing: float, key: str, label: str = "Smoothing s (add-s)") -> None:
    """The log-like smoothing slider: moves every live component while dragged, commits on release."""
    data = _with(STOPS_JSON, smoothing=smoothing, label=label, id=key)
    _smoothing(key=key, data=data, on_smoothing_change=_keeper(key, "smoothing"))
    slide.note({"view": "smoothing_view", "key": key, "data": data.decode()})


def nll_view(fixed: str, smoothing: float, server: dict[str, float], note: str, key: str) -> None:
    """The count model's NLL per split (ui.models.nll_live), recomputed in the page while the
    smoothing is dragged; `server` is this run's own figures, shown when the page has not moved."""
    js = {p: (repr(v) if math.isfinite(v) else "NaN" if math.isnan(v) else "Infinity") for p, v in server.items()}
    data = _with(fixed, smoothing=smoothing, server=js, note=note)
    _nll(key=key, data=data)
    slide.note({"view": "nll_view", "key": key, "data": data.decode()})


def preload() -> None:
    """An empty chart in the sidebar: its script starts loading plotly.js while the page is read."""
    with st.sidebar:
        _plotly(key="plotly_preload", data=b"")
