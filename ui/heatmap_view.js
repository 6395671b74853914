// The lecture's bigram figure as an HTML grid: each cell shows its two characters and its value,
// shaded on the Blues scale; hover shows count, p and -log p. A new table updates the cells in
// place (no chart library, no re-layout), so a slider step redraws in a few milliseconds.
const BLUES = [[247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
               [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107]];

function blue(t) {
  const x = Math.min(Math.max(t, 0), 1) * (BLUES.length - 1);
  const i = Math.min(Math.floor(x), BLUES.length - 2), f = x - i;
  const c = BLUES[i].map((v, k) => Math.round(v + f * (BLUES[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
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

function build(root, d) {
  root.innerHTML = "";
  // axis titles: which characters are the context (rows) and which the next one (columns)
  const cols = el("div", "mm-axis mm-cols");
  const rows = el("div", "mm-axis mm-rows");
  const legend = el("div", "mm-legend");
  legend.append(el("span", "mm-legend-title"), el("span", "mm-lo"), el("span", "mm-bar"), el("span", "mm-hi"));
  const grid = document.createElement("div");
  grid.className = "mm-grid";
  const labelChars = Math.max(...d.y.map((r) => r.length));
  grid.style.gridTemplateColumns = `${0.9 + 0.7 * labelChars}em repeat(${d.x.length}, minmax(0, 1fr))`;
  grid.appendChild(document.createElement("div"));
  for (const c of d.x) {
    const h = document.createElement("div");
    h.className = "mm-head";
    h.textContent = c;
    grid.appendChild(h);
  }
  const cells = [];
  d.y.forEach((r, i) => {
    const h = document.createElement("div");
    h.className = "mm-head";
    h.textContent = r;
    grid.appendChild(h);
    cells.push(d.x.map((_, j) => {
      const cell = document.createElement("div");
      cell.className = "mm-cell";
      cell.dataset.i = i;
      cell.dataset.j = j;
      cell.innerHTML = "<b></b><span></span>";
      grid.appendChild(cell);
      return cell;
    }));
  });
  const tip = document.createElement("div");
  tip.className = "mm-tip";
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
    tip.style.left = cell.offsetLeft + cell.offsetWidth + 4 + "px";
    tip.style.top = cell.offsetTop + "px";
    tip.style.display = "block";
  });
  grid.addEventListener("mouseleave", () => (tip.style.display = "none"));
  // font sizes follow the cell width, set once per resize rather than per cell
  new ResizeObserver(() => {
    const cell = cells[0][0].offsetWidth;
    if (cell) grid.style.setProperty("--cell", cell + "px");
  }).observe(grid);
  root._cells = cells;
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
  if (!root._cells || root._cells.length !== d.y.length || root._cells[0].length !== d.x.length) build(root, d);
  const flat = d.z.flat(), lo = Math.min(...flat), hi = Math.max(...flat), span = hi - lo || 1;
  const digits = { counts: 0, probabilities: 3, "log-probabilities": 2 }[d.view];
  root.querySelector(".mm-cols").textContent = (d.cols || "next character") + " →";
  root.querySelector(".mm-rows").textContent = d.rows || "context";
  root.querySelector(".mm-legend-title").textContent = d.legend || d.view;
  root.querySelector(".mm-lo").textContent = lo.toFixed(digits);
  root.querySelector(".mm-hi").textContent = hi.toFixed(digits);
  d.z.forEach((row, i) => row.forEach((v, j) => {
    const cell = root._cells[i][j], t = (v - lo) / span;
    cell.style.background = blue(t);
    cell.style.color = t > 0.55 ? "white" : "#333";
    cell.firstChild.textContent = d.y[i] + d.x[j];
    cell.lastChild.textContent = v.toFixed(digits);
  }));
  requestAnimationFrame(() => {
    mm.draws += 1;
    mm.lastDraw = now(); // painted
  });
}
