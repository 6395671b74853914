// "Copy link": the address bar already holds every setting of the view (ui/state.py mirrors them
// in it), so the link is the page's own address. Copied with the Clipboard API; a page served over
// plain http has none: the link is then shown, selected, in a box beside the button to copy by hand.
export default function (component) {
  const root = component.parentElement.querySelector(".mm-copy");
  if (!root || root._ready) return;
  root._ready = true;
  const button = root.querySelector("button"), box = root.querySelector("input");
  const say = (text) => {
    button.textContent = text;
    clearTimeout(root._reset);
    root._reset = setTimeout(() => (button.textContent = "Copy link"), 2500);
  };
  button.addEventListener("click", async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      box.hidden = true;
      say("Link copied");
    } catch (e) {
      box.value = url;
      box.hidden = false;
      box.focus();
      box.select();
      say("Copy it below");
    }
  });
}
