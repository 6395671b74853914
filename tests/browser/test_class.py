"""Class mode end to end in Chromium: a lecturer and three followers, on the embedded default (one
process) and on two app processes behind nginx with a real redis-server started by the test; the
security cases; and the faults at small scale (a killed app process, a Redis restart, the
lecturer's reload)."""

import csv
import io
import os
import re
import shutil
import time
from urllib.parse import urljoin

import pytest

from deploy.serve import busiest, find_nginx, replicas
from tools.servers import REDIS_HINT, free_port
from ui.classroom.projector import WAITING
from ui.lecture import STEPS

from .harness import ARTIFACTS, ROOT, page_errors, settled, wait_step

FOLLOWERS = 3


# console errors a page logs while a server restarts or a process is killed (the walk does both):
# the browser's own lines about a request; any other error a page logs fails the walk
NETWORK = re.compile(
    r"Failed to load resource|WebSocket|net::ERR_|ERR_CONNECTION|health|status of 50[234]|disconnected from server"
)


class Hall:
    """One lecturer page and its followers, each in its own browser context (its own cookies)."""

    def __init__(self, browser, url: str):
        self.browser, self.url, self.contexts, self.thrown = browser, url, [], []

    def page(self, size=(1280, 720), scheme="light"):
        ctx = self.browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.on("pageerror", lambda e: self.thrown.append(str(e)[:300]))
        page.on("console", lambda m: m.type == "error" and not NETWORK.search(m.text) and self.thrown.append(m.text))
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


def open_class(lecturer, url: str, words=None) -> str:
    """The lecture at step 3 (with `words` uploaded), a class opened with its one button: the
    projector shows the join code."""
    lecturer.goto(f"{url}/?mode=lecture&step=3")
    wait_step(lecturer, 3)
    if words is not None:
        open_sidebar(lecturer)
        lecturer.locator(".st-key-dataset").get_by_text("upload", exact=True).click()
        lecturer.locator(".st-key-upload input[type=file]").set_input_files(str(words))
        lecturer.locator("[data-testid=stSidebar]").get_by_text(words.name).wait_for()
        wait_step(lecturer, 3)
        lecturer.locator("[data-testid=stSidebarCollapseButton] button").click()
    lecturer.get_by_role("button", name="Open a class").click()
    lecturer.locator(".st-key-class_projector").get_by_text("Join the class").wait_for()
    text = lecturer.locator(".st-key-class_projector").inner_text()
    return re.search(r"join=([A-Z2-9]{6})", text).group(1)


def console_of(lecturer):
    """The lecturer's console: one click on the lecture's Console button, a new tab of the same browser."""
    with lecturer.context.expect_page() as opened:
        lecturer.get_by_role("link", name="Console ↗").click()
    console = opened.value
    console.set_default_timeout(60_000)
    console.set_viewport_size({"width": 1920, "height": 1080})
    console.locator(".st-key-console").wait_for()
    return console


def cue(console, name: str) -> None:
    """One click on the console (a step of the list, or what the projector shows)."""
    console.get_by_role("button", name=name, exact=True).click()


def ask(console, question: str) -> None:
    console.locator(".st-key-console_kind").get_by_text(question, exact=True).click()
    time.sleep(0.5)
    console.get_by_role("button", name="Ask the class").click()
    console.get_by_text(f"Now: {question}").wait_for()


def turn(lecturer, key: str = "PageDown") -> None:
    lecturer.keyboard.press(key)


def projected(lecturer) -> str:
    """What the projector shows: "step N", "join" or "board"."""
    box = lecturer.locator(".st-key-class_projector")
    if box.count():
        return "join" if "Join the class" in box.inner_text() else "board"
    return f"step {step_of(lecturer)}"


def same_step(lecturer, followers, n: int, timeout: float = 15_000) -> None:
    """The projector and every follower on step n (the follower's URL and its heading)."""
    wait_step(lecturer, n)
    for s in followers:
        wait_url(s, "step", str(n), timeout)
        s.get_by_role("heading", name=f"{n}. {STEPS[n - 1][0]}").wait_for(timeout=timeout)
    assert projected(lecturer) == f"step {n}"


def counted(page, selector: str) -> str:
    return " ".join(page.locator(selector).first.inner_text().split())


