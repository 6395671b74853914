"""Settings that live across tabs and datasets keep their values."""

import pytest

from tests.helpers.apptest import (
    app,
    check,
    figure,
    open_tab,
    widget,
)

pytestmark = pytest.mark.app


def test_switching_tabs_keeps_tab_only_settings():
    at = app({"view": "probabilities", "context": "2", "slice": "e"})
    open_tab(at, "Compare")
    open_tab(at, "Counts")
    assert widget(at, "view").value == "probabilities", "the view was reset"
    assert widget(at, "slice").value == "e", "the trigram slice was reset"
    assert at.query_params["view"] == "probabilities", dict(at.query_params)
    assert at.query_params["slice"] == "e", dict(at.query_params)
    assert figure(at, "heatmap")["y"][1] == "ea", "the heatmap shows another slice"
    open_tab(at, "Score a name")
    widget(at, "name").set_value("anna")
    at.run()
    open_tab(at, "Compare")
    open_tab(at, "Score a name")
    assert widget(at, "name").value == "anna"
    assert at.query_params["name"] == "anna"


def test_sidebar_widgets_drawn_only_for_one_dataset_keep_their_values():
    at = app({"dataset": "SSA year", "year": "1950"})
    widget(at, "dataset").set_value("names.txt")
    at.run()
    widget(at, "dataset").set_value("SSA year")
    at.run()
    check(at)
    assert widget(at, "year").value == 1950


# ------------------------------------------------------------------ 3. the loss chart shows a bad run


def in_range(ys: list[float], axis: dict) -> bool:
    lo, hi = axis["range"]
    if axis.get("type") == "log":
        lo, hi = 10**lo, 10**hi
    return all(lo <= y <= hi for y in ys)


def test_a_setting_declared_once_reaches_the_url_the_class_and_the_settings(monkeypatch):
    from dataclasses import fields

    from ui.params import PARAMS, from_url, number, shared_keys, sidebar_keys, to_url
    from ui.state import settings_class

    monkeypatch.setitem(
        PARAMS, "depth", number(3, 1, 9, "a new setting", widget="slider", label="Depth", where="sidebar")
    )
    assert "depth" in sidebar_keys() and "depth" in shared_keys()
    assert to_url({})["depth"] == "3"
    values, notes = from_url({"depth": "7"})
    assert values == {"depth": 7} and not notes
    values, notes = from_url({"depth": "12"})
    assert values == {} and "depth='12' (out of range 1..9; using 3)" in notes
    assert {"depth": int} == {f.name: f.type for f in fields(settings_class()) if f.name == "depth"}


def test_a_setting_declared_for_the_sidebar_is_drawn_there_and_kept_in_the_link(monkeypatch):
    from tests.helpers.apptest import app
    from ui.params import PARAMS, number

    monkeypatch.setitem(
        PARAMS, "depth", number(3, 1, 9, "a new setting", widget="slider", label="Depth", where="sidebar")
    )
    at = app({"depth": "5"})
    slider = next(w for w in at.sidebar.slider if w.key == "depth")
    assert slider.label == "Depth" and slider.value == 5 and (slider.min, slider.max) == (1, 9)
    slider.set_value(7).run()
    assert at.query_params["depth"] == "7"
