// The page's own keyboard fixes on Streamlit's elements: a collapsed sidebar is off screen but its
// controls stayed in the tab order (Tab went to x = -281): it is made inert while collapsed. The
// lecture's A-/A+ buttons get names a screen reader can say. On a phone the sidebar covers the page:
// its Lecture mode button closes it, so the slide it opens is in view (Train does the same, ui/sidebar_closer.js).
const PHONE = 768; // px: below this Streamlit shows the sidebar over the page, not beside it

export default function () {
  if (window.__mmPage) return;
  window.__mmPage = true;
  document.addEventListener(
    "click",
    (e) => {
      if (window.innerWidth >= PHONE || !e.target.closest || !e.target.closest(".st-key-to_lecture button")) return;
      setTimeout(() => {
        const close = document.querySelector('[data-testid=stSidebar] button[aria-label="Collapse sidebar"]');
        if (close) close.click();
      }, 50);
    },
    true,
  );
  const names = { lecture_smaller: "smaller type", lecture_larger: "larger type" };
  const check = () => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    if (bar) {
      const collapsed = bar.getAttribute("aria-expanded") === "false" || bar.getBoundingClientRect().right <= 1;
      const content = bar.querySelector('[data-testid="stSidebarContent"]') || bar;
      if (content.inert !== collapsed) content.inert = collapsed;
    }
    for (const [key, name] of Object.entries(names)) {
      const b = document.querySelector(`.st-key-${key} button`);
      if (b && b.getAttribute("aria-label") !== name) b.setAttribute("aria-label", name);
    }
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-expanded"] });
  window.addEventListener("transitionend", check);
  check();
}
