// A chart's layout for where it is: the page's theme, a square matrix, the presenter's window
// (a chart fills the height below it, type scaled for the back row), a phone's narrow column.

function squareHeight(div, layout) {
  // a matrix (layout.meta "square") is as tall as its column is wide, so its cells fill the box
  const m = layout.margin || {}, bar = 52; // room for the colour bar on the right
  const side = Math.max(200, div.clientWidth - (m.l || 80) - (m.r || 80) - bar);
  return side + (m.t || 100) + (m.b || 80);
}

// the page's theme, read from the text colour Streamlit gives the chart's container: charts follow
// light and dark (Streamlit's setting or the OS preference) with transparent backgrounds
function themed(div, layout) {
  const color = getComputedStyle(div).color || "#31333f";
  const grid = "rgba(128,128,128,0.28)";
  const axis = (a) => ({ ...a, gridcolor: grid, zerolinecolor: grid, linecolor: grid,
    tickfont: { ...(a && a.tickfont), color }, title: typeof (a && a.title) === "object" ? { ...a.title, font: { ...(a.title.font || {}), color } } : a && a.title });
  const out = { ...layout, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { ...(layout.font || {}), color }, legend: { ...(layout.legend || {}), bgcolor: "rgba(0,0,0,0)", font: { ...((layout.legend || {}).font || {}), color } } };
  for (const k of Object.keys(layout)) if (/^[xy]axis\d*$/.test(k)) out[k] = axis(layout[k]);
  if (layout.title) out.title = { ...layout.title, font: { ...(layout.title.font || {}), color } };
  // an earlier run's label keeps its line's colour
  if (layout.annotations) out.annotations = layout.annotations.map((a) => ({ ...a, font: { ...(a.font || {}), color: a.name === "earlier" ? a.font.color : color } }));
  div._mmColor = color;
  return out;
}

