"""The count model follows the hand: the smoothing dragged with the mouse repaints the heatmap and the
NLL figures before the release, and one rerun on release makes the server agree with the page."""

import re
import time

import pytest

from makemore.counts import count_matrix, smooth
from makemore.data import split
from makemore.table import nll_counts

from .harness import wait_chart
from .test_e2e import open_app

HEATMAP = "document.querySelector('.st-key-heatmap .mm-heatmap')"
NLL = "document.querySelector('.st-key-count_nll .mm-nll')._mm"


def url_smoothing(page) -> float:
    return float(re.search(r"smoothing=([0-9.e+-]+)", page.url).group(1))


def stable_box(page, locator) -> dict:
    """The element's box once the page stops moving it (the sidebar arrives with the second run)."""
    page.locator(".st-key-count_nll td[data-part=all]").wait_for()
    box, last = locator.bounding_box(), None
    while box != last:
        time.sleep(0.25)
        last, box = box, locator.bounding_box()
    return box


def drag(page, key: str, start: float, end: float, steps: int, during=None) -> list:
    """Press the slider of `key` at fraction `start` of its track, move to `end` in `steps` mouse
    moves calling during() after each, and release; returns what during() returned."""
    box = stable_box(page, page.locator(f".st-key-{key} input[type=range]"))
    y = box["y"] + box["height"] / 2
    x = lambda f: box["x"] + 8 + f * (box["width"] - 16)
    page.mouse.move(x(start), y)
    page.mouse.down()
    seen = []
    for k in range(1, steps + 1):
        page.mouse.move(x(start + (end - start) * k / steps), y)
        if during:
            seen.append(during())
    page.mouse.up()
    return seen


def server_nlls(corpus_counts, fit: str, s: float) -> dict[str, float]:
    P = smooth(corpus_counts[fit], s)
    return {part: nll_counts(P, corpus_counts[part]) for part in ("all", "train", "dev", "test")}


@pytest.fixture(scope="module")
def counts(words, vocab):
    parts = dict(zip(("train", "dev", "test"), split(words), strict=True))
    return {"all": count_matrix(words, vocab), **{p: count_matrix(w, vocab) for p, w in parts.items()}}


def test_dragging_the_smoothing_repaints_before_the_release_and_the_server_agrees_after(page, counts):
    page.set_viewport_size({"width": 1280, "height": 720})
    first = open_app(page, "view=probabilities")
    url_before = page.url
    p0 = first["data"][0]["p"][1][14]  # p(n | a) at s = 1
    snap = lambda: page.evaluate(
        f"() => [{HEATMAP}._mm.data.p[1][14], {NLL}.nll.all, document.querySelector"
        "('.st-key-smoothing_sidebar output').textContent, location.href]"
    )
    seen = drag(page, "count_controls", 0.45, 0.95, 12, snap)
    ps = [s[0] for s in seen]
    # every intermediate position drew a new table and new NLL figures, without a rerun
    assert len(set(ps)) >= 10, ps
    assert all(a > b for a, b in zip([p0, *ps], ps, strict=False) if a != b), "p(n|a) falls as s grows"
    assert len({s[1] for s in seen}) >= 10
    assert all(s[3] == url_before for s in seen), "the URL moved before the release"
    assert seen[-1][2] != "1", "the sidebar's slider follows the drag: they are one value"
    # release: one rerun commits the value; URL, server and page agree
    page.wait_for_function("(u) => location.href !== u", arg=url_before)
    s = url_smoothing(page)
    shown = page.evaluate(f"() => {NLL}")
    assert shown["smoothing"] == s
    expected = server_nlls(counts, "all", s)
    for part, value in expected.items():
        assert shown["nll"][part] == pytest.approx(value, abs=1e-6), part
    state = wait_chart(page, "heatmap", lambda st: st["data"][0].get("derived") is None and st["data"][0]["z"])
    assert state["data"][0]["p"][1][14] == pytest.approx(ps[-1], abs=1e-6), "the server's table is the one dragged to"
    assert (
        page.locator(".st-key-smoothing_sidebar output").inner_text()
        == page.locator(".st-key-count_controls output").inner_text()
    )


