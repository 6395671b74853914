// Painting the heatmap: the cells' own text, ink and background at rest; a canvas under them while
// the smoothing is dragged.

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
