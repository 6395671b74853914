"""How the tables and charts look in Chromium: bars per transition, tooltips, wrapped samples, trigram rows, square matrices."""

import re
import time

import pytest

from ui.models import MODELS

from .harness import ARTIFACTS, wait_chart
from .test_e2e import open_app, tab, wait_text


def open_tab_page(page, query: str, ready: str) -> None:
    """Open the page on a tab other than Counts and wait for `ready` (a selector) to show."""
    page.goto(f"{page.base}/?{query}")
    page.locator(ready).first.wait_for()


def test_switching_tabs_keeps_the_view_and_the_slice(page):
    open_app(page, "view=probabilities&context=2&slice=e")
    tab(page, "Compare")
    tab(page, "Counts")
    state = wait_chart(page, "heatmap", lambda s: s["data"][0]["view"] == "probabilities")
    assert state["data"][0]["y"][1] == "ea", state["data"][0]["y"][:3]
    assert "view=probabilities" in page.url, page.url
    assert "slice=e" in page.url, page.url
    assert page.get_by_role("radio", name="probabilities", exact=True).get_attribute("aria-checked") == "true"


def test_score_shows_one_bar_per_transition_of_mississippi(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_tab_page(page, "tab=Score+a+name&name=mississippi", ".st-key-score_bars")
    wait_chart(page, "score_bars", lambda s: len(s["data"][0]["y"]) == 12)
    models = page.locator(".st-key-score_bars .trace.bars")
    counted = [m for m in MODELS.values() if m.fit is not None]
    assert models.count() == len(counted), "every counted model of the registry (no net or MLP trained yet)"
    for i in range(models.count()):
        bars = models.nth(i).locator(".point path")
        assert bars.count() == 12, f"{bars.count()} bars for 12 transitions"
    ticks = page.locator(".st-key-score_bars .xtick text").all_text_contents()
    assert ticks == [".→m", "m→i", "i→s", "s→s", "s→i", "i→s", "s→s", "s→i", "i→p", "p→p", "p→i", "i→."], ticks
    heights = [bars.nth(i).bounding_box()["height"] for i in range(12)]
    assert heights[2] == pytest.approx(heights[5], abs=0.5), "both i→s bars have the same height"
    page.locator(".st-key-score_bars").scroll_into_view_if_needed()
    time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "score_mississippi.png"))


def test_a_rising_loss_is_on_the_chart_and_warned(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_tab_page(page, "tab=Neural+net&lr=500&epochs=300&animate=False", ".st-key-loss")
    page.get_by_role("button", name="Train", exact=True).click()
    wait_chart(page, "loss", lambda s: s["meta"] == "300/300")
    wait_text(page, r"The data NLL rose from \d\.\d+ \(epoch \d+\) to \d+\.\d+ at the end")
    plot = page.locator(".st-key-loss .nsewdrag").first.bounding_box()
    line = page.locator(".st-key-loss .scatterlayer .trace").first.locator("path.js-line").bounding_box()
    inside = plot["y"] - 1 <= line["y"] and line["y"] + line["height"] <= plot["y"] + plot["height"] + 1
    assert inside, f"the curve {line} is drawn outside the plot area {plot}"
    assert page.locator("[data-testid=stAlertContentSuccess]").count() == 0
    page.locator(".st-key-loss").scroll_into_view_if_needed()
    time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "loss_lr500.png"))


def test_tooltip_of_a_tiny_p_is_finite(page):
    open_app(page, "smoothing=0.01")
    page.locator(".st-key-heatmap .mm-cell").first.hover()  # the '..' cell: p = 3.1e-7
    tip = page.locator(".st-key-heatmap .mm-tip").inner_text()
    assert "Infinity" not in tip, tip
    assert re.search(r"−log p 1[45]\.\d{3}", tip), tip


def test_long_samples_wrap_inside_their_column(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_tab_page(page, "tab=Compare&smoothing=1000.0&n_samples=20", "[data-testid=stMarkdownContainer] table")
    train = page.get_by_role("button", name="Train", exact=True)
    train.click()
    wait_text(page, r"Trained 100 epochs")
    tab(page, "Compare")
    tables = page.locator("[data-testid=stColumn] table")
    tables.first.wait_for()
    for t in range(tables.count()):
        table = tables.nth(t)
        column = table.locator("xpath=ancestor::*[@data-testid='stColumn'][1]").bounding_box()
        box = table.bounding_box()
        assert box["x"] + box["width"] <= column["x"] + column["width"] + 1, f"table {t} runs past its column"
    headers = page.locator("[data-testid=stTabs] strong", has_text="Count model").bounding_box()
    info = page.locator("[data-testid=stColumn] [data-testid=stAlert]")
    assert info.count() == 0 or info.first.bounding_box()["y"] >= headers["y"] + headers["height"]


def test_trigram_rows_are_labelled_and_aligned(page):
    open_app(page, "context=2&slice=q")
    heads = page.locator(".st-key-heatmap .mm-grid > .mm-head")
    rows = [heads.nth(27 + i) for i in range(3)]  # after the 27 column heads
    assert [r.inner_text() for r in rows] == ["q.", "qa", "qb"]
    for i, r in enumerate(rows):
        cell = page.locator(".st-key-heatmap .mm-cell").nth(27 * i).bounding_box()
        assert abs(r.bounding_box()["y"] - cell["y"]) < 2, f"row {i} label is not on its row"
    assert "next character" in page.locator(".st-key-heatmap .mm-cols").inner_text()
    assert "context" in page.locator(".st-key-heatmap .mm-rows").inner_text()
    assert page.locator(".st-key-heatmap .mm-legend .mm-bar").is_visible()


def test_trained_matrices_are_square_at_1280(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_tab_page(page, "tab=Neural+net&animate=False&epochs=20", ".st-key-loss")
    page.get_by_role("button", name="Train", exact=True).click()
    wait_text(page, r"Trained 20 epochs")
    for key in ("net_P", "count_P", "diff_P"):
        wait_chart(page, key, lambda s: True)
        chart = page.locator(f".st-key-{key}")
        chart.scroll_into_view_if_needed()
        time.sleep(0.3)
        box = chart.locator(".nsewdrag").first.bounding_box()
        assert abs(box["width"] - box["height"]) <= 3, f"{key}: plot area {box['width']:.0f}x{box['height']:.0f}"
        assert box["width"] >= 27 * 11, f"{key}: {box['width']:.0f} px leaves less than 11 px per symbol"
        assert chart.locator(".ytick text").count() == 27
        assert chart.locator(".xtick text").count() == 27
        title = chart.locator(".gtitle").bounding_box()
        assert title["x"] + title["width"] <= chart.bounding_box()["x"] + chart.bounding_box()["width"]
