"""What a student meets (issue 23, items 8-10): tables that keep short words whole, Plotly's toolbar
away on a phone, Lecture mode closing the phone's sidebar, the light/dark switch in the explorer."""

import time

from .harness import ARTIFACTS, page_errors, wait_chart


def phone(browser, server, query: str):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/?{query}")
    return ctx, page


def test_compare_tables_keep_numbers_and_tags_on_one_line_at_1920(page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{page.base}/?tab=Compare&n_samples=20&smoothing=1000.0")
    tables = page.locator("[data-testid=stColumn] [data-testid=stMarkdownContainer] table")
    tables.first.wait_for()
    # the page's own style sheet comes with a component that may mount after the tables
    page.wait_for_function(
        "() => { const td = document.querySelector('[data-testid=stColumn] table td:last-child');"
        " return td && getComputedStyle(td).whiteSpace === 'nowrap'; }"
    )
    broken = page.evaluate("""() => {
      const out = [];
      for (const td of document.querySelectorAll('[data-testid=stColumn] table td')) {
        if (td !== td.parentElement.firstElementChild && td !== td.parentElement.lastElementChild) continue;
        const r = document.createRange();
        r.selectNodeContents(td);
        const lines = new Set([...r.getClientRects()].map((b) => Math.round(b.top)));
        if (lines.size > 1) out.push(td.innerText);
      }
      return out;
    }""")
    assert not broken, f"wrapped: {broken[:10]}"
    for t in range(tables.count()):  # and every table still fits its column
        table = tables.nth(t)
        column = table.locator("xpath=ancestor::*[@data-testid='stColumn'][1]").bounding_box()
        box = table.bounding_box()
        assert box["x"] + box["width"] <= column["x"] + column["width"] + 1, f"table {t} runs past its column"
    page.screenshot(path=str(ARTIFACTS / "compare_1920.png"))


def test_plotly_toolbar_is_hidden_on_a_phone_and_shown_on_a_desktop(browser, server, page):
    ctx, ph = phone(browser, server, "tab=Score+a+name&name=emma")
    wait_chart(ph, "score_bars", lambda s: True)
    ph.locator(".st-key-score_bars .main-svg").first.tap()  # a tap showed the toolbar over the legend
    time.sleep(0.5)
    assert ph.locator(".st-key-score_bars .modebar").count() == 1
    assert not ph.locator(".st-key-score_bars .modebar").is_visible()
    ph.screenshot(path=str(ARTIFACTS / "phone_score.png"))
    ctx.close()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{page.base}/?tab=Score+a+name&name=emma")
    wait_chart(page, "score_bars", lambda s: True)
    page.locator(".st-key-score_bars .main-svg").first.hover()
    page.locator(".st-key-score_bars .modebar").wait_for(state="visible")


def test_on_a_phone_lecture_mode_closes_the_sidebar(browser, server):
    ctx, page = phone(browser, server, "")
    page.locator(".st-key-heatmap").wait_for()
    page.locator("[data-testid=stExpandSidebarButton]").first.click()
    button = page.get_by_role("button", name="Lecture mode", exact=True)
    button.wait_for()
    button.click()
    page.locator(".st-key-lecture").wait_for()
    time.sleep(0.8)
    sidebar = page.locator("[data-testid=stSidebar]").bounding_box()
    assert not sidebar or sidebar["x"] + sidebar["width"] <= 10 or sidebar["width"] <= 50, (
        f"the sidebar {sidebar} covers the slide"
    )
    page.screenshot(path=str(ARTIFACTS / "phone_lecture.png"))
    assert not page_errors(page)
    ctx.close()


def test_the_explorer_has_the_light_dark_switch(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{page.base}/?smoothing=2.0")
    switch = page.locator(".st-key-explorer_theme button")
    switch.wait_for()
    assert switch.inner_text() == "☾ Dark"
    switch.click()
    page.wait_for_url("**embed_options=dark_theme**")
    switch = page.locator(".st-key-explorer_theme button")
    switch.wait_for()
    assert switch.inner_text() == "☀ Light"
    assert "smoothing=2.0" in page.url, "the page came back as it was"
    page.screenshot(path=str(ARTIFACTS / "explorer_dark.png"))


def test_a_first_visit_shows_start_here_once_per_browser(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/")
    note = page.locator("aside.mm-start")
    note.wait_for()
    assert "Start here" in note.inner_text() and "Train" in note.inner_text()
    heatmap = page.locator(".st-key-heatmap .mm-cell").first.bounding_box()
    page.screenshot(path=str(ARTIFACTS / "start_here_1280.png"))
    note.get_by_role("button", name="Got it").click()
    assert note.count() == 0
    page.reload()
    page.locator(".st-key-heatmap .mm-cell").first.wait_for()
    time.sleep(1.0)
    assert page.locator("aside.mm-start").count() == 0, "shown again on a second visit"
    assert page.locator(".st-key-heatmap .mm-cell").first.bounding_box() == heatmap, "the note moved nothing"
    ctx.close()
    other = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_page = other.new_page()
    phone_page.goto(f"{server}/?mode=lecture")  # a lecture is not the explorer's first visit
    phone_page.locator(".st-key-lecture").wait_for()
    time.sleep(1.0)
    assert phone_page.locator("aside.mm-start").count() == 0
    phone_page.goto(f"{server}/")
    phone_page.locator("aside.mm-start").wait_for()
    box = phone_page.locator("aside.mm-start").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844
    phone_page.screenshot(path=str(ARTIFACTS / "start_here_390.png"))
    # » opens the sidebar over the page: the note waits under it (it covered half the sidebar's controls)
    phone_page.locator("[data-testid=stExpandSidebarButton]").click()
    phone_page.locator("[data-testid=stSidebar] .st-key-to_lecture").wait_for()
    phone_page.locator("aside.mm-start").wait_for(state="hidden")
    phone_page.locator("[data-testid=stSidebarCollapseButton] button").click()
    phone_page.locator("aside.mm-start").wait_for(state="visible")  # closed again: the note is back
    other.close()


def test_copy_link_copies_the_address_of_this_view(browser, server):
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 720}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/?smoothing=5.0&view=probabilities")
    button = page.locator(".st-key-copy_link button")
    button.wait_for()
    page.wait_for_url("**tab=Counts**")  # the page has mirrored its settings in the address
    page.get_by_text("Estimate:").first.wait_for()  # the sidebar's last line: the page's runs are done
    page.wait_for_load_state("networkidle")
    button.click()
    page.wait_for_function("async (url) => (await navigator.clipboard.readText()) === url", arg=page.url)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "smoothing=5.0" in copied and "view=probabilities" in copied, copied
    ctx.close()
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})  # no clipboard: the link, selected
    page = ctx.new_page()
    page.goto(f"{server}/?smoothing=5.0")
    page.wait_for_url("**tab=Counts**")
    page.get_by_text("Estimate:").first.wait_for()
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => Object.defineProperty(navigator, 'clipboard', {value: {writeText: () => Promise.reject(new Error('denied'))}})"
    )
    page.locator(".st-key-copy_link button").click()
    box = page.locator(".st-key-copy_link input")
    box.wait_for(state="visible")
    assert box.input_value() == page.url
    ctx.close()
