"""Interaction speed in headless Chromium against a running app, each figure beside a bare
one-slider Streamlit page (bench/bare_app.py) measured in the same run: first paint, a smoothing
drag (input event to painted frame) against a plain slider's round trip, the live curve (frames
per second, curve updates per second, bytes per update), server memory, concurrent sessions.

    python bench/bench_browser.py            (or: make bench-browser)
"""

import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from makemore.counts import count_matrix
from makemore.data import Vocab, load_words
from makemore.neural import TrainConfig, train
from tools.chromium import CHROMIUM_ARGS, find_chromium
from tools.probes import wait_chart
from tools.servers import app_server, rss_mb

NOW = "() => performance.timeOrigin + performance.now()"


def summary(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return f"median {statistics.median(xs):7.0f} ms   p95 {p95:7.0f} ms   (n={len(xs)})"


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


# the first paint of an element: when it first appears, the frame after (a script before the page's own)
PAINTED = """(() => {
  const target = %r;
  const seen = () => {
    if (window.__painted || !document.querySelector(target)) return;
    window.__painted = -1;
    requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now(); }, 0));
  };
  new MutationObserver(seen).observe(document, {subtree: true, childList: true, attributes: true});
})();"""
HEATMAP, SLIDER = ".mm-heatmap .mm-cell[style]", "[data-testid=stSlider]"


def first_paint(browser, url: str, target: str, fresh: bool, context=None) -> float:
    """Navigation start to `target` painted, in ms, from a new browser profile (fresh) or a warm one."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}) if fresh else context
    ctx.add_init_script(PAINTED % target)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_function("() => window.__painted > 0", timeout=60_000)
    t = page.evaluate("window.__painted")
    page.close()
    if fresh:
        ctx.close()
    return t


def first_paints(browser, app: str, bare: str, runs: int, fresh: bool) -> tuple[list[float], list[float]]:
    """The app's heatmap and the bare page's slider, loaded in turns so both see the same machine."""
    contexts = [None, None] if fresh else [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in "ab"]
    if not fresh:
        for ctx, (url, target) in zip(contexts, [(app, HEATMAP), (bare, SLIDER)], strict=True):
            first_paint(browser, url, target, False, ctx)  # fill the cache
    a, b = [], []
    for _ in range(runs):
        a.append(first_paint(browser, app, HEATMAP, fresh, contexts[0]))
        b.append(first_paint(browser, bare, SLIDER, fresh, contexts[1]))
    for ctx in contexts:
        if ctx is not None:
            ctx.close()
    return a, b


# the page announces each input event of a drag with its time (ui/components/live.js, mmAnnounce's t0); the
# components repaint inside that dispatch, so a listener added after them sees the paint done:
# its next frame's callback runs before the paint, a message posted there arrives after it
PAINT_TIMER = """() => { window.__benchLatency = [];
  if (window.__benchTimer) return; window.__benchTimer = true;
  window.addEventListener("mm-smoothing", (e) => { const t0 = e.detail.t0; if (!t0) return;
    requestAnimationFrame(() => { const ch = new MessageChannel();
      ch.port1.onmessage = () => window.__benchLatency.push(performance.now() - t0); ch.port2.postMessage(0); }); }); }"""


def drag_latency(browser, url: str, query: str, steps: int = 30) -> list[float]:
    """A 30-step mouse drag of the Counts tab's smoothing: input event to painted frame, in ms."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{url}/?{query}")
    wait_chart(page, "heatmap", lambda s: True)
    page.locator(".st-key-count_nll td[data-part=all]").wait_for()  # the page's second run is in
    time.sleep(1)
    box = page.locator(".st-key-count_controls input[type=range]").bounding_box()
    out = []
    for start, end in ((0.3, 0.9), (0.9, 0.3)):
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + start * box["width"], y)
        page.mouse.down()
        page.evaluate(PAINT_TIMER)
        for k in range(1, steps + 1):
            page.mouse.move(box["x"] + (start + (end - start) * k / steps) * box["width"], y)
        time.sleep(0.1)
        out += page.evaluate("window.__benchLatency")
        page.mouse.up()
        time.sleep(1.5)
    page.close()
    return out


