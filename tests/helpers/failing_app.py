"""The app with its Compare tab broken, for the test that the browser harness sees an exception a
tab's guard caught: `streamlit run tests/helpers/failing_app.py` from the project's root."""

from pathlib import Path

import streamlit as st

import app as server
import ui.tabs.compare

ROOT = Path(__file__).resolve().parents[2]
static = Path(__file__).with_name("static")  # Streamlit serves ./static beside the main script
if not static.exists():
    static.symlink_to(ROOT / "static", target_is_directory=True)


def _broken(page) -> None:
    raise RuntimeError("injected failure in Compare")


ui.tabs.compare.show = _broken  # the page's outline looks the tab up on every run
app = st.App(
    str(ROOT / "streamlit_app.py"),
    routes=server.ROUTES,
    lifespan=server.lifespan,
    on_script_error=server.on_script_error,
)
