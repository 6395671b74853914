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
  if (div.offsetParent !== null) draw(div); // a chart in a hidden tab is drawn when it is shown
  if (!mm.observer) {
    // shown (a tab opened) or resized: draw what is pending, or lay the chart out again
    mm.observer = new ResizeObserver(() => {
      if (div.offsetParent === null) return;
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
    font: { ...(layout.font || {}), color }, legend: { ...(layout.legend || {}), bgcolor: "rgba(0,0,0,0)", font: { ...((layout.legend || {}).font || {}), color } } };
  for (const k of Object.keys(layout)) if (/^[xy]axis\d*$/.test(k)) out[k] = axis(layout[k]);
  if (layout.title) out.title = { ...layout.title, font: { ...(layout.title.font || {}), color } };
  // an earlier run's label keeps its line's colour
  if (layout.annotations) out.annotations = layout.annotations.map((a) => ({ ...a, font: { ...(a.font || {}), color: a.name === "earlier" ? a.font.color : color } }));
  div._mmColor = color;
  return out;
}

// ---- the lecture's presenter view: a chart in the lecture fills the window's height below it,
// and its text follows the window's height (u = 1% of it, times the lecturer's A-/A+ factor
// --mm-k): ticks and legends 1.8u, labels 2u, titles 2.2u; lines and margins grow with it.
function presented(div, layout, data, u) {
  const f = Math.max(1, u / 7.2), sized = (font, size) => ({ ...(font || {}), size });
  const out = { ...layout, font: sized(layout.font, 2 * u) };
  const m = layout.margin || {};
  out.margin = { ...m, l: (m.l ?? 80) * f, r: (m.r ?? 80) * f, t: (m.t ?? 100) * f, b: (m.b ?? 80) * f };
  for (const key of Object.keys(layout)) {
    if (!/^[xy]axis\d*$/.test(key)) continue;
    const a = layout[key] || {};
    const title = typeof a.title === "object" ? { ...a.title, font: sized(a.title.font, 2 * u) } : a.title;
    out[key] = { ...a, automargin: true, tickfont: sized(a.tickfont, 1.8 * u), title };
  }
  out.legend = { ...(layout.legend || {}), font: sized(layout.legend && layout.legend.font, 1.8 * u) };
  if (layout.title) out.title = { ...layout.title, font: sized(layout.title.font, 2.2 * u) };
  if (layout.annotations) out.annotations = layout.annotations.map((a) => ({ ...a, font: sized(a.font, 1.8 * u) }));
  for (const t of data) {
    // from the figure's own widths (kept on the trace): a refit must not scale them again
    if (t.line && t.line.width) t.line = { ...t.line, width: (t._mmWidth ??= t.line.width) * f };
    if (t.textfont || t.text) t.textfont = sized(t.textfont, 1.8 * u);
    if (t.colorbar || t.type === "heatmap") t.colorbar = { ...(t.colorbar || {}), tickfont: sized(t.colorbar && t.colorbar.tickfont, 1.8 * u) };
    if (t.marker && typeof t.marker.size === "number") t.marker = { ...t.marker, size: (t._mmSize ??= t.marker.size) * f };
  }
  if (layout.meta === "square") {
    // a matrix: its labels one per cell, upright, at most a cell wide; the same plot width with or
    // without a colour bar (two matrices side by side line up), cells up to 1.6 times as tall as
    // wide so the pair fills the window's height
    const side = Math.max(120, div.clientWidth - 3 * u - 60);
    const cell = side / Math.max(1, ((data[0] && data[0].x) || []).length);
    const tick = Math.min(1.8 * u, Math.max(11, 1.65 * u, cell * 0.95));
    for (const key of ["xaxis", "yaxis"]) {
      out[key] = { ...out[key], automargin: false, tickangle: 0, scaleanchor: false, constrain: "range", tickfont: { ...out[key].tickfont, size: tick } };
    }
    out.margin = { l: 3 * u, r: 60, t: 2.2 * u * 1.6 + tick * 1.6, b: 8 };
    // the colour bar inside that right margin, close to the cells: where Plotly puts it by default it
    // pushed the margin out, and the table with the bar came out 50 px narrower than the one without
    for (const t of data) if (t.type === "heatmap") t.colorbar = { ...t.colorbar, x: 1, xanchor: "left", xpad: 0.5 * u, thickness: Math.min(10, 1.2 * u) };
    const top = div.getBoundingClientRect().top, fill = window.innerHeight - Math.max(18, 2.2 * u) - top;
    out.height = Math.floor(Math.max(side + out.margin.t + out.margin.b, Math.min(fill, 1.6 * side + out.margin.t + out.margin.b)));
    return out;
  }
  // the chart grows (or shrinks) until its column, with whatever is below the chart, ends at the
  // window's bottom (less the page's padding)
  // (Streamlit's columns, or the class stage's own: ui/classroom/stage.js)
  const COL = '[data-testid="stColumn"], .mm-col';
  let col = div.closest(COL);
  for (let up = col && col.parentElement.closest(COL); up; up = up.parentElement.closest(COL)) col = up;
  // the bottom of the column's content (the column itself stretches to the taller of the two)
  const block = col && col.querySelector(':scope > [data-testid="stVerticalBlock"], :scope > .mm-block');
  const box = div.getBoundingClientRect();
  const end = block ? Math.max(...[...block.children].map((c) => c.getBoundingClientRect().bottom)) : box.bottom;
  const room = window.innerHeight - Math.max(18, 2.2 * u) - end;
  out.height = Math.max(160, Math.floor((box.height || 0) + room));
  return out;
}

// a narrow column (a phone): the legend above the plot, not beside it taking half the width
function narrow(div, layout) {
  if (div.clientWidth >= 560 || layout.showlegend === false || layout.meta === "square") return layout;
  const m = layout.margin || {};
  return { ...layout, legend: { ...(layout.legend || {}), orientation: "h", x: 0, xanchor: "left", y: 1.1, yanchor: "bottom" },
    margin: { ...m, r: Math.min(m.r ?? 80, 24), t: Math.max(m.t ?? 100, 80) } };
}

function refitPresenter(div) {
  const mm = div._mm, u = mmPresenterUnit(div);
  if (!u || !mm.base || !window.Plotly || !div.data) return;
  const layout = narrow(div, presented(div, themed(div, mm.base), div.data, u));
  // nothing to do unless its height, its type or its width changed (a sidebar opened beside it
  // narrows the column without resizing the window: the chart ran past the window's right edge)
  const wide = div._fullLayout ? Math.abs(div._fullLayout.width - div.clientWidth) < 2 : true;
  if (wide && Math.abs(layout.height - (div.layout.height || 0)) < 2 && div.layout.font && Math.abs(div.layout.font.size - layout.font.size) < 0.5) return;
  div.style.height = layout.height + "px";
  Plotly.react(div, div.data, layout)
    .then(() => (wide ? null : Plotly.Plots.resize(div))) // react keeps the old width; resize measures the div
    .then(() => mm.live && place(div));
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

// ---- the live curve: a figure with `live` is a run that is going. The page takes its points so
// far, opens the app's live route for the rest (only new points in each message) and draws the
// curve itself in every animation frame, easing towards the last point received, on an SVG path
// over Plotly's plot area; Plotly redraws only when the y axis has to change. When the run ends
// the page asks for a rerun, and the finished figure replaces it all. A long run's points are
// bucket means (`every` steps each, the run service's Run.every), drawn at their bucket's middle.
const ACTIVE = ["queued", "running", "paused"];

function follow(div, host, fig) {
  const mm = div._mm, live = fig.live;
  const trace = fig.data.find((t) => t.meta === "run");
  if (!live) {
    if (mm.socket) mm.socket.close();
    mm.socket = null;
    mm.live = null;
    if (div._mmPath) div._mmPath.setAttribute("d", ""); // a finished figure: Plotly draws the curve
    if (div._mmDev) div._mmDev.setAttribute("d", "");
    status(host, fig.summary || null); // a loss chart keeps its status line: idle, or what the run came to
    return;
  }
  const ys = (trace && trace.y) || [];
  if (trace) trace.y = trace.x = []; // the page draws the run's curve itself
  // held-out points (a trace with meta "dev", the MLP's): drawn by the page too, as they arrive
  const devTrace = fig.data.find((t) => t.meta === "dev");
  const dev = devTrace ? devTrace.x.map((x, i) => [x, devTrace.y[i]]) : [];
  if (devTrace) devTrace.x = devTrace.y = [];
  if (mm.live && mm.live.run === live.run) return; // the same run, already followed
  if (mm.socket) mm.socket.close();
  mm.live = { run: live.run, ys: ys.slice(), dev, shown: ys.length, frames: 0, last: 0, epochs: live.epochs, ended: false, unit: live.unit, loss: live.loss, every: live.every || 1 };
  status(host, { status: live.status, epoch: ys.length, epochs: live.epochs, nll: ys[ys.length - 1], ahead: 0, unit: live.unit, loss: live.loss });
  connect(div, host);
  if (ys.length) {
    mm.live.received = now();
    startLoop(div);
  }
}

// the run's live points: a socket that opens again where the curve ends (`from`), five tries
function connect(div, host) {
  const mm = div._mm, live = mm.live;
  const socket = (mm.socket = mmSocket(() => `./api/live/runs/${encodeURIComponent(live.run)}?from=${live.ys.length}`, {
    message: (e) => received(div, host, live, socket, e),
    alive: () => !live.ended && mm.live === live && div.isConnected,
    tries: 5,
    wait: (n) => 500 * n,
    gaveUp: () => status(host, { status: "lost", message: "Lost the connection to the run." }),
  }));
}

// one message of the run's live route: its new points and its status
function received(div, host, live, socket, e) {
  const mm = div._mm, msg = JSON.parse(e.data);
  if (mm.live !== live) return socket.close();
  if (msg.error) return status(host, { status: "lost", message: "This run is no longer on the server." });
  receive(div, msg);
  status(host, msg);
  if (!ACTIVE.includes(msg.status) && !live.ended) {
    live.ended = true;
    socket.close();
    if (mm.trigger) mm.trigger("ended", live.run); // the finished figure, the matrices, the other tabs
  }
}

// the status line over the chart: the run's place in the queue, its epoch and loss
function status(host, msg) {
  let line = host.querySelector(".mm-live-status");
  if (!msg) return line && line.remove();
  if (!line) {
    line = el("div", "mm-live-status");
    line.append(el("span", "mm-live-text"), el("progress", "mm-live-bar"));
    host.prepend(line);
  }
  // what a step is called and what its loss is (the MLP's: "step", "minibatch loss")
  const unit = msg.unit || "epoch", loss = msg.loss || "data NLL";
  const fmt = (v) => (typeof v === "number" && isFinite(v) ? v.toFixed(4) : "—");
  const words = {
    queued: () => `Queued: ${msg.ahead ? msg.ahead + " run" + (msg.ahead > 1 ? "s" : "") + " ahead" : "next to start"}` +
      (msg.starts_in >= 1 ? `, starts in about ${mmSeconds(msg.starts_in)}` : ""),
    running: () => `Training: ${unit} ${msg.epoch} of ${msg.epochs}, ${loss} ${fmt(msg.nll)}` +
      (msg.left >= 1 ? `; about ${mmSeconds(msg.left)} left` : ""), // at the run's own pace once measured
    paused: () => `Paused at ${unit} ${msg.epoch} of ${msg.epochs}, ${loss} ${fmt(msg.nll)}` +
      (msg.change ? `; ${msg.change}` : ""), // the trainer's words for what the last step changed
    done: () => msg.message || `Trained ${msg.epochs} epochs: data NLL ${fmt(msg.nll)}`, // the run's outcome
    stopped: () => `Stopped at ${unit} ${msg.epoch} of ${msg.epochs}` + (msg.message ? `: ${msg.message}` : ""),
    idle: () => msg.message,
    failed: () => msg.message || "The run failed",
    lost: () => msg.message,
  };
  line.dataset.status = msg.status;
  line.querySelector(".mm-live-text").textContent = (words[msg.status] || words.lost)();
  const bar = line.querySelector(".mm-live-bar");
  bar.hidden = msg.status === "idle";
  bar.max = msg.epochs || 1;
  bar.value = msg.epoch || 0;
  bar.setAttribute("aria-label", "epochs done");
}

// the step point i of the curve is drawn at: its own, or the middle of its bucket
function stepAt(live, i) {
  const e = live.every || 1, lo = i * e + 1;
  return e === 1 ? lo : (lo + Math.min(lo + e - 1, live.epochs || Infinity)) / 2;
}

function receive(div, delta) {
  const mm = div._mm, live = mm.live;
  if (delta.every) live.every = delta.every;
  if (delta.from > live.ys.length) live.gap = true; // cannot happen on one socket; the tests check it
  delta.y.forEach((y, k) => (live.ys[delta.from + k] = y === null ? NaN : y));
  for (const [x, y] of delta.dev || []) if (y !== null && !live.dev.some((p) => p[0] === x)) live.dev.push([x, y]);
  if (delta.y.length) live.received = now();
  const axis = delta.axis;
  if (axis && window.Plotly && div.layout && div.layout.yaxis) {
    const [a, b] = div.layout.yaxis.range || [0, 1], [c, e] = axis.range, tol = 0.02 * Math.abs(e - c);
    if (div.layout.yaxis.type !== axis.type || Math.abs(a - c) > tol || Math.abs(b - e) > tol) {
      const ticks = axis.tickvals ? { "yaxis.tickvals": axis.tickvals, "yaxis.ticktext": axis.ticktext } : {};
      Plotly.relayout(div, { "yaxis.type": axis.type, "yaxis.range": axis.range, ...ticks }).then(() => place(div));
    }
  }
  startLoop(div);
}

function startLoop(div) {
  const live = div._mm.live;
  if (live.looping) return;
  live.looping = true;
  live.t = performance.now();
  requestAnimationFrame((t) => animate(div, t));
}

// the plot area in pixels and the two axes' mappings, read after Plotly lays the chart out
function place(div) {
  const fl = div._fullLayout;
  if (!fl || !fl._size) return null;
  const size = fl._size, xa = fl.xaxis, ya = fl.yaxis;
  let svg = div._mmSvg;
  if (!svg || !svg.isConnected) {
    const NS = "http://www.w3.org/2000/svg";
    svg = div._mmSvg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "mm-live");
    const clip = document.createElementNS(NS, "clipPath");
    clip.id = "mm-clip-" + Math.random().toString(36).slice(2);
    clip.appendChild(document.createElementNS(NS, "rect"));
    const path = (div._mmPath = document.createElementNS(NS, "path"));
    path.setAttribute("fill", "none");
    path.setAttribute("clip-path", `url(#${clip.id})`);
    const dots = (div._mmDev = document.createElementNS(NS, "path"));
    dots.setAttribute("clip-path", `url(#${clip.id})`);
    svg.append(clip, path, dots);
    div.style.position = "relative";
    div.appendChild(svg);
  }
  Object.assign(svg.style, { position: "absolute", left: "0", top: "0", width: div.clientWidth + "px", height: (fl.height || div.clientHeight) + "px", pointerEvents: "none", overflow: "visible" });
  const rect = svg.querySelector("rect");
  rect.setAttribute("x", size.l);
  rect.setAttribute("y", size.t);
  rect.setAttribute("width", size.w);
  rect.setAttribute("height", size.h);
  const trace = (div.data && div.data.find((t) => t.meta === "run")) || {}, line = trace.line || {};
  div._mmPath.setAttribute("stroke", line.color || "#1f77b4");
  div._mmPath.setAttribute("stroke-width", line.width || 2);
  const devTrace = (div.data && div.data.find((t) => t.meta === "dev")) || {}, marker = devTrace.marker || {};
  div._mmDev.setAttribute("stroke", (marker.line && marker.line.color) || "#111111");
  div._mmDev.setAttribute("fill", marker.color || "none");
  div._mmDev.setAttribute("stroke-width", 2);
  const lin = (r, len, off, flip) => (v) => off + (flip ? len - ((v - r[0]) / (r[1] - r[0])) * len : ((v - r[0]) / (r[1] - r[0])) * len);
  const yr = ya.range, ylog = ya.type === "log", ymap = lin(yr, size.h, size.t, true);
  div._mmMap = { x: lin(xa.range, size.w, size.l, false), y: (v) => ymap(ylog ? Math.log10(Math.max(v, 1e-300)) : v) };
  return div._mmMap;
}

function animate(div, t) {
  const mm = div._mm, live = mm.live;
  if (!live || !div.isConnected) return;
  const n = live.ys.length, dt = Math.min(0.1, (t - live.t) / 1000);
  live.t = t;
  // ease towards the newest point: the curve moves in every frame, never past what has arrived
  live.shown = n - live.shown < 0.5 ? n : live.shown + Math.max(0.25, (n - live.shown) * (1 - Math.exp(-dt / 0.06)));
  if (live.shown > n) live.shown = n;
  const map = div._mmMap || (window.Plotly && div._fullLayout && place(div));
  if (map && div._mmPath) {
    const whole = Math.floor(live.shown), parts = [];
    for (let i = 0; i < whole; i++) {
      const y = live.ys[i];
      if (y === undefined || !isFinite(y)) continue;
      parts.push((parts.length ? "L" : "M") + map.x(stepAt(live, i)).toFixed(1) + "," + map.y(y).toFixed(1));
    }
    const f = live.shown - whole, a = live.ys[whole - 1], b = live.ys[whole];
    if (f > 0 && whole > 0 && isFinite(a) && isFinite(b)) {
      const xa = stepAt(live, whole - 1), xb = stepAt(live, whole);
      parts.push("L" + map.x(xa + (xb - xa) * f).toFixed(1) + "," + map.y(a + (b - a) * f).toFixed(1));
    }
    // the held-out points up to where the curve is: small circles
    const upTo = live.shown * (live.every || 1); // the steps the curve has reached
    const r = 3.5, circles = (live.dev || []).filter(([x, y]) => x <= upTo && isFinite(y)).map(([x, y]) => {
      const cx = map.x(x), cy = map.y(y);
      return `M${(cx - r).toFixed(1)},${cy.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
    });
    const d = parts.join("") + "|" + circles.length;
    if (d !== live.lastPath) {
      div._mmPath.setAttribute("d", d.slice(0, d.lastIndexOf("|")));
      if (div._mmDev) div._mmDev.setAttribute("d", circles.join(""));
      live.lastPath = d;
      live.frames += 1; // a frame in which the curve changed
      live.last = now();
    }
  }
  if (live.shown < n || now() - (live.received || 0) < 1000) requestAnimationFrame((t2) => animate(div, t2));
  else live.looping = false;
}

// a sweep over the smoothing (lecture step 7): its marker follows the slider while it is dragged
function followSmoothing(div) {
  const mm = div._mm;
  if (mm.followsSmoothing) return;
  mm.followsSmoothing = true;
  window.addEventListener("mm-smoothing", (e) => {
    if (!div.isConnected || !window.Plotly || !div.layout || !(div.layout.shapes || []).length) return;
    const s = e.detail.value, on = s > 0;
    const update = { "shapes[0].visible": on, "annotations[0].visible": on };
    if (on) {
      Object.assign(update, { "shapes[0].x0": s, "shapes[0].x1": s, "annotations[0].x": Math.log10(s), "annotations[0].text": `s=${mmFormat(s)}` });
    }
    Plotly.relayout(div, update);
    mm.followed = s; // the tests read it
  });
}
