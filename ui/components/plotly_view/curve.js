// ---- the live curve: a figure with `live` is a run that is going. The page takes its points so
// far, opens the app's live route for the rest (only new points in each message) and draws the
// curve itself in every animation frame, easing towards the last point received, on an SVG path
// over Plotly's plot area; Plotly redraws only when the y axis has to change. When the run ends
// the page asks for a rerun, and the finished figure replaces it all. A long run's points are
// bucket means (`every` steps each, the run service's Run.every), drawn at their bucket's middle.
const ACTIVE = ["queued", "running", "paused"];

function follow(div, host, fig) {
  const mm = div._mm, live = fig.live;
  const trace = fig.data.find((t) => t.meta === "run");
  if (!live) {
    if (mm.socket) mm.socket.close();
    mm.socket = null;
    mm.live = null;
    if (div._mmPath) div._mmPath.setAttribute("d", ""); // a finished figure: Plotly draws the curve
    if (div._mmDev) div._mmDev.setAttribute("d", "");
    status(host, fig.summary || null); // a loss chart keeps its status line: idle, or what the run came to
    return;
  }
  const ys = (trace && trace.y) || [];
  if (trace) trace.y = trace.x = []; // the page draws the run's curve itself
  // held-out points (a trace with meta "dev", the MLP's): drawn by the page too, as they arrive
  const devTrace = fig.data.find((t) => t.meta === "dev");
  const dev = devTrace ? devTrace.x.map((x, i) => [x, devTrace.y[i]]) : [];
  if (devTrace) devTrace.x = devTrace.y = [];
  if (mm.live && mm.live.run === live.run) return; // the same run, already followed
  if (mm.socket) mm.socket.close();
  mm.live = { run: live.run, ys: ys.slice(), dev, shown: ys.length, frames: 0, last: 0, epochs: live.epochs, ended: false, unit: live.unit, loss: live.loss, every: live.every || 1 };
  status(host, { status: live.status, epoch: ys.length, epochs: live.epochs, nll: ys[ys.length - 1], ahead: 0, unit: live.unit, loss: live.loss });
  connect(div, host);
  if (ys.length) {
    mm.live.received = now();
    startLoop(div);
  }
}

// the run's live points: a socket that opens again where the curve ends (`from`), five tries
function connect(div, host) {
  const mm = div._mm, live = mm.live;
  const socket = (mm.socket = mmSocket(() => `./api/live/runs/${encodeURIComponent(live.run)}?from=${live.ys.length}`, {
    message: (e) => received(div, host, live, socket, e),
    alive: () => !live.ended && mm.live === live && div.isConnected,
    tries: 5,
    wait: (n) => 500 * n,
    gaveUp: () => status(host, { status: "lost", message: "Lost the connection to the run." }),
  }));
}

// one message of the run's live route: its new points and its status
function received(div, host, live, socket, e) {
  const mm = div._mm, msg = JSON.parse(e.data);
  if (mm.live !== live) return socket.close();
  if (msg.error) return status(host, { status: "lost", message: "This run is no longer on the server." });
  receive(div, msg);
  status(host, msg);
  if (!ACTIVE.includes(msg.status) && !live.ended) {
    live.ended = true;
    socket.close();
    if (mm.trigger) mm.trigger("ended", live.run); // the finished figure, the matrices, the other tabs
  }
}

