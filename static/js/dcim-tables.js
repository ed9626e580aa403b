/* Sortable and filterable tables, keyboard first: headers are buttons (Enter/Space sort,
   aria-sort tells screen readers), filters are ordinary inputs. Sort and filter survive
   a live redraw: dcim.tables.reapply(table) runs after each refresh. */
(function () {
  "use strict";
  const dcim = (window.dcim = window.dcim || {});

  function key(row, col) {
    const cell = row.cells[col];
    if (!cell) return "";
    const v = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
    const n = Number(v);
    return v !== "" && !Number.isNaN(n) ? n : v.toLowerCase();
  }

  function sort(table) {
    const col = Number(table.dataset.sortCol);
    if (Number.isNaN(col) || table.dataset.sortCol === undefined) return;
    const dir = table.dataset.sortDir === "descending" ? -1 : 1;
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).filter((r) => !r.classList.contains("empty-row"));
    rows.sort((a, b) => {
      const x = key(a, col), y = key(b, col);
      if (typeof x === typeof y) return (x < y ? -1 : x > y ? 1 : 0) * dir;
      return (typeof x === "number" ? -1 : 1) * dir;
    });
    rows.forEach((r) => body.appendChild(r));
    table.querySelectorAll("thead th").forEach((th, i) => {
      th.setAttribute("aria-sort", i === col ? table.dataset.sortDir : "none");
    });
  }

  function filter(table) {
    const id = table.id;
    const text = document.querySelector(`[data-filter="${id}"]`);
    const state = document.querySelector(`[data-filter-status="${id}"]`);
    const q = text ? text.value.trim().toLowerCase() : "";
    const s = state ? state.value : "";
    let shown = 0, total = 0;
    for (const row of table.tBodies[0].rows) {
      if (row.classList.contains("empty-row")) continue;
      total += 1;
      const ok = (!q || row.textContent.toLowerCase().includes(q)) && (!s || row.querySelector(`[data-status="${s}"]`));
      row.hidden = !ok;
      if (ok) shown += 1;
    }
    const count = document.querySelector(`[data-count-for="${id}"]`);
    if (count) count.textContent = q || s ? `${shown} of ${total} shown` : `${total} rows`;
  }

  dcim.tables = { reapply(table) { sort(table); filter(table); } };

  document.addEventListener("click", (e) => {
    const button = e.target.closest("button.sort");
    if (!button) return;
    const table = button.closest("table");
    const col = button.dataset.col;
    const same = table.dataset.sortCol === col;
    table.dataset.sortCol = col;
    table.dataset.sortDir = same && table.dataset.sortDir === "ascending" ? "descending" : "ascending";
    sort(table);
  });
  document.addEventListener("input", (e) => {
    const id = e.target.dataset.filter || e.target.dataset.filterStatus;
    const table = id && document.getElementById(id);
    if (table) filter(table);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table.live-table").forEach(filter);
  });
})();