ROUND_TRIP = """() => {
  window.__rt = null;
  const text = () => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p')]
    .map((e) => e.textContent).find((t) => t.startsWith('value ')) || '';
  const before = text();
  let t0 = 0;
  document.addEventListener('keydown', () => (t0 = performance.now()), { capture: true, once: true });
  const obs = new MutationObserver(() => {
    if (!t0 || text() === before) return;
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => (window.__rt = performance.now() - t0), 0));
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def plain_slider_round_trip(browser, url: str, steps: int = 20) -> list[float]:
    """The bare page: a key press on st.slider to the text its rerun writes, painted, in ms."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    thumb = page.locator("[data-testid=stSlider] input[type=range]")
    thumb.wait_for(state="attached")
    out = []
    for i in range(steps):
        thumb.focus()
        page.evaluate(ROUND_TRIP)
        thumb.press("ArrowRight" if (i // 5) % 2 == 0 else "ArrowLeft")
        page.wait_for_function("() => window.__rt !== null")
        out.append(page.evaluate("window.__rt"))
        time.sleep(0.2)
    page.close()
    return out


SAMPLER = """() => { window.frames_ = []; const tick = () => {
  const c = document.querySelector('.st-key-loss .mm-chart'), m = (c && c._mm) || {};
  const line = c && c.querySelector('.scatterlayer .trace:last-of-type .js-line');
  const over = c && c._mmPath && c._mmPath.getAttribute('d');
  window.frames_.push({t: performance.now(), boot: m.boot, n: m.live ? m.live.ys.length : -1,
                       changed: m.live ? m.live.frames : -1, drawn: !!over || (!!line && !!line.getAttribute('d'))});
  if (!window.stopFrames) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""


def live_curve(browser, url: str, query: str, epochs: int) -> dict:
    """Frames per second of the page and curve changes per second while a run streams, blank
    frames, and the bytes of the chart's updates near the start and near the end of the run."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    frames_in, live_in = [], []  # messages during the run: Streamlit's websocket; the run's live route
    sizes = []  # the live route's updates: (points the curve has after it, bytes)

    def update(payload):
        live_in.append(len(payload))
        msg = json.loads(payload)
        if "from" in msg and "y" in msg:
            sizes.append((msg["from"] + len(msg["y"]), len(payload)))

    def listen(ws):
        if "/api/live/runs/" in ws.url:
            ws.on("framereceived", update)
        elif "/_stcore/" in ws.url:
            ws.on("framereceived", lambda payload: frames_in.append(len(payload)))

    page.on("websocket", listen)
    page.goto(f"{url}/?{query}")
    wait_chart(page, "heatmap", lambda s: True)
    page.get_by_role("tab", name="Neural net").click()
    wait_chart(page, "loss", lambda s: True)
    time.sleep(0.5)
    frames_in.clear()
    page.evaluate(SAMPLER)
    clicked = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="Train", exact=True).click()
    wait_chart(page, "loss", lambda s: s["meta"] == f"{epochs}/{epochs}" and not s["live"], timeout=300)
    finished = page.evaluate("() => performance.now()")
    time.sleep(0.3)
    frames = page.evaluate("() => { window.stopFrames = true; return window.frames_; }")
    page.close()
    run = [f for f in frames if f["n"] > 0]
    seconds = (run[-1]["t"] - run[0]["t"]) / 1000
    whole = [f for f in frames if clicked <= f["t"] <= finished]  # the click on Train to the finished figure
    at = lambda epoch: min(sizes, key=lambda nb: abs(nb[0] - epoch))[1] if sizes else float("nan")
    return {
        "fps_click": len(whole) / ((finished - clicked) / 1000),
        "live_median": statistics.median(live_in) if live_in else float("nan"),
        "live_count": len(live_in),
        "fps": len(run) / seconds,
        "updates": (run[-1]["changed"] - run[0]["changed"]) / seconds,
        "blank": sum(not f["drawn"] for f in run),
        "frames": len(run),
        "elements": len({f["boot"] for f in frames}),
        "seconds": seconds,
        "messages": len(sizes),
        "bytes_early": at(10),
        "bytes_late": at(epochs),
        "ws_median": statistics.median(frames_in) if frames_in else float("nan"),
        "ws_p90": sorted(frames_in)[int(0.9 * (len(frames_in) - 1))] if frames_in else float("nan"),
        "ws_max": max(frames_in, default=float("nan")),
        "ws_count": len(frames_in),
    }


def idle_fps(browser, url: str, seconds: float = 3.0) -> float:
    """Frames per second of the Neural net tab with nothing happening: the baseline of live_curve."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{url}/?tab=Neural+net")
    wait_chart(page, "loss", lambda s: True)
    time.sleep(0.5)
    page.evaluate(SAMPLER)
    time.sleep(seconds)
    frames = page.evaluate("() => { window.stopFrames = true; return window.frames_; }")
    page.close()
    return (len(frames) - 1) / ((frames[-1]["t"] - frames[0]["t"]) / 1000)


def first_losses(n: int) -> list[float]:
    words = load_words()
    N = count_matrix(words, Vocab.from_words(words))
    return [next(train(N, TrainConfig(seed=i)))[0].nll for i in range(n)]


def concurrent_training(browser, url: str, proc, n: int) -> tuple[list[str], float]:
    """n sessions train at once, each with its own epochs and seed; each must see only its own run."""
    expected_first = first_losses(n)
    pages = []
    for i in range(n):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{url}/?epochs={200 + 10 * i}&seed={i}")  # animated: ~3 s each, so the runs overlap
        pages.append(page)
    for page in pages:
        wait_chart(page, "heatmap", lambda s: True, timeout=120)
        page.get_by_role("tab", name="Neural net").click()
    peak, stop = [0.0], threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(proc.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for page in pages:
        page.get_by_role("button", name="Train", exact=True).click()
    problems = []
    for i, page in enumerate(pages):
        E = 200 + 10 * i
        state = wait_chart(page, "loss", lambda s, E=E: s["meta"] == f"{E}/{E}", timeout=300)
        y = next(t for t in state["data"] if t.get("meta") == "run")["y"]
        if len(y) != E or abs(y[0] - expected_first[i]) > 1e-4:
            problems.append(f"session {i}: {len(y)} points, first loss {y[0]:.5f} (expected {expected_first[i]:.5f})")
        try:  # the message comes with the rerun that follows the last epoch
            page.get_by_text(f"Trained {E} epochs").wait_for(timeout=30_000)
        except Exception:  # noqa: BLE001
            problems.append(f"session {i}: no success message for its own {E} epochs")
    stop.set()
    watcher.join()
    for page in pages:
        page.close()
    return problems, peak[0]


def main() -> None:
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium: sudo apt-get install chromium (or set CHROMIUM)")
    with app_server() as (url, proc), app_server(script="bench/bare_app.py") as (bare, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        first_paints(browser, url, bare, 1, True)  # warm both servers: imports, caches
        print(f"server {url}, baseline {bare} (bench/bare_app.py), Chromium {browser.version}\n")

        for fresh, label in ((True, "new browser profile"), (False, "warm browser cache")):
            app, base = first_paints(browser, url, bare, 7, fresh)
            ratio = statistics.median(app) / statistics.median(base)
            print(f"first paint, {label}: heatmap {summary(app)}")
            print(f"{'':33}bare slider {summary(base)}   ratio {ratio:.2f}  target <= 1.2")
        rss1 = rss_mb(proc.pid)

        print()
        for label, query in (
            ("bigram", "view=probabilities"),
            ("trigram slice", "view=probabilities&context=2&slice=e"),
        ):
            lat = drag_latency(browser, url, query)
            print(
                f"smoothing drag, {label:14} input event to painted frame: median {statistics.median(lat):5.1f} ms  "
                f"p95 {p95(lat):5.1f} ms  (n={len(lat)})  target p95 <= 17"
            )
        plain = plain_slider_round_trip(browser, bare)
        print(
            f"plain st.slider step, key press to its rerun's text painted:  median {statistics.median(plain):5.1f} ms  "
            f"p95 {p95(plain):5.1f} ms  (n={len(plain)})"
        )

        print()
        idle = idle_fps(browser, url)
        print(f"idle page (Neural net tab, nothing training): {idle:4.1f} fps")
        for label, query, epochs in [
            ("1000 epochs, counts, animated", "epochs=1000", 1000),
            ("500 epochs, counts, animated (default)", "epochs=500", 500),
            ("150 epochs, index, not animated", "epochs=150&method=index&animate=False", 150),
        ]:
            r = live_curve(browser, url, query, epochs)
            print(
                f"live curve, {label:40} page {r['fps']:4.1f} fps, curve redrawn {r['updates']:4.1f}/s, "
                f"blank {r['blank']} of {r['frames']} frames, {r['elements']} chart element(s); "
                f"{r['messages']} updates, bytes per update at epoch 10: {r['bytes_early']:.0f}, at epoch {epochs}: {r['bytes_late']:.0f}"
            )
            print(
                f"{'':52}click on Train to the finished figure: {r['fps_click']:4.1f} fps, {r['fps_click'] / idle:.2f} of the idle page's"
            )
            print(
                f"{'':52}live route: {r['live_count']} messages, median {r['live_median']:.0f} B; Streamlit's websocket: "
                f"{r['ws_count']} messages, median {r['ws_median']:.0f} B, largest {r['ws_max']:.0f} B (the finished figure)"
            )
        print("  targets: >= 57 fps from the click to the finished figure, 0 blank, bytes per update flat")

        print(f"\nserver RSS, 1 session                  {rss1:6.0f} MB  target <= 350")
        pages = [browser.new_page() for _ in range(10)]
        for pg in pages:
            pg.goto(url)
        for pg in pages:
            wait_chart(pg, "heatmap", lambda s: True, timeout=120)
        print(f"server RSS, 10 more sessions open      {rss_mb(proc.pid):6.0f} MB  target <= 450")
        for pg in pages:
            pg.close()
        problems, peak = concurrent_training(browser, url, proc, 10)
        print(
            f"10 sessions training at once: peak RSS {peak:6.0f} MB; "
            + ("all finished, each saw only its own run" if not problems else "PROBLEMS: " + "; ".join(problems))
        )
        browser.close()


if __name__ == "__main__":
    main()
