// A following page's step: the lecturer's slide (ui/slide.py), drawn here and replaced when the
// live route brings the next one (ui/classroom/live.js announces it as "mm-slide"), with no rerun.
// The charts, the heatmap, the NLL table and the smoothing slider are drawn by the same code the
// lecturer's page runs (MM_VIEWS, ui/components.STAGE_JS); a chart of the same key is updated in
// place. Text comes as HTML the server made; only a few tags and the mm- classes are kept.
const KEEP = new Set(["P", "STRONG", "EM", "CODE", "BR", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "UL", "OL", "LI",
  "H1", "H2", "H3", "H4", "SPAN", "DIV", "PRE"]);
const MATH = new Set(["math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
  "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom"]);
const MATH_ATTRS = new Set(["display", "mathvariant", "columnalign", "stretchy", "fence", "separator", "lspace",
  "rspace", "width", "form", "movablelimits", "accent", "accentunder", "linethickness", "xmlns"]);
const CLASSES = new Set(["mm-chip", "mm-chips", "mm-names", "mm-pair", "mm-keys", "mm-grid", "mm-big"]); // ui/slide.CLASSES
const DROP = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "SVG", "IMG", "VIDEO", "AUDIO", "FORM"]);
const HOSTS = { plotly_view: "mm-chart", heatmap_view: "mm-heatmap", nll_view: "mm-nll", smoothing_view: "mm-smooth-host",
  count_controls: "mm-controls" };

// the server's HTML with every tag, attribute and class outside the lists above taken out
function clean(html) {
  const t = document.createElement("template");
  t.innerHTML = html;
  const walk = (node) => {
    for (const c of [...node.childNodes]) {
      if (c.nodeType === Node.TEXT_NODE) continue;
      if (c.nodeType !== Node.ELEMENT_NODE) { c.remove(); continue; }
      const tag = c.namespaceURI === "http://www.w3.org/1998/Math/MathML" ? c.localName : c.tagName;
      if (DROP.has(c.tagName)) { c.remove(); continue; }
      if (!KEEP.has(tag) && !MATH.has(tag)) { c.replaceWith(document.createTextNode(c.textContent)); continue; }
      for (const a of [...c.attributes]) {
        const ok = MATH.has(tag) ? MATH_ATTRS.has(a.name) && !/[<>"'`]|javascript:|url\(/i.test(a.value) && a.value.length <= 40
            && !(/^(width|lspace|rspace|linethickness)$/.test(a.name) && !/^-?\d{0,2}(\.\d+)?(em|ex|px|%)?$|^[a-z]+$/.test(a.value))
          : a.name === "class" && a.value.split(" ").every((k) => CLASSES.has(k));
        if (!ok) c.removeAttribute(a.name);
      }
      walk(c);
    }
  };
  walk(t.content);
  return t.content;
}

function column(cls) {
  const col = el("div", `mm-col ${cls}`);
  const block = el("div", "mm-block");
  col.appendChild(block);
  return [col, block];
}

// one pane's blocks into `block`; the views to draw once the slide is in the document
function fill(block, items, hosts, old, draws) {
  for (const b of items || []) {
    if (b.html !== undefined) {
      const box = el("div", b.cls === "caption" ? "mm-text mm-caption" : "mm-text");
      box.appendChild(clean(b.html));
      block.appendChild(box);
    } else if (b.value) {
      const p = el("p", "mm-value");
      p.append(el("span", "mm-value-label", b.value[0]), el("strong", "", b.value[1]));
      block.appendChild(p);
    } else if (b.row) {
      const row = el("div", "mm-row mm-inner");
      b.row.forEach((items_, i) => {
        const [col, inner] = column("mm-sub");
        col.style.flex = String((b.spec && b.spec[i]) || 1);
        fill(inner, items_, hosts, old, draws);
        row.appendChild(col);
      });
      block.appendChild(row);
    } else if (b.view && MM_VIEWS[b.view]) {
      const id = `${b.view}/${b.key}`;
      let host = old.get(id);
      if (!host) {
        host = el("div", `mm-view mm-view-${b.view}`);
        host.appendChild(el("div", HOSTS[b.view]));
      }
      hosts.set(id, host);
      block.appendChild(host);
      draws.push([b.view, host, b.data]);
    }
  }
}

function show(root, slide) {
  if (typeof slide === "string") slide = JSON.parse(slide);
  const me = root._mm;
  if (!slide || (me.shown && (slide.digest === me.shown.digest || slide.at < me.shown.at))) return;
  me.shown = slide;
  const hosts = new Map(), draws = [];
  const wrap = el("div", "mm-row mm-slide");
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", "The lecturer's step");
  const [rail, railBlock] = column("mm-rail");
  const [stage, stageBlock] = column("mm-stagecol");
  rail.style.flex = "1";
  stage.style.flex = "2.3";
  const h = el("h3", "mm-title", `${slide.step}. ${slide.title}`);
  railBlock.append(h, el("p", "mm-following", `Following the lecturer: step ${slide.step} of ${slide.steps}`));
  fill(railBlock, slide.rail, hosts, me.hosts, draws);
  if (slide.formula) {
    const f = el("div", "mm-formula");
    f.appendChild(clean(slide.formula));
    railBlock.appendChild(f);
  }
  fill(stageBlock, slide.stage, hosts, me.hosts, draws);
  wrap.append(rail, stage);
  root.replaceChildren(wrap);
  me.hosts = hosts;
  const noop = () => {};
  for (const [view, host, data] of draws) {
    try {
      MM_VIEWS[view]({ data: new TextEncoder().encode(data), parentElement: host, setTriggerValue: noop, setStateValue: noop });
    } catch (err) {
      host.textContent = `This part of the step could not be drawn: ${err.message}`;
      console.error("class stage:", err);
    }
  }
  // the address follows the step, within this room only (the server bound the query to its code)
  const room = new URLSearchParams(location.search).get("join");
  if (slide.query && new URLSearchParams(slide.query).get("join") === room) {
    history.replaceState(history.state, "", `${location.pathname}?${slide.query}`);
  }
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".mm-stage");
  root._mm = root._mm || { shown: null, hosts: new Map() };
  window.__mmStage = root; // the live channel's slides go to the stage of this page
  if (!window.__mmStageListening) {
    window.__mmStageListening = true;
    window.addEventListener("mm-slide", (e) => window.__mmStage && window.__mmStage.isConnected && show(window.__mmStage, e.detail));
  }
  const text = new TextDecoder().decode(data || new Uint8Array());
  if (text) show(root, text);
  const latest = window.__mmClass && window.__mmClass.slide; // one the socket brought before this mounted
  if (latest) show(root, latest);
}
