// The page's presence: one WebSocket to the app's live route for as long as the page is open, so
// the server stops the session's runs when its last page has closed. The cookie tells a server
// that a page comes back (a restart, another replica): its widgets' values are then read first.
export default function (component) {
  const { data, parentElement } = component;
  const token = typeof data === "string" ? data : new TextDecoder().decode(data || new Uint8Array());
  const host = parentElement.querySelector(".mm-presence");
  if (!host || !/^[A-Za-z0-9_-]{16,64}$/.test(token) || host._token === token) return;
  host._token = token;
  if (host._socket) host._socket.close();
  document.cookie = "mm_page=1; path=/; SameSite=Strict";
  if (!window.__mmPresenceUnload) {
    window.__mmPresenceUnload = true; // a reload or a closed tab is a new page, not a page coming back
    window.addEventListener("pagehide", () => (document.cookie = "mm_page=; path=/; max-age=0; SameSite=Strict"));
  }
  // the server went away: keep trying, as long as this page is this token's
  host._socket = mmSocket(`./api/live/presence/${token}`, { alive: () => host._token === token && host.isConnected });
}
