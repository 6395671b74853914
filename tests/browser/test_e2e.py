"""What only a browser shows: the page in headless Chromium, driven like a user would."""

import itertools
import json
import re
import time

from playwright.sync_api import expect

from .harness import ARTIFACTS, wait_chart

LETTERS = [".", *"abcdefghijklmnopqrstuvwxyz"]


def open_app(page, query: str = "") -> dict:
    page.goto(f"{page.base}/?{query}")
    return wait_chart(page, "heatmap", lambda s: s["data"][0]["z"])


def tab(page, name: str) -> None:
    """Open a tab and wait until its content has run (the URL records the open tab last)."""
    page.get_by_role("tab", name=name).click()
    page.wait_for_function("(name) => new URLSearchParams(location.search).get('tab') === name", arg=name)


def press_slider(page, key: str, keyname: str, times: int = 1) -> None:
    thumb = page.locator(f".st-key-{key} input[type=range]")
    thumb.focus()
    for _ in range(times):
        thumb.press(keyname)


def table_text(page, index: int) -> str:
    return page.locator("[data-testid=stMarkdownContainer] table:visible").nth(index).inner_text()


def wait_text(page, pattern: str, timeout: float = 60) -> str:
    loc = page.get_by_text(re.compile(pattern)).first
    loc.wait_for(timeout=timeout * 1000)
    return loc.inner_text()


def test_heatmap_renders_with_the_lecture_labels(page):
    page.set_viewport_size({"width": 1920, "height": 1080})  # room for the pair and the count in each cell
    state = open_app(page)
    trace = state["data"][0]
    assert trace["x"] == LETTERS
    assert trace["y"] == LETTERS
    cell = page.locator(".st-key-heatmap .mm-cell").nth(1 * 27 + 14)  # row "a", column "n"
    assert cell.inner_text().split() == ["an", str(trace["z"][1][14])]
    cell.hover()
    tip = page.locator(".st-key-heatmap .mm-tip")
    assert "count" in tip.inner_text()
    assert "−log p" in tip.inner_text()
    words = page.get_by_text(re.compile(r"^32,469 words"))
    words.wait_for()
    assert "231,718 examples" in words.inner_text()
    time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "main.png"))


def test_smoothing_slider_by_keyboard_redraws_heatmap_and_nll(page):
    before = open_app(page, "view=probabilities")
    nll_before = page.locator(".st-key-count_nll td[data-part=all]").inner_text()
    press_slider(page, "smoothing_sidebar", "ArrowRight")  # 1 -> 1.1, the next stop
    after = wait_chart(page, "heatmap", lambda s: s["data"][0]["z"] != before["data"][0]["z"])
    assert after["boot"] == before["boot"]  # the same chart, updated in place
    assert page.locator(".st-key-count_nll td[data-part=all]").inner_text() != nll_before
    page.wait_for_url(re.compile(r"smoothing=1\.1"))


def test_training_draws_the_curve_to_the_chosen_epoch_with_the_floor(page):
    open_app(page, "epochs=60&animate=False")
    tab(page, "Neural net")
    page.get_by_role("button", name="Train", exact=True).click()
    state = wait_chart(page, "loss", lambda s: s["meta"] == "60/60" and len(s["data"][0]["y"]) == 60)
    floor = next(t for t in state["data"] if t.get("meta") == "floor")
    assert floor["line"]["dash"] == "dash"
    assert floor["y"][0] == floor["y"][1] < state["data"][0]["y"][-1]
    wait_text(page, r"Trained 60 epochs")
    time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "trained.png"))


LIVE_SAMPLER = """() => { window.frames_ = []; const tick = () => {
     const c = document.querySelector('.st-key-loss .mm-chart'), m = (c && c._mm) || {};
     const line = c && c.querySelector('.scatterlayer .trace:last-of-type .js-line');
     const over = c && c._mmPath && c._mmPath.getAttribute('d');
     window.frames_.push({boot: m.boot, n: m.live ? m.live.ys.length : -1, changed: m.live ? m.live.frames : -1,
                          drawn: !!over || (!!line && !!line.getAttribute('d'))});
     if (!window.stopFrames) requestAnimationFrame(tick); };
   requestAnimationFrame(tick); }"""


