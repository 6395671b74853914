"""The server: the page (streamlit_app.py) with the app's own live route, on one port.

    streamlit run app.py      (make app)

st.App is Streamlit's public way to add Starlette routes and a lifespan beside a page script.
"""

from contextlib import asynccontextmanager

import streamlit as st

from service.live import ROUTES
from service.runs import service


@asynccontextmanager
async def lifespan(_app):
    runs = service()  # the run service's workers start with the process, not with the first Train
    yield
    runs.shutdown()


app = st.App("streamlit_app.py", routes=ROUTES, lifespan=lifespan)
