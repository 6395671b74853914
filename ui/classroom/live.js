// A class's live channel (service/live.py, /api/live/rooms/{code}): a follower's page gets the
// lecturer's step as a slide and hands it to its stage (ui/classroom/stage.js) with no rerun; it reruns
// only when the question changes (its answer form), or when it draws the step itself. The
// projector's page reruns on the console's cue, and on the board as answers arrive or the question
// changes (at most twice a second); the console's page on any change. Every `.mm-live-count` span of the page shows the
// room's current count (following, exploring, answers) as it comes. The socket needs the page's
// ticket; a refused ticket reruns the page once, which gets a new one or learns the class ended.
// A lecturer's tab reruns when another tab takes the class over (it says so, and stops sending).
// The lecturer's cookie is set by the server (HttpOnly), asked for here. One socket per page.
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const d = JSON.parse(new TextDecoder().decode(data));
  const me = (window.__mmClass = window.__mmClass || { socket: null });
  me.trigger = setTriggerValue;
  me.d = d;
  me.host = parentElement.querySelector(".mm-class-live");
  if (d.cookie || d.clear) {
    const url = new URL("./api/live/lecturer", location.href);
    fetch(url, { method: d.clear ? "DELETE" : "POST", body: d.cookie || "", credentials: "same-origin" }).catch(() => {});
  }
  if (!d.code) {
    if (me.socket) me.socket.close();
    me.socket = null;
    return;
  }
  if (me.last) for (const ms of [0, 200, 1000]) setTimeout(() => counts(me.last), ms); // spans drawn after this one
  const key = `${d.code}/${d.ticket}/${d.role}/${d.following}`;
  if (me.socket && me.key === key) return; // connected already
  if (me.socket) me.socket.close();
  // the same class, a new ticket (the server restarted: this page's session is new): the old one
  // stops counting at once, or the page counts twice until its presence expires ("7 following")
  const [code, ticket] = (me.key || "").split("/");
  me.was = code === d.code && ticket && ticket !== d.ticket ? ticket : "";
  me.key = key;
  connect(me);
}

function counts(m) {
  const value = { followers: m.followers, exploring: m.exploring, tally: m.tally };
  for (const el of document.querySelectorAll(".mm-live-count")) {
    const v = value[el.dataset.count];
    if (v !== undefined && el.textContent !== String(v)) el.textContent = String(v);
  }
}

function connect(me) {
  const key = me.key;
  const path = () => {
    const d = me.d, as = d.role === "follower" && !d.following ? "&as=explorer" : "";
    const was = me.was ? `&was=${encodeURIComponent(me.was)}` : "";
    return `./api/live/rooms/${encodeURIComponent(d.code)}?ticket=${encodeURIComponent(d.ticket)}${as}${was}`;
  };
  me.socket = mmSocket(path, {
    message: (e) => received(me, e),
    // back after the server went (a process killed, nginx sends the page to another one): the
    // lecturer's page sends its step again
    opened: (back) => back && me.d.role === "lecturer" && (me.down = true),
    closed: (e) => {
      if (e.code !== 4403 && e.code !== 4400) return true; // the server went: try again
      me.trigger("changed", `refused${Date.now()}`); // a refused ticket: a rerun gets a new one, or learns the class ended
      return false;
    },
    alive: () => me.key === key,
    wait: (n) => Math.min(5000, 300 * n),
  });
}

// one message of the room's live channel
function received(me, e) {
  const m = JSON.parse(e.data), d = me.d;
  if (m.show) {
    me.slide = m.show; // the lecturer's step: the stage draws it (a stage mounted later starts from it)
    if (d.role === "follower" && d.following) window.dispatchEvent(new CustomEvent("mm-slide", { detail: m.show }));
    return;
  }
  me.last = m;
  if (m.gone) return void ((me.key = ""), me.trigger("changed", "gone")); // the class ended: no reconnecting
  if (me.host) me.host.textContent = m.unavailable ? `${m.unavailable}.` : "";
  if (m.unavailable) return void (me.down = true);
  if (me.down && d.role === "lecturer") later(me, "u"); // what it published while the store was away is sent now
  me.down = false;
  counts(m);
  if (d.role === "follower") {
    // a question reaches every student, exploring too; a page that draws the step itself follows every change
    const rerun = d.staged || !d.following ? m.question !== d.question : m.version !== d.version;
    if (rerun && m.version !== me.asked) {
      me.asked = m.version;
      me.trigger("changed", `v${m.version}`);
    }
    return;
  }
  if (d.view !== "console" && m.leader !== undefined && m.leader !== d.leader && m.leader !== me.led) {
    me.led = m.leader; // another lecturer's tab took the class (or this one took it back): say so
    later(me, "l");
  } else if (d.view === "console" ? (m.version !== d.version || m.tally !== d.tally) && `${m.version}/${m.tally}` !== me.cued : m.cue !== d.cue && m.cue !== me.cued) {
    me.cued = d.view === "console" ? `${m.version}/${m.tally}` : m.cue;
    later(me, "c");
  } else if (d.view === "board" && (m.tally !== me.tally || (m.version !== d.version && m.version !== me.seen))) {
    me.seen = m.version; // an answer, or the question revealed, hidden, closed
    later(me, "t");
  }
  me.tally = m.tally;
}

// a rerun, at most twice a second however many messages come
function later(me, why) {
  if (me.waiting) return;
  me.waiting = true;
  setTimeout(() => ((me.waiting = false), me.trigger("changed", `${why}${Date.now()}`)), me.d.view === "console" ? 300 : 100);
}
