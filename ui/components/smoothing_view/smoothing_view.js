// The smoothing control of the sidebar and of the lecture: follows and moves the page's one
// smoothing value while it is dragged, and commits it to the server on release.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const host = parentElement.querySelector(".mm-smooth-host");
  const d = JSON.parse(new TextDecoder().decode(data));
  if (!host._slider) host._slider = mmSmoothingSlider(host, d.stops, d.label, d.id);
  host._slider.commit = (v) => setStateValue("smoothing", v);
  const v = mmFromServer("smoothing", d.smoothing);
  if (document.activeElement !== host._slider.input || !mmBus.commits.smoothing) host._slider.set(v);
}
