// On a phone the sidebar covers the page: pressing Train in it closes it, so the loss curve that
// starts drawing is in view. One listener per page; wider screens keep the sidebar as it is.
const PHONE = 768; // px: below this Streamlit shows the sidebar over the page, not beside it

export default function () {
  if (window.__mmSidebarCloser) return;
  window.__mmSidebarCloser = true;
  document.addEventListener(
    "click",
    (e) => {
      if (window.innerWidth >= PHONE || !e.target.closest || !e.target.closest(".st-key-train button")) return;
      setTimeout(() => {
        const close = document.querySelector('[data-testid=stSidebar] button[aria-label="Collapse sidebar"]');
        if (close) close.click();
      }, 50);
    },
    true,
  );
}
