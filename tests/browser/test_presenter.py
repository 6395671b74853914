"""The lecture as a presenter view in Chromium: sizes that follow the window at projector sizes and
browser zoom, a clicker that only turns pages, the steps' live parts, the keyboard and screen-reader
paths, a full axe-core audit (the steps in their walk, the tabs apart), the theme switch and the
docs' screenshots."""

import json
import shutil
import time
from urllib.parse import parse_qs, urlparse

import pytest

from ui.lecture import N_STEPS, STEPS
from ui.params import TABS

from .harness import ARTIFACTS, axe_violations, page_errors, settled, wait_step

ROOT_DOCS = ARTIFACTS.parent / "docs"
# (CSS width, height, device scale): 1920x1080 and 1280x720 projectors, and browser zoom: 125% of
# 1920x1080 is 1536x864 CSS pixels, 150% of 1280x720 is 853x480
SIZES = [(1920, 1080, 1), (1280, 720, 1), (1536, 864, 1.25), (853, 480, 1.5)]
IDS = ["1920x1080", "1280x720", "1920x1080@125%", "1280x720@150%"]

MEASURE = """() => {
  const L = document.querySelector('.st-key-lecture'), H = innerHeight, W = innerWidth;
  const m = document.querySelector('[data-testid=stMain]');
  const shown = (e) => e.offsetParent !== null && e.textContent.trim() && getComputedStyle(e).visibility !== 'hidden';
  // what a class reads: the words, the code in them (`torch.multinomial`, `xs = [...]`), the NLL
  // table, the slider's label, the heatmap's views (counts / probabilities / log-probabilities)
  const BODY = '[data-testid=stMarkdownContainer] :is(p, li, td, code), .mm-nll :is(td, th), .mm-smooth label, .mm-view, .mm-views-title';
  const sizes = (sel) => [...L.querySelectorAll(sel)].filter(shown).map(e => parseFloat(getComputedStyle(e).fontSize));
  const chart = [...L.querySelectorAll('.main-svg text')].filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize));
  const cells = [...L.querySelectorAll('.mm-cell')];
  const cellText = cells.flatMap(c => [...c.children]).filter(t => t.textContent).map(t => parseFloat(getComputedStyle(t).fontSize));
  const box = L.getBoundingClientRect();
  const cols = [...L.querySelectorAll(':scope [data-testid=stHorizontalBlock]')][0];
  const [rail, stage] = cols ? [...cols.children].map(c => c.getBoundingClientRect()) : [null, null];
  const formula = L.querySelector('.st-key-formula .katex-html');
  const wide = [...L.querySelectorAll('.mm-chart, .stMarkdown, .mm-heatmap')].filter(e => e.getBoundingClientRect().right > W + 1).length;
  return {H, W, scroll: m.scrollHeight - m.clientHeight, docScroll: document.documentElement.scrollHeight - H,
    docWide: document.documentElement.scrollWidth - W, body: Math.min(...sizes(BODY)),
    controls: Math.min(...sizes('.mm-ticks span, .mm-axis, .mm-legend span, [data-testid=stWidgetLabel] p')),
    chart: Math.min(...chart), charts: chart.length, cellText: cellText.length ? Math.min(...cellText) : null,
    cellsShown: cells.filter(c => c.textContent).length, cells: cells.length, span: box.height, top: box.top,
    overlap: rail && stage ? rail.right - stage.left : 0, formulaCut: formula && rail ? formula.getBoundingClientRect().right - rail.right : 0, wide};
}"""


def presenter(browser, server, size, scheme="light"):
    w, h, scale = size
    ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=scale, color_scheme=scheme)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    thrown = []
    page.on("pageerror", lambda e: thrown.append(str(e)[:300]))
    page.on("console", lambda m: m.type == "error" and "BidiComponent Error" in m.text and thrown.append(m.text[:300]))
    page.thrown = thrown
    return ctx, page


def closed(ctx, page) -> None:
    """The end of a test: the page met no exception (shown, or caught by Streamlit around a
    component), then its context closes."""
    errors = page_errors(page) + getattr(page, "thrown", [])
    ctx.close()
    assert not errors, f"the page met an exception: {errors}"


