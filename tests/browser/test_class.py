"""Class mode end to end in Chromium: a lecturer and three followers, on the embedded default (one
process) and on two app processes behind nginx with a real redis-server started by the test; the
security cases; and the faults at small scale (a killed app process, a Redis restart, the
lecturer's reload)."""

import os
import re
import shutil
import time

import pytest

from deploy.serve import busiest, find_nginx, replicas
from tools.servers import REDIS_HINT, free_port

from .harness import ARTIFACTS, page_errors
from .test_lecture import wait_step

FOLLOWERS = 3


class Hall:
    """One lecturer page and its followers, each in its own browser context (its own cookies)."""

    def __init__(self, browser, url: str):
        self.browser, self.url, self.contexts, self.thrown = browser, url, [], []

    def page(self, size=(1280, 720)):
        ctx = self.browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.on("pageerror", lambda e: self.thrown.append(str(e)[:300]))
        page.on(
            "console", lambda m: m.type == "error" and "BidiComponent Error" in m.text and self.thrown.append(m.text)
        )
        self.pages = [*getattr(self, "pages", []), page]
        return page

    def errors(self) -> list[str]:
        """What any page of the hall met: an exception it shows, or one Streamlit caught."""
        return [e for p in getattr(self, "pages", []) if not p.is_closed() for e in page_errors(p)] + self.thrown

    def close(self):
        for ctx in self.contexts:
            ctx.close()


def open_sidebar(page) -> None:
    """Expand the sidebar if it is collapsed (Streamlit may remember it open across a reload)."""
    page.locator(
        "[data-testid=stSidebar] [data-testid=stSidebarContent], [data-testid=stExpandSidebarButton]"
    ).first.wait_for()
    button = page.locator("[data-testid=stExpandSidebarButton]")
    if button.count() and button.first.is_visible():
        button.first.click()
    page.locator("[data-testid=stSidebar]").get_by_text("Class", exact=True).wait_for()


def step_of(page) -> str:
    return page.evaluate("() => new URLSearchParams(location.search).get('step')")


def wait_url(page, key: str, value: str, timeout: float = 15_000) -> None:
    page.wait_for_function(
        "([k, v]) => new URLSearchParams(location.search).get(k) === v", arg=[key, value], timeout=timeout
    )


def open_class(lecturer, url: str) -> str:
    lecturer.goto(f"{url}/?mode=lecture&step=3")
    wait_step(lecturer, 3)
    open_sidebar(lecturer)
    lecturer.get_by_role("button", name="Open a class").click()
    lecturer.locator(".st-key-class_projector").wait_for()
    text = lecturer.locator(".st-key-class_projector").inner_text()
    return re.search(r"join=([A-Z2-9]{6})", text).group(1)


def show(lecturer, view: str) -> None:
    lecturer.locator(".st-key-_class_view").get_by_text(view, exact=True).click()
    time.sleep(1.0)


def turn(lecturer, key: str = "PageDown") -> None:
    lecturer.locator("h3").first.click()  # the page has the focus, as after a click on the stage
    lecturer.keyboard.press(key)


def ask(lecturer, question: str) -> None:
    lecturer.locator(".st-key-class_kind").get_by_role("button", name="Open").click()
    lecturer.get_by_role("option", name=question).click()
    time.sleep(0.5)
    lecturer.get_by_role("button", name="Ask the class").click()
    lecturer.locator(".st-key-class_board").wait_for()


def answer(student, nick: str, name: str) -> None:
    # the question is above the step, where a phone shows it (its sidebar is closed)
    student.locator("[data-testid=stMain] .st-key-class_question").wait_for()
    student.locator(".st-key-class_nick input").fill(nick)
    field = student.locator(".st-key-class_name input")
    field.wait_for()
    field.fill(name)
    field.press("Enter")
    student.get_by_text(f"Your answer: name {name}").wait_for()
    student.get_by_role("button", name="Send my answer").click()
    student.get_by_text(f"Answer sent: name {name}, nll ").wait_for()
    assert student.get_by_role("button", name="Send my answer").count() == 0, "one answer a question"


