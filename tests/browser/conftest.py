"""Browser fixtures: one app server and one Chromium for the whole browser suite."""

import os

import pytest

from .harness import ARTIFACTS, CHROMIUM_ARGS, INSTALL_HINT, app_server, find_chromium, page_errors


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def server(chromium_path):
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # each pytest worker has its own server
    with app_server(log=ARTIFACTS / f"server{'-' + worker if worker else ''}.log") as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.base = server
    pg.artifacts = ARTIFACTS
    # an exception in the page's own JS: uncaught, or caught by Streamlit around a component (it logs
    # "BidiComponent Error" and the rest of the page goes on): both fail the test
    thrown = []
    pg.on("pageerror", lambda e: thrown.append(str(e)[:300]))
    pg.on("console", lambda m: m.type == "error" and "BidiComponent Error" in m.text and thrown.append(m.text[:300]))
    yield pg
    errors = page_errors(pg) + thrown
    context.close()
    assert not errors, f"the page met an exception: {errors}"
