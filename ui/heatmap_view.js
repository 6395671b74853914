// The lecture's bigram figure as an HTML grid: each cell shows its two characters and its value,
// shaded on the Blues scale; hover shows count, p and -log p. A new table updates the cells in
// place (no chart library, no re-layout), so a slider step redraws in a few milliseconds.
// The grid fits the window (width and height), so the whole table is on screen without scrolling;
// what a cell shows follows its size: pair and value, the value alone, or only its shade, with
// text never smaller than 11 px and never wider than its cell.
const BLUES = [[247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
               [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107]];
const MIN_FONT = 11; // px: readable on a projector
const gapOf = (n) => (n > 60 ? 0 : 1); // px between cells: none for a large vocabulary

function shade(t) {
  const x = Math.min(Math.max(t, 0), 1) * (BLUES.length - 1);
  const i = Math.min(Math.floor(x), BLUES.length - 2), f = x - i;
  return BLUES[i].map((v, k) => Math.round(v + f * (BLUES[i + 1][k] - v)));
}

function luminance([r, g, b]) {
  const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

// black or white, whichever contrasts more with the cell (at least 4.58:1 on this scale)
function ink(rgb) {
  const L = luminance(rgb);
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? "#000" : "#fff";
}

function now() {
  return performance.timeOrigin + performance.now();
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// a value in at most four characters: 6860 -> 6.9k, 0.139 -> .139, -2.345 -> −2.3
function compact(v, view) {
  if (view === "counts") {
    if (v < 1000) return String(Math.round(v));
    if (v < 9950) return (v / 1000).toFixed(1) + "k";
    if (v < 999500) return Math.round(v / 1000) + "k";
    return (v / 1e6).toFixed(1) + "M";
  }
  if (view === "probabilities") return v >= 0.9995 ? "1" : v.toFixed(3).replace(/^0/, "");
  return (v <= -9.95 ? v.toFixed(0) : v.toFixed(1)).replace("-", "−");
}

function full(v, view) {
  return v.toFixed({ counts: 0, probabilities: 3, "log-probabilities": 2 }[view]).replace("-", "−");
}

function build(root, d) {
  root.innerHTML = "";
  const cols = el("div", "mm-axis mm-cols");
  const rows = el("div", "mm-axis mm-rows");
  const legend = el("div", "mm-legend");
  legend.append(el("span", "mm-legend-title"), el("span", "mm-lo"), el("span", "mm-bar"), el("span", "mm-hi"));
  const grid = el("div", "mm-grid");
  grid.appendChild(el("div"));
  for (const c of d.x) grid.appendChild(el("div", "mm-head mm-colhead", c));
  const cells = [];
  d.y.forEach((r, i) => {
    grid.appendChild(el("div", "mm-head mm-rowhead", r));
    cells.push(d.x.map((_, j) => {
      const cell = el("div", "mm-cell");
      cell.dataset.i = i;
      cell.dataset.j = j;
      cell.append(el("b"), el("span"));
      grid.appendChild(cell);
      return cell;
    }));
  });
  const tip = el("div", "mm-tip");
  const body = el("div", "mm-body");
  body.append(rows, grid);
  root.append(cols, body, legend, tip);
  grid.addEventListener("mouseover", (e) => {
    const cell = e.target.closest(".mm-cell");
    if (!cell) return;
    const d = root._mm.data, i = +cell.dataset.i, j = +cell.dataset.j, p = d.p[i][j];
    // text only (a symbol of an uploaded list may be '<'): no innerHTML with data in it
    const lines = [`${d.y[i]}${d.x[j]}`, `count ${d.count[i][j].toLocaleString("en-US")}`,
      `p ${p < 1e-4 && p > 0 ? p.toExponential(2) : p.toFixed(4)}`, `−log p ${(-Math.log(p)).toFixed(3)}`];
    tip.replaceChildren(...lines.map((t, k) => el(k ? "div" : "b", "", t)));
    tip.style.left = Math.min(cell.offsetLeft + cell.offsetWidth + 4, root.clientWidth - 140) + "px";
    tip.style.top = cell.offsetTop + "px";
    tip.style.display = "block";
  });
  grid.addEventListener("mouseleave", () => (tip.style.display = "none"));
  root._cells = cells;
  root._grid = grid;
  if (!root._watched) {  // once per element, though a new vocabulary rebuilds the grid
    root._watched = true;
    new ResizeObserver(() => refit(root)).observe(root);
    window.addEventListener("resize", () => refit(root));
  }
}

// fit again only when the room changed (a new table's text does not change the root's width)
function refit(root) {
  const f = root._fitted;
  if (!f || f[0] !== root.clientWidth || f[1] !== window.innerHeight) fit(root);
}

// the largest mode a cell of this size could hold; paint() steps down from it if text is too wide
function largestMode(cell, font) {
  return cell >= 2 * font * 1.1 + 2 ? "two" : cell >= font * 1.25 ? "one" : "none";
}

// the cell size that lets the whole grid fit the root's width and the window's height
function fit(root) {
  const d = root._mm && root._mm.data, grid = root._grid;
  if (!d || !grid || !root.isConnected || root.offsetParent === null) return;
  const n = d.y.length, m = d.x.length, GAP = gapOf(n);
  grid.style.gap = GAP + "px";
  const labelChars = Math.max(...d.y.map((r) => r.length));
  const label = Math.ceil(MIN_FONT * (0.9 + 0.62 * labelChars));
  const rowsAxis = root.querySelector(".mm-rows").offsetWidth + 4;
  const byWidth = (root.clientWidth - rowsAxis - label - GAP * m) / m;
  const top = root.getBoundingClientRect().top;
  const below = 6 + root.querySelector(".mm-legend").offsetHeight + root.querySelector(".mm-cols").offsetHeight;
  const byHeight = (window.innerHeight - top - below - 14 - MIN_FONT * 1.4 - GAP * n) / n;
  // a grid below the fold (the page is scrolled, or it sits under other content) sizes by width
  const cell = Math.max(2, Math.floor(top > window.innerHeight * 0.6 ? byWidth : Math.min(byWidth, byHeight)));
  grid.style.gridTemplateColumns = `${label}px repeat(${m}, ${cell}px)`;
  grid.style.gridAutoRows = `${cell}px`;
  grid.style.gridTemplateRows = `${Math.ceil(MIN_FONT * 1.4)}px`;
  // row labels: every one when a row is tall enough for 11 px text, else every k-th
  const every = Math.max(1, Math.ceil((MIN_FONT + 1) / (cell + GAP)));
  grid.querySelectorAll(".mm-rowhead").forEach((h, i) => (h.style.visibility = i % every ? "hidden" : "visible"));
  grid.querySelectorAll(".mm-colhead").forEach((h, i) => (h.style.visibility = i % Math.max(1, Math.ceil((MIN_FONT * 1.2) / (cell + GAP))) ? "hidden" : "visible"));
  const font = Math.max(MIN_FONT, Math.min(18, Math.floor(cell * 0.3)));
  grid.style.setProperty("--font", font + "px");
  root.dataset.mode = largestMode(cell, font);
  root._cell = cell;
  root._font = font;
  family = getComputedStyle(root).fontFamily || family;
  root._fitted = [root.clientWidth, window.innerHeight];
  paint(root);
}

// text widths from a canvas: no layout is forced, so a repaint stays a few milliseconds
const ruler = document.createElement("canvas").getContext("2d");
const widths = new Map();
let family = "sans-serif"; // the cells' own font, read once per fit
function textWidth(text, font, weight) {
  const key = `${weight} ${font} ${family} ${text}`;
  let w = widths.get(key);
  if (w === undefined) {
    ruler.font = `${weight} ${font}px ${family}`;
    w = ruler.measureText(text).width;
    if (widths.size > 20000) widths.clear();
    widths.set(key, w);
  }
  return w;
}

const NEXT = { two: "one", one: "pair", pair: "none" };

// what each cell shows in a mode: [pair, value]
function texts(d, mode, i, j, v) {
  if (mode === "two") return [d.y[i] + d.x[j], full(v, d.view)];
  if (mode === "one") return ["", compact(v, d.view)];
  if (mode === "pair") return [d.y[i] + d.x[j], ""];
  return ["", ""];
}

function paint(root) {
  const d = root._mm.data, font = root._font || MIN_FONT, room = root._cell || 30;
  const flat = d.z.flat(), lo = Math.min(...flat), hi = Math.max(...flat), span = hi - lo || 1;
  // the largest mode in which at most 5% of the cells have text wider than the cell; those go blank
  let mode = root.dataset.mode || "two", wide;
  for (;;) {
    wide = new Set();
    if (mode !== "none") {
      d.z.forEach((row, i) => row.forEach((v, j) => {
        const [a, b] = texts(d, mode, i, j, v);
        if (textWidth(a, font, mode === "pair" ? 400 : 600) > room || textWidth(b, font, 400) > room) wide.add(i * row.length + j);
      }));
    }
    if (mode === "none" || wide.size <= 0.05 * flat.length) break;
    mode = NEXT[mode];
  }
  root.dataset.mode = mode;
  d.z.forEach((row, i) => row.forEach((v, j) => {
    const cell = root._cells[i][j], rgb = shade((v - lo) / span);
    const [a, b] = wide.has(i * row.length + j) ? ["", ""] : texts(d, mode, i, j, v);
    cell.style.background = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
    cell.style.color = ink(rgb);
    if (cell.firstChild.textContent !== a) cell.firstChild.textContent = a;
    if (cell.lastChild.textContent !== b) cell.lastChild.textContent = b;
  }));
  root.querySelector(".mm-lo").textContent = full(lo, d.view);
  root.querySelector(".mm-hi").textContent = full(hi, d.view);
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".mm-heatmap");
  const text = new TextDecoder().decode(data);
  const mm = (root._mm = root._mm || { boot: now(), renders: 0, draws: 0, lastDraw: 0, lastArgs: 0, text: "" });
  if (text === mm.text) return;
  mm.text = text;
  mm.lastArgs = now();
  mm.renders += 1;
  const d = JSON.parse(text);
  mm.data = d;
  const rebuild = !root._cells || root._cells.length !== d.y.length || root._cells[0].length !== d.x.length;
  if (rebuild) build(root, d);
  root.querySelector(".mm-cols").textContent = (d.cols || "next character") + " →";
  root.querySelector(".mm-rows").textContent = d.rows || "context";
  root.querySelector(".mm-legend-title").textContent = d.legend || d.view;
  root.querySelectorAll(".mm-rowhead").forEach((h, i) => (h.textContent = d.y[i]));
  if (rebuild) fit(root);
  else {
    // a new table in the same grid: start again from the largest mode the cell size allows
    root.dataset.mode = largestMode(root._cell || 30, root._font || MIN_FONT);
    paint(root);
  }
  requestAnimationFrame(() => {
    mm.draws += 1;
    mm.lastDraw = now(); // painted
  });
}
