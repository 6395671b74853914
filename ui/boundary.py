"""The edge of each tab: an exception there becomes one line in that tab, and the rest of the page runs.

The message always starts with CRASH and sits in a container keyed `crash`, so AppTest and browser
tests can tell a caught exception (a bug) from an expected message (a diverged run, a bad upload).
"""

from __future__ import annotations

import logging

import streamlit as st

from ui.text import literal

CRASH = "This part of the page failed"
log = logging.getLogger("makemore.app")


def guarded(name: str, show, *args) -> None:
    """Run show(*args) for the part of the page called `name`."""
    try:
        show(*args)
    except Exception as e:  # the edge of the tab: one line here, the traceback in the log
        log.exception("%s failed", name)
        first = str(e).splitlines()[0] if str(e) else ""
        with st.container(key="crash_" + "".join(c if c.isalnum() else "_" for c in name.lower())):
            said = f": {literal(first, 200)}" if first else ""
            st.error(f"{CRASH} ({literal(name)}){said}. The error is logged; the rest of the page works.", icon="⚠️")
