// The heatmap's grid: its cells, row and column heads, hover tip and keyboard (announce).

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
