// The count model's controls beside the heatmap: what the cells show, the trigram's first context
// character and the smoothing. Each choice repaints every live component of the page at once (an
// event on window) and is committed to the server (one rerun) so the URL and the other tabs follow.
function build(root, d) {
  root.replaceChildren();
  if (d.controls.includes("view")) {
    const views = el("div", "mm-views");
    views.setAttribute("role", "radiogroup");
    views.setAttribute("aria-label", "Show");
    views.appendChild(el("span", "mm-views-title", "Show"));
    for (const v of d.views) {
      const b = el("button", "mm-view", v);
      b.type = "button";
      b.dataset.view = v;
      b.setAttribute("role", "radio");
      b.addEventListener("click", () => choose(root, "view", v));
      views.appendChild(b);
    }
    root.appendChild(views);
  }
  if (d.slices) {
    const label = el("label", "mm-slice", "First context character");
    const select = el("select");
    d.slices.forEach((c, i) => select.appendChild(Object.assign(el("option", "", d.slice_labels[i]), { value: c })));
    select.addEventListener("change", () => choose(root, "slice", select.value));
    label.appendChild(select);
    root.appendChild(label);
  }
  if (d.controls.includes("smoothing")) {
    root._slider = mmSmoothingSlider(root, d.stops, "Smoothing s (add-s)", "controls");
    root._slider.commit = (v) => root._set("smoothing", v);
  }
}

function choose(root, name, value) {
  sync(root, { ...root._state, [name]: value });
  mmAnnounce(name, value, "controls");
  mmCommitted(name, value);
  root._set(name, value);
}

function sync(root, state) {
  root._state = state;
  root.querySelectorAll(".mm-view").forEach((b) => {
    b.setAttribute("aria-checked", String(b.dataset.view === state.view));
    b.classList.toggle("mm-on", b.dataset.view === state.view);
  });
  const select = root.querySelector(".mm-slice select");
  if (select) select.value = state.slice;
  if (root._slider) root._slider.set(state.smoothing);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".mm-controls");
  root._set = setStateValue;
  const text = new TextDecoder().decode(data);
  if (root._text === text) return;
  const d = JSON.parse(text);
  const shape = JSON.stringify([d.controls, d.slices]);
  if (root._shape !== shape) build(root, d);
  root._shape = shape;
  root._text = text;
  sync(root, {
    view: mmFromServer("view", d.view),
    slice: mmFromServer("slice", d.slice),
    smoothing: mmFromServer("smoothing", d.smoothing),
  });
  if (!root._listening) {
    root._listening = true;
    window.addEventListener("mm-view", (e) => root.isConnected && e.detail.source !== "controls" && sync(root, { ...root._state, view: e.detail.value }));
  }
}
