/* GPUs: the fleet heatmap (hosts × GPUs) for the chosen metric, on a colour scale with
   fixed, meaningful bounds, and its outliers, from the same JSON that fills the table. */
(function () {
  "use strict";
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);
  function draw(h) {
    if (!h) return;
    if (window.Plotly) {
      const text = getComputedStyle(document.body).color;
      // Bounds and colours from the server (dashboard/gpu_heatmap.py: 25 °C to slowdown,
      // 0–100 %, 0 to the power limit), never fitted to the data, so a healthy fleet is not
      // painted red.
      const fixed = h.zmin != null && h.zmax != null;
      Plotly.react("heatmap", [{ type: "heatmap", z: h.z, x: h.gpus, y: h.hosts, colorscale: h.colorscale || "YlOrRd", reversescale: !h.colorscale, colorbar: { title: { text: h.unit } },
        zauto: !fixed, zmin: fixed ? h.zmin : undefined, zmax: fixed ? h.zmax : undefined,
        hovertemplate: "%{y} %{x}: %{z} " + h.unit + "<extra></extra>" }],
        { margin: { l: 110, r: 10, t: 8, b: 30 }, height: Math.max(300, Math.min(1400, h.hosts.length * 5 + 60)),
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: text, size: 10 }, yaxis: { autorange: "reversed" } },
        { displaylogo: false, responsive: true });
    }
    const scale = document.getElementById("heat-scale");
    if (scale) scale.textContent = h.scale || "";
    const box = document.getElementById("outliers");
    if (!h.outliers.length) {
      box.innerHTML = `<p class="muted">No outliers in ${esc(h.label.toLowerCase())}` + (h.median !== null ? ` (median ${esc(h.median)} ${esc(h.unit)}).</p>` : ": no data yet.</p>");
      return;
    }
    box.innerHTML = `<p><strong>${h.outliers.length} outlier(s)</strong> in ${esc(h.label.toLowerCase())} (median ${esc(h.median)} ${esc(h.unit)}; robust z-score over 3.5):</p><ul class="outlier-list">` +
      h.outliers.map((o) => `<li>${esc(o.host)} GPU${esc(o.gpu)}: ${esc(o.value)} ${esc(h.unit)}</li>`).join("") + "</ul>";
  }
  document.addEventListener("DOMContentLoaded", () => {
    if (!window.dcim || !dcim.onLive) return;
    dcim.onLive((data) => draw(data.heatmap));
    const select = document.getElementById("heat-metric");
    select.addEventListener("change", () => { dcim.liveUrl.searchParams.set("heat", select.value); dcim.refresh(); });
  });
})();
