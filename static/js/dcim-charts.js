/* Chart panels: a range picker (1 h … 30 d, custom) and, optionally, a metric choice drive
   a JSON endpoint that returns Plotly traces at a resolution the server picks (at most
   2,000 points a trace). Times arrive already shifted to the site's wall clock. The note
   under each chart says what is drawn, or in words why nothing is. Charts reload with
   every live refresh of their page (dcim.onLive), keeping the range and any zoom. */
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

  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  // A trace's complete points make its line; its partial buckets (still open, or data began
  // mid-bucket: dcim/dashboard/buckets.py) are hollow markers of its colour, not joined.
  function plotted(list) {
    const out = [];
    list.forEach((t, i) => {
      const color = PALETTE[i % PALETTE.length];
      out.push({ type: "scatter", mode: t.x.length < 60 ? "lines+markers" : "lines", line: { width: 1.5, color }, marker: { color }, name: t.name, legendgroup: t.name, x: t.x, y: t.y, customdata: t.customdata });
      if (t.partial) out.push({ type: "scatter", mode: "markers", marker: { color, symbol: "circle-open", size: 9, line: { width: 2, color } }, name: `${t.name} (partial)`, legendgroup: t.name, showlegend: false, x: t.partial.x, y: t.partial.y, text: t.partial.why, hoverinfo: "x+y+text+name" });
    });
    return out;
  }

  // Units come from the server (dcim/dashboard/chart_units.py), values already scaled to
  // them: the axis title, a state's words as ticks, and the hover says value and unit (or
  // the state's word). No unit logic here, so the chart says what the device page says.
  function withUnits(traces, lay, data) {
    const unit = !data.unit ? "" : data.unit.startsWith("/") ? data.unit : ` ${data.unit}`;
    traces.forEach((t) => {
      if (t.hoverinfo) return; // partial markers say why they are partial
      t.hovertemplate = `%{x|%Y-%m-%d %H:%M:%S}<br>${t.customdata ? "%{customdata}" : "%{y:,.4~g}" + unit}<extra>%{fullData.name}</extra>`;
    });
    if (data.ticks) Object.assign(lay.yaxis, { tickvals: data.ticks.vals, ticktext: data.ticks.text, rangemode: "normal" });
    return traces;
  }

  // quiet: a live refresh, which keeps the note until the new data is in. A newer load
  // supersedes an older one still in flight (a range click during a refresh wins).
  async function load(panel, quiet) {
    const seq = (panel.dcimSeq = (panel.dcimSeq || 0) + 1);
    const url = new URL(panel.dataset.chartUrl, location.href);
    url.searchParams.set("range", panel.dataset.range);
    if (panel.dataset.metric) url.searchParams.set("metric", panel.dataset.metric);
    if (panel.dataset.range === "custom") {
      url.searchParams.set("start", panel.dataset.start);
      url.searchParams.set("end", panel.dataset.end);
    }
    const note = panel.querySelector("[data-chart-note]");
    const div = panel.querySelector(".chart");
    if (!quiet) note.textContent = "Loading…";
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
      if (seq !== panel.dcimSeq) return;
      const lay = layout(data.unit, data.tz);
      lay.uirevision = [data.range, panel.dataset.metric, panel.dataset.start, panel.dataset.end].join("|"); // zoom survives refreshes
      if (data.xrange) lay.xaxis.range = data.xrange;
      if (window.Plotly) Plotly.react(div, withUnits(plotted(data.traces), lay, data), lay, { displaylogo: false, responsive: true });
      const first = data.traces.length && data.traces[0].x.length ? data.traces[0].x[0] : "";
      panel.dataset.points = data.points;
      panel.dataset.first = first;
      panel.dataset.loadedRange = data.range;
      panel.dataset.loads = String((Number(panel.dataset.loads) || 0) + 1);
      note.textContent = data.empty || (data.notice ? `${data.notice} ` : "") + `${data.traces.length} trace(s), up to ${data.points} points each, resolution ${data.resolution}` +
        (data.start ? `, ${data.start} – ${data.end}` : "") + (data.truncated ? ` (${data.truncated} more not drawn)` : "") + ".";
    } catch (err) {
      if (seq !== panel.dcimSeq) return;
      note.textContent = quiet ? `Could not refresh the chart (${err.message}); showing the data loaded before.` : `Could not load the chart: ${err.message}.`;
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
  document.addEventListener("DOMContentLoaded", () => {
    const panels = document.querySelectorAll(".chart-panel[data-chart-url]");
    panels.forEach(setup);
    if (dcim.onLive) dcim.onLive(() => panels.forEach((p) => load(p, true)));
  });
})();