# one walk per viewport: the scheme each walks in, and the walks that run the full axe-core audit
SCHEMES = {"1920x1080": "light", "1280x720": "dark", "1920x1080@125%": "dark", "1280x720@150%": "light"}
AUDITED = ("1920x1080", "1280x720")  # every step in both themes (light: every rule; dark: its colours)
KEYS_FORWARD = ["ArrowRight", "PageDown", "Space"]
COLOUR_RULES = ["color-contrast", "link-in-text-block"]  # the axe rules a theme can change


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_every_step_by_keyboard_follows_the_window_fits_and_passes_axe(browser, server, size):
    """The lecture's one walk per viewport: each step turned by a clicker's keys, measured (no
    scrolling, type sizes as shares of the height, nothing past the window), audited by axe-core
    where the viewport is one of AUDITED, then back with PageUp, ArrowLeft and Home."""
    label_size = IDS[SIZES.index(size)]
    scheme = SCHEMES[label_size]
    ctx, page = presenter(browser, server, size, scheme)
    page.goto(f"{server}/?mode=lecture&step=1")
    failures, own = [], {}
    for n in range(1, N_STEPS + 1):
        wait_step(page, n)
        settled(page)
        m = page.evaluate(MEASURE)
        label = f"step {n} at {label_size} ({scheme})"
        checks = {
            "the page scrolls": m["scroll"] <= 1 and m["docScroll"] <= 1 and m["docWide"] <= 1,
            f"body text {m['body']:.1f} px < 2.2% of {m['H']}": m["body"] >= 0.022 * m["H"],
            f"chart text {m['chart']:.1f} px < 1.6%": m["charts"] == 0 or m["chart"] >= 0.016 * m["H"] - 0.01,
            f"labels and ticks {m['controls']:.1f} px < 1.6%": m["controls"] >= 0.016 * m["H"] - 0.01,
            f"content spans {m['span']:.0f} px < 75%": m["span"] >= 0.75 * m["H"],
            "rail and stage overlap": m["overlap"] <= 1,
            "the formula runs past the rail": m["formulaCut"] <= 1,
            "an element runs past the window": m["wide"] == 0,
        }
        if n == 3:  # the count table: every cell's text, at least 1.2% of the height
            checks[f"cell text {m['cellText']} px < 1.2%"] = m["cellText"] and m["cellText"] >= 0.012 * m["H"]
            checks[f"{m['cellsShown']} of {m['cells']} cells show text"] = m["cellsShown"] == m["cells"] == 27 * 27
        failures += [f"{label}: {what} ({json.dumps(m)})" for what, ok in checks.items() if not ok]
        if label_size in AUDITED:  # every rule in the light walk; in the dark one the rules a theme changes
            mine, _theirs = axe_violations(page, None if scheme == "light" else COLOUR_RULES)
            if mine:
                own[label] = mine
        errors = page_errors(page) + page.thrown
        assert not errors, f"{label}: {errors}"
        if n in (3, 7, 11, 12, 13) and size[:2] == (1920, 1080):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"presenter_step{n}.png"))
        if n < N_STEPS:
            page.locator("body").press(KEYS_FORWARD[n % 3])  # Right, PageDown and Space all go forward
    page.keyboard.press("PageUp")
    wait_step(page, N_STEPS - 1)
    page.keyboard.press("ArrowLeft")
    wait_step(page, N_STEPS - 2)
    page.keyboard.press("Home")
    wait_step(page, 1)
    closed(ctx, page)
    assert not failures, "\n".join(failures)
    assert not own, f"violations in the app's own elements: {json.dumps(own)[:2000]}"
    if size[:2] == (1920, 1080) and size[2] == 1:  # the docs' screenshots, from this run
        ROOT_DOCS.mkdir(exist_ok=True)
        for n in (3, 7, 11, 12, 13):
            shutil.copyfile(ARTIFACTS / f"presenter_step{n}.png", ROOT_DOCS / f"lecture_step{n}.png")


def body_font(page) -> float:
    return page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.st-key-lecture [data-testid=stMarkdownContainer] p')).fontSize)"
    )


def test_the_size_control_scales_the_type_and_is_kept_in_the_link(browser, server):
    ctx, page = presenter(browser, server, SIZES[1])
    page.goto(f"{server}/?mode=lecture&step=2")
    wait_step(page, 2)
    before = body_font(page)
    page.get_by_role("button", name="larger type").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('size') === '115'")
    settled(page)
    assert body_font(page) == pytest.approx(before * 1.15, rel=0.02)
    page.reload()
    wait_step(page, 2)
    assert body_font(page) == pytest.approx(before * 1.15, rel=0.02), "the link keeps the size"
    page.get_by_role("button", name="smaller type").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('size') === '100'")
    closed(ctx, page)


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def turned(page, to: int) -> None:
    wait_step(page, to)
    settled(page)


