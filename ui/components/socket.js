// One WebSocket to a route of this app that opens again when the server goes away (a restart, a
// process killed behind nginx), after a growing wait: the page's presence, a run's live points and
// a class's live channel all use it. Prepended to those components' modules by ui/components.
//   path: the route, or a function giving it (asked again at each try: a run resumes from its last point)
//   message(event, ws); opened(back: a try after a close); closed(event) -> false: no retry
//   alive(): false ends it (the page moved on); tries: how many tries before gaveUp()
function mmSocket(path, { message, opened, closed, alive = () => true, tries = Infinity, wait, gaveUp } = {}) {
  const pause = wait || ((n) => Math.min(5000, 250 * n));
  const handle = {
    ws: null,
    failed: 0,
    stopped: false,
    close() {
      this.stopped = true;
      if (this.ws) this.ws.close();
    },
  };
  const open = () => {
    if (handle.stopped || !alive()) return;
    const url = new URL(typeof path === "function" ? path() : path, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = (handle.ws = new WebSocket(url));
    ws.onopen = () => {
      const back = handle.failed > 0;
      handle.failed = 0;
      if (opened) opened(back);
    };
    ws.onmessage = (e) => message && message(e, ws);
    ws.onclose = (e) => {
      if (handle.ws !== ws || handle.stopped || !alive()) return;
      if (closed && closed(e) === false) return;
      handle.failed += 1;
      if (handle.failed > tries) return gaveUp && gaveUp();
      setTimeout(open, pause(handle.failed));
    };
  };
  open();
  return handle;
}

