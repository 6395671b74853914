// Keeps one Plotly chart per key in the page and updates it in place with Plotly.react, so a new
// figure (a slider step, a training epoch) never blanks or rebuilds the chart.
// Its parts, before this file (ui/components/__init__.py: PARTS): load.js (plotly.js), fit.js (the
// theme, the presenter's fit, phones), curve.js (the live curve of a run that is going).

export default function (component) {
  const { data, parentElement } = component;
  const div = parentElement.querySelector(".mm-chart");
  const text = typeof data === "string" ? data : new TextDecoder().decode(data || new Uint8Array());
  if (!text) return; // preload(): only loads plotly.js
  // a chart keeps its `boot` for as long as it is the same element (the tests read these counters)
  const mm = (div._mm = div._mm || { boot: now(), renders: 0, draws: 0, lastDraw: 0, lastArgs: 0, text: "" });
  mm.trigger = component.setTriggerValue; // the latest one: asks the server for a rerun
  if (text === mm.text) return; // a rerun that did not change this chart
  mm.text = text;
  mm.lastArgs = now();
  mm.renders += 1;
  const fig = JSON.parse(text);
  follow(div, parentElement, fig);
  if (fig.follow === "smoothing") followSmoothing(div);
  mm.pending = fig;
  if (shown(div)) draw(div); // a chart in a hidden tab is drawn when it is shown
  if (!mm.observer) {
    // shown (a tab opened) or resized: draw what is pending, or lay the chart out again
    mm.observer = new ResizeObserver(() => {
      if (!shown(div)) return;
      if (mm.pending) draw(div);
      else if (mmPresenterUnit(div)) refitPresenter(div);
      else if (window.Plotly && div.data && div.layout.meta === "square") {
        const h = squareHeight(div, div.layout);
        if (Math.abs(h - div.layout.height) > 2) {
          div.style.height = h + "px";
          Plotly.relayout(div, { height: h });
        }
      } else if (window.Plotly && div.data) Plotly.Plots.resize(div);
    });
    mm.observer.observe(div);
    // the theme changed (Streamlit's settings menu, or the OS): redraw in the new colours
    mm.themeCheck = setInterval(() => {
      if (!div.isConnected) {
        clearInterval(mm.themeCheck);
        if (mm.socket) mm.socket.close();
        return;
      }
      if (window.Plotly && div.data && getComputedStyle(div).color !== div._mmColor) {
        Plotly.relayout(div, themed(div, div.layout));
      }
    }, 1000);
  }
}

function draw(div) {
  const mm = div._mm, fig = mm.pending;
  mm.pending = null;
  mm.base = fig.layout;
  fig.layout = themed(div, fig.layout);
  const u = mmPresenterUnit(div);
  if (u) fig.layout = presented(div, fig.layout, fig.data, u);
  else if (fig.layout.meta === "square") fig.layout.height = squareHeight(div, fig.layout);
  fig.layout = narrow(div, fig.layout);
  div.style.height = (fig.layout.height || 400) + "px";
  if (u && !mm.presenting) {
    mm.presenting = true; // the window resized, or what is above the chart settled (fonts, formulas)
    window.addEventListener("resize", () => div.isConnected && refitPresenter(div));
    setTimeout(() => refitPresenter(div), 400);
    // what is below the chart in its column changes (a status line, a button after a run)
    const col = div.closest('.st-key-lecture [data-testid="stHorizontalBlock"], .st-key-lecture .mm-row');
    if (col) {
      let queued = false;
      new ResizeObserver(() => {
        if (queued || !div.isConnected) return;
        queued = true;
        requestAnimationFrame(() => ((queued = false), refitPresenter(div)));
      }).observe(col);
    }
  }
  loadPlotly()
    .then(() => Plotly.react(div, fig.data, fig.layout, { responsive: true, displaylogo: false }))
    .then(() => {
      if (mm.live) place(div);
      // the first chart of a page waits for plotly.js: the refit timer ran before there was a chart
      if (u) setTimeout(() => refitPresenter(div), 0);
      requestAnimationFrame(() => {
        mm.draws += 1;
        mm.lastDraw = now(); // painted
      });
    })
    .catch((err) => {
      div.textContent = "Chart unavailable: " + err.message;
    });
}