def answer(student, nick: str, name: str | None = None) -> str:
    """A student's answer to the open question (a name to type, or what the page fills in); returns
    what the page said it sent."""
    # the question is above the step, where a phone shows it (its sidebar is closed)
    student.locator("[data-testid=stMain] .st-key-class_question").wait_for(timeout=30_000)
    student.locator(".st-key-class_nick input").fill(nick)
    if name is not None:
        field = student.locator(".st-key-class_name input")
        field.fill(name)
        field.press("Enter")
        student.get_by_text(f"Your answer: name {name}").wait_for()
    mine = student.get_by_text("Your answer: ").inner_text()
    student.get_by_role("button", name="Send my answer").click()
    student.get_by_text("Answer sent: ").wait_for()
    student.get_by_role("button", name="Send my answer").wait_for(
        state="detached", timeout=10_000
    )  # one answer a question
    return mine.removeprefix("Your answer: ")


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


def nll_of(page) -> str:
    """Step 7's NLL table as the page shows it (the lecturer's, a follower's copy, an explorer's own)."""
    return " ".join(re.findall(r"\d\.\d{4}", page.locator(".mm-nll").first.inner_text()))


def a_class(hall: Hall, followers: int = FOLLOWERS, words=None):
    lecturer = hall.page((1920, 1080))
    code = open_class(lecturer, hall.url, words)
    # a phone, a dark laptop, a laptop
    sizes = [((390, 844), "light"), ((1280, 720), "dark"), ((1280, 720), "light")]
    students = []
    for size, scheme in (sizes * followers)[:followers]:
        s = hall.page(size, scheme)
        s.goto(f"{hall.url}/?join={code}")
        wait_step(s, 3)
        students.append(s)
    # the join screen counts them as they come, with no click
    lecturer.locator(".mm-join-count").get_by_text(f"{followers} following").wait_for(timeout=30_000)
    return lecturer, code, students


def hide_and_show(console, lecturer) -> None:
    """The console hides the newest answer ("=1+1"): the projector drops it; shown again, it is back."""
    # the newest answer ("=1+1") is the one picked: it came after the picker first drew (with one)
    console.wait_for_function(
        """() => { const box = document.querySelector('.st-key-console_answer'), field = box && box.querySelector('input');
                   return Boolean(box) && [box.innerText, field ? field.value : ''].join(' ').includes('#2 =1+1'); }"""
    )
    cue(console, "Hide it")
    console.locator("[data-testid=stMain] table").get_by_text("hidden", exact=True).wait_for()
    lecturer.wait_for_function("() => !document.querySelector('.st-key-class_projector').innerText.includes('=1+1')")
    cue(console, "Show it again")
    console.locator("[data-testid=stMain] table").get_by_text("hidden", exact=True).wait_for(state="detached")
    lecturer.wait_for_function("() => document.querySelector('.st-key-class_projector').innerText.includes('=1+1')")


