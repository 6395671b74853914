"""Lecture mode in Chromium: typing in a step, the live curve, the heatmap at projector sizes for 27,
53 and 101 symbols, a phone, both themes (every step walked by keyboard, measured and audited once
per viewport is in test_presenter.py)."""

import random
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from makemore.data import MAX_SYMBOLS
from ui.lecture import STEPS

from .harness import ARTIFACTS, axe_violations, page_errors, settled, wait_chart, wait_step

SIZES = [(1280, 720), (1920, 1080)]

OVERFLOW = """() => { const m = document.querySelector('[data-testid=stMain]');
  return {scroll: m.scrollHeight, client: m.clientHeight, doc: document.documentElement.scrollHeight,
          win: window.innerHeight}; }"""


def context(browser, server, size, scheme="light"):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.base = server
    return ctx, page


def assert_fits(page, what: str) -> None:
    o = page.evaluate(OVERFLOW)
    assert o["scroll"] <= o["client"] + 1, f"{what}: the page scrolls ({o['scroll']} px of content in {o['client']})"
    assert o["doc"] <= o["win"] + 1, f"{what}: the document scrolls ({o})"


def test_typing_in_a_step_does_not_turn_the_page(browser, server):
    ctx, page = context(browser, server, SIZES[0])
    page.goto(f"{server}/?mode=lecture&step=2")
    wait_step(page, 2)
    name = page.locator(".st-key-name input")
    name.fill("anna")
    name.press("ArrowLeft")
    name.press("Space")
    name.press("Enter")
    time.sleep(1.5)
    assert "step=2" in page.url, page.url
    ctx.close()


def test_step_ten_draws_the_curve_live(browser, server):
    ctx, page = context(browser, server, SIZES[0])
    page.goto(f"{server}/?mode=lecture&step=10&epochs=100")
    wait_step(page, 10)
    page.get_by_role("button", name="Train", exact=True).click()
    # the curve grows in the page, frame after frame, while the run streams (not once at its end)
    live = wait_chart(page, "loss", lambda s: s["live"] and s["live"]["frames"] > 10, timeout=60)
    assert live["live"]["n"] < 100, "the curve grew while the net trained"
    wait_chart(page, "loss", lambda s: s["meta"] == "100/100" and not s["live"], timeout=60)
    assert_fits(page, "step 10 after training")
    ctx.close()


def symbols_list(n: int, seed: int = 0) -> bytes:
    """A word list over exactly n symbols (besides '.')."""
    pool = [chr(c) for c in range(ord("a"), ord("z") + 1)] + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    pool += [chr(c) for c in range(0x3B1, 0x3B1 + 25)] + [chr(c) for c in range(0x430, 0x430 + 32)]
    symbols = pool[:n]
    rng = random.Random(seed)
    words = ["".join(symbols[i : i + 8]) for i in range(0, n, 8)]
    words += ["".join(rng.choices(symbols, k=rng.randint(3, 9))) for _ in range(3000)]
    return "\n".join(words).encode()


@pytest.mark.parametrize("n_symbols", [26, 52, MAX_SYMBOLS])
def test_counts_heatmap_fits_with_readable_aligned_labels(browser, server, n_symbols):
    """An upload's heatmap at 1280x720, then the window resized to 1920x1080: it fits again."""
    ctx, page = context(browser, server, SIZES[0])
    page.goto(f"{server}/?dataset=upload")
    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": "symbols.txt", "mimeType": "text/plain", "buffer": symbols_list(n_symbols)}]
    )
    # the upload's table, not the one before it (names.txt has 27 symbols too): its bigram total
    words = symbols_list(n_symbols).decode().split("\n")
    total = sum(len(w) + 1 for w in words)
    wait_chart(page, "heatmap", lambda s: sum(map(sum, s["data"][0]["count"])) == total)
    for size in SIZES:
        page.set_viewport_size({"width": size[0], "height": size[1]})
        heatmap_fits(page, size, n_symbols)
    ctx.close()