def test_a_clicker_only_turns_pages_after_any_control_was_clicked(browser, server):
    """PageDown/PageUp always turn the page; Space and the arrows too, except in a text field; a
    clicked control hands the focus back, so a key never presses it again or moves it."""
    ctx, page = presenter(browser, server, SIZES[1])
    goto = lambda n, extra="": (page.goto(f"{server}/?mode=lecture&step={n}{extra}"), turned(page, n))

    # a slider (the page's own smoothing slider): clicked, then PageDown, then ArrowRight
    goto(7, "&smoothing=12.0")
    page.locator(".st-key-smoothing_lecture input[type=range]").click()  # the click itself moves it
    page.wait_for_function("() => new URLSearchParams(location.search).get('smoothing') !== '12.0'")
    settled(page)
    s = query(page)["smoothing"]
    page.keyboard.press("PageDown")
    turned(page, 8)
    assert query(page)["smoothing"] == s, "PageDown turned the page, not the slider"
    page.keyboard.press("PageUp")
    turned(page, 7)
    page.locator(".st-key-smoothing_lecture input[type=range]").click()
    settled(page)
    s = query(page)["smoothing"]
    page.keyboard.press("ArrowRight")
    turned(page, 8)
    assert query(page)["smoothing"] == s, "ArrowRight turned the page, not the released slider"

    # Streamlit's own slider (React Aria; step 9's example): clicked, then ArrowLeft and Space
    goto(9)
    slider = page.locator(".st-key-lecture_example [data-testid=stSlider]")
    box, ticks = (
        slider.bounding_box(),
        page.locator(".st-key-lecture_example [data-testid=stSliderTickBar]").bounding_box(),
    )
    slider.click(position={"x": box["width"] / 2, "y": ticks["y"] - box["y"] - 5})  # the track's middle: example 3
    page.wait_for_function("() => document.querySelector('.st-key-lecture_example input[type=range]').value === '3'")
    settled(page)
    page.evaluate(
        """() => { window.__moved = [];
           document.querySelector('.st-key-lecture_example input[type=range]')
             .addEventListener('input', (e) => window.__moved.push(e.target.value)); }"""
    )
    page.keyboard.press("ArrowLeft")
    turned(page, 8)
    page.keyboard.press("Space")
    turned(page, 9)
    assert page.evaluate("() => window.__moved") == [], "ArrowLeft turned the page; the slider never moved"

    # a text field: typing keeps its keys, PageDown still turns the page
    goto(2)
    name = page.locator(".st-key-name input")
    name.fill("anna")
    name.press("ArrowLeft")
    name.press("Space")
    time.sleep(1.0)
    assert query(page)["step"] == "2", "the arrows and Space edit the text"
    name.press("PageDown")
    turned(page, 3)

    # a select box: an option chosen, then ArrowRight
    goto(4)
    page.locator(".st-key-lecture_row").get_by_role("button", name="Open").click()
    page.get_by_role("option", name="b", exact=True).click()
    settled(page)
    page.keyboard.press("ArrowRight")
    turned(page, 5)

    # a number field: typed and Enter, then Space
    page.locator(".st-key-seed input").fill("42")
    page.locator(".st-key-seed input").press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('seed') === '42'")
    settled(page)
    page.keyboard.press("Space")
    turned(page, 6)

    # a button: Train, then Space goes on instead of training again
    goto(10, "&epochs=5")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => document.querySelector('.mm-live-status')?.dataset.status === 'done'")
    settled(page)
    page.keyboard.press("Space")
    turned(page, 11)

    # a radio: chosen, then ArrowLeft goes back (the radios never see the key)
    page.get_by_text("W and log counts").click()
    settled(page)
    page.evaluate(
        """() => { window.__moved = [];
           document.querySelectorAll('.st-key-lecture_punch input[type=radio]')
             .forEach((r) => r.addEventListener('change', (e) => window.__moved.push(e.target.value))); }"""
    )
    page.keyboard.press("ArrowLeft")
    turned(page, 10)
    assert page.evaluate("() => window.__moved") == [], "ArrowLeft turned the page; the radio kept its choice"

    # the heatmap's grid: the arrows move between its cells, PageDown still turns the page
    goto(3)
    page.locator(".st-key-heatmap .mm-grid").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    time.sleep(0.5)
    assert query(page)["step"] == "3"
    page.keyboard.press("PageDown")
    turned(page, 4)
    page.keyboard.press("Home")
    turned(page, 1)
    closed(ctx, page)


def test_step_seven_follows_the_drag(browser, server):
    ctx, page = presenter(browser, server, SIZES[1])
    page.goto(f"{server}/?mode=lecture&step=7&smoothing=1.0")
    turned(page, 7)
    box = page.locator(".st-key-smoothing_lecture input[type=range]").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.44, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=8)
    state = page.evaluate(
        """() => ({nll: document.querySelector('.st-key-smoothing_nll .mm-nll')._mm,
                   sweep: document.querySelector('.st-key-lecture_sweep .mm-chart')._mm.followed,
                   line: document.querySelector('.st-key-lecture_sweep .mm-chart').layout.shapes[0].x0})"""
    )
    page.mouse.up()
    s = state["nll"]["smoothing"]
    assert s > 50, f"the drag moved the smoothing: {state}"
    assert state["sweep"] == s and state["line"] == s, "the sweep's marker follows the drag"
    assert query(page)["smoothing"] == "1.0", "all of it before the release commits it"
    values = state["nll"]["nll"]
    assert len(values) == 2 and all(v < 10 for v in values.values()), values  # the name's NLL is finite now
    closed(ctx, page)