// the status line over the chart: the run's place in the queue, its epoch and loss
function status(host, msg) {
  let line = host.querySelector(".mm-live-status");
  if (!msg) return line && line.remove();
  if (!line) {
    line = el("div", "mm-live-status");
    line.append(el("span", "mm-live-text"), el("progress", "mm-live-bar"));
    host.prepend(line);
  }
  // what a step is called and what its loss is (the MLP's: "step", "minibatch loss")
  const unit = msg.unit || "epoch", loss = msg.loss || "data NLL";
  const fmt = (v) => (typeof v === "number" && isFinite(v) ? v.toFixed(4) : "—");
  const words = {
    queued: () => `Queued: ${msg.ahead ? msg.ahead + " run" + (msg.ahead > 1 ? "s" : "") + " ahead" : "next to start"}` +
      (msg.starts_in >= 1 ? `, starts in about ${mmSeconds(msg.starts_in)}` : ""),
    running: () => `Training: ${unit} ${msg.epoch} of ${msg.epochs}, ${loss} ${fmt(msg.nll)}` +
      (msg.left >= 1 ? `; about ${mmSeconds(msg.left)} left` : ""), // at the run's own pace once measured
    paused: () => `Paused at ${unit} ${msg.epoch} of ${msg.epochs}, ${loss} ${fmt(msg.nll)}` +
      (msg.change ? `; ${msg.change}` : ""), // the trainer's words for what the last step changed
    done: () => msg.message || `Trained ${msg.epochs} epochs: data NLL ${fmt(msg.nll)}`, // the run's outcome
    stopped: () => `Stopped at ${unit} ${msg.epoch} of ${msg.epochs}` + (msg.message ? `: ${msg.message}` : ""),
    idle: () => msg.message,
    failed: () => msg.message || "The run failed",
    lost: () => msg.message,
  };
  line.dataset.status = msg.status;
  line.querySelector(".mm-live-text").textContent = (words[msg.status] || words.lost)();
  const bar = line.querySelector(".mm-live-bar");
  bar.hidden = msg.status === "idle";
  bar.max = msg.epochs || 1;
  bar.value = msg.epoch || 0;
  bar.setAttribute("aria-label", "epochs done");
}

// the step point i of the curve is drawn at: its own, or the middle of its bucket
function stepAt(live, i) {
  const e = live.every || 1, lo = i * e + 1;
  return e === 1 ? lo : (lo + Math.min(lo + e - 1, live.epochs || Infinity)) / 2;
}

function receive(div, delta) {
  const mm = div._mm, live = mm.live;
  if (delta.every) live.every = delta.every;
  if (delta.from > live.ys.length) live.gap = true; // cannot happen on one socket; the tests check it
  delta.y.forEach((y, k) => (live.ys[delta.from + k] = y === null ? NaN : y));
  for (const [x, y] of delta.dev || []) if (y !== null && !live.dev.some((p) => p[0] === x)) live.dev.push([x, y]);
  if (delta.y.length) live.received = now();
  const axis = delta.axis;
  if (axis && window.Plotly && div.layout && div.layout.yaxis) {
    const [a, b] = div.layout.yaxis.range || [0, 1], [c, e] = axis.range, tol = 0.02 * Math.abs(e - c);
    if (div.layout.yaxis.type !== axis.type || Math.abs(a - c) > tol || Math.abs(b - e) > tol) {
      const ticks = axis.tickvals ? { "yaxis.tickvals": axis.tickvals, "yaxis.ticktext": axis.ticktext } : {};
      Plotly.relayout(div, { "yaxis.type": axis.type, "yaxis.range": axis.range, ...ticks }).then(() => place(div));
    }
  }
  startLoop(div);
}

function startLoop(div) {
  const live = div._mm.live;
  if (live.looping) return;
  live.looping = true;
  live.t = performance.now();
  requestAnimationFrame((t) => animate(div, t));
}

// the plot area in pixels and the two axes' mappings, read after Plotly lays the chart out
function place(div) {
  const fl = div._fullLayout;
  if (!fl || !fl._size) return null;
  const size = fl._size, xa = fl.xaxis, ya = fl.yaxis;
  let svg = div._mmSvg;
  if (!svg || !svg.isConnected) {
    const NS = "http://www.w3.org/2000/svg";
    svg = div._mmSvg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "mm-live");
    const clip = document.createElementNS(NS, "clipPath");
    clip.id = "mm-clip-" + Math.random().toString(36).slice(2);
    clip.appendChild(document.createElementNS(NS, "rect"));
    const path = (div._mmPath = document.createElementNS(NS, "path"));
    path.setAttribute("fill", "none");
    path.setAttribute("clip-path", `url(#${clip.id})`);
    const dots = (div._mmDev = document.createElementNS(NS, "path"));
    dots.setAttribute("clip-path", `url(#${clip.id})`);
    svg.append(clip, path, dots);
    div.style.position = "relative";
    div.appendChild(svg);
  }
  Object.assign(svg.style, { position: "absolute", left: "0", top: "0", width: div.clientWidth + "px", height: (fl.height || div.clientHeight) + "px", pointerEvents: "none", overflow: "visible" });
  const rect = svg.querySelector("rect");
  rect.setAttribute("x", size.l);
  rect.setAttribute("y", size.t);
  rect.setAttribute("width", size.w);
  rect.setAttribute("height", size.h);
  const trace = (div.data && div.data.find((t) => t.meta === "run")) || {}, line = trace.line || {};
  div._mmPath.setAttribute("stroke", line.color || "#1f77b4");
  div._mmPath.setAttribute("stroke-width", line.width || 2);
  const devTrace = (div.data && div.data.find((t) => t.meta === "dev")) || {}, marker = devTrace.marker || {};
  div._mmDev.setAttribute("stroke", (marker.line && marker.line.color) || "#111111");
  div._mmDev.setAttribute("fill", marker.color || "none");
  div._mmDev.setAttribute("stroke-width", 2);
  const lin = (r, len, off, flip) => (v) => off + (flip ? len - ((v - r[0]) / (r[1] - r[0])) * len : ((v - r[0]) / (r[1] - r[0])) * len);
  const yr = ya.range, ylog = ya.type === "log", ymap = lin(yr, size.h, size.t, true);
  div._mmMap = { x: lin(xa.range, size.w, size.l, false), y: (v) => ymap(ylog ? Math.log10(Math.max(v, 1e-300)) : v) };
  return div._mmMap;
}

