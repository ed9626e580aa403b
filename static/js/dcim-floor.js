/* Floor: each refresh recolours and relabels the rack tiles in place (focus stays put). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    if (!window.dcim || !dcim.onLive) return;
    dcim.onLive((data) => {
      for (const r of data.racks || []) {
        const a = document.querySelector(`.rack-tile[data-rack="${r.id}"]`);
        if (!a) continue;
        a.className = `rack-tile ${r.cls}`;
        a.querySelector(".rack-value").textContent = r.text;
      }
    });
  });
})();
