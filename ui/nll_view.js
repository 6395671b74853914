// The count model's NLL on each split, recomputed in the page for every smoothing input event:
// NLL = -sum N_part log P_fit / sum N_part with P_fit = (N_fit + s) / rowsum, from the nonzero
// counts of each split (a few thousand terms).
function nlls(d, s) {
  const V = d.V, fit = d.fit_counts, rows = fit.length / V, logDen = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let j = 0; j < V; j++) total += fit[r * V + j];
    total += V * s;
    logDen[r] = total > 0 ? Math.log(total) : NaN; // NaN marks an empty row: uniform
  }
  const out = {};
  for (const [part, idx, cnt] of d.parts) {
    let sum = 0, n = 0;
    for (let t = 0; t < idx.length; t++) {
      const i = idx[t], r = Math.floor(i / V), c = cnt[t];
      const lp = Number.isNaN(logDen[r]) ? -Math.log(V) : Math.log(fit[i] + s) - logDen[r];
      sum += c * lp;
      n += c;
    }
    out[part] = n === 0 ? NaN : Math.max(0, -sum / n);
  }
  return out;
}

function paint(root, s) {
  const d = root._d;
  const values = s === d.smoothing ? d.server : nlls(d, s);
  root._mm.nll = values;
  root._mm.smoothing = s;
  for (const [part] of d.parts) root.querySelector(`[data-part="${part}"]`).textContent = mmFmtNll(values[part]);
  root.querySelector(".mm-nll-s").textContent = mmFormat(s);
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".mm-nll");
  const text = new TextDecoder().decode(data);
  root._mm = root._mm || { renders: 0 };
  if (root._mm.text === text) return;
  root._mm.text = text;
  root._mm.renders += 1;
  const d = JSON.parse(text);
  d.fit_counts = Float64Array.from(d.fit_counts);
  for (const part of Object.keys(d.server)) d.server[part] = Number(d.server[part]); // "Infinity", "NaN"
  root._d = d;
  root.replaceChildren();
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const h of ["split", "NLL"]) head.appendChild(Object.assign(document.createElement("th"), { textContent: h }));
  const body = table.createTBody();
  for (const [part] of d.parts) {
    const row = body.insertRow();
    row.insertCell().textContent = part;
    row.insertCell().dataset.part = part;
  }
  const note = document.createElement("p");
  note.className = "mm-nll-note";
  note.append("smoothing ", Object.assign(document.createElement("span"), { className: "mm-nll-s" }), `, ${d.note}`);
  root.append(table, note);
  paint(root, mmFromServer("smoothing", d.smoothing));
  if (!root._listening) {
    root._listening = true;
    window.addEventListener("mm-smoothing", (e) => root.isConnected && root._d && paint(root, e.detail.value));
  }
}
