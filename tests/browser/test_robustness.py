"""The page holds up in Chromium: a caught exception is seen, user text stays text, a restart keeps the first change."""

import re
import time

from .harness import app_server, free_port, page_errors, wait_chart
from .test_e2e import tab, wait_text


def open_tab_page(page, query: str, ready: str) -> None:
    """Open the page on a tab other than Counts and wait for `ready` (a selector) to show."""
    page.goto(f"{page.base}/?{query}")
    page.locator(ready).first.wait_for()


def test_the_harness_sees_an_exception_a_tab_caught(browser):
    """A failure injected into the Compare tab is reported by page_errors (the fixture's check)."""
    with app_server(script="tests/helpers/failing_app.py") as (url, _):
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        pg = ctx.new_page()
        pg.goto(f"{url}/?tab=Compare&smoothing=10.0")
        pg.locator("[class*='st-key-crash_']").first.wait_for(timeout=60_000)
        errors = page_errors(pg)
        assert errors, errors
        assert "Compare" in errors[0], errors
        assert "injected failure" in errors[0], errors
        # the rest of the page keeps working: the sidebar is there with its value, the Counts tab draws
        assert pg.locator(".st-key-smoothing_sidebar input[type=range]").get_attribute("aria-valuetext") == "10"
        pg.get_by_role("tab", name="Counts").click()
        wait_chart(pg, "heatmap", lambda s: s["data"][0]["z"])
        assert not page_errors(pg), "the error stays in the tab that raised it"
        ctx.close()


def test_user_text_never_becomes_markup_or_a_request(page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    bad = "smoothing=%21%5B%5D%28http%3A%2F%2F127.0.0.1%3A9%2Ftrack%29&seed=%5BSession+expired%3A+log+in%5D%28http%3A%2F%2F127.0.0.1%3A9%2Flogin%29"
    open_tab_page(page, bad + "&dataset=upload&tab=Sample+step+by+step", ".st-key-next_char")
    page.locator("[data-testid=stSidebar] [data-testid=stAlertContentWarning]").first.wait_for()
    words = b"![](/mmx)\n**HACKED**\n$$x^2$$\n[a](/mmx)\n"
    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": "![](mmx)x.txt", "mimeType": "text/plain", "buffer": words}]
    )
    wait_text(page, r"uploaded list: 4 words")
    for _ in range(60):
        page.get_by_role("button", name="Next character").click()
        time.sleep(0.05)
    wait_text(page, r"Finished: ")
    tab(page, "Score a name")
    name = page.locator(".st-key-name input")
    name.fill("**x**")
    name.press("Enter")
    time.sleep(1.5)
    markdown = page.locator("[data-testid=stMarkdownContainer], [data-testid=stAlert], [data-testid=stMetric]")
    assert markdown.locator("img").count() == 0, "an image was rendered from user text"
    assert markdown.locator("a[href*='127.0.0.1'], a[href*='mmx']").count() == 0, "a link was rendered"
    assert markdown.locator("strong", has_text="HACKED").count() == 0
    assert markdown.locator(".katex").count() == 0
    leaked = [u for u in requests if "127.0.0.1:9" in u or "mmx" in u]
    assert not leaked, f"the page requested {leaked}"
    note = page.locator("[data-testid=stSidebar] [data-testid=stAlertContentWarning]").first.inner_text()
    assert "[Session expired: log in](http://127.0.…" in note.replace("\u2060", ""), note  # as typed, cut at 40


def test_first_change_after_a_server_restart_is_kept(browser):
    port = free_port()
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    with app_server(port=port) as (url, _):
        pg.goto(f"{url}/?seed=7")
        wait_chart(pg, "heatmap", lambda s: True)
        # the whole page, not only its first paint: a widget's code is fetched when it is first drawn,
        # and a fetch that fails while the server is down is not retried by Streamlit's frontend
        pg.locator(".st-key-seed input").wait_for()
        time.sleep(1)
    with app_server(port=port) as (url, _):
        pg.wait_for_function("() => !document.querySelector('[data-testid=stConnectionStatus]')", timeout=60_000)
        time.sleep(3)  # the page reconnects by itself
        seed = pg.locator(".st-key-seed input")
        seed.fill("42")
        seed.press("Enter")
        pg.wait_for_url(re.compile(r"seed=42"), timeout=30_000)
        time.sleep(1.5)
        assert seed.input_value() == "42", f"the new seed was lost: {seed.input_value()}"
        assert "seed=42" in pg.url
    ctx.close()