// ---- the lecture's presenter view: a chart in the lecture fills the window's height below it,
// and its text follows the window's height (u = 1% of it, times the lecturer's A-/A+ factor
// --mm-k): ticks and legends 1.8u, labels 2u, titles 2.2u; lines and margins grow with it.
function presented(div, layout, data, u) {
  const f = Math.max(1, u / 7.2), sized = (font, size) => ({ ...(font || {}), size });
  const out = { ...layout, font: sized(layout.font, 2 * u) };
  const m = layout.margin || {};
  out.margin = { ...m, l: (m.l ?? 80) * f, r: (m.r ?? 80) * f, t: (m.t ?? 100) * f, b: (m.b ?? 80) * f };
  for (const key of Object.keys(layout)) {
    if (!/^[xy]axis\d*$/.test(key)) continue;
    const a = layout[key] || {};
    const title = typeof a.title === "object" ? { ...a.title, font: sized(a.title.font, 2 * u) } : a.title;
    out[key] = { ...a, automargin: true, tickfont: sized(a.tickfont, 1.8 * u), title };
  }
  out.legend = { ...(layout.legend || {}), font: sized(layout.legend && layout.legend.font, 1.8 * u) };
  if (layout.title) out.title = { ...layout.title, font: sized(layout.title.font, 2.2 * u) };
  if (layout.annotations) out.annotations = layout.annotations.map((a) => ({ ...a, font: sized(a.font, 1.8 * u) }));
  for (const t of data) {
    // from the figure's own widths (kept on the trace): a refit must not scale them again
    if (t.line && t.line.width) t.line = { ...t.line, width: (t._mmWidth ??= t.line.width) * f };
    if (t.textfont || t.text) t.textfont = sized(t.textfont, 1.8 * u);
    if (t.colorbar || t.type === "heatmap") t.colorbar = { ...(t.colorbar || {}), tickfont: sized(t.colorbar && t.colorbar.tickfont, 1.8 * u) };
    if (t.marker && typeof t.marker.size === "number") t.marker = { ...t.marker, size: (t._mmSize ??= t.marker.size) * f };
  }
  if (layout.meta === "square") {
    // a matrix: its labels one per cell, upright, at most a cell wide; the same plot width with or
    // without a colour bar (two matrices side by side line up), cells up to 1.6 times as tall as
    // wide so the pair fills the window's height
    const side = Math.max(120, div.clientWidth - 3 * u - 60);
    const cell = side / Math.max(1, ((data[0] && data[0].x) || []).length);
    const tick = Math.min(1.8 * u, Math.max(11, 1.65 * u, cell * 0.95));
    for (const key of ["xaxis", "yaxis"]) {
      out[key] = { ...out[key], automargin: false, tickangle: 0, scaleanchor: false, constrain: "range", tickfont: { ...out[key].tickfont, size: tick } };
    }
    out.margin = { l: 3 * u, r: 60, t: 2.2 * u * 1.6 + tick * 1.6, b: 8 };
    // the colour bar inside that right margin, close to the cells: where Plotly puts it by default it
    // pushed the margin out, and the table with the bar came out 50 px narrower than the one without
    for (const t of data) if (t.type === "heatmap") t.colorbar = { ...t.colorbar, x: 1, xanchor: "left", xpad: 0.5 * u, thickness: Math.min(10, 1.2 * u) };
    const top = div.getBoundingClientRect().top, fill = window.innerHeight - Math.max(18, 2.2 * u) - top;
    out.height = Math.floor(Math.max(side + out.margin.t + out.margin.b, Math.min(fill, 1.6 * side + out.margin.t + out.margin.b)));
    return out;
  }
  // the chart grows (or shrinks) until its column, with whatever is below the chart, ends at the
  // window's bottom (less the page's padding)
  // (Streamlit's columns, or the class stage's own: ui/classroom/stage.js)
  const COL = '[data-testid="stColumn"], .mm-col';
  let col = div.closest(COL);
  for (let up = col && col.parentElement.closest(COL); up; up = up.parentElement.closest(COL)) col = up;
  // the bottom of the column's content (the column itself stretches to the taller of the two)
  const block = col && col.querySelector(':scope > [data-testid="stVerticalBlock"], :scope > .mm-block');
  const box = div.getBoundingClientRect();
  const end = block ? Math.max(...[...block.children].map((c) => c.getBoundingClientRect().bottom)) : box.bottom;
  const room = window.innerHeight - Math.max(18, 2.2 * u) - end;
  out.height = Math.max(160, Math.floor((box.height || 0) + room));
  return out;
}

// a narrow column (a phone): the legend above the plot, not beside it taking half the width
function narrow(div, layout) {
  if (div.clientWidth >= 560 || layout.showlegend === false || layout.meta === "square") return layout;
  const m = layout.margin || {};
  return { ...layout, legend: { ...(layout.legend || {}), orientation: "h", x: 0, xanchor: "left", y: 1.1, yanchor: "bottom" },
    margin: { ...m, r: Math.min(m.r ?? 80, 24), t: Math.max(m.t ?? 100, 80) } };
}

function refitPresenter(div) {
  const mm = div._mm, u = mmPresenterUnit(div);
  if (!u || !mm.base || !window.Plotly || !div.data) return;
  if (!shown(div)) return;
  const layout = narrow(div, presented(div, themed(div, mm.base), div.data, u));
  // nothing to do unless its height, its type or its width changed (a sidebar opened beside it
  // narrows the column without resizing the window: the chart ran past the window's right edge)
  const wide = div._fullLayout ? Math.abs(div._fullLayout.width - div.clientWidth) < 2 : true;
  if (wide && Math.abs(layout.height - (div.layout.height || 0)) < 2 && div.layout.font && Math.abs(div.layout.font.size - layout.font.size) < 0.5) return;
  div.style.height = layout.height + "px";
  Plotly.react(div, div.data, layout)
    .then(() => (wide || !shown(div) ? null : Plotly.Plots.resize(div))) // react keeps the old width; resize measures the div
    .then(() => mm.live && place(div));
}
