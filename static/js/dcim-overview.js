/* Overview: the GPU utilization and temperature histograms, redrawn on each live refresh. */
(function () {
  "use strict";
  function draw(dist) {
    if (!window.Plotly || !dist) return;
    const text = getComputedStyle(document.body).color;
    const base = { margin: { l: 44, r: 8, t: 28, b: 36 }, height: 170, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: text, size: 11 }, bargap: 0.05 };
    Plotly.react("dist-util", [{ type: "bar", x: dist.util.x, y: dist.util.y, name: "GPUs" }],
      { ...base, title: { text: "Utilization (%)", font: { size: 12 } }, yaxis: { title: { text: "GPUs" } } }, { displaylogo: false, responsive: true });
    Plotly.react("dist-temp", [{ type: "bar", x: dist.temp.x, y: dist.temp.y, name: "GPUs", marker: { color: "#d39408" } }],
      { ...base, title: { text: "Temperature (°C)", font: { size: 12 } }, yaxis: { title: { text: "GPUs" } } }, { displaylogo: false, responsive: true });
  }
  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("dist-data");
    if (el) draw(JSON.parse(el.textContent));
    if (window.dcim && dcim.onLive) dcim.onLive((data) => draw(data.distributions));
  });
})();
