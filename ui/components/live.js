// Shared by the components that follow the smoothing while it is dragged (heatmap_view,
// smoothing_view, nll_view): the page's one smoothing value, the slider that moves it, and the
// count model's arithmetic. Prepended to each component's module by ui/components/__init__.py.
//
// A control announces every input event on `window` ("mm-smoothing", "mm-view", "mm-slice"), and
// every component on the page repaints from the counts it already has; on release the control
// commits the value with setStateValue, one rerun, and the server's figures agree with the page's.
const mmBus = (window.__mmBus = window.__mmBus || { smoothing: null, view: null, slice: null, commits: {} });

// every listener repaints synchronously inside dispatchEvent (t0: the input event's time, for a
// listener that wants to know how long the paint took; bench/bench_browser.py adds one)
function mmAnnounce(name, value, source, t0) {
  mmBus[name] = value;
  mmBus.moved = mmBus.moved || {};
  mmBus.moved[name] = { value, at: performance.now() };
  window.dispatchEvent(new CustomEvent("mm-" + name, { detail: { value, source, t0 } }));
}

// a value the server sent, unless the hand moved it in the last second or this page committed
// another one since (a rerun still on its way)
function mmFromServer(name, value) {
  const m = mmBus.moved && mmBus.moved[name];
  if (m && m.value !== value && performance.now() - m.at < 1000) return m.value;
  const c = mmBus.commits[name];
  if (c && c.value !== value && performance.now() - c.at < 3000) return c.value;
  if (c && c.value === value) delete mmBus.commits[name];
  return value;
}

function mmCommitted(name, value) {
  mmBus.commits[name] = { value, at: performance.now() };
}

// an element with a class and text (text only: a symbol of an uploaded list may be '<')
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function mmFormat(v) {
  // the way Python's f"{v:g}" writes a stop: 0, 0.01, 0.25, 1, 10, 1000
  return String(Number(v.toPrecision(6)));
}

function mmNearest(stops, v) {
  let best = 0;
  for (let i = 1; i < stops.length; i++) if (Math.abs(stops[i] - v) < Math.abs(stops[best] - v)) best = i;
  return best;
}

// A log-like slider over `stops` (0, then 0.01 to 1000 at two significant digits). It announces
// each input event and commits on release (or 300 ms after the last arrow key).
function mmSmoothingSlider(host, stops, label, id) {
  const wrap = document.createElement("div");
  wrap.className = "mm-smooth";
  const head = document.createElement("label");
  const name = document.createElement("span");
  name.textContent = label;
  const out = document.createElement("output");
  head.append(name, out);
  const input = document.createElement("input");
  input.type = "range";
  input.min = "0";
  input.max = String(stops.length - 1);
  input.step = "1";
  input.setAttribute("aria-label", label);
  const ticks = document.createElement("div");
  ticks.className = "mm-ticks";
  for (const t of [0, 0.1, 1, 10, 100, 1000]) {
    const i = stops.indexOf(t);
    if (i < 0) continue;
    const s = document.createElement("span");
    s.textContent = mmFormat(t);
    s.style.left = (100 * i) / (stops.length - 1) + "%";
    ticks.appendChild(s);
  }
  wrap.append(head, input, ticks);
  host.appendChild(wrap);
  const self = { input, commit: null, timer: null };
  const show = (v) => {
    out.textContent = mmFormat(v);
    input.setAttribute("aria-valuetext", mmFormat(v));
  };
  self.set = (v) => {
    input.value = String(mmNearest(stops, v));
    show(v);
  };
  input.addEventListener("input", (e) => {
    const v = stops[+input.value];
    show(v);
    mmAnnounce("smoothing", v, id, e.timeStamp);
  });
  const commit = () => {
    clearTimeout(self.timer);
    const v = stops[+input.value];
    mmCommitted("smoothing", v);
    if (self.commit) self.commit(v);
  };
  let keyed = false;
  input.addEventListener("keydown", () => (keyed = true));
  input.addEventListener("pointerdown", () => {
    keyed = false;
    window.dispatchEvent(new CustomEvent("mm-press"));
  });
  input.addEventListener("change", () => {
    if (!keyed) return commit();
    clearTimeout(self.timer); // arrow keys: one rerun after the last press, not one per press
    self.timer = setTimeout(commit, 300);
  });
  window.addEventListener("mm-smoothing", (e) => {
    if (e.detail.source !== id && input.isConnected) self.set(e.detail.value);
  });
  return self;
}

// P = (N + s) / rowsum(N + s) for one row of counts; a row with nothing in it is uniform
function mmRowP(counts, start, V, s, out) {
  let total = 0;
  for (let j = 0; j < V; j++) total += counts[start + j] + s;
  for (let j = 0; j < V; j++) out[j] = total > 0 ? (counts[start + j] + s) / total : 1 / V;
  return out;
}

// NLL = -sum N_part log P_fit / sum N_part per split, with P_fit = (N_fit + s) / rowsum, from the
// fit counts (dense, d.fit_counts) and each split's nonzero counts (d.parts: [part, indices,
// counts]); ui.models.nll_live sends them. A row with nothing in it is uniform, as in mmRowP.
function mmNlls(d, s) {
  const V = d.V, fit = d.fit_counts, rows = fit.length / V, logDen = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let j = 0; j < V; j++) total += fit[r * V + j];
    total += V * s;
    logDen[r] = total > 0 ? Math.log(total) : NaN; // NaN marks an empty row: uniform
  }
  const out = {};
  for (const [part, idx, cnt] of d.parts) {
    let sum = 0, n = 0;
    for (let t = 0; t < idx.length; t++) {
      const i = idx[t], r = Math.floor(i / V), c = cnt[t];
      const lp = Number.isNaN(logDen[r]) ? -Math.log(V) : Math.log(fit[i] + s) - logDen[r];
      sum += c * lp;
      n += c;
    }
    out[part] = n === 0 ? NaN : Math.max(0, -sum / n);
  }
  return out;
}

function mmSeconds(s) {
  // as makemore.neural.human_seconds, for waits
  return s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

function mmFmtNll(v) {
  // as ui/text.fmt_nll
  if (Number.isNaN(v)) return "— (no words)";
  if (v === Infinity) return "∞ (a pair with p = 0)";
  return v.toFixed(4);
}

// the lecture's presenter unit in px: 1% of the window's height times the lecturer's A-/A+ factor
// (--mm-k, ui/components/page/page.css); 0 outside the lecture and on a phone, where sizes stay as they are
function mmPresenterUnit(el) {
  if (!el.closest(".st-key-lecture") || window.innerWidth <= 640) return 0;
  const k = parseFloat(getComputedStyle(el).getPropertyValue("--mm-k")) || 1;
  return (window.innerHeight / 100) * k;
}