def heatmap_fits(page, size, n_symbols) -> None:
    # the page settles: its run over (Streamlit's status widget gone), the notices above the grid in
    # their place; then the grid must have fitted itself to where it now is (or the assert below says so)
    settled(page)
    try:
        page.wait_for_function(
            """() => { const r = document.querySelector('.st-key-heatmap .mm-heatmap');
                 const scroll = document.querySelector('[data-testid=stMain]').scrollTop;
                 return r && r._fitted && r._fitted[2] === Math.round(r.querySelector('.mm-cols').getBoundingClientRect().top + scroll); }""",
            timeout=5000,
        )
    except PlaywrightTimeout:
        pass  # the report below names what is off
    report = page.evaluate(
        """() => {
      const root = document.querySelector('.st-key-heatmap .mm-heatmap');
      const cells = [...root.querySelectorAll('.mm-cell')];
      const texts = cells.flatMap(c => [...c.children].filter(t => t.textContent));
      const small = texts.filter(t => parseFloat(getComputedStyle(t).fontSize) < 11).length;
      const tiny = texts.filter(t => parseFloat(getComputedStyle(t).fontSize) < 6).length;
      const wide = texts.filter(t => t.scrollWidth > t.parentElement.clientWidth + 0.5).length;
      const n = root._mm.data.y.length;
      const heads = [...root.querySelectorAll('.mm-rowhead')];
      let misaligned = 0, shown = 0;
      heads.forEach((h, i) => {
        if (getComputedStyle(h).visibility === 'hidden') return;
        shown += 1;
        const hb = h.getBoundingClientRect(), cb = cells[i * n].getBoundingClientRect();
        if (Math.abs((hb.top + hb.bottom) / 2 - (cb.top + cb.bottom) / 2) > 1) misaligned += 1;
      });
      const labelFont = Math.min(...heads.map(h => parseFloat(getComputedStyle(h).fontSize)));
      return {bottom: root.getBoundingClientRect().bottom, height: window.innerHeight, texts: texts.length,
              small, tiny, wide, misaligned, shown, rows: n, labelFont, mode: root.dataset.mode,
              // where the grid starts when it was fitted, and now (the upload's notice above it went)
              // (both in the page's content: the main area scrolls, and scrolling is not a move)
              fittedTop: root._fitted[2], scroll: document.querySelector('[data-testid=stMain]').scrollTop,
              top: Math.round(root.querySelector('.mm-cols').getBoundingClientRect().top
                              + document.querySelector('[data-testid=stMain]').scrollTop)};
    }"""
    )
    label = f"{n_symbols + 1} symbols at {size[0]}x{size[1]}"
    assert report["bottom"] <= report["height"], f"{label}: the heatmap runs below the window ({report})"
    assert report["fittedTop"] == report["top"], f"{label}: fitted for a place it has left ({report})"
    # the grid's type is 11 px or more; a text too wide for its cell ('mm', 'mw') gets a smaller font
    # of its own rather than going blank (tests/browser/test_heatmap_text.py), never under 6 px
    assert report["tiny"] == 0 and report["small"] <= 0.1 * report["texts"], f"{label}: text too small ({report})"
    assert report["wide"] == 0, f"{label}: text wider than its cell ({report})"
    assert report["misaligned"] == 0, f"{label}: row labels off their rows ({report})"
    assert report["labelFont"] >= 11, report
    assert report["shown"] >= report["rows"] // 3, f"{label}: too few row labels ({report})"
    if n_symbols == 26 and size == SIZES[1]:
        assert report["texts"] > 0, f"{label}: the lecture's table shows its numbers ({report})"


