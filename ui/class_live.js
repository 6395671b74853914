// A class's live channel (service/live.py, /api/live/rooms/{code}): a follower's page reruns when
// the room changes (the lecturer turned the page, moved a setting, asked a question); the
// lecturer's board reruns as answers arrive (at most twice a second). It shows how many follow,
// and keeps the lecturer's cookie (a reload keeps the class). One socket per page.
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const d = JSON.parse(new TextDecoder().decode(data));
  const me = (window.__mmClass = window.__mmClass || { socket: null, tries: 0 });
  me.trigger = setTriggerValue;
  me.d = d;
  me.host = parentElement.querySelector(".mm-class-live");
  if (d.cookie) document.cookie = `${d.cookie}; path=/; SameSite=Strict; max-age=14400`;
  if (d.clear) document.cookie = "mm_lecturer=; path=/; SameSite=Strict; max-age=0";
  if (!d.code) {
    if (me.socket) me.socket.close();
    me.socket = null;
    return;
  }
  if (me.socket && me.key === `${d.code}/${d.token}/${d.role}`) return; // connected already
  if (me.socket) me.socket.close();
  me.key = `${d.code}/${d.token}/${d.role}`;
  connect(me);
}

function connect(me) {
  const d = me.d;
  const url = new URL(`./api/live/rooms/${encodeURIComponent(d.code)}?student=${encodeURIComponent(d.token)}&role=${d.role}`, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = (me.socket = new WebSocket(url));
  const key = me.key;
  ws.onopen = () => (me.tries = 0);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data), d = me.d;
    me.last = m;
    if (m.gone) return me.trigger("changed", "gone");
    if (me.host) me.host.textContent = `${m.followers} following`;
    if (d.role === "follower" && d.following && m.version !== d.version && m.version !== me.asked) {
      me.asked = m.version;
      me.trigger("changed", `v${m.version}`);
    }
    if (d.role === "lecturer" && d.board && m.tally !== me.tally && !me.waiting) {
      me.waiting = true; // the board follows the answers, at most twice a second
      setTimeout(() => ((me.waiting = false), me.trigger("changed", `t${me.last.tally}`)), 500);
    }
    me.tally = m.tally;
  };
  ws.onclose = () => {
    if (me.socket !== ws || me.key !== key) return;
    me.tries += 1; // the server went (a process killed, nginx sends the page to another one)
    setTimeout(() => me.key === key && connect(me), Math.min(5000, 300 * me.tries));
  };
}