# counts the page's script runs (Streamlit's app root says when one starts): a follower's page turns
# must come from the room's slide, drawn in the page, not from a rerun
COUNT_RUNS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  window.__mmRuns = 0;
  new MutationObserver(() => app.getAttribute('data-test-script-state') === 'running' && (window.__mmRuns += 1))
    .observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] });
}"""


def rail_text(page) -> str:
    """The words of the step (the lecturer's rail, or a follower's copy of it), without the controls."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
             '.mm-stage .mm-rail .mm-text:not(.mm-caption) p, ' +
             '.st-key-lecture [data-testid=stColumn]:first-child [data-testid=stMarkdown] [data-testid=stMarkdownContainer] > p')]
           .map((p) => p.innerText.trim()).filter((t) => t && !t.startsWith('Step ')).join('\\n')"""
    )


def a_class(hall: Hall, followers: int = FOLLOWERS):
    lecturer = hall.page((1920, 1080))
    code = open_class(lecturer, hall.url)
    students = []
    for _ in range(followers):
        s = hall.page()
        s.goto(f"{hall.url}/?join={code}")
        wait_step(s, 3)
        students.append(s)
    lecturer.get_by_text(f"{followers} following").first.wait_for(timeout=30_000)
    return lecturer, code, students


def run_the_class(hall: Hall, label: str) -> None:
    lecturer, _, students = a_class(hall)
    show(lecturer, "the step")
    wait_step(lecturer, 3)
    for s in students:
        s.locator(".mm-stage .mm-heatmap .mm-cell").first.wait_for()  # the lecturer's heatmap, on the slide
        s.evaluate(COUNT_RUNS)
    # PageDown on the lecturer's clicker turns every follower's page, with no rerun of theirs
    pressed = lecturer.evaluate("() => Date.now()")
    turn(lecturer)
    drawn = []
    for s in students:
        wait_url(s, "step", "4")
        wait_step(s, 4)
        drawn.append(s.evaluate("() => window.__mmStageLog.find((e) => e.step === 4).at") - pressed)
    (ARTIFACTS / f"class_draw_{label}.txt").write_text(f"key press -> drawn on each follower's page, ms: {drawn}\n")
    wait_step(lecturer, 4)
    assert rail_text(lecturer) and all(rail_text(s) == rail_text(lecturer) for s in students), "the same words"
    assert [s.evaluate("() => window.__mmRuns") for s in students] == [0] * len(students)
    # a setting the lecturer changes (step 7's smoothing) shows on every follower's page
    turn(lecturer)
    turn(lecturer)
    turn(lecturer)
    wait_step(lecturer, 7)
    time.sleep(1.0)  # the last page turn's rerun is over before the slider is clicked
    lecturer.locator(".st-key-smoothing_lecture input[type=range]").click(position={"x": 30, "y": 8})
    lecturer.wait_for_function("() => new URLSearchParams(location.search).get('smoothing') !== '1.0'", timeout=20_000)
    time.sleep(0.5)
    smoothing = lecturer.evaluate("() => new URLSearchParams(location.search).get('smoothing')")
    for s in students:
        wait_url(s, "smoothing", smoothing)
        wait_url(s, "step", "7")
    time.sleep(1.0)
    nll = lecturer.locator(".st-key-smoothing_nll .mm-nll").inner_text()
    for s in students:  # the lecturer's figures for the new smoothing, on every follower's page
        assert s.locator(".mm-stage .mm-nll").inner_text() == nll
    assert [s.evaluate("() => window.__mmRuns") for s in students] == [0] * len(students)
    # a question, the students' answers, the board
    ask(lecturer, "Type the name you think the model finds likeliest")
    names = ["anna", "emma", "anna"]
    for i, s in enumerate(students):
        answer(s, "<b>bold</b>" if i == 0 else f"student {i}", names[i])
    lecturer.get_by_text(f"{len(students)} answers").wait_for(timeout=20_000)
    lecturer.get_by_role("button", name="Reveal").click()
    lecturer.get_by_text("revealed").first.wait_for()
    board = lecturer.locator(".st-key-class_projector")
    assert "<b>bold</b>" in board.inner_text(), "a nickname is shown as its text"
    assert board.locator("b", has_text="bold").count() == 0, "never as markup"
    bars = lecturer.evaluate(
        "() => document.querySelector('.st-key-class_board .mm-chart').data[0]"
    )  # the chart of the answers
    assert dict(zip(bars["x"], bars["y"], strict=True)) == {"anna": 2, "emma": 1}
    lecturer.screenshot(path=str(ARTIFACTS / f"class_board_{label}.png"))
    if label == "redis":  # the README's screenshot, from this run
        shutil.copyfile(ARTIFACTS / "class_board_redis.png", ARTIFACTS.parent / "docs" / "class_board.png")
    # a student leaves to explore (nothing goes back) and returns in one click
    s = students[1]
    open_sidebar(s)
    s.get_by_role("button", name="Explore on my own").click()
    s.get_by_role("button", name="Back to the lecturer").wait_for()
    show(lecturer, "the step")
    turn(lecturer, "PageUp")
    wait_url(students[0], "step", "6")
    assert step_of(s) == "7", "an explorer stays where it is"
    s.get_by_role("button", name="Back to the lecturer").click()
    wait_url(s, "step", "6")
    assert not hall.errors(), hall.errors()


def test_a_lecturer_and_three_followers_on_the_embedded_default(browser, server):
    hall = Hall(browser, server)
    try:
        run_the_class(hall, "embedded")
    finally:
        hall.close()


@pytest.fixture
def two_processes_with_redis(chromium_path):
    if not shutil.which("redis-server") or not find_nginx():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(REDIS_HINT + " and nginx")
        pytest.skip(REDIS_HINT + " and nginx")
    sup = []
    with replicas(2, free_port(), log_dir=ARTIFACTS, redis=True, supervisor=sup) as (url, apps, _):
        yield url, apps, sup[0]


def test_a_class_across_two_processes_with_redis_survives_its_faults(browser, two_processes_with_redis):
    url, apps, sup = two_processes_with_redis
    hall = Hall(browser, url)
    try:
        run_the_class(hall, "redis")
        # the faults, on a new class: the lecturer reloads, Redis restarts, an app process dies
        lecturer, code, students = a_class(hall)
        show(lecturer, "the step")
        ask(lecturer, "Type the name you think the model finds likeliest")
        answer(students[0], "first", "anna")
        lecturer.reload()  # the room and the board are still the lecturer's (its cookie)
        open_sidebar(lecturer)
        lecturer.get_by_role("button", name="Ask the class").wait_for()
        assert code in lecturer.locator("[data-testid=stSidebar]").inner_text()
        show(lecturer, "the board")
        lecturer.get_by_text("1 answers").wait_for()
        sup.redis.restart()  # append-only file on: the answer is still there, followers go on
        show(lecturer, "the step")
        wait_step(lecturer, 3)
        turn(lecturer)
        for s in students:
            wait_url(s, "step", "4", timeout=30_000)
        show(lecturer, "the board")
        lecturer.get_by_text("1 answers").wait_for()
        busiest(apps).kill()  # its followers come back following, on the step the lecturer is on
        time.sleep(1.0)
        lecturer.reload()
        open_sidebar(lecturer)
        show(lecturer, "the step")
        turn(lecturer)
        for s in students:
            wait_url(s, "step", "5", timeout=60_000)
            wait_step(s, 5)
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()


PWN = '<img src=x onerror="window.__pwned=1">'
# a slide as a compromised server (or a script in the page) could send one: the stage keeps its text
FORGED_SLIDE = """() => window.dispatchEvent(new CustomEvent('mm-slide', { detail: {
  step: 2, title: 'forged', digest: 'forged', at: Date.now() / 1000 + 60, size: 100, query: '',
  formula: '<math><mi href="javascript:window.__pwned=1" onclick="window.__pwned=1">x</mi></math>',
  rail: [{ html: '<img src=x onerror="window.__pwned=1"><a href="javascript:window.__pwned=1">kept</a>' +
                 '<script>window.__pwned=1</script><p class="evil" onclick="window.__pwned=1">kept</p>' +
                 '<iframe src="javascript:window.__pwned=1"></iframe><svg onload="window.__pwned=1"></svg>' }],
  stage: [{ view: 'no_such_view', key: 'x', data: '{}' }] } }))"""
STAGE_TAGS = """() => {
  const all = [...document.querySelectorAll('.mm-stage :is(.mm-text, .mm-value, .mm-formula, .mm-title) *')];
  return { tags: all.filter((e) => ['IMG', 'A', 'SCRIPT', 'IFRAME', 'svg'].includes(e.tagName)).map((e) => e.tagName),
           attrs: all.flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on') || n === 'href'),
           pwned: Boolean(window.__pwned) };
}"""


def test_a_student_cannot_lead_the_class(browser, server):
    hall = Hall(browser, server)
    try:
        lecturer, code, (student,) = a_class(hall, 1)
        show(lecturer, "the step")
        # a forged lecturer cookie and an edited URL change nothing
        student.context.add_cookies([{"name": "mm_lecturer", "value": f"{code}.forged-secret", "url": server}])
        student.goto(f"{server}/?join={code}&step=9&mode=explorer")
        wait_step(student, 3)
        open_sidebar(student)
        student.get_by_text(f"Following class {code}").wait_for()
        assert student.get_by_role("button", name="Ask the class").count() == 0
        assert step_of(lecturer) == "3"
        # what the lecturer types reaches the class as text; a slide's HTML keeps no tag that acts
        turn(lecturer, "PageUp")
        wait_step(student, 2)
        field = lecturer.locator(".st-key-name input")
        field.fill(PWN)
        field.press("Enter")
        student.locator(".mm-stage .mm-value", has_text=PWN).wait_for()
        assert student.evaluate(STAGE_TAGS) == {"tags": [], "attrs": [], "pwned": False}
        assert student.locator(".mm-stage .mm-chip").count() > 2, "the name's characters, as chips"
        student.evaluate(FORGED_SLIDE)
        student.get_by_role("heading", name="2. forged").wait_for()
        assert student.evaluate(STAGE_TAGS) == {"tags": [], "attrs": [], "pwned": False}
        assert student.locator(".mm-stage").inner_text().count("kept") == 2, "their text stays"
        # a wrong code is refused; trying many is stopped
        other = hall.page()
        other.goto(f"{server}/?join=ZZZZZZ")
        open_sidebar(other)
        other.get_by_text("No class has the code 'ZZZZZZ'.").wait_for()
        field = other.locator(".st-key-class_code input")
        for i in range(10):
            field.fill(f"ZZZZZ{'23456789'[i % 8]}")
            other.get_by_role("button", name="Join", exact=True).click()
            time.sleep(0.4)
        other.get_by_text("Too many wrong codes from this page: try again in").wait_for()  # a wait that doubles
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()
