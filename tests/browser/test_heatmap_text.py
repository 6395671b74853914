"""Every heatmap cell shows its text (issue 23, item 3): checked cell by cell in the cells a reader
and an audit read, and on the canvas the page paints while the smoothing is dragged."""

import time

import pytest

from .harness import ARTIFACTS, wait_chart
from .test_e2e import open_app

VIEWS = ("counts", "probabilities", "log-probabilities")

# each cell: its text is there and inside its box; the same cell on the canvas has ink in it (pixels
# away from the cell's shade) and none on its outermost columns (text wider than the cell would spill)
CELLS = """() => {
  const root = document.querySelector('.st-key-heatmap .mm-heatmap'), d = root._mm.data;
  const canvas = root.querySelector('canvas.mm-canvas');
  const out = {mode: root.dataset.mode, view: d.view, n: 0, dom: [], canvas: [], fonts: new Set()};
  const cr = canvas && canvas.getBoundingClientRect();
  const img = canvas && canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const k = canvas && canvas.width / cr.width;
  for (const cell of root.querySelectorAll('.mm-cell')) {
    out.n += 1;
    const name = d.y[cell.dataset.i] + d.x[cell.dataset.j], box = cell.getBoundingClientRect();
    const parts = [...cell.children].filter((c) => c.textContent);
    out.fonts.add(getComputedStyle(cell).fontSize);
    if (!parts.length) { out.dom.push(name + ': blank'); continue; }
    let height = 0;
    for (const p of parts) {
      const r = p.getBoundingClientRect();
      height += r.height;
      if (r.width > box.width + 0.5) out.dom.push(`${name}: "${p.textContent}" ${r.width.toFixed(1)} px in ${box.width} px`);
    }
    if (height > box.height + 1) out.dom.push(`${name}: text ${height.toFixed(1)} px high in ${box.height} px`);
    if (!canvas) continue;
    const x0 = Math.round((box.left - cr.left) * k), y0 = Math.round((box.top - cr.top) * k);
    const w = Math.round(box.width * k), h = Math.round(box.height * k);
    const at = (x, y) => { const o = ((y0 + y) * canvas.width + x0 + x) * 4; return [img[o], img[o + 1], img[o + 2]]; };
    const bg = at(0, 0), away = (x, y) => { const c = at(x, y); return Math.abs(c[0] - bg[0]) + Math.abs(c[1] - bg[1]) + Math.abs(c[2] - bg[2]); };
    let ink = 0, edge = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const a = away(x, y);
      if (a > 90) ink++;
      if (a > 250 && (x === 0 || x === w - 1)) edge = Math.max(edge, a);  // a stroke, not a glyph's soft edge
    }
    if (ink < 3) out.canvas.push(`${name}: no text painted`);
    if (edge) out.canvas.push(`${name}: text on the cell's edge (${edge})`);
  }
  out.fonts = [...out.fonts];
  return out;
}"""


def cells_ok(page, label: str) -> dict:
    time.sleep(
        0.6
    )  # the canvas is painted when the page is idle after the cells (ui/components/heatmap_view/heatmap_view.js)
    got = page.evaluate(CELLS)
    assert got["mode"] != "none", f"{label}: the cells show their shade alone"
    assert not got["dom"], f"{label} ({got['mode']}, {got['n']} cells): {got['dom'][:10]}"
    assert not got["canvas"], f"{label} ({got['mode']}): {got['canvas'][:10]}"
    return got


def every_view(page, label: str) -> None:
    for view in VIEWS:
        page.locator(".st-key-count_controls .mm-view", has_text=view).first.click()
        wait_chart(page, "heatmap", lambda s, v=view: s["data"][0]["view"] == v)
        cells_ok(page, f"{label}, {view}")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (2560, 1440)])
def test_names_every_cell_shows_its_text_in_every_view(page, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_app(page)
    every_view(page, f"names.txt at {size[0]}x{size[1]}")
    if size == (1280, 720):
        page.screenshot(path=str(ARTIFACTS / "heatmap_text_1280.png"))


@pytest.mark.parametrize("year", [1880, 1960, 2017])  # the fewest names, the largest counts, the newest
def test_ssa_every_cell_shows_its_text(page, year):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, f"dataset=SSA+year&year={year}")
    every_view(page, f"SSA {year} at 1280x720")


def test_an_upload_of_thirty_symbols_shows_every_cell(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, "dataset=upload")
    symbols = "abcdefghijklmnopqrstuvwxyzMWéë"  # 30, with the widest letters
    words = [symbols[i:] + symbols[:i] for i in range(len(symbols))]  # every pair a count
    words += [a + b for a in symbols for b in "mwMW"] * 40  # three- and four-digit counts
    page.locator(".st-key-upload input[type=file]").set_input_files(
        files=[{"name": "thirty.txt", "mimeType": "text/plain", "buffer": "\n".join(words).encode()}]
    )
    wait_chart(page, "heatmap", lambda s: len(s["data"][0]["x"]) == 31)
    every_view(page, "an upload of 30 symbols at 1280x720")
    page.screenshot(path=str(ARTIFACTS / "heatmap_text_upload30.png"))


def test_log_probabilities_at_s0_take_their_colours_from_the_finite_values(page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, "view=log-probabilities&smoothing=0.0")
    got = page.evaluate("""() => {
      const root = document.querySelector('.st-key-heatmap .mm-heatmap'), d = root._mm.data;
      const finite = d.p.flat().filter((p) => p > 0).map(Math.log);
      const cells = [...root.querySelectorAll('.mm-cell')], zero = [], dark = [];
      for (const c of cells) {
        const p = d.p[c.dataset.i][c.dataset.j];
        if (p === 0) zero.push(c.innerText.includes('−∞') || root.dataset.mode === 'pair');
        else dark.push(c.style.color === 'rgb(255, 255, 255)');  // white ink: a dark cell
      }
      return {lo: root.querySelector('.mm-lo').textContent, min: Math.min(...finite), zero, dark: dark.filter(Boolean).length / dark.length};
    }""")
    assert got["lo"] == f"{got['min']:.2f}".replace("-", "−"), got["lo"]  # not −20.00
    assert got["zero"] and all(got["zero"]), "a pair never seen says −∞"
    assert got["dark"] < 0.5, f"{got['dark']:.0%} of the seen pairs are dark"
    page.locator(".st-key-heatmap .mm-cell").first.hover()  # '..': never seen (an empty word)
    assert "−log p ∞" in page.locator(".st-key-heatmap .mm-tip").inner_text()
