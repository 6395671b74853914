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
//
// The module is this folder's files in the order ui/components/__init__.py gives (scale, grid, fit,
// text, paint, glyphs, then this one: the wiring), one module scope.

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
