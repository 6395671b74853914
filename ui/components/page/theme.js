// The page's light/dark switch. Streamlit picks its theme when the page loads, from its own URL
// option `embed_options=light_theme|dark_theme` (its settings menu is hidden by
// toolbarMode=minimal): the switch reloads the page's link with the other one. The link carries
// every setting, so the page comes back as it was, in the other theme.
export default function (component) {
  const { data, parentElement } = component;
  const button = parentElement.querySelector(".mm-theme");
  const dark = JSON.parse(new TextDecoder().decode(data)).dark === true;
  button.textContent = dark ? "☀ Light" : "☾ Dark";
  button.setAttribute("aria-label", dark ? "switch to the light theme" : "switch to the dark theme");
  button.title = button.getAttribute("aria-label");
  button.onclick = () => {
    const q = new URLSearchParams(window.location.search);
    q.set("embed_options", dark ? "light_theme" : "dark_theme");
    window.location.search = q.toString();
  };
}
