"""Interaction speed in headless Chromium against a running app: load, slider step, live curve,
server memory, concurrent sessions. Prints median and p95 of repeated runs.

    python bench/bench_browser.py            (or: make bench-browser)
"""

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
from tests.browser.harness import CHROMIUM_ARGS, app_server, find_chromium, rss_mb, wait_chart

NOW = "() => performance.timeOrigin + performance.now()"


def summary(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return f"median {statistics.median(xs):7.0f} ms   p95 {p95:7.0f} ms   (n={len(xs)})"


def page_load(browser, url: str, runs: int, fresh: bool) -> list[float]:
    """Navigation start to the heatmap painted, in ms."""
    out, context = [], browser.new_context(viewport={"width": 1500, "height": 1100})
    for _ in range(runs):
        if fresh:
            context.close()
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
        page = context.new_page()
        page.goto(url)
        state = wait_chart(page, "heatmap", lambda s: s["lastDraw"] > 0, light=True)
        out.append(state["lastDraw"] - page.evaluate("performance.timeOrigin"))
        page.close()
    context.close()
    return out


def slider_steps(page, steps: int, split: list[float]) -> list[float]:
    """Key press on the smoothing slider to the redrawn heatmap painted, in ms; `split` gets the
    part until the new figure reached the chart (server and page), the rest is Plotly drawing."""
    thumb = page.locator(".st-key-smoothing input[type=range]")
    out = []
    for i in range(steps):
        before = wait_chart(page, "heatmap", lambda s: True, light=True)
        thumb.focus()
        t0 = page.evaluate(NOW)
        thumb.press("ArrowRight" if (i // 5) % 2 == 0 else "ArrowLeft")
        after = wait_chart(page, "heatmap", lambda s, b=before: s["draws"] > b["draws"], light=True)
        out.append(after["lastDraw"] - t0)
        split.append(after["lastArgs"] - t0)
        time.sleep(0.2)
    return out


SAMPLER = """() => { window.frames_ = []; const tick = () => {
  const c = document.querySelector('.st-key-loss .mm-chart');
  const m = (c && c._mm) || {};
  const line = c && c.querySelector('.scatterlayer .js-line');
  window.frames_.push({t: performance.now(), boot: m.boot, draws: m.draws || 0,
                       drawn: !!line && !!line.getAttribute('d')});
  if (!window.stopFrames) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""


def live_curve(browser, url: str, query: str, epochs: int) -> dict:
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{url}/?{query}")
    wait_chart(page, "heatmap", lambda s: True)
    page.get_by_role("tab", name="Neural net").click()
    wait_chart(page, "loss", lambda s: True)
    page.evaluate(SAMPLER)
    page.get_by_role("button", name="Train", exact=True).click()
    wait_chart(page, "loss", lambda s: s["meta"] == f"{epochs}/{epochs}", timeout=300)
    time.sleep(0.3)
    frames = page.evaluate("() => { window.stopFrames = true; return window.frames_; }")
    page.close()
    start = frames[0]["draws"]
    moving = [f for f in frames if f["draws"] > start]
    first, last = moving[0], next(f for f in frames if f["draws"] == frames[-1]["draws"])
    seconds = (last["t"] - first["t"]) / 1000
    return {
        "updates": last["draws"] - start,
        "per_second": (last["draws"] - first["draws"]) / seconds if seconds > 0 else float("nan"),
        "blank": sum(not f["drawn"] for f in frames),
        "frames": len(frames),
        "elements": len({f["boot"] for f in frames}),
        "seconds": seconds,
    }


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
        y = state["data"][0]["y"]
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
    with app_server() as (url, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page_load(browser, url, 1, fresh=True)  # warm the server: imports, caches
        print(f"server {url}, Chromium {browser.version}\n")

        print(
            f"page load to drawn heatmap (warm server, new browser profile)   {summary(page_load(browser, url, 7, True))}  target <= 2000"
        )
        print(
            f"page load to drawn heatmap (warm server and browser cache)      {summary(page_load(browser, url, 7, False))}"
        )
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{url}/?view=probabilities")
        wait_chart(page, "heatmap", lambda s: True)
        split = []
        steps = slider_steps(page, 20, split)
        print(f"slider step to redrawn heatmap                                  {summary(steps)}  target median <= 150")
        print(f"  of which: key press to new figure in the chart                {summary(split)}")
        rss1 = rss_mb(proc.pid)
        page.close()

        for label, query, epochs in [
            ("500 epochs, counts, animated (default)", "epochs=500", 500),
            ("150 epochs, index, not animated", "epochs=150&method=index&animate=False", 150),
        ]:
            r = live_curve(browser, url, query, epochs)
            print(
                f"live curve, {label:40} {r['per_second']:5.1f} updates/s ({r['updates']} in {r['seconds']:.1f} s), "
                f"blank frames {r['blank']} of {r['frames']}, chart elements {r['elements']}  target >= 20/s, 0 blank"
            )

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