def test_the_probabilities_have_a_fixed_scale_beside_the_autoscale(browser, server):
    ctx, page = presenter(browser, server, SIZES[1])
    hi = "() => document.querySelector('.st-key-heatmap .mm-hi').textContent"
    page.goto(f"{server}/?view=probabilities&smoothing=1000.0")
    page.locator(".st-key-heatmap .mm-cell").first.wait_for()
    settled(page)
    assert page.evaluate(hi) == "1.000", "fixed: p from 0 to 1"
    page.get_by_text("0 to the largest").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('scale') === 'auto'")
    settled(page)
    assert float(page.evaluate(hi)) < 0.2, "at s = 1000 the largest p is small: the autoscale hides it"
    closed(ctx, page)


def test_on_a_phone_the_lectures_buttons_are_one_row_without_the_key_hint(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/?mode=lecture&step=4")
    wait_step(page, 4)
    tops = page.evaluate(
        """() => [...document.querySelectorAll('.st-key-lecture_nav button')].filter(b => b.offsetParent)
                 .map(b => Math.round(b.getBoundingClientRect().top))"""
    )
    assert len(tops) >= 3 and max(tops) - min(tops) <= 4, f"one row: {tops}"
    assert not page.locator(".st-key-lecture_hint").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    closed(ctx, page)


def test_keyboard_and_screen_reader_paths(browser, server, words, vocab):
    ctx, page = presenter(browser, server, SIZES[1])
    page.goto(f"{server}/?mode=lecture&step=3")
    turned(page, 3)
    # Tab never goes into the collapsed sidebar
    for _ in range(12):
        page.keyboard.press("Tab")
        x = page.evaluate("() => document.activeElement.getBoundingClientRect().right")
        assert x > 0, "the focus went off screen, into the collapsed sidebar"
    for name in ("◀ Back", "Next ▶", "Exit", "smaller type", "larger type", "switch to the dark theme"):
        assert page.get_by_role("button", name=name, exact=True).count() == 1, name
    # the count table: the arrows walk its cells, a live region says each one
    grid = page.locator(".st-key-heatmap .mm-grid")
    assert grid.get_attribute("tabindex") == "0"
    grid.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    said = page.locator(".st-key-heatmap [role=status]").inner_text()
    from makemore.counts import count_matrix

    N = count_matrix(words, vocab, 1)
    a, b = vocab.stoi["a"], vocab.stoi["a"]
    assert said.startswith(f"a then a: count {int(N[a, b]):,}, p "), said
    assert page.locator(".st-key-heatmap .mm-cell[aria-hidden=true]").count() == 27 * 27
    closed(ctx, page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_full_axe_audit_of_every_tab(browser, server, scheme):
    """The explorer's tabs; the lecture's steps are audited in their walk above. Every rule in the
    light theme; in the dark one the rules a theme can change (its colours)."""
    ctx, page = presenter(browser, server, SIZES[1], scheme)
    views = [f"tab={t.replace(' ', '+')}" for t in TABS]
    own, streamlit = {}, {}
    for view in views:
        page.goto(f"{server}/?{view}")
        page.locator("[data-testid=stMain]").first.wait_for()
        settled(page)
        mine, theirs = axe_violations(page, None if scheme == "light" else COLOUR_RULES)
        if mine:
            own[view] = mine
        if theirs:
            streamlit[view] = theirs
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe_all_{scheme}.json").write_text(json.dumps({"app": own, "streamlit": streamlit}, indent=1))
    closed(ctx, page)
    assert not own, f"{scheme}: violations in the app's own elements: {json.dumps(own)[:2000]}"


def test_the_theme_switch_reloads_the_same_view_in_the_other_theme(browser, server):
    ctx, page = presenter(browser, server, SIZES[1], "light")
    page.goto(f"{server}/?mode=lecture&step=6&smoothing=2.0")
    turned(page, 6)
    background = "() => getComputedStyle(document.querySelector('.stApp')).backgroundColor"
    light = page.evaluate(background)
    page.get_by_role("button", name="switch to the dark theme").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('embed_options') === 'dark_theme'")
    turned(page, 6)
    dark = page.evaluate(background)
    assert light != dark and sum(map(int, dark[4:-1].split(",")[:3])) < 200, (light, dark)
    q = query(page)
    assert q["step"] == "6" and q["smoothing"] == "2.0" and q["mode"] == "lecture", "the same view"
    page.get_by_role("button", name="switch to the light theme").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('embed_options') === 'light_theme'")
    turned(page, 6)
    assert page.evaluate(background) == light
    assert STEPS[5][0] in page.locator("h3").first.inner_text()
    closed(ctx, page)
