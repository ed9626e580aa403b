/* The HA page's failover timeline: one marker per failover, one row per group, drawn from
   the page's JSON (dcim/availability/views/page.py builds the traces in site time), first
   from the page and then on every live refresh (dcim.onLive). */
(function () {
  "use strict";

  function draw(chart) {
    const div = document.getElementById("timeline-chart");
    const note = document.querySelector('[data-chart-note="timeline"]');
    if (!div || !chart) return;
    const text = getComputedStyle(document.body).color;
    const traces = chart.traces.map((t) => ({
      type: "scatter", mode: "markers", name: t.name, x: t.x, y: t.y, text: t.text,
      marker: { size: 11, symbol: "diamond" }, hovertemplate: "%{x}<br>%{text}<extra>%{y}</extra>",
    }));
    const layout = {
      margin: { l: 160, r: 12, t: 8, b: 40 }, height: 120 + 32 * Math.max(1, traces.length),
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: text, size: 12 },
      xaxis: { type: "date", range: chart.range, title: { text: `Site time (${chart.tz})` }, gridcolor: "rgba(128,128,128,0.25)" },
      yaxis: { type: "category", automargin: true }, showlegend: false, uirevision: "keep",
    };
    if (window.Plotly) Plotly.react(div, traces, layout, { displaylogo: false, responsive: true });
    div.dataset.traces = String(traces.length);
    div.dataset.points = String(chart.traces.reduce((n, t) => n + t.x.length, 0));
    if (note) note.textContent = chart.empty || "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("ha-charts");
    if (el) draw(JSON.parse(el.textContent).timeline);
    if (window.dcim && dcim.onLive) dcim.onLive((data) => data.charts && draw(data.charts.timeline));
  });
})();
