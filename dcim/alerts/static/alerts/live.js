// Live refresh of the Alerts page: every 10 s, swap the firing/pending tables for fresh ones.
// Paused while the user is typing in one of its forms, so an ack comment is never lost.
(function () {
  "use strict";
  var box = document.getElementById("alerts-live");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  function busy() {
    var el = document.activeElement;
    return el && box.contains(el) && (el.tagName === "INPUT" || el.tagName === "SELECT");
  }
  function refresh() {
    if (document.hidden || busy()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && !busy()) { box.innerHTML = data.html; } })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }
  window.setInterval(refresh, 10000);
}());
