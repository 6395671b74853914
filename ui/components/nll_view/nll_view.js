// The count model's NLL on each split, recomputed in the page for every smoothing input event
// (mmNlls in live.js, the page's one copy of the count model's arithmetic).
function paint(root, s) {
  const d = root._d;
  const values = s === d.smoothing ? d.server : mmNlls(d, s);
  root._mm.nll = values;
  root._mm.smoothing = s;
  for (const [part] of d.parts) root.querySelector(`[data-part="${CSS.escape(part)}"]`).textContent = mmFmtNll(values[part]);
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
  for (const h of d.head || ["split", "NLL"]) head.appendChild(Object.assign(document.createElement("th"), { textContent: h }));
  const body = table.createTBody();
  for (const [part] of d.parts) {
    const row = body.insertRow();
    row.insertCell().textContent = (d.labels && d.labels[part]) || part;
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
