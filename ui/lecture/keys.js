// Presentation keys for the lecture mode: Right, PageDown and Space go forward; Left and PageUp go
// back (a clicker sends PageDown/PageUp); Home goes to the first step. One listener per page; each
// mount hands it the current component's trigger.
const MOVES = { ArrowRight: "next", PageDown: "next", " ": "next", ArrowLeft: "prev", PageUp: "prev", Home: "home" };

function typing(t) {
  if (!t || !t.tagName) return false;
  return t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.getAttribute("role") === "slider" ||
    t.getAttribute("role") === "combobox" || t.getAttribute("role") === "option";
}

export default function (component) {
  const { setTriggerValue, parentElement } = component;
  const keys = (window.__mmKeys = window.__mmKeys || { set: null, host: null });
  keys.set = setTriggerValue;
  keys.host = parentElement;
  if (keys.listening) return;
  keys.listening = true;
  document.addEventListener("keydown", (e) => {
    const move = MOVES[e.key];
    if (!move || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
    if (e.key === " " && e.target && e.target.tagName === "BUTTON") return; // Space clicks the button
    if (!keys.host || !keys.host.isConnected) return; // the lecture is not on the page
    e.preventDefault();
    keys.set("move", move);
  });
}
