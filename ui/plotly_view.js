// Keeps one Plotly chart per key in the page and updates it in place with Plotly.react, so a new
// figure (a slider step, a training epoch) never blanks or rebuilds the chart.
let plotlyLoading = null;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve();
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "./app/static/plotly.min.js"; // the plotly package's own file, served by Streamlit
      script.onload = resolve;
      script.onerror = () => reject(new Error("could not load plotly.min.js"));
      document.head.appendChild(script);
    });
  }
  return plotlyLoading;
}

loadPlotly(); // start at once: parsing plotly.js is the slowest step of a first page load

function now() {
  return performance.timeOrigin + performance.now();
}

export default function (component) {
  const { data, parentElement } = component;
  const div = parentElement.querySelector(".mm-chart");
  const text = typeof data === "string" ? data : new TextDecoder().decode(data || new Uint8Array());
  if (!text) return; // preload(): only loads plotly.js
  // test and benchmark hooks: a chart keeps its `boot` for as long as it is the same element
  const mm = (div._mm = div._mm || { boot: now(), renders: 0, draws: 0, lastDraw: 0, lastArgs: 0, text: "" });
  if (text === mm.text) return; // a rerun that did not change this chart
  mm.text = text;
  mm.lastArgs = now();
  mm.renders += 1;
  mm.pending = JSON.parse(text);
  if (div.offsetParent !== null) draw(div); // a chart in a hidden tab is drawn when it is shown
  if (!mm.observer) {
    // shown (a tab opened) or resized: draw what is pending, or lay the chart out again
    mm.observer = new ResizeObserver(() => {
      if (div.offsetParent === null) return;
      if (mm.pending) draw(div);
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
      if (!div.isConnected) return clearInterval(mm.themeCheck);
      if (window.Plotly && div.data && getComputedStyle(div).color !== div._mmColor) {
        Plotly.relayout(div, themed(div, div.layout));
      }
    }, 1000);
  }
}

function squareHeight(div, layout) {
  // a matrix (layout.meta "square") is as tall as its column is wide, so its cells fill the box
  const m = layout.margin || {}, bar = 52; // room for the colour bar on the right
  const side = Math.max(200, div.clientWidth - (m.l || 80) - (m.r || 80) - bar);
  return side + (m.t || 100) + (m.b || 80);
}

// the page's theme, read from the text colour Streamlit gives the chart's container: charts follow
// light and dark (Streamlit's setting or the OS preference) with transparent backgrounds
function themed(div, layout) {
  const color = getComputedStyle(div).color || "#31333f";
  const grid = "rgba(128,128,128,0.28)";
  const axis = (a) => ({ ...a, gridcolor: grid, zerolinecolor: grid, linecolor: grid,
    tickfont: { ...(a && a.tickfont), color }, title: typeof (a && a.title) === "object" ? { ...a.title, font: { ...(a.title.font || {}), color } } : a && a.title });
  const out = { ...layout, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { ...(layout.font || {}), color }, legend: { ...(layout.legend || {}), bgcolor: "rgba(0,0,0,0)", font: { color } } };
  for (const k of Object.keys(layout)) if (/^[xy]axis\d*$/.test(k)) out[k] = axis(layout[k]);
  if (layout.title) out.title = { ...layout.title, font: { ...(layout.title.font || {}), color } };
  if (layout.annotations) out.annotations = layout.annotations.map((a) => ({ ...a, font: { ...(a.font || {}), color } }));
  div._mmColor = color;
  return out;
}

function draw(div) {
  const mm = div._mm, fig = mm.pending;
  mm.pending = null;
  fig.layout = themed(div, fig.layout);
  if (fig.layout.meta === "square") fig.layout.height = squareHeight(div, fig.layout);
  div.style.height = (fig.layout.height || 400) + "px";
  loadPlotly()
    .then(() => Plotly.react(div, fig.data, fig.layout, { responsive: true, displaylogo: false }))
    .then(() =>
      requestAnimationFrame(() => {
        mm.draws += 1;
        mm.lastDraw = now(); // painted
      }),
    )
    .catch((err) => {
      div.textContent = "Chart unavailable: " + err.message;
    });
}
