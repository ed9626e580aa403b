/* The Maintenance page's calendars, redrawn from the page's JSON on every live refresh
   (dcim.onLive): the month grid's day cells and the week's days take their windows again,
   built as the server builds them (dcim/maintenance/views/calendar.py). */
(function () {
  "use strict";
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);

  function items(list, withState) {
    return list.map((i) => `<a class="cal-item badge badge-${esc(i.tone)}" href="${esc(i.url)}" title="${esc(i.title)} · ${esc(i.state)}">${esc(i.time)} ${esc(i.title)}${withState ? " · " + esc(i.state) : ""}</a>`).join("");
  }

  function draw(data) {
    if (data.month) {
      data.month.weeks.flat().forEach((day) => {
        const td = document.querySelector(`#month td[data-date="${day.date}"]`);
        if (td) td.innerHTML = `<span class="cal-day">${esc(day.day)}</span>` + items(day.items, false);
      });
    }
    if (data.week) {
      data.week.days.forEach((day) => {
        const li = document.querySelector(`#week li[data-date="${day.date}"]`);
        if (li) li.innerHTML = `<strong>${esc(day.label)}</strong>` + (items(day.items, true) || '<span class="muted">—</span>');
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (window.dcim && dcim.onLive) dcim.onLive(draw);
    const picker = document.querySelector("#site-picker select");
    if (picker) picker.addEventListener("change", () => picker.form.submit());
  });
})();
