"""A class as its students see it, in Chromium: joining by a typed code on a phone, a question that
reaches a following and an exploring student alike, the end of the class on every page, and what a
phone and a 1280x720 laptop show of the steps that tripped them (step 5's names, step 11's tables
and formula, the sidebar's and the question's type, a chart beside an opened sidebar)."""

import re
import time

from ui.lecture import STEPS

from .harness import ARTIFACTS, settled, wait_step
from .test_class import Hall, ask, console_of, cue, open_class, open_sidebar, same_step, turn

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# the smallest type (px) of the texts a student reads beside the slide: the sidebar, the question box
SMALLEST = """(sel) => {
  const shown = (e) => e.offsetParent !== null && e.textContent.trim() && getComputedStyle(e).visibility !== 'hidden';
  const sizes = [...document.querySelectorAll(sel)].filter(shown).map((e) => parseFloat(getComputedStyle(e).fontSize));
  return sizes.length ? Math.min(...sizes) : null;
}"""
SIDEBAR_TEXT = "[data-testid=stSidebarContent] :is(p, li, label, input, button)"
QUESTION_TEXT = ".st-key-class_question :is(p, label, input, button)"

# step 5 on a follower's page: the names of one column never reach into the other, none runs past the window
NAMES = """() => {
  const lists = [...document.querySelectorAll('.mm-stage .mm-names')];
  const boxes = lists.map((l) => [...l.querySelectorAll('.mm-chip')].map((c) => c.getBoundingClientRect()));
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  let overlaps = 0;
  for (const a of boxes[0] || []) for (const b of boxes[1] || []) if (hit(a, b)) overlaps += 1;
  const right = Math.max(...boxes.flat().map((r) => r.right));
  return { lists: lists.length, chips: boxes.flat().length, overlaps, right, W: innerWidth,
           wide: document.documentElement.scrollWidth };
}"""
# step 11's two tables: each one's plot area (the cells), from Plotly's own layout
TABLES = """() => [...document.querySelectorAll('.mm-stage .js-plotly-plot, .st-key-lecture .js-plotly-plot')]
  .filter((d) => d.querySelector('.hm image')).map((d) => {
    const cells = d.querySelector('.hm image').getBoundingClientRect();
    return { w: cells.width, h: cells.height, bar: getComputedStyle(d.querySelector('.modebar-container') || d).display };
  })"""


def phone(hall: Hall):
    ctx = hall.browser.new_context(**PHONE)
    hall.contexts.append(ctx)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.on("pageerror", lambda e: hall.thrown.append(str(e)[:300]))
    hall.pages = [*getattr(hall, "pages", []), page]
    return page


def ended_on(page, code: str) -> None:
    page.locator("[data-testid=stMain]").get_by_text(f"Class {code} has ended.").wait_for(timeout=30_000)


def test_a_phone_joins_by_code_a_question_reaches_both_students_and_the_end_reaches_every_page(browser, server):
    hall = Hall(browser, server)
    try:
        lecturer = hall.page((1920, 1080))
        code = open_class(lecturer, server)
        turn(lecturer)
        wait_step(lecturer, 3)
        console = console_of(lecturer)
        # a phone opens the app and types the code: the field is near the top of its sidebar
        student = phone(hall)
        student.goto(server)
        open_sidebar(student)
        field = student.locator(".st-key-class_code input")
        assert field.bounding_box()["y"] < 300, f"the code field at {field.bounding_box()['y']:.0f} px down the sidebar"
        student.screenshot(path=str(ARTIFACTS / "students_phone_join.png"))
        field.fill(code)
        student.get_by_role("button", name="Join", exact=True).click()
        wait_step(student, 3)
        student.wait_for_function(
            "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right <= 1"
        )  # the sidebar closed: the slide is in view
        assert student.locator(".mm-start").count() == 0, "the first visit's note no longer covers the slide"
        student.locator(".mm-stage .mm-heatmap").wait_for()
        # a laptop student explores on their own
        explorer = hall.page((1280, 720))
        explorer.goto(f"{server}/?join={code}")
        wait_step(explorer, 3)
        open_sidebar(explorer)
        explorer.get_by_role("button", name="Explore on my own").click()
        explorer.get_by_role("button", name="Back to the lecturer").wait_for()
        console.get_by_text("1 following · 1 exploring on their own").wait_for(timeout=30_000)
        # a question from the console reaches both, with no click of theirs
        ask(console, "Find the smoothing with the lowest dev NLL")
        for s in (student, explorer):
            s.locator("[data-testid=stMain] .st-key-class_question").get_by_text("Send my answer").wait_for(
                timeout=20_000
            )
        assert explorer.evaluate(SMALLEST, SIDEBAR_TEXT) >= 14, "the sidebar's type at 1280x720"
        assert explorer.evaluate(SMALLEST, QUESTION_TEXT) >= 14, "the question's type at 1280x720"
        explorer.screenshot(path=str(ARTIFACTS / "students_explorer_question.png"))
        student.screenshot(path=str(ARTIFACTS / "students_phone_question.png"))
        # End the class: a second click confirms; until then nothing ends
        cue(console, "End the class")
        console.get_by_role("button", name="Yes, end the class").wait_for()
        console.screenshot(path=str(ARTIFACTS / "students_console_confirm.png"))
        time.sleep(1.0)
        assert "has ended" not in student.locator("[data-testid=stMain]").inner_text()
        cue(console, "Yes, end the class")
        for name, page in (("console", console), ("phone", student), ("explorer", explorer), ("projector", lecturer)):
            ended_on(page, code)
            page.screenshot(path=str(ARTIFACTS / f"students_ended_{name}.png"))
        assert f"join={code}" not in student.url, "the link no longer joins the ended class"
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()


