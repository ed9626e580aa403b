/* Power & PUE: energy by kind per day (stacked bars), PUE per day, and the IT load with its
   forecast and band, drawn from the page's JSON (dcim/energy/views/charts.py builds the
   traces, units and site-time x values), first from the page and then on every live
   refresh (dcim.onLive). The note under each chart says why it is empty, when it is. */
(function () {
  "use strict";
  const COLORS = { IT: "#1f77b4", Cooling: "#17becf", "Other (lighting and more)": "#bcbd22", "Losses and unmetered": "#7f7f7f" };

  function layout(unit, tz, extra) {
    const text = getComputedStyle(document.body).color;
    return Object.assign({
      margin: { l: 56, r: 12, t: 8, b: 40 }, height: 300,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: text, size: 12 },
      xaxis: { type: "date", title: { text: `Site time (${tz})` }, gridcolor: "rgba(128,128,128,0.25)" },
      yaxis: { title: { text: unit || "" }, gridcolor: "rgba(128,128,128,0.25)", rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 }, showlegend: true, uirevision: "keep",
    }, extra || {});
  }

  function plotted(chart) {
    const unit = chart.unit ? ` ${chart.unit}` : "";
    return chart.traces.map((t) => {
      const hover = `%{x}<br>%{y:,.4~g}${unit}<extra>${t.name}</extra>`;
      if (t.type === "bar") return { type: "bar", name: t.name, x: t.x, y: t.y, marker: { color: COLORS[t.name] }, hovertemplate: hover };
      if (t.type === "band_low") return { type: "scatter", mode: "lines", name: t.name, x: t.x, y: t.y, line: { width: 0 }, showlegend: false, hovertemplate: hover };
      if (t.type === "band_high") return { type: "scatter", mode: "lines", name: t.name, x: t.x, y: t.y, line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(255,127,14,0.2)", hovertemplate: hover };
      if (t.type === "forecast") return { type: "scatter", mode: "lines", name: t.name, x: t.x, y: t.y, line: { color: "#ff7f0e", dash: "dash", width: 2 }, hovertemplate: hover };
      const withText = t.text ? `%{x}<br>%{y:,.3f}${unit}<br>%{text}<extra>${t.name}</extra>` : hover;
      return { type: "scatter", mode: t.x.length < 60 ? "lines+markers" : "lines", name: t.name, x: t.x, y: t.y, text: t.text, connectgaps: false, line: { width: 1.8 }, hovertemplate: withText };
    });
  }

  function draw(id, chart, extra) {
    const div = document.getElementById(id);
    const note = document.querySelector(`[data-chart-note="${id.replace("-chart", "")}"]`);
    if (!div || !chart) return;
    if (window.Plotly) Plotly.react(div, plotted(chart), layout(chart.unit, chart.tz, extra), { displaylogo: false, responsive: true });
    div.dataset.traces = String(chart.traces.length);
    if (note) note.textContent = chart.empty || chart.note || "";
  }

  function drawAll(charts) {
    if (!charts) return;
    draw("energy-chart", charts.energy, { barmode: "stack" });
    draw("pue-chart", charts.pue, { yaxis: { title: { text: charts.pue.unit }, gridcolor: "rgba(128,128,128,0.25)", rangemode: "normal" } });
    draw("forecast-chart", charts.forecast);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("energy-charts");
    if (el) drawAll(JSON.parse(el.textContent));
    if (window.dcim && dcim.onLive) dcim.onLive((data) => drawAll(data.charts));
    const picker = document.querySelector("#site-picker select");
    if (picker) picker.addEventListener("change", () => picker.form.submit());
  });
})();
