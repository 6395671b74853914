"""The lecture's keys (ui/lecture/keys.js) run in Chromium on a blank page with a component of the
test's own making: what a press sends, and that a press no run handled is sent again."""

import itertools
import json

import pytest

from .harness import ROOT

KEYS_JS = (ROOT / "ui" / "lecture" / "keys.js").read_text()

# mount(data) mounts the keys as Streamlit would (a host element, the trigger, the run's data);
# every value the keys send is kept in window.sent, with its time
SETUP = """async (source) => {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const keys = (await import(url)).default;
  const host = document.body.appendChild(document.createElement("span"));
  window.sent = [];
  window.mount = (data) => keys({
    parentElement: host,
    data: new TextEncoder().encode(JSON.stringify(data)),
    setTriggerValue: (name, value) => window.sent.push([name, value, performance.now()]),
  });
}"""


@pytest.fixture
def keys(browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto("about:blank")
    page.evaluate(SETUP, KEYS_JS)
    yield page
    context.close()


def sent(page) -> list[str]:
    return [value for _, value, _ in page.evaluate("() => window.sent")]


def test_a_press_no_run_handled_is_sent_again_until_one_says_it_was(keys):
    """The clicker died on the board: a press whose run was cut short by the board's redraw (an
    answer arriving, a cue from the console) never turned the page. The press is sent again."""
    keys.evaluate("(d) => window.mount(d)", {"steps": 13, "back": True, "done": 0})
    keys.keyboard.press("PageDown")
    assert sent(keys) == ["back:next:1"]
    keys.wait_for_timeout(1500)  # no run said it handled press 1
    assert sent(keys) == ["back:next:1", "back:next:1"], "sent again, the same press"
    keys.evaluate("(d) => window.mount(d)", {"steps": 13, "back": False, "done": 1})  # a run handled it
    keys.wait_for_timeout(1500)
    assert sent(keys) == ["back:next:1", "back:next:1"], "not sent once it was handled"


def test_a_handled_press_is_not_sent_again_and_the_next_press_has_the_next_number(keys):
    keys.evaluate("(d) => window.mount(d)", {"steps": 13, "back": False, "done": 0})
    keys.keyboard.press("PageDown")
    keys.evaluate("(d) => window.mount(d)", {"steps": 13, "back": False, "done": 1})
    keys.wait_for_timeout(1500)
    keys.keyboard.press("PageUp")
    keys.wait_for_timeout(100)
    # about:blank has no step in its URL: the lecture's step 1; next asks 2, then prev asks 1
    assert sent(keys) == ["step:2:1", "step:1:2"]


def test_a_press_is_sent_again_a_few_times_not_forever(keys):
    """A server that never answers (down, or a page whose lecture is gone) is not sent a press forever."""
    keys.evaluate("(d) => window.mount(d)", {"steps": 13, "back": False, "done": 0})
    keys.keyboard.press("PageDown")
    keys.wait_for_timeout(6500)
    times = keys.evaluate("() => window.sent.map((s) => s[2])")
    assert sent(keys) == ["step:2:1"] * 5, json.dumps(sent(keys))
    assert all(b - a > 1000 for a, b in itertools.pairwise(times)), "a second or more apart"
