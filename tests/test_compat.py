"""The private Streamlit state the page relies on (ui/compat.py) exists in this exact version."""

import streamlit as st

from ui import compat


def test_streamlit_is_the_version_the_private_calls_were_written_for():
    assert compat.version_ok(), (
        f"streamlit {st.__version__} is installed; ui/compat.py reaches into the private state of "
        f"{compat.STREAMLIT_VERSION} (per-run key registries, incoming widget states): check both "
        "functions against the new version, then update STREAMLIT_VERSION"
    )


def test_private_attributes_still_exist():
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
    from streamlit.runtime.state.session_state import SessionState

    state = SessionState()
    assert hasattr(state, "_new_widget_state")
    assert hasattr(state._new_widget_state, "states")
    fields = ScriptRunContext.__dataclass_fields__
    assert "widget_user_keys_this_run" in fields or "shared" in fields, "the per-run key registries moved"


def test_the_load_generator_can_name_a_components_trigger():
    """bench/load.py sends the heatmap's "painted" trigger as the page does, by its private id."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    trigger = _make_trigger_id("$$ID-abc-heatmap", "events")
    assert "$$ID-abc-heatmap" in trigger, trigger
    assert trigger != "$$ID-abc-heatmap"
