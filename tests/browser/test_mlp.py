"""The MLP in a browser: train it, pause, one step, resume; its samples in Compare; the tabs' looks."""

import re
import time

from .harness import chart_state, wait_chart
from .test_e2e import tab, wait_text

STEPS = 10_000
EVERY = 5  # its curve: the mean of each 5 steps (2,000 points at most: makemore.trainer.curve_every)


def live_n(page) -> int:
    state = chart_state(page, "mlp_loss", light=True)
    return state["live"]["n"] if state and state["live"] else -1


def dev_circles(page) -> int:
    """The held-out points the page drew over the live curve (one arc pair each)."""
    d = page.evaluate(
        "() => { const c = document.querySelector('.st-key-mlp_loss .mm-chart'); "
        "return (c && c._mmDev && c._mmDev.getAttribute('d')) || ''; }"
    )
    return d.count("M")


def test_train_pause_step_and_find_the_mlp_in_compare(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{page.base}/?tab=MLP&mlp_steps={STEPS}&mlp_init_fix=True")
    wait_chart(page, "mlp_loss", lambda s: True)
    page.get_by_role("button", name="Train the MLP", exact=True).click()
    wait_chart(page, "mlp_loss", lambda s: s["live"] and s["live"]["n"] >= 30, light=True)
    # the embedding is redrawn from the run's latest state while it trains, with no click
    first = page.get_by_text(re.compile(r"Embedding C, after step [\d,]+ of")).first
    first.wait_for()
    before = first.text_content()
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('.st-key-mlp_embedding .gtitle')].some((e) => e.textContent !== t)",
        arg=before,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    status = page.locator(".st-key-mlp_loss .mm-live-status")
    status.get_by_text(re.compile(rf"^Paused at step \d+ of {STEPS}")).wait_for()
    paused_at = int(re.search(r"step (\d+)", status.inner_text()).group(1))
    time.sleep(1.0)
    assert live_n(page) == paused_at // EVERY, "a paused run took more steps (its curve: the full buckets)"
    assert dev_circles(page) >= 1, "the dev NLL of step 1 is drawn over the live curve"
    page.get_by_text(re.compile(rf"Embedding C, after step {paused_at:,} of {STEPS:,}")).wait_for()
    page.screenshot(path=str(page.artifacts / "mlp_paused_1280.png"))
    page.get_by_role("button", name="One step", exact=True).click()
    status.get_by_text(re.compile(rf"^Paused at step {paused_at + 1} of {STEPS}")).wait_for()
    assert "moved the parameters by at most" in status.inner_text()
    time.sleep(0.5)
    assert live_n(page) == (paused_at + 1) // EVERY, "one step is one step"
    page.get_by_text(re.compile(rf"Embedding C, after step {paused_at + 1:,} of")).wait_for()
    page.get_by_role("button", name="Resume", exact=True).click()
    done = wait_chart(page, "mlp_loss", lambda s: s["meta"] == f"{STEPS}/{STEPS}" and s["live"] is None, timeout=240)
    dev = next(t for t in done["data"] if t.get("meta") == "dev")
    curve = next(t for t in done["data"] if t.get("meta") == "run")
    assert len(curve["x"]) == STEPS // EVERY and curve["x"][0] == (1 + EVERY) / 2, "bucket means at their middles"
    assert curve["name"] == f"minibatch loss, mean of each {EVERY} steps"
    assert dev["x"][0] == 1 and dev["x"][-1] == STEPS and len(dev["x"]) == STEPS // 500 + 1
    wait_text(page, rf"Trained {STEPS} steps: dev NLL \d\.\d{{4}}\.")
    page.get_by_text(re.compile(r"^Embedding C, trained$")).wait_for()
    page.get_by_text(re.compile(r"the plot is a projection: C.s first two principal components")).wait_for()
    page.screenshot(path=str(page.artifacts / "mlp_trained_1280.png"), full_page=True)
    tab(page, "Compare")
    head = page.locator("[data-testid=stMarkdownContainer] strong", has_text=re.compile(r"^MLP$"))
    head.wait_for()
    column = head.locator("xpath=ancestor::*[@data-testid='stColumn'][1]")
    names = column.locator("table tbody tr")
    assert names.count() == 10, "the MLP's ten samples"
    assert all(re.fullmatch(r"[a-z]+…?", t) for t in column.locator("table tbody td:nth-child(2)").all_inner_texts())
    header = page.locator("table:visible thead").filter(has_text="uniform").first.inner_text()
    assert "MLP" in header, header
    page.set_viewport_size({"width": 1920, "height": 1080})
    tab(page, "MLP")
    wait_chart(page, "mlp_embedding", lambda s: True)
    page.screenshot(path=str(page.artifacts / "mlp_trained_1920.png"), full_page=True)
