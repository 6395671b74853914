// The heatmap's shades and numbers: the Blues scale, the ink that contrasts with it, a value in
// four characters or in full.

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
