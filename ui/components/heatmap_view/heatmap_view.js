// The lecture's bigram figure as an HTML grid: each cell shows its two characters and its value,
// shaded on the Blues scale; hover shows count, p and -log p. A new table updates the cells in
// place (no chart library, no re-layout), so a slider step redraws in a few milliseconds.
// The grid fits the window (width and height), so the whole table is on screen without scrolling;
// what a cell shows follows its size: pair and value, the value alone, or the pair alone, in the
// same mode for every cell, with text of 11 px and never wider than its cell: the few texts too wide
// for it ("mw", a count of 190 in a 16 px cell) get a smaller font of their own, never a blank cell.
// Only a cell too small for a pair at CELL_FLOOR shows its shade alone.
// With `live` data (the counts of every slice) the table follows the smoothing while it is dragged
// and switches view and trigram slice in the page, as the controls (count_controls, the sidebar's
// smoothing) announce them; they commit the value to the server.
const BLUES = [[247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
               [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107]];
const MIN_FONT = 11; // px: readable on a projector
const CELL_FLOOR = 6; // px: the smallest font of a cell whose text is too wide for the grid's font
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

const surprise = (p) => (p > 0 ? (-Math.log(p)).toFixed(3) : "∞"); // −log p; a pair never seen: ∞, not "Infinity"

function full(v, view) {
  return v.toFixed({ counts: 0, probabilities: 3, "log-probabilities": 2 }[view]).replace("-", "−");
}

function build(root, d) {
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
  // a keyboard and screen-reader path: the grid takes the focus, the arrow keys move between the
  // cells, and a live region reads out the cell (its pair, count, p and −log p); the 729 cells
  // themselves are hidden from the reader, which would get them as one string of numbers
  for (const c of grid.children) c.setAttribute("aria-hidden", "true");
  grid.tabIndex = 0;
  grid.setAttribute("role", "group");
  grid.setAttribute("aria-roledescription", "table of pairs");
  grid.setAttribute("aria-label", `${d.y.length} by ${d.x.length} table of pairs: arrow keys move between the cells`);
  const said = el("div", "mm-said");
  said.setAttribute("role", "status");
  said.setAttribute("aria-live", "polite");
  grid.addEventListener("keydown", (e) => {
    const step = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    if (!step) return;
    e.preventDefault();
    const dd = root._mm.data, at = root._at || [0, -1];
    root._at = [Math.min(Math.max(at[0] + step[0], 0), dd.y.length - 1), Math.min(Math.max(at[1] + step[1], 0), dd.x.length - 1)];
    announce(root);
  });
  grid.addEventListener("focus", () => announce(root));
  grid.addEventListener("blur", () => root._cells.flat().forEach((c) => c.classList.remove("mm-active")));
  const tip = el("div", "mm-tip");
  const body = el("div", "mm-body");
  body.append(rows, grid);
  const main = el("div", "mm-main");
  legend.append(said); // in the legend's line: no room of its own
  main.append(cols, body, legend, tip);
  root.replaceChildren(main);
  grid.addEventListener("mouseover", (e) => {
    const cell = e.target.closest(".mm-cell");
    if (!cell) return;
    const d = root._mm.data, i = +cell.dataset.i, j = +cell.dataset.j, p = d.p[i][j];
    // text only (a symbol of an uploaded list may be '<'): no innerHTML with data in it
    const lines = [`${d.y[i]}${d.x[j]}`, `count ${d.count[i][j].toLocaleString("en-US")}`,
      `p ${p < 1e-4 && p > 0 ? p.toExponential(2) : p.toFixed(4)}`, `−log p ${surprise(p)}`];
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
    // the grid's size depends on its width and on where it starts: content above it that goes
    // (an upload's notice, a question) moves it without resizing it, so the page's column is watched too
    const watch = new ResizeObserver(() => refit(root));
    watch.observe(root);
    const column = root.closest("[data-testid=stMainBlockContainer]");
    if (column) watch.observe(column);
    window.addEventListener("resize", () => refit(root));
  }
}

// the keyboard's cell: outlined, and read out by the live region
function announce(root) {
  const d = root._mm.data, [i, j] = root._at || [0, 0];
  root._at = [i, Math.max(j, 0)];
  root._cells.flat().forEach((c) => c.classList.remove("mm-active"));
  const cell = root._cells[i][root._at[1]];
  cell.classList.add("mm-active");
  const p = d.p[i][root._at[1]], n = d.count[i][root._at[1]];
  root.querySelector(".mm-said").textContent =
    `${d.y[i]} then ${d.x[root._at[1]]}: count ${n.toLocaleString("en-US")}, p ${p.toFixed(4)}, −log p ${surprise(p)}`;
}

// fit again only when the room changed (a new table's text does not change the root's width)
function refit(root) {
  const f = root._fitted;
  if (!f || f[0] !== root.clientWidth || f[1] !== window.innerHeight || f[2] !== topOf(root)) fit(root);
}

// where the grid starts in the page's content (the main area scrolls, not the window): scrolling
// is not a move
const topOf = (root) => {
  const main = root.closest("[data-testid=stMain]");
  return Math.round(root.querySelector(".mm-cols").getBoundingClientRect().top + (main ? main.scrollTop : window.scrollY));
};

// the largest mode a cell of this size could hold; paint() steps down from it if text is too wide
function largestMode(cell, font) {
  return cell >= 2 * font * 1.1 + 2 ? "two" : cell >= font * 1.25 ? "one" : "none";
}

// the cell size that lets the whole grid fit the root's width and the window's height; in the
// lecture (a projector) the labels are 1.7% of the window's height and cell text at least 1.25%
function fit(root) {
  const d = root._mm && root._mm.data, grid = root._grid;
  if (!d || !grid || !root.isConnected || root.offsetParent === null) return;
  const u = mmPresenterUnit(root);
  // outside the lecture 11 px; in it the sizes follow the window (6 px cell text at 150% zoom of 720p
  // is 9 device pixels, 1.25% of the height as everywhere in the lecture)
  const head = u ? Math.max(8, Math.round(1.7 * u)) : MIN_FONT, least = u ? Math.max(6, Math.ceil(1.25 * u)) : MIN_FONT;
  grid.style.setProperty("--head", head + "px");
  const n = d.y.length, m = d.x.length, GAP = gapOf(n);
  grid.style.gap = GAP + "px";
  const labelChars = Math.max(...d.y.map((r) => r.length));
  const label = Math.ceil(head * (0.9 + 0.62 * labelChars));
  const rowsAxis = root.querySelector(".mm-rows").offsetWidth + 4;
  const byWidth = (root.clientWidth - rowsAxis - label - GAP * m) / m;
  const top = root.querySelector(".mm-cols").getBoundingClientRect().top;
  const below = 6 + root.querySelector(".mm-legend").offsetHeight + root.querySelector(".mm-cols").offsetHeight;
  const byHeight = (window.innerHeight - top - below - 14 - head * 1.4 - GAP * n) / n;
  // a grid below the fold (the page is scrolled, or it sits under other content) sizes by width
  const cell = Math.max(2, Math.floor(top > window.innerHeight * 0.6 ? byWidth : Math.min(byWidth, byHeight)));
  grid.style.gridTemplateColumns = `${label}px repeat(${m}, ${cell}px)`;
  grid.style.gridAutoRows = `${cell}px`;
  grid.style.gridTemplateRows = `${Math.ceil(head * 1.4)}px`;
  root._origin = [label + GAP, Math.ceil(head * 1.4) + GAP]; // the first cell's corner in the grid
  // row labels: every one when a row is tall enough for the label's text, else every k-th
  const every = Math.max(1, Math.ceil((head + 1) / (cell + GAP)));
  grid.querySelectorAll(".mm-rowhead").forEach((h, i) => (h.style.visibility = i % every ? "hidden" : "visible"));
  grid.querySelectorAll(".mm-colhead").forEach((h, i) => (h.style.visibility = i % Math.max(1, Math.ceil((head * 1.2) / (cell + GAP))) ? "hidden" : "visible"));
  const font = Math.max(least, Math.min(Math.max(18, least), Math.floor(cell * 0.3)));
  root._least = least;
  root._start = largestMode(cell, font);
  root._cell = cell;
  root._font = font;
  family = getComputedStyle(root).fontFamily || family;
  root._fitted = [root.clientWidth, window.innerHeight, topOf(root)];
  paint(root);
}

// text widths from a canvas: no layout is forced, so a repaint stays a few milliseconds
const ruler = document.createElement("canvas").getContext("2d");
const widths = new Map();
let family = "sans-serif"; // the cells' own font, read once per fit
// the sum of its characters' widths (cached per character): a dragged value is a new string every
// frame, and measuring 1,458 new strings would cost milliseconds. The ink of the first and last
// characters may reach past their advance (the hook of an 'f', the tail of a 'j'): that counts too.
function textWidth(text, font, weight) {
  const face = `${weight} ${font}px ${family}`;
  let chars = widths.get(face);
  if (!chars) widths.set(face, (chars = new Map()));
  let total = 0, first = null, last = null;
  for (const ch of text) {
    let w = chars.get(ch);
    if (w === undefined) {
      ruler.font = face;
      const m = ruler.measureText(ch);
      w = [m.width, Math.max(0, m.actualBoundingBoxLeft || 0), Math.max(0, (m.actualBoundingBoxRight || 0) - m.width)];
      chars.set(ch, w);
    }
    total += w[0];
    first = first || w;
    last = w;
  }
  return first ? total + first[1] + last[2] : 0;
}

const NEXT = { two: "one", one: "pair", pair: "none" };

// log 0: the tables hold it as −20 (JSON has no −∞), the cell says what it is
const minusInfinity = (d, i, j) => d.view === "log-probabilities" && d.p[i][j] === 0;

// what each cell shows in a mode: [pair, value]
function texts(d, mode, i, j, v) {
  if (mode === "two") return [d.y[i] + d.x[j], minusInfinity(d, i, j) ? "−∞" : full(v, d.view)];
  if (mode === "one") return ["", minusInfinity(d, i, j) ? "−∞" : compact(v, d.view)];
  if (mode === "pair") return [d.y[i] + d.x[j], ""];
  return ["", ""];
}

// the widest of a cell's texts at font size f
function widest(d, mode, i, j, v, f) {
  const [a, b] = texts(d, mode, i, j, v);
  return Math.max(textWidth(a, f, mode === "pair" ? 400 : 600), textWidth(b, f, 400));
}

// a cell's text keeps a pixel of air on each side: a pair as wide as its cell ("mb" in 16 px) met
// its neighbour's text across the 1 px gap
const AIR = 2;
// the font size at which a text `w` px wide at `font` fits a cell of `room` px
const fitting = (font, w, room) => Math.floor((font * (room - AIR)) / w);

// the largest mode, and in it the largest font (down to the least readable one), in which every
// cell's text fits; failing that, the largest mode in which at most 5% of the cells have text
// wider than the cell, or the pair alone, when each of those fits at CELL_FLOOR: they get a smaller
// font of their own (see paint). Only when a pair does not fit at CELL_FLOOR is the mode "none".
function layout(root, d, font, room) {
  const least = root._least || MIN_FONT, floor = Math.min(least, CELL_FLOOR);
  const wideAt = (mode, f) => {
    const wide = new Set();
    if (mode === "none") return wide;
    d.z.forEach((row, i) => row.forEach((v, j) => {
      if (widest(d, mode, i, j, v, f) > room - AIR) wide.add(i * row.length + j);
    }));
    return wide;
  };
  const shrinkable = (mode, wide, f) => {
    for (const k of wide) {
      const row = d.z[0].length, i = Math.floor(k / row), j = k % row;
      if (fitting(f, widest(d, mode, i, j, d.z[i][j], f), room) < floor) return false;
    }
    return true;
  };
  let mode = root._start || "two";
  for (;;) {
    const wide = wideAt(mode, font);
    if (!wide.size) return [mode, wide, font];
    for (let f = font - 1; f >= least; f--) {
      const smaller = wideAt(mode, f);
      if (!smaller.size) return [mode, smaller, f];
    }
    if (mode === "none") return [mode, wide, font];
    const few = wide.size <= 0.05 * d.z.length * d.x.length;
    if ((few || mode === "pair") && shrinkable(mode, wide, font)) return [mode, wide, font];
    mode = NEXT[mode];
  }
}

// the colour scale: the probabilities from 0 to 1 when it is fixed (smoothing's flattening shows
// as cells growing paler), else from the table's smallest value to its largest. The log of a p of
// 0 (held as −20) is left out: at s = 0 it set the floor far below every real value, and almost
// every cell was dark; those cells take the palest shade, and say −∞.
function scaled(root, d) {
  const fixed = d.view === "probabilities" && (root._state ? root._state.scale : d.scale) === "fixed";
  return fixed ? [0, 1, 1] : range(d);
}

function range(d) {
  let lo = Infinity, hi = -Infinity;
  d.z.forEach((row, i) => row.forEach((v, j) => {
    if (minusInfinity(d, i, j)) return;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }));
  if (lo === Infinity) return [0, 1, 1]; // no finite value at all
  return [lo, hi, hi - lo || 1];
}

// at rest the cells draw themselves (text a screen reader and an audit can read); while the
// smoothing is dragged they are transparent over a canvas that draws every frame (restyling 729
// cells costs 8-19 ms a frame, the canvas under 1 ms), and the cells take over when it settles
function paint(root, live = false) {
  const d = root._mm.data, room = root._cell || 30;
  const [lo, hi, span] = scaled(root, d);
  // while dragged, start from the size in use (one pass over the cells a frame), at rest from the largest
  const [mode, wide, font] = layout(root, d, live && root._used ? root._used : root._font || MIN_FONT, room);
  root._used = font; // the canvas draws at the same size
  if (root._grid.style.getPropertyValue("--font") !== font + "px") root._grid.style.setProperty("--font", font + "px");
  if (root.dataset.mode !== mode) root.dataset.mode = mode; // the cells' styles depend on it
  // the cells whose text is still too wide ("mm", "mw", a count of 190 in a 16 px cell) get a
  // smaller font of their own, down to CELL_FLOOR (layout chose a mode in which they all fit at it),
  // rather than going blank
  root._small = new Map();
  const floor = Math.min(root._least || MIN_FONT, CELL_FLOOR);
  for (const k of wide) {
    const row = d.z[0].length, i = Math.floor(k / row), j = k % row;
    const f = fitting(font, widest(d, mode, i, j, d.z[i][j], font), room);
    if (f >= floor) root._small.set(k, f);
  }
  for (const k of root._small.keys()) wide.delete(k);
  if (live) {
    // the canvas covers the cells while the smoothing moves; they take over when it settles
    paintCanvas(root, d, mode, wide, lo, span);
    if (root._canvas.style.opacity !== "1") root._canvas.style.opacity = "1"; // the compositor's work only
    clearTimeout(root._settle);
    root._settle = setTimeout(() => paint(root), 250);
  } else {
    clearTimeout(root._settle);
    cells(root, d, mode, wide, lo, span);
    if (root._canvas) root._canvas.style.opacity = "0"; // the cells, drawn in this same frame, take over
    // ready for a drag: the canvas, its pixels and this face's glyphs exist before the first frame,
    // and the code that draws them has run often enough to be compiled
    const warm = () => {
      for (let k = 0; k < 4 && root._mm.data === d; k++) paintCanvas(root, d, mode, wide, lo, span);
    };
    (window.requestIdleCallback || setTimeout)(warm);
  }
  setText(root.querySelector(".mm-lo"), full(lo, d.view));
  setText(root.querySelector(".mm-hi"), full(hi, d.view));
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text; // a write, even of the same text, is a layout
}

// the cells' own text, ink and background; only what changed is written
function cells(root, d, mode, wide, lo, span) {
  d.z.forEach((row, i) => row.forEach((v, j) => {
    const cell = root._cells[i][j], rgb = shade((v - lo) / span), color = ink(rgb);
    const [a, b] = wide.has(i * row.length + j) ? ["", ""] : texts(d, mode, i, j, v);
    const small = root._small.get(i * row.length + j), size = small ? small + "px" : "";
    if (cell.style.fontSize !== size) cell.style.fontSize = size;
    const bg = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
    if (cell._bg !== bg) cell.style.background = cell._bg = bg;
    if (cell._ink !== color) cell.style.color = cell._ink = color;
    if (cell.firstChild.textContent !== a) cell.firstChild.textContent = a;
    if (cell.lastChild.textContent !== b) cell.lastChild.textContent = b;
  }));
}

function paintCanvas(root, d, mode, wide, lo, span) {
  const cell = root._cell, GAP = gapOf(d.y.length);
  let canvas = root._canvas;
  if (!canvas || !canvas.isConnected) {
    canvas = root._canvas = el("canvas", "mm-canvas");
    root._grid.prepend(canvas);
  }
  const [x0, y0] = root._origin; // from fit(): reading offsetLeft here would force a style recalc
  const W = d.x.length * (cell + GAP), H = d.y.length * (cell + GAP), dpr = window.devicePixelRatio || 1;
  if (canvas._size !== `${x0},${y0},${W},${H},${dpr}`) {
    canvas._size = `${x0},${y0},${W},${H},${dpr}`;
    Object.assign(canvas.style, { left: x0 + "px", top: y0 + "px", width: W + "px", height: H + "px" });
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
  }
  // the shades as pixels: one pixel row per grid row is filled, then copied down the cell's height
  const ctx = canvas.getContext("2d");
  const cw = canvas.width, ch = canvas.height, px = (v) => Math.round(v * dpr);
  if (!canvas._image || canvas._image.width !== cw || canvas._image.height !== ch) canvas._image = ctx.createImageData(cw, ch);
  const image = canvas._image, bytes = image.data, u32 = new Uint32Array(bytes.buffer), inks = new Uint8Array(d.z.length * d.x.length);
  u32.fill(0); // the gaps stay transparent: the page shows through
  d.z.forEach((row, i) => {
    const top = px(i * (cell + GAP)), bottom = px(i * (cell + GAP) + cell), first = top * cw;
    row.forEach((v, j) => {
      const rgb = shade((v - lo) / span);
      inks[i * row.length + j] = ink(rgb) === "#fff" ? 255 : 0;
      const color = (255 << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]; // RGBA bytes, little-endian
      u32.fill(color, first + px(j * (cell + GAP)), first + px(j * (cell + GAP) + cell));
    });
    for (let y = top + 1; y < bottom; y++) u32.copyWithin(y * cw, first, first + cw);
  });
  if (mode !== "none") {
    // the text, blended in from glyph masks: fillText of 729 labels costs ~10 ms a frame to raster
    const font = root._used || root._font || MIN_FONT, dy = mode === "two" ? font * 0.55 : 0;
    for (const [part, weight, shift] of [[0, mode === "pair" ? 400 : 600, -dy], [1, 400, dy]]) {
      const face = glyphs(weight, font * dpr);
      d.z.forEach((row, i) => row.forEach((v, j) => {
        const k = i * row.length + j;
        if (wide.has(k)) return;
        const t = texts(d, mode, i, j, v)[part], small = root._small && root._small.get(k);
        const f = small ? glyphs(weight, small * dpr) : face, sh = small ? (shift * small) / font : shift;
        if (t) blit(bytes, cw, f, t, px(j * (cell + GAP) + cell / 2), px(i * (cell + GAP) + cell / 2 + sh), inks[k]);
      }));
    }
  }
  ctx.putImageData(image, 0, 0);
}

// each character of a face as a mask: its nonzero pixels (offset, alpha) around a middle baseline
const faces = new Map();
function glyphs(weight, size) {
  const name = `${weight} ${size}px ${family}`;
  let face = faces.get(name);
  if (!face) faces.set(name, (face = { name, size, height: Math.ceil(size * 1.4), chars: new Map() }));
  return face;
}

function glyph(face, c) {
  let g = face.chars.get(c);
  if (g) return g;
  const pad = 2, h = face.height;
  ruler.font = face.name;
  const advance = ruler.measureText(c).width, w = Math.ceil(advance) + 2 * pad;
  const scratch = glyph.canvas || (glyph.canvas = document.createElement("canvas"));
  scratch.width = Math.max(w, 1);
  scratch.height = h;
  const sc = scratch.getContext("2d", { willReadFrequently: true });
  sc.font = face.name;
  sc.textBaseline = "middle";
  sc.fillStyle = "#fff";
  sc.fillText(c, pad, h / 2);
  const data = sc.getImageData(0, 0, scratch.width, h).data, xs = [], ys = [], as = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < scratch.width; x++) {
    const a = data[(y * scratch.width + x) * 4 + 3];
    if (a) xs.push(x - pad), ys.push(y - Math.floor(h / 2)), as.push(a);
  }
  g = { advance, xs: Int16Array.from(xs), ys: Int16Array.from(ys), as: Uint8Array.from(as) };
  face.chars.set(c, g);
  return g;
}

// text centred at (cx, cy) in device pixels, in black (ink 0) or white (255), over the shades
function blit(bytes, cw, face, text, cx, cy, inkValue) {
  let width = 0;
  for (const c of text) width += glyph(face, c).advance;
  let x = cx - width / 2; // advances are fractional: each glyph starts on a whole pixel
  for (const c of text) {
    const g = glyph(face, c), left = Math.round(x);
    for (let n = 0; n < g.as.length; n++) {
      const o = ((cy + g.ys[n]) * cw + left + g.xs[n]) * 4, a = g.as[n] / 255;
      bytes[o] += (inkValue - bytes[o]) * a;
      bytes[o + 1] += (inkValue - bytes[o + 1]) * a;
      bytes[o + 2] += (inkValue - bytes[o + 2]) * a;
    }
    x += g.advance;
  }
}

const VIEW_LEGEND = { counts: "count", probabilities: "p(next | context)", "log-probabilities": "log p" };

// the table of the page's current smoothing, view and slice, from the counts it already has
function derive(live, state) {
  const V = live.V, x = live.x, i = live.slices ? state.slice : 0;
  const offset = live.all_slices ? i * V * V : 0, s = state.smoothing, view = state.view;
  const row = new Float64Array(V), z = [], p = [], count = [];
  for (let r = 0; r < V; r++) {
    const start = offset + r * V;
    mmRowP(live.counts, start, V, s, row);
    const n = live.counts.slice(start, start + V);
    count.push(n);
    p.push(Array.from(row));
    z.push(view === "counts" ? n : view === "probabilities" ? Array.from(row) : Array.from(row, (q) => Math.max(Math.log(q), -20)));
  }
  const prefix = live.slices ? x[i] : "";
  return { x, y: x.map((c) => prefix + c), view, z, p, count, cols: "next character", legend: VIEW_LEGEND[view],
    rows: live.slices ? "context (2 characters)" : "context (current character)", smoothing: s, derived: true };
}

// draw the page's current state: the server's own table when it is the one asked for
function show(root, moving = false) {
  const mm = root._mm, live = root._live, st = root._state, server = mm.server;
  const same = !live || (st.smoothing === live.smoothing && st.view === server.view && st.slice === live.slice);
  mm.data = same ? server : derive(live, st);
  draw(root, moving);
}

function draw(root, moving = false) {
  const d = root._mm.data;
  const rebuild = !root._cells || root._cells.length !== d.y.length || root._cells[0].length !== d.x.length;
  if (rebuild) build(root, d);
  setText(root.querySelector(".mm-cols"), (d.cols || "next character") + " →");
  setText(root.querySelector(".mm-rows"), d.rows || "context");
  setText(root.querySelector(".mm-legend-title"), d.legend || d.view);
  root.querySelectorAll(".mm-rowhead").forEach((h, i) => setText(h, d.y[i]));
  if (rebuild) fit(root);
  else {
    // a new table in the same grid: start again from the largest mode the cell size allows
    root._start = largestMode(root._cell || 30, root._font || MIN_FONT);
    paint(root, moving);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".mm-heatmap");
  const text = new TextDecoder().decode(data);
  const mm = (root._mm = root._mm || { boot: now(), renders: 0, draws: 0, lastDraw: 0, lastArgs: 0, text: "" });
  if (text === mm.text) return;
  mm.text = text;
  mm.lastArgs = now();
  mm.renders += 1;
  const d = JSON.parse(text), live = d.live || null;
  delete d.live;
  mm.server = d;
  if (live && (!root._live || root._live.key !== live.key)) live.counts = Float64Array.from(live.counts);
  else if (live) live.counts = root._live.counts; // the same counts: keep the typed array
  root._live = live;
  if (live) {
    const slice = mmFromServer("slice", live.slices ? live.slices[live.slice] : null);
    root._state = { smoothing: mmFromServer("smoothing", live.smoothing), view: mmFromServer("view", d.view),
      slice: live.slices ? Math.max(0, live.slices.indexOf(slice)) : 0, scale: d.scale };
    if (!live.all_slices) root._state.slice = live.slice; // only this slice is here: the server switches it
  }
  show(root);
  if (live && !root._listening) {
    root._listening = true;
    window.addEventListener("mm-smoothing", (e) => {
      if (!root.isConnected || !root._live) return;
      root._state.smoothing = e.detail.value;
      show(root, e.detail.t0 !== undefined); // an input event of a drag: draw on the canvas
    });
    window.addEventListener("mm-press", () => {
      // a drag is starting: the canvas (already drawn) comes up now, not with the first move
      if (!root.isConnected || !root._canvas || !root._live) return;
      root._canvas.style.opacity = "1";
      clearTimeout(root._settle); // a press that never moves: the cells take over again
      root._settle = setTimeout(() => paint(root), 400);
    });
    window.addEventListener("mm-view", (e) => {
      if (!root.isConnected || !root._live) return;
      root._state.view = e.detail.value;
      show(root);
    });
    window.addEventListener("mm-slice", (e) => {
      if (!root.isConnected || !root._live || !root._live.all_slices) return;
      root._state.slice = Math.max(0, root._live.slices.indexOf(e.detail.value));
      show(root);
    });
  }
  // once per first run (its token): a page that reconnects to a new server is asked afresh
  const ask = live && live.ask && root._asked !== live.ask;
  if (ask) root._asked = live.ask;
  requestAnimationFrame(() => {
    mm.draws += 1;
    mm.lastDraw = now(); // painted
    if (ask) setTimeout(() => setTriggerValue("painted", true), 0); // the first run drew only this: now the rest
  });
}
