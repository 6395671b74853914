"""Training that survives the page: a run goes on through tab switches and drags, pauses, steps
one epoch and resumes, with its live status over the chart."""

import re
import time

from .harness import chart_state, wait_chart
from .test_e2e import tab, wait_text


def open_net(page, query: str) -> None:
    page.goto(f"{page.base}/?tab=Neural+net&{query}")
    wait_chart(page, "loss", lambda s: True)


def run_trace(state: dict) -> list:
    return next(t for t in state["data"] if t.get("meta") == "run")["y"]


def live_n(page) -> int:
    state = chart_state(page, "loss", light=True)
    return state["live"]["n"] if state and state["live"] else -1


def drag_counts_smoothing(page) -> None:
    """Move the Counts tab's smoothing slider with the mouse and let go (one commit)."""
    box = page.locator(".st-key-count_controls input[type=range]").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.45, y)
    page.mouse.down()
    for f in (0.5, 0.6, 0.7):
        page.mouse.move(box["x"] + box["width"] * f, y, steps=3)
    page.mouse.up()


def test_a_run_goes_on_through_a_tab_switch_and_a_smoothing_drag(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_net(page, "epochs=300&method=index&animate=False")  # ~60 ms an epoch: ~20 s
    page.get_by_role("button", name="Train", exact=True).click()
    wait_chart(page, "loss", lambda s: s["live"] and s["live"]["n"] >= 5, light=True)
    tab(page, "Counts")
    wait_chart(page, "heatmap", lambda s: True)
    drag_counts_smoothing(page)
    page.wait_for_url(re.compile(r"smoothing=(?!1&)"), timeout=30_000)
    time.sleep(1.0)  # the commit's rerun has run
    tab(page, "Neural net")
    back = wait_chart(page, "loss", lambda s: True, light=True)
    assert back["live"] is not None, "the run had ended before the page came back: the test proves nothing"
    assert 5 <= back["live"]["n"] < 300
    status = page.locator(".st-key-loss .mm-live-status")
    assert re.match(r"Training: epoch \d+ of 300", status.inner_text()), status.inner_text()
    done = wait_chart(page, "loss", lambda s: s["meta"] == "300/300" and s["live"] is None, timeout=120)
    assert len(run_trace(done)) == 300, "every epoch of the run is on the chart"
    wait_text(page, r"Trained 300 epochs: data NLL \d\.\d{4}\. \(lr 50, reg 0\.01, 300 epochs, index")
    assert page.get_by_text(re.compile("stopped")).count() == 0
    page.screenshot(path=str(page.artifacts / "training_survived_1280.png"))


def test_pause_one_epoch_and_resume(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_net(page, "epochs=150&method=index&animate=False")  # ~60 ms an epoch: time to pause mid-run
    page.get_by_role("button", name="Train", exact=True).click()
    wait_chart(page, "loss", lambda s: s["live"] and s["live"]["n"] >= 3, light=True)
    page.get_by_role("button", name="Pause", exact=True).click()
    status = page.locator(".st-key-loss .mm-live-status")
    status.get_by_text(re.compile(r"^Paused at epoch \d+ of 150")).wait_for()
    paused_at = int(re.search(r"epoch (\d+)", status.inner_text()).group(1))
    time.sleep(1.0)
    assert live_n(page) == paused_at, "a paused run took more epochs"
    assert f"epoch {paused_at} of 150" in status.inner_text()
    # the curve of the paused run stays on screen, and W as it is now is drawn beneath
    assert page.locator(".st-key-loss .mm-live").count() == 1
    page.get_by_text(re.compile(rf"W after epoch {paused_at} of the paused run")).wait_for()
    page.get_by_role("button", name="One epoch", exact=True).click()
    status.get_by_text(re.compile(rf"^Paused at epoch {paused_at + 1} of 150")).wait_for()
    assert "the last step moved W by at most" in status.inner_text()
    page.get_by_text(re.compile(rf"W after epoch {paused_at + 1} of the paused run")).wait_for()
    time.sleep(0.5)
    assert live_n(page) == paused_at + 1, "one epoch is one epoch"
    page.screenshot(path=str(page.artifacts / "training_paused_1280.png"))
    page.get_by_role("button", name="Resume", exact=True).click()
    done = wait_chart(page, "loss", lambda s: s["meta"] == "150/150" and s["live"] is None, timeout=60)
    assert len(run_trace(done)) == 150
    wait_text(page, r"Trained 150 epochs")


def test_stop_ends_the_run_where_it_is(page):
    open_net(page, "epochs=1000")  # animated: ~3 s
    page.get_by_role("button", name="Train", exact=True).click()
    wait_chart(page, "loss", lambda s: s["live"] and s["live"]["n"] >= 20, light=True)
    page.get_by_role("button", name="Stop", exact=True).click()
    text = wait_text(page, r"Training stopped at epoch \d+ of 1000")
    epoch = int(re.search(r"epoch (\d+)", text).group(1))
    assert 20 <= epoch < 1000
    assert "Stop was pressed" in text
    state = wait_chart(page, "loss", lambda s: s["live"] is None)
    assert len(run_trace(state)) == epoch
    # the stop says where the loss was: the curve's last point, the epoch it stopped at
    said = float(re.search(r"The data NLL was (\d\.\d{4}) at that epoch", text).group(1))
    assert said == round(run_trace(state)[-1], 4)
