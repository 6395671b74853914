"""The server: the page (streamlit_app.py) with the app's own live route, on one port.

    streamlit run app.py      (make app)

st.App is Streamlit's public way to add Starlette routes and a lifespan beside a page script.
"""

import asyncio
import json
import logging
from contextlib import asynccontextmanager

import streamlit as st

import ui.components  # noqa: F401  (its import copies plotly.js into ./static, before the server serves it)
from service.live import ROUTES
from service.rooms import rooms
from service.runs import service
from ui.boundary import CRASH

log = logging.getLogger("makemore.app")


@asynccontextmanager
async def lifespan(_app):
    runs = service()  # the run service's workers start with the process, not with the first Train
    await asyncio.to_thread(rooms().announce)  # one line: which class store, and whether it answers
    yield
    runs.shutdown()


def on_script_error(exc: Exception) -> bool:
    """What escapes every tab's guard, or fails inside Streamlit before the page runs (a component
    state that is not JSON fails every later run of that session): one line instead of
    Streamlit's box, in a container the tests' harness looks for. Other sessions are untouched."""
    log.error("the page failed", exc_info=exc)
    unreadable = isinstance(exc, UnicodeDecodeError | json.JSONDecodeError) or "JSON" in str(exc)
    why = "this page sent the server a value it cannot read" if unreadable else "the server met an error it has logged"
    with st.container(key="crash_page"):
        st.error(f"{CRASH} (the page): {why}. Reload the page; your settings are in its address.", icon="⚠️")
    return True


app = st.App("streamlit_app.py", routes=ROUTES, lifespan=lifespan, on_script_error=on_script_error)
