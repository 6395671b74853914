"""A Streamlit component that keeps one Plotly chart in the page and updates it in place.

Re-drawing a chart with `st.plotly_chart` replaces the element, so it blanks for a few frames and
re-lays out from scratch. This component keeps one iframe per key and calls `Plotly.react` on
new data, so a slider step or a training epoch only changes the traces.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit.components.v1 as components
from streamlit.elements.lib.utils import user_key_from_element_id
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

HERE = Path(__file__).resolve().parent
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _install_plotly_js() -> None:
    """Serve the plotly package's own plotly.min.js beside index.html (nothing is downloaded)."""
    target = HERE / "plotly.min.js"
    if not target.exists() or target.stat().st_size != PLOTLY_JS.stat().st_size:
        shutil.copyfile(PLOTLY_JS, target)


_install_plotly_js()
_component = components.declare_component("plotly_view", path=str(HERE))


def spec(fig: go.Figure) -> dict:
    """A figure as plain JSON (plotly's encoder handles numpy and typed arrays)."""
    return json.loads(fig.to_json())


def plotly_view(figure: go.Figure | dict, key: str, again: bool = False) -> None:
    """Draw figure in the chart named key; again=True redraws it within the same script run."""
    if again:
        _forget(key)
    _component(figure=figure if isinstance(figure, dict) else spec(figure), key=key, default=None)


def _forget(key: str) -> None:
    """Let `key` be used again in this run, so a loop can update one chart without replacing it.

    Streamlit 1.67 refuses a key twice per run; a placeholder filled with a new key would make
    the browser build a new iframe (a blank chart). The registries are private: pinned version.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    for registry in (ctx.shared.widget_user_keys_this_run, ctx.shared.widget_ids_this_run):
        with registry._lock:
            registry._data -= {x for x in registry._data if x == key or user_key_from_element_id(x) == key}