def test_live_curve_is_drawn_in_every_frame_from_new_points_only(page):
    """Every frame of a run shows the curve, on one chart element, and each update of the run's live
    route brings only new points. How often the curve moves per frame is a speed: bench_browser.py."""
    updates = []  # the live route's messages as the browser received them: (points after it, bytes)

    def update(payload):
        msg = json.loads(payload)
        if "from" in msg and "y" in msg:
            updates.append((msg["from"], len(msg["y"]), len(payload)))

    page.on("websocket", lambda ws: "/api/live/runs/" in ws.url and ws.on("framereceived", update))
    open_app(page, "epochs=1000")  # animated: about 3 s
    tab(page, "Neural net")
    start = wait_chart(page, "loss", lambda s: True)
    page.evaluate(LIVE_SAMPLER)
    page.get_by_role("button", name="Train", exact=True).click()
    end = wait_chart(page, "loss", lambda s: s["meta"] == "1000/1000", timeout=90)
    frames = page.evaluate("() => { window.stopFrames = true; return window.frames_; }")
    training = [f for f in frames if f["n"] > 0]
    assert len(training) > 30
    assert all(f["drawn"] for f in training), f"{sum(not f['drawn'] for f in training)} blank frames"
    assert {f["boot"] for f in frames} == {start["boot"]}  # never a new chart element
    assert training[-1]["changed"] > training[0]["changed"]  # the curve moved while it trained
    # the updates tile the curve: each starts where the points before it end (the first where the
    # page's figure ended when the socket opened), none sent twice, none missing
    assert updates, "the run's live route sent nothing"
    first = updates[0][0]
    assert [f for f, _, _ in updates] == list(itertools.accumulate([first] + [k for _, k, _ in updates[:-1]]))
    assert first + sum(k for _, k, _ in updates) == 1000
    # each carries only its new points: its bytes follow the points it brings, not the curve's length
    too_big = [(k, b) for first, k, b in updates if first >= 800 and b > 600 + 30 * k]  # ~20 bytes a point
    assert not too_big, f"late updates larger than their new points: {too_big[:5]} (points, bytes)"
    curve = next(t for t in end["data"] if t.get("meta") == "run")["y"]
    assert len(curve) == 1000  # the finished figure holds every epoch


def test_samples_appear_and_change_with_the_seed(page):
    open_app(page)
    tab(page, "Compare")
    first = table_text(page, 0)
    assert "cexze" in first
    assert "new" in first
    seed = page.locator(".st-key-seed input")
    seed.fill("42")
    seed.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-testid=stMarkdownContainer] table')[0].innerText !== {first!r}"
    )
    page.wait_for_url(re.compile(r"seed=42&"))


def test_bad_upload_shows_an_error_and_the_page_still_works(page):
    open_app(page, "dataset=upload")
    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": "photo.txt", "mimeType": "text/plain", "buffer": bytes(range(256)) * 100}]
    )
    wait_text(page, r"photo.txt: line \d+: not UTF-8 text .*binary file\?\)\. Showing names.txt instead")
    before = wait_chart(page, "heatmap", lambda s: True)
    page.get_by_text("probabilities", exact=True).click()
    wait_chart(page, "heatmap", lambda s: s["data"][0]["z"] != before["data"][0]["z"])


def test_a_shared_url_restores_the_settings(page):
    open_app(page, "smoothing=10.0&seed=7&context=2&epochs=300&method=index&temperature=0.5")
    # the sidebar comes with the page's second run; a number input may show 0 as it mounts
    expect(page.locator(".st-key-seed input")).to_have_value("7", timeout=30_000)
    assert page.locator(".st-key-smoothing_sidebar input[type=range]").get_attribute("aria-valuetext") == "10"
    assert page.locator(".st-key-epochs input[type=range]").input_value() == "300"
    assert page.locator(".st-key-context input[type=radio]").nth(1).is_checked()
    assert page.locator(".st-key-method input").first.input_value() == "rows of W (E04)"  # method=index
    for part in ("smoothing=10.0", "seed=7", "context=2", "method=index"):
        assert part in page.url


def test_scoring_a_name_shows_its_bars(page):
    open_app(page)
    tab(page, "Score a name")
    name = page.locator(".st-key-name input")
    name.fill("anna")
    name.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-score_bars .xtick text')].map(t => t.textContent).join() "
        "=== '.→a,a→n,n→n,n→a,a→.'"
    )
    state = wait_chart(page, "score_bars", lambda s: len(s["data"][0]["x"]) == 5)
    assert page.locator(".st-key-score_bars .xtick text").all_text_contents() == [".→a", "a→n", "n→n", "n→a", "a→."]
    assert all(0 < p < 1 for p in state["data"][0]["y"])
    name.fill("zoë")
    name.press("Enter")
    wait_text(page, r"'ë' is not in the vocabulary")


def test_trigram_view(page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, "context=2")
    assert page.locator(".st-key-heatmap .mm-cell").nth(1).inner_text().split()[0] == "..a"
    page.locator(".st-key-count_controls select").select_option("e")
    wait_chart(page, "heatmap", lambda s: s["data"][0]["y"][0] == "e.")
    assert page.locator(".st-key-heatmap .mm-cell").nth(27 + 1).inner_text().split()[0] == "eaa"
