// The heatmap's layout: the cell size that fits the root's width and the window's height, fitted
// again only when its room changed.

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