def run_the_class(hall: Hall, label: str, words, whole: bool = True) -> None:
    """A lecture in one walk: the console and the projector, three followers, an explorer who
    answers on the class's data, a question asked, revealed and closed, the clicker on the board,
    a lecturer reload; every follower on the projector's step at every turn. Not `whole`: up to
    the first question's board (what a second store must carry), without the console's hiding,
    the prediction, the CSV and the reload, which the embedded walk covers."""
    lecturer, _, students = a_class(hall, words=words)
    shots = ARTIFACTS / f"class_{label}"
    qr = lecturer.locator("img.mm-qr")
    assert qr.evaluate("(i) => i.complete && i.naturalWidth") > 0 and qr.bounding_box()["height"] > 400, "the QR code"
    lecturer.screenshot(path=f"{shots}_join.png")
    turn(lecturer)  # the clicker on the join code: back to the step, not on
    same_step(lecturer, students, 3)
    console = console_of(lecturer)
    assert counted(console, ".mm-console-count") == f"{len(students)} following · 0 exploring on their own"
    for s in students:
        s.locator(".mm-stage .mm-heatmap .mm-cell").first.wait_for()  # the lecturer's heatmap, on the slide
        s.evaluate(COUNT_RUNS)
    # PageDown on the lecturer's clicker turns every follower's page, with no rerun of theirs
    pressed = time.perf_counter()
    turn(lecturer)
    drawn = []
    for s in students:
        s.get_by_role("heading", name=f"4. {STEPS[3][0]}").wait_for()
        drawn.append(round((time.perf_counter() - pressed) * 1000))
    (ARTIFACTS / f"class_draw_{label}.txt").write_text(
        f"key press -> step 4's heading on each follower's page (Playwright polling included), ms: {drawn}\n"
    )
    same_step(lecturer, students, 4)
    assert rail_text(lecturer) and all(rail_text(s) == rail_text(lecturer) for s in students), "the same words"
    assert [s.evaluate("() => window.__mmRuns") for s in students] == [0] * len(students)
    # one click on the console's step list: the projector and the class go there
    cue(console, f"7. {STEPS[6][0]}")
    same_step(lecturer, students, 7)
    nll = nll_of(lecturer)
    assert all(nll_of(s) == nll for s in students), "the class's numbers on every follower"
    assert "2.4546" not in nll, "the upload's numbers, not names.txt's"
    lecturer.screenshot(path=f"{shots}_projector.png")
    console.screenshot(path=f"{shots}_console.png")
    students[0].screenshot(path=f"{shots}_phone.png")
    # a student explores on the class's word list (its upload), and is counted apart
    explorer, followers = students[2], students[:2]
    open_sidebar(explorer)
    explorer.get_by_role("button", name="Explore on my own").click()
    explorer.get_by_role("button", name="Back to the lecturer").wait_for()
    sidebar = explorer.locator("[data-testid=stSidebar]").inner_text()
    assert "The class's word list: " in sidebar and explorer.locator(".st-key-upload_notice").count() == 0
    wait_step(explorer, 7)
    assert nll_of(explorer) == nll, "the explorer's own page computes on the class's data"
    console.get_by_text("2 following · 1 exploring on their own").wait_for(timeout=30_000)
    # a question from the console: the projector shows the board; it reaches the explorer too
    ask(console, "Find the smoothing with the lowest dev NLL")
    lecturer.locator(".mm-board-count").get_by_text("Answers: 0 · 2 following · 1 exploring").wait_for()
    lecturer.locator(".st-key-class_board").get_by_text(WAITING).wait_for()  # not axes around nothing
    sent = answer(explorer, "explorer")
    assert sent.startswith("dev ") and nll.split()[-1][:5] in sent, "the answer is the class's dev NLL at s = 1"
    # a follower's page has the lecturer's smoothing: the form says so and opens the Counts tab
    form = followers[0].locator("[data-testid=stMain] .st-key-class_question")
    form.get_by_text("the lecturer's smoothing s: open the Counts tab to try your own").wait_for()
    form.get_by_role("button", name="Open the Counts tab").wait_for()
    answer(followers[0], "=1+1")
    lecturer.locator(".mm-board-count").get_by_text("Answers: 2 · 2 following · 1 exploring").wait_for(timeout=20_000)
    console.locator(".mm-console-tally").get_by_text("Answers so far: 2").wait_for()
    for nick in ("explorer", "=1+1"):  # the answers as they come, in the console's table
        console.locator("[data-testid=stMain] table").get_by_text(nick, exact=True).wait_for()
    cue(console, "Reveal the answers")
    lecturer.locator(".mm-board-count").get_by_text("revealed").wait_for()
    # the best answers, named (the count line can be drawn a moment before the table of the same run)
    lecturer.locator(".st-key-class_projector table").get_by_text("explorer", exact=True).wait_for()
    board = lecturer.locator(".st-key-class_projector")
    assert "=1+1" in board.inner_text(), "the revealed board names every answer"
    if whole:  # the newest answer ("=1+1") hidden from the console, then shown again
        hide_and_show(console, lecturer)
    cue(console, "Close the question")
    lecturer.locator(".mm-board-count").get_by_text("closed").wait_for()
    students[0].locator(".st-key-class_question").wait_for(state="detached", timeout=20_000)
    lecturer.screenshot(path=f"{shots}_board.png")
    console.screenshot(path=f"{shots}_console_board.png")  # the two windows side by side (docs/class.md)
    assert "Reveal" not in lecturer.locator("[data-testid=stMain]").inner_text(), "no class controls on the projector"
    if not whole:
        assert not hall.errors(), hall.errors()
        return
    # a prediction: the board ranks the closest guess first, not the lowest
    ask(console, "Predict the count model's NLL at s = 0 before I show it")
    for student, (nick, guess) in zip(followers, (("low", "1.5"), ("close", "2.45")), strict=True):
        student.locator("[data-testid=stMain] .st-key-class_question").wait_for(timeout=30_000)
        field = student.locator(".st-key-class_guess input")
        field.fill(guess)
        field.press("Enter")
        student.get_by_text(f"Your answer: nll {guess}").wait_for()
        answer(student, nick)
    cue(console, "Reveal the answers")
    for nick in ("low", "close"):  # this question's table (the last one's said "revealed" too)
        board.locator("table").get_by_text(nick, exact=True).wait_for()
    ranked = board.locator("table").inner_text()
    assert ranked.index("close") < ranked.index("low"), f"the closest guess first: {ranked}"
    # the class's one CSV, read back: both questions, every answer under its own
    href = console.get_by_role("link", name="Board (CSV)").get_attribute("href")
    got = console.request.get(urljoin(console.url, href))
    assert got.ok, got.status
    rows = list(csv.DictReader(io.StringIO(got.text())))
    assert [(r["question"], r["nickname"]) for r in rows] == [
        ("1", "explorer"),
        ("1", "'=1+1"),
        ("2", "low"),
        ("2", "close"),
    ]
    cue(console, "Close the question")
    # the clicker pressed a moment after the console acted: the board's redraw cuts the press's run
    # short (it was lost: the lecturer's clicker died on the board, 4 presses in 16); it is sent again
    for act in ("Reopen it", "Close the question"):
        cue(console, act)
        time.sleep(0.1)
        turn(lecturer)
        same_step(lecturer, followers, 7)
        cue(console, "The board")
        lecturer.locator(".st-key-class_projector table").wait_for()
    # the clicker on the board: back to the step, then on
    turn(lecturer)
    same_step(lecturer, followers, 7)
    turn(lecturer)
    same_step(lecturer, followers, 8)
    assert step_of(explorer) == "7", "an explorer stays where it is"
    # the lecturer reloads: the room, its word list and the step are still the class's
    lecturer.reload()
    wait_step(lecturer, 8)
    turn(lecturer, "PageUp")
    same_step(lecturer, followers, 7)
    assert nll_of(lecturer) == nll and all(nll_of(s) == nll for s in followers), "the upload, after the reload"
    console.locator(".st-key-console_views").get_by_role("button", name="The step (7)").wait_for()
    explorer.screenshot(path=f"{shots}_explorer.png")
    open_sidebar(explorer)
    explorer.get_by_role("button", name="Back to the lecturer").click()
    same_step(lecturer, students, 7)
    assert not hall.errors(), hall.errors()