def test_on_a_phone_train_leaves_the_curve_in_view_and_the_tabs_work(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/?tab=Neural+net&epochs=50")
    page.locator(".st-key-loss").wait_for()
    page.locator("[data-testid=stExpandSidebarButton]").first.click()
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for()
    assert train.is_visible()
    train.click()
    wait_chart(page, "loss", lambda s: s["meta"] == "50/50")
    settled(page)
    box = page.locator(".st-key-loss").bounding_box()
    sidebar = page.locator("[data-testid=stSidebar]").bounding_box()
    covered = sidebar and sidebar["x"] + sidebar["width"] > box["x"] + 10 and sidebar["width"] > 50
    assert not covered, f"the sidebar {sidebar} still covers the curve {box}"
    assert box["y"] < 844, "the curve is on screen"
    page.screenshot(path=str(ARTIFACTS / "phone_trained.png"))
    page.get_by_role("tab", name="Sample step by step").click()  # the last tab, scrolled into reach
    page.get_by_role("button", name="Next character").wait_for()
    assert not page_errors(page)
    ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_three_steps(browser, server, scheme):
    ctx, page = context(browser, server, SIZES[0], scheme)
    for n in (3, 7, 9):
        page.goto(f"{server}/?mode=lecture&step={n}")
        wait_step(page, n)
        page.screenshot(path=str(ARTIFACTS / f"lecture_step{n}_{scheme}.png"))
    ctx.close()


def test_streamlits_own_dark_theme_setting_is_followed(browser):
    """theme.base = dark in Streamlit's config (here through its environment variable), with a light
    OS: the charts and the heatmap follow the page, and axe finds nothing of the app's own."""
    from .harness import app_server

    with app_server(env={"STREAMLIT_THEME_BASE": "dark"}) as (url, _):
        ctx, page = context(browser, url, SIZES[0], "light")
        for view, chart in (
            ("mode=lecture&step=9", ".st-key-lecture_forward .mm-chart"),
            ("tab=Counts", ".st-key-heatmap"),
        ):
            page.goto(f"{url}/?{view}")
            page.locator(chart).first.wait_for()
            settled(page)
            background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
            text = page.evaluate("(sel) => getComputedStyle(document.querySelector(sel)).color", chart)
            assert background.startswith("rgb(") and sum(map(int, background[4:-1].split(",")[:3])) < 200, background
            assert sum(map(int, text[text.index("(") + 1 : -1].split(",")[:3])) > 500, f"{view}: text {text} on dark"
            if "lecture" in view:  # plotly's tick labels take the page's light text colour
                fill = page.evaluate(
                    "() => getComputedStyle(document.querySelector('.st-key-lecture_forward .xaxislayer-above text')).fill"
                )
                assert sum(map(int, fill[fill.index("(") + 1 : -1].split(",")[:3])) > 500, f"tick labels {fill} on dark"
            mine, _ = axe_violations(page, ["color-contrast"])
            assert not mine, f"{view}: {mine}"
        ctx.close()


def test_a_follower_on_a_phone_reads_steps_twelve_and_thirteen_as_the_projector_shows_them(browser, server):
    """The lecture's end in class mode: the projector at 1920x1080 and a follower on a phone, the
    same step, the same count table and the same words; the follower's "of N" is the lecture's."""
    from .test_class import Hall, open_class, rail_text, same_step

    hall = Hall(browser, server)
    try:
        lecturer = hall.page((1920, 1080))
        code = open_class(lecturer, server)
        phone = hall.page((390, 844))
        phone.goto(f"{server}/?join={code}")
        wait_step(phone, 3)
        lecturer.keyboard.press("PageDown")  # from the join code back to the step
        wait_step(lecturer, 3)
        lecturer.goto(f"{server}/?mode=lecture&step=12")
        same_step(lecturer, [phone], 12, timeout=30_000)
        cells = "(p) => [...document.querySelectorAll(p + ' td')].map((td) => td.innerText.trim())"
        projector = lecturer.evaluate(cells, ".st-key-lecture [data-testid=stMarkdownContainer]")
        assert len(projector) == 8 * 6 and projector[-6:][1] == "282,429,536,481", projector[-6:]
        assert phone.evaluate(cells, ".mm-stage .mm-text") == projector, "the follower's table is the projector's"
        assert phone.locator(".mm-following").inner_text() == f"Following the lecturer: step 12 of {len(STEPS)}"
        phone.screenshot(path=str(ARTIFACTS / "follower_step12_390x844.png"))
        for n in (12, 13):
            if n == 13:
                lecturer.keyboard.press("PageDown")
                same_step(lecturer, [phone], 13, timeout=30_000)
                phone.screenshot(path=str(ARTIFACTS / "follower_step13_390x844.png"))
            time.sleep(1.0)
            assert rail_text(phone) == rail_text(lecturer), f"step {n}: the same words and numbers"
        assert "2.0331" in rail_text(phone) and "not trained here" in rail_text(phone)
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()
