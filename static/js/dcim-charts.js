/* Chart panels: a range picker (1 h … 30 d, custom) and, optionally, a metric choice drive
   a JSON endpoint that returns Plotly traces at a resolution the server picks (at most
   2,000 points a trace). Times arrive already shifted to the site's wall clock. The note
   under each chart says what is drawn, or in words why nothing is. */
(function () {
  "use strict";
  const dcim = (window.dcim = window.dcim || {});

  function layout(unit, tz) {
    const css = getComputedStyle(document.body);
    const text = css.color;
    return {
      margin: { l: 56, r: 12, t: 8, b: 40 }, height: 300,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: text, size: 12 },
      xaxis: { type: "date", title: { text: `Time (${tz})` }, gridcolor: "rgba(128,128,128,0.25)" },
      yaxis: { title: { text: unit || "" }, gridcolor: "rgba(128,128,128,0.25)", rangemode: "tozero" },
      legend: { orientation: "h", y: -0.25 }, showlegend: true,
    };
  }

  async function load(panel) {
    const url = new URL(panel.dataset.chartUrl, location.href);
    url.searchParams.set("range", panel.dataset.range);
    if (panel.dataset.metric) url.searchParams.set("metric", panel.dataset.metric);
    if (panel.dataset.range === "custom") {
      url.searchParams.set("start", panel.dataset.start);
      url.searchParams.set("end", panel.dataset.end);
    }
    const note = panel.querySelector("[data-chart-note]");
    const div = panel.querySelector(".chart");
    note.textContent = "Loading…";
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
      const traces = data.traces.map((t) => ({ type: "scatter", mode: t.x.length < 60 ? "lines+markers" : "lines", line: { width: 1.5 }, name: t.name, x: t.x, y: t.y }));
      if (window.Plotly) Plotly.react(div, traces, layout(data.unit, data.tz), { displaylogo: false, responsive: true });
      const first = traces.length && traces[0].x.length ? traces[0].x[0] : "";
      panel.dataset.points = data.points;
      panel.dataset.first = first;
      panel.dataset.loadedRange = data.range;
      note.textContent = data.empty || `${data.traces.length} trace(s), up to ${data.points} points each, resolution ${data.resolution}` +
        (data.start ? `, ${data.start} – ${data.end}` : "") + (data.truncated ? ` (${data.truncated} more not drawn)` : "") + ".";
    } catch (err) {
      note.textContent = `Could not load the chart: ${err.message}.`;
    }
  }

  function setup(panel) {
    panel.querySelectorAll("button.range").forEach((b) => b.addEventListener("click", () => {
      panel.dataset.range = b.dataset.range;
      panel.querySelectorAll("button.range").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      load(panel);
    }));
    const form = panel.querySelector("[data-custom-range]");
    if (form) form.addEventListener("submit", (e) => {
      e.preventDefault();
      panel.dataset.range = "custom";
      panel.dataset.start = form.elements.start.value;
      panel.dataset.end = form.elements.end.value;
      panel.querySelectorAll("button.range").forEach((x) => x.setAttribute("aria-pressed", "false"));
      load(panel);
    });
    const select = panel.querySelector("[data-chart-metric]");
    if (select) select.addEventListener("change", () => { panel.dataset.metric = select.value; load(panel); });
    load(panel);
  }

  dcim.loadChart = load;
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".chart-panel[data-chart-url]").forEach(setup));
})();
