/* A device's or rack's Maintenance card (maintenance/includes/glance.html), redrawn from
   the JSON twin's `maintenance` (dcim.maintenance.glance.for_devices) on each live
   refresh: a window that starts, finishes or is scheduled shows without a reload. The
   words are the template's. */
(function () {
  "use strict";
  function draw(list, m) {
    const esc = dcim.esc;
    const link = (w) => `<a href="${esc(w.url)}">${esc(w.title)}</a>`;
    const items = m.current.length
      ? m.current.map((w) => `<li><strong>Now:</strong> ${link(w)} · ${esc(w.state)} · ${esc(w.when)}</li>`)
      : ['<li class="muted">Not in maintenance now.</li>'];
    items.push(m.next
      ? `<li><strong>Next:</strong> ${link(m.next)} · ${esc(m.next.when)}</li>`
      : '<li class="muted">Nothing scheduled in the next 120 days.</li>');
    list.innerHTML = items.join("");
  }
  document.addEventListener("DOMContentLoaded", () => {
    const list = document.querySelector("[data-maintenance-glance]");
    if (list && window.dcim && dcim.onLive) dcim.onLive((data) => { if (data.maintenance) draw(list, data.maintenance); });
  });
})();
