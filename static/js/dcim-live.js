/* Live refresh without a page reload. The element with data-live-url is fetched as JSON
   every data-refresh seconds; [data-tile=KEY] elements take data.tiles[KEY], tables with
   data-live-table=ID are redrawn from data.tables[ID] (cells built exactly as the server
   builds them, sent pooled as {cells, rows of indices}: see dcim/dashboard/tables.py), and
   page scripts get the data through dcim.onLive(fn). A failed refresh says so, with the
   time of the data still shown. */
(function () {
  "use strict";
  const dcim = (window.dcim = window.dcim || {});
  const listeners = [];
  dcim.onLive = (fn) => listeners.push(fn);

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);
  dcim.esc = esc; // for page scripts that draw from the live data

  function cellHtml(c, tag) {
    let text = esc(c.t);
    if (c.b) text = `<span class="badge badge-${esc(c.b)}" data-status="${esc(c.st || "")}">${text}</span>`;
    if (c.h) text = `<a href="${esc(c.h)}">${text}</a>`;
    if (c.sp) text = `<svg class="spark" viewBox="0 0 100 20" aria-hidden="true" preserveAspectRatio="none"><polyline points="${esc(c.sp)}"/></svg>` + text;
    const cls = c.n ? ' class="num"' : "";
    const sort = "v" in c ? ` data-sort="${esc(c.v)}"` : "";
    const scope = tag === "th" ? ' scope="row"' : "";
    const title = c.ti ? ` title="${esc(c.ti)}"` : "";
    return `<${tag}${scope}${cls}${sort}${title}>${text}</${tag}>`;
  }

  dcim.renderRows = function (table, rows) {
    const body = table.tBodies[0];
    const cols = table.tHead ? table.tHead.rows[0].cells.length : 1;
    if (!rows.length) {
      body.innerHTML = `<tr class="empty-row"><td colspan="${cols}" class="muted">${esc(body.dataset.empty || "Nothing to show.")}</td></tr>`;
    } else {
      body.innerHTML = rows.map((r) => "<tr>" + r.map((c, i) => cellHtml(c, i ? "td" : "th")).join("") + "</tr>").join("");
    }
    if (dcim.tables) dcim.tables.reapply(table);
  };

  function apply(data) {
    for (const [key, value] of Object.entries(data.tiles || {})) {
      document.querySelectorAll(`[data-tile="${key}"]`).forEach((el) => { el.textContent = value; });
    }
    for (const [id, pool] of Object.entries(data.tables || {})) {
      const table = document.querySelector(`table[data-live-table="${id}"]`);
      if (table) dcim.renderRows(table, pool.rows.map((r) => r.map((i) => pool.cells[i])));
    }
    listeners.forEach((fn) => fn(data));
  }

  function start(root) {
    const status = root.querySelector("[data-live-status]");
    const every = Math.max(1, Number(root.dataset.refresh) || 15);
    let lastGood = null, zone; // the site's zone (data.tz): failures are timed in it too
    let busy = false;
    dcim.liveUrl = new URL(root.dataset.liveUrl, location.href);
    dcim.refresh = async function () {
      if (busy) return;
      busy = true;
      try {
        const response = await fetch(dcim.liveUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.redirected || response.status === 401 || response.status === 403) throw new Error("signed out: reload the page to log in again");
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const data = await response.json();
        apply(data);
        lastGood = data.generated_text;
        zone = data.tz || zone;
        root.dataset.updated = data.generated_at;
        if (status) { status.textContent = `Updated ${data.generated_text} · refreshes every ${every} s`; status.classList.remove("is-stale"); }
      } catch (err) {
        if (status) {
          status.textContent = `Refresh failed at ${new Date().toLocaleTimeString("en-GB", { timeZone: zone, timeZoneName: "short" })} (${err.message}); showing data from ${lastGood || "page load"}.`;
          status.classList.add("is-stale");
        }
      } finally { busy = false; }
    };
    setInterval(() => { if (!document.hidden) dcim.refresh(); }, every * 1000);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) dcim.refresh(); });
    if ("liveNow" in root.dataset) dcim.refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector("[data-live-url]");
    if (root) start(root);
  });
})();
