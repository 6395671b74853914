"""What a chart in the page holds and how often it was drawn (counters kept by ui/*.js)."""

from __future__ import annotations

import time

CHART_STATE = """([key, light]) => {
  const c = document.querySelector(`.st-key-${key} .mm-chart, .st-key-${key} .mm-heatmap`);
  if (!c || !c._mm) return null;
  const m = c._mm, data = c.classList.contains('mm-heatmap') ? [m.data] : c.data;
  if (!data || !data[0]) return null;
  const live = m.live ? {run: m.live.run, n: m.live.ys.length, shown: m.live.shown, frames: m.live.frames, gap: !!m.live.gap} : null;
  return {data: light ? null : data, meta: (c.layout && c.layout.meta) || '', renders: m.renders, draws: m.draws, boot: m.boot,
          lastDraw: m.lastDraw, lastArgs: m.lastArgs, drawn: m.draws > 0, live};
}"""


def chart_state(page, key: str, light: bool = False) -> dict | None:
    """What the chart under `key` holds and how often it was drawn (hooks in ui/*.js);
    light=True leaves out the data, so polling does not load the page it measures."""
    return page.evaluate(CHART_STATE, [key, light])


def wait_chart(page, key: str, predicate, timeout: float = 60, light: bool = False) -> dict:
    """Poll the chart until predicate(state) is true; returns that state."""
    deadline = time.time() + timeout
    state = None
    while time.time() < deadline:
        try:
            state = chart_state(page, key, light)
        except Exception:  # noqa: BLE001  (the page may be mid-rerun)
            state = None
        if state and state["drawn"] and predicate(state):
            return state
        time.sleep(0.05)
    raise AssertionError(f"chart {key!r} never reached the expected state; last: {str(state)[:300]}")