function animate(div, t) {
  const mm = div._mm, live = mm.live;
  if (!live || !div.isConnected) return;
  const n = live.ys.length, dt = Math.min(0.1, (t - live.t) / 1000);
  live.t = t;
  // ease towards the newest point: the curve moves in every frame, never past what has arrived
  live.shown = n - live.shown < 0.5 ? n : live.shown + Math.max(0.25, (n - live.shown) * (1 - Math.exp(-dt / 0.06)));
  if (live.shown > n) live.shown = n;
  const map = div._mmMap || (window.Plotly && div._fullLayout && place(div));
  if (map && div._mmPath) {
    const whole = Math.floor(live.shown), parts = [];
    for (let i = 0; i < whole; i++) {
      const y = live.ys[i];
      if (y === undefined || !isFinite(y)) continue;
      parts.push((parts.length ? "L" : "M") + map.x(stepAt(live, i)).toFixed(1) + "," + map.y(y).toFixed(1));
    }
    const f = live.shown - whole, a = live.ys[whole - 1], b = live.ys[whole];
    if (f > 0 && whole > 0 && isFinite(a) && isFinite(b)) {
      const xa = stepAt(live, whole - 1), xb = stepAt(live, whole);
      parts.push("L" + map.x(xa + (xb - xa) * f).toFixed(1) + "," + map.y(a + (b - a) * f).toFixed(1));
    }
    // the held-out points up to where the curve is: small circles
    const upTo = live.shown * (live.every || 1); // the steps the curve has reached
    const r = 3.5, circles = (live.dev || []).filter(([x, y]) => x <= upTo && isFinite(y)).map(([x, y]) => {
      const cx = map.x(x), cy = map.y(y);
      return `M${(cx - r).toFixed(1)},${cy.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
    });
    const d = parts.join("") + "|" + circles.length;
    if (d !== live.lastPath) {
      div._mmPath.setAttribute("d", d.slice(0, d.lastIndexOf("|")));
      if (div._mmDev) div._mmDev.setAttribute("d", circles.join(""));
      live.lastPath = d;
      live.frames += 1; // a frame in which the curve changed
      live.last = now();
    }
  }
  if (live.shown < n || now() - (live.received || 0) < 1000) requestAnimationFrame((t2) => animate(div, t2));
  else live.looping = false;
}

// a sweep over the smoothing (lecture step 7): its marker follows the slider while it is dragged
function followSmoothing(div) {
  const mm = div._mm;
  if (mm.followsSmoothing) return;
  mm.followsSmoothing = true;
  window.addEventListener("mm-smoothing", (e) => {
    if (!div.isConnected || !window.Plotly || !div.layout || !(div.layout.shapes || []).length) return;
    const s = e.detail.value, on = s > 0;
    const update = { "shapes[0].visible": on, "annotations[0].visible": on };
    if (on) {
      Object.assign(update, { "shapes[0].x0": s, "shapes[0].x1": s, "annotations[0].x": Math.log10(s), "annotations[0].text": `s=${mmFormat(s)}` });
    }
    Plotly.relayout(div, update);
    mm.followed = s; // the tests read it
  });
}
