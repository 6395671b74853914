// Presentation keys for the lecture mode. A clicker sends PageDown/PageUp (and some Home): those
// always turn the page, whatever has focus, and never reach the focused control (a slider would
// move). Space and the arrows turn it too, unless the lecturer is typing in a text field or
// dragging a slider. A control that was clicked gives the focus back to the page once it has done
// its work, so the next key turns the page instead of pressing it again.
// One listener per page (in the capture phase, before any control's own); each mount hands it the
// current component's trigger.
const ALWAYS = { PageDown: "next", PageUp: "prev", Home: "home" };
const UNLESS_TYPING = { ArrowRight: "next", " ": "next", ArrowLeft: "prev" };

function textField(t) {
  if (!t || !t.tagName) return false;
  if (t.isContentEditable || t.tagName === "TEXTAREA") return true;
  if (t.tagName !== "INPUT") return false;
  // a select box's input is a search field only while its list is open
  if (t.getAttribute("role") === "combobox") return t.getAttribute("aria-expanded") === "true";
  return !/^(range|checkbox|radio|button|submit)$/.test(t.type);
}

function slider(t) {
  return !!t && t.nodeType === 1 && (t.getAttribute("role") === "slider" || (t.tagName === "INPUT" && t.type === "range"));
}

// a clicker pressed three times in a row turns three pages: each press asks for a step number
// (the URL's step, or the one asked for a moment ago whose rerun has not come back yet), so presses
// that arrive during one rerun add up instead of collapsing into one trigger value
function target(keys, move) {
  const shown = parseInt(new URLSearchParams(location.search).get("step") || "1", 10) || 1;
  const from = keys.asked && performance.now() - keys.asked.at < 3000 && keys.asked.from === shown ? keys.asked.step : shown;
  const step = move === "home" ? 1 : Math.min(Math.max(from + (move === "next" ? 1 : -1), 1), keys.steps || 99);
  keys.asked = { step, from: shown, at: performance.now() };
  return `step:${step}`;
}

// A press is numbered and sent; the server's runs say which number they handled last ("done"). A
// rerun that starts before a press's run reached the keys (the board redrawn as an answer arrives,
// a cue from the console) drops that press's trigger: the press is sent again, a few times, until a
// run says it was handled. The server never handles a number twice.
const RESEND_MS = 1200;
const RESENDS = 4;

function send(keys, move) {
  const seq = (keys.seq = Math.max(keys.seq || 0, keys.done || 0) + 1);
  const value = `${move}:${seq}`;
  keys.set("move", value);
  clearTimeout(keys.resend);
  let tries = 0;
  const again = () => {
    if ((keys.done || 0) >= seq || keys.seq !== seq || tries++ >= RESENDS) return;
    keys.set("move", value);
    keys.resend = setTimeout(again, RESEND_MS);
  };
  keys.resend = setTimeout(again, RESEND_MS);
}

export default function (component) {
  const { setTriggerValue, parentElement, data } = component;
  const keys = (window.__mmKeys = window.__mmKeys || { set: null, host: null, dragging: null });
  keys.set = setTriggerValue;
  keys.host = parentElement;
  try {
    const d = JSON.parse(new TextDecoder().decode(data));
    keys.steps = d.steps;
    keys.back = Boolean(d.back); // the projector shows the join code or the board: a press goes back to the step
    keys.done = Number.isInteger(d.done) ? d.done : 0; // the last press a run handled
  } catch {
    keys.steps = 99;
    keys.back = false;
  }
  if (keys.asked && keys.asked.step === parseInt(new URLSearchParams(location.search).get("step"), 10)) keys.asked = null;
  if (keys.listening) return;
  keys.listening = true;
  const on = () => keys.host && keys.host.isConnected; // the lecture is on the page
  window.addEventListener(
    "keydown",
    (e) => {
      if (!on() || e.altKey || e.ctrlKey || e.metaKey) return;
      let move = ALWAYS[e.key];
      if (!move) {
        move = UNLESS_TYPING[e.key];
        const t = e.target;
        // the heatmap's grid uses the arrows to move between its cells
        const grid = t && t.closest && t.closest(".mm-grid") && e.key !== " ";
        if (!move || textField(t) || grid || (slider(t) && keys.dragging === t)) return;
      }
      e.preventDefault();
      e.stopPropagation(); // the focused slider, radio or button never sees it
      if (document.activeElement && document.activeElement !== document.body && !textField(document.activeElement)) {
        document.activeElement.blur();
      }
      // on the board: any key goes back to the step; its direction is sent too, for a press that
      // reaches the server after the step is back (this page's data said "back" a moment longer)
      send(keys, keys.back ? `back:${move}` : target(keys, move));
    },
    true,
  );
  // a slider is being dragged from pointerdown to pointerup; then it lets the focus go
  window.addEventListener(
    "pointerdown",
    (e) => {
      // Streamlit's slider (React Aria) takes the pointer on its track; its thumb is an input
      const t = e.target.closest && e.target.closest('[role="slider"], input[type="range"], [data-testid="stSlider"]');
      if (!on() || !t) return;
      const thumb = t.matches('[data-testid="stSlider"]') ? t.querySelector('input[type="range"], [role="slider"]') : t;
      keys.dragging = thumb;
    },
    true,
  );
  window.addEventListener(
    "pointerup",
    () => {
      if (!keys.dragging) return;
      const thumb = keys.dragging;
      keys.dragging = null;
      setTimeout(() => on() && document.activeElement === thumb && thumb.blur(), 0);
    },
    true,
  );
  // a click on a button, check box, radio, tab or a select box's option hands the focus back
  // (after the click's own handlers have run); a text field keeps it
  window.addEventListener(
    "click",
    () => {
      if (!on()) return;
      setTimeout(() => {
        const a = document.activeElement;
        if (on() && a && a !== document.body && !textField(a) && keys.dragging !== a) a.blur();
      }, 0);
    },
    true,
  );
  // Enter commits a text or number field: the page has the focus again
  window.addEventListener("keydown", (e) => {
    if (on() && e.key === "Enter" && textField(e.target) && e.target.getAttribute("role") !== "combobox") {
      setTimeout(() => e.target.blur(), 0);
    }
  });
}