def test_the_canvas_shows_the_drag_and_the_cells_take_over_after(page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, "view=probabilities")
    page.locator(".st-key-count_controls input[type=range]").wait_for()
    # recorded inside each input event, after the heatmap's own listener drew it (no timing race)
    page.evaluate(
        f"""() => {{ window.__seen = [];
          window.addEventListener('mm-smoothing', () => {{
            const root = {HEATMAP}, c = root._canvas, step = root._cell + 1, dpr = window.devicePixelRatio || 1;
            const d = c.getContext('2d').getImageData(Math.round(1 * dpr), Math.round((step + root._cell / 2) * dpr), 1, 1).data;
            window.__seen.push([d[0], d[1], d[2], +c.style.opacity]);
          }}); }}"""
    )
    drag(page, "count_controls", 0.3, 0.9, 6)
    colours = page.evaluate("window.__seen")
    assert len(colours) >= 5, colours
    assert all(c[3] == 1 for c in colours), "the canvas is shown while dragging"
    assert len({tuple(c[:3]) for c in colours}) >= 4, colours  # a.: its shade moves with s
    page.wait_for_function(f"() => {HEATMAP}._canvas.style.opacity === '0'")
    cell = page.locator(".st-key-heatmap .mm-cell").nth(27)
    rgb = [int(v) for v in re.findall(r"\d+", cell.evaluate("c => getComputedStyle(c).backgroundColor"))]
    assert max(abs(a - b) for a, b in zip(rgb, colours[-1][:3], strict=True)) <= 1, (rgb, colours[-1])


def test_the_sidebar_slider_moves_the_heatmap_and_the_counts_tab_slider(page):
    first = open_app(page, "view=log-probabilities")
    seen = drag(page, "smoothing_sidebar", 0.2, 0.6, 5, lambda: page.evaluate(f"() => {HEATMAP}._mm.data.z[0][0]"))
    assert len(set(seen)) >= 4, seen
    assert seen[0] != first["data"][0]["z"][0][0]
    page.wait_for_url(re.compile(r"smoothing=(?!1\.0&)"))
    value = page.locator(".st-key-smoothing_sidebar output").inner_text()
    assert page.locator(".st-key-count_controls output").inner_text() == value
    assert f"smoothing={float(value)}" in page.url


def test_the_view_and_the_slice_switch_without_a_round_trip(page):
    open_app(page, "context=2&view=counts")
    page.locator(".st-key-count_controls select").wait_for()
    # the click and the repaint in one task: no message to the server could have come back
    z = page.evaluate(
        f"""() => {{
          const button = [...document.querySelectorAll('.st-key-count_controls .mm-view')].find(b => b.textContent === 'log-probabilities');
          const before = {HEATMAP}._mm.data.z[0][1];
          button.click();
          return [before, {HEATMAP}._mm.data.z[0][1], {HEATMAP}._mm.data.view];
        }}"""
    )
    assert z[2] == "log-probabilities"
    assert z[1] < 0 < z[0], z
    rows = page.evaluate(
        f"""() => {{
          const select = document.querySelector('.st-key-count_controls select');
          select.value = 'q';
          select.dispatchEvent(new Event('change'));
          return {HEATMAP}._mm.data.y.slice(0, 3);
        }}"""
    )
    assert rows == ["q.", "qa", "qb"]
    page.wait_for_url(re.compile(r"view=log-probabilities.*slice=q"))
    state = wait_chart(page, "heatmap", lambda s: s["data"][0].get("derived") is None and s["data"][0]["y"][0] == "q.")
    assert state["data"][0]["view"] == "log-probabilities"


def test_arrow_keys_step_the_stops_and_commit_once(page, counts):
    open_app(page, "view=probabilities&smoothing=2.0")
    thumb = page.locator(".st-key-count_controls input[type=range]")
    thumb.focus()
    for _ in range(5):
        thumb.press("ArrowRight")
    assert page.locator(".st-key-count_controls output").inner_text() == "2.5"  # 2.0, 2.1, … 2.5
    page.wait_for_url(re.compile(r"smoothing=2\.5&"))
    thumb.press("Home")
    page.wait_for_url(re.compile(r"smoothing=0\.0&"))
    page.wait_for_function(f"() => {NLL}.smoothing === 0")
    shown = page.evaluate(f"() => {NLL}")
    assert shown["nll"]["all"] == pytest.approx(server_nlls(counts, "all", 0.0)["all"], abs=1e-6)


def test_the_first_run_draws_the_heatmap_alone_and_the_rest_follows_by_itself(page):
    page.goto(f"{page.base}/?view=probabilities")
    page.locator(".st-key-heatmap .mm-cell").first.wait_for()
    first = page.evaluate(f"() => [{HEATMAP}._mm.boot, !!document.querySelector('.st-key-seed')]")
    # the rest of the page follows without anything pressed: the sidebar, the controls, the NLL figures
    page.locator(".st-key-seed input").wait_for(timeout=15_000)
    page.locator(".st-key-count_controls input[type=range]").wait_for()
    page.locator(".st-key-count_nll td[data-part=all]").wait_for()
    assert page.evaluate(f"() => {HEATMAP}._mm.boot") == first[0], "the heatmap stayed the same element"
    assert "view=probabilities" in page.url
