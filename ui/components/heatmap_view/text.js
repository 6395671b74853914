// The heatmap's text fitting: text widths from a canvas, the largest mode and font in which every
// cell's text fits (a few too-wide texts get a smaller font of their own), the colour scale's range.

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