def class_words(folder):
    """The lecture's own file: names.txt's names of five letters or more (numbers unlike names.txt's)."""
    words = [w for w in (ROOT / "makemore" / "names.txt").read_text().split() if len(w) >= 5]
    path = folder / "class_words.txt"
    path.write_text("\n".join(words) + "\n")
    return path


def test_a_lecture_in_one_walk_on_the_embedded_default(browser, server, tmp_path):
    hall = Hall(browser, server)
    try:
        run_the_class(hall, "embedded", class_words(tmp_path))
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


def test_a_class_across_two_processes_with_redis_survives_its_faults(browser, two_processes_with_redis, tmp_path):
    url, apps, sup = two_processes_with_redis
    hall = Hall(browser, url)
    try:
        run_the_class(hall, "redis", class_words(tmp_path), whole=False)
        shutil.copyfile(ARTIFACTS / "class_redis_board.png", ROOT / "docs" / "class_board.png")
        # the faults, on a new class: the lecturer reloads, Redis restarts, an app process dies
        lecturer, _, students = a_class(hall)
        turn(lecturer)
        same_step(lecturer, students, 3)
        console = console_of(lecturer)
        ask(console, "Type the name you think the model finds likeliest")
        answer(students[0], "first", "anna")
        lecturer.locator(".mm-board-count").get_by_text("Answers: 1 ·").wait_for()
        lecturer.reload()  # the room is still the lecturer's (its cookie); the projector shows the board again
        lecturer.locator(".mm-board-count").get_by_text("Answers: 1 ·").wait_for()
        settled(lecturer)  # the page's keys are listening (a press as the page loads has nothing to reach)
        turn(lecturer)  # back to the step
        wait_step(lecturer, 3)
        sup.redis.restart()  # append-only file on: the answer is still there, followers go on
        turn(lecturer)
        same_step(lecturer, students, 4, timeout=30_000)
        cue(console, "The board")
        lecturer.locator(".mm-board-count").get_by_text("Answers: 1 ·").wait_for()
        busiest(apps).kill()  # its followers come back following, on the step the lecturer is on
        time.sleep(1.0)
        lecturer.reload()
        lecturer.locator(".mm-board-count").get_by_text("Answers: 1 ·").wait_for()  # the board, as before
        settled(lecturer)
        turn(lecturer)
        wait_step(lecturer, 4)
        turn(lecturer)
        same_step(lecturer, students, 5, timeout=60_000)
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
        turn(lecturer)
        wait_step(lecturer, 3)
        # the console is the lecturer's: a student's browser opening it holds no control
        student.goto(f"{server}/?mode=console")
        student.get_by_text("No class is led from this browser").wait_for()
        assert student.get_by_role("button").filter(has_text="Ask the class").count() == 0
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
        refused = "No class has the code 'ZZZZZZ': it may have ended"
        other.locator(".st-key-class_ended").get_by_text(refused).wait_for()  # on top: a phone's sidebar is closed
        open_sidebar(other)
        other.locator("[data-testid=stSidebar]").get_by_text(refused).wait_for()
        field = other.locator(".st-key-class_code input")
        for i in range(10):
            field.fill(f"ZZZZZ{'23456789'[i % 8]}")
            other.get_by_role("button", name="Join", exact=True).click()
            time.sleep(0.4)
        other.get_by_text("Too many wrong codes from this page: try again in").wait_for()  # a wait that doubles
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()


