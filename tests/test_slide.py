"""The slide a class's followers draw (ui/slide.py): the lecturer's page records it while its step
is drawn; every step's text, values, charts and formula are in it, as the lecturer's page shows
them, and nothing is recorded for a page that does not lead a class."""

import json
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from service.rooms import rooms
from tests.helpers.apptest import app, checked
from ui import slide
from ui.lecture import FORMULAS, STEPS
from ui.text import literal, table

pytestmark = pytest.mark.app

STAGE_VIEWS = {"plotly_view", "heatmap_view", "nll_view", "smoothing_view", "count_controls"}


def blocks(items: list) -> list:
    out = []
    for b in items:
        out.append(b)
        for column in b.get("row", []):
            out += blocks(column)
    return out


def slide_text(b: dict) -> str:
    """What a follower reads in a block: its HTML without tags, its references decoded."""
    if "html" in b:
        out, inside = [], False
        for c in b["html"]:
            inside = (c == "<") or (inside and c != ">")
            if not inside and c != ">":
                out.append(c)
        return unescape("".join(out)).replace("\u2060", "")
    return " ".join(b.get("value", []))


@pytest.fixture(scope="module")
def lecturer():
    at = app({"mode": "lecture", "step": "1"})
    at.button(key="class_open").click().run()
    at.session_state["_classroom"].view = "step"
    at.run()
    return at


def test_every_step_is_recorded_as_the_lecturer_shows_it(lecturer):
    at, code = lecturer, lecturer.session_state["_classroom"].member.code
    for step in range(1, len(STEPS) + 1):
        if step > 1:
            at.button(key="lecture_next").click().run()
        s = json.loads(rooms().get_slide(code))
        assert (s["step"], s["title"]) == (step, STEPS[step - 1][0])
        assert s["query"].startswith(f"join={code}&mode=lecture&step={step}&")
        every = blocks(s["rail"]) + blocks(s["stage"])
        texts = " ".join(slide_text(b) for b in every)
        # every paragraph the lecturer's main area shows, but the heading and the key hint
        shown = [m.value for m in at.main.markdown if not m.value.startswith("###")]
        for md in shown:
            html = slide.clean(slide.to_html(md))
            assert any(b.get("html") == html for b in every), f"step {step}: {md[:60]!r} is not on the slide"
        # the lecturer's charts and components, each with the data the lecturer's page draws
        views = [b for b in every if b.get("view")]
        assert {b["view"] for b in views} <= STAGE_VIEWS
        if step == 5:  # the sampled names, each a chip, in two columns
            (row,) = [b for b in every if "row" in b]
            assert [sum("mm-names" in b.get("html", "") for b in c) for c in row["row"]] == [1, 1]
        else:
            assert views, f"step {step} has no chart"
        for b in views:
            assert json.loads(b["data"]) is not None
        if step == 10:  # a follower has no Train button: the idle curve's hint is not the lecturer's
            (curve,) = [json.loads(b["data"]) for b in views if b["view"] == "plotly_view"]
            assert curve["summary"]["message"] == "The curve draws here when the lecturer trains."
        # its widgets' values: read-only for the class
        for w in [*at.main.text_input, *at.main.number_input, *at.main.selectbox, *at.main.radio]:
            if w.label in ("A name", "Seed", "Seed of the generator", "Show"):
                assert f"{w.label} " in texts and str(w.value) in texts, f"step {step}: {w.label} = {w.value}"
        if step in FORMULAS:
            ET.fromstring(s["formula"])  # well-formed MathML
            assert s["formula"].startswith("<math") and "<mi>&</mi>" not in s["formula"]
        assert slide.digest_of(rooms().get_slide(code)) == at.session_state["_classroom"].member.slide


def test_a_name_is_text_on_the_slide_and_nothing_is_recorded_outside_a_class():
    at = checked(app({"mode": "lecture", "step": "2", "name": "<img src=x onerror=alert(1)>"}))
    assert slide.recording() is False
    assert "_slide" not in at.session_state, "a page that does not lead a class records nothing"
    at.button(key="class_open").click().run()
    at.session_state["_classroom"].view = "step"
    at.run()
    s = json.loads(rooms().get_slide(at.session_state["_classroom"].member.code))
    every = blocks(s["rail"]) + blocks(s["stage"])
    assert not [b for b in every if "<img" in b.get("html", "")], "in the slide's HTML the name is characters"
    assert ["A name", "<img src=x onerror=alert(1)>"] in [b.get("value") for b in every], "a value is plain text"


def test_markdown_keeps_references_and_tables_become_tables():
    text = f"The name {literal('<b>x</b> **y**')} has **0.5**"
    html = slide.to_html(text)
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "<strong>0.5</strong>" in html
    assert "<strong>y" not in html, "Markdown inside a literal value stays text"
    t = slide.to_html(table({"p": ["0.1"]}, [1], "step"))
    assert "<table>" in t and "<td>0.1</td>" in t


def test_the_server_sanitizes_a_slides_html_and_mathml():
    got = slide.clean(
        '<p class="mm-chip mm-evil">a<a href="http://evil.example">link</a><img src="http://evil.example/x">'
        '<span style="background:url(http://evil.example)">s</span><script>alert(1)</script></p>'
        '<math display="block"><mspace width="30000px"></mspace><mspace width="0.1667em"></mspace>'
        '<mi class="mm-x" mathvariant="bold">x</mi></math>'
    )
    assert "evil" not in got and "script" not in got and "style" not in got and "<img" not in got
    assert 'class="mm-chip"' in got, "the app's own class stays, an invented one goes"
    assert "30000px" not in got and 'width="0.1667em"' in got and 'mathvariant="bold"' in got


def test_the_server_keeps_a_charts_spec_from_reaching_outside():
    spec = {
        "data": [{"type": "bar", "x": [1], "y": [2], "text": ['<a href="http://evil.example">t</a>']}],
        "layout": {
            "images": [{"source": "http://evil.example/pixel.png"}],
            "title": {"text": '<a href="http://evil.example">click</a> NLL'},
            "annotations": [{"text": '<span style="background:url(http://evil.example)">x</span>'}],
            "xaxis": {"title": {"text": "epochs"}},
        },
    }
    (block,) = slide.blocks([{"view": "plotly_view", "key": "c", "data": json.dumps(spec)}])
    text = block["data"]
    assert "evil" not in text and "images" not in text and "url(" not in text and "href" not in text
    clean = json.loads(text)
    assert clean["layout"]["title"]["text"] == "click NLL" and clean["layout"]["xaxis"]["title"]["text"] == "epochs"


def test_a_slides_query_holds_only_its_room_and_the_apps_settings():
    q = slide.query("join=OTHER2&mode=lecture&step=3&smoothing=1.0&evil=1", "ABCDEF")
    assert q == "join=ABCDEF&mode=lecture&step=3&smoothing=1.0"