def test_a_phone_and_a_laptop_follow_steps_five_and_eleven(browser, server):
    """What tripped the phones and the 1280x720 laptops: step 5's two lists of names, step 11's two
    tables and its formula, Plotly's toolbar."""
    hall = Hall(browser, server)
    try:
        lecturer = hall.page((1920, 1080))
        code = open_class(lecturer, server)
        turn(lecturer)
        student = phone(hall)
        student.goto(f"{server}/?join={code}")
        laptop = hall.page((1280, 720))
        laptop.goto(f"{server}/?join={code}")
        same_step(lecturer, [student, laptop], 3)
        console = console_of(lecturer)
        cue(console, f"5. {STEPS[4][0]}")
        same_step(lecturer, [student, laptop], 5)
        student.locator(".mm-stage .mm-names .mm-chip").first.wait_for()
        names = student.evaluate(NAMES)
        student.screenshot(path=str(ARTIFACTS / "students_phone_step5.png"))
        assert names["lists"] == 2 and names["chips"] == 20, names
        assert names["overlaps"] == 0, f"names of the two columns overlap: {names}"
        assert names["right"] <= names["W"] and names["wide"] <= names["W"], f"a name runs off the screen: {names}"
        cue(console, f"11. {STEPS[10][0]}")
        same_step(lecturer, [student, laptop], 11)
        for page, label in ((student, "phone"), (laptop, "laptop")):
            page.wait_for_function("() => document.querySelectorAll('.mm-stage .js-plotly-plot .hm image').length == 2")
            settled(page)  # the tables fit their columns
            page.screenshot(path=str(ARTIFACTS / f"students_{label}_step11.png"))
        net, counts = student.evaluate(TABLES)
        assert abs(net["w"] - counts["w"]) <= 4 and abs(net["h"] - counts["h"]) <= 4, f"two sizes: {net}, {counts}"
        assert net["w"] >= 0.6 * 390, f"a table {net['w']:.0f} px wide on a 390 px phone"
        assert net["bar"] == counts["bar"] == "none", "no Plotly toolbar over a phone's chart titles"
        # the laptop's formula (its sidebar open beside the slide) fits its rail
        open_sidebar(laptop)
        settled(laptop)
        cut = laptop.evaluate(
            """() => { const f = document.querySelector('.mm-stage .mm-formula'), r = f.closest('.mm-rail');
                       return [f.scrollWidth - f.clientWidth, f.getBoundingClientRect().right - r.getBoundingClientRect().right]; }"""
        )
        assert max(cut) <= 1, f"step 11's formula is cut at 1280x720: {cut}"
        laptop.screenshot(path=str(ARTIFACTS / "students_laptop_step11_sidebar.png"))
        assert laptop.evaluate(SMALLEST, SIDEBAR_TEXT) >= 14
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()


def test_a_phone_reads_its_own_steps_five_and_eleven(browser, server):
    """A student exploring on a phone draws the steps itself (Streamlit's columns stack)."""
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/?mode=lecture&step=5")
        wait_step(page, 5)
        wide = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert wide[0] <= wide[1]
        chips = page.evaluate(
            "() => [...document.querySelectorAll('.mm-names .mm-chip')].map((c) => c.getBoundingClientRect().right)"
        )
        assert len(chips) == 20 and max(chips) <= 390, chips
        page.goto(f"{server}/?mode=lecture&step=11")
        wait_step(page, 11)
        net, counts = page.evaluate(TABLES)
        assert abs(net["w"] - counts["w"]) <= 4 and net["w"] >= 0.6 * 390, (net, counts)
        assert net["bar"] == counts["bar"] == "none"
        page.screenshot(path=str(ARTIFACTS / "students_phone_own_step11.png"))
    finally:
        ctx.close()


def test_a_chart_stays_in_the_window_when_the_sidebar_opens_at_1280x720(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/?mode=lecture&step=1")
        wait_step(page, 1)
        open_sidebar(page)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right > 250"
        )
        settled(page)  # the sidebar's slide and the chart's refit end
        svg = ".st-key-lecture .js-plotly-plot .main-svg"
        right = page.evaluate(f"() => document.querySelector('{svg}').getBoundingClientRect().right")
        assert right <= 1280 + 1, f"the chart runs past the window's edge, to {right:.0f} px"
        assert page.evaluate(SMALLEST, SIDEBAR_TEXT) >= 14, "the sidebar's type at 1280x720"
        page.screenshot(path=str(ARTIFACTS / "students_step1_sidebar.png"))
        assert re.search(r"1\. The data", page.locator("h3").first.inner_text())
    finally:
        ctx.close()
