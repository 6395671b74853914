"""The page uses Streamlit's public API only: no module of the page imports a private one.

The page is streamlit_app.py, app.py, ui/ and service/. Streamlit's public API is what `st.` offers
(documented at docs.streamlit.io), `streamlit.testing` for tests, and `streamlit.starlette` (st.App).
bench/load.py speaks Streamlit's websocket protocol on purpose; it is a benchmark, not the page.
"""

import ast

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.unit

PUBLIC = {"streamlit", "streamlit.starlette", "streamlit.components.v2"}
INTERNALS = ("runtime", "web", "elements", "delta_generator")  # modules `st.` reaches that are not its API
PAGE = [ROOT / "streamlit_app.py", ROOT / "app.py", *sorted((ROOT / "ui").rglob("*.py"))]
PAGE += sorted((ROOT / "service").rglob("*.py"))


def private_uses(source: str) -> list[str]:
    """Imports of streamlit modules outside PUBLIC, and `st._anything` attribute uses."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("streamlit.") and a.name not in PUBLIC]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("streamlit"):
            if node.module not in PUBLIC:
                found.append(node.module)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "st":
            found += [f"st.{node.attr}"] if node.attr.startswith("_") or node.attr in INTERNALS else []
    return found


def test_the_checker_finds_what_the_old_compat_module_did():
    old = (
        "import streamlit as st\n"
        "from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx\n"
        "import streamlit.runtime.state.common\n"
        "x = st._main\n"
    )
    assert private_uses(old) == [
        "streamlit.runtime.scriptrunner_utils.script_run_context",
        "streamlit.runtime.state.common",
        "st._main",
    ]
    assert private_uses("import streamlit as st\nfrom streamlit.starlette import App\nst.App\n") == []


def test_no_module_of_the_page_uses_a_private_streamlit_api():
    assert len(PAGE) > 20, [p.name for p in PAGE]
    found = {str(p.relative_to(ROOT)): uses for p in PAGE if (uses := private_uses(p.read_text()))}
    assert not found, f"private Streamlit APIs in the page: {found}"


def test_the_load_generator_can_name_a_components_trigger():
    """bench/load.py sends the heatmap's "painted" trigger as the page does, by its private id."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    trigger = _make_trigger_id("$$ID-abc-heatmap", "events")
    assert "$$ID-abc-heatmap" in trigger, trigger
    assert trigger != "$$ID-abc-heatmap"