def test_two_lecturer_tabs_the_newest_leads_and_end_ends_the_class_for_all(browser, server):
    """The lecturer opens the lecture in a second tab (the same browser, its cookie): that tab takes
    the class over, the first says so in one line with a button to take it back and its steps no
    longer reach the class (no 3, 7, 3, 7 fight); End from the console ends it for both tabs."""
    hall = Hall(browser, server)
    try:
        first, code, (student,) = a_class(hall, 1)
        turn(first)  # the join code: back to the step
        same_step(first, [student], 3)
        second = first.context.new_page()
        second.set_default_timeout(60_000)
        second.set_viewport_size({"width": 1920, "height": 1080})
        hall.pages.append(second)
        second.goto(f"{server}/?mode=lecture&step=5")
        same_step(second, [student], 5)
        banner = first.locator(".st-key-class_elsewhere")
        banner.get_by_text(f"Class {code} is now led from another tab").wait_for(timeout=30_000)
        turn(first)  # the older tab's clicker: its own page turns, the class's does not
        wait_step(first, 4)
        turn(second)
        same_step(second, [student], 6)
        turn(first)
        wait_step(first, 5)
        time.sleep(2)  # what the older tab would have sent has had time to arrive
        assert step_of(student) == "6", "only the leading tab moves the class"
        first.screenshot(path=str(ARTIFACTS / "class_two_tabs_elsewhere.png"))
        first.set_viewport_size({"width": 390, "height": 844})
        first.screenshot(path=str(ARTIFACTS / "class_two_tabs_elsewhere_phone.png"))
        first.set_viewport_size({"width": 1920, "height": 1080})
        banner.get_by_role("button", name="Lead from this tab").click()  # taken back
        same_step(first, [student], 5)
        second.locator(".st-key-class_elsewhere").get_by_text("is now led from another tab").wait_for(timeout=30_000)
        assert first.locator(".st-key-class_elsewhere").count() == 0
        console = console_of(first)
        console.get_by_role("button", name="End the class").click()
        console.get_by_role("button", name="Yes, end the class").click()  # it asks first
        for tab in (first, second):  # both tabs learn it ended: the lecture, no class
            tab.get_by_role("button", name="Open a class").wait_for(timeout=30_000)
            assert tab.locator(".st-key-class_elsewhere").count() == 0
        open_sidebar(student)
        student.locator("[data-testid=stSidebar]").get_by_text(f"Class {code} has ended.").wait_for(timeout=30_000)
        student.locator(".st-key-class_ended").get_by_text(f"Class {code} has ended.").wait_for()  # and on top
        wait_step(student, 5)  # the class's last step (its slides turned with no run: its last run was on 3)
        assert not hall.errors(), hall.errors()
    finally:
        hall.close()
