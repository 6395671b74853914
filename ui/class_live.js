// A class's live channel (service/live.py, /api/live/rooms/{code}): a follower's page gets the
// lecturer's step as a slide and hands it to its stage (ui/class_stage.js) with no rerun; it reruns
// only when the question changes (its answer form), or when it explores on its own and is told
// nothing. The lecturer's board reruns as answers arrive (at most twice a second). It shows how
// many follow, or that the class store is away. The socket needs the page's ticket (the server
// gave it at join); a refused ticket reruns the page once, which gets a new one or learns the class
// ended. The lecturer's cookie is set by the server (HttpOnly), asked for here. One socket per page.
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const d = JSON.parse(new TextDecoder().decode(data));
  const me = (window.__mmClass = window.__mmClass || { socket: null, tries: 0 });
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
  if (me.socket && me.key === `${d.code}/${d.ticket}/${d.role}`) return; // connected already
  if (me.socket) me.socket.close();
  me.key = `${d.code}/${d.ticket}/${d.role}`;
  connect(me);
}

function connect(me) {
  const d = me.d;
  const url = new URL(`./api/live/rooms/${encodeURIComponent(d.code)}?ticket=${encodeURIComponent(d.ticket)}`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = (me.socket = new WebSocket(url));
  const key = me.key;
  ws.onopen = () => (me.tries = 0);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data), d = me.d;
    if (m.show) {
      me.slide = m.show; // the lecturer's step: the stage draws it (a stage mounted later starts from it)
      if (d.role === "follower" && d.following) window.dispatchEvent(new CustomEvent("mm-slide", { detail: m.show }));
      return;
    }
    me.last = m;
    if (m.gone) return me.trigger("changed", "gone");
    if (me.host) me.host.textContent = m.unavailable ? `${m.unavailable}.` : `${m.followers} following`;
    if (m.unavailable) return;
    const rerun = d.staged ? m.question !== d.question : m.version !== d.version;
    if (d.role === "follower" && d.following && rerun && m.version !== me.asked) {
      me.asked = m.version; // the answer form (a question), or a page that draws the step itself
      me.trigger("changed", `v${m.version}`);
    }
    if (d.role === "lecturer" && d.board && m.tally !== me.tally && !me.waiting) {
      me.waiting = true; // the board follows the answers, at most twice a second
      setTimeout(() => ((me.waiting = false), me.trigger("changed", `t${me.last.tally}`)), 500);
    }
    me.tally = m.tally;
  };
  ws.onclose = (e) => {
    if (me.socket !== ws || me.key !== key) return;
    if (e.code === 4403 || e.code === 4400) return me.trigger("changed", `refused${Date.now()}`); // a new ticket
    me.tries += 1; // the server went (a process killed, nginx sends the page to another one)
    setTimeout(() => me.key === key && connect(me), Math.min(5000, 300 * me.tries));
  };
}
