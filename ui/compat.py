"""The two places the page reaches into Streamlit's private state; pinned to streamlit==1.67.0.

tests/test_compat.py fails with a clear message on any other version, so an upgrade is checked
here and not discovered on a projector.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.runtime.state.session_state_proxy import get_session_state

STREAMLIT_VERSION = "1.67.0"


def forget_key(key: str) -> None:
    """Let `key` be used again in this run, so a loop can update one chart without replacing it.

    Streamlit refuses a key twice per run, and a new key would make the browser mount a new chart
    (a blank frame).
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    for registry in (ctx.shared.widget_user_keys_this_run, ctx.shared.widget_ids_this_run):
        with registry._lock:
            registry._data -= {x for x in registry._data if x == key or user_key_from_element_id(x) == key}


def keys_sent_by_browser() -> set[str]:
    """User keys of the widget values the browser sent with this run's request.

    A page that reconnects to a restarted server sends its widgets' current values: they are newer
    than the URL the new session would otherwise restore from.
    """
    state = get_session_state()._state
    return {k for wid in state._new_widget_state.states if (k := user_key_from_element_id(wid))}


def version_ok() -> bool:
    return st.__version__ == STREAMLIT_VERSION
