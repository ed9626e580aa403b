"""CSV of any table of the Power & PUE page: ``/energy/export.csv?site=<slug>&table=<name>``.

The rows are the page's records (``gather.records``), raw values with the unit in the
header, so a spreadsheet gets 1234.5 (kWh), not "1.23 MWh". Racks and tenants come whole,
where the page shows the top ten. Viewers may export: it reads, and changes nothing.
"""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dcim.energy.views.gather import TABLES, gather, records
from dcim.ui.json_twin import bad_request
from dcim.ui.sites import chosen_site


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse | JsonResponse:
    """One table as CSV; an unknown table is a 400 that names the known ones."""
    name = request.GET.get("table", "")
    if name not in TABLES:
        return bad_request(f"Unknown table {name!r}: one of {', '.join(TABLES)}.")
    site = chosen_site(request)
    if site is None:
        return bad_request("No site yet: nothing to export.")
    now = timezone.now()
    report = gather(site, now, budget=name == "budget")
    table = TABLES[name]
    stamp = f"{now.astimezone(report.tz):%Y%m%d-%H%M}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="energy-{site.slug}-{name}-{stamp}.csv"'
    )
    response["Cache-Control"] = "no-store"
    out = csv.writer(response)
    out.writerow(table.csv_header())
    for rec in records(report, name):
        out.writerow(table.csv_row(rec))
    return response
