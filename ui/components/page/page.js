// The page's own keyboard fixes on Streamlit's elements: a collapsed sidebar is off screen but its
// controls stayed in the tab order (Tab went to x = -281): it is made inert while collapsed. The
// lecture's A-/A+ buttons get names a screen reader can say. On a phone the sidebar covers the page:
// its Lecture mode button closes it, so the slide it opens is in view (Train does the same, ui/components/page/sidebar_closer.js),
// and so does joining a class by its typed code, once the page follows (a wrong code's note stays in view).
const PHONE = 768; // px: below this Streamlit shows the sidebar over the page, not beside it

// A first visit to the explorer shows a "start here" note, once per browser: a flag in localStorage
// (no cookie, nothing in the URL, nothing sent to the server) says it was shown.
const SEEN = "mm-start-seen";
const START = [
  "Start here",
  "The Counts tab shows how often each character follows another in about 32,000 US baby names. Drag the smoothing " +
    "and watch the table of counts become probabilities; then press Train in the sidebar (» at the top " +
    "left on a phone) and a one-layer net learns the same table by gradient descent.",
  "Lecture mode, in the sidebar, walks through it step by step, after Andrej Karpathy's makemore.",
];

function startHere() {
  const q = new URLSearchParams(window.location.search);
  if (q.get("mode") === "lecture" || q.has("join")) return; // a lecture, or a class to follow
  try {
    if (localStorage.getItem(SEEN)) return;
    localStorage.setItem(SEEN, "1"); // shown now: never again in this browser
  } catch (e) {
    return; // no storage (a locked-down browser): better never than on every visit
  }
  const note = document.createElement("aside");
  note.className = "mm-start";
  note.setAttribute("aria-label", START[0]);
  const title = document.createElement("strong");
  title.textContent = START[0];
  note.appendChild(title);
  for (const line of START.slice(1)) {
    const p = document.createElement("p");
    p.textContent = line;
    note.appendChild(p);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Got it";
  close.addEventListener("click", () => note.remove());
  note.appendChild(close);
  const app = document.querySelector("[data-testid=stApp]");
  if (app) { // the theme's own colours (light or dark)
    const style = getComputedStyle(app), bg = style.backgroundColor;
    if (bg && bg !== "transparent" && !bg.endsWith(", 0)")) note.style.background = bg;
    note.style.color = style.color;
  }
  document.body.appendChild(note); // outside Streamlit's layout: nothing on the page moves
}

export default function () {
  if (window.__mmPage) return;
  window.__mmPage = true;
  startHere();
  const closeSidebar = () => {
    const close = document.querySelector('[data-testid=stSidebar] button[aria-label="Collapse sidebar"]');
    if (close) close.click();
  };
  let joining = 0; // when Join was pressed on a phone: the sidebar closes once the page follows
  document.addEventListener(
    "click",
    (e) => {
      if (window.innerWidth >= PHONE || !e.target.closest) return;
      if (e.target.closest(".st-key-class_join button")) joining = Date.now();
      if (e.target.closest(".st-key-to_lecture button")) setTimeout(closeSidebar, 50);
    },
    true,
  );
  const names = { lecture_smaller: "smaller type", lecture_larger: "larger type" };
  const check = () => {
    if (joining && Date.now() - joining < 20000 && document.querySelector(".st-key-class_explore")) {
      joining = 0; // joined: the student's controls replaced the code field, the slide is what to see
      setTimeout(closeSidebar, 50);
      document.querySelector(".mm-start")?.remove(); // the first visit's note, over the slide
    }
    const bar = document.querySelector('[data-testid="stSidebar"]');
    if (bar) {
      // Streamlit 1.67 says it in data-collapsed; the box is the fallback (it reads 0 wide for a
      // moment while a reconnecting page redraws: taken alone it left an open sidebar inert)
      const flag = bar.getAttribute("data-collapsed");
      const collapsed = flag !== null ? flag === "true" : bar.getBoundingClientRect().right <= 1;
      const content = bar.querySelector('[data-testid="stSidebarContent"]') || bar;
      if (content.inert !== collapsed) content.inert = collapsed;
    }
    for (const [key, name] of Object.entries(names)) {
      const b = document.querySelector(`.st-key-${key} button`);
      if (b && b.getAttribute("aria-label") !== name) b.setAttribute("aria-label", name);
    }
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-collapsed"] });
  window.addEventListener("transitionend", check);
  check();
}
