// plotly.js, loaded once per page (the plotly package's own file), and the page's clock.
let plotlyLoading = null;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve();
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "./app/static/plotly.min.js"; // the plotly package's own file, served by Streamlit
      script.onload = resolve;
      script.onerror = () => reject(new Error("could not load plotly.min.js"));
      document.head.appendChild(script);
    });
  }
  return plotlyLoading;
}

loadPlotly(); // start at once: parsing plotly.js is the slowest step of a first page load

function now() {
  return performance.timeOrigin + performance.now();
}

// displayed (not in a hidden tab or view): Plotly can only measure and resize a chart that is
function shown(div) {
  return div.getClientRects().length > 0;
}
